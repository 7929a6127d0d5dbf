"""Sequence change stamps: every statement that writes images appends one stamp per
sequence it touched, so the filter finds changed sequences without reading every image
(docs/filters.md, "Incremental runs").

DDL in migrations/sql/0009/.

Revision ID: 0009
Revises: 0008
"""

from etl.db.sqlfiles import run_sql_folder

revision = "0009"
down_revision = "0008"
branch_labels = None
depends_on = None


def upgrade() -> None:
    run_sql_folder("migrations/sql/0009", direction="up")


def downgrade() -> None:
    run_sql_folder("migrations/sql/0009", direction="down")
