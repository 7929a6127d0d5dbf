"""The quirks of recorded real answers, as the simulator serves them."""

from __future__ import annotations

import mapbox_vector_tile
import numpy as np

from etl.simulator.faults import parse_faults
from etl.simulator.geo import lonlat_to_tile, tile_bounds
from etl.simulator.records import REQUIRED_FIELDS, sparse_mask

SMALL = (6.630, 46.519, 6.6315, 46.5205)
CENTRE = (6.632, 46.521)
FIELDS = "id,sequence,captured_at,geometry,computed_geometry,compass_angle,make,model,width,creator,quality_score"


def test_organization_id_is_rejected_as_recorded(api) -> None:  # noqa: ANN001
    reply = api.images(SMALL, fields="id,organization_id")
    error = reply.json()["error"]
    assert reply.status == 400
    assert error["message"] == "Tried accessing nonexisting field (organization_id) on node type (image)"
    assert (error["type"], error["code"]) == ("MLYApiException", 100)
    assert api.images(SMALL, fields="id", organization_id="1").status == 200  # still a search filter


def test_reject_fault_rejects_any_field(sim, api) -> None:  # noqa: ANN001
    sim.set_faults("reject=make/quality_score")
    assert api.images(SMALL, fields="id,make").json()["error"]["message"].startswith(
        "Tried accessing nonexisting field (make)")
    assert api.get("/1", {"fields": "quality_score"}).status == 400
    assert api.images(SMALL, fields="id,model").status == 200


def test_rate_limit_with_403_and_400_on_graph_and_tiles(sim, api) -> None:  # noqa: ANN001
    x, y = lonlat_to_tile(*CENTRE, 14)
    sim.set_faults("", schedules=["images_bbox:limit403:first1", "tiles:limit403:first1", "entity:limit400:first1"])
    for reply in (api.images(SMALL), api.get(f"/maps/vtp/mly1_public/2/14/{x}/{y}", auth="query"), api.get("/1")):
        error = reply.json()["error"]
        assert reply.status in (403, 400) and error["code"] == 4 and "Retry-After" not in reply.headers
        assert error["message"] == "Application request limit reached"
    assert api.images(SMALL).status == 200
    sim.reset_stats()  # schedules count requests from here
    sim.set_faults("limit_status=403", schedules=["images_bbox:429:first1"])
    assert api.images(SMALL).status == 403


def test_sparse_records_keep_required_fields_and_are_stable(sim, api) -> None:  # noqa: ANN001
    sim.set_faults("sparse=0.5")
    first = api.images(SMALL, fields=FIELDS).json()["data"]
    assert first == api.images(SMALL, fields=FIELDS).json()["data"]  # the same image, the same fields
    assert all(REQUIRED_FIELDS <= set(r) for r in first)
    lacking = sum(len(set(FIELDS.split(",")) - set(r)) for r in first)
    assert lacking > len(first) * 2  # about half of 7 optional fields gone per record
    ids = np.array([int(r["id"]) for r in first])
    for r, gone in zip(first, sparse_mask(sim.config.fault_seed, 0.5, "make", ids)):
        assert ("make" not in r) or not gone


def _z14(api, sim, faults: str) -> tuple[dict, set[int]]:  # noqa: ANN001
    sim.set_faults(faults)
    x, y = lonlat_to_tile(*CENTRE, 14)
    body = api.get(f"/maps/vtp/mly1_computed_public/2/14/{x}/{y}", auth="query").body
    return mapbox_vector_tile.decode(body), sim.world.image_ids_in_bbox(tile_bounds(14, x, y))


def test_tiles_in_the_all_strings_style(api, sim) -> None:  # noqa: ANN001
    layers, truth = _z14(api, sim, "tiles=strings,tile_empty=0.7")
    images = layers["image"]["features"]
    assert [f["id"] for f in images] == list(range(len(images)))  # feature ids count 0..N
    values = [v for f in images for v in f["properties"].values()]
    assert all(isinstance(v, str) for v in values)
    assert 0.6 < sum(v == "" for v in values) / len(values) < 0.8
    named = {int(f["properties"]["id"]) for f in images if f["properties"].get("id")}
    assert named < truth and len(named) > 0.2 * len(truth)
    keys = {f["properties"]["id"] for f in layers["sequence"]["features"]}
    assert all(keys) and keys == sim.world.sequence_ids_in_bbox(tile_bounds(14, *lonlat_to_tile(*CENTRE, 14)))


def test_tile_properties_may_be_missing_and_typed_values_stay_typed(api, sim) -> None:  # noqa: ANN001
    layers, truth = _z14(api, sim, "tile_missing=0.5")
    images = layers["image"]["features"]
    assert len(images) == len(truth)
    assert any("id" not in f["properties"] for f in images) and any("id" in f["properties"] for f in images)
    assert all(isinstance(f["properties"]["id"], int) for f in images if "id" in f["properties"])
    assert all(f["properties"].get("id") for f in layers["sequence"]["features"])


def test_fault_parsing_of_the_new_keys() -> None:
    config = parse_faults("reject=make/model,limit_status=403,sparse=0.3,tiles=strings,tile_empty=0.8,tile_missing=0.1")
    assert config.rejected_fields == {"make", "model"} and config.limit_status == 403
    assert (config.sparse_rate, config.tile_strings, config.tile_empty_rate, config.tile_missing_rate) == (
        0.3, True, 0.8, 0.1)
