"""Named results: incremental re-runs, --exclude-result, bucket independence, hostile
names, parameter changes, and what a GIS client (GDAL's ogrinfo) sees."""

from __future__ import annotations

import asyncio
import subprocess
from pathlib import Path

import pytest

from etl.filters import steps
from tests.conftest import run_cli
from tests.filters.helpers import LAT_DEG_PER_M, fetch, filter_square, insert_images, kept_ids, points, \
    setup_square_world


def _seq(seq: str, first_id: int, n: int, lon: float, step_m: float = 30.0, t0: int = 0) -> list:
    return [(first_id + k, seq, t0 + k, lon, 0.1 + k * step_m * LAT_DEG_PER_M) for k in range(n)]


def _world(dsn: str, tmp_path: Path) -> None:
    setup_square_world(dsn, tmp_path)
    rows = []
    for s in range(12):  # 6 other and 6 urban sequences, 25 images each
        rows += _seq(f"s{s:02d}", s * 100, 25, 0.2 if s % 2 else 0.55)
    asyncio.run(insert_images(dsn, rows))


def test_rerun_recomputes_only_touched_sequences_and_matches_a_fresh_result(db_dsn: str, tmp_path: Path) -> None:
    _world(db_dsn, tmp_path)
    first = filter_square(db_dsn, spacing_urban=100.0, spacing_other=100.0)
    assert first.counts["recomputed_sequences"] == 12 and first.counts["clipped"] == 300
    assert filter_square(db_dsn, spacing_urban=100.0, spacing_other=100.0).counts["recomputed_sequences"] == 0
    # new images arrive in s03 (they extend it) and a new sequence s99; one image of s05 is deleted
    asyncio.run(insert_images(db_dsn, [(300 + 25 + k, "s03", 25 + k, 0.2, 0.1 + (25 + k) * 30 * LAT_DEG_PER_M)
                                       for k in range(5)] + _seq("s99", 9900, 5, 0.3)))
    asyncio.run(fetch(db_dsn, "UPDATE images SET deleted_at = now() WHERE id = 502"))
    again = filter_square(db_dsn, spacing_urban=100.0, spacing_other=100.0)
    assert again.counts["recomputed_sequences"] == 3
    fresh = filter_square(db_dsn, name="fresh", spacing_urban=100.0, spacing_other=100.0)
    assert kept_ids(db_dsn, "r1") == kept_ids(db_dsn, "fresh")
    assert {i: (r["class"], r["kept"]) for i, r in points(db_dsn, "r1").items()} == \
        {i: (r["class"], r["kept"]) for i, r in points(db_dsn, "fresh").items()}
    assert again.counts["clipped"] == fresh.counts["clipped"] == 309
    lines = asyncio.run(fetch(db_dsn, "SELECT result_name, sequence_id, image_count, kept_count, ST_AsText(geom) g "
                                      "FROM filter_sequence_lines ORDER BY sequence_id, result_name"))
    by_result = {n: [(r["sequence_id"], r["image_count"], r["kept_count"], r["g"]) for r in lines
                     if r["result_name"] == n] for n in ("r1", "fresh")}
    assert by_result["r1"] == by_result["fresh"] and len(by_result["r1"]) == 13


def _filter_cli(dsn: str) -> list[str]:
    done = run_cli("filter", "--name", "r1", "--continent", "square", "--urban", "town", "--spacing-urban", "100",
                   "--spacing-other", "100", "--dsn", dsn)
    assert done.returncode == 0, done.stderr
    return [line for line in done.stdout.splitlines() if line.startswith("since the last run")]


