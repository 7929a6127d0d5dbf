"""Colours shared by the map, its legend and the charts (urban red and other blue, as in
the QGIS styles of etl/qgis)."""

COLOURS = {
    "kept_urban": "#d7191c",
    "kept_other": "#2b83ba",
    "dropped_urban": "#f4a582",
    "dropped_other": "#92c5de",
    "dropped": "#8c8c8c",
    "clipped": "#bdbdbd",
    "kept": "#1a9850",
    "lines": "#6a3d9a",
    "continent": "#4d4d4d",
    "urban": "#fdb863",
    "area": "#4d4d4d",
    "images": "#1f78b4",
    "calls": "#1f78b4",
    "answers": "#1a9850",
    "failures": "#d7191c",
    "task_done": "#1a9850",
    "task_empty": "#a6d96a",
    "task_pending": "#bdbdbd",
    "task_running": "#fdae61",
    "task_failed": "#d7191c",
}
