"""Building and installing the optional mlyetl_spacing C extension for the server that loads it.

The extension only speeds the filter up (without it the PL/pgSQL walk gives the same
result). Its sources ship in the package (`etl/ext/mlyetl_spacing`, `ext/` in a checkout)
and `install.sh` there builds them with PGXS. What matters is the pg_config: a library
built against another major version, or installed into another server's folders, is
useless or worse, so the pg_config is the one of the server the command targets (the
embedded cluster's binaries, or the BINDIR an external server reports about itself),
checked against that server's version and library folder before anything is built.
"""

from __future__ import annotations

import asyncio
import os
import re
import subprocess
from dataclasses import dataclass
from pathlib import Path

import asyncpg

from etl.db.connect import connection
from etl.db.target import DatabaseTarget
from etl.errors import RunFailure, UserInputError
from etl.paths import EXT_DIR

EXTENSION = "mlyetl_spacing"
INSTALL_SCRIPT = EXT_DIR / EXTENSION / "install.sh"
_MAJOR = re.compile(r"PostgreSQL\s+(\d+)")


@dataclass(frozen=True)
class ServerFacts:
    """What a running server says about itself (None where this user may not read it)."""

    major: int
    bindir: str | None
    pkglibdir: str | None
    data_directory: str | None
    superuser: bool
    available_version: str | None


async def server_facts(dsn: str) -> ServerFacts:
    async with connection(dsn) as conn:
        major = int(await conn.fetchval("SHOW server_version_num")) // 10000
        superuser = bool(await conn.fetchval("SELECT rolsuper FROM pg_roles WHERE rolname = current_user"))
        config: dict[str, str] = {}
        data_directory = None
        if superuser:  # pg_config and data_directory are for superusers only
            rows = await conn.fetch("SELECT name, setting FROM pg_config WHERE name IN ('BINDIR', 'PKGLIBDIR')")
            config = {row["name"]: row["setting"] for row in rows}
            data_directory = await conn.fetchval("SHOW data_directory")
        available = await conn.fetchval(
            "SELECT default_version FROM pg_available_extensions WHERE name = $1", EXTENSION)
    return ServerFacts(major, config.get("BINDIR"), config.get("PKGLIBDIR"), data_directory, superuser, available)


def _pg_config(pg_config: Path, option: str) -> str:
    try:
        done = subprocess.run([str(pg_config), option], capture_output=True, text=True, check=True, timeout=30)
    except (OSError, subprocess.SubprocessError) as error:
        raise UserInputError(f"{pg_config} does not run as pg_config ({error})",
                             hint="pass the pg_config of the server with --pg-config") from None
    return done.stdout.strip()


def pg_config_major(pg_config: Path) -> int:
    match = _MAJOR.search(_pg_config(pg_config, "--version"))
    if not match:
        raise UserInputError(f"{pg_config} is not a PostgreSQL pg_config", hint="pass the server's with --pg-config")
    return int(match.group(1))


def choose_pg_config(target: DatabaseTarget, facts: ServerFacts, explicit: Path | None) -> Path:
    """The pg_config of the server behind `target`, or a UserInputError saying why there is none."""
    if explicit is not None:
        chosen = explicit
    elif target.cluster is not None:
        chosen = target.cluster.binaries.bindir / "pg_config"
    elif facts.bindir is None:
        raise UserInputError(
            "this database user may not read where the server is installed (pg_config is for superusers)",
            hint="connect as a superuser, or pass that server's pg_config with --pg-config")
    elif facts.data_directory and not Path(facts.data_directory).exists():
        raise UserInputError(
            f"the server runs on another machine or in a container (its data directory {facts.data_directory} "
            "is not here)",
            hint="run 'mlyetl db install-extension' where the server runs, or use the image of docker/Dockerfile")
    else:
        chosen = Path(facts.bindir) / "pg_config"
    if not chosen.exists():
        raise UserInputError(
            f"{chosen} is missing (the server's build tools are not installed)",
            hint=f"install them (Debian: apt-get install postgresql-server-dev-{facts.major}) or pass --pg-config")
    major = pg_config_major(chosen)
    if major != facts.major:
        raise UserInputError(f"{chosen} is for PostgreSQL {major} but the server runs PostgreSQL {facts.major}",
                             hint=f"pass PostgreSQL {facts.major}'s pg_config with --pg-config")
    if facts.pkglibdir and _pg_config(chosen, "--pkglibdir") != facts.pkglibdir:
        raise UserInputError(f"{chosen} installs into another folder than the server loads libraries from "
                             f"({facts.pkglibdir})", hint="pass that server's own pg_config with --pg-config")
    return chosen


def _embedded_facts(target: DatabaseTarget) -> ServerFacts:
    """The embedded cluster's facts from its binaries: no need to start it (under sudo the
    target is root's cluster, which need not exist)."""
    binaries = target.cluster.binaries
    if target.cluster.is_running():
        return asyncio.run(server_facts(target.cluster.socket_dsn()))
    pkglibdir = _pg_config(binaries.bindir / "pg_config", "--pkglibdir") if (binaries.bindir / "pg_config").exists() else None
    return ServerFacts(binaries.major_version, str(binaries.bindir), pkglibdir, None, True, None)


def _offered_version(pg_config: Path) -> str | None:
    """default_version of the control file the server reads (it reads it at each CREATE)."""
    control = Path(_pg_config(pg_config, "--sharedir")) / "extension" / f"{EXTENSION}.control"
    if not control.exists():
        return None
    match = re.search(r"^default_version\s*=\s*'([^']*)'", control.read_text(), re.M)
    return match.group(1) if match else None


def install_extension(target: DatabaseTarget, explicit: Path | None = None) -> list[str]:
    """Build and install the extension for `target`'s server; returns the lines to show."""
    from etl.filters.walk_impl import VERSION

    if target.cluster is not None:
        facts = _embedded_facts(target)
    else:
        facts = asyncio.run(server_facts(target.connection_dsn()))
    pg_config = choose_pg_config(target, facts, explicit)
    pkglibdir = _pg_config(pg_config, "--pkglibdir")
    extension_dir = Path(_pg_config(pg_config, "--sharedir")) / "extension"
    if not (os.access(pkglibdir, os.W_OK) and os.access(extension_dir, os.W_OK)):
        raise UserInputError(f"cannot write the server's folders {pkglibdir} and {extension_dir}",
                             hint="run this command as root (sudo)")
    done = subprocess.run(["bash", str(INSTALL_SCRIPT), "--pg-config", str(pg_config), "--strict"],
                          capture_output=True, text=True, check=False)
    if done.returncode != 0:
        lines = [line for line in done.stderr.splitlines() if line.strip()]
        raise RunFailure(f"building {EXTENSION} failed: {lines[-1] if lines else done.returncode}",
                         hint="the PL/pgSQL walk still works; rerun with the build tools installed")
    offered = _offered_version(pg_config)
    if target.cluster is None or target.cluster.is_running():  # ask the server itself
        offered = asyncio.run(server_facts(target.connection_dsn())).available_version
    if offered != VERSION:
        raise RunFailure(f"installed, but the server offers {EXTENSION} {offered}, not {VERSION}",
                         hint=f"check that {pg_config} belongs to this server")
    lines = [f"installed {EXTENSION} {VERSION} for PostgreSQL {facts.major} into {pkglibdir} (with {pg_config})"]
    if facts.superuser:
        lines.append("'mlyetl filter' creates it in the database on its next run and then uses the C walk")
    else:
        lines.append(f"a superuser creates it once in the database: CREATE EXTENSION {EXTENSION};")
    return lines