def test_a_rerun_prints_what_changed_in_the_kept_images_since_the_last_run(db_dsn: str, tmp_path: Path) -> None:
    _world(db_dsn, tmp_path)
    assert _filter_cli(db_dsn) == []  # a new result: nothing to compare with
    assert _filter_cli(db_dsn) == ["since the last run: +0 kept, -0 dropped"]
    before = kept_ids(db_dsn, "r1")
    # new images extend s03 and make a new sequence s99, a kept image of s05 is deleted,
    # the images of s07 after its first move 200 m sideways (the walk keeps others)
    asyncio.run(insert_images(db_dsn, [(300 + 25 + k, "s03", 25 + k, 0.2, 0.1 + (25 + k) * 30 * LAT_DEG_PER_M)
                                       for k in range(5)] + _seq("s99", 9900, 5, 0.3)))
    deleted = min(i for i in before if 500 <= i < 600 and i != 500)
    asyncio.run(fetch(db_dsn, "UPDATE images SET deleted_at = now() WHERE id = $1", deleted))
    asyncio.run(fetch(db_dsn, "UPDATE images SET geom = ST_SetSRID(ST_MakePoint(0.2 + (id % 2) * 0.002, "
                              "ST_Y(geom) * 1.5), 4326) WHERE sequence_id = 's07' AND id > 700"))
    lines = _filter_cli(db_dsn)
    after = kept_ids(db_dsn, "r1")
    added, removed = len(after - before), len(before - after)
    assert added > 5 and removed > 1 and deleted in before - after
    assert lines == [f"since the last run: +{added:,} kept, -{removed:,} dropped"]
    stored = asyncio.run(fetch(db_dsn, "SELECT counts->>'kept_added' AS a, counts->>'kept_removed' AS r "
                                       "FROM filter_results WHERE name = 'r1'"))[0]
    assert (int(stored["a"]), int(stored["r"])) == (added, removed)
    # changed parameters recompute the result from scratch: no comparison is claimed
    done = run_cli("filter", "--name", "r1", "--continent", "square", "--urban", "town", "--spacing-urban", "50",
                   "--spacing-other", "100", "--replace", "--dsn", db_dsn)
    assert done.returncode == 0 and "since the last run" not in done.stdout, done.stderr


def _killed_after_bucket_0(write_bucket):  # noqa: ANN001, ANN202
    """A write_bucket that writes bucket 0 and then fails in bucket 1, as a killed run: only
    once bucket 0 has committed (else the run may stop before bucket 0 even has its
    connection, and nothing is committed)."""
    bucket_0_written = asyncio.Event()

    async def fail_bucket_1(conn, handle, bucket, replace):  # noqa: ANN001, ANN202
        if bucket == 0:
            written = await write_bucket(conn, handle, bucket, replace)
            bucket_0_written.set()
            return written
        await bucket_0_written.wait()
        raise RuntimeError("killed")

    return fail_bucket_1


def test_after_an_interrupted_rerun_the_change_is_not_claimed(db_dsn: str, tmp_path: Path,
                                                               monkeypatch: pytest.MonkeyPatch) -> None:
    # the buckets an interrupted run committed are no longer the last finished run's rows:
    # the run that completes it cannot count against them, so it reports no change line
    _world(db_dsn, tmp_path)
    filter_square(db_dsn, spacing_urban=100.0, spacing_other=100.0)
    asyncio.run(insert_images(db_dsn, [(s * 100 + 25, f"s{s:02d}", 25, 0.2 if s % 2 else 0.55,
                                        0.1 + 25 * 30 * LAT_DEG_PER_M) for s in range(12)]))
    write_bucket = steps.write_bucket
    monkeypatch.setattr(steps, "write_bucket", _killed_after_bucket_0(write_bucket))
    with pytest.raises(RuntimeError, match="killed"):
        filter_square(db_dsn, spacing_urban=100.0, spacing_other=100.0)
    monkeypatch.setattr(steps, "write_bucket", write_bucket)
    resumed = filter_square(db_dsn, spacing_urban=100.0, spacing_other=100.0)
    assert 0 < resumed.counts["recomputed_sequences"] < 12 and "kept_added" not in resumed.counts
    again = filter_square(db_dsn, spacing_urban=100.0, spacing_other=100.0)
    assert (again.counts["kept_added"], again.counts["kept_removed"]) == (0, 0)


def test_result_does_not_depend_on_the_number_of_buckets(db_dsn: str, tmp_path: Path) -> None:
    _world(db_dsn, tmp_path)
    filter_square(db_dsn, name="one", jobs=1, spacing_urban=100.0)
    filter_square(db_dsn, name="five", jobs=5, spacing_urban=100.0)
    assert kept_ids(db_dsn, "one") == kept_ids(db_dsn, "five") and len(kept_ids(db_dsn, "one")) > 12


