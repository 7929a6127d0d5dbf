"""Image keys come only from enums and numbers, and a folder sink never leaves --out."""

from __future__ import annotations

from datetime import datetime, timezone
from pathlib import Path

import pytest

from etl.errors import UserInputError
from etl.export.source import ResultInfo
from etl.images.layout import Layout
from etl.images.sink import LocalSink, S3Sink, open_sink


def _layout(params: dict, resize: int | None = None) -> Layout:
    return Layout(ResultInfo("../../evil/name", params, datetime.now(timezone.utc)), "1024", resize)


def test_keys_are_built_from_class_threshold_size_and_id(tmp_path: Path) -> None:
    layout = _layout({"spacing_urban": 100, "spacing_other": 1000}, resize=512)
    assert layout.image_key("urban", 42) == "urban_100m/1024/42.jpg"
    assert layout.resized_key("other", 7) == "other_1000m/1024_resized_512/7.jpg"
    sink = LocalSink(tmp_path)
    assert sink.path(layout.image_key("urban", 42)) == tmp_path.resolve() / "urban_100m" / "1024" / "42.jpg"


@pytest.mark.parametrize("cls", ["../x", "urban/../../x", ""])
def test_anything_but_a_known_class_is_refused(cls: str) -> None:
    with pytest.raises(ValueError):
        _layout({}).image_key(cls, 1)


def test_ids_must_be_numbers() -> None:
    with pytest.raises(ValueError):
        _layout({}).image_key("urban", "../../etc/passwd")  # type: ignore[arg-type]


def test_a_folder_sink_refuses_keys_outside_its_root(tmp_path: Path) -> None:
    with pytest.raises(ValueError):
        LocalSink(tmp_path).path("../../elsewhere/1.jpg")
    with pytest.raises(ValueError):
        LocalSink(tmp_path).path("urban/1024/passwd")


def test_destinations() -> None:
    sink = open_sink("s3://bucket/some/prefix/")
    assert isinstance(sink, S3Sink) and sink.destination == "s3://bucket/some/prefix"
    assert sink.location("urban_100m/1024/42.jpg") == "s3://bucket/some/prefix/urban_100m/1024/42.jpg"
    with pytest.raises(UserInputError):
        open_sink("s3://AKIAKEY:secret@bucket/prefix")
    with pytest.raises(UserInputError):
        open_sink("gs://bucket/prefix")
