"""The status stage from Python: `run_status(target)` -> `StatusReport` (read-only)."""

from __future__ import annotations

from dataclasses import dataclass

from etl.db.connect import connection
from etl.db.target import DatabaseTarget, as_target
from etl.settings import Settings, setting
from etl.stages.common import ready, run_async
from etl.status import StatusReport, gather_status

__all__ = ["StatusReport", "StatusSettings", "run_status"]


@dataclass(frozen=True, kw_only=True)
class StatusSettings(Settings):
    SECTION = "status"

    recent: int = setting(10, "How many runs and failure reasons to show.")


async def status_async(target: DatabaseTarget | str, settings: StatusSettings | None = None) -> StatusReport:
    settings = settings or StatusSettings()
    target = await ready(as_target(target))
    async with connection(target) as conn:
        report = await gather_status(conn, settings.recent)
    report.database = target.display()
    return report


def run_status(target: DatabaseTarget | str, settings: StatusSettings | None = None) -> StatusReport:
    """Where the data and the work stand: images, crawl queue, failures, results, runs, size."""
    return run_async(status_async(target, settings))
