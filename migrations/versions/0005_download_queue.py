"""Image downloads shared through the database: jobs, their claimed batches with leases, and
the workers' progress (mlyetl images download; see docs/export.md).

DDL in migrations/sql/0005/.

Revision ID: 0005
Revises: 0004
"""

from etl.db.sqlfiles import run_sql_folder

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None


def upgrade() -> None:
    run_sql_folder("migrations/sql/0005", direction="up")


def downgrade() -> None:
    run_sql_folder("migrations/sql/0005", direction="down")
