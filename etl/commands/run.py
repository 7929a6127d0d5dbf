"""`mlyetl run CONFIG.toml`: crawl -> filter -> export -> images -> report, resumable."""

from __future__ import annotations

import os
import time
from pathlib import Path

import click

from etl.config import load_config
from etl.pipeline import plan_run, run_stage


@click.command("run")
@click.argument("config_file", type=click.Path(dir_okay=False, path_type=Path))
@click.option("--set", "overrides", multiple=True, metavar="SECTION.KEY=VALUE",
              help="Override a setting of the file (repeatable); wins over MLYETL_<SECTION>_<KEY> variables.")
@click.option("--only", "only", multiple=True, metavar="STAGE",
              type=click.Choice(["crawl", "filter", "export", "images", "report"]),
              help="Run only these stages; repeatable.")
@click.option("--dry-run", is_flag=True, help="Print the stage commands and stop.")
@click.option("--dsn", envvar="MLYETL_DSN", help="Database for every stage (else MLYETL_DSN, PG*, embedded).")
@click.option("--data-dir", type=click.Path(path_type=Path), envvar="MLYETL_DATA_DIR",
              help="Folder of the embedded cluster.")
def command(config_file: Path, overrides: tuple[str, ...], only: tuple[str, ...], dry_run: bool,
            dsn: str | None, data_dir: Path | None) -> None:
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
    # The stages read the database choice from the environment, like a user's shell would pass it.
    if dsn:
        os.environ["MLYETL_DSN"] = dsn
    if data_dir:
        os.environ["MLYETL_DATA_DIR"] = str(data_dir)
    started = time.monotonic()
    for stage in plan:
        click.echo(f"== {stage.stage}: {stage.shell()}", err=True)
        run_stage(stage)
    click.echo(f"run '{config.name}' finished: {len(plan)} stages in {time.monotonic() - started:.1f} s", err=True)
