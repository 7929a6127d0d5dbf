"""`mlyetl export csv` on a real PostGIS: round trip, balance, determinism, resume, bad input."""

from __future__ import annotations

import hashlib
import json
import os
from datetime import datetime
from pathlib import Path

import pytest

from tests.conftest import run_cli
from tests.export.helpers import read_shards, truth
from tests.export.synthetic import make_result_sync

REQUIRED = ["image_id", "sequence_id", "captured_at", "captured_at_ms", "lon", "lat", "class",
            "compass_angle", "is_pano", "width", "height", "make", "model", "creator_username"]


def _export(dsn: str, out: Path, *args: str) -> None:
    done = run_cli("export", "csv", "--result", "europe", "--out", str(out), *args, env={"MLYETL_DSN": dsn})
    assert done.returncode == 0, done.stderr


@pytest.fixture
def result_dsn(db_dsn: str) -> str:
    make_result_sync(db_dsn, sequences=400, max_len=60)
    return db_dsn


def test_round_trip_gives_exactly_the_results_rows(result_dsn: str, tmp_path: Path) -> None:
    _export(result_dsn, tmp_path, "--shards", "7")
    manifest, shards = read_shards(tmp_path, "all")
    expected = truth(result_dsn, "europe")
    rows = [row for shard in shards.values() for row in shard]
    assert list(rows[0]) [:len(REQUIRED)] == REQUIRED
    assert len(rows) == len(expected) == manifest["rows"]
    assert {int(r["image_id"]) for r in rows} == set(expected)
    for row in rows:
        want = expected[int(row["image_id"])]
        assert (float(row["lon"]), float(row["lat"])) == (want["lon"], want["lat"])  # bit-exact
        assert row["sequence_id"] == want["sequence_id"] and row["class"] == want["class"]
        assert int(row["captured_at_ms"]) == want["ms"]
        stamp = datetime.fromisoformat(row["captured_at"].replace("Z", "+00:00"))
        assert round(stamp.timestamp() * 1000) == want["ms"] and row["captured_at"].endswith("Z")
        assert (row["make"] or None, row["model"] or None) == (want["make"], want["model"])
        assert row["is_pano"] in ("true", "false")
    assert any("\n" in r["make"] for r in rows)  # awkward text survived the CSV quoting


def test_no_sequence_in_two_shards_and_shards_are_balanced(result_dsn: str, tmp_path: Path) -> None:
    _export(result_dsn, tmp_path, "--shards", "9")
    manifest, shards = read_shards(tmp_path, "all")
    owner: dict[str, int] = {}
    for shard, rows in shards.items():
        for row in rows:
            assert owner.setdefault(row["sequence_id"], shard) == shard, row["sequence_id"]
    sizes = [len(rows) for rows in shards.values()]
    per_sequence: dict[str, int] = {}
    for rows in shards.values():
        for row in rows:
            per_sequence[row["sequence_id"]] = per_sequence.get(row["sequence_id"], 0) + 1
    assert len(sizes) == 9 and sum(sizes) == manifest["rows"]
    assert max(sizes) <= sum(sizes) / 9 + max(per_sequence.values())
    assert manifest["largest_sequence"] == max(per_sequence.values())
    for entry in manifest["files"]:
        data = (tmp_path / entry["path"]).read_bytes()
        assert hashlib.sha256(data).hexdigest() == entry["sha256"] and len(data) == entry["bytes"]
        assert entry["rows"] == len(shards[entry["shard"]])
    # inside a shard: whole sequences, each in capture order
    for rows in shards.values():
        seen: list[str] = []
        for row in rows:
            if not seen or seen[-1] != row["sequence_id"]:
                assert row["sequence_id"] not in seen
                seen.append(row["sequence_id"])
        for a, b in zip(rows, rows[1:]):
            if a["sequence_id"] == b["sequence_id"]:
                assert int(a["captured_at_ms"]) <= int(b["captured_at_ms"])


