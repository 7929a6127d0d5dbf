"""Synthetic images for the filter benchmark, generated inside PostgreSQL (no rows pass
through Python). See synthetic_images.sql for the distribution."""

from __future__ import annotations

from pathlib import Path

import asyncpg

SQL = (Path(__file__).with_name("synthetic_images.sql")).read_text(encoding="utf-8")
SEQUENCES_PER_BATCH = 5000  # ~500k images per statement
MEAN_IMAGES_PER_SEQUENCE = 100


async def generate(conn: asyncpg.Connection, images: int, urban_layer_id: int, seed: float = 0.42) -> int:
    """Insert about `images` synthetic images (100 per sequence on average); returns the count."""
    sequences = max(1, images // MEAN_IMAGES_PER_SEQUENCE)
    for start in range(0, sequences, SEQUENCES_PER_BATCH):
        batch_seed = ((start * 0.61803 + seed) % 2) - 1  # deterministic, different per batch
        await conn.execute(SQL, start, min(SEQUENCES_PER_BATCH, sequences - start), urban_layer_id, batch_seed)
    return await conn.fetchval("SELECT count(*) FROM images")


KEYS = ("id", "seq", "t", "lon", "lat", "pano", "camera", "quality")
CAMERAS = ("perspective", "fisheye", "spherical")  # codes 0, 1, 2; unknown: -1
DTYPES = ("i8", "i4", "f8", "f8", "f8", "?", "i1", "f4")


async def export_arrays(conn: asyncpg.Connection, path: Path) -> None:
    """Dump (id, sequence number, capture seconds, lon, lat, is_pano, camera code, quality
    (NaN: unknown)) to a .npz for the GeoPandas side, a chunk at a time."""
    import numpy as np

    parts: dict[str, list] = {k: [] for k in KEYS}
    async with conn.transaction():
        cursor = conn.cursor("SELECT id, substr(sequence_id, 4)::int, date_part('epoch', captured_at), "
                             "ST_X(geom), ST_Y(geom), is_pano, "
                             "coalesce(array_position($1::text[], camera_type) - 1, -1), "
                             "coalesce(quality_score, 'NaN'::real) FROM images", list(CAMERAS))
        chunk: list = []
        async for row in cursor:
            chunk.append(tuple(row))
            if len(chunk) == 500_000:
                _flush(chunk, parts)
        _flush(chunk, parts)
    np.savez(path, **{k: np.concatenate(v) for k, v in parts.items()})


def _flush(chunk: list, parts: dict) -> None:
    import numpy as np

    if not chunk:
        return
    cols = list(zip(*chunk))
    for key, col, dtype in zip(KEYS, cols, DTYPES):
        parts[key].append(np.asarray(col, dtype=dtype))
    chunk.clear()
