"""The curation options of `mlyetl filter` (and so of the [filter] section of `mlyetl
run` configs), declared once: `curation_options` adds them to a click command and hands it
one CurationParams as `curation`. Values arrive as text and are parsed here, so that every
bad value is a one-line error (exit 2) naming the option and the fix.
"""

from __future__ import annotations

import functools
from collections.abc import Callable

import click

from etl.errors import UserInputError
from etl.filters.curation_params import PANO_CHOICES, PRIORITIES, CurationParams, parse_utc

# (option, help); in the order of the rules (docs/filters.md, "Curation")
OPTIONS: tuple[tuple[str, dict], ...] = (
    ("--captured-after", {"metavar": "DATE", "help": "Keep images captured at or after DATE (ISO date or date-time; UTC "
                                                     "unless it names a zone)."}),
    ("--captured-before", {"metavar": "DATE", "help": "Keep images captured before DATE."}),
    ("--pano", {"metavar": "|".join(PANO_CHOICES), "default": "include", "show_default": True,
                "help": "Panoramas: include them, exclude them, or keep only them (an unknown is_pano is no panorama)."}),
    ("--camera-type", {"metavar": "TYPE", "multiple": True,
                       "help": "Keep only this camera_type (repeatable; an unknown type fails)."}),
    ("--min-quality", {"metavar": "Q", "help": "Keep images whose quality_score >= Q (an unknown score fails)."}),
    ("--daylight", {"is_flag": True, "help": "Keep images taken with the sun above the horizon (NOAA solar position)."}),
    ("--min-distance-urban", {"metavar": "M", "help": "Thin urban images across sequences: none kept closer than M "
                                                      "metres to another kept one (haversine)."}),
    ("--min-distance-other", {"metavar": "M", "help": "The same for the other class."}),
    ("--priority", {"metavar": "|".join(PRIORITIES), "default": "newest", "show_default": True,
                    "help": "Order in which thinning and caps take images: newest / oldest capture first, highest "
                            "quality_score first (then newest), or a seeded random order."}),
    ("--seed", {"metavar": "N", "help": "Seed of --priority random (default 0)."}),
    ("--max-per-cell", {"metavar": "N", "help": "Keep at most N images per (cell, class), the first in priority order."}),
    ("--cell-size", {"metavar": "M", "help": "Side in metres of the equal-area grid's cells (default 1000 with "
                                             "--max-per-cell); every kept image gets its cell_id."}),
)


def _number(text: str | None, option: str, kind: type, example: str) -> float | int | None:
    if text is None:
        return None
    try:
        return kind(str(text).strip())
    except ValueError:
        what = "an integer" if kind is int else "a number"
        raise UserInputError(f"{option} {text!r} is not {what}", hint=f"e.g. {option} {example}") from None


def curation_from_options(values: dict) -> CurationParams:
    """CurationParams from the options' raw values (keyed like click's parameter names)."""
    after, before = values.get("captured_after"), values.get("captured_before")
    params = CurationParams(
        captured_after=parse_utc(after, "--captured-after") if after else None,
        captured_before=parse_utc(before, "--captured-before") if before else None,
        pano=str(values.get("pano") or "include").strip().lower(),
        camera_types=tuple(values.get("camera_type") or ()),
        min_quality=_number(values.get("min_quality"), "--min-quality", float, "0.5"),
        daylight=bool(values.get("daylight")),
        min_distance_urban=_number(values.get("min_distance_urban"), "--min-distance-urban", float, "50") or 0.0,
        min_distance_other=_number(values.get("min_distance_other"), "--min-distance-other", float, "300") or 0.0,
        priority=str(values.get("priority") or "newest").strip().lower(),
        seed=_number(values.get("seed"), "--seed", int, "42"),
        max_per_cell=_number(values.get("max_per_cell"), "--max-per-cell", int, "20"),
        cell_size=_number(values.get("cell_size"), "--cell-size", float, "1000"),
    )
    return params.validate()


def _param_name(flag: str) -> str:
    return flag.lstrip("-").replace("-", "_")


def curation_options(func: Callable) -> Callable:
    """Add the curation options to a click command; it receives them as `curation`."""
    names = [_param_name(flag) for flag, _ in OPTIONS]

    @functools.wraps(func)
    def wrapper(*args, **kwargs):  # noqa: ANN202
        values = {name: kwargs.pop(name) for name in names}
        return func(*args, curation=curation_from_options(values), **kwargs)

    for flag, settings in reversed(OPTIONS):
        wrapper = click.option(flag, **settings)(wrapper)
    return wrapper
