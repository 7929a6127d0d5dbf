"""Mapillary answers in, database rows out: pure functions, no I/O.

A row is a tuple in the column order of `IMAGE_COLUMNS` (the `images` table's
own columns), ready for a binary COPY: positions are EWKB bytes and the capture
time is PostgreSQL's own integer form, microseconds since 2000-01-01 UTC, so
the writer's connection sends both with asyncpg's C codecs for bytea and int8
(etl/crawl/codecs.py). Parsing is the crawler's hot loop: an answer is decoded by
msgspec straight into typed structs (about 3x cheaper than dicts), and only an
answer that does not fit the documented types falls back to the lenient
dict-based path, which judges record by record.
"""

from __future__ import annotations

import struct
from collections.abc import Iterable

import msgspec
import orjson

# Every documented image field we keep, except the signed thumbnail URLs: they expire
# within hours, so the download stage asks for fresh ones instead. `organization_id` is
# not asked for: it is a search filter, no source documents it as an image field, and the
# real API was recorded rejecting it; the column is filled from what is known instead
# (the --organization-id filter, tile properties).
IMAGE_FIELDS = (
    "id,sequence,captured_at,geometry,computed_geometry,compass_angle,computed_compass_angle,"
    "altitude,computed_altitude,is_pano,camera_type,make,model,width,height,creator,quality_score"
)
REQUIRED_FIELDS = frozenset({"id", "sequence", "captured_at", "geometry"})  # a record is useless without them
IMAGE_COLUMNS = (
    "id", "sequence_id", "captured_at", "geom", "geom_is_computed", "original_geom",
    "compass_angle", "computed_compass_angle", "altitude", "computed_altitude", "is_pano",
    "camera_type", "make", "model", "width", "height", "creator_id", "creator_username",
    "organization_id", "quality_score",
)
_UINT32 = 4_294_967_296
_INT31 = 2_147_483_648
_EWKB_POINT = struct.Struct("<BIidd").pack  # little endian, Point with SRID flag, SRID, x, y
PG_EPOCH_MS = 946_684_800_000  # 2000-01-01 UTC, PostgreSQL's timestamp origin, in Unix ms
_POINT_SRID = 0x20000001


def point_ewkb(lon: float, lat: float) -> bytes:
    """A geometry(Point, 4326) value as PostGIS reads it in binary COPY."""
    return _EWKB_POINT(1, _POINT_SRID, 4326, lon, lat)


class BadAnswer(ValueError):
    """A 200 answer whose body is not what the endpoint promises (cut or garbled)."""


# --- the fast path: typed decoding ------------------------------------------------------
# gc=False: the structs hold no reference cycles, so the cyclic GC need not track the
# ~8,000 objects of every answer (tracking them made collections a third of decoding).

class _Point(msgspec.Struct, gc=False):
    coordinates: tuple[float, float]


class _Creator(msgspec.Struct, gc=False):
    id: int | None = None
    username: str | None = None


class _Image(msgspec.Struct, gc=False):
    id: int | None = None
    sequence: str | None = None
    captured_at: int | None = None
    geometry: _Point | None = None
    computed_geometry: _Point | None = None
    compass_angle: float | None = None
    computed_compass_angle: float | None = None
    altitude: float | None = None
    computed_altitude: float | None = None
    is_pano: bool | None = None
    camera_type: str | None = None
    make: str | None = None
    model: str | None = None
    width: int | None = None
    height: int | None = None
    creator: _Creator | None = None
    organization_id: int | None = None
    quality_score: float | None = None


class _Page(msgspec.Struct, gc=False):
    data: list[_Image]


# strict=False: ids arrive as strings ("528690975866893") and are read as integers.
_decode_page = msgspec.json.Decoder(_Page, strict=False).decode


def _typed_rows(images: list[_Image]) -> tuple[list[tuple], int]:
    rows, skipped = [], 0
    append = rows.append
    for r in images:
        comp, orig = r.computed_geometry, r.geometry
        if r.id is None or not r.sequence or r.captured_at is None or (comp is None and orig is None):
            skipped += 1
            continue
        oewkb = _EWKB_POINT(1, _POINT_SRID, 4326, *orig.coordinates) if orig is not None else None
        alt, calt, creator = r.altitude, r.computed_altitude, r.creator
        append((
            r.id, r.sequence, (r.captured_at - PG_EPOCH_MS) * 1000,
            _EWKB_POINT(1, _POINT_SRID, 4326, *comp.coordinates) if comp is not None else oewkb,
            comp is not None, oewkb, r.compass_angle, r.computed_compass_angle,
            alt if alt is None or alt < _INT31 else alt - _UINT32,
            calt if calt is None or calt < _INT31 else calt - _UINT32,
            r.is_pano is True, r.camera_type, r.make or None, r.model or None, r.width, r.height,
            (creator.id or None) if creator else None, creator.username if creator else None,
            r.organization_id or None, r.quality_score,
        ))
    return rows, skipped


