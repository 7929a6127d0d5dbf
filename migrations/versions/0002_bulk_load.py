"""Crawler bulk load: images_bulk_indexes keeps the indexes of images dropped by a bulk load.

DDL in migrations/sql/0002/ (see docs/crawler.md, "Bulk load").

Revision ID: 0002
Revises: 0001
"""

from etl.db.sqlfiles import run_sql_folder

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    run_sql_folder("migrations/sql/0002", direction="up")


def downgrade() -> None:
    run_sql_folder("migrations/sql/0002", direction="down")
