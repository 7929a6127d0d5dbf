"""Where the project's bundled files live: SQL, migrations, data, the C extension's sources.

The repository keeps them in top-level folders (sql/, migrations/, data/, ext/); a wheel
ships them inside the package as etl/sql, etl/migrations, etl/data and etl/ext (see the
`sources` mapping in pyproject.toml). They are looked up with importlib.resources inside
the package first, then beside it, so the same code serves an installed package (pip,
pipx, a wheel) and a source checkout (editable install, or `python -m etl` run in it).
"""

from __future__ import annotations

from importlib.resources import files
from pathlib import Path

_CHECKOUT_ROOT = Path(__file__).resolve().parent.parent


def bundled_dir(name: str) -> Path:
    """The folder of bundled files `name` ('sql', 'migrations', 'data' or 'ext').

    A real folder, not just a Traversable: alembic and the extension build take paths.
    """
    packaged = files("etl") / name
    if isinstance(packaged, Path) and packaged.is_dir():
        return packaged
    in_checkout = _CHECKOUT_ROOT / name
    if (_CHECKOUT_ROOT / "pyproject.toml").is_file() and in_checkout.is_dir():
        return in_checkout
    raise RuntimeError(
        f"the mlyetl package is incomplete: its '{name}' folder is missing from {packaged}; "
        "reinstall it (pip install --force-reinstall mlyetl) from a wheel or a checkout"
    )


SQL_DIR = bundled_dir("sql")
MIGRATIONS_DIR = bundled_dir("migrations")
DATA_DIR = bundled_dir("data")
EXT_DIR = bundled_dir("ext")


def bundled_path(relative_path: str) -> Path:
    """A bundled file or folder named as in the repository, e.g. 'migrations/sql/0003'."""
    top, _, rest = relative_path.partition("/")
    return bundled_dir(top) / rest if rest else bundled_dir(top)


def sql_text(name: str) -> str:
    """The text of `sql/<name>` (name may include a sub-folder, e.g. 'filters/clip.sql')."""
    path = SQL_DIR / name
    return path.read_text(encoding="utf-8")
