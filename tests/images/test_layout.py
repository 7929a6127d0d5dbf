"""Image paths come only from enums and numbers, and never leave --out."""

from __future__ import annotations

from datetime import datetime, timezone
from pathlib import Path

import pytest

from etl.export.source import ResultInfo
from etl.images.layout import Layout


def _layout(tmp_path: Path, params: dict, resize: int | None = None) -> Layout:
    return Layout(tmp_path, ResultInfo("../../evil/name", params, datetime.now(timezone.utc)), "1024", resize)


def test_paths_are_built_from_class_threshold_size_and_id(tmp_path: Path) -> None:
    layout = _layout(tmp_path, {"spacing_urban": 100, "spacing_other": 1000}, resize=512)
    assert layout.image_path("urban", 42) == tmp_path / "urban_100m" / "1024" / "42.jpg"
    assert layout.resized_path("other", 7) == tmp_path / "other_1000m" / "1024_resized_512" / "7.jpg"


@pytest.mark.parametrize("cls", ["../x", "urban/../../x", ""])
def test_anything_but_a_known_class_is_refused(tmp_path: Path, cls: str) -> None:
    with pytest.raises(ValueError):
        _layout(tmp_path, {}).image_path(cls, 1)


def test_ids_must_be_numbers(tmp_path: Path) -> None:
    with pytest.raises(ValueError):
        _layout(tmp_path, {}).image_path("urban", "../../etc/passwd")  # type: ignore[arg-type]
