"""Which database a command talks to.

First match wins: `--dsn`, `MLYETL_DSN`, the libpq variables (PGHOST, PGDATABASE,
PGSERVICE...) when any is set, otherwise the embedded cluster.

Reading a target's DSN never starts anything: starting the embedded cluster is the
explicit step `target.start()` (the stage entry points take it first, off the event loop).
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

from etl.db.cluster import EmbeddedCluster

LIBPQ_VARIABLES = ("PGHOST", "PGHOSTADDR", "PGPORT", "PGDATABASE", "PGUSER", "PGSERVICE")


@dataclass
class DatabaseTarget:
    """Either an external server (`dsn`) or the embedded `cluster`."""

    dsn: str | None
    cluster: EmbeddedCluster | None
    source: str  # where the choice came from, for `db status`

    @classmethod
    def from_dsn(cls, dsn: str) -> DatabaseTarget:
        """An external server (or the embedded cluster's socket DSN)."""
        return cls(dsn=dsn, cluster=None, source="dsn")

    @classmethod
    def embedded(cls, data_dir: Path | None = None) -> DatabaseTarget:
        """The embedded cluster in `data_dir` (default: the user's data folder); see `start()`."""
        return cls(dsn=None, cluster=EmbeddedCluster(data_dir), source="embedded")

    def start(self) -> bool:
        """Create and start the embedded cluster when it is the target (blocking; True if it was
        started now). Nothing to do for an external server."""
        return self.cluster.ensure_running() if self.cluster is not None else False

    def connection_dsn(self) -> str:
        """The DSN to connect with ('' for the libpq environment); starts nothing."""
        if self.cluster is not None:
            return self.cluster.socket_dsn()
        return self.dsn or ""

    def display(self) -> str:
        """A description safe to print: never a password."""
        if self.cluster is not None:
            return f"embedded cluster in {self.cluster.data_dir}"
        if not self.dsn:
            return "libpq environment (PG* variables)"
        return redact_dsn(self.dsn)


def redact_dsn(dsn: str) -> str:
    """`dsn` with any password removed, for logs and error messages."""
    if "://" not in dsn:
        return " ".join(p for p in dsn.split() if not p.lower().startswith("password="))
    parts = urlsplit(dsn)
    netloc = parts.netloc
    if "@" in netloc:
        userinfo, host = netloc.rsplit("@", 1)
        netloc = f"{userinfo.split(':', 1)[0]}@{host}"
    query = "&".join(q for q in parts.query.split("&") if not q.lower().startswith("password="))
    return urlunsplit((parts.scheme, netloc, parts.path, query, parts.fragment))


def as_target(target: DatabaseTarget | str) -> DatabaseTarget:
    """A target from a target or a DSN string."""
    return target if isinstance(target, DatabaseTarget) else DatabaseTarget.from_dsn(target)


def resolve_target(dsn: str | None = None, data_dir: Path | None = None) -> DatabaseTarget:
    if dsn:
        return DatabaseTarget(dsn=dsn, cluster=None, source="--dsn")
    if os.environ.get("MLYETL_DSN"):
        return DatabaseTarget(dsn=os.environ["MLYETL_DSN"], cluster=None, source="MLYETL_DSN")
    if data_dir is None and any(os.environ.get(v) for v in LIBPQ_VARIABLES):
        return DatabaseTarget(dsn=None, cluster=None, source="PG* environment")
    return DatabaseTarget(dsn=None, cluster=EmbeddedCluster(data_dir), source="embedded")
