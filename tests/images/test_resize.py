"""--resize keeps the aspect ratio, with and without draft (reduced-scale) decoding."""

from __future__ import annotations

from pathlib import Path

import pytest
from PIL import Image, ImageDraw

from etl.images.finish import resize_existing, resized_size


def _jpeg(path: Path, size: tuple[int, int]) -> Path:
    image = Image.new("RGB", size, (40, 90, 160))
    draw = ImageDraw.Draw(image)
    for x in range(0, size[0], 37):  # detail, so that decoding at a reduced scale has work to save
        draw.line([(x, 0), (size[0] - x, size[1])], fill=(x % 255, 200, 30), width=3)
    image.save(path, "JPEG", quality=90)
    return path


@pytest.mark.parametrize("dims", [(2048, 1536), (1536, 2048), (2048, 1024), (2048, 2048), (2048, 1151)])
@pytest.mark.parametrize("draft", [True, False])
def test_resize_keeps_the_aspect_ratio(tmp_path: Path, dims: tuple[int, int], draft: bool) -> None:
    source = _jpeg(tmp_path / "source.jpg", dims)
    target = tmp_path / "small.jpg"
    resize_existing(source, target, 512, draft)
    with Image.open(target) as small:
        small.load()
        assert max(small.size) == 512
        assert small.size == resized_size(dims, 512)
        assert abs(small.size[0] / small.size[1] - dims[0] / dims[1]) <= 1 / min(small.size)  # within a pixel


def test_resize_never_enlarges() -> None:
    assert resized_size((300, 200), 512) == (300, 200)
    assert resized_size((4000, 3000), 1024) == (1024, 768)
