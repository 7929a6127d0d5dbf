"""The report stage from Python: `run_report(target, ReportSettings(...))` -> `ReportSummary`."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from etl.db.connect import connection
from etl.db.target import DatabaseTarget
from etl.errors import UserInputError
from etl.report.bins import Limits
from etl.settings import Settings, setting
from etl.stages.common import ready, run_async
from etl.summary import Summary

__all__ = ["ReportSettings", "ReportSummary", "run_report"]


@dataclass(frozen=True, kw_only=True)
class ReportSettings(Settings):
    """A report of a filter result (`result`) or of a crawl (`crawl`: its id, 0 for the latest)."""

    SECTION = "report"

    result: str | None = setting(None, "Name of the filter result to describe.")
    # the command line's `--crawl [ID]` (an optional value) is declared by the command itself
    crawl: int | None = setting(None, "Describe a crawl alone: its id, or 0 for the latest crawl.", cli=False)
    out: Path = setting(help="Folder for index.html, its data, charts and scripts (created if missing).",
                        file_okay=False)
    max_points: int = setting(Limits.max_points, "Images drawn as points (where they are few); the others are "
                              "counted in map cells.", min=0, max=2_000_000)

    def check(self) -> None:
        if (self.result is None) == (self.crawl is None):
            raise UserInputError("give either --result NAME or --crawl [ID]",
                                 hint="e.g. mlyetl report --result paris --out out/report")


@dataclass
class ReportSummary(Summary):
    page: Path  # the report's index.html

    def lines(self) -> list[str]:
        return [f"report written: {self.page}"]


async def report_async(target: DatabaseTarget | str, settings: ReportSettings) -> ReportSummary:
    from etl.report import build_crawl_report, build_report

    target = await ready(target)
    limits = Limits(max_points=settings.max_points)
    async with connection(target) as conn:
        if settings.result is not None:
            page = await build_report(conn, settings.result, settings.out, limits)
        else:
            page = await build_crawl_report(conn, settings.crawl or None, settings.out, limits)
    return ReportSummary(page)


def run_report(target: DatabaseTarget | str, settings: ReportSettings) -> ReportSummary:
    """Write `settings.out/index.html`: an offline map, charts and tables of a result or a crawl."""
    return run_async(report_async(target, settings))
