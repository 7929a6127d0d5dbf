"""Graph API v4 endpoints: /images, /image_ids, /{id} and /?ids=."""

from __future__ import annotations

import numpy as np
import orjson
from aiohttp import web

from etl.simulator import graph_errors as errors
from etl.simulator import query_params as qp
from etl.simulator.cells import CellData
from etl.simulator.faults import Decision
from etl.simulator.fastjson import render_json
from etl.simulator.geo import parse_bbox
from etl.simulator.middleware import DECISION_KEY, NUMBER_KEY, STATE_KEY
from etl.simulator.records import RenderContext, make_sparse, render
from etl.simulator.state import SimulatorState
from etl.simulator.world import QueryTooLarge

Parts = list[tuple[CellData, np.ndarray]]


def _json(obj: object) -> web.Response:
    return web.Response(body=orjson.dumps(obj), content_type="application/json")


def _context(state: SimulatorState, request: web.Request) -> RenderContext:
    base = state.config.public_url or f"{request.scheme}://{request.host}"
    return RenderContext(state.world.seed, lambda ids, size: state.signer.urls(base, ids, size))


def _data_answer(state: SimulatorState, request: web.Request, parts: Parts, fields: list[str]) -> web.Response:
    rate = state.config.faults.sparse_rate
    if rate > 0:  # the reference renderer: records lose fields one by one
        rows = make_sparse(render(_context(state, request), parts, fields), state.config.fault_seed, rate)
        state.stats.served(len(rows))
        return _json({"data": rows})
    body, count = render_json(_context(state, request), parts, fields, state.json_cache)
    state.stats.served(count)
    return web.Response(body=body, content_type="application/json")


async def images(request: web.Request) -> web.Response:
    state = request.app[STATE_KEY]
    query = request.query
    try:
        fields = qp.fields_of(query, _rejected(state))
        limit = qp.limit_of(query, state.config.max_limit)
        filters = qp.filters_of(query, state.world.seed)
        if "sequence_ids" in query:
            parts = _sequence_parts(state, request, qp.id_list(query["sequence_ids"], "sequence_ids"), filters)
        elif "image_ids" in query:
            parts = _forced_partial(state, request, _id_parts(state, qp.id_list(query["image_ids"], "image_ids")))
        elif "bbox" in query:
            parts = _bbox_parts(state, request[DECISION_KEY], request[NUMBER_KEY], parse_bbox(query["bbox"]), filters, limit)
            if parts is None:
                state.stats.fault("reduce")
                return errors.reduce_data()
            parts = _forced_partial(state, request, parts)
        else:
            raise qp.ParamError("Must specify one of bbox, sequence_ids or image_ids")
    except qp.UnknownField as error:
        return errors.nonexisting_field(error.name)
    except ValueError as error:  # ParamError and bbox parsing
        return errors.bad_parameter(str(error))
    return _data_answer(state, request, _cut(parts, limit), fields)


def _rejected(state: SimulatorState) -> frozenset[str]:
    return state.config.rejected_fields | state.config.faults.rejected_fields


def _cut(parts: Parts, limit: int) -> Parts:
    out, left = [], limit
    for data, idx in parts:
        if left <= 0:
            break
        out.append((data, idx[:left]))
        left -= min(left, idx.size)
    return out


def _visible(state: SimulatorState, data: CellData, idx: np.ndarray, filters: list) -> np.ndarray:
    idx = idx[~state.hidden(data.ids[idx])]
    return qp.apply(filters, data, idx)


def _bbox_parts(state: SimulatorState, decision: Decision, number: int, bbox, filters: list, limit: int) -> Parts | None:  # noqa: ANN001
    """Images for a bbox search, or None for "reduce the amount of data"."""
    faults = state.config.faults
    try:
        if "reduce" in decision.forced or _too_dense(state, bbox):
            return None
        parts, total = [], 0
        for data, idx in state.world.query(bbox):
            idx = _visible(state, data, idx, filters)
            if idx.size:
                parts.append((data, idx))
                total += idx.size
            if total > limit:
                break  # enough to know the answer is capped
    except QueryTooLarge:
        return None
    if total > limit and ("short" in decision.forced or state.injector.chance("short", number, faults.short_page_rate)):
        state.stats.fault("short")
        limit = int(state.injector.rng("short", number).integers(int(limit * 0.9), limit))
    return _cut(parts, limit)