def test_export_is_deterministic_and_class_filter_and_rows_per_shard(result_dsn: str, tmp_path: Path) -> None:
    _export(result_dsn, tmp_path / "a", "--class", "urban", "--rows-per-shard", "500")
    _export(result_dsn, tmp_path / "b", "--class", "urban", "--rows-per-shard", "500", "--jobs", "1")
    first = {p.name: p.read_bytes() for p in (tmp_path / "a").glob("*.csv")}
    second = {p.name: p.read_bytes() for p in (tmp_path / "b").glob("*.csv")}
    assert first == second and first
    manifest, shards = read_shards(tmp_path / "a", "urban")
    urban = truth(result_dsn, "europe", "urban")
    assert manifest["shards"] == -(-len(urban) // 500)
    assert all(row["class"] == "urban" for rows in shards.values() for row in rows)
    assert sum(len(rows) for rows in shards.values()) == len(urban)


def test_a_killed_export_resumes_without_rewriting_finished_shards(result_dsn: str, tmp_path: Path) -> None:
    _export(result_dsn, tmp_path, "--shards", "6")
    final = json.loads((tmp_path / "manifest-all.json").read_text())
    originals = {p.name: p.read_bytes() for p in tmp_path.glob("all-*.csv")}
    # what a SIGKILL after three shards leaves: three shards, a partial manifest, a temp file
    lines = [json.dumps({"fingerprint": final["fingerprint"]})] + [json.dumps(f) for f in final["files"][:3]]
    (tmp_path / "manifest-all.json").unlink()
    (tmp_path / ".manifest-all.partial.jsonl").write_text("\n".join(lines) + '\n{"shard": 3, "pa')  # torn line
    for entry in final["files"][3:]:
        (tmp_path / entry["path"]).unlink()
    (tmp_path / ".all-00003.csv.999.part").write_bytes(b"half a shard")
    kept = {e["path"]: os.stat(tmp_path / e["path"]).st_mtime_ns for e in final["files"][:3]}
    _export(result_dsn, tmp_path, "--shards", "6")
    assert {p.name: p.read_bytes() for p in tmp_path.glob("all-*.csv")} == originals
    assert {p: os.stat(tmp_path / p).st_mtime_ns for p in kept} == kept  # not rewritten
    assert not list(tmp_path.glob(".*.part")) and not (tmp_path / ".manifest-all.partial.jsonl").exists()
    assert json.loads((tmp_path / "manifest-all.json").read_text())["files"] == final["files"]
    _export(result_dsn, tmp_path, "--shards", "3")  # fewer shards than before: the extra files go
    assert sorted(p.name for p in tmp_path.glob("all-*.csv")) == ["all-00000.csv", "all-00001.csv", "all-00002.csv"]


def test_a_result_name_cannot_steer_files_outside_out(db_dsn: str, tmp_path: Path) -> None:
    make_result_sync(db_dsn, name="../../escape", sequences=20)
    out = tmp_path / "out"
    done = run_cli("export", "csv", "--result", "../../escape", "--shards", "2", "--out", str(out),
                   env={"MLYETL_DSN": db_dsn})
    assert done.returncode == 0, done.stderr
    assert sorted(p.name for p in tmp_path.rglob("*") if p.is_file()) == sorted(
        p.name for p in out.iterdir() if p.is_file())


@pytest.mark.parametrize("args, problem", [
    (["--result", "nope", "--shards", "3"], "no filter result named 'nope'"),
    (["--result", "europe", "--shards", "0"], "--shards must be between"),
    (["--result", "europe", "--shards", "3", "--rows-per-shard", "9"], "exclude each other"),
])
def test_bad_input_is_one_clear_line(result_dsn: str, tmp_path: Path, args: list[str], problem: str) -> None:
    done = run_cli("export", "csv", "--out", str(tmp_path), *args, env={"MLYETL_DSN": result_dsn})
    assert done.returncode == 2
    lines = done.stderr.strip().splitlines()
    assert len(lines) == 1 and problem in lines[0], done.stderr


def test_an_unfinished_result_is_refused(result_dsn: str, tmp_path: Path) -> None:
    import asyncio

    import asyncpg

    async def mark_running() -> None:
        conn = await asyncpg.connect(result_dsn)
        try:
            await conn.execute("UPDATE filter_results SET state = 'running'")
        finally:
            await conn.close()

    asyncio.run(mark_running())
    done = run_cli("export", "csv", "--result", "europe", "--out", str(tmp_path), env={"MLYETL_DSN": result_dsn})
    assert done.returncode == 2 and "is not finished" in done.stderr and not list(tmp_path.glob("*.csv"))


def test_more_shards_and_jobs_than_sequences_gives_empty_shards_with_a_header(db_dsn: str, tmp_path: Path) -> None:
    # 3 jobs over 12 shards of 4 sequences: some jobs get only empty shards, so their
    # part of the plan (streamed by COPY from the planning connection) is empty
    make_result_sync(db_dsn, sequences=4, max_len=5)
    _export(db_dsn, tmp_path, "--shards", "12", "--jobs", "3")
    manifest, shards = read_shards(tmp_path, "all")
    header = (tmp_path / "all-00000.csv").read_bytes().split(b"\n", 1)[0].decode()
    assert header.split(",")[:len(REQUIRED)] == REQUIRED
    for k in range(12):
        assert (tmp_path / f"all-{k:05d}.csv").read_bytes().startswith(header.encode() + b"\n")
    assert sum(1 for rows in shards.values() if not rows) >= 8
    truth_rows = truth(db_dsn, "europe")
    assert sorted(int(r["image_id"]) for rows in shards.values() for r in rows) == sorted(truth_rows)
    assert manifest["rows"] == len(truth_rows) and manifest["sequences"] == 4
