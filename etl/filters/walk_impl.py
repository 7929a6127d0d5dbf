"""Which implementation of the spacing walk a run uses: the C window functions of the
mlyetl_spacing extension (ext/mlyetl_spacing, ~4x faster) when the server has it, else the
PL/pgSQL aggregates of the schema. Both give the same result (tests/filters check both
against etl/filters/reference.py).

The extension is created in the database on first use when root installed its files on
the server (`make setup`); it is marked trusted, so the database owner may create it. A
user's own PostGIS server without it, or without the right to create it, gets the
fallback, and a log line says which walk runs. MLYETL_SPACING_WALK=plpgsql forces the
fallback (to compare), =c requires the extension.
"""

from __future__ import annotations

import logging
import os

import asyncpg

from etl.errors import RunFailure, UserInputError
from etl.paths import sql_text

log = logging.getLogger("etl.filters")
EXTENSION = "mlyetl_spacing"
ENV = "MLYETL_SPACING_WALK"
CHOICES = ("auto", "c", "plpgsql")


def _wanted() -> str:
    wanted = os.environ.get(ENV, "auto").strip().lower() or "auto"
    if wanted not in CHOICES:
        raise UserInputError(f"{ENV}={wanted!r} is not a spacing walk", hint="use auto, c or plpgsql")
    return wanted


async def _create_extension(conn: asyncpg.Connection) -> str | None:
    """Create the extension; returns why it could not be, or None."""
    try:
        await conn.execute(f"CREATE EXTENSION IF NOT EXISTS {EXTENSION}")
    except asyncpg.UniqueViolationError:
        pass  # another run created it at the same moment
    except asyncpg.PostgresError as error:
        return f"{type(error).__name__}: {error}"
    return None


async def use_c_walk(conn: asyncpg.Connection) -> bool:
    """True for the C walk; logs which walk this run uses and why."""
    wanted = _wanted()
    if wanted == "plpgsql":
        log.info("spacing walk: PL/pgSQL (%s=plpgsql)", ENV)
        return False
    state = await conn.fetchrow(sql_text("filters/walk_extension.sql"), EXTENSION)
    reason = None
    if state["installed"] is None:
        reason = (await _create_extension(conn)) if state["available"] else "not installed on the server"
    if reason is None:
        log.info("spacing walk: C (extension %s)", EXTENSION)
        return True
    if wanted == "c":
        raise RunFailure(f"{ENV}=c but extension {EXTENSION} cannot be used ({reason})",
                         hint="install it as root with 'make setup' (ext/mlyetl_spacing), or unset " + ENV)
    log.info("spacing walk: PL/pgSQL fallback (extension %s %s; see docs/filters.md)", EXTENSION, reason)
    return False


# The C window function of each --spacing-mode (a fixed map: never text from the user).
C_KEPT_WALKS = {"path": "mlyetl_walk_path_kept", "straight": "mlyetl_walk_straight_kept"}


def walk_sql(spacing_mode: str, c_walk: bool, **tables: str) -> str:
    """The walk statement: sql/filters/walk_c.sql with the mode's C function, or the
    PL/pgSQL walk_path.sql / walk_straight.sql; `tables` fill the scratch table names."""
    if c_walk:
        return sql_text("filters/walk_c.sql").format(kept_walk=C_KEPT_WALKS[spacing_mode], **tables)
    return sql_text(f"filters/walk_{spacing_mode}.sql").format(**tables)
