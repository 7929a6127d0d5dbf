"""The HTTP client against the simulator: retries, Retry-After, limits, no leaks. No DB."""

from __future__ import annotations

import asyncio
import time

import orjson
import pytest
import shapely

from etl.mapillary import errors as E
from etl.mapillary.client import ClientSettings, MapillaryClient
from etl.mapillary.limits import Limit, parse_limits
from etl.mapillary.parsing import IMAGE_FIELDS, BadAnswer, answer_rows, data_list, image_row, image_rows
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
    row = image_row(rec)
    assert row[0] == 12 and shapely.from_wkb(row[3]).coords[0] == (1.0, 2.0) and row[4] is False  # original used
    assert shapely.get_srid(shapely.from_wkb(row[3])) == 4326 and row[5] == row[3]
    assert row[8] == -15.0 and row[10] is False and row[12] is None  # unwrapped, is_pano absent -> false, '' -> NULL
    assert image_row({**rec, "captured_at": None}) is None
    assert "thumb" not in IMAGE_FIELDS  # signed URLs expire: never stored


def test_typed_and_lenient_parsing_give_the_same_rows() -> None:
    records = [
        {"id": "12", "sequence": "s", "captured_at": 1000, "geometry": {"type": "Point", "coordinates": [1.0, 2.0]},
         "computed_geometry": {"type": "Point", "coordinates": [1.5, 2.5]}, "altitude": 4294967281,
         "computed_altitude": 3.5, "compass_angle": 10, "is_pano": True, "width": 4000, "height": 3000,
         "creator": {"id": "9", "username": "u"}, "make": "", "model": "m", "organization_id": "77",
         "quality_score": 0.5, "camera_type": "spherical"},
        {"id": "13", "sequence": "s", "captured_at": 2000},  # no position: skipped
        {"id": "14", "sequence": "s", "captured_at": 3000, "geometry": {"type": "Point", "coordinates": [3.0, 4.0]}},
    ]
    body = orjson.dumps({"data": records})
    typed = answer_rows(body)
    assert typed == image_rows(records) and typed[1] == 1 and len(typed[0]) == 2
    assert typed[0][0][16] == 9 and typed[0][0][18] == 77 and typed[0][0][4] is True
    # a record of unexpected shape sends the whole answer down the lenient path, which skips only it
    odd = orjson.dumps({"data": [*records, {"id": "15", "sequence": "s", "captured_at": "soon",
                                            "geometry": {"type": "Point", "coordinates": [5.0, 6.0]}}]})
    assert answer_rows(odd) == (typed[0], 2)
    with pytest.raises(BadAnswer):
        answer_rows(b'{"data": [')
