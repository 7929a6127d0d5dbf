"""Options shared by many commands, as small decorators (the sqlite-utils habit), and the
click options of a stage generated from its settings class (etl/settings.py)."""

from __future__ import annotations

import dataclasses
import functools
import typing
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Any

import click

from etl.db.target import DatabaseTarget, resolve_target
from etl.settings import Settings, base_type, option_of
from etl.summary import Summary


def database_options(func: Callable | None = None, *, start: bool = False) -> Callable:
    """Add --dsn and --data-dir and pass the chosen database as `target`. With `start` the
    embedded cluster, when it is the target, is created and started before the command runs
    (the stage entry points do that step themselves, after checking their settings)."""

    def decorate(func: Callable) -> Callable:
        @click.option(
            "--dsn",
            envvar="MLYETL_DSN",
            show_envvar=True,
            help="PostgreSQL/PostGIS connection string; keep passwords in ~/.pgpass or PGPASSWORD, "
            "not here. Default: the PG* variables if set, else the embedded cluster.",
        )
        @click.option(
            "--data-dir",
            type=click.Path(path_type=Path),
            envvar="MLYETL_DATA_DIR",
            show_envvar=True,
            help="Folder of the embedded cluster (default ~/.local/share/mlyetl, /var/lib/mlyetl for root).",
        )
        @functools.wraps(func)
        def wrapper(*args, dsn: str | None, data_dir: Path | None, **kwargs):  # noqa: ANN202
            target: DatabaseTarget = resolve_target(dsn=dsn, data_dir=data_dir)
            if start:
                target.start()
            return func(*args, target=target, **kwargs)

        return wrapper

    return decorate(func) if func is not None else decorate


def is_quiet() -> bool:
    ctx = click.get_current_context(silent=True)
    return bool(ctx and (ctx.find_root().obj or {}).get("quiet"))


def _click_type(kind: type, spec: Any) -> Any:
    if spec.choices is not None:
        return click.Choice(spec.choices)
    if kind is int:
        return click.IntRange(spec.min, spec.max) if spec.min is not None or spec.max is not None else int
    if kind is float:
        return click.FloatRange(spec.min, spec.max) if spec.min is not None or spec.max is not None else float
    if kind is Path:  # with a check of the raw value, click must not turn '' into Path('.') first
        return click.Path(path_type=None if spec.validate else Path, exists=spec.exists, file_okay=spec.file_okay,
                          dir_okay=spec.dir_okay)
    return str


def _option(f: dataclasses.Field, kind: type, overrides: dict[str, Any]) -> Callable:
    spec = option_of(f)
    flag = "--" + spec.key(f.name).replace("_", "-")
    required = f.default is dataclasses.MISSING and "default" not in overrides
    default = overrides.get("default", None if f.default is dataclasses.MISSING else f.default)
    kwargs: dict[str, Any] = {"help": spec.help, "required": required}
    if spec.envvar:
        kwargs.update(envvar=spec.envvar, show_envvar=True)
    if spec.metavar:
        kwargs["metavar"] = spec.metavar
    if spec.hidden:
        kwargs["hidden"] = True
    if spec.validate is not None:
        check = spec.validate
        kwargs["callback"] = lambda _ctx, _param, value: value if value is None else check(value)
    if kind is bool:
        decls = [f"{flag}/--no-{flag[2:]}" if spec.negatable else flag]
        kwargs.update(default=bool(default), show_default=spec.negatable)
        if not spec.negatable:
            kwargs["is_flag"] = True
    else:
        decls = [flag]
        kwargs.update(type=_click_type(kind, spec), default=default, show_default=default is not None)
    kwargs.update({k: v for k, v in overrides.items() if k != "default"})
    return click.option(*decls, f.name, **kwargs)


def settings_options(cls: type[Settings], only: Iterable[str] | None = None,
                     **overrides: dict[str, Any]) -> Callable:
    """The click options of `cls`'s fields (those named in `only`, in its order), each named
    like the field; `overrides` maps a field to click keywords that differ (e.g. required)."""
    hints = typing.get_type_hints(cls)
    chosen = [f for f in dataclasses.fields(cls) if option_of(f).cli and (only is None or f.name in only)]

    def decorate(func: Callable) -> Callable:
        for f in reversed(chosen):  # click shows options in decoration order, outermost first
            func = _option(f, base_type(hints[f.name])[0], overrides.get(f.name, {}))(func)
        return func

    return decorate


def echo_summary(summary: Summary) -> None:
    """Print a stage's summary; a summary that counts failures ends the command with exit 1."""
    for line in summary.lines():
        click.echo(line)
    for line in summary.warnings():
        click.echo(f"warning: {line}", err=True)
    error = summary.failure()
    if error is not None:
        raise error
