"""Every Python example of docs/python.md runs, in order, as one script, against a real
PostGIS and the simulator; then what the examples computed is checked against the tables."""

from __future__ import annotations

import asyncio
import re
from pathlib import Path

import asyncpg
import pytest

DOC = Path(__file__).resolve().parents[2] / "docs" / "python.md"


def examples() -> list[str]:
    return re.findall(r"```python\n(.*?)```", DOC.read_text(encoding="utf-8"), flags=re.S)


async def _fetch(dsn: str, sql: str) -> list[asyncpg.Record]:
    conn = await asyncpg.connect(dsn)
    try:
        return await conn.fetch(sql)
    finally:
        await conn.close()


def test_docs_have_examples() -> None:
    assert len(examples()) >= 5


def test_python_docs_examples_run(db_dsn: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    for variable in ("MLYETL_DSN", "MLYETL_DATA_DIR", "MAPILLARY_TOKEN", "MAPILLARY_TOKEN_FILE"):
        monkeypatch.delenv(variable, raising=False)
    monkeypatch.setenv("MLYETL_DSN", db_dsn)
    monkeypatch.chdir(tmp_path)
    namespace: dict = {}
    for number, code in enumerate(examples(), start=1):
        exec(compile(code, f"docs/python.md example {number}", "exec"), namespace)  # noqa: S102 - our own docs

    kept = {r["class"]: r["n"] for r in asyncio.run(_fetch(
        db_dsn, "SELECT class, count(*) AS n FROM filter_points WHERE result_name = 'town' GROUP BY 1"))}
    assert namespace["counts"] == kept and set(kept) == {"urban", "other"}
    assert namespace["shards"].rows == sum(kept.values()) == len(namespace["frame"])
    assert len(list((tmp_path / "exports" / "town").glob("all-*.csv"))) == 4
    frame = namespace["frame"]
    assert frame.crs.to_epsg() == 4326 and frame.geometry.geom_type.unique().tolist() == ["Point"]
    west, south, east, north = namespace["simulator"].world.bbox
    x, y = frame.geometry.x, frame.geometry.y
    inside = (x >= west) & (x <= (west + east) / 2) & (y >= south) & (y <= north)
    assert len(namespace["western_half"]) == int(inside.sum()) > 0
    namespace["engine"].dispose()