def test_exclude_result_leaves_out_the_kept_images_of_the_earlier_result(db_dsn: str, tmp_path: Path) -> None:
    _world(db_dsn, tmp_path)
    filter_square(db_dsn, name="v1")
    new = _seq("s03", 325, 6, 0.2, t0=25) + _seq("new", 5000, 4, 0.25)
    asyncio.run(insert_images(db_dsn, new))
    filter_square(db_dsn, name="v2", exclude_result="v1")
    # the earlier result's dataset (its kept images) is left out; the images it clipped
    # but did not keep are input again, with the new ones
    v1_kept = kept_ids(db_dsn, "v1")
    everything = {r["id"] for r in asyncio.run(fetch(db_dsn, "SELECT id FROM images"))}
    assert len(v1_kept) == 6 * 7 + 6 and set(points(db_dsn, "v2")) == everything - v1_kept
    v2_kept = kept_ids(db_dsn, "v2")
    assert not v2_kept & v1_kept and {5000, 101, 301} <= v2_kept  # the new first of each walk
    missing = run_cli("filter", "--name", "v3", "--continent", "square", "--urban", "town",
                      "--exclude-result", "nope", "--dsn", db_dsn)
    assert missing.returncode == 2 and "not a finished result" in missing.stderr


def test_hostile_names_are_refused_and_nothing_is_touched(db_dsn: str, tmp_path: Path) -> None:
    _world(db_dsn, tmp_path)
    hostile = ["x'; DROP TABLE images; --", 'r"); DELETE FROM images; --', "a" * 65, " lead", "",
               "semi;colon", "new\nline", "../../etc"]
    for name in hostile:
        for args in (["--name", name, "--continent", "square", "--urban", "town"],
                     ["--name", "ok", "--continent", name, "--urban", "town"],
                     ["--name", "ok", "--continent", "square", "--urban", "town", "--exclude-result", name]):
            result = run_cli("filter", *args, "--dsn", db_dsn)
            assert result.returncode == 2, (name, result.stderr)
            assert "is not allowed" in result.stderr and len(result.stderr.strip().splitlines()) == 1
    assert asyncio.run(fetch(db_dsn, "SELECT count(*) FROM images"))[0][0] == 300
    # odd but acceptable names work, and are only ever bound as parameters
    filter_square(db_dsn, name="Straße v1.0 - test_β")
    assert len(points(db_dsn, "Straße v1.0 - test_β")) == 300


def test_changed_parameters_are_refused_unless_replace(db_dsn: str, tmp_path: Path) -> None:
    _world(db_dsn, tmp_path)
    args = ["filter", "--name", "r", "--continent", "square", "--urban", "town", "--dsn", db_dsn]
    assert run_cli(*args, "--spacing-other", "100").returncode == 0
    refused = run_cli(*args, "--spacing-other", "200")
    assert refused.returncode == 2 and "spacing_other" in refused.stderr and "--replace" in refused.stderr
    replaced = run_cli(*args, "--spacing-other", "200", "--replace")
    assert replaced.returncode == 0, replaced.stderr
    params = asyncio.run(fetch(db_dsn, "SELECT params->>'spacing_other' FROM filter_results WHERE name = 'r'"))
    assert params[0][0] == "200.0"


def test_a_killed_first_run_resumes_without_duplicates(db_dsn: str, tmp_path: Path) -> None:
    _world(db_dsn, tmp_path)
    # simulate a run killed after one bucket committed: run, then undo half of it the way a
    # crash would leave it (signatures of the other bucket missing, partition not attached)
    filter_square(db_dsn, name="k", jobs=2)
    asyncio.run(fetch(db_dsn, """
        WITH b AS (SELECT sequence_id FROM filter_sequences WHERE result_name = 'k'
                   AND (hashtext(sequence_id) & 2147483647) % 2 = 1),
             p AS (DELETE FROM filter_points WHERE result_name = 'k' AND sequence_id IN (SELECT * FROM b)),
             l AS (DELETE FROM filter_sequence_lines WHERE result_name = 'k' AND sequence_id IN (SELECT * FROM b))
        DELETE FROM filter_sequences WHERE result_name = 'k' AND sequence_id IN (SELECT * FROM b)"""))
    asyncio.run(fetch(db_dsn, "ALTER TABLE filter_points DETACH PARTITION filter_points_r1"))
    asyncio.run(fetch(db_dsn, "UPDATE filter_results SET state = 'running' WHERE name = 'k'"))
    resumed = filter_square(db_dsn, name="k", jobs=2)
    assert 0 < resumed.counts["recomputed_sequences"] < 12
    assert resumed.counts["clipped"] == 300 and len(points(db_dsn, "k")) == 300


