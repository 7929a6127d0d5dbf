"""How many API requests are in flight: a window that follows the answers (AIMD, as TCP does).

A round is as many answers as the window holds (about one answer time). At the end of a round:

- it grows when the round was healthy, its answers came about as fast as the fastest recent
  round's (more in flight did not just queue somewhere), the window was full (the caller had
  the work to fill it) and almost no request waited for the client-side rate limit (more in
  flight would only queue there): doubling each round until the first congestion signal
  (slow start, so a one-second API is at its allowance within seconds), then one more
  request per round;
- it shrinks by a quarter when the round's mean answer time is more than twice the fastest of
  the recent rounds (the server queues our requests), but never below the start size for that
  alone: a busy local machine or bigger answers are no reason to go slower than a fixed window.

An overload of rate-limit answers (429 / code 4, as etl/mapillary/limits.py judges it) or a
timeout halves it at once (a rate limit never below `floor`, what the lowered rate still
needs in flight). Only requests sent after the last cut
can cut again: the answers of one overload arrive over a whole round and count once.
"""

from __future__ import annotations

import asyncio
import time
from collections import Counter, deque
from dataclasses import dataclass

GROW_MAX_RATE_WAITS = 0.1  # share of a round's requests that may have waited for the rate limiter
GROW_MAX_LATENCY = 1.25  # a round at most this much slower than the fastest recent one may grow
LATENCY_RISE = 2.0  # a round this much slower than the fastest recent one: the server queues
LATENCY_SHRINK = 0.75
CONGESTION_SHRINK = 0.5
BASELINE_ROUNDS = 30  # the fastest of this many recent rounds is the baseline answer time


@dataclass
class _Round:
    answers: int = 0
    latency_s: float = 0.0
    rate_waits: int = 0
    peak: int = 0  # most requests in flight at once
    cut: bool = False


class AdaptiveWindow:
    """An asyncio semaphore whose size moves between 1 and `ceiling` (see the module doc)."""

    def __init__(self, start: int, ceiling: int) -> None:
        self.ceiling = max(1, ceiling)
        self.start = max(1, min(start, self.ceiling))
        self.size = float(self.start)
        self.in_flight = 0
        self.peak = self.start  # the largest size reached
        self.slow_start = True
        self.cuts: Counter[str] = Counter()  # why the window shrank: rate_limited, timeout, latency
        self._last_cut = float("-inf")
        self._round = _Round()
        self._recent: deque[float] = deque(maxlen=BASELINE_ROUNDS)
        self._waiters: deque[asyncio.Future[None]] = deque()

    @property
    def limit(self) -> int:
        return max(1, int(self.size))

    def latency_s(self) -> float | None:
        """The mean answer time of the last finished round (None before the first)."""
        return self._recent[-1] if self._recent else None

    async def acquire(self) -> float:
        """Wait for room; returns the send time to hand back with the answer."""
        while self.in_flight >= self.limit:
            waiter = asyncio.get_running_loop().create_future()
            self._waiters.append(waiter)
            try:
                await waiter
            except asyncio.CancelledError:
                self._wake()  # a wake-up meant for us goes to the next one
                raise
        self.in_flight += 1
        self._round.peak = max(self._round.peak, self.in_flight)
        return time.monotonic()

    def release(self) -> None:
        self.in_flight -= 1
        self._wake()

    def answered(self, latency_s: float, waited_for_rate: bool) -> None:
        """A request got an answer that is no congestion signal (errors included)."""
        r = self._round
        r.answers += 1
        r.latency_s += latency_s
        r.rate_waits += waited_for_rate
        if r.answers >= self.limit:
            self._end_round()

    def congested(self, why: str, sent_at: float, floor: float = 1.0) -> None:
        """A rate-limit answer or a timeout to the request sent at `sent_at`."""
        if sent_at <= self._last_cut:
            return
        self._last_cut = time.monotonic()
        self.slow_start = False
        self.cuts[why] += 1
        self.size = max(1.0, min(self.size, max(floor, self.size * CONGESTION_SHRINK)))
        self._round.cut = True

    def _end_round(self) -> None:
        r, self._round = self._round, _Round()
        mean = r.latency_s / r.answers
        baseline = min(self._recent, default=mean)
        self._recent.append(mean)
        if r.cut:
            return
        if mean > LATENCY_RISE * baseline:
            self.slow_start = False
            if self.size > self.start:
                self.cuts["latency"] += 1
                self.size = max(float(self.start), self.size * LATENCY_SHRINK)
            return
        if (mean <= GROW_MAX_LATENCY * baseline and r.peak >= self.limit
                and r.rate_waits <= GROW_MAX_RATE_WAITS * r.answers):
            self.size = min(float(self.ceiling), self.size * 2 if self.slow_start else self.size + 1)
            self.peak = max(self.peak, self.limit)
            self._wake()

    def _wake(self) -> None:
        room = self.limit - self.in_flight
        while room > 0 and self._waiters:
            waiter = self._waiters.popleft()
            if not waiter.done():
                waiter.set_result(None)
                room -= 1
