"""Crawl passes: `crawl --update` passes as crawls of their own, their counters, the check
tasks and the images a pass did not see (docs/crawler.md, "Updates").

DDL in migrations/sql/0008/.

Revision ID: 0008
Revises: 0007
"""

from etl.db.sqlfiles import run_sql_folder

revision = "0008"
down_revision = "0007"
branch_labels = None
depends_on = None


def upgrade() -> None:
    run_sql_folder("migrations/sql/0008", direction="up")


def downgrade() -> None:
    run_sql_folder("migrations/sql/0008", direction="down")
