"""The small value types passed between the queue, the fetchers and the writer."""

from __future__ import annotations

from dataclasses import dataclass, field

BBox = tuple[float, float, float, float]


@dataclass(frozen=True)
class Task:
    """A claimed row of crawl_tasks."""

    id: int
    kind: str  # box | tile | sequence
    key: str
    depth: int
    inside: bool  # footprint wholly inside the area: no per-point area test needed
    attempts: int
    image_ids: tuple[int, ...] = ()  # a check task's images (etl/crawl/check_task.py)
    sequence_ids: tuple[str, ...] = ()  # ... and the sequence of each


@dataclass(frozen=True)
class Child:
    """A task to add (a quarter of a split box, a sub-tile)."""

    kind: str
    key: str
    depth: int
    bounds: BBox | None


@dataclass
class Finish:
    """A task's end: done | empty | split | failed | retry (back to pending)."""

    task_id: int
    state: str
    count: int = 0
    error: str | None = None
    children: list[Child] = field(default_factory=list)
    # the ids a finished box or tile listed (complete answers only): in an update pass, the
    # stored images of its footprint that it did not list are checked (etl/crawl/check_task.py)
    seen: list[int] | None = None


@dataclass
class WriteItem:
    """Rows for the writer; `finish` closes the task once the rows are committed."""

    rows: list[tuple]
    finish: Finish | None = None
    skipped: int = 0  # records without a required field
    check_area: bool = False  # rows of a box/tile not wholly inside the area: keep only points in it
    deleted: list[int] = field(default_factory=list)  # images the API certainly no longer has
