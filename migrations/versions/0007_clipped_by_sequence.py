"""filter_clipped looks up a result's points by image and sequence: on Citus each lookup
stays in one shard (docs/scale.md).

DDL in migrations/sql/0007/.

Revision ID: 0007
Revises: 0006
"""

from etl.db.sqlfiles import run_sql_folder

revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None


def upgrade() -> None:
    run_sql_folder("migrations/sql/0007", direction="up")


def downgrade() -> None:
    run_sql_folder("migrations/sql/0007", direction="down")
