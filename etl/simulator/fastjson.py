"""The bytes-level renderer of `{"data":[...]}` answers: the hot path of /images.

Instead of a dict per image, each answer compiles a bytes template from the
requested fields and fills it per image with `template % values` (one C-level
call). Numbers are formatted by orjson straight from numpy columns; fields that
are constant per sequence (sequence, creator, camera, is_pano, ...) are
pre-encoded once per sequence into a single value. Optional per-image fields
are absent per sequence, so each image picks one of at most four templates,
where absent fields become `%.0s` (consume the value, print nothing).
`records.render` stays the reference: tests check both give the same JSON.
With a `JsonCache` (etl/simulator/jsoncache.py) each cell is rendered once per
field set and answers are joins of cached slices.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

import numpy as np
import orjson

from etl.simulator import cameras as cams
from etl.simulator.cells import CellData
from etl.simulator.ids import creator, organization_id
from etl.simulator.records import THUMB_SIZES, RenderContext

if TYPE_CHECKING:
    from etl.simulator.jsoncache import JsonCache

_NUMPY = orjson.OPT_SERIALIZE_NUMPY
_NO_COMP, _NO_QUALITY = 1, 4  # seq_flags bits, see cells._sequence_attributes

# per-image fields: (template piece, [(column, absent-when flag bit)])
_PER_IMAGE: dict[str, tuple[bytes, list[str], int]] = {
    "geometry": (b',"geometry":{"type":"Point","coordinates":[%s,%s]}', ["lon", "lat"], 0),
    "computed_geometry": (b',"computed_geometry":{"type":"Point","coordinates":[%s,%s]}', ["clon", "clat"], _NO_COMP),
    "captured_at": (b',"captured_at":%s', ["captured_at"], 0),
    "compass_angle": (b',"compass_angle":%s', ["compass"], 0),
    "computed_compass_angle": (b',"computed_compass_angle":%s', ["ccompass"], _NO_COMP),
    "altitude": (b',"altitude":%s', ["altitude"], 0),
    "computed_altitude": (b',"computed_altitude":%s', ["caltitude"], _NO_COMP),
    "computed_rotation": (b',"computed_rotation":[%s,%s,%s]', ["rot_x", "rot_y", "rot_z"], _NO_COMP),
    "atomic_scale": (b',"atomic_scale":%s', ["atomic_scale"], _NO_COMP),
    "quality_score": (b',"quality_score":%s', ["quality"], _NO_QUALITY),
    "exif_orientation": (b',"exif_orientation":1', [], 0),
}
_PER_SEQUENCE = ("sequence", "creator", "is_pano", "camera_type", "make", "model", "width", "height", "organization_id")


def _absent_piece(piece: bytes) -> bytes:
    return b"%.0s" * piece.count(b"%s")


def _templates(fields: Sequence[str]) -> tuple[list[bytes], list[str], list[str]]:
    """Templates indexed by absence pattern (bits 1 and 4), the per-image columns, thumb fields."""
    columns: list[str] = []
    templates = []
    for pattern in range(8):
        parts = [b'{"id":"%s"']
        for name in fields:
            if name in _PER_IMAGE:
                piece, cols, bit = _PER_IMAGE[name]
                parts.append(_absent_piece(piece) if bit & pattern else piece)
        parts.append(b"%s")  # the per-sequence fragment
        parts.extend(b',"%s":"%%s"' % f.encode() for f in fields if f in THUMB_SIZES)
        parts.append(b"}")
        templates.append(b"".join(parts))
    for name in fields:
        if name in _PER_IMAGE:
            columns.extend(_PER_IMAGE[name][1])
    return templates, columns, [f for f in fields if f in THUMB_SIZES]


def _column(data: CellData, idx: np.ndarray, name: str) -> list[bytes]:
    if name.startswith("rot_"):
        yaw = np.radians(data.ccompass[idx])
        values = {"rot_x": np.full(idx.size, 1.2092), "rot_y": np.round(-yaw * 0.5, 6), "rot_z": np.zeros(idx.size)}[name]
    elif name == "atomic_scale":
        values = (1.0 + (data.quality[idx] - 0.65) * 0.1).round(5)
    else:
        values = getattr(data, name)[idx]
    return orjson.dumps(np.ascontiguousarray(values), option=_NUMPY)[1:-1].split(b",")


def _sequence_fragments(ctx: RenderContext, data: CellData, fields: Sequence[str]) -> list[bytes]:
    wanted = [f for f in fields if f in _PER_SEQUENCE]
    out = []
    for s in range(len(data.keys)):
        camera = cams.CAMERAS[int(data.seq_camera[s])]
        flags, org = int(data.seq_flags[s]), int(data.seq_org[s])
        values = {
            "sequence": data.keys[s],
            "creator": dict(zip(("id", "username"), creator(ctx.seed, int(data.seq_creator[s])))),
            "is_pano": None if flags & 2 else bool(data.seq_pano[s]),
            "camera_type": camera.camera_type, "make": camera.make, "model": camera.model,
            "width": camera.width, "height": camera.height,
            "organization_id": organization_id(ctx.seed, org) if org >= 0 else None,
        }
        present = {k: values[k] for k in wanted if values[k] is not None}
        out.append(b"," + orjson.dumps(present)[1:-1] if present else b"")
    return out


def render_rows(ctx: RenderContext, data: CellData, idx: np.ndarray, fields: Sequence[str]) -> list[bytes]:
    """One JSON object (bytes) per image at `idx`, with `fields` (id always first)."""
    fields = [f for f in dict.fromkeys(fields) if f != "id"]
    templates, columns, thumbs = _templates(fields)
    seq = data.seq[idx]
    per_seq = np.array(_sequence_fragments(ctx, data, fields), dtype=object)
    cols = [_column(data, idx, "ids")]
    cols += [_column(data, idx, c) for c in columns]
    cols.append(per_seq[seq].tolist())
    for field in thumbs:
        urls = ctx.thumb_urls(data.ids[idx].tolist(), THUMB_SIZES[field]) if ctx.thumb_urls else [""] * idx.size
        cols.append([u.encode() for u in urls])
    patterns = (data.seq_flags[seq] & (_NO_COMP | _NO_QUALITY)).tolist()
    return [templates[p] % values for p, values in zip(patterns, zip(*cols))]


def render_json(ctx: RenderContext, parts: Sequence[tuple[CellData, np.ndarray]], fields: Sequence[str],
                cache: JsonCache | None = None) -> tuple[bytes, int]:
    """(b'{"data":[...]}', number of images) for the images of `parts`; `cache` reuses rendered cells."""
    fields = tuple(f for f in dict.fromkeys(fields) if f != "id")
    if cache is not None and not cache.cacheable(fields):
        cache = None
    rows: list[bytes] = []
    count = 0
    for data, idx in parts:
        if idx.size:
            count += idx.size
            rows.extend(cache.records(ctx, data, idx, fields) if cache else render_rows(ctx, data, idx, fields))
    return b'{"data":[' + b",".join(rows) + b"]}", count
