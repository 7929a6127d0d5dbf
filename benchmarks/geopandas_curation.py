"""The curation rules in memory with GeoPandas and a shapely STRtree, the way such
datasets are built today, for comparison with `mlyetl filter` (docs/filters.md,
"Curation"): attribute filters, clip + classify, de-duplication, spacing and sequence
lines (as geopandas_filters.py), thinning across sequences per class, caps per (cell, class). Run
as a separate process so its peak RSS is its own:

    python benchmarks/geopandas_curation.py images.npz params.json kept.npz  -> one JSON line

params.json: {"after": epoch s, "pano": "exclude", "cameras": [codes], "min_quality": q,
"daylight": true, "urban_m": 50, "other_m": 300, "max_per_cell": 20, "cell_size": 1000,
"spacing_urban": 100, "spacing_other": 1000}. kept.npz gets the kept ids and their cell ids.
The numbers follow etl/filters/curation_reference.py (the same haversine, grid and solar
table), vectorised with numpy.
"""

from __future__ import annotations

import json
import resource
import sys
import time

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

from etl.boundaries.naturalearth import COUNTRIES, URBAN_AREAS
from etl.filters import curation_reference as ref
from etl.filters.reference import DEG, keep_path
from geopandas_filters import sequence_lines  # benchmarks/, this script's folder

SIN_DECL, COS_DECL, EQTIME = (np.array(a) for a in (ref.SIN_DECL, ref.COS_DECL, ref.EQTIME))


def _daylight(t: np.ndarray, lon: np.ndarray, lat: np.ndarray) -> np.ndarray:
    k = np.rint((t - ref.SUN_BASE) / ref.SUN_STEP_S).astype(np.int64) % ref.SUN_STEPS
    sine = (np.sin(np.radians(lat)) * SIN_DECL[k] + np.cos(np.radians(lat)) * COS_DECL[k]
            * np.cos(np.radians(t / 240.0 + EQTIME[k] / 4.0 + lon + 180.0)))
    return sine > 0.0


def _haversine(lat1: np.ndarray, lon1: np.ndarray, lat2: np.ndarray, lon2: np.ndarray) -> np.ndarray:
    s_lat = np.sin((lat2 - lat1) * DEG / 2.0)
    s_lon = np.sin((lon2 - lon1) * DEG / 2.0)
    a = s_lat * s_lat + np.cos(lat1 * DEG) * np.cos(lat2 * DEG) * s_lon * s_lon
    return 12742000.0 * np.arcsin(np.sqrt(np.minimum(1.0, a)))


def _spacing(df: pd.DataFrame, urban_t: float, other_t: float) -> np.ndarray:
    kept = np.zeros(len(df), dtype=bool)
    lat, lon = df["lat"].to_numpy(), df["lon"].to_numpy()
    for (_seq, urban), idx in df.groupby(["seq", "urban"], sort=False).indices.items():
        kept[idx] = keep_path(list(zip(lat[idx], lon[idx])), urban_t if urban else other_t)
    return kept


def _thin(cands: pd.DataFrame, distance: float) -> np.ndarray:
    """Sequential rule over candidates already in priority order: neighbour pairs from one
    bulk STRtree query (boxes of the haversine bound), then one pass in order."""
    n = len(cands)
    keep = np.ones(n, dtype=bool)
    if distance <= 0 or n == 0:
        return keep
    lon, lat = cands["lon"].to_numpy(), cands["lat"].to_numpy()
    dlat = np.degrees(distance / 6371000.0) * (1 + 1e-9) + 1e-9
    dlon = np.degrees(2 * np.arcsin(np.minimum(1.0, np.sin(distance / 12742000.0)
                                               / np.sqrt(np.cos(np.radians(lat)) * np.cos(np.radians(np.abs(lat) + dlat))))))
    dlon = dlon * (1 + 1e-9) + 1e-9
    tree = shapely.STRtree(shapely.points(lon, lat))
    left, right = tree.query(shapely.box(lon - dlon, lat - dlat, lon + dlon, lat + dlat), predicate="intersects")
    near = (left != right) & (_haversine(lat[left], lon[left], lat[right], lon[right]) < distance)
    left, right = left[near], right[near]
    order = np.argsort(left, kind="stable")
    left, right = left[order], right[order]
    starts = np.searchsorted(left, np.arange(n + 1))
    for i in range(n):  # in priority order: drop the later neighbours of each kept one
        if keep[i]:
            later = right[starts[i]:starts[i + 1]]
            keep[later[later > i]] = False
    return keep


