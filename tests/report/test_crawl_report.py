"""`mlyetl report --crawl`: a real crawl of the simulator, its area, tasks by state and
images on the map, its calls over time (recorded by the crawl's run) in a chart; and the
cells-and-points path of a dataset larger than the point budget."""

from __future__ import annotations

import json
import re
import time
from pathlib import Path

import pytest
from selenium import webdriver
from selenium.webdriver.common.by import By

from tests.conftest import run_cli
from tests.crawler.conftest import AREA, crawl, make_simulator, query
from tests.report.browser import console_errors, requested_urls, screenshot
from tests.report.test_result_report import _click_image, _open


@pytest.fixture(scope="module")
def crawled(tmp_path_factory: pytest.TempPathFactory, pg_server: str, template_database: str):  # noqa: ANN201
    from tests.conftest import _fresh_database

    databases = _fresh_database(pg_server, template_database)
    dsn = next(databases)
    with make_simulator() as sim:
        done = crawl(sim, dsn)
        assert done.returncode == 0, done.stderr
    yield dsn, tmp_path_factory.mktemp("crawl-report")
    next(databases, None)


def test_crawl_run_records_calls_per_minute(crawled) -> None:  # noqa: ANN001
    dsn, _ = crawled
    run = query(dsn, "SELECT counters FROM runs WHERE kind = 'crawl'")[0]
    counters = json.loads(run["counters"])
    timeline = counters["timeline"]
    assert timeline and all(len(slot) == 4 for slot in timeline)
    assert sum(slot[1] for slot in timeline) == sum(counters["requests"].values())  # every call, once
    assert all(slot[1] == slot[2] + slot[3] for slot in timeline)  # answered or failed


def test_crawl_report_in_the_browser(browser: webdriver.Chrome, crawled) -> None:  # noqa: ANN001
    dsn, tmp = crawled
    out = tmp / "latest"
    done = run_cli("report", "--crawl", "--out", str(out), "--dsn", dsn)
    assert done.returncode == 0, done.stderr
    _open(browser, out / "index.html")
    assert all(u.startswith(("file://", "data:")) for u in requested_urls(browser))
    assert console_errors(browser) == []
    counts = browser.execute_script("return mlyetlReport.counts()")
    states = {r["state"]: r["n"] for r in query(
        dsn, "SELECT state, count(*) AS n FROM crawl_tasks WHERE state <> 'split' GROUP BY state")}
    for state in ("done", "empty", "pending", "running", "failed"):
        assert counts[f"task_{state}"]["features"] == states.get(state, 0), state
    assert counts["task_done"]["features"] > 0
    in_area = query(dsn, "SELECT count(*) AS n FROM images i WHERE EXISTS (SELECT 1 FROM crawl_area_parts a "
                         "WHERE ST_Intersects(a.geom, i.geom))")[0]["n"]
    assert counts["images"]["points"] == counts["images"]["total"] == in_area > 1000
    assert counts["area"]["features"] == 1
    calls = (out / "charts" / "calls.svg").read_text()
    assert "API calls over time: answers and failures" in calls and "time (UTC" in calls and "calls per minute" in calls
    answered = sum(slot[2] for slot in json.loads(query(dsn, "SELECT counters FROM runs")[0]["counters"])["timeline"])
    bars = re.findall(r": answers ([\d,]+)</title>", calls)  # the bars' tooltips hold the counts
    assert sum(int(b.replace(",", "")) for b in bars) == answered > 0
    assert "Tasks per state" in (out / "charts" / "task-states.svg").read_text()
    image_id = query(dsn, "SELECT min(id) AS id FROM images i WHERE EXISTS (SELECT 1 FROM crawl_area_parts a "
                          "WHERE ST_Intersects(a.geom, i.geom))")[0]["id"]
    popup = _click_image(browser, image_id)
    assert f"Image {image_id}" in popup.text
    browser.execute_script("mlyetlReport.map.closePopup(); mlyetlReport.map.fitBounds(arguments[0])",
                           [[AREA[1], AREA[0]], [AREA[3], AREA[2]]])
    screenshot(browser, "crawl-map")


def test_cells_where_images_are_many_points_where_few(browser: webdriver.Chrome, crawled) -> None:  # noqa: ANN001
    dsn, tmp = crawled
    crawl_id = query(dsn, "SELECT max(id) AS id FROM crawls")[0]["id"]
    out = tmp / "cells"
    done = run_cli("report", "--crawl", str(crawl_id), "--max-points", "300", "--out", str(out), "--dsn", dsn)
    assert done.returncode == 0, done.stderr
    _open(browser, out / "index.html")
    assert console_errors(browser) == []
    data = browser.execute_script("return {bins: MLYETL_MAP.bins, n: MLYETL_MAP.points.code.length}")
    bins = data["bins"]
    assert not bins["allPoints"] and 0 < data["n"] <= 300
    point_level = bins["pointLevel"]
    # the finest level's cells with points hold few images each
    finest = bins["levels"][str(point_level)]
    per_cell = {(finest["cells"][i] + finest["x0"], finest["cells"][i + 1] + finest["y0"]): finest["cells"][i + 2]
                for i in range(0, len(finest["cells"]), 3)}
    assert sum(per_cell[tuple(c)] for c in bins["pointCells"]) == data["n"]
    assert all(per_cell[tuple(c)] <= 64 for c in bins["pointCells"])
    # below the point level: cells only; at it: cells and the points
    browser.execute_script("mlyetlReport.map.setZoom(arguments[0] - 2, {animate: false})", point_level)
    time.sleep(1.0)
    low = browser.execute_script("return mlyetlReport.counts()")["images"]
    assert low["points"] == 0 and low["cells"] > 0
    browser.execute_script("mlyetlReport.map.setZoom(arguments[0], {animate: false})", point_level)
    time.sleep(1.0)
    high = browser.execute_script("return mlyetlReport.counts()")["images"]
    assert high["points"] == data["n"]
    assert browser.find_element(By.CSS_SELECTOR, ".legend").text.count("squares: images per cell") == 1
    screenshot(browser, "crawl-cells-and-points")
    browser.execute_script("mlyetlReport.map.setZoom(arguments[0] - 1, {animate: false})", point_level)
    time.sleep(1.0)
    screenshot(browser, "crawl-cells")
