"""Acceptance: PostgreSQL restarts in the middle of a crawl; the crawl rides it out.

This test owns a throwaway embedded cluster (not the shared session server) so
that it may stop and start it.
"""

from __future__ import annotations

import time
from collections.abc import Iterator

import pytest

from etl.db.cluster import EmbeddedCluster
from tests.crawler.conftest import WIDE, WIDE_AREA_ARG, assert_complete, make_simulator, start_crawl, task_states
from tests.dbserver import throwaway_cluster


@pytest.fixture
def own_cluster() -> Iterator[EmbeddedCluster]:
    with throwaway_cluster("mlyetl-crawl-restart-") as cluster:
        yield cluster


def _finished(dsn: str) -> int:
    try:
        states = task_states(dsn)
    except Exception:  # not migrated yet, or the server is down
        return 0
    return sum(states.get(s, 0) for s in ("done", "empty", "split"))


def test_crawl_survives_a_database_restart(own_cluster: EmbeddedCluster) -> None:
    dsn = own_cluster.socket_dsn()
    with make_simulator(WIDE, faults="slow=1.0:0.05") as sim:
        proc = start_crawl(sim, dsn, "--box-size", "0.02", "--concurrency", "2", area=WIDE_AREA_ARG)
        deadline = time.monotonic() + 90
        while _finished(dsn) < 20 and proc.poll() is None and time.monotonic() < deadline:
            time.sleep(0.05)
        assert proc.poll() is None, proc.communicate()
        own_cluster.stop()  # fast shutdown: every connection is cut
        time.sleep(1.0)
        own_cluster.start()
        out, err = proc.communicate(timeout=180)
        assert proc.returncode == 0, err
        assert "database unavailable" in err  # it noticed, waited and reconnected
        assert_complete(sim, dsn, WIDE_AREA_ARG)
    assert set(task_states(dsn)) <= {"done", "empty", "split"}


RESTARTS = 8


def test_crawl_survives_repeated_restarts(own_cluster: EmbeddedCluster) -> None:
    """`db stop` then `db start` again and again: each stop may cut a claim between its commit
    and its answer (a lost claim once hung the crawl for ever, its tasks orphaned under our lease)."""
    dsn = own_cluster.socket_dsn()
    with make_simulator(WIDE, faults="slow=1.0:0.02") as sim:
        proc = start_crawl(sim, dsn, "--box-size", "0.01", "--concurrency", "4", area=WIDE_AREA_ARG)
        restarts, last = 0, 0
        deadline = time.monotonic() + 240
        while restarts < RESTARTS and proc.poll() is None and time.monotonic() < deadline:
            done = _finished(dsn)
            if done < last + 15:
                time.sleep(0.05)
                continue
            own_cluster.stop()
            time.sleep(0.5 + restarts % 3)
            own_cluster.start()
            restarts, last = restarts + 1, _finished(dsn)
        assert restarts >= 4, f"the crawl ended after {restarts} restarts: make it longer"
        try:
            out, err = proc.communicate(timeout=150)
        except Exception:
            proc.kill()
            out, err = proc.communicate()
            raise AssertionError(f"the crawl hung after {restarts} restarts: {task_states(dsn)}\n{err[-3000:]}")
        assert proc.returncode == 0, err
        assert_complete(sim, dsn, WIDE_AREA_ARG)
    assert set(task_states(dsn)) <= {"done", "empty", "split"}
