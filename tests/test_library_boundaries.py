"""The library stands on its own: the CLI is a thin adapter over it (issue: a library first).

No module under etl/ outside the CLI imports click or the CLI, and none writes os.environ:
stages hand their settings over as typed objects, never through the environment."""

from __future__ import annotations

import re
from pathlib import Path

ETL = Path(__file__).resolve().parents[1] / "etl"
CLI_MODULES = {ETL / "cli.py", ETL / "cli_options.py", ETL / "__main__.py"}


def _library_modules() -> list[Path]:
    return [p for p in ETL.rglob("*.py") if p not in CLI_MODULES and (ETL / "commands") not in p.parents]


def test_there_are_library_modules_to_check() -> None:
    names = {p.relative_to(ETL).as_posix() for p in _library_modules()}
    assert {"pipeline.py", "demo.py", "stages/crawl.py", "settings.py", "models.py"} <= names


def test_no_click_and_no_cli_call_in_library_code() -> None:
    offenders = [f"{p}: {line.strip()}" for p in _library_modules()
                 for line in p.read_text(encoding="utf-8").splitlines()
                 if re.match(r"\s*(import click|from click\b|from etl\.cli\b|from etl import cli\b|import etl\.cli\b)",
                             line)]
    assert offenders == []


def test_no_environment_writes_in_library_code() -> None:
    write = re.compile(r"os\.environ\s*\[[^]]+\]\s*=|os\.environ\.(update|setdefault|pop|clear)\(|os\.putenv\("
                       r"|os\.unsetenv\(|del\s+os\.environ")
    offenders = [f"{p}: {line.strip()}" for p in ETL.rglob("*.py")
                 for line in p.read_text(encoding="utf-8").splitlines() if write.search(line)]
    assert offenders == []
