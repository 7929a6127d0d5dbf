"""Typed, frozen settings for the stages, declared once.

Each stage's settings is a frozen dataclass whose fields are declared with `setting()`:
the default, the help line and how the value is checked (range, choices, flag name). The
same declaration serves three readers:

- Python users build the object directly; `__post_init__` (via `Settings`) checks and
  normalises every value, so a bad value fails where it is written;
- `mlyetl run` builds it from a TOML section with `from_mapping` (key = long flag name
  with `_` for `-`), with the same strict checks (a boolean is a boolean: "false" and
  "no" are false, "maybe" is an error);
- the CLI generates its click options from the fields (`etl/cli_options.py`), so a
  command's options and its config keys cannot drift apart.

Nothing here imports click.
"""

from __future__ import annotations

import dataclasses
import math
import types
import typing
from collections.abc import Callable
from dataclasses import MISSING, dataclass, field
from pathlib import Path
from typing import Any, ClassVar

from etl.errors import UserInputError

TRUE_WORDS = {"true", "yes", "on", "1"}
FALSE_WORDS = {"false", "no", "off", "0"}


@dataclass(frozen=True)
class Option:
    """How one setting is checked and shown (as a CLI option and a config key)."""

    help: str
    flag: str | None = None  # long flag without '--'; default: the field name with '-' for '_'
    metavar: str | None = None
    choices: tuple[str, ...] | None = None
    min: float | None = None
    max: float | None = None
    envvar: str | None = None
    negatable: bool = False  # a boolean shown as --x/--no-x
    exists: bool = False  # a path that must exist
    file_okay: bool = True
    dir_okay: bool = True
    secret: bool = False  # never taken from a file, never recorded, never shown
    cli: bool = True  # offered as a command-line option
    hidden: bool = False  # an option left out of --help (for benchmarks and tests)
    validate: Callable[[Any], Any] | None = None  # a check of the raw value (e.g. an empty --out), before the type's

    def key(self, name: str) -> str:
        """The config key (and the flag with '-'): `db_wait` for the field `db_budget_s` with flag `db-wait`."""
        return (self.flag or name).replace("-", "_")


def setting(default: Any = MISSING, help: str = "", **option: Any) -> Any:  # noqa: A002 - the usual word
    """A settings field: its default (none: required), help line and checks (see `Option`)."""
    spec = Option(help=help, **option)
    return field(default=default, metadata={"option": spec}, repr=not spec.secret, compare=not spec.secret)


def option_of(f: dataclasses.Field) -> Option:
    return f.metadata.get("option") or Option(help="")


def base_type(annotation: Any) -> tuple[type, bool]:
    """(the value type, whether None is allowed) of an annotation like `int | None`."""
    if isinstance(annotation, types.UnionType) or typing.get_origin(annotation) is typing.Union:
        args = [a for a in typing.get_args(annotation) if a is not type(None)]
        return args[0], len(args) < len(typing.get_args(annotation))
    return annotation, False


def _fields(cls: type) -> list[tuple[dataclasses.Field, type, bool]]:
    hints = typing.get_type_hints(cls)
    return [(f, *base_type(hints[f.name])) for f in dataclasses.fields(cls) if f.init]


def _describe(value: Any) -> str:
    return repr(value) if isinstance(value, str) else str(value)


def coerce(value: Any, kind: type, nullable: bool, spec: Option, where: str) -> Any:
    """`value` as `kind`, strictly; `where` names the setting in an error (`crawl.concurrency`)."""
    if value is None:
        if nullable:
            return None
        raise UserInputError(f"{where} needs a value", hint=spec.help or "see --help of the command")
    if kind is bool:
        return _boolean(value, where)
    if kind is int:
        value = _number(value, int, where, "a whole number")
    elif kind is float:
        value = _number(value, float, where, "a number")
    elif kind is Path:
        if not isinstance(value, (str, Path)) or str(value) == "":
            raise UserInputError(f"{where} = {_describe(value)} is not a path", hint=f'write it as a string, e.g. {spec.key(where.rpartition(".")[2])} = "folder"')
        value = Path(value)
        if spec.exists and not value.exists():
            raise UserInputError(f"{where} = {value}: no such file", hint="check the path")
    elif kind is str:
        if isinstance(value, (list, tuple)):
            value = ",".join(str(v) for v in value)
        elif isinstance(value, bool) or not isinstance(value, (str, int, float, Path)):
            raise UserInputError(f"{where} = {_describe(value)} is not text", hint=spec.help or "see --help")
        value = str(value)
    if spec.choices is not None and value not in spec.choices:
        raise UserInputError(f"{where} = {_describe(value)} is not one of {', '.join(spec.choices)}",
                             hint=spec.help or "see --help of the command")
    if kind in (int, float) and ((spec.min is not None and value < spec.min) or (spec.max is not None and value > spec.max)):
        raise UserInputError(f"{where} = {value} is out of range {spec.min}..{spec.max}", hint=spec.help)
    return value


