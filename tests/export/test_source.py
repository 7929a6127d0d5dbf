"""File labels carry the spacing threshold like the old outputs (urban_100m, other_1000m)."""

from __future__ import annotations

from datetime import datetime, timezone

import pytest

from etl.export.source import ResultInfo


@pytest.mark.parametrize("params, urban, other", [
    ({"spacing_urban": 100, "spacing_other": 1000, "spacing_mode": "path"}, "urban_100m", "other_1000m"),
    ({"spacing": {"urban": 12.5, "other": 250}}, "urban_12.5m", "other_250m"),
    ({}, "urban", "other"),
    ({"spacing_urban": "../../x", "spacing_other": -3}, "urban", "other"),  # never text or nonsense in a name
])
def test_labels(params: dict, urban: str, other: str) -> None:
    info = ResultInfo("r", params, datetime.now(timezone.utc))
    assert (info.label("urban"), info.label("other")) == (urban, other)
