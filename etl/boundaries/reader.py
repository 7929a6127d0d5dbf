"""Reading polygon files (GeoJSON, Shapefile, GeoPackage, ... via pyogrio) in batches.

Geometries are reprojected to EPSG:4326 here with pyproj, so any CRS GDAL can read
works (also ones PostGIS's spatial_ref_sys lacks); repair happens in PostGIS. Features
are read a batch at a time, so a large file never sits in memory whole.

Coordinates are checked here, where they enter: every one must be a finite number and,
in degrees, inside -180..180 / -90..90. A file in projected metres that does not say so
(a GeoJSON without `crs` is read as WGS 84) would otherwise be taken for a polygon
millions of degrees wide, and the grid built over it would never end.
"""

from __future__ import annotations

import json
import math
import warnings
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from types import ModuleType

import shapely
from pyproj import CRS, Transformer
from pyproj.exceptions import CRSError

from etl.errors import UserInputError

NAME_FIELDS = ("name", "NAME", "Name", "NAME_EN", "name_en", "ADMIN", "admin")
BATCH_SIZE = 500


@dataclass
class Feature:
    name: str | None
    properties: str  # JSON text
    wkb: bytes       # EPSG:4326, possibly invalid (PostGIS repairs it)


def gdal_path(path: Path) -> str:
    """The path GDAL should open: gzipped and zipped files are read in place."""
    text = str(path)
    if text.endswith(".gz"):
        return f"/vsigzip/{text}"
    if text.endswith(".zip"):
        return f"/vsizip/{text}"
    return text


def load_pyogrio() -> ModuleType:
    """pyogrio, imported on first use rather than with this module: it imports GeoPandas,
    pandas and pyarrow whenever they are installed, which would weigh on every command
    that reads or writes no vector file (the filter, for one)."""
    import pyogrio
    import pyogrio.errors  # noqa: F401 - callers catch its error types

    return pyogrio


def _info(path: Path) -> dict:
    if not path.exists():
        raise UserInputError(f"the file {path} does not exist", hint="check the path")
    try:
        return load_pyogrio().read_info(gdal_path(path))
    except Exception as error:  # pyogrio raises several DataSource/DataLayer error types
        raise UserInputError(f"cannot read {path} as a vector file: {error}",
                             hint="give a GeoJSON, Shapefile (.shp) or GeoPackage (.gpkg) file") from None


def _transformer(info: dict, path: Path, crs: str | None) -> Transformer | None:
    source = crs or info.get("crs")
    if not source:
        raise UserInputError(f"{path} does not say which coordinate system it uses",
                             hint="give it with --crs, e.g. --crs EPSG:3035")
    try:
        source_crs = CRS.from_user_input(source)
    except CRSError as error:
        raise UserInputError(f"unknown coordinate system {source!r}: {error}", hint="use e.g. EPSG:3035") from None
    if source_crs.equals(CRS.from_epsg(4326), ignore_axis_order=True):
        return None
    return Transformer.from_crs(source_crs, CRS.from_epsg(4326), always_xy=True)


@dataclass(frozen=True)
class _Source:
    path: Path
    crs_name: str
    geographic: bool  # the file's coordinates are degrees (before any reprojection)


def _source(info: dict, path: Path, crs: str | None) -> _Source:
    source = CRS.from_user_input(crs or info.get("crs"))
    return _Source(path, source.to_string(), source.is_geographic)


def check_coordinates(geom: shapely.Geometry, where: str, source: _Source | None = None) -> None:
    """Refuse coordinates that are not numbers or lie outside the world in degrees."""
    import numpy as np

    xy = shapely.get_coordinates(geom)
    if len(xy) == 0:
        return
    if not np.isfinite(xy).all():
        raise UserInputError(f"{where} has a coordinate that is not a finite number (NaN or infinite)",
                             hint="fix or remove that feature")
    x, y = np.abs(xy[:, 0]), np.abs(xy[:, 1])
    if x.max() <= 180 and y.max() <= 90:
        return
    worst = xy[int(np.argmax(np.maximum(x / 180, y / 90)))]
    found = f"{where} has the point {worst[0]:.10g},{worst[1]:.10g} outside the world in degrees (-180..180, -90..90)"
    # projected metres of the Earth stay within about 2e7 (Web Mercator's half width)
    if source is not None and source.geographic and (x.max() > 360 or y.max() > 180) and max(x.max(), y.max()) < 1e8:
        raise UserInputError(
            f"{found}: it looks like projected metres, but {source.path.name} is read as {source.crs_name}"
            " (a GeoJSON without a `crs` member is read as WGS 84 degrees)",
            hint="say which coordinate system it uses: `boundaries load --crs EPSG:NNNN` (e.g. EPSG:2056), "
                 "or save the file with its CRS (e.g. as GeoPackage) for --polygon")
    if source is not None and source.geographic:
        raise UserInputError(f"{found}", hint="use longitudes within -180..180: cut a polygon that crosses "
                                              "the antimeridian into one part on each side")
    if source is not None:
        raise UserInputError(f"{found} after reprojection from {source.crs_name}",
                             hint="check that the file's coordinate system (or --crs) is right")
    raise UserInputError(found, hint="give longitudes within -180..180 and latitudes within -90..90")


def _to_4326(geom: shapely.Geometry, transformer: Transformer | None) -> shapely.Geometry:
    if transformer is None:
        return geom
    return shapely.transform(geom, lambda xy: _project(transformer, xy))


def _project(transformer: Transformer, xy):  # noqa: ANN001, ANN202 - numpy arrays in and out
    import numpy as np

    x, y = transformer.transform(xy[:, 0], xy[:, 1])
    return np.column_stack([x, y])


def _json_value(value: object) -> object:
    if isinstance(value, float) and not math.isfinite(value):
        return None
    if hasattr(value, "item"):  # numpy scalars
        return value.item()
    return value if isinstance(value, (str, int, float, bool)) or value is None else str(value)


def read_polygons(path: Path, crs: str | None = None, where: str | None = None,
                  batch_size: int = BATCH_SIZE) -> Iterator[list[Feature]]:
    """Batches of polygonal features of `path`, in EPSG:4326. Other geometry types are skipped."""
    info = _info(path)
    transformer = _transformer(info, path, crs)
    source = _source(info, path, crs)
    fields = list(info["fields"])
    name_field = next((f for f in NAME_FIELDS if f in fields), None)
    skip = 0
    while True:
        _meta, _fids, geometries, values = load_pyogrio().raw.read(
            gdal_path(path), skip_features=skip, max_features=batch_size, where=where)
        if len(geometries) == 0:
            return
        skip += len(geometries)
        batch = []
        for row, wkb in enumerate(geometries):
            with warnings.catch_warnings():  # NaN coordinates warn here; check_coordinates says it better
                warnings.simplefilter("ignore", RuntimeWarning)
                geom = shapely.from_wkb(wkb) if wkb is not None else None
            if geom is None or geom.is_empty or geom.geom_type not in ("Polygon", "MultiPolygon"):
                continue
            props = {field: _json_value(values[i][row]) for i, field in enumerate(fields)}
            name = props.get(name_field) if name_field else None
            feature = f"feature {skip - len(geometries) + row + 1} of {path.name}"
            in_degrees = _to_4326(geom, transformer)
            check_coordinates(in_degrees, feature, source)
            batch.append(Feature(str(name) if name is not None else None, json.dumps(props),
                                 shapely.to_wkb(in_degrees)))
        yield batch
