"""The report's HTML page: the map beside its charts, then tables; every value escaped."""

from __future__ import annotations

import html
from datetime import datetime, timezone
from importlib import metadata

from etl.report.result import Section


def _fmt(value: object) -> str:
    if isinstance(value, bool) or value is None:
        return "-" if value is None else str(value).lower()
    if isinstance(value, int):
        return f"{value:,}"
    if isinstance(value, float):
        return f"{value:,.6g}"
    if isinstance(value, datetime):
        return value.astimezone(timezone.utc).strftime("%Y-%m-%d %H:%M:%S UTC")
    return str(value)


def _table(title: str, headers: list[str], rows: list[list[object]]) -> str:
    head = "".join(f"<th>{html.escape(h)}</th>" for h in headers)
    body = "".join("<tr>" + "".join(f"<td>{html.escape(_fmt(v))}</td>" for v in row) + "</tr>" for row in rows)
    return f"<h2>{html.escape(title)}</h2><table><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>"


def _version() -> str:
    try:
        return metadata.version("mlyetl")
    except metadata.PackageNotFoundError:
        return "(source)"


def render(section: Section) -> str:
    e = html.escape
    figures = "".join(f'<figure><img src="charts/{e(name)}" alt="{e(title)}" width="520" height="300">'
                      f"</figure>" for name, title, _svg in section.charts)
    notes = "".join(f"<li>{e(n)}</li>" for n in section.notes)
    tables = "".join(_table(t, h, r) for t, h, r in section.tables)
    generated = f"{datetime.now(timezone.utc):%Y-%m-%d %H:%M} UTC"
    return f"""<!doctype html>
<html lang="en"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{e(section.title)} - mlyetl report</title>
<link rel="icon" href="data:,">
<link rel="stylesheet" href="lib/leaflet/leaflet.css">
<link rel="stylesheet" href="lib/report.css">
</head><body>
<header><h1>{e(section.title)}</h1>
<p class="meta">Generated {e(generated)} by mlyetl {e(_version())}. Basemap: Natural Earth. Map: Leaflet.</p></header>
<main class="layout">
<section class="map-panel"><div id="map" role="region" aria-label="map"></div>
<ul class="notes">{notes}</ul></section>
<aside class="charts">{figures}</aside>
</main>
<section class="tables">{tables}</section>
<script src="lib/leaflet/leaflet.js"></script>
<script src="data/basemap.js"></script>
<script src="data/map.js"></script>
<script src="lib/report.js"></script>
</body></html>
"""
