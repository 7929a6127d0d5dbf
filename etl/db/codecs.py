"""The one jsonb codec, set on every connection the tool opens (etl.db.connect).

jsonb (and json) values come back as Python objects and go in as objects: no caller
encodes or decodes them by hand. A `str` parameter is taken as JSON text already encoded,
so SQL that receives a document built elsewhere (or by older code) keeps working.
"""

from __future__ import annotations

import json
from typing import Any

import asyncpg


def encode(value: Any) -> str:
    return value if isinstance(value, str) else json.dumps(value, default=str)


async def init_connection(conn: asyncpg.Connection) -> None:
    for name in ("jsonb", "json"):
        await conn.set_type_codec(name, encoder=encode, decoder=json.loads, schema="pg_catalog")
