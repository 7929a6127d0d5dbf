"""A plain install works: the wheel, installed in a fresh virtualenv outside the checkout,
runs `mlyetl demo` from another folder on an empty database, and builds the C extension
from its own copy of the sources.

This is what `pip install mlyetl` / `pipx install mlyetl` users get, so nothing here may
come from the checkout: the package's SQL, migrations, data and extension sources must all
be inside the wheel.
"""

from __future__ import annotations

import asyncio
import json
import os
import shutil
import subprocess
import sys
import tempfile
import zipfile
from collections.abc import Iterator
from pathlib import Path

import asyncpg
import pytest

import etl
from tests.conftest import PROJECT_ROOT

pytestmark = [pytest.mark.slow, pytest.mark.timeout(1200)]


@pytest.fixture(scope="module")
def wheel(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("wheel")
    # --no-build-isolation: the build backend (hatchling) is a test dependency, so no
    # index is needed for the build itself.
    done = subprocess.run(
        [sys.executable, "-m", "pip", "wheel", "--no-deps", "--no-build-isolation", "-w", str(out), str(PROJECT_ROOT)],
        capture_output=True, text=True, timeout=600)
    assert done.returncode == 0, done.stderr[-3000:]
    (built,) = out.glob("mlyetl-*.whl")
    return built


@pytest.fixture(scope="module")
def outside() -> Iterator[Path]:
    """A folder outside the checkout, which the server user may enter (mkdtemp is 0700)."""
    base = Path(tempfile.mkdtemp(prefix="mlyetl-wheel-test-"))
    base.chmod(0o755)
    assert not base.resolve().is_relative_to(PROJECT_ROOT)
    yield base
    shutil.rmtree(base, ignore_errors=True)


@pytest.fixture(scope="module")
def installed(wheel: Path, outside: Path) -> Path:
    """bin/ of a fresh virtualenv with the wheel and its declared dependencies only."""
    venv = outside / "venv"
    subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True, timeout=300)
    # --no-compile: no bytecode for all of numpy, pyarrow...; Python compiles what it imports
    done = subprocess.run([str(venv / "bin" / "python"), "-m", "pip", "install", "-q", "--no-compile", str(wheel)],
                          capture_output=True, text=True, timeout=900)
    assert done.returncode == 0, done.stderr[-3000:]
    return venv / "bin"


def _user_env() -> dict[str, str]:
    """The environment of a user's shell: nothing pointing at the checkout or our settings."""
    env = {k: v for k, v in os.environ.items()
           if not k.startswith(("MLYETL_", "PG", "PYTHON", "VIRTUAL_ENV"))}
    env["PATH"] = os.pathsep.join(p for p in env.get("PATH", "").split(os.pathsep)
                                  if not Path(p).resolve().is_relative_to(PROJECT_ROOT))
    return env


def _run(bin_dir: Path, cwd: Path, *args: str, timeout: float = 600) -> subprocess.CompletedProcess[str]:
    return subprocess.run([str(bin_dir / "mlyetl"), *args], cwd=cwd, env=_user_env(),
                          capture_output=True, text=True, timeout=timeout)


def test_wheel_holds_the_bundled_files(wheel: Path) -> None:
    names = set(zipfile.ZipFile(wheel).namelist())
    for bundled in ("etl/sql/crawl/claim.sql", "etl/sql/filters/walk_c.sql", "etl/migrations/env.py",
                    "etl/migrations/script.py.mako", "etl/migrations/versions/0001_initial.py",
                    "etl/migrations/sql/0001/10_core.up.sql",
                    "etl/data/naturalearth/ne_50m_admin_0_countries.json.gz",
                    "etl/data/demo/demo-town-urban.geojson", "etl/qgis/styles/points_by_class.qml",
                    "etl/ext/mlyetl_spacing/mlyetl_spacing.c", "etl/ext/mlyetl_spacing/install.sh",
                    "etl/ext/mlyetl_spacing/mlyetl_spacing.control", "etl/ext/mlyetl_spacing/Makefile"):
        assert bundled in names, bundled
    # every migration and SQL file of the checkout, nothing built or cached
    for folder, inside in (("sql", "etl/sql"), ("migrations", "etl/migrations")):
        for path in (PROJECT_ROOT / folder).rglob("*"):
            if path.is_file() and "__pycache__" not in path.parts:
                assert f"{inside}/{path.relative_to(PROJECT_ROOT / folder).as_posix()}" in names, path
    assert not [n for n in names if n.endswith((".o", ".so", ".pyc"))]


