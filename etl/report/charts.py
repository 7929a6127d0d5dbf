"""Charts as standalone SVG files: a title, axes with ticks, axis titles with units and a
legend, every text escaped. Bars for counts per category, lines for counts over time."""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import datetime, timezone
from xml.sax.saxutils import escape

WIDTH, HEIGHT = 520, 300
LEFT, RIGHT, TOP, BOTTOM = 64, 16, 40, 62
FONT = "font-family='system-ui,Segoe UI,Helvetica,Arial,sans-serif'"


@dataclass
class Series:
    name: str
    colour: str
    values: list[float]


def _nice_ticks(top: float, count: int = 5) -> list[float]:
    if top <= 0:
        return [0.0, 1.0]
    raw = top / count
    power = 10 ** math.floor(math.log10(raw))
    step = next(m * power for m in (1, 2, 2.5, 5, 10) if m * power >= raw)
    return [i * step for i in range(int(math.ceil(top / step - 1e-9)) + 1)]


def _short(value: float) -> str:
    for div, unit in ((1e9, "G"), (1e6, "M"), (1e3, "k")):
        if abs(value) >= div:
            text = f"{value / div:.1f}".rstrip("0").rstrip(".")
            return text + unit
    return f"{value:g}"


def _text(x: float, y: float, text: str, size: int = 11, anchor: str = "middle", extra: str = "") -> str:
    return (f"<text x='{x:.1f}' y='{y:.1f}' font-size='{size}' text-anchor='{anchor}' {FONT} "
            f"fill='#333' {extra}>{escape(text)}</text>")


def _frame(title: str, x_label: str, y_label: str, ticks: list[float], series: list[Series]) -> list[str]:
    plot_h = HEIGHT - TOP - BOTTOM
    parts = [f"<svg xmlns='http://www.w3.org/2000/svg' width='{WIDTH}' height='{HEIGHT}' "
             f"viewBox='0 0 {WIDTH} {HEIGHT}' role='img' aria-label='{escape(title, {chr(39): '&#39;'})}'>",
             f"<title>{escape(title)}</title>",
             f"<rect width='{WIDTH}' height='{HEIGHT}' fill='white'/>",
             _text(WIDTH / 2, 20, title, 14, extra="font-weight='600'")]
    for tick in ticks:
        y = TOP + plot_h - plot_h * tick / ticks[-1]
        parts.append(f"<line x1='{LEFT}' x2='{WIDTH - RIGHT}' y1='{y:.1f}' y2='{y:.1f}' stroke='#e5e5e5'/>")
        parts.append(_text(LEFT - 6, y + 4, _short(tick), 10, "end"))
    parts.append(f"<line x1='{LEFT}' x2='{LEFT}' y1='{TOP}' y2='{TOP + plot_h}' stroke='#555'/>")
    parts.append(f"<line x1='{LEFT}' x2='{WIDTH - RIGHT}' y1='{TOP + plot_h}' y2='{TOP + plot_h}' stroke='#555'/>")
    parts.append(_text(14, TOP + plot_h / 2, y_label, 11, extra=f"transform='rotate(-90 14 {TOP + plot_h / 2:.1f})'"))
    parts.append(_text(LEFT + (WIDTH - LEFT - RIGHT) / 2, HEIGHT - 8, x_label, 11))
    x = LEFT + 4
    for s in series:  # legend in the top margin, right-aligned rows would clash with long titles
        if len(series) == 1:
            break
        parts.append(f"<rect x='{x}' y='{TOP - 12}' width='10' height='10' fill='{s.colour}'/>")
        parts.append(_text(x + 14, TOP - 3, s.name, 10, "start"))
        x += 22 + 6 * len(s.name)
    return parts


