"""Graph-API-style error answers, with the statuses, codes and shapes reality uses.

Body: {"error": {"message", "type", "code", "error_subcode"?, "is_transient",
"fbtrace_id"}}. As recorded from the real API, every `type` is MLYApiException,
`error_subcode` is left out when there is none, and gateway errors (502) come
back as HTML, not JSON.
"""

from __future__ import annotations

import itertools

import orjson
from aiohttp import web

from etl.simulator.hashing import hash_ints

_trace_counter = itertools.count(1)
_TRACE_CHARS = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789_-"


def _fbtrace_id() -> str:
    h = hash_ints(0xFB, next(_trace_counter))
    return "A" + "".join(_TRACE_CHARS[(h >> (6 * i)) & 63] for i in range(10))


def graph_error(
    status: int,
    message: str,
    code: int,
    subcode: int | None = None,
    type_: str = "MLYApiException",
    transient: bool = False,
    headers: dict[str, str] | None = None,
    extra: dict | None = None,
) -> web.Response:
    error: dict = {"message": message, "type": type_, "code": code}
    if subcode is not None:
        error["error_subcode"] = subcode
    error.update(extra or {})
    error.update(is_transient=transient, fbtrace_id=_fbtrace_id())
    return web.Response(
        status=status, body=orjson.dumps({"error": error}), content_type="application/json", headers=headers
    )


def invalid_token() -> web.Response:
    return graph_error(401, "Invalid OAuth 2.0 Access Token", 190, extra={"error_data": {}})


def missing_token() -> web.Response:
    return graph_error(401, "An access token is required to request this resource.", 104)


def blocked_token() -> web.Response:
    return graph_error(403, "Your access token has been blocked for violating the terms of use.", 368, 1348007)


def tile_forbidden() -> web.Response:
    return web.Response(status=403, text="Forbidden: access_token query parameter required", content_type="text/plain")


def rate_limited(retry_after: float | None, status: int = 429) -> web.Response:
    """Code 4. Real recordings show it with 403 too (and without Retry-After), on graph and tiles alike."""
    headers = {"Retry-After": str(max(1, int(retry_after + 0.999)))} if retry_after is not None else None
    return graph_error(status, "Application request limit reached", 4, transient=True, headers=headers)


def query_timeout() -> web.Response:
    return graph_error(400, "Query timed out. Please try a smaller query or retry later.", -2, 3404014)


def reduce_data() -> web.Response:
    return graph_error(500, "Please reduce the amount of data you're asking for, then retry your request", 1)


def server_error(status: int) -> web.Response:
    if status == 502:
        html = "<html><head><title>502 Bad Gateway</title></head><body><h1>502 Bad Gateway</h1></body></html>"
        return web.Response(status=502, text=html, content_type="text/html")
    if status == 500:
        return graph_error(500, "An unexpected error has occurred. Please retry your request later.", 2, transient=True)
    return graph_error(status, "Service temporarily unavailable", 2, transient=True)


def no_such_object(object_id: str) -> web.Response:
    message = (
        f"Unsupported get request. Object with ID '{object_id}' does not exist, cannot be loaded due to "
        "missing permissions, or does not support this operation"
    )
    return graph_error(400, message, 100, 33)


def missing_aliases(ids: list[str]) -> web.Response:
    return graph_error(400, f"(#803) Some of the aliases you requested do not exist: {','.join(ids)}", 803)


def bad_parameter(message: str) -> web.Response:
    return graph_error(400, f"(#100) {message}", 100)


def nonexisting_field(name: str) -> web.Response:
    """A field the server does not know, worded as recorded (no "(#100)" prefix)."""
    return graph_error(400, f"Tried accessing nonexisting field ({name}) on node type (image)", 100)
