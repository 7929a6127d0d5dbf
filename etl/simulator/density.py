"""Where the imagery is: expected sequences per cell, dense in cities.

A density model is a small background rate plus urban areas: Gaussian bumps
around city centres and/or uniform polygons (bboxes or shapely polygons). It is
evaluated vectorised over many cells at once, and the per-cell sequence count
is drawn from it by hashing (seed, cell), so counts for millions of cells cost
a few numpy passes and no generator objects.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import shapely

from etl.simulator.geo import CELL_DEG, BBox
from etl.simulator.hashing import uniform_array

_SALT_COUNT_A = 0xC0A
_SALT_COUNT_B = 0xC0B


@dataclass(frozen=True)
class City:
    """A Gaussian bump of `peak` expected sequences per cell at (lon, lat)."""

    lon: float
    lat: float
    sigma_deg: float
    peak: float
    name: str = ""

    def reach(self) -> BBox:
        r = 4.0 * self.sigma_deg
        return (self.lon - r * 1.6, self.lat - r, self.lon + r * 1.6, self.lat + r)


@dataclass(frozen=True)
class Area:
    """A polygon (or bbox) with a uniform `rate` of sequences per cell."""

    geometry: shapely.Geometry
    rate: float

    @classmethod
    def from_bbox(cls, bbox: BBox, rate: float) -> Area:
        return cls(shapely.box(*bbox), rate)


@dataclass(frozen=True)
class DensityModel:
    background: float = 0.02
    cities: tuple[City, ...] = ()
    areas: tuple[Area, ...] = field(default=())

    def rate(self, lon: np.ndarray, lat: np.ndarray) -> np.ndarray:
        """Expected sequences per cell at cell-centre coordinates (vectorised)."""
        lam = np.full(lon.shape, self.background, dtype=np.float64)
        if lon.size == 0:
            return lam
        w, s, e, n = float(lon.min()), float(lat.min()), float(lon.max()), float(lat.max())
        for city in self.cities:
            cw, cs, ce, cn = city.reach()
            if ce < w or cw > e or cn < s or cs > n:
                continue  # too far to matter: skip the exp over every cell
            dx = (lon - city.lon) * np.cos(np.radians(city.lat))
            d2 = dx * dx + (lat - city.lat) ** 2
            lam += city.peak * np.exp(-d2 / (2.0 * city.sigma_deg**2))
        for area in self.areas:
            lam += np.where(shapely.contains_xy(area.geometry, lon, lat), area.rate, 0.0)
        return lam


def cell_sequence_counts(
    model: DensityModel, seed: int, cols: np.ndarray, rows: np.ndarray, cells: np.ndarray
) -> np.ndarray:
    """How many sequences start in each cell: a deterministic, over-dispersed draw.

    floor(rate * f + u) with u uniform keeps the expectation at rate * E[f] and
    makes sparse cells empty most of the time, without a Poisson sampler.
    """
    lon = (cols + 0.5) * CELL_DEG - 180.0
    lat = (rows + 0.5) * CELL_DEG - 90.0
    lam = model.rate(lon, lat)
    factor = 0.4 + 1.2 * uniform_array(seed, _SALT_COUNT_B, cells)
    return np.floor(lam * factor + uniform_array(seed, _SALT_COUNT_A, cells)).astype(np.int64)
