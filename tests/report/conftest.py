from __future__ import annotations

from collections.abc import Iterator

import pytest
from selenium import webdriver

from tests.report.browser import chromium


@pytest.fixture(scope="module")
def browser() -> Iterator[webdriver.Chrome]:
    driver = chromium()
    try:
        yield driver
    finally:
        driver.quit()
