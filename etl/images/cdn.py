"""Downloading one thumbnail from the CDN, streamed to a temporary file.

The CDN needs no token (the URL is signed), so none is sent. Outcomes are classes,
not message texts: Expired (403: fetch a fresh URL), Gone (404), Transient (5xx,
timeouts, dropped or cut answers: retry with backoff). No message holds the URL.
"""

from __future__ import annotations

import asyncio
from pathlib import Path

import aiohttp

CHUNK = 1 << 16


class DownloadError(Exception):
    """A download that did not give a file; the text is safe to store (no URL)."""


class Expired(DownloadError):
    """The signed URL is no longer valid: ask the API for a fresh one."""


class Gone(DownloadError):
    """The CDN has no such image."""


class Transient(DownloadError):
    """Worth retrying after a pause."""

    def __init__(self, message: str, retry_after: float | None = None) -> None:
        super().__init__(message)
        self.retry_after = retry_after


async def fetch_to(session: aiohttp.ClientSession, url: str, target: Path) -> int:
    """Stream `url` into `target`; returns the byte count."""
    size = 0
    try:
        async with session.get(url, allow_redirects=True) as response:
            _check_status(response)
            with open(target, "wb") as handle:
                async for chunk in response.content.iter_chunked(CHUNK):
                    handle.write(chunk)
                    size += len(chunk)
            expected = response.content_length
    except asyncio.TimeoutError:
        raise Transient("no answer in time") from None
    except (aiohttp.ClientPayloadError, aiohttp.ClientConnectionError, aiohttp.ServerDisconnectedError) as error:
        raise Transient(f"connection failed: {type(error).__name__}") from None  # str(error) may hold the URL
    if expected is not None and size != expected:
        raise Transient(f"answer cut short: {size} of {expected} bytes")
    return size


async def fetch_bytes(session: aiohttp.ClientSession, url: str) -> bytes:
    """The body of `url` in memory (thumbnails: at most a few MB each)."""
    try:
        async with session.get(url, allow_redirects=True) as response:
            _check_status(response)
            body = await response.read()
            expected = response.content_length
    except asyncio.TimeoutError:
        raise Transient("no answer in time") from None
    except (aiohttp.ClientPayloadError, aiohttp.ClientConnectionError, aiohttp.ServerDisconnectedError) as error:
        raise Transient(f"connection failed: {type(error).__name__}") from None  # str(error) may hold the URL
    if expected is not None and len(body) != expected:
        raise Transient(f"answer cut short: {len(body)} of {expected} bytes")
    return body


def _check_status(response: aiohttp.ClientResponse) -> None:
    status = response.status
    if status == 200:
        return
    if status in (401, 403):
        raise Expired(f"HTTP {status} from the CDN (URL expired)")
    if status in (404, 410):
        raise Gone(f"HTTP {status}: the CDN has no such image")
    if status == 429 or status >= 500:
        retry_after = response.headers.get("Retry-After")
        seconds = float(retry_after) if retry_after and retry_after.replace(".", "", 1).isdigit() else None
        raise Transient(f"HTTP {status} from the CDN", seconds)
    raise DownloadError(f"HTTP {status} from the CDN")
