"""`mlyetl run` configuration: precedence, validation against the commands, no secrets."""

from __future__ import annotations

from pathlib import Path

import pytest

from etl.config import load_config
from etl.errors import UserInputError
from etl.pipeline import plan_run
from tests.conftest import run_cli

CONFIG = """
name = "town"
out = "{out}"
[area]
bbox = [6.60, 46.50, 6.68, 46.55]
[crawl]
concurrency = 4
method = "search"
[filter]
enabled = false
[export]
enabled = false
[report]
enabled = false
"""


def _write(tmp_path: Path, text: str = CONFIG) -> Path:
    path = tmp_path / "run.toml"
    path.write_text(text.format(out=tmp_path / "out"))
    return path


def test_precedence_defaults_file_environment_flags(tmp_path: Path) -> None:
    path = _write(tmp_path)
    from_file = load_config(path, env={})
    assert from_file.sections["crawl"]["concurrency"] == 4
    from_env = load_config(path, env={"MLYETL_CRAWL_CONCURRENCY": "8"})
    assert from_env.sections["crawl"]["concurrency"] == 8
    from_flag = load_config(path, ["crawl.concurrency=12"], env={"MLYETL_CRAWL_CONCURRENCY": "8"})
    assert from_flag.sections["crawl"]["concurrency"] == 12
    (crawl,) = plan_run(from_flag)
    assert crawl.argv == ["crawl", "--bbox", "6.6,46.5,6.68,46.55", "--concurrency", "12", "--method", "search"]


def test_unknown_setting_names_the_known_ones(tmp_path: Path) -> None:
    config = load_config(_write(tmp_path), ["crawl.concurrenzy=3"], env={})
    with pytest.raises(UserInputError) as error:
        plan_run(config)
    assert "unknown setting crawl.concurrenzy" in error.value.message
    assert "concurrency" in (error.value.hint or "")


@pytest.mark.parametrize("override", ["crawl.token=MLY|1|secret", "crawl.password=x"])
def test_secrets_are_refused_in_settings(tmp_path: Path, override: str) -> None:
    with pytest.raises(UserInputError) as error:
        load_config(_write(tmp_path), [override], env={})
    assert "secret" in error.value.message
    assert "MLY|1|secret" not in error.value.one_line()


def test_dry_run_prints_the_stage_commands(tmp_path: Path) -> None:
    result = run_cli("run", str(_write(tmp_path)), "--dry-run", env={"MLYETL_CRAWL_METHOD": "tiles"})
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "mlyetl crawl --bbox 6.6,46.5,6.68,46.55 --concurrency 4 --method tiles"


def test_bad_config_file_is_bad_input(tmp_path: Path) -> None:
    broken = tmp_path / "broken.toml"
    broken.write_text("name = \n")
    result = run_cli("run", str(broken))
    assert result.returncode == 2 and "is not valid TOML" in result.stderr
    missing = run_cli("run", str(tmp_path / "missing.toml"))
    assert missing.returncode == 2 and "cannot read the config" in missing.stderr


@pytest.mark.parametrize("example", sorted((Path(__file__).parents[2] / "examples").glob("*.toml")),
                         ids=lambda p: p.name)
def test_every_example_config_maps_onto_real_options(example: Path) -> None:
    plan = plan_run(load_config(example, env={}))
    stages = [stage.stage for stage in plan]
    assert stages[:2] == ["crawl", "filter"] and "report" in stages


def test_on_off_flags_map_both_ways(tmp_path: Path) -> None:
    for value, flag in (("false", "--no-bulk-load"), ("true", "--bulk-load")):
        result = run_cli("run", str(_write(tmp_path)), "--dry-run", "--set", f"crawl.bulk_load={value}")
        assert result.returncode == 0, result.stderr
        assert result.stdout.split()[-1] == flag, result.stdout
