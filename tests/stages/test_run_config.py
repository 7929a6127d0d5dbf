"""`mlyetl run`: strict settings (booleans, types, files) and --dry-run checking every stage."""

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner, Result

from etl.cli import main
from tests.conftest import run_cli

CONFIG = """
name = "town"
out = "{out}"
[area]
bbox = [6.60, 46.50, 6.68, 46.55]
[filter]
continent = "Europe"
[images]
enabled = {enabled}
"""


def _write(tmp_path: Path, enabled: str = "false", extra: str = "") -> Path:
    path = tmp_path / "run.toml"
    path.write_text(CONFIG.format(out=tmp_path / "out", enabled=enabled) + extra)
    return path


def cli(*args: str) -> Result:
    """`mlyetl ARGS` in this process (the dry runs touch no database)."""
    return CliRunner().invoke(main, list(args))


def _stages(stdout: str) -> list[str]:
    return [line.split()[1] for line in stdout.splitlines()]


@pytest.mark.parametrize("enabled,sets,on", [
    ('"false"', [], False), ("false", [], False), ('"no"', [], False), ("true", [], True), ('"yes"', [], True),
    ("true", ["images.enabled=no"], False), ("true", ["images.enabled=false"], False),
    ("false", ["images.enabled=on"], True),
])
def test_images_enabled_is_a_strict_boolean(tmp_path: Path, enabled: str, sets: list[str], on: bool) -> None:
    args = [arg for item in sets for arg in ("--set", item)]
    result = cli("run", str(_write(tmp_path, enabled)), "--dry-run", *args)
    assert result.exit_code == 0, result.stderr
    assert ("images" in _stages(result.stdout)) is on, result.stdout


@pytest.mark.parametrize("enabled,sets", [('"maybe"', []), ("2", []), ("true", ["images.enabled=nope"])])
def test_a_junk_boolean_is_one_clear_line(tmp_path: Path, enabled: str, sets: list[str]) -> None:
    args = [arg for item in sets for arg in ("--set", item)]
    result = cli("run", str(_write(tmp_path, enabled)), "--dry-run", *args)
    assert result.exit_code == 2, result.stderr
    assert "images.enabled" in result.stderr and "is not a boolean" in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1 and "unexpected" not in result.stderr


@pytest.mark.parametrize("text,message", [
    ("name = \"x\"\nout = 42\n", "out = 42 is not text"),
    ("name = 7\n", "name = 7 is not text"),
])
def test_a_wrongly_typed_top_level_key_is_one_clear_line(tmp_path: Path, text: str, message: str) -> None:
    path = tmp_path / "bad.toml"
    path.write_text(text)
    result = cli("run", str(path), "--dry-run")
    assert result.exit_code == 2 and message in result.stderr, result.stderr
    assert len(result.stderr.strip().splitlines()) == 1


def test_a_binary_config_file_is_one_clear_line(tmp_path: Path) -> None:
    path = tmp_path / "photo.toml"
    path.write_bytes(b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\xff\xfe")
    result = run_cli("run", str(path))
    assert result.returncode == 2 and "is not a text file" in result.stderr, result.stderr
    assert len(result.stderr.strip().splitlines()) == 1


@pytest.mark.parametrize("override,message", [
    ("crawl.concurrency=0", "crawl.concurrency = 0 is out of range"),
    ("crawl.method=walk", "crawl.method = 'walk' is not one of search, tiles"),
    ("filter.spacing_urban=far", "filter.spacing_urban = 'far' is not a number"),
    ("export.shards=many", "export.shards = 'many' is not a whole number"),
    ("export.formats=xls", "export.formats = 'xls' is not one of csv, gpkg, geoparquet"),
    ("images.size=huge", "images.size = 'huge' is not one of"),
    ("report.max_points=-1", "report.max_points = -1 is out of range"),
    ("crawl.since=yesterday", "--since 'yesterday' is not a date"),
    ("filter.continent=", "continent name '' is not allowed"),
])
def test_dry_run_checks_every_stage(tmp_path: Path, override: str, message: str) -> None:
    result = cli("run", str(_write(tmp_path, "true")), "--dry-run", "--set", override)
    assert result.exit_code == 2 and message in result.stderr, result.stderr
    assert len(result.stderr.strip().splitlines()) == 1


def test_a_missing_required_setting_is_one_clear_line(tmp_path: Path) -> None:
    path = tmp_path / "run.toml"
    path.write_text('name = "x"\n[area]\nbbox = [6.6, 46.5, 6.7, 46.6]\n')
    result = cli("run", str(path), "--dry-run")
    assert result.exit_code == 2 and "filter.continent is required" in result.stderr, result.stderr
