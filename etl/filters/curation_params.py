"""The curation options of a filter result (attribute filters, cross-sequence thinning,
per-cell caps), validated, and their stored form. The command-line options that fill them
are declared once, in etl/commands/_curation_options.py.

Rules, in this order (docs/filters.md, "Curation"): attribute filters (an image that fails
them takes no part in spacing), per-sequence spacing, thinning per class, caps per (cell,
class).
"""

from __future__ import annotations

import math
from dataclasses import dataclass, replace
from datetime import datetime, timezone

from etl.errors import UserInputError

PANO_CHOICES = ("include", "exclude", "only")
PRIORITIES = ("newest", "oldest", "quality", "random")
DEFAULT_CELL_SIZE = 1000.0  # metres, when --max-per-cell is given without --cell-size
MAX_DISTANCE = 100_000.0  # metres: thinning beyond this is not what the rule is for
CELL_SIZE_RANGE = (1.0, 1_000_000.0)


def parse_utc(text: str, option: str) -> datetime:
    """A date or date-time (ISO 8601); without a zone it is UTC."""
    try:
        value = datetime.fromisoformat(text.strip())
    except ValueError:
        raise UserInputError(f"{option} {text!r} is not a date",
                             hint="give an ISO date or date-time, e.g. 2020-06-01 or 2020-06-01T12:00:00Z") from None
    return value.replace(tzinfo=timezone.utc) if value.tzinfo is None else value.astimezone(timezone.utc)


@dataclass(frozen=True)
class CurationParams:
    """captured_after: captured at or after (UTC); captured_before: strictly before.
    pano: include (all), exclude (no panoramas; an unknown is_pano is no panorama), only.
    camera_types: allowed camera_type values (empty: any; an unknown type fails a non-empty list).
    min_quality: quality_score >= this (an unknown score fails).
    daylight: the sun above the horizon at the capture time and place.
    min_distance_urban / min_distance_other: thinning across sequences per class (metres, 0: off).
    priority / seed: the order in which thinning and caps take images.
    max_per_cell / cell_size: at most N kept images per (cell, class) of the equal-area grid."""

    captured_after: datetime | None = None
    captured_before: datetime | None = None
    pano: str = "include"
    camera_types: tuple[str, ...] = ()
    min_quality: float | None = None
    daylight: bool = False
    min_distance_urban: float = 0.0
    min_distance_other: float = 0.0
    priority: str = "newest"
    seed: int | None = None
    max_per_cell: int | None = None
    cell_size: float | None = None

    @property
    def filters_attributes(self) -> bool:
        return (self.captured_after is not None or self.captured_before is not None or self.pano != "include"
                or bool(self.camera_types) or self.min_quality is not None or self.daylight)

    @property
    def thins(self) -> bool:
        return self.min_distance_urban > 0 or self.min_distance_other > 0

    @property
    def curates(self) -> bool:
        """Does the result keep a candidates table (thinning, caps or cell ids after spacing)?"""
        return self.thins or self.max_per_cell is not None or self.cell_size is not None

    @property
    def active(self) -> bool:
        return self.filters_attributes or self.curates

    @property
    def effective_cell_size(self) -> float | None:
        if self.cell_size is not None:
            return self.cell_size
        return DEFAULT_CELL_SIZE if self.max_per_cell is not None else None

    def with_defaults(self) -> CurationParams:
        """The same choices with implied values written out (the cell size of a cap)."""
        seed = (self.seed or 0) if self.priority == "random" else None
        return replace(self, cell_size=self.effective_cell_size, seed=seed,
                       camera_types=tuple(sorted(set(self.camera_types))))

    def validate(self) -> CurationParams:
        after, before = self.captured_after, self.captured_before
        if after is not None and before is not None and after >= before:
            raise UserInputError(f"--captured-after {after.isoformat()} is not before --captured-before "
                                 f"{before.isoformat()}", hint="give an earlier --captured-after or a later --captured-before")
        if self.pano not in PANO_CHOICES:
            raise UserInputError(f"unknown --pano {self.pano!r}", hint="use include, exclude or only")
        for camera in self.camera_types:
            if not camera.strip():
                raise UserInputError("--camera-type is empty", hint="name a camera type, e.g. perspective")
        if self.min_quality is not None and not math.isfinite(self.min_quality):
            raise UserInputError(f"--min-quality {self.min_quality} is not a number", hint="give a score, e.g. 0.5")
        for label, value in (("--min-distance-urban", self.min_distance_urban),
                             ("--min-distance-other", self.min_distance_other)):
            if not math.isfinite(value) or value < 0 or value > MAX_DISTANCE:
                raise UserInputError(f"{label} {value} is not a distance",
                                     hint=f"give metres from 0 (off) to {MAX_DISTANCE:,.0f}, e.g. 50")
        if self.priority not in PRIORITIES:
            raise UserInputError(f"unknown --priority {self.priority!r}", hint="use newest, oldest, quality or random")
        if self.seed is not None and self.priority != "random":
            raise UserInputError("--seed is only used with --priority random", hint="add --priority random or drop --seed")
        if self.seed is not None and not 0 <= self.seed < 2**63:
            raise UserInputError(f"--seed {self.seed} is out of range", hint="give an integer from 0 to 2^63-1")
        if self.max_per_cell is not None and self.max_per_cell < 1:
            raise UserInputError(f"--max-per-cell {self.max_per_cell} keeps nothing", hint="give at least 1")
        if self.cell_size is not None:
            low, high = CELL_SIZE_RANGE
            if not math.isfinite(self.cell_size) or not low <= self.cell_size <= high:
                raise UserInputError(f"--cell-size {self.cell_size} is not a cell size",
                                     hint=f"give metres from {low:g} to {high:,.0f}, e.g. 1000")
        return self

    def stored(self) -> dict:
        """The stored form (filter_results.params["curation"]), with implied values written out."""
        full = self.with_defaults()
        return {"captured_after": full.captured_after.isoformat() if full.captured_after else None,
                "captured_before": full.captured_before.isoformat() if full.captured_before else None,
                "pano": full.pano, "camera_types": list(full.camera_types), "min_quality": full.min_quality,
                "daylight": full.daylight, "min_distance_urban": full.min_distance_urban,
                "min_distance_other": full.min_distance_other, "priority": full.priority,
                "seed": full.seed,
                "max_per_cell": full.max_per_cell, "cell_size": full.cell_size}


