"""Generation of one cell's sequences and images, vectorised with numpy.

A cell owns the sequences that start in it. Paths are random walks of the
heading (small wiggles, occasional right-angle turns) folded back into the 3x3
block of cells around the owner, so a bbox query needs only the cells it
touches plus one ring. Everything comes from a generator seeded by
(seed, cell): a cell regenerated later is bit-for-bit the same.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cached_property

import numpy as np

from etl.simulator import cameras as cams
from etl.simulator.geo import CELL_DEG, METRES_PER_DEG_LAT, N_COLS, BBox, cell_origin
from etl.simulator.hashing import rng_for
from etl.simulator.ids import image_id_base, sequence_key

MAX_IMAGES_PER_CELL = 1_000_000  # ids keep 20 bits for the serial
T_START_MS = 1_401_580_800_000  # 2014-06-01
T_END_MS = 1_748_736_000_000  # 2025-06-01
_FOLD_MARGIN = 0.98  # keeps noisy original positions inside the 3x3 block
_MODES_STEP_M = np.array([3.0, 8.0, 20.0])  # walking, cycling, driving (per ~2 s)
_MODES_CDF = np.array([0.3, 0.45, 1.0])
UINT32_WRAP = 4_294_967_296.0


@dataclass
class SequenceHeads:
    """Per-sequence parameters of one cell (cheap: no images yet)."""

    n: np.ndarray  # images per sequence
    lon: np.ndarray  # start position
    lat: np.ndarray
    t0: np.ndarray  # first captured_at (ms)
    heading: np.ndarray
    pano: np.ndarray  # bool


@dataclass
class CellData:
    """Images of the sequences owned by one cell, as parallel numpy arrays."""

    cell: int
    keys: list[str]  # sequence keys, by serial
    seq_start: np.ndarray  # offset of each sequence's first image
    seq_len: np.ndarray
    seq_pano: np.ndarray
    seq_camera: np.ndarray  # index into cameras.CAMERAS
    seq_creator: np.ndarray
    seq_org: np.ndarray  # -1: no organisation
    seq_flags: np.ndarray  # bit 0: no computed fields, bit 1: no is_pano, bit 2: no quality
    ids: np.ndarray
    seq: np.ndarray  # sequence serial of each image
    lon: np.ndarray  # original geometry
    lat: np.ndarray
    clon: np.ndarray  # computed geometry (valid where has_comp)
    clat: np.ndarray
    has_comp: np.ndarray
    captured_at: np.ndarray
    compass: np.ndarray
    ccompass: np.ndarray
    altitude: np.ndarray  # already wrapped as unsigned where reality does
    caltitude: np.ndarray
    quality: np.ndarray
    gone: np.ndarray | None = None  # removed by a world change (etl/simulator/changes.py); None: none

    @property
    def size(self) -> int:
        return int(self.ids.size)

    @cached_property
    def _search_position(self) -> tuple[np.ndarray, np.ndarray]:
        # computed once per cell: every bbox query of a crawl tests every touched cell
        return np.where(self.has_comp, self.clon, self.lon), np.where(self.has_comp, self.clat, self.lat)

    def search_position(self) -> tuple[np.ndarray, np.ndarray]:
        """Where search and ground truth place an image: computed, else original."""
        return self._search_position

    def in_bbox(self, bbox: BBox, computed: bool = True) -> np.ndarray:
        lon, lat = self.search_position() if computed else (self.lon, self.lat)
        w, s, e, n = bbox
        return self.alive(np.flatnonzero((lon >= w) & (lon <= e) & (lat >= s) & (lat <= n)))

    def alive(self, idx: np.ndarray) -> np.ndarray:
        """The indices of `idx` that a world change has not removed."""
        return idx if self.gone is None else idx[~self.gone[idx]]

    def sequence_indices(self, serial: int) -> np.ndarray:
        """The live images of sequence `serial`, in capture order."""
        start = int(self.seq_start[serial])
        return self.alive(np.arange(start, start + int(self.seq_len[serial])))


def draw_heads(rng: np.random.Generator, count: int, clip: BBox) -> SequenceHeads:
    """The first draws of a cell's generator: they never depend on later ones."""
    u = rng.random(count)
    long_len = rng.integers(60, 301, count)
    short_len = 3 + np.minimum(rng.exponential(25.0, count).astype(np.int64), 200)
    n = np.where(u < 0.3, long_len, short_len)
    lon = clip[0] + rng.random(count) * (clip[2] - clip[0])
    lat = clip[1] + rng.random(count) * (clip[3] - clip[1])
    t0 = rng.integers(T_START_MS, T_END_MS, count)
    heading = rng.random(count) * 360.0
    pano = rng.random(count) < 0.07
    return SequenceHeads(n, lon, lat, t0, heading, pano)


