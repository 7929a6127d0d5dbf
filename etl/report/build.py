"""Write a report folder: index.html, its data as scripts, its charts as SVG, the bundled
Leaflet and the downloaded pictures the popups show (see etl/report/folder.py)."""

from __future__ import annotations

import time
from pathlib import Path

import asyncpg

from etl.report import basemap, crawl, result
from etl.report.bins import Limits
from etl.report.folder import Pictures, copy_static, make_dir, write_script_data, write_text
from etl.report.page import render
from etl.report.result import Section
from etl.report.style import COLOURS

PICTURE_BUDGET_BYTES = 4 * 2**20


async def build_report(conn: asyncpg.Connection, result_name: str, out_dir: Path, limits: Limits = Limits(),
                       picture_budget: int = PICTURE_BUDGET_BYTES, timings: dict | None = None) -> Path:
    """The report of filter result `result_name` in `out_dir`; returns index.html's path.
    `timings` receives the seconds of each step."""
    make_dir(out_dir)
    pictures = Pictures(out_dir, picture_budget)
    section = await result.collect(conn, result_name, pictures, limits)
    result.describe_pictures(section, pictures, out_dir)
    started = time.monotonic()
    page = _write(section, out_dir)
    section.timed("write", started)
    if timings is not None:
        timings.update(section.timings)
    return page


async def build_crawl_report(conn: asyncpg.Connection, crawl_id: int | None, out_dir: Path,
                             limits: Limits = Limits(), picture_budget: int = PICTURE_BUDGET_BYTES) -> Path:
    """The report of a crawl (the latest when `crawl_id` is None) in `out_dir`."""
    make_dir(out_dir)
    pictures = Pictures(out_dir, picture_budget)
    section = await crawl.collect(conn, crawl_id, pictures, limits)
    result.describe_pictures(section, pictures, out_dir)
    return _write(section, out_dir)


def _write(section: Section, out_dir: Path) -> Path:
    copy_static(out_dir)
    make_dir(out_dir / "data")
    make_dir(out_dir / "charts")
    write_script_data(out_dir / "data" / "basemap.js", "MLYETL_BASEMAP", basemap.countries())
    write_script_data(out_dir / "data" / "map.js", "MLYETL_MAP",
                      {"kind": section.kind, "title": section.title, "colours": COLOURS, **section.map})
    for name, _title, svg in section.charts:
        write_text(out_dir / "charts" / name, svg)
    return write_text(out_dir / "index.html", render(section))
