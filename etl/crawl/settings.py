"""Typed settings of a crawl, one documented line per field."""

from __future__ import annotations

import hashlib
import json
from dataclasses import asdict, dataclass, field
from datetime import datetime, timezone

from etl.errors import UserInputError
from etl.mapillary.limits import DEFAULT_LIMITS, Limit

# Settings that define WHAT is crawled: they make up the crawl key, so the same
# command finds its crawl again, and a different filter starts a different crawl.
IDENTITY_FIELDS = ("method", "box_size", "min_box", "split_at", "since", "until", "organization_id")


@dataclass
class CrawlSettings:
    method: str = "search"  # search (bbox quadtree) | tiles (vector tiles + id batches)
    box_size: float = 0.1  # first search boxes, degrees (0.01 sq deg, as API users advise)
    min_box: float = 1e-4  # never split a box below this side (~11 m)
    split_at: int = 1800  # answers this full may be cut (the cap is 2000, cut answers ~1935)
    since: str | None = None  # capture date range (ISO 8601), passed to the API
    until: str | None = None
    organization_id: int | None = None  # only this organisation's images
    ids_per_request: int = 300  # tiles method: ids per /images?image_ids= call (URL length)
    concurrency: int = 256  # the most HTTP requests in flight; the client finds how many help (AIMD)
    limits: dict[str, Limit] = field(default_factory=lambda: dict(DEFAULT_LIMITS))
    max_retries: int = 5  # per request, transient errors only
    backoff_s: float = 1.0
    timeout_s: float = 60.0
    max_attempts: int = 3  # per task, then it is 'failed' (see --retry-failed)
    lease_s: float = 60.0  # a claimed task is ours this long without renewal
    batch_rows: int = 10_000  # rows per COPY + upsert transaction
    writers: int = 2  # writer connections (upserts are index-bound: one core each)
    bulk_load: bool = True  # into an empty images table: COPY without indexes, build them at the end
    db_budget_s: float = 120.0  # how long to wait for a lost database before stopping

    def __post_init__(self) -> None:
        if self.since and self.until:
            try:
                empty = epoch_ms(self.since) > epoch_ms(self.until)
            except ValueError:
                return  # not dates: the options' own checks say so
            if empty:
                raise UserInputError(f"--since {self.since} is after --until {self.until}: no image can match",
                                     hint="give the earlier date to --since and the later one to --until")

    def identity(self) -> dict:
        return {k: getattr(self, k) for k in IDENTITY_FIELDS}

    def crawl_key(self, area_digest: str) -> str:
        text = json.dumps({"area": area_digest, **self.identity()}, sort_keys=True)
        return hashlib.sha256(text.encode()).hexdigest()[:32]

    def recorded(self) -> dict:
        """What the runs table keeps (never the token: it is not in here)."""
        out = asdict(self)
        out["limits"] = {k: str(v) for k, v in self.limits.items()}
        return out


def epoch_ms(text: str) -> int:
    moment = datetime.fromisoformat(text.replace("Z", "+00:00"))
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=timezone.utc)
    return int(moment.timestamp() * 1000)
