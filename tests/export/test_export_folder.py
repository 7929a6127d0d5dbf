"""The --out folder as a careless user treats it: two exports at once, leftovers of
killed runs, an empty or unwritable path, a full disk, refused exports, too many shards."""

from __future__ import annotations

import os
import shlex
import signal
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import pytest

from etl.errors import UserInputError
from etl.export import plan as shard_plan
from etl.export.outdir import LOCK_NAME
from tests.conftest import PROJECT_ROOT, run_cli
from tests.export.helpers import read_shards, truth
from tests.export.synthetic import make_result_sync


@pytest.fixture
def result_dsn(db_dsn: str) -> str:
    make_result_sync(db_dsn, sequences=300, max_len=40)
    return db_dsn


def _export(dsn: str, kind: str, out: str, *args: str) -> subprocess.CompletedProcess[str]:
    return run_cli("export", kind, "--result", "europe", "--out", out, *args, env={"MLYETL_DSN": dsn})


def _one_line(done: subprocess.CompletedProcess[str], *words: str) -> str:
    lines = done.stderr.strip().splitlines()
    assert done.returncode == 2 and len(lines) == 1, done.stderr
    assert "unexpected" not in lines[0] and all(w in lines[0] for w in words), lines[0]
    return lines[0]


def _hold_lock(out: Path) -> subprocess.Popen:
    """Another process in the middle of an export into `out` (holding its folder)."""
    code = textwrap.dedent(f"""
        import sys, time
        from pathlib import Path
        from etl.export.outdir import export_folder
        with export_folder(Path({str(out)!r})):
            print("locked", flush=True)
            time.sleep(120)
    """)
    proc = subprocess.Popen([sys.executable, "-c", code], stdout=subprocess.PIPE, text=True, cwd=PROJECT_ROOT)
    assert proc.stdout.readline().strip() == "locked"
    return proc


def test_a_second_export_into_the_same_folder_is_refused(result_dsn: str, tmp_path: Path) -> None:
    out = tmp_path / "out"
    assert _export(result_dsn, "csv", str(out), "--shards", "4").returncode == 0
    before = {p.name: p.stat().st_mtime_ns for p in out.iterdir()}
    holder = _hold_lock(out)
    try:
        for kind in ("csv", "gpkg"):
            line = _one_line(_export(result_dsn, kind, str(out), "--force") if kind == "csv"
                             else _export(result_dsn, kind, str(out)), "another export is writing into")
            assert str(holder.pid) in line
        assert {p.name: p.stat().st_mtime_ns for p in out.iterdir() if p.name != LOCK_NAME} == before
    finally:
        holder.send_signal(signal.SIGKILL)
        holder.wait()
    # the kernel dropped the killed holder's lock: the next export runs, and leaves no lock file
    assert _export(result_dsn, "csv", str(out), "--shards", "4", "--force").returncode == 0
    assert sorted(p.name for p in out.iterdir()) == sorted(before)


def test_two_exports_started_together_never_both_write(result_dsn: str, tmp_path: Path) -> None:
    out = tmp_path / "out"
    env = {k: v for k, v in os.environ.items() if not k.startswith(("MLYETL_", "PG"))} | {"MLYETL_DSN": result_dsn}
    argv = [sys.executable, "-m", "etl", "export", "csv", "--result", "europe", "--out", str(out), "--shards", "40"]
    procs = [subprocess.Popen(argv, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env,
                              cwd=PROJECT_ROOT) for _ in range(3)]
    results = [(p.wait(timeout=180), p.stderr.read()) for p in procs]
    for rc, err in results:
        assert rc == 0 or (rc == 2 and "another export is writing into" in err), err
    assert any(rc == 0 for rc, _ in results)
    manifest, shards = read_shards(out, "all")
    assert sum(len(rows) for rows in shards.values()) == manifest["rows"] == len(truth(result_dsn, "europe"))
    assert not list(out.glob(".*part*"))


