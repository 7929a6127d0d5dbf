"""The embedded default: a private PostgreSQL + PostGIS cluster the tool runs itself.

Layout of the data directory (default `~/.local/share/mlyetl`, `/var/lib/mlyetl`
for root because the server's unprivileged user cannot enter /root):

    pgdata/      the cluster (owned by the server user, mode 0700)
    socket/      the Unix socket (mode 0700: only that user and root connect)
    pgpass       libpq password file for TCP clients such as QGIS (mode 0600)
    server.log   the server's log

Local socket connections use `trust` (the socket directory is private); TCP on
127.0.0.1 needs the generated password, which only `pgpass` holds, so `db url`
can print a connection string without printing the secret.
"""

from __future__ import annotations

import json
import logging
import os
import pwd
import secrets
import shutil
import socket
import subprocess
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import quote

from etl.db.binaries import PgBinaries, find_binaries, require_postgis
from etl.errors import RunFailure, UserInputError

log = logging.getLogger(__name__)

DB_NAME = "mlyetl"
DB_USER = "mlyetl"
SERVER_SETTINGS = """\
# Written by mlyetl: settings for an ETL workload on one machine.
listen_addresses = '127.0.0.1'
unix_socket_directories = {socket_dir}
unix_socket_permissions = 0700
shared_buffers = '1GB'
work_mem = '64MB'
maintenance_work_mem = '1GB'
max_wal_size = '8GB'
checkpoint_timeout = '15min'
max_parallel_workers_per_gather = {parallel_workers}
jit = off
logging_collector = off
"""


def parallel_workers_per_gather() -> int:
    """One fewer than the cores (at least 1, at most 8): the leader of a parallel query
    works too, so this keeps every core busy without more processes than cores (on 2 cores
    a first filter computation at 5 M images took 2.24 s instead of 2.39 s for its walk
    with 1 worker instead of 2; CSV exports were no slower)."""
    return max(1, min(8, (os.cpu_count() or 2) - 1))


def conf_string(text: str) -> str:
    """`text` as a quoted postgresql.conf value (a quote is doubled, a backslash escaped)."""
    return "'" + text.replace("\\", "\\\\").replace("'", "''") + "'"


def server_settings(socket_dir: Path) -> str:
    # unix_socket_directories is a list: one entry in double quotes, so a comma or a space
    # in the path stays part of it
    listed = '"' + str(socket_dir).replace('"', '""') + '"'
    return SERVER_SETTINGS.format(socket_dir=conf_string(listed), parallel_workers=parallel_workers_per_gather())


# The kernel's limit on a Unix socket's path (sun_path, with its closing NUL), and the
# name PostgreSQL gives its socket in the socket directory.
SOCKET_PATH_MAX = 107
SOCKET_NAME = "/.s.PGSQL.65535"


# pg_ctl starts the server through a shell command line with every path in double quotes,
# and libpq (psql) and asyncpg read a comma in a host as a list of hosts
UNSAFE_PATH_CHARACTERS = '"$`\\\n,'


def check_socket_path(socket_dir: Path) -> None:
    """Refuse a data directory that pg_ctl or the kernel (its socket path) would not accept."""
    bad = sorted({c for c in str(socket_dir.parent) if c in UNSAFE_PATH_CHARACTERS})
    if bad:
        raise UserInputError(
            f"the data directory {str(socket_dir.parent)!r} holds {' and '.join(map(repr, bad))}, which "
            "PostgreSQL's tools cannot pass on", hint="choose another path with --data-dir or MLYETL_DATA_DIR")
    length = len(os.fsencode(socket_dir)) + len(SOCKET_NAME)
    if length > SOCKET_PATH_MAX:
        raise UserInputError(
            f"the data directory {socket_dir.parent} is too long a path for PostgreSQL's socket "
            f"({socket_dir}{SOCKET_NAME[:10]}...: {length} bytes, the limit is {SOCKET_PATH_MAX})",
            hint=f"choose a data directory of at most {SOCKET_PATH_MAX - len(SOCKET_NAME) - len('/socket')} "
                 "bytes with --data-dir or MLYETL_DATA_DIR")


