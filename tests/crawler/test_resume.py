"""Acceptance: a SIGKILLed crawl resumes; two crawlers share one crawl; --retry-failed."""

from __future__ import annotations

import signal
import time

from tests.conftest import run_cli
from tests.crawler.conftest import (
    WIDE, WIDE_AREA_ARG, assert_complete, crawl, make_simulator, query, start_crawl, task_states,
)

SLOW = "slow=1.0:0.05"  # every request takes 50 ms: the crawl lasts long enough to be cut
ARGS = ("--box-size", "0.02", "--concurrency", "2")


def _finished(dsn: str) -> int:
    states = task_states(dsn)
    return sum(states.get(s, 0) for s in ("done", "empty", "split"))


def _wait_for_tasks(dsn: str, n: int, proc, limit_s: float = 60) -> None:  # noqa: ANN001
    deadline = time.monotonic() + limit_s
    while time.monotonic() < deadline and proc.poll() is None:
        try:
            if _finished(dsn) >= n:
                return
        except Exception:  # the crawl has not created its tables' rows yet
            pass
        time.sleep(0.05)
    raise AssertionError(f"the crawl did not finish {n} tasks in time (exit {proc.poll()})")


def test_killed_crawl_resumes_without_redoing_finished_tasks(db_dsn: str) -> None:
    with make_simulator(WIDE, faults=SLOW) as sim:
        proc = start_crawl(sim, db_dsn, *ARGS, area=WIDE_AREA_ARG)
        _wait_for_tasks(db_dsn, 25, proc)
        proc.send_signal(signal.SIGKILL)
        proc.wait(10)
        finished_at_kill = _finished(db_dsn)
        stored_at_kill = query(db_dsn, "SELECT count(*) AS n FROM images")[0]["n"]
        assert stored_at_kill > 0
        # it was bulk-loading (empty images): the indexes wait in images_bulk_indexes, and
        # another crawl is refused until this one is finished
        assert query(db_dsn, "SELECT count(*) AS n FROM images_bulk_indexes")[0]["n"] == 4
        other = crawl(sim, db_dsn, *ARGS, area="6.60,46.50,6.61,46.51")
        assert other.returncode == 2 and "is bulk-loading the images table" in other.stderr
        assert len(other.stderr.strip().splitlines()) == 1
        status = run_cli("status", "--dsn", db_dsn)
        assert "crawl 1 is bulk-loading images (4 index(es) to rebuild" in status.stdout, status.stdout
        sim.reset_stats()
        rerun = crawl(sim, db_dsn, *ARGS, area=WIDE_AREA_ARG)
        assert rerun.returncode == 0, rerun.stderr
        assert "(resumed)" in rerun.stdout and "rebuilding indexes (bulk load)" in rerun.stdout
        assert_complete(sim, db_dsn, WIDE_AREA_ARG)  # no duplicates, every index back
        requests = sim.stats["requests"].get("images_bbox", 0)
    total = query(db_dsn, "SELECT count(*) AS n FROM crawl_tasks WHERE crawl_id = 1")[0]["n"]  # not the refused one's
    # one request per task, and only for tasks that had not finished before the kill
    assert requests == total - finished_at_kill
    assert finished_at_kill < total


def test_two_crawlers_share_the_work_without_doing_a_task_twice(db_dsn: str) -> None:
    with make_simulator(WIDE, faults=SLOW) as sim:
        first, second = (start_crawl(sim, db_dsn, *ARGS, area=WIDE_AREA_ARG) for _ in range(2))
        outs = [p.communicate(timeout=180) for p in (first, second)]
        assert first.returncode == 0 and second.returncode == 0, outs
        assert_complete(sim, db_dsn, WIDE_AREA_ARG)
        requests = sim.stats["requests"].get("images_bbox", 0)
    total = sum(task_states(db_dsn).values())
    assert requests == total, "some box was requested twice"
    done_by = [int(out.split("tasks finished by this run: ")[1].split(";")[0].replace(",", "")) for out, _ in outs]
    assert sum(done_by) == total and min(done_by) > 0, done_by
    assert query(db_dsn, "SELECT count(*) AS n FROM crawls")[0]["n"] == 1


def test_retry_failed_reruns_only_the_failed_tasks(db_dsn: str) -> None:
    # the first 6 searches fail with 503 and no retries are allowed: one or two boxes
    # (depending on claim order) use up their 3 attempts
    with make_simulator(WIDE, schedules=["images_bbox:503:first6"]) as sim:
        first = crawl(sim, db_dsn, *ARGS, "--max-retries", "0", "--concurrency", "1", area=WIDE_AREA_ARG)
        assert first.returncode == 1
        assert "--retry-failed" in first.stderr and len(first.stderr.strip().splitlines()) == 1
        failed = task_states(db_dsn)["failed"]
        assert 1 <= failed <= 2
        before = {r["key"] for r in query(db_dsn, "SELECT key FROM crawl_tasks")}
        sim.set_faults("", schedules=[])  # (stats reset restarts the request numbers)
        sim.reset_stats()
        plain = crawl(sim, db_dsn, *ARGS, area=WIDE_AREA_ARG)
        assert plain.returncode == 1 and sum(sim.stats["requests"].values()) == 0
        retried = crawl(sim, db_dsn, *ARGS, "--retry-failed", area=WIDE_AREA_ARG)
        assert retried.returncode == 0, retried.stderr
        assert_complete(sim, db_dsn, WIDE_AREA_ARG)
        requests = sim.stats["requests"].get("images_bbox", 0)
    # the failed boxes, plus the children of those that had to be split; nothing else
    children = {r["key"] for r in query(db_dsn, "SELECT key FROM crawl_tasks")} - before
    assert requests == failed + len(children)
    assert "failed" not in task_states(db_dsn)
