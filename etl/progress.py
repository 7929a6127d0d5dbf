"""One small progress interface with three faces (the dlt habit).

- a live rich bar when stderr is a terminal,
- periodic log lines ("crawled N (X/min)") when it is not (CI, nohup, cron),
- nothing at all with --quiet.

Callers only call `advance(field, n)`, `set_total(n)` and `set_status(text)`; fields are
free-form counters such as "images", "requests", "errors"; the status is a short text shown
after them (e.g. the crawler's calls per minute against the allowance).
"""

from __future__ import annotations

import logging
import sys
import time
from collections import Counter
from types import TracebackType

log = logging.getLogger("etl.progress")


class Progress:
    """The null face: counts, shows nothing."""

    def __init__(self, label: str, main_field: str, total: int | None = None) -> None:
        self.label = label
        self.main_field = main_field
        self.total = total
        self.counts: Counter[str] = Counter()
        self.status = ""
        self.started = time.monotonic()

    def advance(self, field: str, n: int = 1) -> None:
        self.counts[field] += n

    def set_total(self, total: int | None) -> None:
        self.total = total

    def set_status(self, text: str) -> None:
        self.status = text

    def rate(self, field: str) -> float:
        elapsed = max(time.monotonic() - self.started, 1e-9)
        return self.counts[field] / elapsed

    def summary(self) -> str:
        elapsed = time.monotonic() - self.started
        parts = [f"{k} {v:,}" for k, v in sorted(self.counts.items())]
        return f"{self.label}: {', '.join(parts) or 'nothing'} in {elapsed:.1f} s"

    def __enter__(self) -> Progress:
        return self

    def __exit__(self, exc_type: type | None, exc: BaseException | None, tb: TracebackType | None) -> None:
        self.close()

    def close(self) -> None:
        pass


class LogProgress(Progress):
    """Periodic log lines for runs without a terminal."""

    def __init__(self, label: str, main_field: str, total: int | None = None, every_s: float = 10.0) -> None:
        super().__init__(label, main_field, total)
        self.every_s = every_s
        self._last = time.monotonic()

    def advance(self, field: str, n: int = 1) -> None:
        super().advance(field, n)
        now = time.monotonic()
        if now - self._last >= self.every_s:
            self._last = now
            extra = ", ".join(f"{k} {v:,}" for k, v in sorted(self.counts.items()) if k != self.main_field)
            log.info("%s: %s %s (%.0f/s)%s%s", self.label, self.main_field, f"{self.counts[self.main_field]:,}",
                     self.rate(self.main_field), f"; {extra}" if extra else "", f"; {self.status}" if self.status else "")


class BarProgress(Progress):
    """A live rich bar on a terminal."""

    def __init__(self, label: str, main_field: str, total: int | None = None) -> None:
        super().__init__(label, main_field, total)
        from rich.progress import BarColumn, MofNCompleteColumn, Progress as RichProgress, TextColumn, TimeElapsedColumn

        self._bar = RichProgress(
            TextColumn("[bold]{task.description}"), BarColumn(), MofNCompleteColumn(),
            TextColumn("{task.fields[detail]}"), TimeElapsedColumn(), transient=False,
        )
        self._task = self._bar.add_task(label, total=total, detail="")
        self._bar.start()
        self._last_refresh = 0.0

    def advance(self, field: str, n: int = 1) -> None:
        super().advance(field, n)
        now = time.monotonic()
        if now - self._last_refresh < 0.2:
            return
        self._last_refresh = now
        detail = "  ".join(f"{k} {v:,}" for k, v in sorted(self.counts.items()) if k != self.main_field)
        self._bar.update(self._task, completed=self.counts[self.main_field], total=self.total,
                         detail=f"{self.rate(self.main_field):,.0f}/s  {detail}  {self.status}".rstrip())

    def close(self) -> None:
        self._bar.update(self._task, completed=self.counts[self.main_field], total=self.total)
        self._bar.stop()


def make_progress(label: str, main_field: str, total: int | None = None, quiet: bool = False) -> Progress:
    """The right face for where the output goes."""
    if quiet:
        return Progress(label, main_field, total)
    if sys.stderr.isatty():
        return BarProgress(label, main_field, total)
    return LogProgress(label, main_field, total)