def _cells(lon: np.ndarray, lat: np.ndarray, size: float) -> np.ndarray:
    row = np.floor(ref.R_M * np.sin(lat * DEG) / ref.COS30 / size).astype(np.int64)
    col = np.floor(ref.R_M * (lon * DEG) * ref.COS30 / size).astype(np.int64)
    return row * 4294967296 + col + 2147483648


def main(path: str, params_path: str, out_path: str) -> None:
    p = json.loads(open(params_path).read())
    t = {}
    start = time.monotonic()
    data = dict(np.load(path))
    t["load"] = time.monotonic() - start
    s = time.monotonic()
    quality = data["quality"].astype(np.float64)
    mask = ((data["t"] >= p["after"]) & ~data["pano"] & np.isin(data["camera"], p["cameras"])
            & (quality >= p["min_quality"]))  # NaN (unknown) fails
    idx = np.flatnonzero(mask)
    idx = idx[_daylight(data["t"][idx], data["lon"][idx], data["lat"][idx])]
    data = {k: v[idx] for k, v in data.items()}
    t["attributes"] = time.monotonic() - s
    s = time.monotonic()
    points = gpd.GeoDataFrame(pd.DataFrame({k: data[k] for k in ("id", "seq", "t", "lon", "lat")}),
                              geometry=gpd.points_from_xy(data["lon"], data["lat"]), crs=4326)
    countries = gpd.read_file(f"/vsigzip/{COUNTRIES}")
    urban = gpd.read_file(f"/vsigzip/{URBAN_AREAS}")[["geometry"]]
    outline = countries[countries["CONTINENT"] == "Europe"].union_all()
    shapely.prepare(outline)
    clipped = points[shapely.intersects(outline, points.geometry.values)].copy()
    hits = gpd.sjoin(clipped[["geometry"]], urban, predicate="intersects", how="inner")
    clipped["urban"] = clipped.index.isin(hits.index)
    t["clip_classify"] = time.monotonic() - s
    s = time.monotonic()
    clipped = clipped.sort_values(["seq", "urban", "t", "lon", "lat", "id"])
    clipped = clipped[~clipped.duplicated(["seq", "t", "lon", "lat"])]
    clipped = clipped.sort_values(["seq", "urban", "t", "id"], kind="stable")
    cands = clipped[_spacing(clipped, p["spacing_urban"], p["spacing_other"])]
    t["spacing"] = time.monotonic() - s
    s = time.monotonic()  # the sequence lines, which the filter draws too (as geopandas_filters.py)
    lines = sequence_lines(clipped)
    t["lines"] = time.monotonic() - s
    s = time.monotonic()
    kept_parts = []
    for urban, distance in ((True, p["urban_m"]), (False, p["other_m"])):
        part = cands[cands["urban"] == urban].sort_values(["t", "id"], ascending=[False, True])  # newest first
        part = part[_thin(part, distance)]
        part = part.assign(cell=_cells(part["lon"].to_numpy(), part["lat"].to_numpy(), p["cell_size"]))
        part = part[part.groupby("cell").cumcount() < p["max_per_cell"]]  # still in priority order
        kept_parts.append(part)
    kept = pd.concat(kept_parts)
    t["thin_caps"] = time.monotonic() - s
    t["total"] = time.monotonic() - start
    np.savez(out_path, id=kept["id"].to_numpy(), cell=kept["cell"].to_numpy())
    print(json.dumps({"timings": {k: round(v, 2) for k, v in t.items()}, "attribute_passed": int(len(idx)),
                      "clipped": int(len(clipped)), "candidates": int(len(cands)), "kept": int(len(kept)),
                      "lines": len(lines),
                      "peak_rss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss // 1024}))


if __name__ == "__main__":
    main(*sys.argv[1:4])
