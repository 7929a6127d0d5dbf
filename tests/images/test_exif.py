"""EXIF written without re-encoding: GPS (lat is lat!), altitude sign, capture time, ids."""

from __future__ import annotations

import io
import json
from datetime import datetime, timezone
from pathlib import Path

import pytest
from PIL import Image

from etl.images.exif import ImageFacts, exif_bytes, normal_altitude, read_gps, write_with_exif
from etl.images.finish import resized_size


def _jpeg(size: tuple[int, int] = (320, 200), exif: bytes | None = None) -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", size, (200, 30, 60)).save(buffer, "JPEG", **({"exif": exif} if exif else {}))
    return buffer.getvalue()


@pytest.mark.parametrize("lat, lon, alt", [(46.5187552768, 6.6321037466, 75.166), (-33.8688197, -151.2092955, -15.5),
                                           (0.0000004, 179.9999996, None), (89.99999999, -0.00000001, 4294967281.0)])
def test_gps_round_trips_within_1e_6_degrees(tmp_path: Path, lat: float, lon: float, alt: float | None) -> None:
    facts = ImageFacts(123456789012345, "seqKEY_0123456789abcde", datetime(2021, 5, 1, 12, 0, 3, 456000, tzinfo=timezone.utc),
                       lon, lat, alt, 359.99)
    original = _jpeg(exif=Image.Exif().tobytes())  # an EXIF block of its own: replaced, not doubled
    target = io.BytesIO()
    write_with_exif(io.BytesIO(original), target, exif_bytes(facts))
    path = tmp_path / "x.jpg"
    path.write_bytes(target.getvalue())
    got_lat, got_lon, got_alt = read_gps(str(path))
    assert abs(got_lat - lat) < 1e-6 and abs(got_lon - lon) < 1e-6
    assert got_alt == (None if alt is None else pytest.approx(normal_altitude(alt), abs=1e-3))
    with Image.open(path) as image:
        image.load()
        exif = image.getexif()
        assert image.size == (320, 200)
        assert target.getvalue().count(b"Exif\x00\x00") == 1
    described = json.loads(exif[0x010E])
    assert described == {"image_id": "123456789012345", "sequence_id": "seqKEY_0123456789abcde",
                         "captured_at": "2021-05-01T12:00:03.456Z"}
    details = exif.get_ifd(0x8769)
    assert details[0x9003] == "2021:05:01 12:00:03" and details[0x9011] == "+00:00" and details[0xA420] == "123456789012345"


def test_picture_bytes_are_not_re_encoded() -> None:
    original = _jpeg()
    target = io.BytesIO()
    facts = ImageFacts(1, "s", datetime(2020, 1, 1, tzinfo=timezone.utc), 1.0, 2.0)
    write_with_exif(io.BytesIO(original), target, exif_bytes(facts))
    scan = original.index(b"\xff\xda")
    assert target.getvalue().endswith(original[scan:])


@pytest.mark.parametrize("dims, side, expected", [((4000, 3000), 256, (256, 192)), ((3000, 4000), 256, (192, 256)),
                                                  ((100, 50), 256, (100, 50)), ((2048, 1024), 1000, (1000, 500))])
def test_resize_keeps_the_aspect_ratio_and_never_enlarges(dims: tuple, side: int, expected: tuple) -> None:
    assert resized_size(dims, side) == expected
