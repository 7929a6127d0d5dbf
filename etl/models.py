"""SQLAlchemy 2 models of the public tables, with GeoAlchemy2 geometry columns.

For Python users who query the database (notebooks, scripts, GeoPandas): every attribute
is named like its column, every geometry column has its type and SRID. The schema itself
is made by the migrations (`mlyetl db migrate`), never by these models;
tests/db/test_models.py compares the two column by column, so they cannot drift.

    from sqlalchemy import create_engine, func, select
    from etl.models import FilterPoint

    engine = create_engine("postgresql+psycopg://...")  # any SQLAlchemy PostgreSQL driver
    query = select(FilterPoint.class_, func.count()).where(FilterPoint.result_name == "eu-v1") \\
        .group_by(FilterPoint.class_)

`class` is a Python keyword: write `FilterPoint.class_` (`getattr(FilterPoint, "class")` is
the same attribute under the column's name).
The partitioned tables (filter_points, filter_sequence_lines, filter_sequences) are
mapped on the parent; a query for one result reads only its partition.
"""

from __future__ import annotations

from datetime import datetime

from geoalchemy2 import Geometry, WKBElement
from sqlalchemy import REAL, BigInteger, Boolean, Double, ForeignKey, Integer, SmallInteger, Text
from sqlalchemy.dialects.postgresql import ARRAY, JSONB, TIMESTAMP
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, synonym

from etl.db.target import DatabaseTarget, as_target

TZ = TIMESTAMP(timezone=True)


def _geometry(kind: str) -> Geometry:
    # spatial_index=False: the migrations own the indexes; the models only describe columns
    return Geometry(kind, srid=4326, spatial_index=False)


class Base(DeclarativeBase):
    pass


class Run(Base):
    __tablename__ = "runs"

    id: Mapped[int] = mapped_column(BigInteger, primary_key=True)
    kind: Mapped[str] = mapped_column(Text)
    started_at: Mapped[datetime] = mapped_column(TZ)
    finished_at: Mapped[datetime | None] = mapped_column(TZ)
    status: Mapped[str] = mapped_column(Text)
    settings: Mapped[dict] = mapped_column(JSONB)
    counters: Mapped[dict] = mapped_column(JSONB)
    error: Mapped[str | None] = mapped_column(Text)
    host: Mapped[str | None] = mapped_column(Text)
    pid: Mapped[int | None] = mapped_column(Integer)


class Image(Base):
    __tablename__ = "images"

    id: Mapped[int] = mapped_column(BigInteger, primary_key=True)
    sequence_id: Mapped[str] = mapped_column(Text)
    captured_at: Mapped[datetime] = mapped_column(TZ)
    geom: Mapped[WKBElement] = mapped_column(_geometry("POINT"))
    geom_is_computed: Mapped[bool] = mapped_column(Boolean)
    original_geom: Mapped[WKBElement | None] = mapped_column(_geometry("POINT"))
    compass_angle: Mapped[float | None] = mapped_column(Double)
    computed_compass_angle: Mapped[float | None] = mapped_column(Double)
    altitude: Mapped[float | None] = mapped_column(Double)
    computed_altitude: Mapped[float | None] = mapped_column(Double)
    is_pano: Mapped[bool] = mapped_column(Boolean)
    camera_type: Mapped[str | None] = mapped_column(Text)
    make: Mapped[str | None] = mapped_column(Text)
    model: Mapped[str | None] = mapped_column(Text)
    width: Mapped[int | None] = mapped_column(Integer)
    height: Mapped[int | None] = mapped_column(Integer)
    creator_id: Mapped[int | None] = mapped_column(BigInteger)
    creator_username: Mapped[str | None] = mapped_column(Text)
    organization_id: Mapped[int | None] = mapped_column(BigInteger)
    quality_score: Mapped[float | None] = mapped_column(REAL)
    first_seen: Mapped[datetime] = mapped_column(TZ)
    last_seen: Mapped[datetime] = mapped_column(TZ)
    deleted_at: Mapped[datetime | None] = mapped_column(TZ)


class Sequence(Base):
    __tablename__ = "sequences"

    id: Mapped[str] = mapped_column(Text, primary_key=True)
    image_count: Mapped[int | None] = mapped_column(Integer)
    first_captured_at: Mapped[datetime | None] = mapped_column(TZ)
    last_captured_at: Mapped[datetime | None] = mapped_column(TZ)
    first_seen: Mapped[datetime] = mapped_column(TZ)
    last_seen: Mapped[datetime] = mapped_column(TZ)


