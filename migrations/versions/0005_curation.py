"""Curation of filter results (attribute filters, cross-sequence thinning, per-cell caps):
the cell_id of each kept image, the per-result candidates (the images spacing kept, before
thinning and caps), the solar elevation and equal-area grid functions.

DDL in migrations/sql/0005/ (see docs/filters.md, "Curation").

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
