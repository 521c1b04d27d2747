"""The ``govwatch`` command: a thin entry point whose commands live beside the layer they drive.

Commands are imported lazily (``LazyGroup``) so ``govwatch parse`` does not pay for Scrapy or
Datasette, and a broken optional layer cannot break the others.
"""

from __future__ import annotations

import importlib
import os
import sys
from typing import Any

import click

from crawler import __version__, heap

#: command name -> "module:attribute" of its click command
COMMANDS: dict[str, str] = {
    "parse": "crawler.normalize.cli:parse",
    "check": "crawler.integrity.cli:check",
    "crawl": "crawler.crawl.cli:crawl",
    "demo": "crawler.demo.cli:demo",
    "history": "crawler.store.cli:history",
    "diff": "crawler.store.cli:diff",
    "releases": "crawler.store.cli:releases",
    "reparse": "crawler.store.cli:reparse",
    "ack": "crawler.store.cli:ack",
    "report": "crawler.report.cli:report",
    "daemon": "crawler.daemon.cli:daemon",
    "serve": "crawler.browse.cli:serve",
    "health": "crawler.health.cli:health",
    "config": "crawler.config.cli:config",
    "init": "crawler.onboard.cli:init",
    "add-site": "crawler.onboard.cli:add_site",
    "verify": "crawler.verify.cli:verify_command",
    "export": "crawler.export.cli:export",
}

#: commands that end the start-up's hold on the collector themselves (``crawler.heap``), once
#: their configuration is loaded and their crawler built; the others end it once imported
SETTLE_THEMSELVES = frozenset({"crawl"})


class LazyGroup(click.Group):
    def list_commands(self, ctx: click.Context) -> list[str]:
        return sorted(COMMANDS)

    def get_command(self, ctx: click.Context, cmd_name: str) -> click.Command | None:
        target = COMMANDS.get(cmd_name)
        if target is None:
            return None
        module_name, attr = target.split(":")
        try:
            module = importlib.import_module(module_name)
        except ModuleNotFoundError as exc:
            if exc.name and module_name.startswith(exc.name):
                return None  # the layer is not part of this build
            raise
        command: Any = getattr(module, attr)
        if cmd_name not in SETTLE_THEMSELVES:
            heap.settle()
        return command


@click.group(cls=LazyGroup, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="govwatch")
def cli() -> None:
    """govwatch — watch government information-disclosure pages for new, changed, withdrawn and
    defaced releases, and keep every version."""


def main() -> None:
    """Run a command; usage errors, missing files and Ctrl-C end in one line, never a traceback
    (exit statuses: ``crawler.console``)."""
    heap.hold()  # the command's imports and configuration: long-lived (crawler.heap)
    from crawler import console
    from crawler.safetext import install_log_filter

    install_log_filter()  # page text in log lines reaches terminals and log files without escapes
    try:
        result = cli.main(prog_name="govwatch", standalone_mode=False)
    except click.UsageError as exc:
        hint = ""
        if exc.ctx is not None:
            hint = f" (see `{exc.ctx.command_path} --help`)"
        console.fail(exc.format_message().rstrip(".") + hint, console.EXIT_USAGE)
    except click.ClickException as exc:
        console.fail(exc.format_message(), exc.exit_code)
    except click.exceptions.Abort:
        console.fail("interrupted", console.EXIT_INTERRUPTED)
    except click.exceptions.Exit as exc:
        sys.exit(exc.exit_code)
    except KeyboardInterrupt:
        console.fail("interrupted", console.EXIT_INTERRUPTED)
    except BrokenPipeError:  # `govwatch releases | head`: the reader has gone, nothing to say
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())  # so the exit's flush of stdout cannot fail again
        sys.exit(console.EXIT_OK)
    except OSError as exc:  # a file the command needed: name it, no traceback
        where = f": {exc.filename}" if exc.filename else ""
        console.fail(f"{exc.strerror or exc}{where}", console.EXIT_USAGE)
    sys.exit(result if isinstance(result, int) else console.EXIT_OK)
