"""Compact encodings for the page's data: Google's encoded polyline (what PostGIS's
ST_AsEncodedPolyline writes, decoded by the page's script) for rings drawn from Python."""

from __future__ import annotations

from collections.abc import Iterable


def _number(value: int) -> str:
    value = ~(value << 1) if value < 0 else value << 1
    out = []
    while value >= 0x20:
        out.append(chr((0x20 | (value & 0x1F)) + 63))
        value >>= 5
    out.append(chr(value + 63))
    return "".join(out)


def polyline(coords: Iterable[tuple[float, ...]], precision: int = 5) -> str:
    """Encode (lon, lat) pairs as ST_AsEncodedPolyline does (lat first, then lon)."""
    factor = 10**precision
    out, last_lat, last_lon = [], 0, 0
    for c in coords:
        lat, lon = round(c[1] * factor), round(c[0] * factor)
        out.append(_number(lat - last_lat) + _number(lon - last_lon))
        last_lat, last_lon = lat, lon
    return "".join(out)
