"""The settings of `mlyetl run`: a TOML file mapped onto the stage commands' options.

Every key of a stage's section is one option of that stage's command (`concurrency`
in [crawl] is `mlyetl crawl --concurrency`), so the config can never drift from the
CLI: `--help` of each command documents each setting, and an unknown key is
refused. Precedence, lowest first: the commands' defaults < the config file <
environment variables `MLYETL_<SECTION>_<KEY>` < `--set section.key=value` flags.
"""

from __future__ import annotations

import os
import tomllib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from etl.errors import UserInputError

# Sections that map onto a stage command, in run order; [area] belongs to the crawl.
STAGE_SECTIONS = ("area", "crawl", "filter", "export", "images", "report")
# Keys that are never accepted from a file: secrets must come from the environment or a token file.
SECRET_KEYS = {"token", "password"}


@dataclass
class RunConfig:
    name: str
    out: Path = Path("mlyetl-output")  # folder of the run's files: export/, images/, report/
    sections: dict[str, dict[str, Any]] = field(default_factory=dict)
    source: Path | None = None

    def section(self, name: str) -> dict[str, Any]:
        return self.sections.setdefault(name, {})


def _parse_scalar(text: str) -> Any:
    """An environment or --set value, read as TOML when it parses (numbers, booleans, lists)."""
    try:
        return tomllib.loads(f"v = {text}")["v"]
    except tomllib.TOMLDecodeError:
        return text


def _check_secrets(section: str, values: dict[str, Any], origin: str) -> None:
    for key in values:
        if key in SECRET_KEYS:
            raise UserInputError(
                f"{origin}: '{section}.{key}' would store a secret in a file",
                hint="pass the token as MAPILLARY_TOKEN or token_file = '...', the DB password in ~/.pgpass",
            )


def load_config(path: Path | None, overrides: list[str] = (), env: dict[str, str] | None = None) -> RunConfig:
    env = dict(os.environ if env is None else env)
    raw: dict[str, Any] = {}
    if path is not None:
        try:
            raw = tomllib.loads(Path(path).read_text(encoding="utf-8"))
        except OSError as error:
            raise UserInputError(f"cannot read the config {path}: {error.strerror}", hint="check the path") from None
        except UnicodeDecodeError:
            raise UserInputError(f"{path} is not a text file (not UTF-8)",
                                 hint="a config is a TOML text file; see examples/*.toml") from None
        except tomllib.TOMLDecodeError as error:
            raise UserInputError(f"{path} is not valid TOML: {error}", hint="see examples/*.toml") from None
    for key in ("name", "out"):
        if key in raw and not isinstance(raw[key], str):
            raise UserInputError(f"{path}: {key} = {raw[key]!r} is not text",
                                 hint=f'write it in quotes, e.g. {key} = "{"city" if key == "name" else "out/city"}"')
    name = str(raw.pop("name", "") or (Path(path).stem if path else ""))
    out = raw.pop("out", None)
    unknown = [k for k in raw if k not in STAGE_SECTIONS or not isinstance(raw[k], dict)]
    if unknown:
        raise UserInputError(f"{path}: unknown section or key {unknown[0]!r}",
                             hint=f"top level takes 'name', 'out' and the sections {', '.join(STAGE_SECTIONS)}")
    config = RunConfig(name=name, sections={k: dict(v) for k, v in raw.items()}, source=path)
    config.out = Path(out) if out else Path("mlyetl-output") / name
    for section, values in config.sections.items():
        _check_secrets(section, values, str(path))
    _apply_environment(config, env)
    _apply_overrides(config, overrides)
    if not config.name:
        raise UserInputError("the run has no name", hint="set name = '...' in the config or --set name=...")
    return config


def _apply_environment(config: RunConfig, env: dict[str, str]) -> None:
    for variable, text in env.items():
        for section in STAGE_SECTIONS:
            prefix = f"MLYETL_{section.upper()}_"
            if variable.startswith(prefix):
                key = variable[len(prefix):].lower()
                _check_secrets(section, {key: None}, variable)
                config.section(section)[key] = _parse_scalar(text)


def _apply_overrides(config: RunConfig, overrides: list[str]) -> None:
    for item in overrides:
        target, sep, text = item.partition("=")
        if not sep:
            raise UserInputError(f"--set {item!r} has no '='", hint="use --set section.key=value")
        if target in ("name", "out"):
            setattr(config, target, text if target == "name" else Path(text))
            continue
        section, dot, key = target.partition(".")
        if not dot or section not in STAGE_SECTIONS:
            raise UserInputError(f"--set {item!r}: unknown section {section!r}",
                                 hint=f"sections are {', '.join(STAGE_SECTIONS)}")
        _check_secrets(section, {key: None}, "--set")
        config.section(section)[key] = _parse_scalar(text)