def test_leftovers_of_killed_gpkg_and_parquet_exports_are_removed(result_dsn: str, tmp_path: Path) -> None:
    out = tmp_path / "out"
    out.mkdir()
    stale = [out / ".urban_100m.4242.part.gpkg", out / ".other_1000m.4242.part.parquet", out / ".all-00001.csv.4242.part"]
    for path in stale:
        path.write_bytes(b"half a file")
    assert _export(result_dsn, "gpkg", str(out), "--class", "urban").returncode == 0
    assert not any(p.exists() for p in stale)
    assert sorted(p.name for p in out.iterdir()) == ["urban_100m.gpkg"]


def test_an_empty_out_is_refused(result_dsn: str) -> None:
    before = set(PROJECT_ROOT.iterdir())
    for kind in ("csv", "geoparquet"):
        _one_line(_export(result_dsn, kind, ""), "--out is empty")
    assert set(PROJECT_ROOT.iterdir()) == before


@pytest.mark.parametrize("args, problem", [
    (["--result", "nope"], "no filter result named 'nope'"),
    (["--result", "europe", "--shards", "0"], "--shards must be between"),
])
def test_a_refused_export_does_not_create_its_folder(result_dsn: str, tmp_path: Path, args: list[str],
                                                       problem: str) -> None:
    for kind in ("csv", "gpkg"):
        if kind == "gpkg" and "--shards" in args:
            continue
        out = tmp_path / "new" / "deeper"
        _one_line(run_cli("export", kind, "--out", str(out), *args, env={"MLYETL_DSN": result_dsn}), problem)
        assert not (tmp_path / "new").exists()


def test_rows_per_shard_cannot_pass_the_shard_cap() -> None:
    assert shard_plan.shard_count(1_000_000, None, 10) == shard_plan.MAX_SHARDS
    with pytest.raises(UserInputError) as caught:
        shard_plan.shard_count(1_000_000, None, 1)
    assert "1,000,000 shards" in caught.value.one_line() and "--rows-per-shard 10 or more" in caught.value.one_line()


def _export_on_tmpfs(dsn: str, mount: Path, options: str, kind: str) -> subprocess.CompletedProcess[str]:
    return cli_on_tmpfs(dsn, mount, options, "export", kind, "--result", "europe", "--out", str(mount / "out"))


def cli_on_tmpfs(dsn: str, mount: Path, options: str, *args: str) -> subprocess.CompletedProcess[str]:
    """The CLI in a private mount namespace where `mount` is a small tmpfs."""
    mount.mkdir(exist_ok=True)
    user_ns = [] if os.geteuid() == 0 else ["-r"]  # an unprivileged user maps itself to root there
    script = (f"mount -t tmpfs -o {options} tmpfs {shlex.quote(str(mount))} && exec {shlex.quote(sys.executable)} "
              f"-m etl {shlex.join(args)}")
    env = {k: v for k, v in os.environ.items() if not k.startswith(("MLYETL_", "PG"))} | {"MLYETL_DSN": dsn}
    return subprocess.run(["unshare", "-m", *user_ns, "sh", "-c", script], capture_output=True, text=True,
                          env=env, cwd=PROJECT_ROOT, timeout=180)


def test_an_unwritable_out_is_one_clear_line(result_dsn: str, tmp_path: Path) -> None:
    done = _export_on_tmpfs(result_dsn, tmp_path / "ro", "ro,size=64k", "csv")
    _one_line(done, "cannot write into --out", "Read-only file system")


@pytest.mark.parametrize("kind", ["csv", "gpkg", "geoparquet"])
def test_a_full_disk_is_one_clear_line_naming_the_disk(result_dsn: str, tmp_path: Path, kind: str) -> None:
    started = time.monotonic()
    done = _export_on_tmpfs(result_dsn, tmp_path / "small", "size=96k", kind)
    line = _one_line(done, "is full", str(tmp_path / "small"), "free space on")
    assert "rerun the same command" in line and time.monotonic() - started < 120

