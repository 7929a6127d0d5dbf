"""`mlyetl simulator`: the offline Mapillary API for demos, tests and benchmarks."""

from __future__ import annotations

import click

from etl.errors import UserInputError


def _world(spec: str, seed: int | None):  # noqa: ANN202 - World, imported lazily
    from etl.simulator.presets import build_world

    try:
        return build_world(spec, seed)
    except (ValueError, OSError) as error:
        raise UserInputError(f"bad --world {spec!r}: {error}", "use tiny, city, europe or see docs/simulator.md") from error


_HELP = """Run the offline Mapillary API simulator (see docs/simulator.md).

\b
Example:
  mlyetl simulator serve --port 8765 --world tiny --faults '5xx=0.05'
"""

command = click.Group("simulator", help=_HELP)


@command.command("serve")
@click.option("--host", default="127.0.0.1", show_default=True, help="Interface to listen on.")
@click.option("--port", default=8765, show_default=True, type=int, help="Port (0 picks a free one).")
@click.option("--world", "world_spec", default="tiny", show_default=True,
              help="Preset (tiny, city, europe), 'key=value;...' spec or JSON file; e.g. 'tiny;seed=3'.")
@click.option("--seed", type=int, help="Override the world's seed.")
@click.option("--faults", default="", help="Fault rates, e.g. '5xx=0.05,429=0.02:3,partial=0.3,reduce=5000,"
              "timeout=0.01,slow=0.01:2.0,drop=0.01'; real answers' quirks: 'limit_status=403,reject=make,"
                   "sparse=0.5,tiles=strings,tile_empty=0.8,tile_missing=0.1' (docs/simulator.md). Default: none.")
@click.option("--schedule", multiple=True, help="Forced fault ENDPOINT:KIND:WHICH, e.g. 'images_bbox:503:first3'. Repeatable.")
@click.option("--fault-seed", default=0, show_default=True, type=int, help="Seed of the random faults.")
@click.option("--token", "tokens", multiple=True,
              help="Accepted access token (repeatable). Default: the public test token MLY|4242|simulator, not a secret.")
@click.option("--url-expiry", default=7200.0, show_default=True, type=float, help="Seconds thumbnail URLs stay valid.")
@click.option("--rate-limits", default="", help="e.g. 'search=10000/min,entity=60000/min,tiles=50000/day' or 'off'. "
              "Default: those documented limits.")
@click.option("--latency", type=click.FloatRange(0.0, 600.0), default=0.0, show_default=True,
              help="Seconds every answer takes (rate-limit and error answers too); the real API's take about 1.")
@click.option("--public-url", help="Base URL written into thumbnail URLs (default: the request's host).")
@click.option("--cache-images", type=click.IntRange(1000), default=3_000_000, show_default=True,
              help="Generated images kept in memory (~100 bytes each); more than the world avoids regenerating cells.")
@click.option("--cache-json-mb", type=click.IntRange(0), default=512, show_default=True,
              help="Rendered /images JSON kept per cell (~550 bytes per image and field set); 0 renders every answer.")
def serve(world_spec: str, seed: int | None, faults: str, schedule: tuple[str, ...], fault_seed: int,
          tokens: tuple[str, ...], url_expiry: float, rate_limits: str, latency: float, public_url: str | None, cache_images: int,
          cache_json_mb: int, host: str, port: int) -> None:
    """Serve the Graph API, vector tiles and thumbnails until Ctrl-C.

    \b
    Example:
      mlyetl simulator serve --port 8765 --world tiny --faults '5xx=0.05,429=0.02'
      curl -H 'Authorization: OAuth MLY|4242|simulator' \\
        'http://127.0.0.1:8765/images?bbox=6.62,46.51,6.64,46.53&fields=id,geometry'
    """
    from etl.simulator.config import DEFAULT_TOKEN, SimulatorConfig
    from etl.simulator.faults import parse_faults, parse_schedule
    from etl.simulator.ratelimit import parse_rate_limits
    from etl.simulator.server import serve_forever

    world = _world(world_spec, seed)
    world.set_cache_limit(cache_images)
    try:
        fault_config = parse_faults(faults).with_updates(schedules=tuple(parse_schedule(s) for s in schedule))
        limits = parse_rate_limits(rate_limits)
    except ValueError as error:
        raise UserInputError(str(error), "see docs/simulator.md for the syntax") from error
    config = SimulatorConfig(world=world, tokens=frozenset(tokens or {DEFAULT_TOKEN}), url_expiry_seconds=url_expiry,
                             faults=fault_config, fault_seed=fault_seed, rate_limits=limits, public_url=public_url,
                             json_cache_mb=cache_json_mb, latency_s=latency)

    def ready(bound_port: int) -> None:
        url = f"http://{host}:{bound_port}"
        click.echo(f"Mapillary simulator: world {world.name} (seed {world.seed}, ~{world.estimate_count():,} images)")
        click.echo(f"  graph: {url}   tiles: {url}/maps/vtp/mly1_public/2/{{z}}/{{x}}/{{y}}   stats: {url}/__simulator/stats")
        click.echo(f"Listening on {url} (Ctrl-C to stop)")

    serve_forever(config, host, port, on_ready=ready)  # returns on Ctrl-C or SIGTERM
    click.echo("simulator stopped")


@command.command("info")
@click.option("--world", "world_spec", default="tiny", show_default=True, help="Preset, spec or JSON file.")
@click.option("--seed", type=int, help="Override the world's seed.")
def info(world_spec: str, seed: int | None) -> None:
    """Print a world's seed, bbox and estimated size.

    \b
    Example:
      mlyetl simulator info --world europe
    """
    world = _world(world_spec, seed)
    click.echo(f"world {world.name}: seed {world.seed}, bbox {','.join(f'{v:g}' for v in world.bbox)}, "
               f"~{world.estimate_count():,} images")
