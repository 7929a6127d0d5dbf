"""Running the project's SQL files inside alembic migrations.

SQLAlchemy's asyncpg adapter prepares every statement, and a prepared statement
holds one command only; our DDL files hold many (and functions with $$ bodies,
which a naive split on ';' would break). So we hand the whole file to asyncpg's
simple-query path on the raw driver connection, from inside alembic's greenlet.
"""

from __future__ import annotations

from pathlib import Path

from alembic import op
from sqlalchemy.util import await_only

from etl.paths import bundled_path


def _execute_script(sql: str) -> None:
    raw = op.get_bind().connection.driver_connection  # the asyncpg connection
    await_only(raw.execute(sql))


def run_sql_file(relative_path: str) -> None:
    """Run a bundled SQL file named as in the repository, e.g. 'migrations/sql/0001/10_core.up.sql'."""
    _execute_script(bundled_path(relative_path).read_text(encoding="utf-8"))


def run_sql_folder(relative_folder: str, direction: str) -> None:
    """Run NN_name.up.sql files in order, or NN_name.down.sql files in reverse order.

    `relative_folder` is named as in the repository, e.g. 'migrations/sql/0003'.
    """
    folder = bundled_path(relative_folder)
    files = sorted(folder.glob(f"*.{direction}.sql"), reverse=(direction == "down"))
    for path in files:
        _execute_script(Path(path).read_text(encoding="utf-8"))