def _forced_partial(state: SimulatorState, request: web.Request, parts: Parts) -> Parts:
    """A scheduled `partial` on a bbox or id answer: a random 30-90 % of it, with nothing to tell."""
    if "partial" not in request[DECISION_KEY].forced:
        return parts
    state.stats.fault("partial")
    rng = state.injector.rng("partial", request[NUMBER_KEY])
    share = rng.uniform(0.3, 0.9)
    return [(data, idx[rng.random(idx.size) < share]) for data, idx in parts]


def _too_dense(state: SimulatorState, bbox) -> bool:  # noqa: ANN001
    faults = state.config.faults
    if faults.reduce_data_threshold is None and faults.reduce_density_threshold is None:
        return False
    total = sum(int((~state.hidden(d.ids[i])).sum()) for d, i in state.world.query(bbox))
    if faults.reduce_data_threshold is not None and total > faults.reduce_data_threshold:
        return True
    area = max((bbox[2] - bbox[0]) * (bbox[3] - bbox[1]), 1e-12)
    return faults.reduce_density_threshold is not None and total / area > faults.reduce_density_threshold


def _sequence_parts(state: SimulatorState, request: web.Request, keys: list[str], filters: list) -> Parts:
    decision, number = request[DECISION_KEY], request[NUMBER_KEY]
    faults = state.config.faults
    partial = "partial" in decision.forced or state.injector.chance("partial", number, faults.partial_sequence_rate)
    rng = state.injector.rng("partial", number) if partial else None
    if partial:
        state.stats.fault("partial")
    parts = []
    for key in keys:
        found = state.world.locate_sequence(key)
        if found is None:
            continue
        data, serial = found
        idx = _visible(state, data, data.sequence_indices(serial), filters)
        if rng is not None and idx.size:  # the real API answers varying subsets
            idx = idx[rng.random(idx.size) < rng.uniform(0.3, 0.9)]
        parts.append((data, idx))
    return parts


def _locate_visible(state: SimulatorState, text: str) -> tuple[CellData, int] | None:
    if not text.isdigit():
        return None
    found = state.world.locate_image(int(text))
    if found is None or state.injector.is_deleted(int(text)):
        return None
    return found


def _id_parts(state: SimulatorState, ids: list[str]) -> Parts:
    parts = []
    for text in ids:
        found = _locate_visible(state, text)
        if found:
            parts.append((found[0], np.array([found[1]])))
    return parts


async def image_ids(request: web.Request) -> web.Response:
    """Exact sequence membership in capture order (deleted images included)."""
    state = request.app[STATE_KEY]
    key = request.query.get("sequence_id")
    if not key:
        return errors.bad_parameter("Param sequence_id is required")
    ids = state.world.sequence_image_ids(key)
    return _json({"data": [{"id": str(i)} for i in ids]})


async def entity(request: web.Request) -> web.Response:
    state = request.app[STATE_KEY]
    object_id = request.match_info["object_id"]
    try:
        fields = qp.fields_of(request.query, _rejected(state))
    except qp.UnknownField as error:
        return errors.nonexisting_field(error.name)
    except qp.ParamError as error:
        return errors.bad_parameter(str(error))
    found = _locate_visible(state, object_id)
    if found is None:
        return errors.no_such_object(object_id)
    rows = render(_context(state, request), [(found[0], np.array([found[1]]))], fields)
    make_sparse(rows, state.config.fault_seed, state.config.faults.sparse_rate)
    state.stats.served(1)
    return _json(rows[0])


async def entities(request: web.Request) -> web.Response:
    """`/?ids=a,b&fields=` -> {"a": {...}, "b": {...}}, like the Graph API."""
    state = request.app[STATE_KEY]
    try:
        fields = qp.fields_of(request.query, _rejected(state))
        ids = qp.id_list(request.query.get("ids", ""), "ids")
    except qp.UnknownField as error:
        return errors.nonexisting_field(error.name)
    except qp.ParamError as error:
        return errors.bad_parameter(str(error))
    if len(ids) > state.config.max_batch_ids:
        return errors.bad_parameter(f"Too many IDs. Maximum: {state.config.max_batch_ids}")
    found = {text: _locate_visible(state, text) for text in dict.fromkeys(ids)}
    missing = [text for text, where in found.items() if where is None]
    if missing:
        return errors.missing_aliases(missing)
    context = _context(state, request)
    rate, seed = state.config.faults.sparse_rate, state.config.fault_seed
    out = {text: make_sparse(render(context, [(d, np.array([i]))], fields), seed, rate)[0]
           for text, (d, i) in found.items()}
    state.stats.served(len(out))
    return _json(out)
