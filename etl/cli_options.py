"""Options shared by many commands, as small decorators (the sqlite-utils habit)."""

from __future__ import annotations

import functools
from collections.abc import Callable
from pathlib import Path

import click

from etl.db.target import DatabaseTarget, resolve_target


def database_options(func: Callable) -> Callable:
    """Add --dsn and --data-dir and pass the chosen database as `target`."""

    @click.option(
        "--dsn",
        envvar="MLYETL_DSN",
        show_envvar=True,
        help="PostgreSQL/PostGIS connection string; keep passwords in ~/.pgpass or PGPASSWORD, "
        "not here. Default: the PG* variables if set, else the embedded cluster.",
    )
    @click.option(
        "--data-dir",
        type=click.Path(path_type=Path),
        envvar="MLYETL_DATA_DIR",
        show_envvar=True,
        help="Folder of the embedded cluster (default ~/.local/share/mlyetl, /var/lib/mlyetl for root).",
    )
    @functools.wraps(func)
    def wrapper(*args, dsn: str | None, data_dir: Path | None, **kwargs):  # noqa: ANN202
        target: DatabaseTarget = resolve_target(dsn=dsn, data_dir=data_dir)
        return func(*args, target=target, **kwargs)

    return wrapper


def is_quiet() -> bool:
    ctx = click.get_current_context(silent=True)
    return bool(ctx and (ctx.find_root().obj or {}).get("quiet"))
