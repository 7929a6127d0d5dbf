"""`mlyetl status` against a database with known content."""

from __future__ import annotations

import asyncio
import json
import socket

import asyncpg

from tests.conftest import run_cli

SEED_SQL = """
INSERT INTO images (id, sequence_id, captured_at, geom)
SELECT g, 'seq' || (g % 3), now(), ST_SetSRID(ST_MakePoint(g * 0.001, 45), 4326) FROM generate_series(1, 7) g;
UPDATE images SET deleted_at = now() WHERE id = 7;
INSERT INTO sequences (id) VALUES ('seq0'), ('seq1'), ('seq2');
INSERT INTO crawls (id, key, method, area) VALUES
  (1, 'k', 'search', ST_Multi(ST_MakeEnvelope(0, 0, 1, 1, 4326)));
INSERT INTO crawl_tasks (crawl_id, kind, key, state, last_error) VALUES
  (1, 'box', 'a', 'done', NULL), (1, 'box', 'b', 'done', NULL), (1, 'sequence', 'seq9', 'failed', 'HTTP 500 after 5 tries');
INSERT INTO image_downloads (image_id, size, state, bytes, error) VALUES
  (1, '1024', 'done', 2000000, NULL), (2, '1024', 'failed', NULL, 'image deleted');
"""


def _seed(dsn: str, dead_pid: int) -> None:
    async def go() -> None:
        conn = await asyncpg.connect(dsn)
        try:
            await conn.execute(SEED_SQL)
            await conn.execute(
                "INSERT INTO runs (kind, status, host, pid, counters) VALUES ('crawl', 'running', $1, $2, '{\"images\": 6}')",
                socket.gethostname(), dead_pid)
        finally:
            await conn.close()

    asyncio.run(go())


def _dead_pid() -> int:
    import subprocess

    proc = subprocess.Popen(["true"])
    proc.wait()
    return proc.pid


def test_status_reports_counts_queue_failures_and_killed_runs(db_dsn: str) -> None:
    _seed(db_dsn, _dead_pid())
    result = run_cli("status", "--dsn", db_dsn)
    assert result.returncode == 0, result.stderr
    out = result.stdout
    assert "images: 6 (1 deleted), sequences: 3" in out
    assert "box      done     2" in out
    assert "crawl sequence: 1 x HTTP 500 after 5 tries" in out
    assert "images 1024: 1 x image deleted" in out
    assert "was killed; rerun the same command to resume" in out

    as_json = json.loads(run_cli("status", "--json", "--dsn", db_dsn).stdout)
    assert as_json["images"]["images"] == 6
    assert {(r["kind"], r["state"], r["tasks"]) for r in as_json["crawl_queue"]} == {
        ("box", "done", 2), ("sequence", "failed", 1)}
    assert as_json["runs"][0]["counters"] == {"images": 6}