class Crawl(Base):
    __tablename__ = "crawls"

    id: Mapped[int] = mapped_column(BigInteger, primary_key=True)
    key: Mapped[str] = mapped_column(Text)
    method: Mapped[str] = mapped_column(Text)
    area: Mapped[WKBElement] = mapped_column(_geometry("MULTIPOLYGON"))
    settings: Mapped[dict] = mapped_column(JSONB)
    created_at: Mapped[datetime] = mapped_column(TZ)
    finished_at: Mapped[datetime | None] = mapped_column(TZ)
    base_id: Mapped[int | None] = mapped_column(BigInteger, ForeignKey("crawls.id"))  # an update pass's first crawl
    pass_: Mapped[int] = mapped_column("pass", Integer)  # 0: the first crawl; 1, 2, ...: `crawl --update`
    new_images: Mapped[int] = mapped_column(BigInteger)
    changed_images: Mapped[int] = mapped_column(BigInteger)
    unchanged_images: Mapped[int] = mapped_column(BigInteger)
    deleted_images: Mapped[int] = mapped_column(BigInteger)
    restored_images: Mapped[int] = mapped_column(BigInteger)


class CrawlUnseen(Base):
    __tablename__ = "crawl_unseen"

    crawl_id: Mapped[int] = mapped_column(BigInteger, ForeignKey("crawls.id"), primary_key=True)
    image_id: Mapped[int] = mapped_column(BigInteger, primary_key=True)
    task_id: Mapped[int] = mapped_column(BigInteger, primary_key=True)


class CrawlAreaPart(Base):
    __tablename__ = "crawl_area_parts"

    id: Mapped[int] = mapped_column(BigInteger, primary_key=True)
    crawl_id: Mapped[int] = mapped_column(BigInteger, ForeignKey("crawls.id"))
    geom: Mapped[WKBElement] = mapped_column(_geometry("POLYGON"))


class CrawlTask(Base):
    __tablename__ = "crawl_tasks"

    id: Mapped[int] = mapped_column(BigInteger, primary_key=True)
    crawl_id: Mapped[int] = mapped_column(BigInteger, ForeignKey("crawls.id"))
    kind: Mapped[str] = mapped_column(Text)
    key: Mapped[str] = mapped_column(Text)
    depth: Mapped[int] = mapped_column(SmallInteger)
    geom: Mapped[WKBElement | None] = mapped_column(_geometry("POLYGON"))
    inside: Mapped[bool] = mapped_column(Boolean)
    state: Mapped[str] = mapped_column(Text)
    attempts: Mapped[int] = mapped_column(SmallInteger)
    result_count: Mapped[int | None] = mapped_column(Integer)
    last_error: Mapped[str | None] = mapped_column(Text)
    lease_owner: Mapped[str | None] = mapped_column(Text)
    lease_expires_at: Mapped[datetime | None] = mapped_column(TZ)
    created_at: Mapped[datetime] = mapped_column(TZ)
    updated_at: Mapped[datetime] = mapped_column(TZ)
    image_ids: Mapped[list[int] | None] = mapped_column(ARRAY(BigInteger))  # a check task's images
    sequence_ids: Mapped[list[str] | None] = mapped_column(ARRAY(Text))  # ... and their sequences


class BoundaryLayer(Base):
    __tablename__ = "boundary_layers"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    name: Mapped[str] = mapped_column(Text)
    kind: Mapped[str] = mapped_column(Text)
    source: Mapped[str | None] = mapped_column(Text)
    feature_count: Mapped[int] = mapped_column(Integer)
    part_count: Mapped[int] = mapped_column(Integer)
    cell_count: Mapped[int] = mapped_column(Integer)
    outline: Mapped[WKBElement | None] = mapped_column(_geometry("MULTIPOLYGON"))
    cell_size: Mapped[float] = mapped_column(Double)
    loaded_at: Mapped[datetime] = mapped_column(TZ)


class BoundaryFeature(Base):
    __tablename__ = "boundary_features"

    id: Mapped[int] = mapped_column(BigInteger, primary_key=True)
    layer_id: Mapped[int] = mapped_column(Integer, ForeignKey("boundary_layers.id"))
    name: Mapped[str | None] = mapped_column(Text)
    properties: Mapped[dict] = mapped_column(JSONB)
    geom: Mapped[WKBElement] = mapped_column(_geometry("MULTIPOLYGON"))


class BoundaryPart(Base):
    __tablename__ = "boundary_parts"

    id: Mapped[int] = mapped_column(BigInteger, primary_key=True)
    layer_id: Mapped[int] = mapped_column(Integer, ForeignKey("boundary_layers.id"))
    feature_id: Mapped[int] = mapped_column(BigInteger, ForeignKey("boundary_features.id"))
    geom: Mapped[WKBElement] = mapped_column(_geometry("POLYGON"))


class BoundaryCell(Base):
    __tablename__ = "boundary_cells"

    layer_id: Mapped[int] = mapped_column(Integer, ForeignKey("boundary_layers.id"), primary_key=True)
    cell: Mapped[int] = mapped_column(BigInteger, primary_key=True)
    covered: Mapped[bool] = mapped_column(Boolean)
    geom: Mapped[WKBElement | None] = mapped_column(_geometry("MULTIPOLYGON"))