def _boolean(value: Any, where: str) -> bool:
    if isinstance(value, bool):
        return value
    if isinstance(value, str) and value.strip().lower() in TRUE_WORDS | FALSE_WORDS:
        return value.strip().lower() in TRUE_WORDS
    if isinstance(value, int) and value in (0, 1):
        return bool(value)
    raise UserInputError(f"{where} = {_describe(value)} is not a boolean", hint="use true or false")


def _number(value: Any, kind: type, where: str, what: str) -> Any:
    if isinstance(value, bool):
        raise UserInputError(f"{where} = {value} is not {what}", hint="write a number without quotes")
    if isinstance(value, str):
        try:
            value = kind(value.strip())
        except ValueError:
            raise UserInputError(f"{where} = {_describe(value)} is not {what}", hint="write a number without quotes") from None
    if kind is int and isinstance(value, float) and value.is_integer():
        value = int(value)
    if kind is float and isinstance(value, int):
        value = float(value)
    if not isinstance(value, kind) or (kind is float and not math.isfinite(value)):
        raise UserInputError(f"{where} = {_describe(value)} is not {what}", hint="write a number without quotes")
    return value


class Settings:
    """Base of the stages' settings: checks every field when the object is made."""

    SECTION: ClassVar[str] = ""  # the config section and the prefix of error messages

    def __post_init__(self) -> None:
        for f, kind, nullable in _fields(type(self)):
            spec = option_of(f)
            value = getattr(self, f.name)
            if spec.validate is not None and value is not None:
                value = spec.validate(value)
            value = coerce(value, kind, nullable, spec, f"{self.SECTION}.{spec.key(f.name)}")
            object.__setattr__(self, f.name, value)
        self.check()

    def check(self) -> None:
        """Checks across fields (override); no I/O beyond looking at a path."""

    @classmethod
    def keys(cls) -> dict[str, dataclasses.Field]:
        """The config keys (long flag names with '_') and their fields; secrets are not keys."""
        return {option_of(f).key(f.name): f for f, _, _ in _fields(cls) if not option_of(f).secret}

    @classmethod
    def from_mapping(cls, values: dict[str, Any], section: str | None = None, **fixed: Any) -> Settings:
        """Settings from config keys; an unknown key is refused with the known ones."""
        known = cls.keys()
        kwargs = dict(fixed)
        for key, value in values.items():
            f = known.get(key)
            if f is None:
                raise UserInputError(f"unknown setting {section or cls.SECTION}.{key}",
                                     hint=f"known settings: {', '.join(sorted(known))}")
            kwargs[f.name] = value
        for key, f in known.items():
            if f.default is MISSING and f.name not in kwargs:
                raise UserInputError(f"{section or cls.SECTION}.{key} is required",
                                     hint=f"set {key} = ... in [{section or cls.SECTION}] ({option_of(f).help})")
        return cls(**kwargs)

    def recorded(self) -> dict:
        """The settings as the runs table keeps them: plain values, secrets left out."""
        out = {}
        for f in dataclasses.fields(self):  # type: ignore[arg-type]
            if option_of(f).secret:
                continue
            value = getattr(self, f.name)
            out[f.name] = str(value) if isinstance(value, Path) else value
        return out

    def argv(self, keys: list[str] | None = None) -> list[str]:
        """The command-line options giving these settings (all non-default ones, or `keys` in order)."""
        fields = self.keys()
        chosen = keys if keys is not None else [k for k, f in fields.items()
                                               if f.default is MISSING or getattr(self, f.name) != f.default]
        argv: list[str] = []
        for key in chosen:
            f = fields[key]
            spec, value = option_of(f), getattr(self, f.name)
            flag = "--" + spec.key(f.name).replace("_", "-")
            if value is None:
                continue
            if isinstance(value, bool):
                if spec.negatable:
                    argv.append(flag if value else "--no-" + flag[2:])
                elif value:
                    argv.append(flag)
            else:
                argv += [flag, str(value)]
        return argv
