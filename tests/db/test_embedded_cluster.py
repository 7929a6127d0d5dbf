"""The embedded cluster through the CLI, as a user runs it: start, status, url, stop."""

from __future__ import annotations

import os
import shutil
import stat
import subprocess
import sys
import tempfile
from collections.abc import Iterator
from pathlib import Path

import pytest

from etl.db.cluster import parallel_workers_per_gather
from tests.conftest import PROJECT_ROOT, run_cli


@pytest.fixture
def world_readable_dir() -> Iterator[Path]:
    """A folder the unprivileged server user can enter (pytest's tmp_path is 0700)."""
    base = Path(tempfile.mkdtemp(prefix="mlyetl-cluster-test-"))
    base.chmod(0o755)
    yield base
    for data_dir in base.iterdir():
        run_cli("db", "stop", "--data-dir", str(data_dir))
    shutil.rmtree(base, ignore_errors=True)


def _psql(url: str, sql: str) -> str:
    result = subprocess.run(["psql", url, "-X", "-tA", "-c", sql], capture_output=True, text=True, timeout=60)
    assert result.returncode == 0, result.stderr
    return result.stdout.strip()


def test_start_status_url_psql_and_data_survive_restart(world_readable_dir: Path) -> None:
    data_dir = str(world_readable_dir / "cluster")
    first = run_cli("db", "start", "--data-dir", data_dir)
    assert first.returncode == 0, first.stderr
    assert "started" in first.stdout
    second = run_cli("db", "start", "--data-dir", data_dir)  # harmless
    assert second.returncode == 0 and "already running" in second.stdout

    status = run_cli("db", "status", "--data-dir", data_dir)
    assert status.returncode == 0 and "running: yes" in status.stdout and "PostGIS 3" in status.stdout

    url = run_cli("db", "url", "--data-dir", data_dir).stdout.strip()
    assert url.startswith("postgresql://") and "passfile=" in url
    password = (Path(data_dir) / "pgpass").read_text().split(":")[-1].strip()
    assert password not in url  # the secret stays in the passfile
    assert _psql(url, "select postgis_version()").startswith("3.")
    _psql(url, "create table kept (v int); insert into kept values (42)")

    workers = str(parallel_workers_per_gather())
    assert _psql(url, "show max_parallel_workers_per_gather") == workers

    assert run_cli("db", "stop", "--data-dir", data_dir).returncode == 0
    assert "running: no" in run_cli("db", "status", "--data-dir", data_dir).stdout
    # mlyetl.conf follows the tool: a file an older version wrote is rewritten at start
    conf = Path(data_dir) / "pgdata" / "mlyetl.conf"
    conf.write_text(conf.read_text().replace(f"max_parallel_workers_per_gather = {workers}",
                                             "max_parallel_workers_per_gather = 7"))
    assert run_cli("db", "start", "--data-dir", data_dir).returncode == 0
    url = run_cli("db", "url", "--data-dir", data_dir).stdout.strip()
    assert _psql(url, "select v from kept") == "42"
    assert _psql(url, "show max_parallel_workers_per_gather") == workers
    assert oct(stat.S_IMODE(os.stat(Path(data_dir) / "pgpass").st_mode)) == "0o600"


HEAVY_PACKAGES = ("pyarrow*", "pandas*", "pyogrio*", "numpy*", "pyproj*", "shapely*", "geopandas*", "hypothesis*")


def _readable_by_postgres(*paths: Path) -> bool:
    args = [a for p in paths for a in ("-r", str(p), "-a")][:-1]
    return subprocess.run(["runuser", "-u", "postgres", "--", "test", *args], check=False).returncode == 0


