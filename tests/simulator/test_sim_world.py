"""The synthetic world: deterministic, plausible, and its own ground truth."""

from __future__ import annotations

import math

import numpy as np
import pytest

from etl.simulator.presets import PRESETS, build_world
from etl.simulator.world import World

BOX = (6.625, 46.515, 6.64, 46.525)


def test_same_seed_same_world_and_other_seed_differs(tiny_world: World) -> None:
    again = build_world("tiny")
    assert again.image_ids_in_bbox(BOX) == tiny_world.image_ids_in_bbox(BOX)
    assert again.image(min(again.image_ids_in_bbox(BOX))) == tiny_world.image(min(tiny_world.image_ids_in_bbox(BOX)))
    other = build_world("tiny", seed=7)
    assert other.sequence_ids_in_bbox(BOX) != tiny_world.sequence_ids_in_bbox(BOX)


def test_tiny_world_size_and_density(tiny_world: World) -> None:
    total = tiny_world.count_in_bbox(tiny_world.bbox)
    assert 2_000 < total < 20_000
    w, s, e, n = tiny_world.bbox
    centre = tiny_world.count_in_bbox((6.627, 46.516, 6.637, 46.526))
    corner = tiny_world.count_in_bbox((w, s, w + 0.01, s + 0.01))
    assert centre > 5 * max(corner, 1)  # dense in town, sparse outside


def test_union_of_a_fine_split_is_the_whole(tiny_world: World) -> None:
    w, s, e, n = tiny_world.bbox
    union: set[int] = set()
    for lon in np.linspace(w, e, 5)[:-1]:
        for lat in np.linspace(s, n, 4)[:-1]:
            box = (lon, lat, lon + (e - w) / 4, lat + (n - s) / 3)
            union |= tiny_world.image_ids_in_bbox(box)
    assert union == tiny_world.image_ids_in_bbox(tiny_world.bbox)


def test_sequences_are_street_like(tiny_world: World) -> None:
    records = list(tiny_world.images_in_bbox(BOX))
    seq = records[0]["sequence"]
    assert len(seq) == 22
    members = [tiny_world.image(i) for i in tiny_world.sequence_image_ids(seq)]
    times = [m["captured_at"] for m in members]
    assert times == sorted(times)
    gaps = np.diff(times) / 1000
    assert np.all((gaps > 1.0) & (gaps < 3.0))
    coords = np.array([m["computed_geometry"]["coordinates"] if "computed_geometry" in m else m["geometry"]["coordinates"]
                       for m in members])
    metres = np.hypot(np.diff(coords[:, 0]) * 111_320 * math.cos(math.radians(46.5)), np.diff(coords[:, 1]) * 111_320)
    assert 1.0 < float(np.median(metres)) < 40.0


def test_field_mix_is_realistic(tiny_world: World) -> None:
    records = list(tiny_world.images_in_bbox(tiny_world.bbox))
    ids = [int(r["id"]) for r in records]
    assert len(set(ids)) == len(ids) and max(ids) < 2**53 and min(ids) > 0
    pano = [r for r in records if r.get("is_pano")]
    assert 0.01 < len(pano) / len(records) < 0.25
    assert all(r["width"] == 2 * r["height"] for r in pano)
    assert any("computed_geometry" not in r for r in records) or len(records) < 3000
    assert all(0 <= r["compass_angle"] < 360 for r in records)
    assert {r["camera_type"] for r in records} <= {"perspective", "fisheye", "equirectangular", "spherical"}
    assert all(set(r["creator"]) == {"id", "username"} for r in records)


def test_altitude_is_sometimes_wrapped_unsigned() -> None:
    world = build_world("city")
    box = (13.38, 52.50, 13.42, 52.54)
    wrapped = [r["altitude"] for r in world.images_in_bbox(box) if r["altitude"] > 2**31]
    assert wrapped and all(2**32 - 100 < a < 2**32 for a in wrapped)


def test_lookups_of_unknown_things(tiny_world: World) -> None:
    assert tiny_world.sequence_image_ids("x" * 22) == []
    assert tiny_world.sequence_image_ids("short") == []
    assert tiny_world.image(12345) is None


@pytest.mark.parametrize("name", list(PRESETS))
def test_presets_estimate(name: str) -> None:
    world = build_world(name)
    expected = {"tiny": (2_000, 20_000), "city": (100_000, 2_000_000), "europe": (10_000_000, 100_000_000)}[name]
    assert expected[0] < world.estimate_count() < expected[1]


def test_europe_is_lazy_and_answers_small_boxes_quickly() -> None:
    world = build_world("europe")
    paris = world.count_in_bbox((2.33, 48.85, 2.36, 48.87))
    rural = world.count_in_bbox((10.0, 62.0, 10.1, 62.1))
    assert paris > 1_000 and rural < paris


def test_world_spec_strings() -> None:
    world = build_world("seed=7;bbox=6.6,46.5,6.7,46.56;background=0.05;city=6.63,46.52,0.008,40")
    assert world.seed == 7 and world.bbox == (6.6, 46.5, 6.7, 46.56)
    assert build_world("tiny;seed=3").seed == 3
    with pytest.raises(ValueError):
        build_world("nowhere")