# A runaway or orphaned query must stop on its own: each server process may write at most
# half the disk space that was free when the server started in temporary files (sorts, hash
# spills), and a query whose client went away (killed, lost) is cancelled within seconds
# instead of running to its end (PostgreSQL 14+). ALTER SYSTEM overrides both.
TEMP_FILE_SHARE = 0.5
MIN_TEMP_FILE_LIMIT_MB = 256
MAX_TEMP_FILE_LIMIT_MB = (2**31 - 1) // 1024  # the setting is an int of kB
CLIENT_CHECK_INTERVAL = "5s"


def guard_settings(pgdata: Path, major_version: int) -> str:
    """The lines of mlyetl.conf that stop runaway and orphaned queries."""
    free_mb = shutil.disk_usage(pgdata).free // 2**20
    limit_mb = min(MAX_TEMP_FILE_LIMIT_MB, max(MIN_TEMP_FILE_LIMIT_MB, int(free_mb * TEMP_FILE_SHARE)))
    lines = [f"temp_file_limit = '{limit_mb}MB'"]
    if major_version >= 14:
        lines.append(f"client_connection_check_interval = '{CLIENT_CHECK_INTERVAL}'")
    return "\n".join(lines) + "\n"


def default_data_dir() -> Path:
    if os.environ.get("MLYETL_DATA_DIR"):
        return Path(os.environ["MLYETL_DATA_DIR"])
    if os.geteuid() == 0:
        return Path("/var/lib/mlyetl")
    base = os.environ.get("XDG_DATA_HOME") or str(Path.home() / ".local" / "share")
    return Path(base) / "mlyetl"


def _server_user() -> pwd.struct_passwd:
    """The account the server runs as: ourselves, or an unprivileged one when root."""
    if os.geteuid() != 0:
        return pwd.getpwuid(os.geteuid())
    name = os.environ.get("MLYETL_SERVER_USER", "postgres")
    try:
        return pwd.getpwnam(name)
    except KeyError:
        raise RunFailure(
            f"running as root, but the unprivileged user '{name}' that should run PostgreSQL does not exist",
            hint="create it (useradd --system postgres) or set MLYETL_SERVER_USER to another user",
        ) from None


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _port_is_free(port: int) -> bool:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        try:
            sock.bind(("127.0.0.1", port))
        except OSError:
            return False
        return True


@dataclass
class ClusterStatus:
    initialized: bool
    running: bool
    port: int | None
    data_dir: Path


