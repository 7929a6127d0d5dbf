"""The HTTP client against the simulator: retries, Retry-After, limits, no leaks. No DB."""

from __future__ import annotations

import asyncio
import time

import pytest

from etl.mapillary import errors as E
from etl.mapillary.client import ClientSettings, MapillaryClient
from etl.mapillary.limits import Limit, parse_limits
from etl.mapillary.parsing import IMAGE_FIELDS, data_list, image_row
from etl.simulator.server import SimulatorServer
from tests.crawler.conftest import make_simulator

BOX = {"bbox": "6.62,46.51,6.625,46.515", "fields": "id", "limit": "2000"}


def _client(sim: SimulatorServer, token: str | None = None, **kw: object) -> MapillaryClient:
    return MapillaryClient(ClientSettings(token=token or sim.token, graph_url=sim.base_url, tiles_url=sim.tiles_url,
                                          backoff_s=0.01, **kw))


async def _search(client: MapillaryClient) -> bytes:
    async with client:
        return await client.graph("images_bbox", "search", "/images", BOX)


def test_transient_errors_are_retried_with_a_bound() -> None:
    with make_simulator(schedules=["images_bbox:503:first2"]) as sim:
        client = _client(sim)
        assert data_list(asyncio.run(_search(client)))
        assert client.stats.retries["images_bbox"] == 2 and sim.stats["requests"]["images_bbox"] == 3
    with make_simulator(schedules=["images_bbox:502:first100"]) as sim:
        client = _client(sim, max_retries=3)
        with pytest.raises(E.TransientError):
            asyncio.run(_search(client))
        assert sim.stats["requests"]["images_bbox"] == 4  # 1 + 3 retries, then it gives up


def test_retry_after_is_honoured() -> None:
    with make_simulator("tiny", faults="retry_after=1", schedules=["images_bbox:429:first1"]) as sim:
        started = time.monotonic()
        asyncio.run(_search(_client(sim)))
        assert time.monotonic() - started >= 1.0


def test_dropped_and_cut_answers_are_retried() -> None:
    with make_simulator(schedules=["images_bbox:drop:first1", "images_bbox:truncate:2"]) as sim:
        client = _client(sim)
        assert data_list(asyncio.run(_search(client)))
        assert sim.stats["faults"] == {"drop": 1, "truncate": 1} and client.stats.retries["images_bbox"] >= 1


def test_reduce_data_is_a_signal_not_a_retry() -> None:
    with make_simulator(schedules=["images_bbox:reduce:first1"]) as sim:
        with pytest.raises(E.ReduceData):
            asyncio.run(_search(_client(sim)))
        assert sim.stats["requests"]["images_bbox"] == 1


def test_tile_token_never_shows_in_errors() -> None:
    with make_simulator() as sim:
        async def bad_tile() -> None:
            async with _client(sim, token="MLY|1|leakme") as client:
                await client.tile("mly1_computed_public", 14, 8493, 5795)

        with pytest.raises(E.TokenRejected) as caught:
            asyncio.run(bad_tile())
    assert "leakme" not in caught.value.one_line()


def test_client_rate_limit_spaces_requests() -> None:
    with make_simulator() as sim:
        client = _client(sim, limits={"search": Limit(2, 1.0)})  # 2 per second, burst 2

        async def four() -> None:
            async with client:
                await asyncio.gather(*(client.graph("images_bbox", "search", "/images", BOX) for _ in range(4)))

        started = time.monotonic()
        asyncio.run(four())
        assert time.monotonic() - started >= 0.9
        assert client.stats.rate_wait_s > 0


def test_parse_limits() -> None:
    assert parse_limits("off") == {}
    limits = parse_limits("search=600/min,tiles=off")
    assert limits["search"] == Limit(600, 60.0) and "tiles" not in limits and "entity" in limits


def test_image_row_rules() -> None:
    rec = {"id": "12", "sequence": "s", "captured_at": 1000, "geometry": {"type": "Point", "coordinates": [1.0, 2.0]},
           "altitude": 4294967281, "creator": {"id": "9", "username": "u"}, "make": ""}
    row = image_row(rec, True)
    assert row[0] == 12 and (row[3], row[4]) == (1.0, 2.0) and row[5] is False  # original position used
    assert row[10] == -15.0 and row[12] is False and row[14] is None  # unwrapped, is_pano absent -> false, '' -> NULL
    assert image_row({**rec, "captured_at": None}, True) is None
    assert "thumb" not in IMAGE_FIELDS  # signed URLs expire: never stored
