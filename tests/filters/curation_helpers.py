"""Helpers of the curation tests: images with every attribute the rules read."""

from __future__ import annotations

import asyncio
from datetime import datetime, timedelta

import asyncpg

from etl.filters.curation_reference import Candidate
from tests.filters.helpers import T0


async def _insert(dsn: str, rows: list[dict]) -> None:
    conn = await asyncpg.connect(dsn)
    try:
        await conn.executemany(
            "INSERT INTO images (id, sequence_id, captured_at, geom, is_pano, camera_type, quality_score) "
            "VALUES ($1, $2, $3, ST_SetSRID(ST_MakePoint($4, $5), 4326), $6, $7, $8)",
            [(r["id"], r.get("seq", f"q{r['id']}"), r["at"], r["lon"], r["lat"], r.get("pano", False),
              r.get("camera"), r.get("quality")) for r in rows])
    finally:
        await conn.close()


def insert_rows(dsn: str, rows: list[dict]) -> None:
    """rows: dicts with id, lon, lat, at (datetime) and optionally seq, pano, camera, quality."""
    asyncio.run(_insert(dsn, rows))


def at(seconds: float) -> datetime:
    return T0 + timedelta(seconds=seconds)


def candidates(rows: list[dict], urban) -> list[Candidate]:  # noqa: ANN001 - urban: lon -> bool
    return [Candidate(r["id"], urban(r["lon"]), r["lon"], r["lat"], r["at"], r.get("quality")) for r in rows]
