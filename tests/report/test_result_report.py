"""`mlyetl report --result`: the folder opens from file:// in a real headless Chromium with
no console error and no network request, shows the expected layers and counts, and a click
on an image opens its popup; files are world-readable and values escaped."""

from __future__ import annotations

import re
import stat
import time
from pathlib import Path

import pytest
from selenium import webdriver
from selenium.webdriver.common.action_chains import ActionChains
from selenium.common.exceptions import TimeoutException
from selenium.webdriver.common.by import By
from selenium.webdriver.remote.webelement import WebElement
from selenium.webdriver.support.ui import WebDriverWait

from tests.conftest import run_cli
from tests.report.browser import console_errors, requested_urls, screenshot
from tests.report.data import HOSTILE, PICTURE_ID, URBAN_NAME, make_result


def _open(driver: webdriver.Chrome, page: Path) -> None:
    driver.get_log("performance")  # forget what came before
    driver.get(page.as_uri())
    WebDriverWait(driver, 30).until(lambda d: d.execute_script("return !!(window.mlyetlReport && mlyetlReport.ready)"))
    time.sleep(0.5)  # let the canvas tiles draw


def _click_image(driver: webdriver.Chrome, image_id: int) -> WebElement:
    """Zoom in on an image, click where it is drawn, return the popup that opens."""
    for _ in range(3):  # the canvas redraws after a view change: a click may come before it
        pos = driver.execute_script("mlyetlReport.map.closePopup(); return mlyetlReport.imagePoint(arguments[0], 18)",
                                    image_id)
        assert pos is not None, f"image {image_id} is not drawn as a point"
        time.sleep(0.3)
        map_el = driver.find_element(By.ID, "map")
        size = map_el.size
        ActionChains(driver).move_to_element_with_offset(
            map_el, int(pos["x"] - size["width"] / 2), int(pos["y"] - size["height"] / 2)).click().perform()
        try:
            popup = WebDriverWait(driver, 5).until(lambda d: d.find_element(By.CSS_SELECTOR, ".leaflet-popup-content"))
        except TimeoutException:
            continue
        if f"Image {image_id}" in popup.text:
            return popup
    raise AssertionError(f"no popup of image {image_id} after three clicks")


@pytest.fixture(scope="module")
def report(tmp_path_factory: pytest.TempPathFactory, pg_server: str, template_database: str):  # noqa: ANN201
    from tests.conftest import _fresh_database

    tmp = tmp_path_factory.mktemp("report")
    databases = _fresh_database(pg_server, template_database)
    dsn = next(databases)
    classes = make_result(dsn, tmp)
    out = tmp / "out"
    result = run_cli("report", "--result", "paris", "--out", str(out), "--dsn", dsn)
    assert result.returncode == 0, result.stderr
    yield out, classes, dsn
    next(databases, None)


def test_page_loads_offline_with_expected_layers(browser: webdriver.Chrome, report) -> None:  # noqa: ANN001
    out, classes, _ = report
    _open(browser, out / "index.html")
    urls = requested_urls(browser)
    assert urls and all(u.startswith(("file://", "data:")) for u in urls), urls
    assert any(u.endswith("leaflet.js") for u in urls)
    assert console_errors(browser) == []

    counts = browser.execute_script("return mlyetlReport.counts()")
    expected = {"kept_urban": sum(1 for c, k in classes.values() if c == "urban" and k),
                "kept_other": sum(1 for c, k in classes.values() if c == "other" and k),
                "dropped": sum(1 for _, k in classes.values() if not k)}
    assert all(expected.values()), expected  # every kind of point is there to check
    for key, n in expected.items():
        assert counts[key]["points"] == n and counts[key]["total"] == n, (key, counts[key])
    assert counts["lines"]["features"] == 2  # two sequences
    assert counts["continent"]["features"] == 1 and counts["urban"]["features"] == 1
    assert all(c["visible"] for c in counts.values())
    # Leaflet's controls: layer toggles (the hostile layer name shown as text), scale, legend
    labels = browser.find_element(By.CSS_SELECTOR, ".leaflet-control-layers-overlays").text
    assert f"urban layer: {URBAN_NAME}" in labels and "kept images, urban" in labels
    assert not browser.find_elements(By.CSS_SELECTOR, ".leaflet-control-layers b")
    assert browser.find_element(By.CSS_SELECTOR, ".leaflet-control-scale-line").text.strip()
    assert "Legend" in browser.find_element(By.CSS_SELECTOR, ".legend").text
    # the basemap and the charts drew
    assert len(browser.find_elements(By.CSS_SELECTOR, ".charts img")) == 4
    assert browser.execute_script(
        "return Array.from(document.querySelectorAll('.charts img')).every(i => i.complete && i.naturalWidth > 0)")
    assert screenshot(browser, "result-map").stat().st_size > 10_000


