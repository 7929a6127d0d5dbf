"""Reading Mapillary vector tiles: is anything there, and which images are in a z14 tile.

Only feature properties are needed (ids, capture times, organisations, sequence
keys) and an image's point, never a line, so the protobuf is read directly (the C protobuf parser)
and each layer's value table is decoded once, instead of decoding every
feature's geometry through the generic decoder: a dense z14 tile holds ~100,000
points.

Real tiles differ from their documentation: values may be typed (ints, bools)
or strings (all of them, in tiles recorded in 2021), empty or missing; feature
ids count 0..N and are never image ids. So an id is read only from the `id`
property, and a value that cannot be read costs that value (or, for the id,
that feature: counted, and its sequence key leads to its image instead).
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

from google.protobuf.message import DecodeError
from mapbox_vector_tile.Mapbox import vector_tile_pb2

from etl.mapillary.parsing import BadAnswer

TILESET = "mly1_computed_public"  # positions as search and the images table use them (computed first)
_VALUE_FIELDS = ("string_value", "float_value", "double_value", "int_value", "uint_value", "sint_value", "bool_value")
_MAX_ID = 2**63 - 1  # images.id is a bigint


@dataclass(frozen=True)
class TileImage:
    id: int
    captured_at: int | None
    organization_id: int | None
    sequence: str | None = None  # the sequence key, when readable
    point: tuple[int, int] | None = None  # position in the tile's coordinates (0..extent, y down)


@dataclass
class TileContents:
    """What a z14 tile says about its images."""

    images: list[TileImage] = field(default_factory=list)  # features with a usable image id
    without_id: int = 0  # image features whose id is missing, empty or unreadable
    sequences: set[str] = field(default_factory=set)  # keys whose images must be found through the sequence
    extent: int = 4096  # the image layer's coordinate range
    bad_values: int = 0  # non-empty values that could not be read (each dropped)


def _parse(body: bytes) -> vector_tile_pb2.tile:
    tile = vector_tile_pb2.tile()
    if body:  # an empty body is a valid empty tile
        try:
            tile.ParseFromString(body)
        except DecodeError:
            raise BadAnswer("tile is not a valid vector tile") from None
    return tile


def _value(val: vector_tile_pb2.tile.value) -> object:
    for name in _VALUE_FIELDS:
        if val.HasField(name):
            return getattr(val, name)
    return None


def read_int(value: object) -> int | None | bool:
    """A positive integer from a typed or string value; None when absent or empty, False when unreadable."""
    if value is None or value == "":
        return None
    if isinstance(value, bool):
        return False
    if isinstance(value, float):
        return int(value) if value.is_integer() and 0 < value < _MAX_ID else False
    if isinstance(value, int):
        return value if 0 < value <= _MAX_ID else False
    text = str(value).strip()
    if text.isascii() and text.isdigit() and 0 < int(text) <= _MAX_ID:
        return int(text)
    if text.isascii() and _is_integral_float(text):
        return int(float(text))
    return False


def _is_integral_float(text: str) -> bool:
    try:
        number = float(text)
    except ValueError:
        return False
    return math.isfinite(number) and number.is_integer() and 0 < number < _MAX_ID


def _read_key(value: object) -> str | None:
    """A sequence key: a non-empty string without spaces (ints are not keys)."""
    if isinstance(value, str):
        text = value.strip()
        return text if text and not any(c.isspace() or c == "," for c in text) else None
    return None


def has_features(body: bytes) -> bool:
    """True when any layer of the tile holds a feature (used to prune empty ground)."""
    return any(len(layer.features) for layer in _parse(body).layers)


class _Layer:
    """A layer's properties, decoded once per value; `get(feature, key)` reads one."""

    def __init__(self, layer: vector_tile_pb2.tile.layer) -> None:
        self.layer = layer
        self.keys = {k: i for i, k in enumerate(layer.keys)}
        self.values = [_value(v) for v in layer.values]

    def props(self, feature: vector_tile_pb2.tile.feature) -> dict[int, int]:
        tags = feature.tags
        return dict(zip(tags[::2], tags[1::2]))

    def get(self, props: dict[int, int], key: str) -> object:
        k = self.keys.get(key)
        v = props.get(k) if k is not None else None
        return self.values[v] if v is not None and v < len(self.values) else None


def tile_contents(body: bytes) -> TileContents:
    """The images of a z14 tile, and the sequences through which the others are found."""
    layers = {layer.name: layer for layer in _parse(body).layers}
    out = TileContents()
    orphans = False  # an image feature with neither an id nor a sequence key
    if "image" in layers:
        orphans = _read_images(_Layer(layers["image"]), out)
    if "sequence" in layers and (orphans or "image" not in layers):
        # which sequence the orphans belong to is unknown: each sequence of the tile is asked
        seq = _Layer(layers["sequence"])
        for feature in seq.layer.features:
            key = _read_key(seq.get(seq.props(feature), "id"))
            if key:
                out.sequences.add(key)
    return out


def _read_images(layer: _Layer, out: TileContents) -> bool:
    orphans = False
    for feature in layer.layer.features:
        props = layer.props(feature)
        ident = read_int(layer.get(props, "id"))
        if not ident:  # None (absent or empty) or False (unreadable): the feature id is no substitute
            out.without_id += 1
            out.bad_values += ident is False
            key = _read_key(layer.get(props, "sequence_id"))
            if key:
                out.sequences.add(key)
            else:
                orphans = True
            continue
        when, org = read_int(layer.get(props, "captured_at")), read_int(layer.get(props, "organization_id"))
        out.bad_values += (when is False) + (org is False)
        out.images.append(TileImage(ident, when or None, org or None, _read_key(layer.get(props, "sequence_id")),
                                    _point(feature.geometry)))
    out.extent = layer.layer.extent or 4096
    return orphans


def _point(geometry: object) -> tuple[int, int] | None:
    """A point feature's position: one MoveTo command and its zigzag-encoded x and y."""
    g = list(geometry)  # type: ignore[call-overload]
    if len(g) < 3 or g[0] & 7 != 1:
        return None
    return (g[1] >> 1) ^ -(g[1] & 1), (g[2] >> 1) ^ -(g[2] & 1)


def tile_images(body: bytes) -> list[TileImage]:
    """Every image of a z14 tile's `image` layer that has a usable id."""
    return tile_contents(body).images
