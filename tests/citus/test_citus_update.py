"""`crawl --update` on Citus: the same pass, the same database contents as on a single server."""

from __future__ import annotations

from tests.crawler.conftest import crawl, make_simulator, query
from tests.crawler.test_update import assert_matches_world, row_versions


def test_update_on_citus_writes_only_changes_and_stores_the_new_world(citus_dsn: str) -> None:
    with make_simulator() as sim:
        first = crawl(sim, citus_dsn, "--concurrency", "4", timeout=300)
        assert first.returncode == 0, first.stderr[-2000:]
        versions = row_versions(citus_dsn)
        same = crawl(sim, citus_dsn, "--update", "--concurrency", "4", timeout=300)
        assert same.returncode == 0, same.stderr[-2000:]
        assert row_versions(citus_dsn) == versions
        sim.change_world("moved=0.05,deleted=0.03,deleted_images=0.02,added=0.05")
        update = crawl(sim, citus_dsn, "--update", "--concurrency", "4", timeout=300)
        assert update.returncode == 0, update.stderr[-2000:]
        assert_matches_world(sim, citus_dsn)
    assert query(citus_dsn, "SELECT count(*) AS n FROM images WHERE deleted_at IS NOT NULL")[0]["n"] > 0
