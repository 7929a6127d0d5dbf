"""Parsing and validating Graph query parameters into filters."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, timezone

import numpy as np

from etl.simulator.cells import CellData
from etl.simulator.ids import organization_id
from etl.simulator.records import unknown_fields

IndexFilter = Callable[[CellData, np.ndarray], np.ndarray]
_ORG_POOL = 12  # organisations per world, see cells._sequence_attributes


class ParamError(ValueError):
    """A bad query parameter: answered 400 OAuthException code 100."""


class UnknownField(ParamError):
    """A field the server does not serve: answered 400 code 100 "Tried accessing nonexisting field"."""

    def __init__(self, name: str) -> None:
        super().__init__(f"Tried accessing nonexisting field ({name}) on node type (image)")
        self.name = name


def fields_of(query: dict, rejected: frozenset[str] = frozenset()) -> list[str]:
    fields = [f.strip() for f in query.get("fields", "id").split(",") if f.strip()]
    bad = unknown_fields(fields) + [f for f in fields if f in rejected]
    if bad:
        raise UnknownField(bad[0])
    return fields or ["id"]


def limit_of(query: dict, cap: int) -> int:
    text = query.get("limit")
    if text is None:
        return cap
    try:
        value = int(text)
    except ValueError:
        raise ParamError(f"Param limit must be an integer, got {text!r}") from None
    if value < 1:
        raise ParamError("Param limit must be a positive integer")
    return min(value, cap)


def _epoch_ms(text: str, name: str) -> int:
    try:
        moment = datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError:
        raise ParamError(f"Param {name} must be an ISO 8601 date or datetime") from None
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=timezone.utc)
    return int(moment.timestamp() * 1000)


def filters_of(query: dict, seed: int) -> list[IndexFilter]:
    """The search filters other than bbox/sequence/ids, as index filters."""
    out: list[IndexFilter] = []
    if "start_captured_at" in query:
        start = _epoch_ms(query["start_captured_at"], "start_captured_at")
        out.append(lambda d, i: i[d.captured_at[i] >= start])
    if "end_captured_at" in query:
        end = _epoch_ms(query["end_captured_at"], "end_captured_at")
        out.append(lambda d, i: i[d.captured_at[i] <= end])
    if "is_pano" in query:
        want = query["is_pano"].lower() in ("true", "1")
        out.append(lambda d, i: i[d.seq_pano[d.seq[i]] == want])
    if "organization_id" in query:
        index = _org_index(query["organization_id"], seed)
        out.append(lambda d, i: i[d.seq_org[d.seq[i]] == index])
    return out


def _org_index(text: str, seed: int) -> int:
    for index in range(_ORG_POOL):
        if organization_id(seed, index) == text:
            return index
    return -2  # matches no sequence (-1 means "no organisation")


def apply(filters: list[IndexFilter], data: CellData, idx: np.ndarray) -> np.ndarray:
    for f in filters:
        if not idx.size:
            break
        idx = f(data, idx)
    return idx


def id_list(text: str, name: str) -> list[str]:
    ids = [p.strip() for p in text.split(",") if p.strip()]
    if not ids:
        raise ParamError(f"Param {name} must be a comma separated list of ids")
    return ids
