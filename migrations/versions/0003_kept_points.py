"""Filter results store only their kept images; the view filter_clipped shows every
clipped and classified image on demand.

DDL in migrations/sql/0003/ (see docs/filters.md).

Revision ID: 0003
Revises: 0002
"""

from etl.db.sqlfiles import run_sql_folder

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    run_sql_folder("migrations/sql/0003", direction="up")


def downgrade() -> None:
    run_sql_folder("migrations/sql/0003", direction="down")
