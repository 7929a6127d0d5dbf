"""Changes to the world between crawl passes: images moved, deleted and added.

A world starts as generated (version 0). Each change step (`World.change`) makes a new
version: every step is a pure function of (seed, step number, cell), applied to a cell
right after it is generated, in step order. So a cell regenerated later is the same, and
the ground truth (`World.image_ids_in_bbox`, `sequence_image_ids`, ...) follows at once.

- moved: that fraction of the live images gets a new position (original and computed
  moved together, 2-40 m in a random direction) and a new computed compass angle;
- moved_sequences: that fraction of the sequences is moved whole, as when their positions
  are computed again: each image of the sequence by the same 2-40 m, a new computed
  compass angle each;
- deleted: that fraction of the sequences is removed whole (searches, tiles, `/{id}` and
  `/image_ids` no longer know them: membership is empty);
- deleted_images: that fraction of the live images is removed from its sequence
  (`/image_ids` no longer lists it, `/{id}` answers code 100 subcode 33);
- added: new sequences in each cell, about that fraction of the cell's images (new ids
  after the cell's last one, new sequence keys).

Removed images keep their array slots (flagged in `CellData.gone`), so image ids still
locate their slot; every query skips them.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass

import numpy as np

from etl.simulator.cells import CellData, generate_cell
from etl.simulator.geo import METRES_PER_DEG_LAT, BBox
from etl.simulator.hashing import hash_ints, uniform_array
from etl.simulator.ids import image_id_base, sequence_key

_SALT = 0x5EC0DE  # keeps change streams apart from generation and faults
_PER_SEQUENCE = ("seq_start", "seq_len", "seq_pano", "seq_camera", "seq_creator", "seq_org", "seq_flags")
_PER_IMAGE = ("ids", "seq", "lon", "lat", "clon", "clat", "has_comp", "captured_at", "compass", "ccompass",
              "altitude", "caltitude", "quality")


@dataclass(frozen=True)
class ChangeStep:
    moved: float = 0.0
    moved_sequences: float = 0.0
    deleted: float = 0.0  # of the sequences, removed whole
    deleted_images: float = 0.0
    added: float = 0.0

    def __post_init__(self) -> None:
        for name in ("moved", "moved_sequences", "deleted", "deleted_images", "added"):
            value = getattr(self, name)
            if not isinstance(value, (int, float)) or not 0.0 <= value <= 1.0:
                raise ValueError(f"{name}={value!r}: give a fraction between 0 and 1")


def parse_step(text: str) -> ChangeStep:
    """'moved=0.01,deleted=0.005,added=0.02' -> ChangeStep."""
    values: dict[str, float] = {}
    for item in filter(None, (p.strip() for p in text.split(","))):
        key, _, value = item.partition("=")
        if key not in {f.name for f in dataclasses.fields(ChangeStep)}:
            raise ValueError(f"unknown world change {key!r}: use moved, moved_sequences, deleted, deleted_images, added")
        try:
            values[key] = float(value)
        except ValueError:
            raise ValueError(f"{key}={value!r} is not a number") from None
    return ChangeStep(**values)


def apply(seed: int, number: int, step: ChangeStep, data: CellData, world_bbox: BBox) -> CellData:
    """The cell after change step `number` (1, 2, ...)."""
    salt = hash_ints(_SALT, number)
    gone = data.gone.copy() if data.gone is not None else np.zeros(data.size, dtype=bool)
    changes: dict[str, object] = {}
    if step.deleted > 0 and len(data.keys):
        dead_seq = uniform_array(seed, salt + 1, data.cell * 1_000_003 + np.arange(len(data.keys))) < step.deleted
        gone |= dead_seq[data.seq]
    if step.deleted_images > 0:
        gone |= uniform_array(seed, salt + 2, data.ids) < step.deleted_images
    if step.moved > 0 or step.moved_sequences > 0:
        changes.update(_moved(seed, salt, step, data, gone))
    out = dataclasses.replace(data, gone=gone, **changes)
    if step.added > 0:
        out = _added(seed, salt, step.added, out, world_bbox)
    return out


def _moved(seed: int, salt: int, step: ChangeStep, data: CellData, gone: np.ndarray) -> dict[str, np.ndarray]:
    pick = uniform_array(seed, salt + 3, data.ids) < step.moved
    distance = 2.0 + 38.0 * uniform_array(seed, salt + 4, data.ids)
    bearing = 2 * np.pi * uniform_array(seed, salt + 5, data.ids)
    if step.moved_sequences > 0 and len(data.keys):
        serials = data.cell * 1_000_003 + np.arange(len(data.keys))
        whole = (uniform_array(seed, salt + 9, serials) < step.moved_sequences)[data.seq]
        distance = np.where(whole, (2.0 + 38.0 * uniform_array(seed, salt + 10, serials))[data.seq], distance)
        bearing = np.where(whole, (2 * np.pi * uniform_array(seed, salt + 11, serials))[data.seq], bearing)
        pick |= whole
    pick &= ~gone
    coslat = np.cos(np.radians(data.lat))
    dlat = np.where(pick, distance * np.cos(bearing) / METRES_PER_DEG_LAT, 0.0)
    dlon = np.where(pick, distance * np.sin(bearing) / (METRES_PER_DEG_LAT * coslat), 0.0)
    turn = np.where(pick, np.round(uniform_array(seed, salt + 6, data.ids) * 20.0 - 10.0, 3), 0.0)
    return {"lon": data.lon + dlon, "lat": data.lat + dlat, "clon": data.clon + dlon, "clat": data.clat + dlat,
            "ccompass": np.mod(data.ccompass + turn, 360.0)}


def _added(seed: int, salt: int, rate: float, data: CellData, world_bbox: BBox) -> CellData:
    """New sequences appended to the cell: about `rate` of its images, rounded by a coin."""
    live = len(data.keys)
    want = live * rate + float(uniform_array(seed, salt + 7, np.array([data.cell]))[0])
    count = int(want)
    if count == 0:
        return data
    # a generator of its own: the new sequences are drawn as a cell of a different seed
    extra = generate_cell(hash_ints(seed, salt, 8) & 0x7FFFFFFF, data.cell, count, world_bbox)
    base, first_key = data.size, len(data.keys)
    new_ids = image_id_base(data.cell) + base + np.arange(extra.size, dtype=np.int64)
    merged: dict[str, object] = {"keys": data.keys + [sequence_key(seed, data.cell, first_key + k)
                                                      for k in range(len(extra.keys))]}
    for name in _PER_SEQUENCE:
        add = getattr(extra, name) + base if name == "seq_start" else getattr(extra, name)
        merged[name] = np.concatenate([getattr(data, name), add])
    for name in _PER_IMAGE:
        add = new_ids if name == "ids" else getattr(extra, name) + first_key if name == "seq" else getattr(extra, name)
        merged[name] = np.concatenate([getattr(data, name), add])
    merged["gone"] = np.concatenate([data.gone if data.gone is not None else np.zeros(base, bool),
                                     np.zeros(extra.size, bool)])
    return dataclasses.replace(data, **merged)
