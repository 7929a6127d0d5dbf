"""Validation of user-given names (layers, results).

Names are always passed to SQL as bind parameters, and the only identifiers built from
them are derived from numeric ids; validating them as well keeps hostile or confusing
names (quotes, semicolons, control characters, 300-character strings) out of the
database, logs and file names that other stages derive from them.
"""

from __future__ import annotations

import re

from etl.errors import UserInputError

MAX_NAME_LENGTH = 64
_NAME = re.compile(r"^\w[\w .\-]*$")
NAME_RULE = (f"use 1-{MAX_NAME_LENGTH} letters, digits, spaces, '_', '-' or '.', "
             "starting with a letter or digit")


def validate_name(value: str, what: str) -> str:
    """`value` if it is an acceptable name for a `what` (e.g. 'result'), else UserInputError."""
    if not isinstance(value, str) or not value or len(value) > MAX_NAME_LENGTH or not _NAME.match(value) \
            or value != value.strip():
        shown = value if isinstance(value, str) and len(value) <= 80 else f"{str(value)[:80]}..."
        raise UserInputError(f"{what} name {shown!r} is not allowed", hint=NAME_RULE)
    return value
