"""Acceptance: a bad or blocked token stops the run at once, with no retry and no leak."""

from __future__ import annotations

import time

import pytest
from click.testing import CliRunner

from etl.cli import main
from etl.simulator.config import SimulatorConfig
from etl.simulator.presets import build_world
from etl.simulator.server import SimulatorServer
from tests.conftest import run_cli
from tests.crawler.conftest import crawl, crawl_args, query

SECRET = "MLY|777|s3cr3tvalue"


@pytest.mark.parametrize("method", ["search", "tiles"])
def test_invalid_token_stops_within_seconds_without_retry(db_dsn: str, simulator: SimulatorServer, method: str) -> None:
    started = time.monotonic()
    result = crawl(simulator, db_dsn, "--method", method, "--concurrency", "1", token=SECRET)
    elapsed = time.monotonic() - started
    assert result.returncode == 1
    assert elapsed < 15, elapsed  # process start and schema check included
    assert "refused the token" in result.stderr and "MAPILLARY_TOKEN" in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1
    stats = simulator.stats
    assert sum(stats["requests"].values()) == 1 and stats["responses"] == {"401": 1}
    assert "s3cr3t" not in result.stdout + result.stderr
    runs = query(db_dsn, "SELECT status, settings::text AS s, coalesce(error, '') AS e FROM runs")
    assert runs and all(r["status"] == "failed" and "s3cr3t" not in r["s"] + r["e"] for r in runs)


def test_blocked_token_says_so(db_dsn: str) -> None:
    config = SimulatorConfig(world=build_world("tiny"), tokens=frozenset({SECRET}), blocked_tokens=frozenset({SECRET}))
    with SimulatorServer(config) as sim:
        result = crawl(sim, db_dsn, "--concurrency", "4", token=SECRET)
        assert sum(sim.stats["requests"].values()) <= 4  # what was in flight, none repeated
    assert result.returncode == 1 and "blocked" in result.stderr and "s3cr3t" not in result.stderr


def test_missing_token_is_a_usage_error(db_dsn: str, simulator: SimulatorServer, tmp_path) -> None:  # noqa: ANN001
    result = run_cli(*crawl_args(simulator, db_dsn))
    assert result.returncode == 2 and "MAPILLARY_TOKEN" in result.stderr
    token_file = tmp_path / "token"
    token_file.write_text(simulator.token + "\n")
    ok = run_cli(*crawl_args(simulator, db_dsn), env={"MAPILLARY_TOKEN_FILE": str(token_file)})
    assert ok.returncode == 0, ok.stderr


@pytest.mark.parametrize("args, needle", [
    (["--bbox", "1,2,3"], "four numbers"),
    (["--bbox", "10,50,5,40"], "not a box"),
    (["--bbox", "1,2,3,4", "--since", "yesterday"], "not a date"),
    (["--bbox", "1,2,3,4", "--rate-limit", "search=fast"], "bad rate limit"),
    (["--bbox", "1,2,3,4", "--continent", "europe"], "give the area once"),
])
def test_bad_input_is_one_clear_line(args: list[str], needle: str) -> None:
    # checked before any database or network access: a DSN that leads nowhere is fine (in-process: fast)
    result = CliRunner().invoke(main, ["crawl", "--dsn", "postgresql://nobody@127.0.0.1:1/none", *args],
                                env={"MAPILLARY_TOKEN": "MLY|1|x"})
    assert result.exit_code == 2 and needle in result.stderr and len(result.stderr.strip().splitlines()) == 1