def _unprivileged_python_env(scratch: Path) -> tuple[list[str], dict[str, str]]:
    """How the 'postgres' user runs this checkout: system Python 3.11 + our venv's packages.

    When the checkout or the venv sits where that user cannot read (a clone under /root),
    the code and the packages `db` needs are copied into a world-readable scratch folder.
    """
    site = Path(sys.prefix) / "lib" / f"python{sys.version_info[0]}.{sys.version_info[1]}" / "site-packages"
    python = shutil.which(f"python{sys.version_info[0]}.{sys.version_info[1]}", path="/usr/bin:/usr/local/bin")
    assert python, "the system Python of the same version is needed to run as another user"
    root = PROJECT_ROOT
    if not _readable_by_postgres(PROJECT_ROOT / "etl" / "cli.py", site):
        root, copied_site = scratch / "project", scratch / "site-packages"
        for folder in ("etl", "migrations", "sql"):
            shutil.copytree(PROJECT_ROOT / folder, root / folder)
        shutil.copytree(site, copied_site, ignore=shutil.ignore_patterns(*HEAVY_PACKAGES))
        site = copied_site
        subprocess.run(["chmod", "-R", "a+rX", str(scratch)], check=True)
    env = {"PYTHONPATH": f"{root}:{site}", "HOME": "/tmp", "PATH": "/usr/bin:/bin"}
    return [python, "-m", "etl"], env


@pytest.mark.skipif(os.geteuid() != 0, reason="as an ordinary user the whole suite already runs unprivileged")
def test_works_as_an_ordinary_user(world_readable_dir: Path) -> None:
    argv, env = _unprivileged_python_env(world_readable_dir / "code")
    data_dir = str(world_readable_dir / "user-cluster")
    os.chown(world_readable_dir, _uid("postgres"), -1)

    def as_user(*args: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run(["runuser", "-u", "postgres", "--", "env", *[f"{k}={v}" for k, v in env.items()],
                               *argv, *args], capture_output=True, text=True, timeout=180, cwd="/tmp")

    started = as_user("db", "start", "--data-dir", data_dir)
    assert started.returncode == 0, started.stderr
    url = as_user("db", "url", "--data-dir", data_dir).stdout.strip()
    owner = Path(data_dir, "pgdata").stat().st_uid
    assert owner == _uid("postgres")
    result = subprocess.run(["runuser", "-u", "postgres", "--", "psql", url, "-X", "-tA", "-c",
                             "select postgis_version()"], capture_output=True, text=True, timeout=60)
    assert result.returncode == 0 and result.stdout.startswith("3."), result.stderr
    assert as_user("db", "stop", "--data-dir", data_dir).returncode == 0


def _uid(name: str) -> int:
    import pwd

    return pwd.getpwnam(name).pw_uid


def test_a_data_directory_with_quotes_and_spaces_starts(world_readable_dir: Path) -> None:
    refused = run_cli("db", "start", "--data-dir", str(world_readable_dir / 'say "cheese"'))
    assert refused.returncode == 2 and "tools cannot pass on" in refused.stderr, refused.stderr
    data_dir = world_readable_dir / "it's a data dir"
    started = run_cli("db", "start", "--data-dir", str(data_dir))
    assert started.returncode == 0, started.stderr
    url = run_cli("db", "url", "--data-dir", str(data_dir)).stdout.strip()
    assert _psql(url, "select 6 * 7") == "42"
    status = run_cli("db", "status", "--data-dir", str(data_dir))
    assert status.returncode == 0 and "running: yes" in status.stdout, status.stderr
    assert run_cli("db", "stop", "--data-dir", str(data_dir)).returncode == 0


def test_a_data_directory_too_long_for_the_socket_is_one_clear_line(world_readable_dir: Path) -> None:
    data_dir = world_readable_dir / ("d" * (110 - len(str(world_readable_dir))))
    done = run_cli("db", "start", "--data-dir", str(data_dir))
    lines = done.stderr.strip().splitlines()
    assert done.returncode == 2 and len(lines) == 1, done.stderr
    assert "too long a path for PostgreSQL's socket" in lines[0] and "--data-dir" in lines[0]
    assert not data_dir.exists()  # refused before anything was made
