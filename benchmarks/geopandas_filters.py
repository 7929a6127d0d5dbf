"""The same filter rules in memory with GeoPandas (sjoin + groupby), the way the original
scripts worked, for comparison. Run as a separate process so its peak RSS is its own:

    python benchmarks/geopandas_filters.py images.npz  -> one JSON line of timings
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
from etl.filters.reference import keep_path


def _spacing(df: pd.DataFrame, urban_t: float, other_t: float) -> np.ndarray:
    kept = np.zeros(len(df), dtype=bool)
    lat, lon = df["lat"].to_numpy(), df["lon"].to_numpy()
    for (_seq, urban), idx in df.groupby(["seq", "urban"], sort=False).indices.items():
        flags = keep_path(list(zip(lat[idx], lon[idx])), urban_t if urban else other_t)
        kept[idx] = flags
    return kept


def sequence_lines(points: pd.DataFrame) -> np.ndarray:
    """One LineString per sequence of two or more points, in capture order, built in one
    vectorised call rather than one Python call per sequence."""
    ordered = points.sort_values(["seq", "t", "id"])
    drawn = ordered["seq"].duplicated(keep=False).to_numpy()  # sequences of two or more
    codes, _ = pd.factorize(ordered["seq"].to_numpy()[drawn])
    xy = np.column_stack([ordered["lon"].to_numpy()[drawn], ordered["lat"].to_numpy()[drawn]])
    return shapely.linestrings(xy, indices=codes)


def main(path: str) -> None:
    t = {}
    start = time.monotonic()
    data = dict(np.load(path))
    t["load"] = time.monotonic() - start
    s = time.monotonic()
    points = gpd.GeoDataFrame(pd.DataFrame(data), geometry=gpd.points_from_xy(data["lon"], data["lat"]), crs=4326)
    countries = gpd.read_file(f"/vsigzip/{COUNTRIES}")
    urban = gpd.read_file(f"/vsigzip/{URBAN_AREAS}")[["geometry"]]
    # the old scripts clipped with one continent outline polygon: dissolve the countries, and
    # test every point against it prepared (sjoin would prepare the points, not the polygon,
    # and take ~15 min at 5 M)
    outline = countries[countries["CONTINENT"] == "Europe"].union_all()
    shapely.prepare(outline)
    clipped = points[shapely.intersects(outline, points.geometry.values)].copy()
    t["clip"] = time.monotonic() - s
    s = time.monotonic()
    hits = gpd.sjoin(clipped[["geometry"]], urban, predicate="intersects", how="inner")
    clipped["urban"] = clipped.index.isin(hits.index)
    t["classify"] = time.monotonic() - s
    s = time.monotonic()
    clipped = clipped.sort_values(["seq", "urban", "t", "lon", "lat", "id"])
    clipped = clipped[~clipped.duplicated(["seq", "t", "lon", "lat"])]
    clipped = clipped.sort_values(["seq", "urban", "t", "id"], kind="stable")
    clipped["kept"] = _spacing(clipped, 100.0, 1000.0)
    t["spacing"] = time.monotonic() - s
    s = time.monotonic()
    lines = sequence_lines(clipped)
    t["lines"] = time.monotonic() - s
    t["total"] = time.monotonic() - start
    print(json.dumps({"timings": {k: round(v, 1) for k, v in t.items()}, "clipped": int(len(clipped)),
                      "kept": int(clipped["kept"].sum()), "lines": len(lines),
                      "peak_rss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss // 1024}))


if __name__ == "__main__":
    main(sys.argv[1])
