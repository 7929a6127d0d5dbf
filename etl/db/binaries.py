"""Finding the PostgreSQL server binaries and checking that PostGIS is installed.

Debian keeps server binaries out of PATH (/usr/lib/postgresql/NN/bin), Homebrew
under /opt/homebrew or /usr/local; `MLYETL_PG_BIN` overrides the search.
"""

from __future__ import annotations

import glob
import os
import shutil
import subprocess
from dataclasses import dataclass
from pathlib import Path

from etl.errors import RunFailure

_SEARCH_GLOBS = [
    "/usr/lib/postgresql/*/bin",
    "/usr/pgsql-*/bin",
    "/opt/homebrew/opt/postgresql@*/bin",
    "/usr/local/opt/postgresql@*/bin",
    "/usr/local/pgsql/bin",
]


@dataclass(frozen=True)
class PgBinaries:
    bindir: Path
    major_version: int

    def tool(self, name: str) -> str:
        return str(self.bindir / name)

    def postgis_control_file(self) -> Path:
        sharedir = subprocess.run(
            [self.tool("pg_config"), "--sharedir"], capture_output=True, text=True, check=True
        ).stdout.strip()
        return Path(sharedir) / "extension" / "postgis.control"


def _version_of(bindir: Path) -> int:
    out = subprocess.run([str(bindir / "postgres"), "--version"], capture_output=True, text=True, check=True)
    # "postgres (PostgreSQL) 15.18 (Debian 15.18-0+deb12u1)"
    return int(out.stdout.split(")")[1].strip().split(".")[0])


def _candidate_bindirs() -> list[Path]:
    override = os.environ.get("MLYETL_PG_BIN")
    if override:
        return [Path(override)]
    found = [Path(p) for pattern in _SEARCH_GLOBS for p in glob.glob(pattern)]
    on_path = shutil.which("pg_ctl")
    if on_path:
        found.append(Path(on_path).resolve().parent)
    return [d for d in found if (d / "initdb").exists() and (d / "pg_ctl").exists()]


def find_binaries() -> PgBinaries:
    """The newest PostgreSQL server found, or a one-line error naming what to install."""
    candidates = _candidate_bindirs()
    if not candidates:
        raise RunFailure(
            "PostgreSQL server binaries (initdb, pg_ctl) not found",
            hint="install them: apt-get install postgresql-15 postgresql-15-postgis-3 | "
            "brew install postgresql@15 postgis | or run docker/compose.yml and set MLYETL_DSN; "
            "MLYETL_PG_BIN may name their folder",
        )
    versions = [(_version_of(d), d) for d in candidates]
    version, bindir = max(versions)
    return PgBinaries(bindir=bindir, major_version=version)


def require_postgis(binaries: PgBinaries) -> None:
    """Fail with the package to install when the server has no PostGIS extension files."""
    if not binaries.postgis_control_file().exists():
        v = binaries.major_version
        raise RunFailure(
            f"PostGIS is not installed for PostgreSQL {v}",
            hint=f"install it: apt-get install postgresql-{v}-postgis-3 | brew install postgis | "
            "or run docker/compose.yml and set MLYETL_DSN",
        )
