"""`mlyetl status`: per-stage counts, queue states, failures, last runs, database size."""

from __future__ import annotations

import asyncio

import click

from etl.cli_options import database_options
from etl.db.connect import connection
from etl.db.migrate import ensure_schema
from etl.db.target import DatabaseTarget
from etl.status import StatusReport, download_lines, gather_status


@click.command("status")
@click.option("--json", "as_json", is_flag=True, help="Print the report as JSON.")
@click.option("--recent", default=10, show_default=True, help="How many runs and failure reasons to show.")
@database_options
def command(target: DatabaseTarget, as_json: bool, recent: int) -> None:
    """Show where the data and the work stand: images, crawl queue, failures, results, runs.

    Example: mlyetl status --recent 5
    """
    report = asyncio.run(_gather(target, recent))
    click.echo(report.to_json() if as_json else "\n".join(_text(report, target)))


async def _gather(target: DatabaseTarget, recent: int) -> StatusReport:
    await ensure_schema(target)
    async with connection(target) as conn:
        return await gather_status(conn, recent)


def _section(title: str, rows: list[dict], line) -> list[str]:  # noqa: ANN001 - row -> str
    return [title, *(f"  {line(r)}" for r in rows)] if rows else []


def _text(report: StatusReport, target: DatabaseTarget) -> list[str]:
    i = report.images
    return [
        f"database: {target.display()}, {report.database_size}",
        f"images: {i['images']:,} ({i['deleted']:,} deleted), sequences: {i['sequences']:,}",
        *_section("crawl queue:", report.crawl_queue,
                  lambda r: f"crawl {r['crawl_id']} ({r['method']}) {r['kind']:<8} {r['state']:<8} {r['tasks']:,}"),
        *_section("filter results:", report.results, lambda r: f"{r['name']}: {_counts(r['counts'])}"),
        *_section("image downloads:", report.downloads,
                  lambda r: f"size {r['size']:<8} {r['state']:<6} {r['n']:,} ({r['bytes'] / 1e6:,.1f} MB)"),
        *download_lines(report.download_jobs),
        *_section("failures (most common reasons):", report.failures,
                  lambda r: f"{r['stage']}: {r['n']:,} x {r['reason']}"),
        *_section("last runs:", report.runs,
                  lambda r: f"#{r['id']} {r['kind']:<8} {r['status']:<11} {r['started_at']:%Y-%m-%d %H:%M} "
                            f"{_counts(r['counters'])}"),
        *(f"note: {note}" for note in report.notes),
    ]


def _counts(counts: dict | None) -> str:
    return ", ".join(f"{k} {v:,}" if isinstance(v, int) else f"{k} {v}" for k, v in (counts or {}).items()
                     if not isinstance(v, list))  # series such as a crawl's call timeline are the report's
