"""Real answers' quirks at the client and parser level: no database."""

from __future__ import annotations

import asyncio
import logging

import mapbox_vector_tile
import orjson
import pytest
import shapely

from etl.errors import RunFailure, UserInputError
from etl.mapillary import errors as E
from etl.mapillary.client import ClientSettings, MapillaryClient
from etl.mapillary.fields import FieldSet
from etl.mapillary.parsing import IMAGE_FIELDS, ids_of
from etl.mapillary.tiles import read_int, tile_contents
from tests.crawler.conftest import make_simulator

LIMIT = {"error": {"message": "Application request limit reached", "type": "MLYApiException", "code": 4,
                   "is_transient": True, "fbtrace_id": "Ax"}}


@pytest.mark.parametrize("endpoint", ["images_bbox", "images_ids", "tiles"])
@pytest.mark.parametrize("status", [403, 429, 400])
def test_code_4_is_a_rate_limit_on_every_endpoint_and_status(endpoint: str, status: int) -> None:
    error = E.classify(endpoint, status, orjson.dumps(LIMIT), None)
    assert isinstance(error, E.RateLimited) and isinstance(error, E.TransientError)


def test_a_limit_page_that_is_not_json_is_still_a_limit() -> None:
    assert isinstance(E.classify("tiles", 403, b"<h1>Application request limit reached</h1>", None), E.RateLimited)
    # a bare 403 on tiles stays what it was: the token (tiles refuse header-only tokens with it)
    assert isinstance(E.classify("tiles", 403, b"Forbidden", None), E.TokenRejected)


def test_recorded_error_shapes() -> None:
    token = {"error": {"message": "Invalid OAuth 2.0 Access Token", "type": "MLYApiException", "code": 190,
                       "error_data": {}, "fbtrace_id": "Ax"}}
    assert isinstance(E.classify("images_bbox", 401, orjson.dumps(token), None), E.TokenRejected)
    field = {"error": {"message": "Tried accessing nonexisting field (organization_id) on node type (image)",
                       "type": "MLYApiException", "code": 100, "fbtrace_id": "Ax"}}
    error = E.classify("images_bbox", 400, orjson.dumps(field), None)
    assert isinstance(error, E.FieldRejected) and error.field == "organization_id"


def test_rate_limit_403_on_tiles_and_graph_is_retried() -> None:
    schedules = ["tiles:limit403:first2", "images_bbox:limit403:first2", "images_bbox:limit400:3"]
    with make_simulator(schedules=schedules) as sim:
        async def both() -> tuple[bytes, bytes]:
            settings = ClientSettings(token=sim.token, graph_url=sim.base_url, tiles_url=sim.tiles_url, backoff_s=0.01)
            async with MapillaryClient(settings) as client:
                tile = await client.tile("mly1_computed_public", 14, 8493, 5795)
                page = await client.graph("images_bbox", "search", "/images", {"bbox": "6.62,46.51,6.625,46.515"})
                return tile, page, client.stats.errors

        tile, page, errors = asyncio.run(both())
    assert tile and orjson.loads(page)["data"]
    assert errors == {"rate_limited_403": 4, "rate_limited_400": 1}


@pytest.mark.parametrize("url", ["file:///tmp/api", "/tmp/api", "ftp://example.org", "http://", "graph.mapillary.com"])
def test_non_http_api_urls_are_refused_at_once(url: str) -> None:
    with pytest.raises(UserInputError) as caught:
        ClientSettings(token="MLY|1|x", graph_url=url)
    assert "http:// or https://" in caught.value.one_line()
    with pytest.raises(UserInputError):
        ClientSettings(token="MLY|1|x", tiles_url=url)