class FilterResult(Base):
    __tablename__ = "filter_results"

    name: Mapped[str] = mapped_column(Text, primary_key=True)
    id: Mapped[int] = mapped_column(Integer)
    params: Mapped[dict] = mapped_column(JSONB)
    layers: Mapped[dict] = mapped_column(JSONB)
    counts: Mapped[dict] = mapped_column(JSONB)
    state: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(TZ)
    updated_at: Mapped[datetime] = mapped_column(TZ)


class FilterPoint(Base):
    """A kept image of a result: the dataset that is exported and downloaded."""

    __tablename__ = "filter_points"

    result_name: Mapped[str] = mapped_column(Text, primary_key=True)
    image_id: Mapped[int] = mapped_column(BigInteger, primary_key=True)
    sequence_id: Mapped[str] = mapped_column(Text)
    class_: Mapped[str] = mapped_column("class", Text)
    geom: Mapped[WKBElement] = mapped_column(_geometry("POINT"))
    captured_at: Mapped[datetime | None] = mapped_column(TZ)
    compass_angle: Mapped[float | None] = mapped_column(Double)
    altitude: Mapped[float | None] = mapped_column(Double)
    is_pano: Mapped[bool | None] = mapped_column(Boolean)
    width: Mapped[int | None] = mapped_column(Integer)
    height: Mapped[int | None] = mapped_column(Integer)
    make: Mapped[str | None] = mapped_column(Text)
    model: Mapped[str | None] = mapped_column(Text)
    creator_username: Mapped[str | None] = mapped_column(Text)
    cell_id: Mapped[int | None] = mapped_column(BigInteger)  # the curation grid's cell (NULL without a cell size)


class SequenceLine(Base):
    """One line per sequence of a result, with its counts."""

    __tablename__ = "filter_sequence_lines"

    result_name: Mapped[str] = mapped_column(Text, ForeignKey("filter_results.name"), primary_key=True)
    sequence_id: Mapped[str] = mapped_column(Text, primary_key=True)
    geom: Mapped[WKBElement | None] = mapped_column(_geometry("LINESTRING"))
    image_count: Mapped[int] = mapped_column(Integer)
    urban_count: Mapped[int] = mapped_column(Integer)
    other_count: Mapped[int] = mapped_column(Integer)
    kept_count: Mapped[int] = mapped_column(Integer)
    kept_urban_count: Mapped[int] = mapped_column(Integer)
    kept_other_count: Mapped[int] = mapped_column(Integer)
    duplicate_count: Mapped[int] = mapped_column(Integer)
    length_m: Mapped[float] = mapped_column(Double)
    first_captured_at: Mapped[datetime] = mapped_column(TZ)
    last_captured_at: Mapped[datetime] = mapped_column(TZ)


class FilterSequence(Base):
    """A result's signature of an input sequence (incremental runs)."""

    __tablename__ = "filter_sequences"

    result_name: Mapped[str] = mapped_column(Text, ForeignKey("filter_results.name"), primary_key=True)
    sequence_id: Mapped[str] = mapped_column(Text, primary_key=True)
    signature: Mapped[str] = mapped_column(Text)


class ImageDownload(Base):
    __tablename__ = "image_downloads"

    image_id: Mapped[int] = mapped_column(BigInteger, primary_key=True)
    size: Mapped[str] = mapped_column(Text, primary_key=True)
    state: Mapped[str] = mapped_column(Text)
    path: Mapped[str | None] = mapped_column(Text)
    bytes: Mapped[int | None] = mapped_column(BigInteger)
    attempts: Mapped[int] = mapped_column(SmallInteger)
    error: Mapped[str | None] = mapped_column(Text)
    updated_at: Mapped[datetime] = mapped_column(TZ)


setattr(FilterPoint, "class", synonym("class_"))  # the column's own name, for getattr and tools
setattr(Crawl, "pass", synonym("pass_"))  # the same: `pass` is a Python keyword

MODELS = (Run, Image, Sequence, Crawl, CrawlAreaPart, CrawlTask, CrawlUnseen, BoundaryLayer, BoundaryFeature, BoundaryPart,
          BoundaryCell, FilterResult, FilterPoint, SequenceLine, FilterSequence, ImageDownload)


def sqlalchemy_url(target: DatabaseTarget | str, driver: str = "psycopg") -> str:
    """A SQLAlchemy URL for `target` (a DatabaseTarget or a postgresql:// DSN) with `driver`
    (psycopg for a synchronous engine, e.g. for GeoPandas; asyncpg for an async one)."""
    dsn = as_target(target).connection_dsn()
    scheme, sep, rest = dsn.partition("://")
    return f"postgresql+{driver}://{rest if sep else ''}"
