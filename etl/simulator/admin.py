"""Endpoints for tests and operators under /__simulator (no token, not counted).

GET  /__simulator/stats                  request/response/fault counters
POST /__simulator/reset                  zero the counters (and request numbers)
GET  /__simulator/faults                 current fault settings
POST /__simulator/faults                 {"faults": "5xx=0.1,...", "schedules": ["images_bbox:503:first3"]}
GET  /__simulator/world                  name, seed, bbox, estimated size, version
POST /__simulator/world/change           {"moved": 0.01, "deleted": 0.005, "deleted_images": 0, "added": 0.02}
                                         a new world version (etl/simulator/changes.py)
GET  /__simulator/truth?bbox=W,S,E,N     {"count", "image_ids"} visible in the box
GET  /__simulator/truth?sequence_id=KEY  {"image_ids"} of the sequence, capture order
"""

from __future__ import annotations

import dataclasses

import orjson
from aiohttp import web

from etl.simulator.changes import ChangeStep
from etl.simulator.faults import parse_faults, parse_schedule
from etl.simulator.geo import parse_bbox
from etl.simulator.middleware import STATE_KEY


def _plain(obj: object) -> object:
    return sorted(obj) if isinstance(obj, (set, frozenset)) else str(obj)  # e.g. the rejected fields


def _json(obj: object, status: int = 200) -> web.Response:
    return web.Response(body=orjson.dumps(obj, default=_plain), status=status, content_type="application/json")


async def stats(request: web.Request) -> web.Response:
    return _json(request.app[STATE_KEY].stats.snapshot())


async def reset(request: web.Request) -> web.Response:
    request.app[STATE_KEY].stats.reset()
    return _json({"ok": True})


async def get_faults(request: web.Request) -> web.Response:
    return _json(dataclasses.asdict(request.app[STATE_KEY].config.faults))


async def set_faults(request: web.Request) -> web.Response:
    state = request.app[STATE_KEY]
    body = await request.json() if request.can_read_body else {}
    try:
        faults = parse_faults(body.get("faults", ""))
        schedules = tuple(parse_schedule(s) for s in body.get("schedules", []))
    except ValueError as error:
        return _json({"error": str(error)}, status=400)
    state.set_faults(faults.with_updates(schedules=schedules))
    return _json(dataclasses.asdict(state.config.faults))


async def world(request: web.Request) -> web.Response:
    w = request.app[STATE_KEY].world
    return _json({"name": w.name, "seed": w.seed, "bbox": w.bbox, "estimated_images": w.estimate_count(),
                  "version": w.version})


async def change_world(request: web.Request) -> web.Response:
    body = await request.json() if request.can_read_body else {}
    try:
        if not isinstance(body, dict):
            raise ValueError("give a JSON object such as {\"moved\": 0.01, \"deleted\": 0.005, \"added\": 0.02}")
        names = {"moved", "moved_sequences", "deleted", "deleted_images", "added"}
        unknown = set(body) - names
        if unknown:
            raise ValueError(f"unknown world change {sorted(unknown)[0]!r}: use {', '.join(sorted(names))}")
        step = ChangeStep(**{k: float(v) for k, v in body.items()})
    except (ValueError, TypeError) as error:
        return _json({"error": str(error)}, status=400)
    return _json({"version": request.app[STATE_KEY].change_world(step)})


async def truth(request: web.Request) -> web.Response:
    state = request.app[STATE_KEY]
    if "sequence_id" in request.query:
        return _json({"image_ids": [str(i) for i in state.world.sequence_image_ids(request.query["sequence_id"])]})
    try:
        bbox = parse_bbox(request.query.get("bbox", ""))
    except ValueError as error:
        return _json({"error": str(error)}, status=400)
    ids = sorted(state.visible_image_ids_in_bbox(bbox))
    return _json({"count": len(ids), "image_ids": [str(i) for i in ids]})


def add_routes(app: web.Application) -> None:
    app.router.add_get("/__simulator/stats", stats)
    app.router.add_post("/__simulator/reset", reset)
    app.router.add_get("/__simulator/faults", get_faults)
    app.router.add_post("/__simulator/faults", set_faults)
    app.router.add_get("/__simulator/world", world)
    app.router.add_post("/__simulator/world/change", change_world)
    app.router.add_get("/__simulator/truth", truth)
