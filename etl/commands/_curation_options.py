"""The curation options of `mlyetl filter` (and so of the [filter] section of `mlyetl
run` configs), declared once: `curation_options` adds them to a click command and hands it
one CurationParams as `curation`. Values arrive as text and are parsed here, so that every
bad value is a one-line error (exit 2) naming the option and the fix.
"""

from __future__ import annotations

import functools
from collections.abc import Callable

import click

from etl.filters.curation_params import PANO_CHOICES, PRIORITIES, curation_from_options

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
