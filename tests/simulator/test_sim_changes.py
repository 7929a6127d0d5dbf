"""World changes between passes: what moved, was deleted or added is served that way at once."""

from __future__ import annotations

import json
import urllib.request

import pytest

from etl.simulator.changes import ChangeStep, parse_step
from etl.simulator.presets import build_world
from tests.simulator.conftest import Api


def _post(url: str, body: dict) -> tuple[int, dict]:
    request = urllib.request.Request(url, data=json.dumps(body).encode(), method="POST",
                                     headers={"Content-Type": "application/json"})
    try:
        with urllib.request.urlopen(request, timeout=20) as r:
            return r.status, json.loads(r.read())
    except urllib.error.HTTPError as error:
        return error.code, json.loads(error.read())


def test_a_change_over_http_moves_deletes_and_adds(make_server) -> None:  # noqa: ANN001
    sim = make_server(world=build_world("tiny"))
    api, bbox = Api(sim), sim.world.bbox
    before = {r["id"]: r for r in sim.world.images_in_bbox(bbox)}
    keys = sim.world.sequence_ids_in_bbox(bbox)
    status, answer = _post(sim.base_url + "/__simulator/world/change",
                           {"moved": 0.05, "deleted": 0.05, "deleted_images": 0.02, "added": 0.05})
    assert (status, answer) == (200, {"version": 1})
    assert api.get("/__simulator/world").json()["version"] == 1
    after = {r["id"]: r for r in sim.world.images_in_bbox(bbox)}
    gone, new = set(before) - set(after), set(after) - set(before)
    moved = {i for i in set(before) & set(after) if before[i]["geometry"] != after[i]["geometry"]}
    assert len(gone) > 100 and len(new) > 100 and 100 < len(moved) < 600
    # a deleted image: "does not exist" alone, and no longer in its sequence's membership
    lost = sorted(gone)[0]
    reply = api.get(f"/{lost}", {"fields": "id"})
    error = reply.json()["error"]
    assert reply.status == 400 and (error["code"], error["error_subcode"]) == (100, 33)
    members = api.get("/image_ids", {"sequence_id": before[lost]["sequence"]}).json()["data"]
    assert lost not in {int(m["id"]) for m in members}
    # whole sequences went: their membership is empty
    assert any(not api.get("/image_ids", {"sequence_id": k}).json()["data"]
               for k in keys - sim.world.sequence_ids_in_bbox(bbox))
    # a moved image is served at its new place, by id and by search
    image = sorted(moved)[0]
    by_id = api.get(f"/{image}", {"fields": "id,geometry"}).json()
    assert by_id["geometry"] == after[image]["geometry"] != before[image]["geometry"]
    lon, lat = after[image]["computed_geometry"]["coordinates"]
    found = api.images((lon - 1e-6, lat - 1e-6, lon + 1e-6, lat + 1e-6), fields="id").json()["data"]
    assert str(image) in {r["id"] for r in found}
    # an added image: in search, by id, and in its (new) sequence
    added = sorted(new)[0]
    assert api.get(f"/{added}", {"fields": "id,sequence"}).json()["sequence"] == after[added]["sequence"]
    assert str(added) in {m["id"] for m in api.get("/image_ids", {"sequence_id": after[added]["sequence"]}).json()["data"]}
    assert sim.visible_image_ids_in_bbox(bbox) == {int(i) for i in after}


def test_changes_are_deterministic_and_cumulative() -> None:
    a, b = build_world("tiny"), build_world("tiny")
    for world in (a, b):
        world.change(ChangeStep(moved=0.02, added=0.02))
        world.change(parse_step("deleted=0.1"))
    assert a.version == b.version == 2
    assert list(a.images_in_bbox(a.bbox)) == list(b.images_in_bbox(b.bbox))
    assert a.image_ids_in_bbox(a.bbox) != build_world("tiny").image_ids_in_bbox(a.bbox)


def test_bad_changes_are_refused(make_server) -> None:  # noqa: ANN001
    sim = make_server(world=build_world("tiny"))
    assert _post(sim.base_url + "/__simulator/world/change", {"moved": 2})[0] == 400
    assert _post(sim.base_url + "/__simulator/world/change", {"shifted": 0.1})[0] == 400
    with pytest.raises(ValueError, match="unknown world change"):
        parse_step("shifted=0.1")
    assert sim.world.version == 0
