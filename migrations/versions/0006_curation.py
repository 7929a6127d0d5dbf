"""Curation of filter results (attribute filters, cross-sequence thinning, per-cell caps):
the cell_id of each kept image, the per-result candidates (the images spacing kept, before
thinning and caps), the solar elevation and equal-area grid functions.

DDL in migrations/sql/0006/ (see docs/filters.md, "Curation").

Revision ID: 0006
Revises: 0005
"""

from etl.db.sqlfiles import run_sql_folder

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None


def upgrade() -> None:
    run_sql_folder("migrations/sql/0006", direction="up")


def downgrade() -> None:
    run_sql_folder("migrations/sql/0006", direction="down")