def generate_cell(seed: int, cell: int, count: int, world_bbox: BBox) -> CellData:
    col, row = cell % N_COLS, cell // N_COLS
    w, s = cell_origin(col, row)
    clip = (max(w, world_bbox[0]), max(s, world_bbox[1]), min(w + CELL_DEG, world_bbox[2]), min(s + CELL_DEG, world_bbox[3]))
    rng = rng_for(seed, cell)
    heads = draw_heads(rng, count, clip)
    count = _cap_count(heads)
    seq_attrs = _sequence_attributes(rng, heads)
    offsets = (np.cumsum(heads.n) - heads.n).astype(np.int64)
    seq_of = np.repeat(np.arange(count), heads.n)
    path = _walk(rng, heads, offsets, seq_of, (w, s))
    return CellData(
        cell=cell,
        keys=[sequence_key(seed, cell, k) for k in range(count)],
        seq_start=offsets,
        seq_len=heads.n,
        seq_pano=heads.pano,
        ids=image_id_base(cell) + np.arange(seq_of.size, dtype=np.int64),
        seq=seq_of,
        has_comp=(seq_attrs["seq_flags"][seq_of] & 1) == 0,
        **seq_attrs,
        **path,
    )


def _cap_count(heads: SequenceHeads) -> int:
    """Drop trailing sequences that would overflow the 20-bit serial of ids."""
    count = int(np.searchsorted(np.cumsum(heads.n), MAX_IMAGES_PER_CELL, side="right"))
    if count < heads.n.size:
        for name in ("n", "lon", "lat", "t0", "heading", "pano"):
            setattr(heads, name, getattr(heads, name)[:count])
    return count


def _sequence_attributes(rng: np.random.Generator, heads: SequenceHeads) -> dict[str, np.ndarray]:
    count = heads.n.size
    u_cam = rng.random(count)
    persp = np.searchsorted(cams.PERSPECTIVE_CDF, u_cam * 0.999999)
    pano = cams.PANO_OFFSET + np.searchsorted(cams.PANORAMIC_CDF, u_cam * 0.999999)
    creator = (2000 * rng.random(count) ** 3).astype(np.int64)  # a few heavy mappers
    org = np.where(rng.random(count) < 0.1, rng.integers(0, 12, count), -1)
    flags = (
        (rng.random(count) < 0.05).astype(np.int64)
        | ((rng.random(count) < 0.08).astype(np.int64) << 1)
        | ((rng.random(count) < 0.15).astype(np.int64) << 2)
    )
    return {
        "seq_camera": np.where(heads.pano, pano, persp),
        "seq_creator": creator,
        "seq_org": org,
        "seq_flags": flags,
    }


def _segmented_cumsum(values: np.ndarray, offsets: np.ndarray, seq_of: np.ndarray) -> np.ndarray:
    """cumsum restarting at each sequence's first element."""
    if values.size == 0:
        return values
    cs = np.cumsum(values)
    return cs - (cs[offsets] - values[offsets])[seq_of]


def _fold(x: np.ndarray, lo: float, hi: float) -> np.ndarray:
    """Reflect a walk into [lo, hi] (a triangle wave): streets turn back at edges."""
    span = hi - lo
    return lo + span - np.abs(np.mod(x - lo, 2 * span) - span)