def test_a_rejected_optional_field_is_dropped_once_with_one_warning(caplog) -> None:  # noqa: ANN001
    fields = FieldSet()
    sent = fields.query
    with caplog.at_level(logging.WARNING):
        fields.reject("quality_score", sent, "Tried accessing nonexisting field (quality_score) on node type (image)")
        fields.reject("quality_score", sent, "again, from a request sent before the first answer")
    assert "quality_score" not in fields.query.split(",") and fields.dropped == ["quality_score"]
    assert len(caplog.records) == 1 and "quality_score" in caplog.records[0].getMessage()
    with pytest.raises(ValueError):  # not asked for: sending again cannot help
        fields.reject("mesh", fields.query, "...")


@pytest.mark.parametrize("name", ["id", "geometry", "sequence", "captured_at"])
def test_a_rejected_required_field_stops_with_a_clear_error(name: str) -> None:
    with pytest.raises(RunFailure) as caught:
        FieldSet().reject(name, IMAGE_FIELDS, f"Tried accessing nonexisting field ({name}) on node type (image)")
    assert name in caught.value.one_line() and "required" in caught.value.one_line()


def test_organization_id_is_not_asked_for() -> None:
    assert "organization_id" not in IMAGE_FIELDS.split(",")


def test_read_int_takes_typed_and_string_values() -> None:
    assert [read_int(v) for v in (12, "12", " 12 ", 12.0, "12.0")] == [12] * 5
    assert [read_int(v) for v in (None, "")] == [None, None]
    assert [read_int(v) for v in (True, "abc", -3, 0, 1.5, "nan", "1e400", 2**70)] == [False] * 8


def _tile(image_props: list[dict], sequence_props: list[dict], feature_ids: bool = True) -> bytes:
    def features(props: list[dict], geometry: object) -> list[dict]:
        return [{"geometry": geometry, "properties": p, **({"id": n} if feature_ids else {})} for n, p in enumerate(props)]

    layers = [{"name": "image", "features": features(image_props, shapely.Point(10, 10))},
              {"name": "sequence", "features": features(sequence_props, shapely.LineString([(0, 0), (5, 5)]))}]
    return mapbox_vector_tile.encode([layer for layer in layers if layer["features"]])


def test_tiles_with_typed_values() -> None:
    body = _tile([{"id": 11, "captured_at": 1_600_000_000_000, "sequence_id": "a", "organization_id": 5},
                  {"id": 12, "sequence_id": "a"}], [{"id": "a"}])
    c = tile_contents(body)
    assert [(i.id, i.captured_at, i.organization_id) for i in c.images] == [(11, 1_600_000_000_000, 5), (12, None, None)]
    assert (c.without_id, c.sequences, c.bad_values) == (0, set(), 0)


def test_tiles_in_the_all_strings_style_never_take_feature_ids_for_image_ids() -> None:
    images = [{"id": "21", "captured_at": "", "sequence_id": "", "is_pano": ""},  # usable id
              {"id": "", "captured_at": "1600000000000", "sequence_id": "b"},  # no id: its sequence leads to it
              {"id": "oops", "sequence_id": "c"},  # unreadable id: counted, its sequence followed
              {"captured_at": "12x", "id": "22"}]  # unreadable time: that value dropped, not the feature
    c = tile_contents(_tile(images, [{"id": "b", "image_id": ""}, {"id": "c"}, {"id": "d"}]))
    assert [(i.id, i.captured_at) for i in c.images] == [(21, None), (22, None)]
    assert (c.without_id, c.sequences, c.bad_values) == (2, {"b", "c"}, 2)


def test_a_feature_with_neither_id_nor_sequence_leads_to_every_sequence_of_the_tile() -> None:
    c = tile_contents(_tile([{"id": "", "sequence_id": ""}, {"id": "5", "sequence_id": "a"}],
                            [{"id": "a"}, {"id": "b"}, {"id": ""}], feature_ids=False))
    assert [i.id for i in c.images] == [5] and c.without_id == 1 and c.sequences == {"a", "b"}


def test_image_ids_answers_keep_what_is_readable() -> None:
    body = orjson.dumps({"data": [{"id": "1"}, {"id": 2}, {"id": ""}, {"x": 1}, "3", {"id": True}]})
    assert ids_of(body) == ([1, 2], 4)
