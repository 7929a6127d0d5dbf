"""The synthetic world: deterministic from (seed, bbox, density), built lazily.

Nothing is generated up front. A query computes the per-cell sequence counts of
the cells it touches (one vectorised pass), generates the non-empty cells on
demand and keeps recent ones in a small LRU bounded by image count. Tests use
the same object for ground truth: what lies in a bbox, what a sequence holds.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Iterator

import numpy as np

from etl.simulator import changes as C
from etl.simulator.cells import CellData, generate_cell
from etl.simulator.density import DensityModel, cell_sequence_counts
from etl.simulator.geo import CELL_DEG, N_COLS, BBox, cell_range, intersect
from etl.simulator.hashing import mix64_array
from etl.simulator.ids import parse_sequence_key, split_image_id

MEAN_IMAGES_PER_SEQUENCE = 73.3  # of cells.draw_heads' length mixture, measured
DEFAULT_MAX_QUERY_CELLS = 250_000  # 25 square degrees: beyond this, "reduce the data"


class QueryTooLarge(Exception):
    """A box too big to answer; the server maps it to "reduce the amount of data"."""


class World:
    def __init__(
        self,
        seed: int,
        bbox: BBox,
        density: DensityModel | None = None,
        name: str = "custom",
        cache_images: int = 3_000_000,
        max_query_cells: int = DEFAULT_MAX_QUERY_CELLS,
    ) -> None:
        self.seed, self.bbox, self.name = seed, bbox, name
        self.density = density or DensityModel()
        self.max_query_cells = max_query_cells
        self._range = cell_range(bbox)
        self._cache: OrderedDict[int, CellData] = OrderedDict()
        self._cached_images = 0
        self._cache_limit = cache_images
        self._lock = threading.Lock()
        self.changes: list[C.ChangeStep] = []  # applied in order to every cell (etl/simulator/changes.py)

    def __repr__(self) -> str:
        return f"World(name={self.name!r}, seed={self.seed}, bbox={self.bbox})"

    def set_cache_limit(self, images: int) -> None:
        """Keep up to this many generated images (~100 bytes each) before regenerating cells.

        A crawl asks for each area several times (a full box, then its quarters); a world
        larger than the cache is generated again on every pass.
        """
        with self._lock:
            self._cache_limit = images

    @property
    def version(self) -> int:
        """0 as generated; one more per change step."""
        return len(self.changes)

    def change(self, step: C.ChangeStep) -> int:
        """Move, delete and add images (a new world version); returns the version."""
        with self._lock:
            self.changes.append(step)
            self._cache.clear()
            self._cached_images = 0
            return len(self.changes)

    # --- cells ----------------------------------------------------------------

    def cells_for(self, bbox: BBox, ring: int = 1) -> tuple[np.ndarray, np.ndarray]:
        """Non-empty cells whose sequences may reach `bbox`: (cell ids, counts)."""
        c0, r0, c1, r1 = cell_range(bbox, ring)
        wc0, wr0, wc1, wr1 = self._range
        c0, r0, c1, r1 = max(c0, wc0), max(r0, wr0), min(c1, wc1), min(r1, wr1)
        if c0 > c1 or r0 > r1:
            return np.empty(0, np.int64), np.empty(0, np.int64)
        if (c1 - c0 + 1) * (r1 - r0 + 1) > self.max_query_cells:
            raise QueryTooLarge(f"box spans more than {self.max_query_cells} cells")
        cols, rows = np.meshgrid(np.arange(c0, c1 + 1), np.arange(r0, r1 + 1))
        cols, rows = cols.ravel(), rows.ravel()
        cells = rows.astype(np.int64) * N_COLS + cols
        counts = cell_sequence_counts(self.density, self.seed, cols, rows, cells)
        keep = counts > 0
        return cells[keep], counts[keep]

    def cell(self, cell: int, count: int | None = None) -> CellData:
        with self._lock:
            data = self._cache.get(cell)
            if data is not None:
                self._cache.move_to_end(cell)
                return data
        if count is None:
            count = self._count_of(cell)
        data = generate_cell(self.seed, cell, count, self.bbox)
        steps = list(self.changes)
        for number, step in enumerate(steps, start=1):
            data = C.apply(self.seed, number, step, data, self.bbox)
        with self._lock:
            if len(self.changes) != len(steps):  # the world changed meanwhile: do not keep the old version
                return data
            self._cache[cell] = data
            self._cached_images += data.size
            while self._cached_images > self._cache_limit and len(self._cache) > 1:
                _, old = self._cache.popitem(last=False)
                self._cached_images -= old.size
        return data

    def _count_of(self, cell: int) -> int:
        col, row = cell % N_COLS, cell // N_COLS
        wc0, wr0, wc1, wr1 = self._range
        if not (wc0 <= col <= wc1 and wr0 <= row <= wr1):
            return 0
        c = np.array([col]), np.array([row]), np.array([cell], dtype=np.int64)
        return int(cell_sequence_counts(self.density, self.seed, *c)[0])

    # --- queries ----------------------------------------------------------------

    def query(self, bbox: BBox, computed: bool = True) -> Iterator[tuple[CellData, np.ndarray]]:
        """(cell, indices) of images in `bbox`, cells in a fixed pseudo-random order.

        The order is what a capped answer cuts: deterministic, not sorted by id.
        """
        cells, counts = self.cells_for(bbox)
        order = np.argsort(mix64_array(cells ^ np.int64(self.seed & 0x7FFFFFFF)), kind="stable")
        for cell, count in zip(cells[order].tolist(), counts[order].tolist()):
            data = self.cell(cell, count)
            idx = data.in_bbox(bbox, computed)
            if idx.size:
                yield data, idx

    def image_ids_in_bbox(self, bbox: BBox) -> set[int]:
        """Ground truth: every image whose position (computed, else original) is in bbox."""
        return {i for data, idx in self.query(bbox) for i in data.ids[idx].tolist()}

    def count_in_bbox(self, bbox: BBox) -> int:
        return sum(int(idx.size) for _, idx in self.query(bbox))

    def sequence_ids_in_bbox(self, bbox: BBox) -> set[str]:
        """Sequences with at least one image in bbox."""
        return {data.keys[s] for data, idx in self.query(bbox) for s in np.unique(data.seq[idx]).tolist()}

    def images_in_bbox(self, bbox: BBox) -> Iterator[dict]:
        """Full records (every JSON field, no thumb URLs) of the images in bbox."""
        from etl.simulator.records import JSON_FIELDS, RenderContext, render_part

        for data, idx in self.query(bbox):
            yield from render_part(RenderContext(self.seed), data, idx, JSON_FIELDS)

    def locate_sequence(self, sequence_id: str) -> tuple[CellData, int] | None:
        parsed = parse_sequence_key(self.seed, sequence_id)
        if parsed is None:
            return None
        data = self.cell(parsed[0])
        return (data, parsed[1]) if parsed[1] < len(data.keys) else None

    def sequence_image_ids(self, sequence_id: str) -> list[int]:
        """Image ids of a sequence in capture order; [] for an unknown key."""
        found = self.locate_sequence(sequence_id)
        if found is None:
            return []
        data, serial = found
        return data.ids[data.sequence_indices(serial)].tolist()

    def locate_image(self, image_id: int) -> tuple[CellData, int] | None:
        cell, serial = split_image_id(image_id)
        if cell < 0:
            return None
        data = self.cell(cell)
        return (data, serial) if serial < data.size and (data.gone is None or not data.gone[serial]) else None

    def image(self, image_id: int) -> dict | None:
        """The full record of an image (every field, JSON shapes, no thumb URLs)."""
        from etl.simulator.records import full_record

        found = self.locate_image(image_id)
        return full_record(self, *found) if found else None

    def estimate_count(self, bbox: BBox | None = None) -> int:
        """Expected number of images in bbox (default: the world), from the density.

        Background and areas are sampled on a grid; city bumps are integrated
        analytically (a coarse grid would miss them), pro rata of their reach.
        """
        area = intersect(bbox or self.bbox, self.bbox)
        if area is None:
            return 0
        w, s, e, n = area
        step = max(CELL_DEG, (e - w) / 200, (n - s) / 200)
        glon, glat = np.meshgrid(np.arange(w + step / 2, e + step / 2, step), np.arange(s + step / 2, n + step / 2, step))
        flat = DensityModel(self.density.background, (), self.density.areas)
        sequences = float(flat.rate(glon.ravel(), glat.ravel()).mean()) * (e - w) * (n - s) / CELL_DEG**2
        for city in self.density.cities:
            reach = city.reach()
            inside = intersect(reach, area)
            if inside is not None:
                share = _area(inside) / _area(reach)
                total = city.peak * 2 * np.pi * city.sigma_deg**2 / np.cos(np.radians(city.lat)) / CELL_DEG**2
                sequences += share * total
        return int(sequences * MEAN_IMAGES_PER_SEQUENCE)


def _area(b: BBox) -> float:
    return max(0.0, b[2] - b[0]) * max(0.0, b[3] - b[1])
