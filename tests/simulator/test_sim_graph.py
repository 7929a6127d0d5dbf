"""Graph endpoints: shapes from docs/mapillary-api facts, fields, cap, auth."""

from __future__ import annotations

import numpy as np

from etl.simulator.config import DEFAULT_TOKEN

from .conftest import Api
from etl.simulator.records import JSON_FIELDS

CENTRE = (6.627, 46.516, 6.637, 46.526)
SMALL = (6.630, 46.519, 6.6315, 46.5205)
# every field the simulator serves (organization_id is not one: the real API rejects it, see below)
ALL_FIELDS = ",".join([*(f for f in JSON_FIELDS if f != "organization_id"),
                       "thumb_256_url", "thumb_1024_url", "thumb_2048_url", "thumb_original_url"])


def _check_image_shape(record: dict) -> None:
    assert isinstance(record["id"], str) and record["id"].isdigit()
    for key in ("geometry", "computed_geometry"):
        if key in record:
            assert record[key]["type"] == "Point" and len(record[key]["coordinates"]) == 2
    assert isinstance(record["captured_at"], int)
    for key in ("compass_angle", "computed_compass_angle", "altitude", "computed_altitude", "quality_score"):
        if key in record:
            assert isinstance(record[key], (int, float))
    assert isinstance(record["sequence"], str) and len(record["sequence"]) == 22
    assert set(record["creator"]) == {"id", "username"} and all(isinstance(v, str) for v in record["creator"].values())
    if "is_pano" in record:
        assert isinstance(record["is_pano"], bool)
    assert record["camera_type"] in ("perspective", "fisheye", "equirectangular", "spherical")
    for key in ("make", "model"):
        if key in record:
            assert isinstance(record[key], str)
    assert isinstance(record["width"], int) and isinstance(record["height"], int)


def test_bbox_search_shape_and_truth(api, sim) -> None:  # noqa: ANN001
    reply = api.images(SMALL, fields=ALL_FIELDS)
    assert reply.status == 200 and reply.headers["Content-Type"].startswith("application/json")
    data = reply.json()["data"]
    assert 0 < len(data) < 2000
    for record in data:
        _check_image_shape(record)
        assert record["thumb_1024_url"].startswith(sim.base_url + "/thumbs/")
    assert {int(r["id"]) for r in data} == sim.world.image_ids_in_bbox(SMALL)


def test_only_requested_fields_and_id_always(api) -> None:  # noqa: ANN001
    data = api.images(SMALL, fields="captured_at,geometry").json()["data"]
    assert all(set(r) == {"id", "captured_at", "geometry"} for r in data)
    assert all(set(r) == {"id"} for r in api.images(SMALL).json()["data"])


def test_optional_fields_are_sometimes_absent(api, sim) -> None:  # noqa: ANN001
    w, s, e, n = sim.world.bbox
    data = []
    for lon in np.linspace(w, e, 5)[:-1]:
        for lat in np.linspace(s, n, 5)[:-1]:
            box = (lon, lat, lon + (e - w) / 4, lat + (n - s) / 4)
            data += api.images(box, fields="computed_geometry,make,quality_score,is_pano").json()["data"]
    for key in ("computed_geometry", "make", "quality_score", "is_pano"):
        present = sum(key in r for r in data)
        assert 0 < present < len(data), key


def test_unknown_field_is_a_graph_error(api) -> None:  # noqa: ANN001
    reply = api.images(SMALL, fields="id,colour")
    assert reply.status == 400 and reply.json()["error"]["code"] == 100


def test_answers_are_cut_at_2000_without_pagination(api, sim) -> None:  # noqa: ANN001
    assert sim.world.count_in_bbox(sim.world.bbox) > 2000
    body = api.images(sim.world.bbox, limit=5000).json()
    assert len(body["data"]) == 2000 and "paging" not in body
    assert len(api.images(sim.world.bbox).json()["data"]) == 2000
    assert len(api.images(sim.world.bbox, limit=10).json()["data"]) == 10
    ids = {int(r["id"]) for r in body["data"]}
    assert ids <= sim.world.image_ids_in_bbox(sim.world.bbox)
    assert ids != set(sorted(sim.world.image_ids_in_bbox(sim.world.bbox))[:2000])  # not simply the lowest ids


