"""Which server the suite uses, and that the Docker one has the spacing extension.

The suite must give the same results on every machine: the embedded cluster unless a
server is named (MLYETL_TEST_DSN) or Docker is asked for (MLYETL_TEST_DOCKER=1); a Docker
engine that merely runs changes nothing. Docker's image is built from docker/Dockerfile,
the same one docker/compose.yml builds, so the C-walk tests find the extension there too.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from tests.dbserver import DOCKERFILE, EXTENSION_SOURCES, _require_docker, choose_server

REPO = Path(__file__).resolve().parent.parent


@pytest.mark.parametrize(("env", "choice"), [
    ({}, "embedded"),
    ({"DOCKER_HOST": "unix:///var/run/docker.sock"}, "embedded"),  # an engine alone is no request
    ({"MLYETL_TEST_DOCKER": "0"}, "embedded"),
    ({"MLYETL_TEST_DOCKER": "1"}, "docker"),
    ({"MLYETL_TEST_DOCKER": "yes"}, "docker"),
    ({"MLYETL_TEST_DSN": "postgresql://admin@db/postgres", "MLYETL_TEST_DOCKER": "1"}, "dsn"),
])
def test_the_server_is_chosen_by_request_not_by_what_runs(env: dict[str, str], choice: str) -> None:
    assert choose_server(env) == choice


def test_an_unclear_docker_request_is_refused() -> None:
    with pytest.raises(ValueError, match="MLYETL_TEST_DOCKER='maybe'"):
        choose_server({"MLYETL_TEST_DOCKER": "maybe"})


def test_docker_asked_for_without_an_engine_says_so(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("DOCKER_HOST", f"unix://{tmp_path / 'no-engine.sock'}")
    with pytest.raises(RuntimeError, match="no Docker engine answers.*unset MLYETL_TEST_DOCKER"):
        _require_docker()


def test_compose_and_the_tests_build_the_same_image_with_the_extension() -> None:
    compose = (REPO / "docker" / "compose.yml").read_text()
    context = re.search(r"context:\s*(\S+)", compose).group(1)
    dockerfile = re.search(r"dockerfile:\s*(\S+)", compose).group(1)
    compose_dir = REPO / "docker"
    assert (compose_dir / context).resolve() == EXTENSION_SOURCES
    assert (compose_dir / context / dockerfile).resolve() == DOCKERFILE

    text = DOCKERFILE.read_text()
    # built with the pg_config of the image's own server, failing the build if it cannot
    assert re.search(r'install\.sh --strict --pg-config "/usr/lib/postgresql/\$\{PG_MAJOR\}/bin/pg_config"', text)
    assert "COPY . /tmp/mlyetl_spacing" in text
    for needed in ("install.sh", "Makefile", "mlyetl_spacing.c", "mlyetl_spacing.control"):
        assert (EXTENSION_SOURCES / needed).is_file()