def test_a_first_run_failing_after_one_bucket_resumes_with_the_other(db_dsn: str, tmp_path: Path,
                                                                      monkeypatch: pytest.MonkeyPatch) -> None:
    # a first computation writes bucket by bucket into bare, unattached partitions: one that
    # stops after bucket 0 committed leaves those rows, and the next run adds bucket 1's,
    # then indexes and attaches all three tables
    _world(db_dsn, tmp_path)
    write_bucket = steps.write_bucket
    monkeypatch.setattr(steps, "write_bucket", _killed_after_bucket_0(write_bucket))
    with pytest.raises(RuntimeError, match="killed"):
        filter_square(db_dsn, name="k", jobs=2)
    attached = "SELECT count(*) FROM pg_inherits WHERE inhrelid::regclass::text LIKE '%\\_r1'"
    assert asyncio.run(fetch(db_dsn, attached))[0][0] == 0
    stored = asyncio.run(fetch(db_dsn, "SELECT count(*) FROM filter_sequences_r1"))[0][0]
    assert 0 < stored < 12
    monkeypatch.setattr(steps, "write_bucket", write_bucket)
    resumed = filter_square(db_dsn, name="k", jobs=2)
    assert resumed.counts["recomputed_sequences"] == 12 - stored
    assert resumed.counts["clipped"] == 300 and len(points(db_dsn, "k")) == 300
    assert asyncio.run(fetch(db_dsn, attached))[0][0] == 3
    fresh = filter_square(db_dsn, name="whole", jobs=2)
    assert kept_ids(db_dsn, "k") == kept_ids(db_dsn, "whole") and fresh.counts["kept"] == resumed.counts["kept"]


def _ogr_dsn(dsn: str) -> str:
    from urllib.parse import parse_qs, urlsplit

    parts = urlsplit(dsn)
    query = {k: v[0] for k, v in parse_qs(parts.query).items()}
    fields = {"dbname": parts.path.lstrip("/"), "user": parts.username, "host": query.get("host", parts.hostname),
              "port": query.get("port", parts.port)}
    return "PG:" + " ".join(f"{k}={v}" for k, v in fields.items() if v)


def test_results_are_layers_with_keys_for_gdal_and_qgis(db_dsn: str, tmp_path: Path) -> None:
    _world(db_dsn, tmp_path)
    filter_square(db_dsn)
    listing = subprocess.run(["ogrinfo", "-ro", "-so", "-q", _ogr_dsn(db_dsn)], capture_output=True, text=True,
                             timeout=60)
    assert listing.returncode == 0, listing.stderr
    # GDAL 3.6 does not list partitioned parents; each result's partitions (PK, typmod
    # geometry) are its layers, and a parent opens by name
    for layer in ("filter_sequence_lines_r1 (Line String)", "filter_points_r1 (Point)",
                  "boundary_cells (Multi Polygon)", "boundary_layers (Multi Polygon)"):
        assert layer in listing.stdout, listing.stdout
    for table in ("filter_sequence_lines_r1", "filter_sequence_lines"):
        detail = subprocess.run(["ogrinfo", "-ro", "-so", _ogr_dsn(db_dsn), table],
                                capture_output=True, text=True, timeout=60)
        assert "Feature Count: 12" in detail.stdout and "EPSG" in detail.stdout and "4326" in detail.stdout, \
            detail.stdout + detail.stderr
    one = subprocess.run(["ogrinfo", "-ro", "-q", _ogr_dsn(db_dsn), "-sql",
                          "SELECT * FROM filter_points WHERE result_name = 'r1' AND image_id = 0"],
                         capture_output=True, text=True, timeout=60)
    assert "POINT (0.55 0.1)" in one.stdout and "class (String) = urban" in one.stdout, one.stdout
