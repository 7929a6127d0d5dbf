"""The report's HTML page: maps and tables, every value escaped."""

from __future__ import annotations

import html
import os
import tempfile
from datetime import datetime, timezone
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from etl.report.build import ReportData

STYLE = """body{font-family:system-ui,sans-serif;margin:2em;max-width:1300px;color:#222}
table{border-collapse:collapse;margin:1em 0}td,th{border:1px solid #ccc;padding:.3em .7em;text-align:left}
th{background:#f3f3f3}figure{margin:1.5em 0}img{max-width:100%;border:1px solid #ddd}"""


def _table(headers: list[str], rows: list[list[object]]) -> str:
    head = "".join(f"<th>{html.escape(h)}</th>" for h in headers)
    body = "".join("<tr>" + "".join(f"<td>{html.escape(_fmt(v))}</td>" for v in row) + "</tr>" for row in rows)
    return f"<table><tr>{head}</tr>{body}</table>"


def _fmt(value: object) -> str:
    return f"{value:,}" if isinstance(value, int) and not isinstance(value, bool) else str(value)


def write_page(data: ReportData, out_dir: Path) -> Path:
    parts = [f"<h1>Filter result {html.escape(data.result)}</h1>",
             f"<p>Generated {datetime.now(timezone.utc):%Y-%m-%d %H:%M UTC} by mlyetl.</p>",
             "<h2>Counts per class</h2>",
             _table(["class", "images", "kept", "sequences"],
                    [[c["class"], c["images"], c["kept"], c["sequences"]] for c in data.class_counts]),
             "<h2>Parameters</h2>", _table(["parameter", "value"], [[k, v] for k, v in sorted(data.params.items())])]
    if data.counts:
        parts += ["<h2>Counts recorded by the filter</h2>",
                  _table(["count", "value"], [[k, v] for k, v in sorted(data.counts.items())])]
    if not data.maps:
        parts.append("<p>The result holds no images: there is nothing to map.</p>")
    for title, name in data.maps.items():
        parts.append(f'<figure><img src="{html.escape(name)}" alt="{html.escape(title)}">'
                     f"<figcaption>{html.escape(title)}</figcaption></figure>")
    page = (f"<!doctype html><html><head><meta charset='utf-8'><title>{html.escape(data.result)} - mlyetl report"
            f"</title><style>{STYLE}</style></head><body>{''.join(parts)}</body></html>\n")
    target = out_dir / "index.html"
    fd, tmp = tempfile.mkstemp(dir=out_dir, prefix=".index-", suffix=".html")
    with os.fdopen(fd, "w", encoding="utf-8") as out:
        out.write(page)
    os.replace(tmp, target)
    return target