def test_click_on_an_image_opens_its_popup(browser: webdriver.Chrome, report) -> None:  # noqa: ANN001
    out, _, _ = report
    _open(browser, out / "index.html")
    popup = _click_image(browser, PICTURE_ID)
    assert f"Image {PICTURE_ID}" in popup.text and "s-urban" in popup.text and "urban" in popup.text
    picture = popup.find_element(By.CSS_SELECTOR, "img.picture")
    assert picture.get_attribute("src").endswith(f"pictures/{PICTURE_ID}.jpg")
    assert browser.execute_script("return arguments[0].complete && arguments[0].naturalWidth", picture) == 64
    screenshot(browser, "result-popup")

    popup = _click_image(browser, 101)  # a dropped image with a hostile camera name, shown as text
    assert "Image 101" in popup.text and HOSTILE in popup.text and "no downloaded picture" in popup.text
    assert not popup.find_elements(By.CSS_SELECTOR, "img")
    assert console_errors(browser) == []
    assert all(u.startswith(("file://", "data:")) for u in requested_urls(browser))


def test_files_are_world_readable_and_self_contained(report) -> None:  # noqa: ANN001
    out, _, _ = report
    files = [p for p in out.rglob("*") if p.is_file()]
    assert {"index.html", "leaflet.js", "leaflet.css", "LICENSE", "map.js", "basemap.js"} <= {p.name for p in files}
    for path in [out, *out.rglob("*")]:
        mode = stat.S_IMODE(path.stat().st_mode)
        assert mode & 0o444 == 0o444, (path, oct(mode))
        if path.is_dir():
            assert mode & 0o111 == 0o111, (path, oct(mode))
    page = (out / "index.html").read_text()
    assert not re.search(r"(src|href)=[\"']?(https?:)?//", page)  # every resource is a file beside the page


def test_charts_have_titles_axes_and_units(report) -> None:  # noqa: ANN001
    out, classes, _ = report
    years = (out / "charts" / "years.svg").read_text()
    assert "Images per capture year" in years and "capture year (UTC)" in years and ">2021<" in years
    classes_svg = (out / "charts" / "classes.svg").read_text()
    assert "urban" in classes_svg and "other" in classes_svg and ">images<" in classes_svg
    lengths = (out / "charts" / "sequence-lengths.svg").read_text()
    assert "Sequence lengths" in lengths and "km" in lengths
    density = (out / "charts" / "density.svg").read_text()
    assert "images per km²" in density and "kept" in density


def test_report_of_unknown_result_is_bad_input(db_dsn: str, tmp_path: Path) -> None:
    result = run_cli("report", "--result", "nope", "--out", str(tmp_path), "--dsn", db_dsn)
    assert result.returncode == 2
    assert "no filter result named 'nope'" in result.stderr


def test_report_needs_a_result_or_a_crawl(db_dsn: str, tmp_path: Path) -> None:
    result = run_cli("report", "--out", str(tmp_path), "--dsn", db_dsn)
    assert result.returncode == 2 and "--result NAME or --crawl" in result.stderr
