"""The aiohttp application, and `SimulatorServer` to run it beside a test.

    with SimulatorServer(SimulatorConfig(world=build_world("tiny"))) as sim:
        sim.base_url    # graph API root, e.g. http://127.0.0.1:41234
        sim.tiles_url   # tiles root (same server; paths /maps/vtp/...)
        sim.stats       # {"requests": {...}, "responses": {...}, "faults": {...}, ...}
        sim.set_faults("5xx=0.1", schedules=["images_bbox:503:first3"])
"""

from __future__ import annotations

import asyncio
import signal
import threading

from aiohttp import web

from etl.simulator import admin, cdn, graph
from etl.simulator.config import SimulatorConfig
from etl.simulator.faults import FaultConfig, parse_faults, parse_schedule
from etl.simulator.middleware import STATE_KEY, gate
from etl.simulator.ratelimit import RateLimit, parse_rate_limits
from etl.simulator.changes import ChangeStep, parse_step
from etl.simulator.state import SimulatorState
from etl.simulator.world import World


def create_app(config: SimulatorConfig) -> web.Application:
    app = web.Application(middlewares=[gate])
    app[STATE_KEY] = SimulatorState(config)
    admin.add_routes(app)
    app.router.add_get("/maps/vtp/{tileset}/2/{z}/{x}/{y}", cdn.tile)
    app.router.add_get("/thumbs/{image_id}/{size}", cdn.thumb)
    app.router.add_get("/images", graph.images)
    app.router.add_get("/image_ids", graph.image_ids)
    app.router.add_get("/", graph.entities)
    app.router.add_get("/{object_id}", graph.entity)
    return app


class SimulatorServer:
    """The simulator on 127.0.0.1 (free port by default) in a background thread."""

    def __init__(self, config: SimulatorConfig | None = None, host: str = "127.0.0.1", port: int = 0) -> None:
        self.config = config or SimulatorConfig()
        self.app = create_app(self.config)
        self.host, self.port = host, port
        self._loop: asyncio.AbstractEventLoop | None = None
        self._runner: web.AppRunner | None = None
        self._thread: threading.Thread | None = None
        self._ready = threading.Event()
        self._error: BaseException | None = None

    # --- lifecycle ----------------------------------------------------------------

    def __enter__(self) -> SimulatorServer:
        self.start()
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.stop()

    def start(self) -> None:
        self._thread = threading.Thread(target=self._run, name="mly-simulator", daemon=True)
        self._thread.start()
        self._ready.wait(30)
        if self._error is not None:
            raise RuntimeError(f"simulator failed to start: {self._error}") from self._error

    def _run(self) -> None:
        self._loop = asyncio.new_event_loop()
        try:
            self._loop.run_until_complete(self._start_site())
        except BaseException as error:  # reported to start() in the caller's thread
            self._error = error
            self._ready.set()
            return
        self._ready.set()
        self._loop.run_forever()
        self._loop.run_until_complete(self._runner.cleanup())
        self._loop.close()

    async def _start_site(self) -> None:
        self._runner = web.AppRunner(self.app, access_log=None, shutdown_timeout=0.5)
        await self._runner.setup()
        site = web.TCPSite(self._runner, self.host, self.port)
        await site.start()
        self.port = self._runner.addresses[0][1]

    def stop(self) -> None:
        if self._loop is not None and self._thread is not None:
            self._loop.call_soon_threadsafe(self._loop.stop)
            self._thread.join(10)
            self._thread = None

    # --- what tests use -------------------------------------------------------------

    @property
    def state(self) -> SimulatorState:
        return self.app[STATE_KEY]

    @property
    def base_url(self) -> str:
        return f"http://{self.host}:{self.port}"

    @property
    def tiles_url(self) -> str:
        return self.base_url

    @property
    def token(self) -> str:
        return next(iter(self.config.tokens))

    @property
    def world(self) -> World:
        return self.config.world

    @property
    def stats(self) -> dict:
        return self.state.stats.snapshot()

    def reset_stats(self) -> None:
        self.state.stats.reset()

    def set_faults(self, faults: FaultConfig | str = "", schedules: list[str] | None = None) -> None:
        """Replace the fault settings (a FaultConfig or the CLI syntax) while running."""
        config = parse_faults(faults) if isinstance(faults, str) else faults
        if schedules is not None:
            config = config.with_updates(schedules=tuple(parse_schedule(s) for s in schedules))
        self.state.set_faults(config)

    def set_latency(self, seconds: float) -> None:
        """Every later answer takes `seconds` (SimulatorConfig.latency_s)."""
        self.state.config.latency_s = max(0.0, seconds)

    def change_world(self, step: ChangeStep | str) -> int:
        """Move, delete and add images (etl/simulator/changes.py); returns the new world version."""
        return self.state.change_world(parse_step(step) if isinstance(step, str) else step)

    def set_rate_limits(self, limits: dict[str, RateLimit] | str) -> None:
        self.state.set_rate_limits(parse_rate_limits(limits) if isinstance(limits, str) else limits)

    def visible_image_ids_in_bbox(self, bbox: tuple[float, float, float, float]) -> set[int]:
        """Ground truth as served: the world's images in bbox minus deleted ones."""
        return self.state.visible_image_ids_in_bbox(bbox)


def serve_forever(config: SimulatorConfig, host: str, port: int, on_ready=None) -> None:  # noqa: ANN001
    """Run in the foreground until Ctrl-C (SIGINT) or SIGTERM (the CLI).

    The handlers are installed explicitly: a process started in the background by a
    non-interactive shell inherits SIGINT as ignored, and Python then never raises
    KeyboardInterrupt, so the simulator could not be stopped with Ctrl-C / kill -INT.
    """

    async def main() -> None:
        runner = web.AppRunner(create_app(config), access_log=None, shutdown_timeout=0.5)
        await runner.setup()
        await web.TCPSite(runner, host, port).start()
        stop = asyncio.Event()
        for sig in (signal.SIGINT, signal.SIGTERM):
            asyncio.get_running_loop().add_signal_handler(sig, stop.set)
        if on_ready:
            on_ready(runner.addresses[0][1])
        try:
            await stop.wait()
        finally:
            await runner.cleanup()

    asyncio.run(main())
