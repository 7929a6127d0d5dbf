"""Tile and thumbnail endpoints (the tiles host and the image CDN)."""

from __future__ import annotations

import asyncio

from aiohttp import web

from etl.simulator import cameras as cams
from etl.simulator.middleware import STATE_KEY
from etl.simulator.thumbs import SIZES, jpeg_for, thumb_dimensions
from etl.simulator.tiles import TILESETS, TileStyle, render_tile


def _not_found(text: str) -> web.Response:
    return web.Response(status=404, text=text, content_type="text/plain")


async def tile(request: web.Request) -> web.Response:
    state = request.app[STATE_KEY]
    info = request.match_info
    tileset = info["tileset"]
    try:
        z, x, y = int(info["z"]), int(info["x"]), int(info["y"])
    except ValueError:
        return _not_found("bad tile address")
    if tileset not in TILESETS or not (0 <= z <= 14 and 0 <= x < 2**z and 0 <= y < 2**z):
        return _not_found("no such tile")
    faults = state.config.faults
    style = TileStyle(faults.tile_strings, faults.tile_empty_rate, faults.tile_missing_rate, state.config.fault_seed)
    # tiles can take a while at low zoom: keep the event loop free for others
    body = await asyncio.get_running_loop().run_in_executor(
        None, render_tile, state.world, z, x, y, TILESETS[tileset], state.hidden, style
    )
    return web.Response(body=body, content_type="application/x-protobuf")


async def thumb(request: web.Request) -> web.Response:
    state = request.app[STATE_KEY]
    size = request.match_info["size"]
    text = request.match_info["image_id"]
    if (size not in SIZES and size != "original") or not text.isdigit():
        return _not_found("no such thumbnail")
    problem = state.signer.check(int(text), size, request.query.get("exp", ""), request.query.get("sig", ""))
    if problem:
        return web.Response(status=403, text=problem, content_type="text/plain")
    found = state.world.locate_image(int(text))
    if found is None or state.injector.is_deleted(int(text)):
        return _not_found("no such image")
    data, index = found
    camera = cams.CAMERAS[int(data.seq_camera[data.seq[index]])]
    width, height = thumb_dimensions(camera.width, camera.height, size)
    body = await asyncio.get_running_loop().run_in_executor(None, jpeg_for, int(text), width, height)
    return web.Response(body=body, content_type="image/jpeg")
