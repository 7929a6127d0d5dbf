"""Discovery maths: box quarters, tile cover, pruning steps, token resolution. No DB, no HTTP."""

from __future__ import annotations

import pytest

from etl.errors import UserInputError
from etl.mapillary import discovery as D
from etl.mapillary.token import resolve_token


def test_box_quarters_cover_the_box_exactly() -> None:
    box = (6.6, 46.5, 6.7, 46.6)
    quarters = D.split_box(box)
    assert len(quarters) == 4
    assert sum((e - w) * (n - s) for w, s, e, n in quarters) == pytest.approx(0.01)
    assert D.parse_box_key(D.box_key(quarters[3])) == quarters[3]


def test_tiles_cover_the_area_and_sub_tiles_nest() -> None:
    box = (6.60, 46.50, 6.68, 46.55)
    tiles = D.tiles_covering(box, 14)
    for z, x, y in tiles:
        w, s, e, n = D.tile_bounds(z, x, y)
        assert w <= box[2] and e >= box[0] and s <= box[3] and n >= box[1]
    z = D.start_zoom(box)
    assert z in D.PRUNE_ZOOMS and len(D.tiles_covering(box, z)) <= D.MAX_START_TILES
    subs = D.sub_tiles(12, 2140, 1450)
    assert len(subs) == 16 and all(t[0] == 14 for t in subs)
    assert {(x >> 2, y >> 2) for _, x, y in subs} == {(2140, 1450)}
    assert D.sub_tiles(13, 10, 10) == [(14, 20, 20), (14, 20, 21), (14, 21, 20), (14, 21, 21)]


def test_token_sources(tmp_path) -> None:  # noqa: ANN001
    path = tmp_path / "t"
    path.write_text("MLY|1|abc\n")
    assert resolve_token(None, path) == "MLY|1|abc"
    assert resolve_token(" MLY|1|abc ", None) == "MLY|1|abc"
    with pytest.raises(UserInputError):
        resolve_token("MLY|1|abc", path)
    with pytest.raises(UserInputError):
        resolve_token(None, tmp_path / "missing")
    with pytest.raises(UserInputError):
        resolve_token("two words", None)
