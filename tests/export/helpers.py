"""Reading exports back and the database's truth, for the export tests."""

from __future__ import annotations

import asyncio
import csv
import json
from pathlib import Path

import asyncpg

TRUTH_SQL = """
SELECT fp.image_id, fp.sequence_id, fp.class, ST_X(i.geom) AS lon, ST_Y(i.geom) AS lat,
       (extract(epoch FROM i.captured_at) * 1000)::bigint AS ms, i.make, i.model, i.creator_username
FROM filter_points fp JOIN images i ON i.id = fp.image_id
WHERE fp.result_name = $1 AND ($2 = 'all' OR fp.class = $2)
"""


def truth(dsn: str, result: str, cls: str = "all") -> dict[int, dict]:
    async def fetch() -> list[asyncpg.Record]:
        conn = await asyncpg.connect(dsn)
        try:
            return await conn.fetch(TRUTH_SQL, result, cls)
        finally:
            await conn.close()

    return {r["image_id"]: dict(r) for r in asyncio.run(fetch())}


def read_shards(out: Path, cls: str) -> tuple[dict, dict[int, list[dict]]]:
    manifest = json.loads((out / f"manifest-{cls}.json").read_text())
    shards = {}
    for entry in manifest["files"]:
        with open(out / entry["path"], newline="", encoding="utf-8") as handle:
            shards[entry["shard"]] = list(csv.DictReader(handle))
    return manifest, shards
