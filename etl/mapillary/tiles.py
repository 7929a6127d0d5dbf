"""Reading Mapillary vector tiles: is anything there, and which images are in a z14 tile.

Only feature properties are needed (ids, capture times, organisations), never
geometry, so the protobuf is read directly (the C protobuf parser) and each
layer's value table is decoded once, instead of decoding every feature's
geometry through the generic decoder: a dense z14 tile holds ~100,000 points.
"""

from __future__ import annotations

from dataclasses import dataclass

from google.protobuf.message import DecodeError
from mapbox_vector_tile.Mapbox import vector_tile_pb2

from etl.mapillary.parsing import BadAnswer

TILESET = "mly1_computed_public"  # positions as search and the images table use them (computed first)
_VALUE_FIELDS = ("string_value", "float_value", "double_value", "int_value", "uint_value", "sint_value", "bool_value")


@dataclass(frozen=True)
class TileImage:
    id: int
    captured_at: int | None
    organization_id: int | None


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


def has_features(body: bytes) -> bool:
    """True when any layer of the tile holds a feature (used to prune empty ground)."""
    return any(len(layer.features) for layer in _parse(body).layers)


def tile_images(body: bytes) -> list[TileImage]:
    """Every image of a z14 tile's `image` layer (optional properties may be missing)."""
    for layer in _parse(body).layers:
        if layer.name == "image":
            return _images(layer)
    return []


def _images(layer: vector_tile_pb2.tile.layer) -> list[TileImage]:
    keys = list(layer.keys)
    values = [_value(v) for v in layer.values]
    k_id, k_time, k_org = (keys.index(k) if k in keys else -1 for k in ("id", "captured_at", "organization_id"))
    out = []
    for feature in layer.features:
        tags = feature.tags
        props = dict(zip(tags[::2], tags[1::2]))
        ident = values[props[k_id]] if k_id in props else (feature.id if feature.HasField("id") else None)
        if ident is None:
            continue
        when = values[props[k_time]] if k_time in props else None
        org = values[props[k_org]] if k_org in props else None
        out.append(TileImage(int(ident), int(when) if when is not None else None, int(org) if org is not None else None))
    return out
