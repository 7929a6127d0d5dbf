"""EXIF for a downloaded image: capture time, ids, and GPS latitude/longitude/altitude.

The EXIF block is built directly as TIFF bytes and spliced into the JPEG as an APP1 segment
without re-encoding the picture (no quality loss). GPS follows the EXIF 2.3 layout:
latitude and longitude as degrees, minutes, seconds rationals plus N/S and E/W refs
(latitude is the north-south one: the old scripts swapped them), altitude as metres
with a ref byte (0 above, 1 below sea level).
"""

from __future__ import annotations

import json
import math
import shutil
import struct
from dataclasses import dataclass
from datetime import datetime, timezone
from typing import BinaryIO

from PIL import Image

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


def _dms(value: float) -> tuple[tuple[int, int], tuple[int, int], tuple[int, int]]:
    value = abs(value)
    degrees = int(value)
    minutes = int((value - degrees) * 60)
    seconds = round(((value - degrees) * 60 - minutes) * 60 * SECONDS_DENOMINATOR)
    if seconds >= 60 * SECONDS_DENOMINATOR:  # rounding reached a full minute
        seconds -= 60 * SECONDS_DENOMINATOR
        minutes += 1
    return (degrees, 1), (minutes, 1), (seconds, SECONDS_DENOMINATOR)


def normal_altitude(altitude: float | None) -> float | None:
    """Altitudes the API wrapped as unsigned 32-bit (4294967281 meaning -15) unwrapped."""
    if altitude is None or not math.isfinite(altitude):
        return None
    return altitude - UNSIGNED_WRAP if altitude > UNSIGNED_WRAP / 2 else altitude


# TIFF field types; the block is written by hand (little-endian TIFF, three IFDs) because
# building it with Pillow's Exif costs more CPU than all the rest of a download together
BYTE, ASCII, LONG, RATIONAL = 1, 2, 4, 5
_Entry = tuple[int, int, int, bytes]  # tag, type, count, value bytes


def _ascii(tag: int, text: str) -> _Entry:
    data = text.encode("ascii", "replace") + b"\0"
    return tag, ASCII, len(data), data


def _rationals(tag: int, *values: tuple[int, int]) -> _Entry:
    return tag, RATIONAL, len(values), b"".join(struct.pack("<II", n, d) for n, d in values)


def _ifd_size(entries: list[_Entry]) -> int:
    return 2 + 12 * len(entries) + 4 + sum(len(v) + len(v) % 2 for _, _, _, v in entries if len(v) > 4)


def _ifd(entries: list[_Entry], offset: int) -> bytes:
    """One IFD at TIFF offset `offset`: its entries (sorted by tag), then the values that do
    not fit in an entry."""
    entries = sorted(entries)
    head = [struct.pack("<H", len(entries))]
    data: list[bytes] = []
    data_at = offset + 2 + 12 * len(entries) + 4
    for tag, kind, count, value in entries:
        if len(value) <= 4:
            head.append(struct.pack("<HHI", tag, kind, count) + value.ljust(4, b"\0"))
        else:
            head.append(struct.pack("<HHII", tag, kind, count, data_at))
            padded = value + b"\0" * (len(value) % 2)
            data.append(padded)
            data_at += len(padded)
    head.append(b"\0\0\0\0")  # no next IFD
    return b"".join(head + data)


def _gps(facts: ImageFacts, utc: datetime) -> list[_Entry]:
    gps = [
        (0, BYTE, 4, b"\x02\x03\x00\x00"),
        _ascii(1, "N" if facts.lat >= 0 else "S"), _rationals(2, *_dms(facts.lat)),
        _ascii(3, "E" if facts.lon >= 0 else "W"), _rationals(4, *_dms(facts.lon)),
        _rationals(7, (utc.hour, 1), (utc.minute, 1), (utc.second * 1000 + utc.microsecond // 1000, 1000)),
        _ascii(18, "WGS-84"),
        _ascii(29, utc.strftime("%Y:%m:%d")),
    ]
    altitude = normal_altitude(facts.altitude)
    if altitude is not None:
        gps.append((5, BYTE, 1, b"\x00" if altitude >= 0 else b"\x01"))
        gps.append(_rationals(6, (round(abs(altitude) * 1000), 1000)))
    if facts.compass_angle is not None and math.isfinite(facts.compass_angle):
        gps.append(_ascii(16, "T"))
        gps.append(_rationals(17, (round(facts.compass_angle % 360 * 100), 100)))
    return gps


def exif_bytes(facts: ImageFacts) -> bytes:
    """The EXIF payload ("Exif\\0\\0" + TIFF) for one image."""
    utc = facts.captured_at.astimezone(timezone.utc)
    description = json.dumps({"image_id": str(facts.image_id), "sequence_id": facts.sequence_id,
                              "captured_at": utc.isoformat(timespec="milliseconds").replace("+00:00", "Z")})
    details = [
        _ascii(0x9003, utc.strftime("%Y:%m:%d %H:%M:%S")),  # DateTimeOriginal
        _ascii(0x9011, "+00:00"),  # OffsetTimeOriginal: the time above is UTC
        _ascii(0x9291, f"{utc.microsecond // 1000:03d}"),  # SubSecTimeOriginal (milliseconds)
        _ascii(0xA420, str(facts.image_id)),  # ImageUniqueID
    ]
    gps = _gps(facts, utc)
    main = [_ascii(0x010E, description), _ascii(0x0131, "mlyetl"),
            (EXIF_IFD, LONG, 1, b"\0\0\0\0"), (GPS_IFD, LONG, 1, b"\0\0\0\0")]
    exif_at = 8 + _ifd_size(main)
    gps_at = exif_at + _ifd_size(details)
    main[2] = (EXIF_IFD, LONG, 1, struct.pack("<I", exif_at))
    main[3] = (GPS_IFD, LONG, 1, struct.pack("<I", gps_at))
    return b"".join((b"Exif\0\0II*\0", struct.pack("<I", 8), _ifd(main, 8), _ifd(details, exif_at), _ifd(gps, gps_at)))


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
