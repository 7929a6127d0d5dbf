"""The one retry policy of the tool: API calls, CDN downloads and database calls wait the same way.

A retry waits an exponential, capped pause with "equal jitter": a random point in the upper
half of `backoff_s * 2**(attempt - 1)` (at most `max_backoff_s`). The random half keeps many
workers from retrying in lockstep; the fixed half guarantees a real pause, which a rate limit
needs (full jitter may retry at once). A server's Retry-After wins when it is longer, up to
`max_retry_after_s`, so one bad header cannot stall a run for hours.
"""

from __future__ import annotations

import random
from dataclasses import dataclass


@dataclass(frozen=True)
class RetryPolicy:
    max_retries: int = 5  # retries after the first try, for transient errors only
    backoff_s: float = 1.0  # the first retry's pause (its upper bound)
    max_backoff_s: float = 60.0
    max_retry_after_s: float = 600.0

    def delay(self, attempt: int, retry_after: float | None = None) -> float:
        """Seconds to wait before retry number `attempt` (1 for the first retry)."""
        ceiling = min(self.max_backoff_s, self.backoff_s * 2 ** max(attempt - 1, 0))
        pause = random.uniform(ceiling / 2, ceiling)
        if retry_after is not None and retry_after > 0:
            pause = max(pause, min(retry_after, self.max_retry_after_s))
        return pause

    def gives_up(self, attempt: int) -> bool:
        """Whether retry number `attempt` is one too many."""
        return attempt > self.max_retries


# The database: a restart or failover takes seconds; the caller bounds the total time.
DATABASE = RetryPolicy(max_retries=1_000_000, backoff_s=0.2, max_backoff_s=5.0)
# A deadlock or serialization failure: the other transaction is done within moments.
CONFLICTS = RetryPolicy(max_retries=5, backoff_s=0.05, max_backoff_s=0.5)
