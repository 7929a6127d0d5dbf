"""What every stage returns: a summary object that can print itself and say if it failed."""

from __future__ import annotations

from etl.errors import RunFailure


class Summary:
    """Base of the stages' summaries (dataclasses with their own counters)."""

    def lines(self) -> list[str]:
        """What the command prints on stdout."""
        return []

    def warnings(self) -> list[str]:
        """Lines for stderr (e.g. shard ids not in the result)."""
        return []

    def failure(self) -> RunFailure | None:
        """The error that ends the command with exit 1 when the stage counted failures."""
        return None
