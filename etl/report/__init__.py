"""`mlyetl report`: a folder with an offline interactive map (Leaflet, bundled) and charts
of a filter result or of a crawl."""

from etl.report.bins import Limits
from etl.report.build import build_crawl_report, build_report

__all__ = ["Limits", "build_crawl_report", "build_report"]
