"""etl.models against the migrated schema: every table, column, type, nullability, key,
geometry type and SRID, so the models and the migrations cannot drift apart."""

from __future__ import annotations

import asyncio

import asyncpg
import pytest
from geoalchemy2 import Geometry
from sqlalchemy import REAL, BigInteger, Boolean, Double, Integer, SmallInteger, Text, create_engine, select
from sqlalchemy.dialects.postgresql import ARRAY, JSONB, TIMESTAMP

from etl import models
from etl.models import MODELS, sqlalchemy_url

TYPES = {BigInteger: "int8", Integer: "int4", SmallInteger: "int2", Text: "text", Boolean: "bool", Double: "float8",
         REAL: "float4", JSONB: "jsonb", Geometry: "geometry"}


def _model_type(column) -> str:  # noqa: ANN001
    if isinstance(column.type, TIMESTAMP):
        return "timestamptz" if column.type.timezone else "timestamp"
    if isinstance(column.type, ARRAY):  # PostgreSQL names an array type after its element: _int8, _text
        return "_" + TYPES[type(column.type.item_type)]
    return TYPES[type(column.type)]


async def _schema(dsn: str, table: str) -> dict:
    conn = await asyncpg.connect(dsn)
    try:
        columns = await conn.fetch(
            "SELECT column_name, udt_name, is_nullable = 'YES' AS nullable FROM information_schema.columns "
            "WHERE table_schema = 'public' AND table_name = $1", table)
        geometries = await conn.fetch(
            "SELECT f_geometry_column, type, srid FROM geometry_columns "
            "WHERE f_table_schema = 'public' AND f_table_name = $1", table)
        keys = await conn.fetch(
            "SELECT a.attname FROM pg_index i JOIN pg_attribute a ON a.attrelid = i.indrelid "
            "AND a.attnum = ANY(i.indkey) WHERE i.indrelid = $1::regclass AND i.indisprimary", f"public.{table}")
    finally:
        await conn.close()
    return {"columns": {r["column_name"]: (r["udt_name"], r["nullable"]) for r in columns},
            "geometries": {r["f_geometry_column"]: (r["type"], r["srid"]) for r in geometries},
            "keys": {r["attname"] for r in keys}}


def test_the_issue_s_models_are_there() -> None:
    names = {m.__name__ for m in MODELS}
    assert names >= {"Image", "Sequence", "FilterResult", "FilterPoint", "SequenceLine", "BoundaryLayer",
                     "BoundaryFeature"}


@pytest.mark.parametrize("model", MODELS, ids=lambda m: m.__name__)
def test_model_matches_the_migrated_table(db_dsn: str, model: type) -> None:
    table = model.__table__
    schema = asyncio.run(_schema(db_dsn, table.name))
    assert schema["columns"], f"no table {table.name} in the schema"
    assert set(schema["columns"]) == {c.name for c in table.columns}, "columns differ"
    for column in table.columns:
        udt, nullable = schema["columns"][column.name]
        assert _model_type(column) == udt, f"{table.name}.{column.name}: model {_model_type(column)}, table {udt}"
        assert column.nullable == nullable or column.primary_key, f"{table.name}.{column.name} nullability"
        attribute = getattr(model, column.name)  # attribute names are column names
        assert attribute.expression.name == column.name
        if isinstance(column.type, Geometry):
            kind, srid = schema["geometries"][column.name]
            assert (column.type.geometry_type, column.type.srid) == (kind, srid), f"{table.name}.{column.name}"
    assert {c.name for c in table.primary_key.columns} == schema["keys"]
    assert set(schema["geometries"]) == {c.name for c in table.columns if isinstance(c.type, Geometry)}


def test_every_model_can_be_queried(db_dsn: str) -> None:
    engine = create_engine(sqlalchemy_url(db_dsn))
    try:
        with engine.connect() as conn:
            for model in MODELS:
                assert conn.execute(select(model).limit(1)).all() == []
    finally:
        engine.dispose()
    assert models.sqlalchemy_url("postgresql://u@h:5/d", "asyncpg") == "postgresql+asyncpg://u@h:5/d"
