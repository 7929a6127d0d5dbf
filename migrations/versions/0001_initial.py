"""Initial schema: PostGIS, runs, images, sequences, crawl queue, boundaries, filter results, downloads.

Each concern keeps its DDL in its own file under migrations/sql/0001/, applied in
name order on upgrade and in reverse order (the *_down.sql files) on downgrade.

Revision ID: 0001
Revises:
"""

from etl.db.sqlfiles import run_sql_folder

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:
    run_sql_folder("migrations/sql/0001", direction="up")


def downgrade() -> None:
    run_sql_folder("migrations/sql/0001", direction="down")