def _number(text: str | None, option: str, kind: type, example: str) -> float | int | None:
    if text is None:
        return None
    try:
        return kind(str(text).strip())
    except ValueError:
        what = "an integer" if kind is int else "a number"
        raise UserInputError(f"{option} {text!r} is not {what}", hint=f"e.g. {option} {example}") from None


def _texts(value: object) -> tuple[str, ...]:
    """One text or a list of them (a config may write `camera_type = "fisheye"`)."""
    if value is None:
        return ()
    return (str(value),) if isinstance(value, str) else tuple(str(v) for v in value)  # type: ignore[union-attr]


def _flag(value: object, option: str) -> bool:
    """A flag's value, strictly: a config's "false" is false, "maybe" an error."""
    if value is None or isinstance(value, bool):
        return bool(value)
    if isinstance(value, str) and value.strip().lower() in ("true", "yes", "on", "1", "false", "no", "off", "0"):
        return value.strip().lower() in ("true", "yes", "on", "1")
    raise UserInputError(f"{option} {value!r} is not a boolean", hint="use true or false")


def curation_from_options(values: dict) -> CurationParams:
    """CurationParams from the options' raw values (keyed like click's parameter names)."""
    after, before = values.get("captured_after"), values.get("captured_before")
    params = CurationParams(
        captured_after=parse_utc(after, "--captured-after") if after else None,
        captured_before=parse_utc(before, "--captured-before") if before else None,
        pano=str(values.get("pano") or "include").strip().lower(),
        camera_types=_texts(values.get("camera_type")),
        min_quality=_number(values.get("min_quality"), "--min-quality", float, "0.5"),
        daylight=_flag(values.get("daylight"), "--daylight"),
        min_distance_urban=_number(values.get("min_distance_urban"), "--min-distance-urban", float, "50") or 0.0,
        min_distance_other=_number(values.get("min_distance_other"), "--min-distance-other", float, "300") or 0.0,
        priority=str(values.get("priority") or "newest").strip().lower(),
        seed=_number(values.get("seed"), "--seed", int, "42"),
        max_per_cell=_number(values.get("max_per_cell"), "--max-per-cell", int, "20"),
        cell_size=_number(values.get("cell_size"), "--cell-size", float, "1000"),
    )
    return params.validate()


# The curation's config keys (and, with '-' for '_', its command-line options).
CURATION_KEYS = ("captured_after", "captured_before", "pano", "camera_type", "min_quality", "daylight",
                 "min_distance_urban", "min_distance_other", "priority", "seed", "max_per_cell", "cell_size")


def curation_argv(params: CurationParams, keys: list[str] | None = None) -> list[str]:
    """The command-line options that give `params` (the non-default ones, or `keys` in order)."""
    values = {"captured_after": params.captured_after.isoformat() if params.captured_after else None,
              "captured_before": params.captured_before.isoformat() if params.captured_before else None,
              "pano": None if params.pano == "include" else params.pano,
              "camera_type": list(params.camera_types) or None, "min_quality": params.min_quality,
              "daylight": params.daylight or None, "min_distance_urban": params.min_distance_urban or None,
              "min_distance_other": params.min_distance_other or None,
              "priority": None if params.priority == "newest" else params.priority, "seed": params.seed,
              "max_per_cell": params.max_per_cell, "cell_size": params.cell_size}
    argv: list[str] = []
    for key in keys if keys is not None else CURATION_KEYS:
        value, flag = values[key], "--" + key.replace("_", "-")
        if value is True:
            argv.append(flag)
        elif isinstance(value, list):
            for item in value:
                argv += [flag, str(item)]
        elif value is not None:
            argv += [flag, f"{value:g}" if isinstance(value, float) else str(value)]
    return argv
