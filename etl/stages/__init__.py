"""The stages as Python functions: one frozen settings object and one entry point each.

    from etl.db.target import DatabaseTarget
    from etl.stages import FilterSettings, run_filter

    target = DatabaseTarget.from_dsn("postgresql://me@localhost/mlyetl")  # or DatabaseTarget.embedded()
    summary = run_filter(target, FilterSettings(name="eu-v1", continent="Europe"))
    print(summary.kept_urban, summary.kept_other)

Each `run_<stage>` makes the target ready (starts the embedded cluster when it is the
target, migrates the schema), records a row in `runs` when it changes data, and returns a
summary object (`summary.lines()` is what the command prints). The settings are the
command's options (`mlyetl <stage> --help`) with `_` for `-`; they are checked when made.
Submodules are imported on first use, so `import etl.stages` stays light.
"""

from __future__ import annotations

import importlib
from typing import Any

_EXPORTS = {
    "CrawlSettings": "crawl", "CrawlSummary": "crawl", "run_crawl": "crawl",
    "BoundariesSettings": "boundaries", "BoundariesSummary": "boundaries", "run_boundaries": "boundaries",
    "FilterSettings": "filter", "FilterSummary": "filter", "run_filter": "filter",
    "ExportSettings": "export", "ExportSummary": "export", "run_export": "export",
    "ImagesSettings": "images", "ImagesSummary": "images", "run_images": "images",
    "ReportSettings": "report", "ReportSummary": "report", "run_report": "report",
    "StatusSettings": "status", "StatusReport": "status", "run_status": "status",
}

__all__ = sorted(_EXPORTS)


def __getattr__(name: str) -> Any:
    module = _EXPORTS.get(name)
    if module is None:
        raise AttributeError(f"module 'etl.stages' has no attribute {name!r}")
    return getattr(importlib.import_module(f"etl.stages.{module}"), name)
