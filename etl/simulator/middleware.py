"""The gate every API request passes: count it, check the token, apply rate
limits and faults, then let the endpoint answer."""

from __future__ import annotations

import asyncio
import logging

from aiohttp import web

from etl.simulator import graph_errors as errors
from etl.simulator.faults import Decision
from etl.simulator.state import SimulatorState
from etl.simulator.stats import ENDPOINTS

STATE_KEY = web.AppKey("simulator_state", SimulatorState)
DECISION_KEY = web.RequestKey("simulator_decision", Decision)  # this request's fault decision
NUMBER_KEY = web.RequestKey("simulator_number", int)  # its 1-based number for its endpoint
DROPPED = 499  # status recorded in stats for dropped connections (nginx's "client closed")
log = logging.getLogger("etl.simulator")


def classify(request: web.Request) -> str | None:
    """Endpoint name of a request (see stats.ENDPOINTS); None for admin paths."""
    path, query = request.path, request.query
    if path.startswith("/__simulator"):
        return None
    if path.startswith("/maps/vtp/"):
        return "tiles"
    if path.startswith("/thumbs/"):
        return "thumbs"
    if path == "/images":
        return "images_sequence" if "sequence_ids" in query else "images_ids" if "image_ids" in query else "images_bbox"
    if path == "/image_ids":
        return "image_ids"
    return "entities" if path == "/" else "entity"


def _token_problem(state: SimulatorState, request: web.Request, endpoint: str) -> web.StreamResponse | None:
    if endpoint == "thumbs":
        return None  # the CDN trusts its signed URLs, not tokens
    token = request.query.get("access_token")
    if endpoint == "tiles" and token is None:
        return errors.tile_forbidden()
    if token is None:
        scheme, _, value = request.headers.get("Authorization", "").partition(" ")
        token = value.strip() if scheme.lower() in ("oauth", "bearer") else None
    if not token:
        return errors.missing_token()
    if token in state.config.blocked_tokens:
        return errors.blocked_token()
    return None if token in state.config.tokens else errors.invalid_token()


@web.middleware
async def gate(request: web.Request, handler) -> web.StreamResponse:  # noqa: ANN001 - aiohttp handler
    endpoint = classify(request)
    if endpoint is None:
        return await handler(request)
    state = request.app[STATE_KEY]
    number = state.stats.request(endpoint)
    response = _token_problem(state, request, endpoint) or _rate_limited(state, endpoint)
    if response is None:
        decision = state.injector.decide(endpoint, number)
        request[DECISION_KEY], request[NUMBER_KEY] = decision, number
        response = await _answer(state, request, handler, decision)
    if state.config.latency_s > 0:  # the limiter counted the request on arrival; the answer comes late
        await asyncio.sleep(state.config.latency_s)
    state.stats.response(response.status)
    return response


def _rate_limited(state: SimulatorState, endpoint: str) -> web.StreamResponse | None:
    wait = state.limiter.take(ENDPOINTS[endpoint])
    if wait <= 0:
        return None
    state.stats.fault("rate_limited")
    return errors.rate_limited(wait, state.config.faults.limit_status)


async def _answer(state: SimulatorState, request: web.Request, handler, decision: Decision) -> web.StreamResponse:  # noqa: ANN001
    if decision.delay:
        state.stats.fault("slow")
        await asyncio.sleep(decision.delay)
    kind = decision.kind
    if kind is None:
        return await handler(request)
    state.stats.fault(kind)
    if kind == "drop":
        return _drop(request)
    if kind == "truncate":
        return await _truncate(request, await handler(request))
    if kind == "429":
        faults = state.config.faults
        return errors.rate_limited(faults.retry_after_seconds, faults.limit_status)
    if kind in ("limit403", "limit400"):  # as recorded: no Retry-After
        return errors.rate_limited(None, int(kind[5:]))
    if kind == "timeout":
        return errors.query_timeout()
    if kind == "malformed":
        return _malformed(request, request[NUMBER_KEY])
    return errors.server_error(int(kind))


# 200 answers of a shape no endpoint promises (they do happen: proxies, API changes)
_MALFORMED_GRAPH = (
    (b'{"data": {"id": "1"}}', "application/json"),
    (b'["data"]', "application/json"),
    (b"<html><body>Service is fine</body></html>", "text/html"),
    (b'{"data": "none"}', "application/json"),
)
_MALFORMED_TILE = b"\x1a\x80"  # a layer whose length is cut: not a vector tile


def _malformed(request: web.Request, number: int) -> web.Response:
    if classify(request) == "tiles":
        return web.Response(body=_MALFORMED_TILE, content_type="application/x-protobuf")
    body, content_type = _MALFORMED_GRAPH[number % len(_MALFORMED_GRAPH)]
    return web.Response(body=body, content_type=content_type)


def _drop(request: web.Request) -> web.StreamResponse:
    """Close the connection before any byte of an answer (client: disconnected).

    The returned response goes nowhere: the transport is already closed.
    """
    if request.transport is not None:
        request.transport.close()
    return web.Response(status=DROPPED)


async def _truncate(request: web.Request, full: web.StreamResponse) -> web.StreamResponse:
    """Send the headers and half the body, then hang up (client: payload error)."""
    body = full.body if isinstance(full, web.Response) and isinstance(full.body, bytes) else b""
    stream = web.StreamResponse(status=full.status, headers={"Content-Type": full.content_type})
    stream.content_length = len(body)
    await stream.prepare(request)
    await stream.write(body[: len(body) // 2])
    if request.transport is not None:
        request.transport.close()
    return stream
