"""The boundaries stage from Python: `run_boundaries(target, BoundariesSettings(...))`.

A layer comes from a polygon file (`file`, any GDAL vector format and CRS) or, without
one, from the bundled Natural Earth data: continent `name` from the countries, or the
urban areas. A layer of the same kind and name is replaced.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from etl.boundaries.names import validate_name
from etl.boundaries.store import KINDS, LayerInfo
from etl.db.connect import connection
from etl.db.target import DatabaseTarget
from etl.errors import UserInputError
from etl.runs import recorded_run
from etl.settings import Settings, setting
from etl.stages.common import ready, run_async
from etl.summary import Summary

__all__ = ["BoundariesSettings", "BoundariesSummary", "run_boundaries"]


@dataclass(frozen=True, kw_only=True)
class BoundariesSettings(Settings):
    SECTION = "boundaries"

    kind: str = setting(help="What the layer is used for.", choices=KINDS)
    name: str = setting(help="Layer name (letters, digits, space, _ - .).")
    file: Path | None = setting(None, "A polygon file; without one, Natural Earth's continent NAME or urban areas.",
                                cli=False)
    crs: str | None = setting(None, "The file's coordinate system when it does not say (e.g. EPSG:3035).")
    cell_size: float | None = setting(None, "Grid cell size in degrees (default 0.25; 1/32 for urban).")

    def check(self) -> None:
        validate_name(self.name, "continent" if self.kind == "continent" and self.file is None else "layer")
        if self.file is None and self.kind == "area":
            raise UserInputError("an area layer needs a polygon file", hint="give the file to load")

    def action(self) -> str:
        if self.file is not None:
            return "load"
        return "add-continent" if self.kind == "continent" else "add-urban"


@dataclass
class BoundariesSummary(Summary):
    layer: LayerInfo

    def lines(self) -> list[str]:
        info = self.layer
        return [f"{info.kind} layer {info.name!r}: {info.features:,} polygons, {info.parts:,} parts, "
                f"{info.cells:,} grid cells ({info.seconds:.1f} s)"]


async def boundaries_async(target: DatabaseTarget | str, settings: BoundariesSettings) -> BoundariesSummary:
    from etl import boundaries
    from etl.boundaries import naturalearth

    target = await ready(target)
    recorded = {"action": settings.action(), "name": settings.name}
    if settings.file is not None:
        recorded |= {"file": str(settings.file), "kind": settings.kind}
    async with connection(target) as conn:
        async with recorded_run(conn, "boundaries", recorded) as run:
            if settings.file is not None:
                info = await boundaries.load_polygon_file_info(conn, settings.file, settings.kind, settings.name,
                                                               crs=settings.crs, cell_size=settings.cell_size)
            elif settings.kind == "continent":
                info = await naturalearth.build_continent(conn, settings.name)
            else:
                info = await naturalearth.build_urban_areas(conn, settings.name)
            run.counters.update(features=info.features, parts=info.parts, cells=info.cells)
    return BoundariesSummary(info)


def run_boundaries(target: DatabaseTarget | str, settings: BoundariesSettings) -> BoundariesSummary:
    """Load or build one polygon layer (continent, urban or area)."""
    return run_async(boundaries_async(target, settings))
