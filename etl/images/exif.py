"""EXIF for a downloaded image: capture time, ids, and GPS latitude/longitude/altitude.

The EXIF block is built with Pillow and spliced into the JPEG as an APP1 segment
without re-encoding the picture (no quality loss). GPS follows the EXIF 2.3 layout:
latitude and longitude as degrees, minutes, seconds rationals plus N/S and E/W refs
(latitude is the north-south one: the old scripts swapped them), altitude as metres
with a ref byte (0 above, 1 below sea level).
"""

from __future__ import annotations

import json
import math
import shutil
from dataclasses import dataclass
from datetime import datetime, timezone
from typing import BinaryIO

from PIL import Image
from PIL.TiffImagePlugin import IFDRational

SECONDS_DENOMINATOR = 1_000_000  # 1e-6 arc seconds: ~3e-11 degrees, far below 1e-6
EXIF_IFD, GPS_IFD = 0x8769, 0x8825
UNSIGNED_WRAP = 2**32


@dataclass(frozen=True)
class ImageFacts:
    """What goes into the EXIF of one image (from the images table)."""

    image_id: int
    sequence_id: str
    captured_at: datetime
    lon: float
    lat: float
    altitude: float | None = None
    compass_angle: float | None = None


def _dms(value: float) -> tuple[IFDRational, IFDRational, IFDRational]:
    value = abs(value)
    degrees = int(value)
    minutes = int((value - degrees) * 60)
    seconds = round(((value - degrees) * 60 - minutes) * 60 * SECONDS_DENOMINATOR)
    if seconds >= 60 * SECONDS_DENOMINATOR:  # rounding reached a full minute
        seconds -= 60 * SECONDS_DENOMINATOR
        minutes += 1
    return IFDRational(degrees, 1), IFDRational(minutes, 1), IFDRational(seconds, SECONDS_DENOMINATOR)


def normal_altitude(altitude: float | None) -> float | None:
    """Altitudes the API wrapped as unsigned 32-bit (4294967281 meaning -15) unwrapped."""
    if altitude is None or not math.isfinite(altitude):
        return None
    return altitude - UNSIGNED_WRAP if altitude > UNSIGNED_WRAP / 2 else altitude


def _gps(facts: ImageFacts, utc: datetime) -> dict:
    gps = {
        0: b"\x02\x03\x00\x00",
        1: "N" if facts.lat >= 0 else "S", 2: _dms(facts.lat),
        3: "E" if facts.lon >= 0 else "W", 4: _dms(facts.lon),
        7: (IFDRational(utc.hour, 1), IFDRational(utc.minute, 1), IFDRational(utc.second * 1000 + utc.microsecond // 1000, 1000)),
        18: "WGS-84",
        29: utc.strftime("%Y:%m:%d"),
    }
    altitude = normal_altitude(facts.altitude)
    if altitude is not None:
        gps[5] = b"\x00" if altitude >= 0 else b"\x01"
        gps[6] = IFDRational(round(abs(altitude) * 1000), 1000)
    if facts.compass_angle is not None and math.isfinite(facts.compass_angle):
        gps[16], gps[17] = "T", IFDRational(round(facts.compass_angle % 360 * 100), 100)
    return gps


def exif_bytes(facts: ImageFacts) -> bytes:
    """The EXIF payload ("Exif\\0\\0" + TIFF) for one image."""
    utc = facts.captured_at.astimezone(timezone.utc)
    exif = Image.Exif()
    exif[0x010E] = json.dumps({"image_id": str(facts.image_id), "sequence_id": facts.sequence_id,
                               "captured_at": utc.isoformat(timespec="milliseconds").replace("+00:00", "Z")})
    exif[0x0131] = "mlyetl"
    exif[EXIF_IFD] = {
        0x9003: utc.strftime("%Y:%m:%d %H:%M:%S"),  # DateTimeOriginal
        0x9011: "+00:00",  # OffsetTimeOriginal: the time above is UTC
        0x9291: f"{utc.microsecond // 1000:03d}",  # SubSecTimeOriginal (milliseconds)
        0xA420: str(facts.image_id),  # ImageUniqueID
    }
    exif[GPS_IFD] = _gps(facts, utc)
    return exif.tobytes()


def _segments(source: BinaryIO) -> list[tuple[int, bytes]]:
    """(marker, payload) of the JPEG header segments up to, not including, SOS."""
    if source.read(2) != b"\xff\xd8":
        raise ValueError("not a JPEG (no SOI marker)")
    found = []
    while True:
        head = source.read(4)
        if len(head) < 4 or head[0] != 0xFF:
            raise ValueError("broken JPEG header")
        marker, length = head[1], int.from_bytes(head[2:4], "big")
        if marker == 0xDA:  # start of scan: the rest is copied as is
            source.seek(-4, 1)
            return found
        payload = source.read(length - 2)
        if len(payload) != length - 2:
            raise ValueError("truncated JPEG header")
        found.append((marker, payload))


def write_with_exif(source: BinaryIO, target: BinaryIO, exif: bytes) -> None:
    """Copy a JPEG, replacing any EXIF APP1 with `exif` (after a JFIF APP0 if there is one)."""
    if len(exif) + 2 > 0xFFFF:
        raise ValueError("EXIF block too large for one APP1 segment")
    segments = [(m, p) for m, p in _segments(source) if not (m == 0xE1 and p.startswith(b"Exif\x00\x00"))]
    target.write(b"\xff\xd8")
    app1 = (0xE1, exif)
    ordered = segments[:1] + [app1] + segments[1:] if segments and segments[0][0] == 0xE0 else [app1] + segments
    for marker, payload in ordered:
        target.write(bytes((0xFF, marker)) + (len(payload) + 2).to_bytes(2, "big") + payload)
    shutil.copyfileobj(source, target, 1 << 20)


def read_gps(path: str) -> tuple[float, float, float | None]:
    """(lat, lon, altitude) read back from a file's EXIF: for checks and tests."""
    gps = Image.open(path).getexif().get_ifd(GPS_IFD)

    def degrees(dms: tuple, ref: str, negative: str) -> float:
        value = float(dms[0]) + float(dms[1]) / 60 + float(dms[2]) / 3600
        return -value if ref == negative else value

    altitude = None
    if 6 in gps:
        altitude = float(gps[6]) * (-1 if gps.get(5) in (b"\x01", 1) else 1)
    return degrees(gps[2], gps[1], "S"), degrees(gps[4], gps[3], "W"), altitude