class EmbeddedCluster:
    """Create, start, stop and describe the private cluster in `data_dir`."""

    def __init__(self, data_dir: Path | None = None) -> None:
        self.data_dir = Path(data_dir) if data_dir else default_data_dir()
        self.pgdata = self.data_dir / "pgdata"
        self.socket_dir = self.data_dir / "socket"
        self.pgpass = self.data_dir / "pgpass"
        self.log_file = self.data_dir / "server.log"
        self.state_file = self.data_dir / "cluster.json"
        self._binaries: PgBinaries | None = None

    # -- facts -------------------------------------------------------------
    @property
    def binaries(self) -> PgBinaries:
        if self._binaries is None:
            self._binaries = find_binaries()
        return self._binaries

    def is_initialized(self) -> bool:
        return (self.pgdata / "PG_VERSION").exists() and self.state_file.exists()

    def port(self) -> int | None:
        if not self.state_file.exists():
            return None
        return int(self._state()["port"])

    def is_running(self) -> bool:
        if not self.is_initialized():
            return False
        result = self._run_as_server(["pg_ctl", "-D", str(self.pgdata), "status"], check=False)
        return result.returncode == 0

    def status(self) -> ClusterStatus:
        return ClusterStatus(self.is_initialized(), self.is_running(), self.port(), self.data_dir)

    def socket_dsn(self) -> str:
        """The DSN the tool itself uses: the private socket, no password needed."""
        return f"postgresql://{DB_USER}@/{DB_NAME}?host={quote(str(self.socket_dir), safe='/')}&port={self.port()}"

    def tcp_url(self) -> str:
        """A libpq URL for psql and QGIS; the password stays in the passfile."""
        return f"postgresql://{DB_USER}@127.0.0.1:{self.port()}/{DB_NAME}?passfile={quote(str(self.pgpass), safe='/')}"

    # -- lifecycle ---------------------------------------------------------
    def ensure_running(self) -> bool:
        """Initialise if needed and start if stopped; True when this call started it."""
        check_socket_path(self.socket_dir)
        require_postgis(self.binaries)
        if not self.is_initialized():
            self.initialize()
        started = False
        if not self.is_running():
            self.start()
            started = True
        if not self._state().get("ready"):
            self._ensure_database()
            self._write_state(self.port() or _free_port(), ready=True)
        return started

    def initialize(self) -> None:
        check_socket_path(self.socket_dir)
        user = _server_user()
        self._prepare_directories(user)
        password = secrets.token_urlsafe(24)
        pwfile = self.socket_dir / ".initdb-pw"
        pwfile.write_text(password + "\n")
        os.chown(pwfile, user.pw_uid, user.pw_gid)
        try:
            self._run_as_server([
                "initdb", "-D", str(self.pgdata), "-U", DB_USER, f"--pwfile={pwfile}",
                "--auth-local=trust", "--auth-host=scram-sha-256", "-E", "UTF8", "--no-locale",
            ])
        finally:
            pwfile.unlink(missing_ok=True)
        self._write_settings()
        with open(self.pgdata / "postgresql.conf", "a", encoding="utf-8") as conf:
            conf.write("\ninclude 'mlyetl.conf'\n")
        self._write_state(_free_port())
        self._write_pgpass(password)
        log.info("initialised a PostgreSQL %s cluster in %s", self.binaries.major_version, self.pgdata)

    def _write_settings(self) -> None:
        """mlyetl.conf is mlyetl's own (ALTER SYSTEM overrides it): written at creation and
        refreshed at each start, so a cluster follows the tool's settings and the cores."""
        settings = self.pgdata / "mlyetl.conf"
        text = server_settings(self.socket_dir) + guard_settings(self.pgdata, self.binaries.major_version)
        if settings.exists() and settings.read_text() == text:
            return
        user = _server_user()
        settings.write_text(text)
        os.chown(settings, user.pw_uid, user.pw_gid)

    def start(self) -> None:
        check_socket_path(self.socket_dir)
        self._write_settings()
        port = self.port() or _free_port()
        if not _port_is_free(port):
            port = _free_port()  # another program took it since; the URL follows the cluster
            self._write_state(port)
        self._ensure_log_file()
        result = self._run_as_server(
            ["pg_ctl", "-D", str(self.pgdata), "-l", str(self.log_file), "-w", "-t", "60",
             "-o", f"-p {port}", "start"],
            check=False,
        )
        if result.returncode != 0:
            raise RunFailure(
                f"the embedded PostgreSQL did not start: {self._last_log_line()}",
                hint=f"see {self.log_file}",
            )
        self._write_pgpass(None, port)

    def stop(self) -> bool:
        """Stop the server; False when it was not running."""
        if not self.is_running():
            return False
        self._run_as_server(["pg_ctl", "-D", str(self.pgdata), "-w", "-t", "60", "-m", "fast", "stop"])
        return True

    # -- helpers -----------------------------------------------------------
    def _prepare_directories(self, user: pwd.struct_passwd) -> None:
        try:
            self.data_dir.mkdir(parents=True, exist_ok=True)
            probe = self.data_dir / ".write-test"
            probe.write_text("")
            probe.unlink()
        except OSError as error:
            raise UserInputError(
                f"cannot write the data directory {self.data_dir}: {error.strerror}",
                hint="choose a writable one with --data-dir or MLYETL_DATA_DIR",
            ) from None
        if self.pgdata.exists() and any(self.pgdata.iterdir()):
            raise UserInputError(
                f"{self.pgdata} exists and is not an mlyetl cluster",
                hint="remove it or choose another --data-dir",
            )
        for folder in (self.pgdata, self.socket_dir):
            folder.mkdir(mode=0o700, exist_ok=True)
            os.chown(folder, user.pw_uid, user.pw_gid)
        if os.geteuid() == 0:
            self._check_server_user_can_enter(user)

    def _check_server_user_can_enter(self, user: pwd.struct_passwd) -> None:
        probe = subprocess.run(["test", "-w", str(self.pgdata)], user=user.pw_uid, group=user.pw_gid, check=False)
        if probe.returncode != 0:
            raise UserInputError(
                f"the server user '{user.pw_name}' cannot enter {self.data_dir}",
                hint="choose a --data-dir outside /root, e.g. /var/lib/mlyetl (the default for root)",
            )

    def _state(self) -> dict:
        return json.loads(self.state_file.read_text()) if self.state_file.exists() else {}

    def _write_state(self, port: int, ready: bool | None = None) -> None:
        state = self._state() | {"port": port, "db": DB_NAME, "user": DB_USER}
        if ready is not None:
            state["ready"] = ready
        self.state_file.write_text(json.dumps(state) + "\n")

    def _write_pgpass(self, password: str | None, port: int | None = None) -> None:
        """Keep the passfile's port in step with the cluster's; the password never changes."""
        if password is None:
            if not self.pgpass.exists():
                return
            password = self.pgpass.read_text().strip().rsplit(":", 1)[1]
        port = port or self.port()
        fd = os.open(self.pgpass, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with os.fdopen(fd, "w") as out:
            out.write(f"127.0.0.1:{port}:*:{DB_USER}:{password}\n")
            out.write(f"localhost:{port}:*:{DB_USER}:{password}\n")

    def _psql(self, database: str, sql: str) -> str:
        result = self._run_as_server([
            "psql", "-X", "-q", "-t", "-A", "-v", "ON_ERROR_STOP=1", "-h", str(self.socket_dir),
            "-p", str(self.port()), "-U", DB_USER, "-d", database, "-c", sql,
        ])
        return result.stdout.strip()

    def _ensure_database(self) -> None:
        """Create the tool's database with PostGIS the first time the cluster runs."""
        if not self._psql("postgres", f"SELECT 1 FROM pg_database WHERE datname = '{DB_NAME}'"):
            self._psql("postgres", f"CREATE DATABASE {DB_NAME}")
        self._psql(DB_NAME, "CREATE EXTENSION IF NOT EXISTS postgis")

    def _ensure_log_file(self) -> None:
        """The server writes its log as the server user, so that user must own the file."""
        user = _server_user()
        self.log_file.touch(exist_ok=True)
        os.chown(self.log_file, user.pw_uid, user.pw_gid)

    def _last_log_line(self) -> str:
        try:
            lines = [l for l in self.log_file.read_text(errors="replace").splitlines() if l.strip()]
        except OSError:
            return "no server log"
        return lines[-1] if lines else "empty server log"

    def _run_as_server(self, argv: list[str], check: bool = True) -> subprocess.CompletedProcess[str]:
        user = _server_user()
        argv = [self.binaries.tool(argv[0]), *argv[1:]]
        kwargs: dict = {}
        if os.geteuid() == 0:
            kwargs = {"user": user.pw_uid, "group": user.pw_gid, "extra_groups": [], "cwd": "/"}
        env = {k: v for k, v in os.environ.items() if not k.startswith("PG")}
        result = subprocess.run(argv, capture_output=True, text=True, env=env, **kwargs)
        if check and result.returncode != 0:
            detail = (result.stderr or result.stdout).strip().splitlines()
            raise RunFailure(f"{Path(argv[0]).name} failed: {detail[-1] if detail else result.returncode}")
        return result


def remove_cluster_files(data_dir: Path) -> None:
    """Delete a stopped cluster's directory (used by tests for throwaway clusters)."""
    shutil.rmtree(data_dir, ignore_errors=True)
