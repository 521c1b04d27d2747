"""The README documents every command and every option (so the docs cannot drift from the code)."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import click
import pytest

from crawler.cli import COMMANDS, cli

README = (Path(__file__).resolve().parents[1] / "README.md").read_text(encoding="utf-8")


@pytest.mark.parametrize("name", sorted(COMMANDS))
def test_every_command_and_option_is_in_the_readme(name: str) -> None:
    command = cli.get_command(click.Context(cli), name)
    assert command is not None, f"{name} is not importable"
    lines = "\n".join(line for line in README.splitlines() if f"govwatch {name}" in line)
    assert lines, f"README does not show `govwatch {name}`"
    for param in command.params:
        if isinstance(param, click.Option):
            longest = max(param.opts, key=len)
            if longest != "--help":
                assert longest in lines, f"README does not show `govwatch {name} {longest}`"


@pytest.mark.slow
def test_every_command_answers_help() -> None:
    for name in sorted(COMMANDS):
        proc = subprocess.run(
            [sys.executable, "-m", "crawler", name, "--help"], capture_output=True, text=True, timeout=60
        )
        assert proc.returncode == 0 and "Usage:" in proc.stdout, (name, proc.stderr)
