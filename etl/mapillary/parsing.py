"""Mapillary answers in, database rows out: pure functions, no I/O.

A row is a tuple in the column order of the crawl staging table
(sql/crawl/staging.sql). Building plain tuples straight from orjson's dicts is
the cheapest way to feed a binary COPY; it is the crawler's hot loop, so it
avoids per-field helper calls.
"""

from __future__ import annotations

from collections.abc import Iterable

import orjson

# Every documented image field except the signed thumbnail URLs: they expire
# within hours, so the download stage asks for fresh ones instead.
IMAGE_FIELDS = (
    "id,sequence,captured_at,geometry,computed_geometry,compass_angle,computed_compass_angle,"
    "altitude,computed_altitude,is_pano,camera_type,make,model,width,height,creator,"
    "organization_id,quality_score"
)
STAGING_COLUMNS = (
    "id", "sequence_id", "captured_ms", "lon", "lat", "geom_is_computed", "orig_lon", "orig_lat",
    "compass_angle", "computed_compass_angle", "altitude", "computed_altitude", "is_pano",
    "camera_type", "make", "model", "width", "height", "creator_id", "creator_username",
    "organization_id", "quality_score", "check_area",
)
_UINT32 = 4_294_967_296
_INT31 = 2_147_483_648


class BadAnswer(ValueError):
    """A 200 answer whose body is not what the endpoint promises (cut or garbled)."""


def data_list(body: bytes) -> list[dict]:
    """The `data` list of a collection answer."""
    try:
        parsed = orjson.loads(body)
    except orjson.JSONDecodeError as error:
        raise BadAnswer(f"answer is not JSON: {error}") from None
    data = parsed.get("data") if isinstance(parsed, dict) else None
    if not isinstance(data, list):
        raise BadAnswer("answer has no data list")
    return data


def _altitude(value: object) -> float | None:
    """Altitudes wrapped as unsigned 32-bit integers (4294967281 = -15) are unwrapped."""
    if value is None:
        return None
    value = float(value)  # type: ignore[arg-type]
    return value - _UINT32 if value >= _INT31 else value


def image_row(rec: dict, check_area: bool) -> tuple | None:
    """One staging row; None when a required field (id, sequence, time, position) is missing.

    Written flat (no helper per field): it runs once per image.
    """
    get = rec.get
    comp, orig = get("computed_geometry"), get("geometry")
    seq, when, ident = get("sequence"), get("captured_at"), get("id")
    if ident is None or not seq or when is None or (comp is None and orig is None):
        return None
    ocoords = orig["coordinates"] if orig else (None, None)
    lon, lat = comp["coordinates"] if comp else ocoords
    creator = get("creator")
    cid = creator.get("id") if creator else None
    alt, calt = get("altitude"), get("computed_altitude")
    width, height, org = get("width"), get("height"), get("organization_id")
    return (
        int(ident), seq, int(when), lon, lat, comp is not None, ocoords[0], ocoords[1],
        get("compass_angle"), get("computed_compass_angle"),
        alt if alt is None or alt < _INT31 else _altitude(alt),
        calt if calt is None or calt < _INT31 else _altitude(calt),
        get("is_pano") is True, get("camera_type"), get("make") or None, get("model") or None,
        None if width is None else int(width), None if height is None else int(height),
        int(cid) if cid else None, creator.get("username") if creator else None,
        int(org) if org else None, get("quality_score"), check_area,
    )


def image_rows(records: Iterable[dict], check_area: bool) -> tuple[list[tuple], int]:
    """(rows, number of records skipped for lacking a required field)."""
    rows, skipped = [], 0
    for rec in records:
        try:
            row = image_row(rec, check_area)
        except (TypeError, ValueError, KeyError, IndexError):
            row = None
        if row is None:
            skipped += 1
        else:
            rows.append(row)
    return rows, skipped


def count_records(body: bytes) -> int:
    """Records in an /images answer without parsing it (to decide on a split cheaply).

    Counts the `"sequence":` keys: inside a JSON string a quote is escaped, so the
    bytes cannot occur there. Every record asked for has a sequence (required).
    """
    return body.count(b'"sequence":')


def ids_of(body: bytes) -> list[int]:
    """Ids of an /image_ids answer, in capture order."""
    return [int(r["id"]) for r in data_list(body)]
