"""Reading Mapillary vector tiles: is anything there, and which images are in a z14 tile."""

from __future__ import annotations

from dataclasses import dataclass

import mapbox_vector_tile

from etl.mapillary.parsing import BadAnswer

TILESET = "mly1_computed_public"  # positions as search and the images table use them (computed first)


@dataclass(frozen=True)
class TileImage:
    id: int
    captured_at: int | None
    organization_id: int | None


def _decode(body: bytes) -> dict:
    if not body:
        return {}  # an empty tile is a valid empty MVT
    try:
        return mapbox_vector_tile.decode(body)
    except Exception as error:  # the decoder raises many kinds on a cut or garbled body
        raise BadAnswer(f"tile is not a valid vector tile: {type(error).__name__}") from None


def has_features(body: bytes) -> bool:
    """True when any layer of the tile holds a feature (used to prune empty ground)."""
    return any(layer.get("features") for layer in _decode(body).values())


def tile_images(body: bytes) -> list[TileImage]:
    """Every image of a z14 tile's `image` layer (optional properties may be missing)."""
    layer = _decode(body).get("image") or {}
    out = []
    for feature in layer.get("features", ()):
        props = feature.get("properties", {})
        ident = props.get("id", feature.get("id"))
        if ident is None:
            continue
        org = props.get("organization_id")
        out.append(TileImage(int(ident), props.get("captured_at"), int(org) if org is not None else None))
    return out
