"""Which implementation of the spacing walk a run uses: the C aggregate of the
mlyetl_spacing extension (ext/mlyetl_spacing, ~4x faster) when the server has it, else the
PL/pgSQL aggregates of the schema. Both give the same result (tests/filters check both
against etl/filters/reference.py).

The extension is created in the database on first use when root installed its files on
the server (`make setup` or `mlyetl db install-extension`); it is not trusted (C code), so
only a superuser may create it. A user's own PostGIS server without it, or a user who may
not create it, gets the fallback, and a log line says which walk runs. MLYETL_SPACING_WALK=plpgsql forces the
fallback (to compare), =c requires the extension.
"""

from __future__ import annotations

import logging
import os

import asyncpg

from etl.db import citus
from etl.errors import RunFailure, UserInputError
from etl.paths import sql_text

log = logging.getLogger("etl.filters")
EXTENSION = "mlyetl_spacing"
VERSION = "1.3"  # ext/mlyetl_spacing/mlyetl_spacing.control: the walk SQL needs its functions
ENV = "MLYETL_SPACING_WALK"
CHOICES = ("auto", "c", "plpgsql")


def _wanted() -> str:
    wanted = os.environ.get(ENV, "auto").strip().lower() or "auto"
    if wanted not in CHOICES:
        raise UserInputError(f"{ENV}={wanted!r} is not a spacing walk", hint="use auto, c or plpgsql")
    return wanted


async def _create_extension(conn: asyncpg.Connection, installed: str | None) -> str | None:
    """Create the extension, or update it to the server's version; returns why it could
    not be, or None."""
    sql = f"CREATE EXTENSION IF NOT EXISTS {EXTENSION}" if installed is None else f"ALTER EXTENSION {EXTENSION} UPDATE"
    try:
        await conn.execute(sql)
    except asyncpg.UniqueViolationError:
        pass  # another run created it at the same moment
    except asyncpg.PostgresError as error:
        return f"{type(error).__name__}: {error}"
    return None


def _unusable(available: str | None) -> str | None:
    if available is None:
        return "not installed on the server"
    if available != VERSION:
        return f"version {available} installed on the server, {VERSION} needed (run 'mlyetl db install-extension' as root)"
    return None


async def use_c_walk(conn: asyncpg.Connection) -> bool:
    """True for the C walk; logs which walk this run uses and why."""
    wanted = _wanted()
    if wanted == "plpgsql":
        log.info("spacing walk: PL/pgSQL (%s=plpgsql)", ENV)
        return False
    state = await conn.fetchrow(sql_text("filters/walk_extension.sql"), EXTENSION)
    reason = _unusable(state["available"])
    if reason is None and state["installed"] != VERSION:
        reason = await _create_extension(conn, state["installed"])
    if _unusable(state["available"]) is None and await citus.is_citus(conn):
        # on Citus the walk runs on the workers: all nodes need the extension, or none uses it
        missing = await citus.nodes_without(conn, EXTENSION, VERSION)
        if missing:
            reason = f"missing on Citus node(s) {', '.join(missing)}" + (f": {reason}" if reason else "")
    if reason is None:
        log.info("spacing walk: C (extension %s %s)", EXTENSION, VERSION)
        return True
    if wanted == "c":
        raise RunFailure(f"{ENV}=c but extension {EXTENSION} cannot be used ({reason})",
                         hint="install it as root with 'mlyetl db install-extension', or unset " + ENV)
    log.info("spacing walk: PL/pgSQL fallback (extension %s %s; see docs/filters.md)", EXTENSION, reason)
    return False


def walk_sql(spacing_mode: str, c_walk: bool, staged: str | None = None, **tables: str) -> str:
    """The walk statement creating the per-sequence walk table: sql/filters/walk_c.sql
    (C, parameters $1-$8), or walk_summary.sql over the PL/pgSQL walk_path.sql /
    walk_straight.sql ($1-$7; the file is the mode). `tables` fill the table names;
    `staged` replaces staged_images.sql (tests feed their own rows)."""
    staged = staged or sql_text("filters/staged_images.sql").format(**tables)
    if c_walk:
        return sql_text("filters/walk_c.sql").format(staged=staged, **tables)
    if spacing_mode not in ("path", "straight"):  # a fixed choice: never text from the user
        raise ValueError(f"unknown spacing mode {spacing_mode!r}")
    walked = sql_text(f"filters/walk_{spacing_mode}.sql").format(staged=staged, **tables)
    return sql_text("filters/walk_summary.sql").format(walked=walked, **tables)
