"""Image records in the Graph API's JSON shapes, built column by column.

Answers are built per field over numpy columns (one `tolist()` each) and then
zipped into dicts, which is what makes hundreds of thousands of images per
second possible. Optional fields are dropped per row afterwards, only for the
few rows that lack them, as the real API omits rather than nulls them.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass

import numpy as np

from etl.simulator import cameras as cams
from etl.simulator.cells import CellData
from etl.simulator.hashing import hash_ints, uniform_array
from etl.simulator.ids import creator, organization_id

THUMB_SIZES = {"thumb_256_url": "256", "thumb_1024_url": "1024", "thumb_2048_url": "2048", "thumb_original_url": "original"}
Column = tuple[list, np.ndarray | None]  # values, mask of rows where the field is absent
ThumbUrl = Callable[[list[int], str], list[str]]


@dataclass
class RenderContext:
    seed: int
    thumb_urls: ThumbUrl | None = None  # None: thumb fields are absent


def _point(lon: np.ndarray, lat: np.ndarray) -> list[dict]:
    return [{"type": "Point", "coordinates": [x, y]} for x, y in zip(lon.tolist(), lat.tolist())]


def _per_seq(values: list, data: CellData, idx: np.ndarray) -> list:
    seq = data.seq[idx].tolist()
    return [values[s] for s in seq]


def _no_comp(data: CellData, idx: np.ndarray) -> np.ndarray | None:
    mask = ~data.has_comp[idx]
    return mask if mask.any() else None


def _flag(data: CellData, idx: np.ndarray, bit: int) -> np.ndarray | None:
    mask = (data.seq_flags[data.seq[idx]] & bit) != 0
    return mask if mask.any() else None


def _camera_attr(data: CellData, idx: np.ndarray, attr: str) -> Column:
    values = [getattr(cams.CAMERAS[c], attr) for c in data.seq_camera.tolist()]
    col = _per_seq(values, data, idx)
    absent = np.array([v is None for v in col]) if any(v is None for v in col) else None
    return col, absent


def _creators(ctx: RenderContext, data: CellData, idx: np.ndarray) -> Column:
    people = [creator(ctx.seed, c) for c in data.seq_creator.tolist()]
    values = [{"id": uid, "username": name} for uid, name in people]
    return _per_seq(values, data, idx), None


def _organizations(ctx: RenderContext, data: CellData, idx: np.ndarray) -> Column:
    values = [organization_id(ctx.seed, o) if o >= 0 else None for o in data.seq_org.tolist()]
    mask = data.seq_org[data.seq[idx]] < 0
    return _per_seq(values, data, idx), (mask if mask.any() else None)


def _altitudes(data: CellData, idx: np.ndarray) -> Column:
    alt = data.altitude[idx]
    values = alt.tolist()
    wrapped = np.flatnonzero(alt > 2**31)
    for i in wrapped.tolist():  # reality prints these as bare unsigned integers
        values[i] = int(values[i])
    return values, None


def _rotation(data: CellData, idx: np.ndarray) -> Column:
    yaw = np.radians(data.ccompass[idx])
    rot = np.round(np.stack([np.full(yaw.shape, 1.2092), -yaw * 0.5, np.zeros(yaw.shape)], axis=1), 6)
    return rot.tolist(), _no_comp(data, idx)


def _thumbs(ctx: RenderContext, data: CellData, idx: np.ndarray, size: str) -> Column:
    if ctx.thumb_urls is None:
        return [None] * idx.size, np.ones(idx.size, dtype=bool)
    return ctx.thumb_urls(data.ids[idx].tolist(), size), None


Builder = Callable[[RenderContext, CellData, np.ndarray], Column]

BUILDERS: dict[str, Builder] = {
    "id": lambda ctx, d, i: ([str(v) for v in d.ids[i].tolist()], None),
    "geometry": lambda ctx, d, i: (_point(d.lon[i], d.lat[i]), None),
    "computed_geometry": lambda ctx, d, i: (_point(d.clon[i], d.clat[i]), _no_comp(d, i)),
    "captured_at": lambda ctx, d, i: (d.captured_at[i].tolist(), None),
    "compass_angle": lambda ctx, d, i: (d.compass[i].tolist(), None),
    "computed_compass_angle": lambda ctx, d, i: (d.ccompass[i].tolist(), _no_comp(d, i)),
    "altitude": lambda ctx, d, i: _altitudes(d, i),
    "computed_altitude": lambda ctx, d, i: (d.caltitude[i].tolist(), _no_comp(d, i)),
    "computed_rotation": lambda ctx, d, i: _rotation(d, i),
    "sequence": lambda ctx, d, i: (_per_seq(d.keys, d, i), None),
    "creator": _creators,
    "is_pano": lambda ctx, d, i: (_per_seq(d.seq_pano.tolist(), d, i), _flag(d, i, 2)),
    "camera_type": lambda ctx, d, i: _camera_attr(d, i, "camera_type"),
    "make": lambda ctx, d, i: _camera_attr(d, i, "make"),
    "model": lambda ctx, d, i: _camera_attr(d, i, "model"),
    "width": lambda ctx, d, i: _camera_attr(d, i, "width"),
    "height": lambda ctx, d, i: _camera_attr(d, i, "height"),
    "exif_orientation": lambda ctx, d, i: ([1] * i.size, None),
    "atomic_scale": lambda ctx, d, i: ((1.0 + (d.quality[i] - 0.65) * 0.1).round(5).tolist(), _no_comp(d, i)),
    "quality_score": lambda ctx, d, i: (d.quality[i].tolist(), _flag(d, i, 4)),
    "organization_id": _organizations,
}
for _field, _size in THUMB_SIZES.items():
    BUILDERS[_field] = lambda ctx, d, i, _s=_size: _thumbs(ctx, d, i, _s)

IMAGE_FIELDS = frozenset(BUILDERS)
JSON_FIELDS = tuple(f for f in BUILDERS if f not in THUMB_SIZES)


def unknown_fields(fields: Sequence[str]) -> list[str]:
    return [f for f in fields if f not in IMAGE_FIELDS]


def render_part(ctx: RenderContext, data: CellData, idx: np.ndarray, fields: Sequence[str]) -> list[dict]:
    """Records of `data`'s images at `idx` with only `fields` (id always first)."""
    names = ["id"] + [f for f in fields if f != "id"]
    columns = [BUILDERS[name](ctx, data, idx) for name in names]
    rows = [dict(zip(names, values)) for values in zip(*(c[0] for c in columns))]
    for name, (_, absent) in zip(names, columns):
        if absent is not None:
            for i in np.flatnonzero(absent).tolist():
                del rows[i][name]
    return rows