def bar_chart(title: str, categories: list[str], series: list[Series], x_label: str, y_label: str,
              stacked: bool = False) -> str:
    """Grouped (or stacked) bars, one group per category."""
    totals = [sum(s.values[i] for s in series) for i in range(len(categories))] if stacked else \
        [max((s.values[i] for s in series), default=0) for i in range(len(categories))]
    ticks = _nice_ticks(max(totals, default=0))
    parts = _frame(title, x_label, y_label, ticks, series)
    plot_w, plot_h = WIDTH - LEFT - RIGHT, HEIGHT - TOP - BOTTOM
    if not categories:
        parts.append(_text(LEFT + plot_w / 2, TOP + plot_h / 2, "no data", 12))
        return "\n".join(parts + ["</svg>"]) + "\n"
    group = plot_w / len(categories)
    bar = group * 0.8 / (1 if stacked else len(series))
    label_every = max(1, math.ceil(len(categories) / 14))
    for i, category in enumerate(categories):
        base = TOP + plot_h
        for j, s in enumerate(series):
            h = plot_h * s.values[i] / ticks[-1]
            x = LEFT + group * i + group * 0.1 + (0 if stacked else j * bar)
            y = base - h
            parts.append(f"<rect x='{x:.1f}' y='{y:.1f}' width='{max(bar - 1, 1):.1f}' height='{h:.1f}' "
                         f"fill='{s.colour}'><title>{escape(f'{category}: {s.name} {s.values[i]:,g}')}</title></rect>")
            if stacked:
                base = y
        if i % label_every == 0:
            parts.append(_text(LEFT + group * (i + 0.5), TOP + plot_h + 14, category, 10))
    return "\n".join(parts + ["</svg>"]) + "\n"


def time_chart(title: str, times: list[int], series: list[Series], y_label: str) -> str:
    """Lines over time (epoch seconds, UTC), e.g. calls per minute."""
    top = max((v for s in series for v in s.values), default=0)
    ticks = _nice_ticks(top)
    parts = _frame(title, "time (UTC)", y_label, ticks, series)
    plot_w, plot_h = WIDTH - LEFT - RIGHT, HEIGHT - TOP - BOTTOM
    if not times:
        parts.append(_text(LEFT + plot_w / 2, TOP + plot_h / 2, "no data", 12))
        return "\n".join(parts + ["</svg>"]) + "\n"
    t0, t1 = min(times), max(times)
    span = max(t1 - t0, 60)

    def px(t: int) -> float:
        return LEFT + plot_w * (t - t0) / span

    for s in series:
        points = " ".join(f"{px(t):.1f},{TOP + plot_h - plot_h * v / ticks[-1]:.1f}" for t, v in zip(times, s.values))
        if len(times) == 1:
            x, y = points.split(",")
            parts.append(f"<circle cx='{x}' cy='{y}' r='3' fill='{s.colour}'/>")
        parts.append(f"<polyline points='{points}' fill='none' stroke='{s.colour}' stroke-width='1.6'/>")
    fmt = "%H:%M" if span < 86400 else "%m-%d %H:%M"
    for k in range(5):
        t = t0 + span * k / 4
        parts.append(_text(px(t), TOP + plot_h + 14, datetime.fromtimestamp(t, timezone.utc).strftime(fmt), 10))
    parts.append(_text(WIDTH - RIGHT, TOP + plot_h + 28, datetime.fromtimestamp(t0, timezone.utc).strftime(
        "from %Y-%m-%d"), 9, "end"))
    return "\n".join(parts + ["</svg>"]) + "\n"


BUCKETS_MIN = (1, 2, 5, 10, 15, 30, 60, 120, 240, 360, 720, 1440)
MAX_BARS = 90


def timeline_chart(title: str, per_minute: dict[int, list[int]], series: list[tuple[str, str]], y_unit: str) -> str:
    """Stacked bars over time from counts per minute (epoch seconds of the minute -> one
    value per series), in buckets of whole minutes so that at most MAX_BARS bars remain."""
    if not per_minute:
        return bar_chart(title, [], [Series(n, c, []) for n, c in series], "time (UTC)", y_unit)
    first, last = min(per_minute) // 60, max(per_minute) // 60
    bucket = next((b for b in BUCKETS_MIN if (last - first) // b + 1 <= MAX_BARS), BUCKETS_MIN[-1])
    start = first - first % bucket
    count = (last - start) // bucket + 1
    sums = [[0] * count for _ in series]
    for minute, values in per_minute.items():
        slot = (minute // 60 - start) // bucket
        for i, value in enumerate(values):
            sums[i][slot] += value
    fmt = "%H:%M" if (last - first) < 1440 else "%m-%d %H:%M"
    labels = [datetime.fromtimestamp((start + k * bucket) * 60, timezone.utc).strftime(fmt) for k in range(count)]
    day = datetime.fromtimestamp(first * 60, timezone.utc).strftime("%Y-%m-%d")
    per = "minute" if bucket == 1 else f"{bucket} minutes"
    return bar_chart(title, labels, [Series(n, c, v) for (n, c), v in zip(series, sums)],
                     f"time (UTC, from {day}), one bar per {per}", f"{y_unit} per {per}", stacked=True)
