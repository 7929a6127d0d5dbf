"""`mlyetl run CONFIG.toml`: crawl -> filter -> export -> images -> report, resumable."""

from __future__ import annotations

import time
from pathlib import Path

import click

from etl.cli_options import database_options, is_quiet
from etl.config import load_config
from etl.db.target import DatabaseTarget
from etl.pipeline import STAGES, plan_run, run_stage


@click.command("run")
@click.argument("config_file", type=click.Path(dir_okay=False, path_type=Path))
@click.option("--set", "overrides", multiple=True, metavar="SECTION.KEY=VALUE",
              help="Override a setting of the file (repeatable); wins over MLYETL_<SECTION>_<KEY> variables.")
@click.option("--only", "only", multiple=True, metavar="STAGE", type=click.Choice(STAGES),
              help="Run only these stages; repeatable.")
@click.option("--dry-run", is_flag=True, help="Check every stage's settings, print the stage commands and stop.")
@database_options
def command(target: DatabaseTarget, config_file: Path, overrides: tuple[str, ...], only: tuple[str, ...],
            dry_run: bool) -> None:
    """Run the whole job of a config file; rerun the same command to resume after a stop.

    Every key of a section is an option of that stage's command ([crawl] concurrency =
    `mlyetl crawl --concurrency`); see examples/*.toml. Precedence: defaults < file <
    MLYETL_<SECTION>_<KEY> variables < --set.

    \b
    Example:
      mlyetl run examples/city.toml --set crawl.concurrency=8
    """
    config = load_config(config_file, list(overrides))
    plan = plan_run(config, only)
    if dry_run:
        for stage in plan:
            click.echo(stage.shell())
        return
    started = time.monotonic()
    for stage in plan:
        click.echo(f"== {stage.stage}: {stage.shell()}", err=True)
        run_stage(stage, target, quiet=is_quiet(), echo=click.echo, warn=lambda line: click.echo(line, err=True))
    click.echo(f"run '{config.name}' finished: {len(plan)} stages in {time.monotonic() - started:.1f} s", err=True)
