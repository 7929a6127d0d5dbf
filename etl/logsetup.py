"""Logging configuration shared by every command.

Logs go to stderr so that commands whose output is data (`db url`) stay
pipeable. A filter masks anything that looks like a Mapillary token or a
password in a URL, as a second line of defence behind never logging them.
"""

from __future__ import annotations

import logging
import re

_SECRET_PATTERNS = [
    re.compile(r"MLY\|[^\s&\"'|]+\|[^\s&\"']+"),
    re.compile(r"(access_token=)[^&\s\"']+"),
    re.compile(r"(://[^:/@\s]+:)[^@\s]+(@)"),
    re.compile(r"(password=)[^&\s\"']+", re.IGNORECASE),
]


def mask_secrets(text: str) -> str:
    """`text` with tokens and passwords replaced by `***`."""
    text = _SECRET_PATTERNS[0].sub("MLY|***", text)
    text = _SECRET_PATTERNS[1].sub(r"\1***", text)
    text = _SECRET_PATTERNS[2].sub(r"\1***\2", text)
    return _SECRET_PATTERNS[3].sub(r"\1***", text)


class SecretMaskingFilter(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        record.msg = mask_secrets(record.getMessage())
        record.args = None
        return True


def configure_logging(verbose: int = 0, quiet: bool = False) -> None:
    level = logging.WARNING if quiet else (logging.DEBUG if verbose > 1 else logging.INFO)
    handler = logging.StreamHandler()
    handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s", "%H:%M:%S"))
    handler.addFilter(SecretMaskingFilter())
    root = logging.getLogger("etl")
    root.handlers[:] = [handler]
    root.setLevel(level)
    root.propagate = False
    if verbose == 0 or quiet:
        logging.getLogger("aiohttp.access").setLevel(logging.WARNING)
