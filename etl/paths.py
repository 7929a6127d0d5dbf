"""Where the project's bundled files live (SQL, migrations, data).

In a source checkout (editable install) they sit beside the package; the
functions resolve them relative to this file so no absolute path is needed.
"""

from __future__ import annotations

from pathlib import Path

PROJECT_ROOT = Path(__file__).resolve().parent.parent
SQL_DIR = PROJECT_ROOT / "sql"
MIGRATIONS_DIR = PROJECT_ROOT / "migrations"
DATA_DIR = PROJECT_ROOT / "data"


def sql_text(name: str) -> str:
    """The text of `sql/<name>` (name may include a sub-folder, e.g. 'filters/clip.sql')."""
    path = SQL_DIR / name
    return path.read_text(encoding="utf-8")
