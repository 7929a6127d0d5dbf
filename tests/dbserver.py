"""The PostGIS server the test suite runs against, the same on every machine:

- `MLYETL_TEST_DSN` when set: an admin DSN (a superuser: it creates databases and the
  extensions) of a server you run;
- `MLYETL_TEST_DOCKER=1`: a testcontainers PostGIS built from docker/Dockerfile (PostGIS
  with the mlyetl_spacing extension); a Docker engine must answer then;
- otherwise the embedded cluster (the same code the CLI uses) in a throwaway data
  directory, whether or not a Docker engine runs on the machine.
"""

from __future__ import annotations

import os
import stat
import tempfile
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

from etl.db.cluster import EmbeddedCluster, remove_cluster_files


def with_database(dsn: str, database: str) -> str:
    """`dsn` pointing at another database on the same server."""
    parts = urlsplit(dsn)
    return urlunsplit((parts.scheme, parts.netloc, f"/{database}", parts.query, parts.fragment))


REPO_ROOT = Path(__file__).resolve().parent.parent
DOCKERFILE = REPO_ROOT / "docker" / "Dockerfile"
EXTENSION_SOURCES = REPO_ROOT / "ext" / "mlyetl_spacing"  # the image's build context
IMAGE_TAG = "mlyetl-postgis:test"
_YES, _NO = {"1", "true", "yes", "on"}, {"", "0", "false", "no", "off"}


def choose_server(env: Mapping[str, str]) -> str:
    """'dsn', 'docker' or 'embedded' for the environment `env`."""
    if env.get("MLYETL_TEST_DSN"):
        return "dsn"
    wanted = env.get("MLYETL_TEST_DOCKER", "").strip().lower()
    if wanted in _YES:
        return "docker"
    if wanted in _NO:
        return "embedded"
    raise ValueError(f"MLYETL_TEST_DOCKER={wanted!r} is neither yes nor no: use 1 or 0")


def _require_docker() -> None:
    try:
        import docker  # testcontainers' dependency

        docker.from_env(timeout=5).ping()
    except Exception as error:  # noqa: BLE001 - any failure means the same to the user
        raise RuntimeError(f"MLYETL_TEST_DOCKER is set but no Docker engine answers ({error}); "
                           "start Docker or unset MLYETL_TEST_DOCKER to use the embedded cluster") from None


@contextmanager
def throwaway_cluster(prefix: str = "mlyetl-test-") -> Iterator[EmbeddedCluster]:
    """A running embedded cluster in a new temporary folder, stopped and removed afterwards
    (for tests that restart or reconfigure a server of their own)."""
    # mkdtemp makes a 0700 folder; the server user (postgres, when we are root) must enter it.
    base = Path(tempfile.mkdtemp(prefix=prefix))
    base.chmod(base.stat().st_mode | stat.S_IRWXU | stat.S_IXGRP | stat.S_IXOTH | stat.S_IRGRP | stat.S_IROTH)
    cluster = EmbeddedCluster(base / "cluster")
    try:
        cluster.ensure_running()
        yield cluster
    finally:
        cluster.stop()
        remove_cluster_files(base)


@contextmanager
def _embedded() -> Iterator[tuple[str, str]]:
    with throwaway_cluster() as cluster:
        yield with_database(cluster.socket_dsn(), "postgres"), "embedded cluster"


@contextmanager
def _container() -> Iterator[tuple[str, str]]:
    """PostGIS + mlyetl_spacing from docker/Dockerfile (kept after the run: Docker's layer
    cache makes the next build instant)."""
    from testcontainers.core.image import DockerImage
    from testcontainers.postgres import PostgresContainer

    _require_docker()
    image = DockerImage(path=str(EXTENSION_SOURCES), dockerfile_path=str(DOCKERFILE), tag=IMAGE_TAG,
                        clean_up=False)
    image.build()
    with PostgresContainer(IMAGE_TAG, driver=None) as pg:
        yield pg.get_connection_url(), f"testcontainers {IMAGE_TAG} (docker/Dockerfile)"


@contextmanager
def test_server() -> Iterator[tuple[str, str]]:
    """Yield (admin DSN, description) of the server for this test session."""
    choice = choose_server(os.environ)
    if choice == "dsn":
        yield os.environ["MLYETL_TEST_DSN"], "MLYETL_TEST_DSN"
    elif choice == "docker":
        with _container() as server:
            yield server
    else:
        with _embedded() as server:
            yield server
