"""Alembic environment: migrations run on a connection handed over by etl.db.migrate.

The project drives alembic programmatically (no alembic.ini): `mlyetl db migrate`
and every command that needs the schema call `etl.db.migrate.upgrade`.
"""

from alembic import context

connection = context.config.attributes["connection"]
context.configure(connection=connection, target_metadata=None)
with context.begin_transaction():
    context.run_migrations()
