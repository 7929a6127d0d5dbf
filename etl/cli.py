"""The `mlyetl` command line: a thin shell over the library.

Every sub-command lives in its own module under `etl/commands/`, named like the
command, and exposes a click object named `command`; they are discovered here so
that adding a command never means editing this file. This is also the one place where library errors
become exit codes: 2 for bad usage or input, 1 for a failure at run time.
"""

from __future__ import annotations

import importlib
import logging
import pkgutil
import sys
import traceback

import click

from etl import __version__
from etl import commands as commands_pkg
from etl.errors import EtlError, explain
from etl.logsetup import configure_logging


class MlyetlGroup(click.Group):
    """Discovers sub-commands and maps exceptions to one-line errors."""

    def list_commands(self, ctx: click.Context) -> list[str]:
        names = (m.name for m in pkgutil.iter_modules(commands_pkg.__path__))
        return sorted(name for name in names if not name.startswith("_"))

    def get_command(self, ctx: click.Context, name: str) -> click.Command | None:
        # Import only the module of the command asked for: start-up stays fast and
        # one command's heavy imports (aiohttp, pyogrio...) do not slow the others.
        if name not in self.list_commands(ctx):
            return None
        module = importlib.import_module(f"{commands_pkg.__name__}.{name}")
        command = getattr(module, "command", None)
        return command if isinstance(command, click.Command) else None

    def invoke(self, ctx: click.Context):  # noqa: ANN201 - click's signature
        try:
            return super().invoke(ctx)
        except EtlError as error:
            _report(ctx, error.one_line(), error.exit_code, error)
        except KeyboardInterrupt:
            _report(ctx, "interrupted; rerun the same command to resume", 130, None)
        except (click.exceptions.Exit, click.ClickException, click.Abort):
            raise
        except Exception as error:  # the last line of defence: one line, exit 1
            known = explain(error)  # a full disk or a refused write is not a bug
            if known is not None:
                _report(ctx, known.one_line(), known.exit_code, error)
            else:
                _report(ctx, f"unexpected error: {type(error).__name__}: {error}", 1, error)


def _report(ctx: click.Context, line: str, code: int, error: BaseException | None) -> None:
    if error is not None and (ctx.obj or {}).get("debug"):
        traceback.print_exception(error, file=sys.stderr)
    click.echo(f"mlyetl: error: {line}", err=True)
    ctx.exit(code)


@click.group(cls=MlyetlGroup, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="mlyetl")
@click.option("-v", "--verbose", count=True, help="More log output (-vv for debug logs).")
@click.option("-q", "--quiet", is_flag=True, help="Only warnings and errors; no progress bars.")
@click.option("--debug", is_flag=True, help="Show the full traceback when a command fails.")
@click.pass_context
def main(ctx: click.Context, verbose: int, quiet: bool, debug: bool) -> None:
    """Build Mapillary image datasets in PostGIS: crawl, filter, export, download.

    \b
    Example:
      mlyetl db start && mlyetl demo
    """
    ctx.ensure_object(dict)
    ctx.obj.update(verbose=verbose, quiet=quiet, debug=debug)
    configure_logging(verbose=verbose, quiet=quiet)
    logging.getLogger("etl").debug("mlyetl %s", __version__)
