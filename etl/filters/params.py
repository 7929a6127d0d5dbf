"""What a filter result is made of: its parameters, validated, and their stored form."""

from __future__ import annotations

import math
from dataclasses import dataclass, field

from etl.boundaries.names import validate_name
from etl.errors import UserInputError
from etl.filters.curation_params import CurationParams

SPACING_MODES = ("path", "straight")


@dataclass(frozen=True)
class FilterParams:
    """One `mlyetl filter` invocation's choices.

    name: the result's name (several results coexist and can be compared).
    continent / urban: layer names (kind continent / urban).
    spacing_urban / spacing_other: thresholds in metres per class.
    spacing_mode: 'path' (sum of steps since the last kept point, the original rule) or
        'straight' (distance to the last kept point).
    exclude_result: leave out every image that result OLD holds.
    """

    name: str
    continent: str
    urban: str
    spacing_urban: float = 100.0
    spacing_other: float = 1000.0
    spacing_mode: str = "path"
    exclude_result: str | None = None
    curation: CurationParams = field(default_factory=CurationParams)  # docs/filters.md, "Curation"

    def validate(self) -> FilterParams:
        validate_name(self.name, "result")
        validate_name(self.continent, "continent")
        validate_name(self.urban, "urban layer")
        if self.exclude_result is not None:
            validate_name(self.exclude_result, "excluded result")
            if self.exclude_result == self.name:
                raise UserInputError(f"--exclude-result {self.name!r} is the result being built",
                                     hint="name an earlier result, or use a new --name")
        for label, value in (("--spacing-urban", self.spacing_urban), ("--spacing-other", self.spacing_other)):
            if not math.isfinite(value) or value < 0:
                raise UserInputError(f"{label} {value} is not a distance", hint="give metres >= 0, e.g. 100")
        if self.spacing_mode not in SPACING_MODES:
            raise UserInputError(f"unknown spacing mode {self.spacing_mode!r}", hint="use path or straight")
        self.curation.validate()
        return self

    def stored(self) -> dict:
        """The parameters kept in filter_results.params (a re-run must match them). A result
        without curation options stores none (as before they existed): its re-runs match."""
        stored = {"continent": self.continent, "urban": self.urban, "spacing_urban": self.spacing_urban,
                  "spacing_other": self.spacing_other, "spacing_mode": self.spacing_mode,
                  "exclude_result": self.exclude_result}
        if self.curation.active:
            stored["curation"] = self.curation.stored()
        return stored
