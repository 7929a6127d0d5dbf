"""Vector tiles: real MVT, the documented layers and properties, positions."""

from __future__ import annotations

import mapbox_vector_tile
import pytest

from etl.simulator.geo import lonlat_to_tile, tile_bounds, tile_pixel_to_lonlat

CENTRE = (6.632, 46.521)


def _tile(api, z: int, x: int, y: int, tileset: str = "mly1_public", auth: str = "query"):  # noqa: ANN001, ANN202
    return api.get(f"/maps/vtp/{tileset}/2/{z}/{x}/{y}", auth=auth)


def _decode(api, z: int, lon: float = CENTRE[0], lat: float = CENTRE[1], tileset: str = "mly1_public") -> dict:  # noqa: ANN001
    x, y = lonlat_to_tile(lon, lat, z)
    reply = _tile(api, z, x, y, tileset)
    assert reply.status == 200 and reply.headers["Content-Type"] == "application/x-protobuf"
    return mapbox_vector_tile.decode(reply.body)


@pytest.mark.parametrize("z", [0, 3, 5])
def test_overview_layer(api, z: int) -> None:  # noqa: ANN001
    layers = _decode(api, z)
    assert set(layers) == {"overview"}
    layer = layers["overview"]
    assert layer["extent"] == 4096 and layer["features"]
    for f in layer["features"]:
        assert f["geometry"]["type"] == "Point"
        assert set(f["properties"]) == {"captured_at", "id", "sequence_id", "is_pano"}


@pytest.mark.parametrize("z", [6, 10, 13])
def test_sequence_layer(api, sim, z: int) -> None:  # noqa: ANN001
    layers = _decode(api, z, tileset="mly1_computed_public")
    assert set(layers) == {"sequence"}
    features = layers["sequence"]["features"]
    x, y = lonlat_to_tile(*CENTRE, z)
    assert {f["properties"]["id"] for f in features} == sim.world.sequence_ids_in_bbox(tile_bounds(z, x, y))
    for f in features:
        assert f["geometry"]["type"] == "LineString"
        assert {"captured_at", "id", "image_id", "is_pano"} <= set(f["properties"])
        assert set(f["properties"]) <= {"captured_at", "id", "image_id", "is_pano", "organization_id"}


def test_z14_image_layer_has_every_image_and_positions_round_trip(api, sim) -> None:  # noqa: ANN001
    z = 14
    x, y = lonlat_to_tile(*CENTRE, z)
    layers = mapbox_vector_tile.decode(_tile(api, z, x, y, "mly1_computed_public").body)
    assert set(layers) == {"sequence", "image"}
    features = {f["properties"]["id"]: f for f in layers["image"]["features"]}
    assert set(features) == sim.world.image_ids_in_bbox(tile_bounds(z, x, y))  # no 2000 cap
    assert len(features) > 2000
    w, s, e, n = tile_bounds(z, x, y)
    pixel = (e - w) / 4096
    for image_id in list(features)[:200]:
        record = sim.world.image(image_id)
        lon, lat = (record.get("computed_geometry") or record["geometry"])["coordinates"]
        f = features[image_id]
        px, py_up = f["geometry"]["coordinates"]
        back = tile_pixel_to_lonlat(z, x, y, px + 0.5, 4096 - py_up + 0.5)
        assert abs(back[0] - lon) <= pixel and abs(back[1] - lat) <= pixel
        props = f["properties"]
        assert props["sequence_id"] == record["sequence"] and props["captured_at"] == record["captured_at"]
        assert props["creator_id"] == int(record["creator"]["id"])
        assert {"captured_at", "compass_angle", "id", "sequence_id", "is_pano", "creator_id"} <= set(props)


def test_public_tileset_uses_original_positions(api, sim) -> None:  # noqa: ANN001
    z = 14
    x, y = lonlat_to_tile(*CENTRE, z)
    layer = mapbox_vector_tile.decode(_tile(api, z, x, y, "mly1_public").body)["image"]
    f = layer["features"][0]
    record = sim.world.image(f["properties"]["id"])
    px, py_up = f["geometry"]["coordinates"]
    lon, lat = tile_pixel_to_lonlat(z, x, y, px + 0.5, 4096 - py_up + 0.5)
    ref_lon, ref_lat = record["geometry"]["coordinates"]
    w, s, e, n = tile_bounds(z, x, y)
    assert abs(lon - ref_lon) <= (e - w) / 4096 and abs(lat - ref_lat) <= (e - w) / 4096


def test_empty_tile_is_valid_mvt(api) -> None:  # noqa: ANN001
    x, y = lonlat_to_tile(-40.0, 10.0, 14)
    reply = _tile(api, 14, x, y)
    assert reply.status == 200 and mapbox_vector_tile.decode(reply.body) == {}


def test_tiles_need_the_query_token(api) -> None:  # noqa: ANN001
    x, y = lonlat_to_tile(*CENTRE, 14)
    assert _tile(api, 14, x, y, auth="header").status == 403
    assert _tile(api, 14, x, y, auth="none").status == 403
    wrong = api.get(f"/maps/vtp/mly1_public/2/14/{x}/{y}", auth="query", token="MLY|1|wrong")
    assert wrong.status == 401
    assert _tile(api, 15, 0, 0).status == 404 and _tile(api, 14, x, y, tileset="other").status == 404