def _walk(
    rng: np.random.Generator, heads: SequenceHeads, offsets: np.ndarray, seq_of: np.ndarray, origin: tuple[float, float]
) -> dict[str, np.ndarray]:
    n_img = seq_of.size
    count = heads.n.size
    turn = rng.normal(0.0, 4.0, n_img)
    corners = rng.random(n_img) < 0.04
    turn[corners] += np.where(rng.random(int(corners.sum())) < 0.5, -90.0, 90.0)
    turn[offsets] = heads.heading
    heading = _segmented_cumsum(turn, offsets, seq_of)
    mode = np.searchsorted(_MODES_CDF, rng.random(count))
    step = _MODES_STEP_M[mode][seq_of] * rng.uniform(0.7, 1.3, n_img)
    step[offsets] = 0.0
    coslat = np.cos(np.radians(origin[1] + CELL_DEG / 2))
    h = np.radians(heading)
    dlon = _segmented_cumsum(step * np.sin(h) / (METRES_PER_DEG_LAT * coslat), offsets, seq_of)
    dlat = _segmented_cumsum(step * np.cos(h) / METRES_PER_DEG_LAT, offsets, seq_of)
    m = CELL_DEG * _FOLD_MARGIN
    clon = _fold(heads.lon[seq_of] + dlon, origin[0] - m, origin[0] + CELL_DEG + m)
    clat = _fold(heads.lat[seq_of] + dlat, origin[1] - m, origin[1] + CELL_DEG + m)
    noise = np.clip(rng.normal(0.0, 2.5, (2, n_img)), -6.0, 6.0) / METRES_PER_DEG_LAT
    out = {"clon": clon, "clat": clat, "lon": clon + noise[0] / coslat, "lat": clat + noise[1]}
    out.update(_orientation(rng, heads, seq_of, clon, clat, coslat))
    out.update(_time_and_height(rng, heads, offsets, seq_of))
    return out


def _orientation(
    rng: np.random.Generator, heads: SequenceHeads, seq_of: np.ndarray, clon: np.ndarray, clat: np.ndarray, coslat: float
) -> dict[str, np.ndarray]:
    n_img = seq_of.size
    dx = np.diff(clon, append=clon[-1:] if n_img else clon) * coslat
    dy = np.diff(clat, append=clat[-1:] if n_img else clat)
    last = np.ones(n_img, dtype=bool)
    last[:-1] = seq_of[1:] != seq_of[:-1]
    # the last image of a sequence keeps the direction it arrived with
    dx = np.where(last, np.roll(dx, 1), dx)
    dy = np.where(last, np.roll(dy, 1), dy)
    travel = np.degrees(np.arctan2(dx, dy))
    side = np.where(rng.random(heads.n.size) < 0.1, 90.0, 0.0)[seq_of]
    spread = np.where(heads.pano[seq_of], 10.0, 3.0)
    compass = np.mod(travel + side + rng.normal(0.0, 1.0, n_img) * spread, 360.0)
    ccompass = np.mod(compass + rng.normal(0.0, 2.0, n_img), 360.0)
    return {"compass": np.round(compass, 3), "ccompass": np.round(ccompass, 3)}


def _time_and_height(
    rng: np.random.Generator, heads: SequenceHeads, offsets: np.ndarray, seq_of: np.ndarray
) -> dict[str, np.ndarray]:
    count, n_img = heads.n.size, seq_of.size
    dt = rng.integers(1600, 2600, n_img)
    dt[offsets] = 0
    captured = heads.t0[seq_of] + _segmented_cumsum(dt, offsets, seq_of)
    wraps = rng.random(count) < 0.03  # these report negative altitudes as unsigned
    base = np.where(wraps, rng.uniform(-40.0, -2.0, count), rng.uniform(5.0, 600.0, count))
    drift = _segmented_cumsum(rng.normal(0.0, 0.3, n_img), offsets, seq_of)
    alt = np.round(base[seq_of] + drift, 3)
    calt = np.round(alt + rng.normal(0.0, 1.5, n_img), 3)
    alt = np.where(wraps[seq_of] & (alt < 0), np.round(alt) + UINT32_WRAP, alt)
    quality = np.round(np.clip(rng.uniform(0.3, 1.0, count)[seq_of] + rng.normal(0, 0.03, n_img), 0, 1), 4)
    return {"captured_at": captured, "altitude": alt, "caltitude": calt, "quality": quality}
