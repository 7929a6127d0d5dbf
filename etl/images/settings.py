"""What an image download asks for and how it runs: every option of `mlyetl images download`
with its default, declared once (the command's options read their defaults from here)."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from etl.retry import RetryPolicy


@dataclass(frozen=True)
class DownloadRequest:
    """What to download, and where to."""

    out: str  # a folder, or s3://bucket/prefix
    size: str
    result: str | None
    cls: str = "all"
    shard: Path | None = None
    resize: int | None = None
    retry_failed: bool = False


@dataclass(frozen=True)
class Tuning:
    """How: concurrency, retries, and the batches workers share through the database."""

    # 64 downloads in flight keep ~150 images/s going at ~100 ms per request with room to spare
    concurrency: int = 64
    url_batch: int = 100  # ids per /?ids= call
    max_retries: int = 5  # per image, transient failures
    backoff_s: float = 1.0  # first pause, doubled per retry, with jitter
    timeout_s: float = 120.0  # one download, body included
    batch_images: int = 500  # images per claimed batch: what a killed worker leaves to redo
    lease_s: float = 60.0  # a batch whose worker stops renewing is taken over after this
    draft: bool = True  # decode JPEGs at a reduced scale before resizing (Pillow draft mode)

    @property
    def retry(self) -> RetryPolicy:
        """The tool's retry policy with this run's retries and first pause (etl/retry.py)."""
        return RetryPolicy(max_retries=self.max_retries, backoff_s=self.backoff_s)


DEFAULTS = Tuning()
