"""Turning a `RunConfig` into the stage commands of `mlyetl run`, and running them.

Each stage is the very command a user would type (`mlyetl crawl ...`), invoked
in-process, so `run` is resumable exactly as each stage is: a rerun finds the
crawl queue, the incremental filter and the finished files where it left them.
"""

from __future__ import annotations

import shlex
from dataclasses import dataclass
from typing import Any

import click

from etl.config import RunConfig
from etl.errors import UserInputError

# Reserved keys that steer `run` itself rather than a command option.
ENABLED_BY_DEFAULT = {"crawl": True, "filter": True, "export": True, "images": False, "report": True}
EXPORT_FORMATS_DEFAULT = ["csv", "gpkg"]


@dataclass
class StageCommand:
    stage: str
    argv: list[str]

    def shell(self) -> str:
        return "mlyetl " + shlex.join(self.argv)


def _command(path: list[str]) -> click.Command:
    from etl.cli import main

    command: click.Command = main
    for name in path:
        assert isinstance(command, click.Group)
        found = command.get_command(click.Context(command), name)
        if found is None:
            raise UserInputError(f"this mlyetl has no command '{' '.join(path)}'", hint="upgrade mlyetl")
        command = found
    return command


def _flag_of(option: click.Option) -> str:
    return max(option.opts, key=len)


def _options_by_key(path: list[str]) -> dict[str, click.Option]:
    """A command's options keyed as in the config: the long flag with '_' for '-' (--db-wait: db_wait)."""
    options = (p for p in _command(path).params if isinstance(p, click.Option))
    return {_flag_of(o).lstrip("-").replace("-", "_"): o for o in options}


def _argv_for(path: list[str], values: dict[str, Any], section: str) -> list[str]:
    """Options of the command at `path` from `values`; an unknown key is refused with the known ones."""
    options = _options_by_key(path)
    argv = list(path)
    for key, value in values.items():
        option = options.get(key)
        if option is None or key in ("dsn", "data_dir", "token"):
            known = ", ".join(sorted(k for k in options if k not in ("dsn", "data_dir", "token")))
            raise UserInputError(f"unknown setting {section}.{key} for 'mlyetl {' '.join(path)}'",
                                 hint=f"known settings: {known}")
        if option.is_flag and option.secondary_opts:  # an on/off pair: --bulk-load / --no-bulk-load
            argv.append(_flag_of(option) if value else option.secondary_opts[0])
        elif option.is_flag:
            if value:
                argv.append(_flag_of(option))
        elif option.multiple:
            for item in value if isinstance(value, list) else [value]:
                argv += [_flag_of(option), str(item)]
        else:
            text = ",".join(str(v) for v in value) if isinstance(value, list) else str(value)
            argv += [_flag_of(option), text]
    return argv


def _stage_settings(config: RunConfig, stage: str) -> tuple[bool, dict[str, Any]]:
    values = dict(config.sections.get(stage, {}))
    enabled = bool(values.pop("enabled", ENABLED_BY_DEFAULT[stage]))
    return enabled, values


def plan_run(config: RunConfig, only: tuple[str, ...] = ()) -> list[StageCommand]:
    """The stage commands for `config`, in order (only those named in `only`, when given)."""
    plan: list[StageCommand] = []

    def _enabled(config: RunConfig, stage: str) -> tuple[bool, dict]:
        on, values = _stage_settings(config, stage)
        return on and (not only or stage in only), values

    enabled, crawl = _enabled(config, "crawl")
    if enabled:
        plan.append(StageCommand("crawl", _argv_for(["crawl"], config.sections.get("area", {}) | crawl, "crawl")))
    enabled, values = _enabled(config, "filter")
    if enabled:
        plan.append(StageCommand("filter", _argv_for(["filter"], {"name": config.name} | values, "filter")))
    enabled, values = _enabled(config, "export")
    if enabled:
        formats = values.pop("formats", EXPORT_FORMATS_DEFAULT)
        for fmt in formats if isinstance(formats, list) else [formats]:
            accepted = set(_options_by_key(["export", fmt]))
            chosen = {k: v for k, v in values.items() if k in accepted}
            stray = set(values) - {k for f in formats for k in _options_by_key(["export", f])}
            if stray:
                chosen.update({k: values[k] for k in stray})  # let _argv_for name the unknown key
            defaults = {"result": config.name, "out": str(config.out / "export")}
            plan.append(StageCommand(f"export {fmt}", _argv_for(["export", fmt], defaults | chosen, "export")))
    enabled, values = _enabled(config, "images")
    if enabled:
        defaults = {"result": config.name, "out": str(config.out / "images")}
        plan.append(StageCommand("images", _argv_for(["images", "download"], defaults | values, "images")))
    enabled, values = _enabled(config, "report")
    if enabled:
        defaults = {"result": config.name, "out": str(config.out / "report")}
        plan.append(StageCommand("report", _argv_for(["report"], defaults | values, "report")))
    return plan


def run_stage(stage: StageCommand) -> None:
    """Invoke one stage in-process; a failing stage ends the run with that stage's exit code."""
    from etl.cli import main

    code = main.main(args=stage.argv, prog_name="mlyetl", standalone_mode=False)
    if isinstance(code, int) and code != 0:
        raise click.exceptions.Exit(code)
