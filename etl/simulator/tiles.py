"""Mapillary vector tiles (MVT, extent 4096) over the synthetic world.

Layers as documented: `overview` (z0-5, points, a sample: one probe cell per
64th of the tile), `sequence` (z6-14, one line per sequence with an image in
the tile, thinned at low zoom) and `image` (z14, every image, no cap).
Pixel coordinates are computed here with y pointing down and handed to the
encoder with `y_coord_down=True`, so a standard decoder with default options
returns y pointing up (extent - y).

A `TileStyle` serves the quirks of recorded real tiles: every value a string
(2021), values empty or properties missing, feature ids counting 0..N. The
sequence layer's `id` (the sequence key) is never emptied or left out, so every
image stays reachable through its sequence.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import mapbox_vector_tile
import numpy as np
import shapely

from etl.simulator.cells import CellData, draw_heads
from etl.simulator.density import cell_sequence_counts
from etl.simulator.geo import CELL_DEG, N_COLS, cell_origin, cell_range, intersect, lonlat_to_tile_fraction, tile_bounds
from etl.simulator.hashing import rng_for
from etl.simulator.ids import creator, image_id_base, organization_id, sequence_key
from etl.simulator.world import World

EXTENT = 4096
TILESETS = {"mly1_public": False, "mly1_computed_public": True}  # name -> uses computed positions
Hidden = Callable[[np.ndarray], np.ndarray]  # ids -> mask of deleted ones
_OVERVIEW_PROBES = 64


@dataclass(frozen=True)
class TileStyle:
    strings: bool = False  # every property value a string, feature ids 0..N (tiles recorded in 2021)
    empty_rate: float = 0.0  # chance that a value is an empty string
    missing_rate: float = 0.0  # chance that a property is left out
    seed: int = 0  # which values: hashed from (seed, tile), so a tile is served the same way each time

    @property
    def plain(self) -> bool:
        return not self.strings and self.empty_rate <= 0 and self.missing_rate <= 0


def render_tile(world: World, z: int, x: int, y: int, computed: bool, hidden: Hidden,
                style: TileStyle = TileStyle()) -> bytes:
    if z <= 5:
        layers = [_overview_layer(world, z, x, y, hidden)]
    else:
        parts = _parts(world, z, x, y, computed, hidden)
        layers = [_sequence_layer(world, parts, z, x, y, computed)]
        if z == 14:
            layers.append(_image_layer(world, parts, z, x, y, computed))
    layers = [layer for layer in layers if layer["features"]]
    if not style.plain:
        _restyle(layers, style, rng_for(style.seed, 0x711E, z, x, y))
    options = {"y_coord_down": True, "extents": EXTENT, "on_invalid_geometry": None}
    return mapbox_vector_tile.encode(layers, default_options=options) if layers else b""


def _string(value: object) -> str:
    return ("true" if value else "false") if isinstance(value, bool) else str(value)


def _restyle(layers: list[dict], style: TileStyle, rng: np.random.Generator) -> None:
    for layer in layers:
        keep_key = layer["name"] == "sequence"  # its `id` leads to the images: never lost
        for number, feature in enumerate(layer["features"]):
            props = feature["properties"]
            for key in list(props):
                if keep_key and key == "id":
                    props[key] = _string(props[key]) if style.strings else props[key]
                    continue
                missing, empty = rng.random() < style.missing_rate, rng.random() < style.empty_rate
                if missing:
                    del props[key]
                elif empty:
                    props[key] = ""
                elif style.strings:
                    props[key] = _string(props[key])
            if style.strings:
                feature["id"] = number


def _pixels(lon: np.ndarray, lat: np.ndarray, z: int, x: int, y: int) -> tuple[list[int], list[int]]:
    fx, fy = lonlat_to_tile_fraction(lon, lat, z)
    px = np.floor((fx - x) * EXTENT).astype(np.int64)
    py = np.floor((fy - y) * EXTENT).astype(np.int64)
    return px.tolist(), py.tolist()


def _parts(world: World, z: int, x: int, y: int, computed: bool, hidden: Hidden) -> list[tuple[CellData, np.ndarray]]:
    bounds = tile_bounds(z, x, y)
    out = []
    for data, idx in world.query(bounds, computed=computed):
        idx = idx[~hidden(data.ids[idx])]
        if idx.size:
            out.append((data, idx))
    return out


def _image_layer(world: World, parts: list, z: int, x: int, y: int, computed: bool) -> dict:
    features = []
    for data, idx in parts:
        lon, lat = (data.search_position() if computed else (data.lon, data.lat))
        px, py = _pixels(lon[idx], lat[idx], z, x, y)
        seqs = data.seq[idx].tolist()
        ids, times, angles = data.ids[idx].tolist(), data.captured_at[idx].tolist(), data.compass[idx].tolist()
        creators = [int(creator(world.seed, c)[0]) for c in data.seq_creator.tolist()]
        for i, s in enumerate(seqs):
            props = {"captured_at": times[i], "compass_angle": angles[i], "id": ids[i], "sequence_id": data.keys[s],
                     "is_pano": bool(data.seq_pano[s]), "creator_id": creators[s]}
            _add_org(world, data, s, props)
            features.append({"geometry": shapely.Point(px[i], py[i]), "properties": props, "id": ids[i]})
    return {"name": "image", "features": features}


def _add_org(world: World, data: CellData, serial: int, props: dict) -> None:
    org = int(data.seq_org[serial])
    if org >= 0:  # optional property: absent when the sequence has no organisation
        props["organization_id"] = int(organization_id(world.seed, org))


def _sequence_layer(world: World, parts: list, z: int, x: int, y: int, computed: bool) -> dict:
    step = 2 ** max(0, 12 - z)  # thin the path at low zoom: a pixel is many metres
    features = []
    for data, idx in parts:
        lon, lat = (data.search_position() if computed else (data.lon, data.lat))
        for s in np.unique(data.seq[idx]).tolist():
            live = data.sequence_indices(s)
            start = int(live[0])
            pick = np.unique(np.append(live[::step], live[-1]))
            px, py = _pixels(lon[pick], lat[pick], z, x, y)
            coords = list(dict.fromkeys(zip(px, py)))  # drop repeats, keep order
            if len(coords) < 2:
                coords.append((coords[0][0] + 1, coords[0][1]))
            props = {"captured_at": int(data.captured_at[start]), "id": data.keys[s], "image_id": int(data.ids[start]),
                     "is_pano": bool(data.seq_pano[s])}
            _add_org(world, data, s, props)
            features.append({"geometry": shapely.LineString(coords), "properties": props})
    return {"name": "sequence", "features": features}


def _overview_layer(world: World, z: int, x: int, y: int, hidden: Hidden) -> dict:
    """One point per probed non-empty cell: the first image of its first sequence.

    Probes are every cell of (tile ∩ world) when there are few, else a strided
    64x64 grid of them: small worlds are complete, big ones sampled.
    """
    region = intersect(tile_bounds(z, x, y), world.bbox)
    features: list[dict] = []
    if region is None:
        return {"name": "overview", "features": features}
    c0, r0, c1, r1 = cell_range(region)
    cols = np.arange(c0, c1 + 1, max(1, -(-(c1 - c0 + 1) // _OVERVIEW_PROBES)))
    rows = np.arange(r0, r1 + 1, max(1, -(-(r1 - r0 + 1) // _OVERVIEW_PROBES)))
    gc, gr = (a.ravel() for a in np.meshgrid(cols, rows))
    cells = gr.astype(np.int64) * N_COLS + gc
    counts = cell_sequence_counts(world.density, world.seed, gc, gr, cells)
    for cell, count in zip(cells[counts > 0].tolist(), counts[counts > 0].tolist()):
        if hidden(np.array([image_id_base(cell)]))[0]:
            continue
        feature = _overview_point(world, cell, count, z, x, y)
        if feature:
            features.append(feature)
    return {"name": "overview", "features": features}


def _overview_point(world: World, cell: int, count: int, z: int, x: int, y: int) -> dict | None:
    col, row = cell % N_COLS, cell // N_COLS
    cw, cs = cell_origin(col, row)
    b = world.bbox
    clip = (max(cw, b[0]), max(cs, b[1]), min(cw + CELL_DEG, b[2]), min(cs + CELL_DEG, b[3]))
    heads = draw_heads(rng_for(world.seed, cell), count, clip)  # same draws as generate_cell
    px, py = _pixels(heads.lon[:1], heads.lat[:1], z, x, y)
    if not (0 <= px[0] < EXTENT and 0 <= py[0] < EXTENT):
        return None
    first = image_id_base(cell)
    props = {"captured_at": int(heads.t0[0]), "id": first, "sequence_id": sequence_key(world.seed, cell, 0),
             "is_pano": bool(heads.pano[0])}
    return {"geometry": shapely.Point(px[0], py[0]), "properties": props, "id": first}
