"""Every fault mode, by schedule (exact) and by rate (statistical, seeded)."""

from __future__ import annotations

import http.client
import time

import pytest

from etl.simulator.faults import FaultConfig, FaultInjector, parse_faults, parse_schedule

from .conftest import Api

SMALL = (6.630, 46.519, 6.6315, 46.5205)


def _first(sim, api, kind: str, endpoint: str = "images_bbox"):  # noqa: ANN001, ANN202
    sim.set_faults("", schedules=[f"{endpoint}:{kind}:first1"])
    return api.images(SMALL)


@pytest.mark.parametrize("status", [500, 503])
def test_server_errors_are_graph_json(sim, api, status: int) -> None:  # noqa: ANN001
    reply = _first(sim, api, str(status))
    assert reply.status == status and reply.json()["error"]["is_transient"] is True
    assert api.images(SMALL).status == 200  # only the first request was scheduled
    assert sim.stats["faults"] == {str(status): 1}


def test_502_is_an_html_gateway_page(sim, api) -> None:  # noqa: ANN001
    reply = _first(sim, api, "502")
    assert reply.status == 502 and reply.headers["Content-Type"].startswith("text/html")


def test_429_has_retry_after(sim, api) -> None:  # noqa: ANN001
    sim.set_faults(FaultConfig(retry_after_seconds=3), schedules=["images_bbox:429:first1"])
    reply = api.images(SMALL)
    assert reply.status == 429 and reply.headers["Retry-After"] == "3"
    assert reply.json()["error"]["message"] == "Application request limit reached"


def test_query_timeout_is_400_minus_2(sim, api) -> None:  # noqa: ANN001
    reply = _first(sim, api, "timeout")
    error = reply.json()["error"]
    assert reply.status == 400
    assert (error["type"], error["code"], error["error_subcode"], error["is_transient"]) == (
        "MLYApiException", -2, 3404014, False)


def test_slow_answers(sim, api) -> None:  # noqa: ANN001
    sim.set_faults("slow_seconds=0.6", schedules=["images_bbox:slow:first1"])
    start = time.monotonic()
    assert api.images(SMALL).status == 200
    assert time.monotonic() - start >= 0.6
    assert sim.stats["faults"] == {"slow": 1}


def test_dropped_connection_and_truncated_body(sim, api) -> None:  # noqa: ANN001
    sim.set_faults("", schedules=["images_bbox:drop:1", "images_bbox:truncate:2"])
    with pytest.raises(http.client.RemoteDisconnected):
        api.images(SMALL)
    with pytest.raises(http.client.IncompleteRead):
        api.images(SMALL)
    assert api.images(SMALL).status == 200


def test_reduce_the_amount_of_data_above_a_threshold(sim, api) -> None:  # noqa: ANN001
    sim.set_faults("reduce=1000")
    assert sim.world.count_in_bbox(sim.world.bbox) > 1000
    reply = api.images(sim.world.bbox)
    error = reply.json()["error"]
    assert reply.status == 500 and error["code"] == 1 and "reduce the amount of data" in error["message"]
    assert api.images(SMALL).status == 200  # small boxes still answer
    sim.set_faults("density=1e5")  # images per square degree
    assert api.images(SMALL).status == 500
    assert api.images((6.60, 46.50, 6.603, 46.503)).status == 200


def test_short_pages_below_the_cap(sim, api) -> None:  # noqa: ANN001
    sim.set_faults("short=1.0")
    data = api.images(sim.world.bbox).json()["data"]
    assert 1800 <= len(data) < 2000  # fewer than 2000 although the box holds more
    assert len(api.images(SMALL).json()["data"]) == len(sim.world.image_ids_in_bbox(SMALL))


def test_partial_sequence_answers_vary_and_converge(sim, api) -> None:  # noqa: ANN001
    seq = api.images(SMALL, fields="sequence").json()["data"][0]["sequence"]
    truth = set(sim.world.sequence_image_ids(seq))
    sim.set_faults("partial=1.0")
    answers = [{int(r["id"]) for r in api.get("/images", {"sequence_ids": seq}).json()["data"]} for _ in range(12)]
    assert all(a < truth for a in answers) and len({frozenset(a) for a in answers}) > 1
    assert set().union(*answers) == truth
    listed = [int(r["id"]) for r in api.get("/image_ids", {"sequence_id": seq}).json()["data"]]
    assert listed == sorted(truth, key=lambda i: sim.world.image(i)["captured_at"])  # always complete


def test_deleted_images(sim, api) -> None:  # noqa: ANN001
    sim.set_faults("deleted=0.2")
    truth = sim.world.image_ids_in_bbox(SMALL)
    gone = set(sim.state.deleted_image_ids(sorted(truth)))
    assert gone and gone < truth
    served = {int(r["id"]) for r in api.images(SMALL).json()["data"]}
    assert served == truth - gone == sim.visible_image_ids_in_bbox(SMALL)
    error = api.get(f"/{min(gone)}").json()["error"]
    assert (error["code"], error["error_subcode"]) == (100, 33)


def test_random_rates_are_seeded_and_near_the_rate(sim, api) -> None:  # noqa: ANN001
    sim.set_faults("5xx=0.3")
    statuses = [api.get("/1").status for _ in range(200)]
    share = sum(s >= 500 for s in statuses) / len(statuses)
    assert 0.2 < share < 0.4
    again = FaultInjector(sim.config.faults, sim.config.fault_seed)
    assert [again.decide("entity", n).kind for n in range(1, 201)] == [
        FaultInjector(sim.config.faults, sim.config.fault_seed).decide("entity", n).kind for n in range(1, 201)]


def test_every_schedule_and_all_endpoints(sim, api) -> None:  # noqa: ANN001
    sim.set_faults("", schedules=["*:503:every3"])
    statuses = [api.get("/1").status for _ in range(6)]
    assert [s == 503 for s in statuses] == [False, False, True, False, False, True]


def test_faults_over_http(sim) -> None:  # noqa: ANN001
    import json
    import urllib.request

    body = json.dumps({"faults": "429=0.5:2,reject=make/model", "schedules": ["tiles:drop:first2"]}).encode()
    request = urllib.request.Request(sim.base_url + "/__simulator/faults", data=body, method="POST")
    with urllib.request.urlopen(request) as reply:
        answer = json.loads(reply.read())
        assert answer["rate_429"] == 0.5 and answer["rejected_fields"] == ["make", "model"]
    assert sim.config.faults.retry_after_seconds == 2 and sim.config.faults.schedules[0].kind == "drop"


def test_parsing() -> None:
    config = parse_faults("5xx=0.05,429=0.02:3,partial=0.3,reduce=5000,timeout=0.01,slow=0.01:2.0,drop=0.01")
    assert (config.error_5xx_rate, config.rate_429, config.retry_after_seconds) == (0.05, 0.02, 3.0)
    assert (config.partial_sequence_rate, config.reduce_data_threshold, config.slow_seconds) == (0.3, 5000, 2.0)
    assert parse_schedule("images_bbox:503:2-4").matches("images_bbox", 3)
    assert not parse_schedule("images_bbox:503:first3").matches("entity", 1)
    for bad in ("5xx=2", "nope=1", "5xx"):
        with pytest.raises(ValueError):
            parse_faults(bad)
    with pytest.raises(ValueError):
        parse_schedule("images_bbox:666:1")
    assert Api  # the helper module is shared
