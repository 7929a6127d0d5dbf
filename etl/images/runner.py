"""Setting up a download run (database, API client, CDN session, layout) and its summary."""

from __future__ import annotations

import json
import logging
from collections.abc import AsyncIterator
from dataclasses import dataclass
from pathlib import Path

import aiohttp

from etl.db.connect import create_pool
from etl.db.target import DatabaseTarget
from etl.errors import UserInputError
from etl.export.source import load_result
from etl.images import store
from etl.images.download import Counts, Run, Tuning, run_downloads
from etl.images.layout import Layout, clean_stale_partials, partial_dir, remove_own_partial
from etl.mapillary.client import ClientSettings, MapillaryClient
from etl.progress import Progress
from etl.runs import recorded_run

log = logging.getLogger("etl.images")


@dataclass(frozen=True)
class DownloadRequest:
    out: Path
    size: str
    result: str | None
    cls: str = "all"
    shard: Path | None = None
    resize: int | None = None
    retry_failed: bool = False


def result_of_shard(shard: Path) -> str:
    """The result a shard was exported from, read from the manifest beside it."""
    for manifest in sorted(shard.parent.glob("manifest-*.json")):
        try:
            data = json.loads(manifest.read_text())
        except (OSError, ValueError):
            continue
        if any(f.get("path") == shard.name for f in data.get("files", [])):
            return str(data["result"])
    raise UserInputError(f"no manifest beside {shard} names this shard",
                         hint="pass --result NAME, or keep the shard next to its manifest-*.json")


async def download_images(target: DatabaseTarget | str, request: DownloadRequest, client_settings: ClientSettings,
                          tuning: Tuning, progress: Progress) -> tuple[Counts, list, list[int]]:
    """Run the downloads; returns (counts, outcome summary rows, shard ids not in the result)."""
    result_name = request.result or result_of_shard(request.shard)  # type: ignore[arg-type]
    pool = await create_pool(target, min_size=1, max_size=3)
    try:
        async with pool.acquire() as conn:
            info = await load_result(conn, result_name)
        request.out.mkdir(parents=True, exist_ok=True)
        clean_stale_partials(request.out)
        layout = Layout(request.out.resolve(), info, request.size, request.resize)
        unknown: list[int] = []
        settings = {k: str(v) if isinstance(v, Path) else v for k, v in vars(request).items()}
        async with recorded_run(pool, "images", settings) as record:
            counts = await _run(pool, layout, request, result_name, client_settings, tuning, progress, unknown)
            record.counters.update(downloaded=counts.downloaded, skipped=counts.skipped, failed=counts.failed,
                                   bytes=counts.bytes)
        return counts, await store.summary(pool, result_name, request.size), unknown
    finally:
        remove_own_partial(request.out)
        await pool.close()


async def _run(pool, layout: Layout, request: DownloadRequest, result: str, client_settings: ClientSettings,  # noqa: ANN001
               tuning: Tuning, progress: Progress, unknown: list[int]) -> Counts:
    pages: AsyncIterator = (
        store.shard_items(pool, request.shard, result, request.size, request.retry_failed, unknown)
        if request.shard is not None
        else store.result_items(pool, result, request.cls, request.size, request.retry_failed))
    timeout = aiohttp.ClientTimeout(total=tuning.timeout_s, sock_connect=10)
    connector = aiohttp.TCPConnector(limit=tuning.concurrency)
    async with MapillaryClient(client_settings) as client, \
            aiohttp.ClientSession(timeout=timeout, connector=connector) as session:
        run = Run(layout, partial_dir(request.out), client, session, store.Recorder(pool, request.size), tuning, progress)
        return await run_downloads(run, pages)