def answer_rows(body: bytes) -> tuple[list[tuple], int]:
    """(rows, records skipped for lacking a required field) of an /images answer."""
    try:
        return _typed_rows(_decode_page(body).data)
    except (msgspec.ValidationError, OverflowError):
        return image_rows(data_list(body))  # unusual types: judge record by record
    except msgspec.DecodeError as error:
        raise BadAnswer(f"answer is not JSON: {error}") from None


# --- the lenient path: dicts, one record at a time ---------------------------------------

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


def image_row(rec: dict) -> tuple | None:
    """One row from a record dict; None when a required field (id, sequence, time, position) is missing."""
    get = rec.get
    comp, orig = get("computed_geometry"), get("geometry")
    seq, when, ident = get("sequence"), get("captured_at"), get("id")
    if ident is None or not seq or when is None or (comp is None and orig is None):
        return None
    opoint = point_ewkb(*map(float, orig["coordinates"][:2])) if orig else None
    creator = get("creator")
    cid = creator.get("id") if creator else None
    width, height, org = get("width"), get("height"), get("organization_id")
    return (
        int(ident), seq, (int(when) - PG_EPOCH_MS) * 1000, point_ewkb(*map(float, comp["coordinates"][:2])) if comp else opoint,
        comp is not None, opoint, get("compass_angle"), get("computed_compass_angle"),
        _altitude(get("altitude")), _altitude(get("computed_altitude")),
        get("is_pano") is True, get("camera_type"), get("make") or None, get("model") or None,
        None if width is None else int(width), None if height is None else int(height),
        int(cid) if cid else None, creator.get("username") if creator else None,
        int(org) if org else None, get("quality_score"),
    )


def image_rows(records: Iterable[dict]) -> tuple[list[tuple], int]:
    """(rows, number of records skipped for lacking a required field or having unusable values)."""
    rows, skipped = [], 0
    for rec in records:
        try:
            row = image_row(rec) if isinstance(rec, dict) else None
        except (TypeError, ValueError, KeyError, IndexError, AttributeError):
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


def ids_of(body: bytes) -> tuple[list[int], int]:
    """(ids of an /image_ids answer in capture order, entries without a usable id)."""
    ids, bad = [], 0
    for rec in data_list(body):
        value = rec.get("id") if isinstance(rec, dict) else None
        text = str(value).strip() if isinstance(value, (int, str)) and not isinstance(value, bool) else ""
        if text.isdigit() and int(text) > 0:
            ids.append(int(text))
        else:
            bad += 1
    return ids, bad


# --- rows after parsing ----------------------------------------------------------------------
_COL_CAPTURED, _COL_GEOM, _COL_ORG = (IMAGE_COLUMNS.index(c) for c in ("captured_at", "geom", "organization_id"))
_XY = struct.Struct("<dd").unpack_from


def row_position(row: tuple) -> tuple[float, float]:
    """(lon, lat) of a row's position (its EWKB point)."""
    return _XY(row[_COL_GEOM], 9)


def row_captured_ms(row: tuple) -> int:
    """A row's capture time in Unix milliseconds."""
    return row[_COL_CAPTURED] // 1000 + PG_EPOCH_MS


def row_organization(row: tuple) -> int | None:
    return row[_COL_ORG]


def with_organizations(rows: list[tuple], org_of: dict[int, int] | int) -> list[tuple]:
    """Rows whose organisation is known from elsewhere (a tile property, the search filter)."""
    if isinstance(org_of, int):
        return [r[:_COL_ORG] + (org_of,) + r[_COL_ORG + 1:] for r in rows]
    if not org_of:
        return rows
    out = []
    for r in rows:
        org = org_of.get(r[0])
        out.append(r if org is None or r[_COL_ORG] is not None else r[:_COL_ORG] + (org,) + r[_COL_ORG + 1:])
    return out
