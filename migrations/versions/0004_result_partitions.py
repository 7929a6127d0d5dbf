"""Each filter result's sequence lines and signatures in partitions of their own, like its
points (bulk-loaded, then indexed and attached).

DDL in migrations/sql/0004/ (see docs/filters.md).

Revision ID: 0004
Revises: 0003
"""

from etl.db.sqlfiles import run_sql_folder

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None


def upgrade() -> None:
    run_sql_folder("migrations/sql/0004", direction="up")


def downgrade() -> None:
    run_sql_folder("migrations/sql/0004", direction="down")
