"""Polygon files: invalid and multi-part polygons, other CRSs and formats, Natural Earth."""

from __future__ import annotations

import asyncio
import subprocess
import sys
from pathlib import Path

import numpy as np
import pyogrio
import shapely
from pyproj import Transformer

from etl.boundaries.naturalearth import CONTINENTS, COUNTRIES
from etl.boundaries.reader import gdal_path
from tests.conftest import run_cli
from tests.filters.helpers import box, fetch, filter_square, insert_images, load_layer, points, polygon, \
    write_geojson


def _inside(dsn: str, layer: str, lon: float, lat: float) -> bool:
    sql = """SELECT EXISTS (SELECT 1 FROM boundary_cells c JOIN boundary_layers l ON l.id = c.layer_id
             WHERE l.name = $1 AND c.cell = mlyetl_grid_cell($2, $3, l.cell_size)
               AND (c.covered OR ST_Intersects(c.geom, ST_SetSRID(ST_MakePoint($2, $3), 4326))))"""
    return asyncio.run(fetch(dsn, sql, layer, lon, lat))[0][0]


def test_bow_tie_is_repaired_into_two_triangles(db_dsn: str, tmp_path: Path) -> None:
    bow_tie = polygon([[[0, 0], [2, 2], [2, 0], [0, 2], [0, 0]]])  # self-intersecting at (1, 1)
    path = write_geojson(tmp_path / "bow.geojson", [bow_tie])
    asyncio.run(load_layer(db_dsn, path, "continent", "bow"))
    rows = asyncio.run(fetch(db_dsn, "SELECT ST_IsValid(geom) AS ok, ST_NumGeometries(geom) AS n, ST_Area(geom) AS a "
                                     "FROM boundary_features"))
    assert [(r["ok"], r["n"], round(r["a"], 9)) for r in rows] == [(True, 2, 2.0)]
    assert _inside(db_dsn, "bow", 0.2, 1.0) and _inside(db_dsn, "bow", 1.8, 1.0)
    assert not _inside(db_dsn, "bow", 1.0, 0.2) and not _inside(db_dsn, "bow", 1.0, 1.8)


def test_multi_part_polygon_with_a_hole(db_dsn: str, tmp_path: Path) -> None:
    ring_with_hole = box(0, 0, 1, 1) + [[[0.4, 0.4], [0.4, 0.6], [0.6, 0.6], [0.6, 0.4], [0.4, 0.4]]]
    multi = {"type": "MultiPolygon", "coordinates": [ring_with_hole, box(3, 3, 4, 4)]}
    asyncio.run(load_layer(db_dsn, write_geojson(tmp_path / "m.geojson", [multi]), "urban", "multi"))
    assert _inside(db_dsn, "multi", 0.1, 0.1) and _inside(db_dsn, "multi", 3.5, 3.5)
    assert not _inside(db_dsn, "multi", 0.5, 0.5)   # in the hole
    assert _inside(db_dsn, "multi", 0.4, 0.5)       # on the hole's edge: boundary is inside
    assert not _inside(db_dsn, "multi", 2.0, 2.0)   # between the parts


def _write_projected(path: Path, driver: str, epsg: int) -> None:
    to_proj = Transformer.from_crs(4326, epsg, always_xy=True)
    square = shapely.Polygon([to_proj.transform(x, y) for x, y in [(10, 50), (11, 50), (11, 51), (10, 51)]])
    pyogrio.raw.write(str(path), geometry=np.array([shapely.to_wkb(square)], dtype=object),
                      field_data=[np.array(["sq"], dtype=object)], fields=["name"], crs=f"EPSG:{epsg}",
                      driver=driver, geometry_type="Polygon")


def test_geopackage_in_laea_europe_is_reprojected(db_dsn: str, tmp_path: Path) -> None:
    path = tmp_path / "laea.gpkg"
    _write_projected(path, "GPKG", 3035)
    asyncio.run(load_layer(db_dsn, path, "continent", "laea"))
    bounds = asyncio.run(fetch(db_dsn, "SELECT ST_XMin(geom) x0, ST_YMin(geom) y0, ST_XMax(geom) x1, "
                                       "ST_YMax(geom) y1, ST_SRID(geom) srid FROM boundary_features"))[0]
    assert [round(v, 6) for v in (bounds["x0"], bounds["y0"], bounds["x1"], bounds["y1"])] == [10, 50, 11, 51]
    assert bounds["srid"] == 4326
    assert _inside(db_dsn, "laea", 10.5, 50.5) and not _inside(db_dsn, "laea", 11.5, 50.5)