def render(ctx: RenderContext, parts: Sequence[tuple[CellData, np.ndarray]], fields: Sequence[str]) -> list[dict]:
    out: list[dict] = []
    for data, idx in parts:
        out.extend(render_part(ctx, data, idx, fields))
    return out


def full_record(world, data: CellData, index: int) -> dict:  # noqa: ANN001 - World, avoids a cycle
    """Every JSON field of one image (ground truth for tests; no thumb URLs)."""
    return render_part(RenderContext(world.seed), data, np.array([index]), JSON_FIELDS)[0]


# --- sparse records (the `sparse` fault) ---------------------------------------------------
# Real records hold only some optional fields. Which ones a record lacks is decided by
# hashing (fault seed, field, image id), so an image is served the same way every time.
REQUIRED_FIELDS = frozenset({"id", "geometry", "sequence", "captured_at"})


def sparse_mask(seed: int, rate: float, field: str, ids: np.ndarray) -> np.ndarray:
    """True for the images (by id) whose `field` is left out."""
    if rate <= 0 or field in REQUIRED_FIELDS:
        return np.zeros(ids.shape, dtype=bool)
    return uniform_array(seed, hash_ints(0x5BA, *field.encode()), ids) < rate


def make_sparse(rows: list[dict], seed: int, rate: float) -> list[dict]:
    """`rows` with the optional fields that `sparse_mask` picks removed (in place)."""
    if not rows or rate <= 0:
        return rows
    ids = np.array([int(r["id"]) for r in rows], dtype=np.int64)
    for field in {f for r in rows for f in r} - REQUIRED_FIELDS:
        for i in np.flatnonzero(sparse_mask(seed, rate, field, ids)).tolist():
            rows[i].pop(field, None)
    return rows
