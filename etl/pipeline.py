"""Turning a `RunConfig` into the stages of `mlyetl run`, and running them.

Each section of the config becomes the typed settings of its stage (checked when the
plan is made, so `--dry-run` validates every option), and each stage runs through its
library entry point (`etl.stages`). A stage is resumable on its own, so `run` is too: a
rerun finds the crawl queue, the incremental filter and the finished files where they
were left. Each planned stage also knows the command line a user would type for it,
which `--dry-run` prints.
"""

from __future__ import annotations

import shlex
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from etl.config import RunConfig
from etl.db.target import DatabaseTarget
from etl.errors import UserInputError
from etl.settings import Option, Settings, coerce
from etl.summary import Summary

STAGES = ("crawl", "filter", "export", "images", "report")
# Reserved keys that steer `run` itself rather than a stage setting.
ENABLED_BY_DEFAULT = {"crawl": True, "filter": True, "export": True, "images": False, "report": True}
EXPORT_FORMATS_DEFAULT = ["csv", "gpkg"]


@dataclass
class StageCommand:
    stage: str  # crawl, filter, export csv, images, report, boundaries
    argv: list[str]  # the same stage as a command line (secrets never in it)
    settings: Settings

    def shell(self) -> str:
        return "mlyetl " + shlex.join(self.argv)


def _stage(stage: str, path: list[str], cls: type[Settings], values: dict[str, Any], section: str,
           fixed: dict[str, Any] | None = None) -> StageCommand:
    settings = cls.from_mapping(values, section, **(fixed or {}))
    return StageCommand(stage, [*path, *settings.argv(list(values))], settings)


def _section(config: RunConfig, stage: str, only: tuple[str, ...]) -> tuple[bool, dict[str, Any]]:
    values = dict(config.sections.get(stage, {}))
    spec = Option(help="whether the stage runs")
    enabled = coerce(values.pop("enabled", ENABLED_BY_DEFAULT[stage]), bool, False, spec, f"{stage}.enabled")
    return enabled and (not only or stage in only), values


def _formats(values: dict[str, Any]) -> list[str]:
    from etl.stages.export import FORMATS

    formats = values.pop("formats", EXPORT_FORMATS_DEFAULT)
    formats = formats if isinstance(formats, list) else [formats]
    spec = Option(help=f"a list of {', '.join(FORMATS)}", choices=FORMATS)
    return [coerce(f, str, False, spec, "export.formats") for f in formats]


def plan_run(config: RunConfig, only: tuple[str, ...] = (), token: str | None = None) -> list[StageCommand]:
    """The stages for `config`, in order (only those named in `only`, when given), each with its
    settings checked; `token` (else the environment's) goes to the stages that call the API."""
    from etl.stages.crawl import CrawlSettings
    from etl.stages.export import ExportSettings
    from etl.stages.filter import FilterSettings
    from etl.stages.images import ImagesSettings
    from etl.stages.report import ReportSettings

    secret = {"token": token} if token is not None else {}
    plan: list[StageCommand] = []
    enabled, values = _section(config, "crawl", only)
    if enabled:
        plan.append(_stage("crawl", ["crawl"], CrawlSettings, config.sections.get("area", {}) | values, "crawl",
                           secret))
    enabled, values = _section(config, "filter", only)
    if enabled:
        plan.append(_stage("filter", ["filter"], FilterSettings, {"name": config.name} | values, "filter"))
    enabled, values = _section(config, "export", only)
    if enabled:
        formats = _formats(values)
        known = {k for fmt in formats for k in ExportSettings.keys_of(fmt)}
        stray = sorted(set(values) - known)
        if stray:
            raise UserInputError(f"unknown setting export.{stray[0]} for the formats {', '.join(formats)}",
                                 hint=f"known settings: {', '.join(sorted(known))}")
        for fmt in formats:
            chosen = {k: v for k, v in values.items() if k in ExportSettings.keys_of(fmt)}
            defaults = {"result": config.name, "out": str(config.out / "export")}
            plan.append(_stage(f"export {fmt}", ["export", fmt], ExportSettings, defaults | chosen, "export",
                               {"format": fmt}))
    enabled, values = _section(config, "images", only)
    if enabled:
        defaults = {"result": config.name, "out": str(config.out / "images")}
        plan.append(_stage("images", ["images", "download"], ImagesSettings, defaults | values, "images", secret))
    enabled, values = _section(config, "report", only)
    if enabled:
        defaults = {"result": config.name, "out": str(config.out / "report")}
        plan.append(_stage("report", ["report"], ReportSettings, defaults | values, "report"))
    return plan


def run_stage(stage: StageCommand, target: DatabaseTarget | str, quiet: bool = True,
              echo: Callable[[str], None] = print, warn: Callable[[str], None] | None = None) -> Summary:
    """Run one planned stage through its library entry point and print its summary with `echo`
    (warnings with `warn`); a stage that counted failures ends the run with its error."""
    from etl import stages

    kind = stage.stage.split()[0]
    if kind == "crawl":
        summary: Summary = stages.run_crawl(target, stage.settings, quiet=quiet)
    elif kind == "filter":
        summary = stages.run_filter(target, stage.settings)
    elif kind == "export":
        summary = stages.run_export(target, stage.settings, quiet=quiet)
    elif kind == "images":
        summary = stages.run_images(target, stage.settings, quiet=quiet)
    elif kind == "report":
        summary = stages.run_report(target, stage.settings)
    elif kind == "boundaries":
        summary = stages.run_boundaries(target, stage.settings)
    else:
        raise ValueError(f"no stage {stage.stage!r}")
    for line in summary.lines():
        echo(line)
    for line in summary.warnings():
        (warn or echo)(f"warning: {line}")
    error = summary.failure()
    if error is not None:
        raise error
    return summary