def test_shapefile_in_web_mercator_via_the_cli(db_dsn: str, tmp_path: Path) -> None:
    path = tmp_path / "merc.shp"
    _write_projected(path, "ESRI Shapefile", 3857)
    result = run_cli("boundaries", "load", str(path), "--kind", "urban", "--name", "merc", "--dsn", db_dsn)
    assert result.returncode == 0, result.stderr
    assert "urban layer 'merc': 1 polygons" in result.stdout
    assert _inside(db_dsn, "merc", 10.5, 50.5)
    listed = run_cli("boundaries", "list", "--dsn", db_dsn)
    assert "merc" in listed.stdout


def test_file_without_polygons_or_unreadable_is_one_line_exit_2(db_dsn: str, tmp_path: Path) -> None:
    points_only = write_geojson(tmp_path / "p.geojson", [{"type": "Point", "coordinates": [1, 1]}])
    result = run_cli("boundaries", "load", str(points_only), "--kind", "urban", "--name", "p", "--dsn", db_dsn)
    assert result.returncode == 2 and "has no polygons" in result.stderr
    garbage = tmp_path / "g.geojson"
    garbage.write_text("{not json")
    result = run_cli("boundaries", "load", str(garbage), "--kind", "urban", "--name", "g", "--dsn", db_dsn)
    assert result.returncode == 2 and "cannot read" in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1


def test_reload_replaces_and_a_failed_reload_keeps_the_old_layer(db_dsn: str, tmp_path: Path) -> None:
    asyncio.run(load_layer(db_dsn, write_geojson(tmp_path / "a.geojson", [polygon(box(0, 0, 1, 1))]), "urban", "u"))
    garbage = tmp_path / "g.geojson"
    garbage.write_text("{not json")
    assert run_cli("boundaries", "load", str(garbage), "--kind", "urban", "--name", "u", "--dsn", db_dsn).returncode == 2
    assert _inside(db_dsn, "u", 0.5, 0.5)
    asyncio.run(load_layer(db_dsn, write_geojson(tmp_path / "b.geojson", [polygon(box(5, 5, 6, 6))]), "urban", "u"))
    assert not _inside(db_dsn, "u", 0.5, 0.5) and _inside(db_dsn, "u", 5.5, 5.5)


def test_continent_names_are_those_of_the_bundled_countries() -> None:
    _meta, _fids, _geoms, values = pyogrio.raw.read(gdal_path(COUNTRIES), columns=["CONTINENT"], read_geometry=False)
    assert set(CONTINENTS) == set(values[0]) - {"Seven seas (open ocean)"}


def test_commands_that_read_no_vector_file_do_not_import_pyogrio() -> None:
    # pyogrio imports GeoPandas, pandas and pyarrow when they are installed (they are, with
    # the test extras): some 150 MB in every process that imported it
    code = ("import sys; from etl.cli import main; import etl.filters, etl.boundaries, etl.report.basemap, "
            "etl.export.files; from etl.boundaries.naturalearth import canonical_continent; "
            "canonical_continent('europe'); print(sorted(m for m in ('pyogrio', 'geopandas', 'pandas') "
            "if m in sys.modules))")
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert done.stdout.strip() == "[]"


def test_natural_earth_europe_and_urban_areas(db_dsn: str) -> None:
    result = run_cli("boundaries", "add-continent", "europe", "--dsn", db_dsn)
    assert result.returncode == 0, result.stderr
    assert "continent layer 'Europe': 50 polygons" in result.stdout
    assert run_cli("boundaries", "add-urban", "--dsn", db_dsn).returncode == 0
    assert _inside(db_dsn, "Europe", 2.35, 48.85) and _inside(db_dsn, "naturalearth-urban", 2.35, 48.85)  # Paris
    assert not _inside(db_dsn, "Europe", -3.0, 46.0)  # Bay of Biscay
    assert not _inside(db_dsn, "naturalearth-urban", 2.0, 47.5)  # French countryside
    bad = run_cli("boundaries", "add-continent", "Atlantis", "--dsn", db_dsn)
    assert bad.returncode == 2 and "Europe" in bad.stderr


def test_filter_works_on_a_layer_loaded_from_another_crs(db_dsn: str, tmp_path: Path) -> None:
    path = tmp_path / "laea.gpkg"
    _write_projected(path, "GPKG", 3035)
    asyncio.run(load_layer(db_dsn, path, "continent", "square"))
    asyncio.run(load_layer(db_dsn, write_geojson(tmp_path / "u.geojson", [polygon(box(10.4, 50, 10.6, 51))]),
                           "urban", "town"))
    asyncio.run(insert_images(db_dsn, [(1, "a", 0, 10.5, 50.5), (2, "a", 1, 10.2, 50.5), (3, "a", 2, 12, 50.5)]))
    filter_square(db_dsn)
    assert {i: r["class"] for i, r in points(db_dsn).items()} == {1: "urban", 2: "other"}