def test_captured_at_filters(api) -> None:  # noqa: ANN001
    everything = api.images(SMALL, fields="captured_at").json()["data"]
    middle = sorted(r["captured_at"] for r in everything)[len(everything) // 2]
    iso = np.datetime_as_string(np.datetime64(middle, "ms"), unit="ms") + "Z"
    later = api.images(SMALL, fields="captured_at", start_captured_at=iso).json()["data"]
    earlier = api.images(SMALL, fields="captured_at", end_captured_at=iso).json()["data"]
    assert all(r["captured_at"] >= middle for r in later) and all(r["captured_at"] <= middle for r in earlier)
    assert len(later) + len(earlier) == len(everything) + 1


def test_sequence_ids_and_image_ids(api, sim) -> None:  # noqa: ANN001
    seq = api.images(SMALL, fields="sequence").json()["data"][0]["sequence"]
    truth = sim.world.sequence_image_ids(seq)
    listed = api.get("/image_ids", {"sequence_id": seq}).json()
    assert listed == {"data": [{"id": str(i) for i in []} or {"id": str(i)} for i in truth]}
    data = api.get("/images", {"sequence_ids": seq, "fields": "sequence,captured_at"}).json()["data"]
    assert [int(r["id"]) for r in data] == truth and all(r["sequence"] == seq for r in data)
    assert api.get("/image_ids", {"sequence_id": "0" * 22}).json() == {"data": []}


def test_image_ids_filter(api, sim) -> None:  # noqa: ANN001
    ids = sorted(sim.world.image_ids_in_bbox(SMALL))[:3]
    data = api.get("/images", {"image_ids": ",".join(map(str, ids)), "fields": "id"}).json()["data"]
    assert sorted(int(r["id"]) for r in data) == ids


def test_entity_and_batch(api, sim) -> None:  # noqa: ANN001
    a, b = sorted(sim.world.image_ids_in_bbox(SMALL))[:2]
    one = api.get(f"/{a}", {"fields": ALL_FIELDS}).json()
    _check_image_shape(one)
    assert one["id"] == str(a)
    assert api.get(f"/{a}").json() == {"id": str(a)}
    batch = api.get("/", {"ids": f"{a},{b}", "fields": "captured_at"}).json()
    assert set(batch) == {str(a), str(b)} and batch[str(b)]["id"] == str(b)
    missing = api.get("/", {"ids": f"{a},999"})
    assert missing.status == 400 and "999" in missing.json()["error"]["message"]


def test_unknown_object_is_100_33(api) -> None:  # noqa: ANN001
    error = api.get("/1234567").json()["error"]
    assert (error["code"], error["error_subcode"], error["type"]) == (100, 33, "MLYApiException")
    assert set(error) == {"message", "type", "code", "error_subcode", "is_transient", "fbtrace_id"}


def test_token_by_header_or_query_and_wrong_token(api) -> None:  # noqa: ANN001
    assert api.images(SMALL).status == 200
    assert api.get("/images", {"bbox": ",".join(map(str, SMALL))}, auth="query").status == 200
    wrong = api.get("/images", {"bbox": ",".join(map(str, SMALL))}, token="MLY|1|nope")
    assert wrong.status == 401
    error = wrong.json()["error"]
    assert error["type"] == "MLYApiException" and error["code"] == 190 and "fbtrace_id" in error
    assert error["message"] == "Invalid OAuth 2.0 Access Token" and isinstance(error["error_data"], dict)
    assert api.get("/images", {"bbox": ",".join(map(str, SMALL))}, auth="none").status == 401


def test_blocked_token(make_server) -> None:  # noqa: ANN001
    server = make_server(tokens=frozenset({DEFAULT_TOKEN, "MLY|9|blocked"}), blocked_tokens=frozenset({"MLY|9|blocked"}))
    reply = Api(server).get("/images", {"bbox": ",".join(map(str, SMALL))}, token="MLY|9|blocked")
    error = reply.json()["error"]
    assert reply.status == 403 and (error["code"], error["error_subcode"]) == (368, 1348007)


def test_stats_count_per_endpoint(api, sim) -> None:  # noqa: ANN001
    sim.reset_stats()
    api.images(SMALL)
    api.get("/image_ids", {"sequence_id": "0" * 22})
    api.get("/1234567")
    over_http = api.get("/__simulator/stats", auth="none").json()
    assert over_http["requests"] == {"images_bbox": 1, "image_ids": 1, "entity": 1}
    assert sim.stats["responses"] == {"200": 2, "400": 1}
