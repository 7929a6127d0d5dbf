"""Every command and sub-command has help text with an example (the sqlite-utils habit)."""

from __future__ import annotations

import click
import pytest
from click.testing import CliRunner

from etl.cli import main


def _all_commands() -> list[tuple[str, ...]]:
    found: list[tuple[str, ...]] = []

    def walk(group: click.Group, path: tuple[str, ...]) -> None:
        ctx = click.Context(group)
        for name in group.list_commands(ctx):
            command = group.get_command(ctx, name)
            assert command is not None, f"{' '.join(path + (name,))} failed to load"
            found.append(path + (name,))
            if isinstance(command, click.Group):
                walk(command, path + (name,))

    walk(main, ())
    return found


@pytest.mark.parametrize("path", _all_commands(), ids=" ".join)
def test_command_has_help_with_an_example(path: tuple[str, ...]) -> None:
    result = CliRunner().invoke(main, [*path, "--help"])
    assert result.exit_code == 0, result.output
    assert "Example" in result.output, f"'mlyetl {' '.join(path)} --help' shows no example"


def test_unknown_command_is_bad_usage() -> None:
    result = CliRunner().invoke(main, ["no-such-command"])
    assert result.exit_code == 2


def test_verbose_and_quiet_flags_are_accepted() -> None:
    assert CliRunner().invoke(main, ["-v", "db", "--help"]).exit_code == 0
    assert CliRunner().invoke(main, ["--quiet", "db", "--help"]).exit_code == 0
