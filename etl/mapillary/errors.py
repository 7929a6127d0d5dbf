"""How the crawler classifies Mapillary answers: transient, terminal or a signal.

Retry code looks only at the class (the dlt habit), never at message text.
No message built here ever contains a URL: tile URLs carry the token.
"""

from __future__ import annotations

import re

import orjson

from etl.errors import RunFailure


class ApiError(Exception):
    """A request that did not give data. `endpoint` names the endpoint class, never a URL."""

    def __init__(self, endpoint: str, status: int | None, message: str) -> None:
        super().__init__(f"{endpoint}: {'HTTP ' + str(status) if status else 'no answer'}: {message}")
        self.endpoint, self.status, self.detail = endpoint, status, message


class TransientError(ApiError):
    """Worth retrying after a pause: 429, 5xx, dropped or cut connections, timeouts."""

    def __init__(self, endpoint: str, status: int | None, message: str, retry_after: float | None = None) -> None:
        super().__init__(endpoint, status, message)
        self.retry_after = retry_after


class RateLimited(TransientError):
    """Code 4 "Application request limit reached": seen with 429, 403 and 400, on graph and tiles."""


class QueryTimeout(TransientError):
    """The API's "query timed out" (400, code -2): retry, and split the box if it persists."""


class ReduceData(ApiError):
    """"Please reduce the amount of data you're asking for": split the box."""


class NotFound(ApiError):
    """The object does not exist (deleted image): record it, do not retry.

    `certain`: the API itself said so (code 100, subcode 33); a bare 404 may be a proxy's.
    """

    certain: bool = False


class BadRequest(ApiError):
    """Any other 4xx: retrying the same request cannot help."""


class FieldRejected(BadRequest):
    """Code 100 "Tried accessing nonexisting field (NAME) ...": the API no longer serves a field we asked for."""

    def __init__(self, endpoint: str, status: int | None, message: str, field: str) -> None:
        super().__init__(endpoint, status, message)
        self.field = field


class TokenRejected(RunFailure):
    """The token is invalid, expired or blocked: the whole run stops at once."""


def _error_body(body: bytes) -> dict:
    try:
        parsed = orjson.loads(body)
    except orjson.JSONDecodeError:
        return {}
    error = parsed.get("error") if isinstance(parsed, dict) else None
    return error if isinstance(error, dict) else {}


_RATE_CODES = (4, 17, 32, 613)  # application, user, page and custom request limits
_NONEXISTING_FIELD = re.compile(r"nonexisting field \(([^()\s]+)\)")


def _says_rate_limit(status: int, code: object, message: str, body: bytes) -> bool:
    if status == 429 or code in _RATE_CODES:
        return True
    # a limit answer that is not Graph JSON (a proxy's page) still names the limit
    return "request limit" in message.lower() or b"request limit" in body[:2000].lower()


def classify(endpoint: str, status: int, body: bytes, retry_after: str | None) -> ApiError | TokenRejected:
    """The exception for a non-200 answer."""
    error = _error_body(body)
    code, subcode = error.get("code"), error.get("error_subcode")
    message = str(error.get("message") or f"HTTP {status}")[:300]
    # first: real recordings answer the rate limit with 403 too, tiles included; it is never a token error
    if _says_rate_limit(status, code, message, body):
        return RateLimited(endpoint, status, message, _seconds(retry_after))
    if status == 401 or code in (190, 104) or (status == 403 and (code == 368 or endpoint == "tiles")):
        return _token_error(status, code, message)
    if code == 1 or "reduce the amount of data" in message.lower():
        return ReduceData(endpoint, status, message)
    if code == -2 or subcode == 3404014:
        return QueryTimeout(endpoint, status, message)
    if status >= 500:
        return TransientError(endpoint, status, message, _seconds(retry_after))
    if status == 404 or (code == 100 and subcode == 33):
        found = NotFound(endpoint, status, message)
        found.certain = code == 100 and subcode == 33
        return found
    field = _NONEXISTING_FIELD.search(message) if code == 100 else None
    if field:
        return FieldRejected(endpoint, status, message, field.group(1))
    return BadRequest(endpoint, status, message)


def _token_error(status: int, code: object, message: str) -> TokenRejected:
    if code == 368 or status == 403:
        return TokenRejected(
            f"Mapillary refused the token (HTTP {status}, blocked or not allowed): {message}",
            hint="use another token from https://www.mapillary.com/dashboard/developers",
        )
    return TokenRejected(
        f"Mapillary refused the token (HTTP {status}, invalid or expired): {message}",
        hint="set a valid token in MAPILLARY_TOKEN or a token file (--token-file)",
    )


def _seconds(text: str | None) -> float | None:
    if not text:
        return None
    try:
        return max(0.0, float(text))
    except ValueError:
        return None  # an HTTP date: fall back to our own backoff
