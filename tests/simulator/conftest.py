"""Fixtures: a tiny world shared by the session, and a fresh server per test."""

from __future__ import annotations

import json
import urllib.error
import urllib.parse
import urllib.request
from dataclasses import dataclass

import pytest

from etl.simulator.config import DEFAULT_TOKEN, SimulatorConfig
from etl.simulator.presets import build_world
from etl.simulator.server import SimulatorServer
from etl.simulator.world import World


@dataclass
class Reply:
    status: int
    headers: dict[str, str]
    body: bytes

    def json(self) -> dict:
        return json.loads(self.body)


class Api:
    """A deliberately plain client (urllib) so the server is tested, not a client library."""

    def __init__(self, server: SimulatorServer) -> None:
        self.server = server

    def get(self, path: str, params: dict | None = None, auth: str = "header", token: str = DEFAULT_TOKEN,
            timeout: float = 20) -> Reply:
        params = dict(params or {})
        headers = {}
        if auth == "header":
            headers["Authorization"] = f"OAuth {token}"
        elif auth == "query":
            params["access_token"] = token
        url = self.server.base_url + path + ("?" + urllib.parse.urlencode(params) if params else "")
        return self.fetch(url, headers, timeout)

    @staticmethod
    def fetch(url: str, headers: dict | None = None, timeout: float = 20) -> Reply:
        request = urllib.request.Request(url, headers=headers or {})
        try:
            with urllib.request.urlopen(request, timeout=timeout) as r:
                return Reply(r.status, dict(r.headers), r.read())
        except urllib.error.HTTPError as error:
            return Reply(error.code, dict(error.headers), error.read())

    def images(self, bbox: tuple, **params: object) -> Reply:
        return self.get("/images", {"bbox": ",".join(map(str, bbox)), **params})


@pytest.fixture(scope="session")
def tiny_world() -> World:
    return build_world("tiny")


@pytest.fixture
def make_server(tiny_world: World):
    started: list[SimulatorServer] = []

    def make(**config: object) -> SimulatorServer:
        config.setdefault("world", tiny_world)
        config.setdefault("rate_limits", {})
        server = SimulatorServer(SimulatorConfig(**config))
        server.start()
        started.append(server)
        return server

    yield make
    for server in started:
        server.stop()


@pytest.fixture
def sim(make_server) -> SimulatorServer:  # noqa: ANN001
    return make_server()


@pytest.fixture
def api(sim: SimulatorServer) -> Api:
    return Api(sim)
