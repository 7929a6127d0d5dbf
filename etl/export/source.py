"""What is exported: a filter result's kept rows, one class or both, and their thresholds."""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import datetime

import asyncpg

from etl.errors import UserInputError
from etl.paths import sql_text

CLASSES = ("urban", "other")
CLASS_CHOICES = ("urban", "other", "all")
DEFAULT_THRESHOLDS_M = {"urban": 100.0, "other": 1000.0}  # the original pipeline's defaults


@dataclass(frozen=True)
class ResultInfo:
    name: str
    params: dict
    updated_at: datetime

    def threshold_m(self, cls: str) -> float | None:
        """The spacing threshold of `cls` in metres, looked up in the params the filter stored."""
        return threshold_from_params(self.params, cls)

    def label(self, cls: str) -> str:
        """'urban_100m' / 'other_1000m': the old pipeline's output names; 'urban' without spacing."""
        metres = self.threshold_m(cls)
        return f"{cls}_{format_metres(metres)}m" if metres is not None else cls


def threshold_from_params(params: dict, cls: str) -> float | None:
    """`mlyetl filter` stores {"spacing_urban": 100, "spacing_other": 1000}; nested
    {"spacing": {"urban": 100}} and *_m spellings are accepted too."""
    for key in ("spacing", "spacing_m", "thresholds", "thresholds_m"):
        nested = params.get(key)
        if isinstance(nested, dict) and _number(nested.get(cls)) is not None:
            return _number(nested.get(cls))
    for key in (f"spacing_{cls}", f"{cls}_spacing_m", f"spacing_{cls}_m", f"{cls}_m", f"{cls}_spacing", f"{cls}_threshold_m"):
        if _number(params.get(key)) is not None:
            return _number(params.get(key))
    return None


def _number(value: object) -> float | None:
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        return None
    return float(value) if math.isfinite(value) and value >= 0 else None


def format_metres(metres: float | None) -> str:
    """100.0 -> '100', 12.5 -> '12.5' (only digits and a dot: safe in a file name)."""
    if metres is None:
        return "nospacing"
    return str(int(metres)) if float(metres).is_integer() else f"{metres:g}"


async def load_result(conn: asyncpg.Connection, name: str) -> ResultInfo:
    row = await conn.fetchrow(sql_text("export/result_info.sql"), name)
    if row is None:
        known = await conn.fetch("SELECT name FROM filter_results ORDER BY name LIMIT 10")
        listing = ", ".join(r["name"] for r in known) or "none yet"
        raise UserInputError(
            f"no filter result named {name!r} (known: {listing})",
            hint="run 'mlyetl filter' first, or pick one of the known names",
        )
    if row["state"] != "finished":
        raise UserInputError(
            f"the filter result {name!r} is not finished (a filter run is going on or was interrupted)",
            hint="let 'mlyetl filter' finish, or rerun it with the same arguments to complete it",
        )
    return ResultInfo(name=row["name"], params=row["params"] or {}, updated_at=row["updated_at"])


async def kept_count(conn: asyncpg.Connection, result: str, cls: str) -> int:
    return int(await conn.fetchval(sql_text("export/kept_count.sql"), result, cls))


def classes_of(choice: str) -> tuple[str, ...]:
    return CLASSES if choice == "all" else (choice,)