async def _counts(dsn: str) -> dict:
    conn = await asyncpg.connect(dsn)
    try:
        return dict(await conn.fetchrow(
            "SELECT (SELECT version_num FROM alembic_version) AS schema,"
            " (SELECT count(*) FROM images) AS images,"
            " (SELECT count(*) FROM filter_points WHERE result_name = 'demo') AS kept,"
            " (SELECT count(*) FROM image_downloads WHERE state = 'done') AS downloaded,"
            " (SELECT count(*) FROM layer_styles WHERE f_table_catalog = current_database()) AS styles"))
    finally:
        await conn.close()


def test_installed_wheel_runs_the_demo_from_another_folder(installed: Path, outside: Path,
                                                           empty_db_dsn: str) -> None:
    elsewhere = outside / "somewhere"
    elsewhere.mkdir()
    version = _run(installed, elsewhere, "--version")
    assert version.returncode == 0 and version.stdout.strip() == f"mlyetl, version {etl.__version__}"

    where = subprocess.run([str(installed / "python"), "-c", "import etl.paths as p; print(p.__file__, p.SQL_DIR, "
                            "p.MIGRATIONS_DIR, p.DATA_DIR, p.EXT_DIR)"],
                           cwd=elsewhere, env=_user_env(), capture_output=True, text=True, timeout=60)
    assert where.returncode == 0, where.stderr
    for path in where.stdout.split():
        assert Path(path).is_relative_to(outside / "venv"), path  # the package's own copies

    # An empty database: the wheel's migrations build the schema, then the whole pipeline runs.
    demo = _run(installed, elsewhere, "demo", "--out", "demo-out", "--dsn", empty_db_dsn)
    assert demo.returncode == 0, demo.stderr[-3000:]
    out = elsewhere / "demo-out"
    assert "report/index.html" in demo.stdout
    counts = asyncio.run(_counts(empty_db_dsn))
    assert counts["schema"] == _head_in_checkout()
    assert counts["images"] > 0 and counts["kept"] > 0 and counts["styles"] > 0
    manifest = json.loads((out / "export" / "manifest-all.json").read_text())
    assert manifest["rows"] == counts["kept"] == counts["downloaded"]
    assert len(list((out / "images").rglob("*.jpg"))) == counts["kept"]
    assert (out / "report" / "index.html").stat().st_size > 0
    assert list((out / "export").glob("*.gpkg"))


def _head_in_checkout() -> str:
    from etl.db.migrate import head_revision

    return head_revision()


def test_installed_wheel_builds_the_extension_for_the_server(installed: Path, outside: Path,
                                                             empty_db_dsn: str) -> None:
    """`db install-extension` from the installed package: sources from the wheel, pg_config
    of the server the DSN names; the server then offers the extension, not trusted."""
    done = _run(installed, outside, "db", "install-extension", "--dsn", empty_db_dsn)
    if not Path(asyncio.run(_data_directory(empty_db_dsn))).exists():  # MLYETL_TEST_DOCKER, a remote DSN
        assert done.returncode == 2 and "on another machine or in a container" in done.stderr
        return
    if os.geteuid() != 0:  # a system PostgreSQL's folders are root's
        assert done.returncode == 2 and "run this command as root" in done.stderr
        return
    assert done.returncode == 0, done.stderr[-3000:]
    assert "installed mlyetl_spacing 1.3 for PostgreSQL" in done.stdout
    facts = asyncio.run(_extension_facts(empty_db_dsn))
    assert facts == {"default_version": "1.3", "trusted": False, "superuser": True}


async def _data_directory(dsn: str) -> str:
    conn = await asyncpg.connect(dsn)
    try:
        return await conn.fetchval("SHOW data_directory")
    finally:
        await conn.close()


async def _extension_facts(dsn: str) -> dict:
    conn = await asyncpg.connect(dsn)
    try:
        return dict(await conn.fetchrow(
            "SELECT e.default_version, v.trusted, v.superuser FROM pg_available_extensions e"
            " JOIN pg_available_extension_versions v ON v.name = e.name AND v.version = e.default_version"
            " WHERE e.name = 'mlyetl_spacing'"))
    finally:
        await conn.close()
