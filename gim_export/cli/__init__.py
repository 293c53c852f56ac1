"""The ``gimexport`` command line: parses options, calls the core, shows results.

Each command lives in a module of this package and calls one core function.
Errors of the core arrive here as :class:`GimExportError` and leave as one
line on stderr and the error's exit code.
"""

from __future__ import annotations

import logging
import sys
from pathlib import Path
from typing import Any

import click

from gim_export import __version__
from gim_export.config import Settings, load_settings
from gim_export.errors import GimExportError

_LOG_FORMAT = "%(asctime)s %(levelname)s %(name)s: %(message)s"


# Click 8.2 and later raise this to show the help of a bare `gimexport`.
_HELP_INSTEAD = getattr(click.exceptions, "NoArgsIsHelpError", ())


class _Group(click.Group):
    """A click group that turns core errors into one line and an exit code."""

    def invoke(self, ctx: click.Context) -> Any:
        try:
            return super().invoke(ctx)
        except GimExportError as error:
            if ctx.obj and ctx.obj.get("traceback"):
                raise
            click.echo(f"Error: {error}", err=True)
            ctx.exit(error.exit_code)

    def main(self, *args: Any, **kwargs: Any) -> Any:
        """Run the command; a usage error is one line too, not click's block."""
        if kwargs.get("standalone_mode", True) is False:
            return super().main(*args, **kwargs)
        kwargs["standalone_mode"] = False
        try:
            result = super().main(*args, **kwargs)
        except click.exceptions.Abort:
            click.echo("Aborted!", err=True)
            sys.exit(1)
        except click.ClickException as error:
            if isinstance(error, _HELP_INSTEAD):
                click.echo(error.format_message(), err=True)
            else:
                click.echo(f"Error: {error.format_message()}", err=True)
            sys.exit(error.exit_code)
        sys.exit(result if isinstance(result, int) else 0)


def _configure_logging(verbose: int, quiet: bool, log_file: Path | None) -> None:
    """Send log records to stderr: quiet under cron, chatty on request."""
    if quiet:
        level = logging.ERROR
    elif verbose >= 2:
        level = logging.DEBUG
    elif verbose == 1 or sys.stderr.isatty():
        level = logging.INFO
    else:
        level = logging.WARNING

    root = logging.getLogger("gim_export")
    root.setLevel(min(level, logging.INFO) if log_file else level)
    for handler in list(root.handlers):
        if not isinstance(handler, logging.NullHandler):
            root.removeHandler(handler)
            handler.close()
    console = logging.StreamHandler(sys.stderr)
    console.setLevel(level)
    console.setFormatter(logging.Formatter(_LOG_FORMAT))
    root.addHandler(console)
    if log_file is not None:
        to_file = logging.FileHandler(log_file, encoding="utf-8")
        to_file.setLevel(min(level, logging.INFO))
        to_file.setFormatter(logging.Formatter(_LOG_FORMAT))
        root.addHandler(to_file)


@click.group(cls=_Group)
@click.version_option(__version__, prog_name="gimexport")
@click.option(
    "--config",
    "config_path",
    type=click.Path(dir_okay=False, path_type=Path),
    envvar="GIMEXPORT_CONFIG",
    help="Configuration file (default ./gimexport.toml).",
)
@click.option("-v", "--verbose", count=True, help="More log output (-vv for SQL).")
@click.option("-q", "--quiet", is_flag=True, help="Only errors.")
@click.option(
    "--log-file",
    type=click.Path(dir_okay=False, path_type=Path),
    help="Also append log records at INFO level or finer to this file.",
)
@click.option("--traceback", is_flag=True, help="Show the full traceback of an error.")
@click.pass_context
def cli(
    ctx: click.Context,
    config_path: Path | None,
    verbose: int,
    quiet: bool,
    log_file: Path | None,
    traceback: bool,
) -> None:
    """Export a Genesys Info Mart incrementally as chained folders of zipped CSV."""
    ctx.ensure_object(dict)
    ctx.obj["config_path"] = config_path
    ctx.obj["traceback"] = traceback
    _configure_logging(verbose, quiet, log_file)


def settings_of(ctx: click.Context) -> Settings:
    """Load the settings named by the group's --config option."""
    return load_settings(ctx.find_root().obj.get("config_path"))


def on_terminal() -> bool:
    """Whether progress bars and tables suit the output stream."""
    return sys.stdout.isatty()


# Command modules register themselves on ``cli`` when imported.
from gim_export.cli import chain as _chain  # noqa: E402,F401
from gim_export.cli import control as _control  # noqa: E402,F401
from gim_export.cli import crypto as _crypto  # noqa: E402,F401
from gim_export.cli import demo as _demo  # noqa: E402,F401
from gim_export.cli import export as _export  # noqa: E402,F401
from gim_export.cli import sample as _sample  # noqa: E402,F401
from gim_export.cli import schedule as _schedule  # noqa: E402,F401
from gim_export.cli import target as _target  # noqa: E402,F401
from gim_export.cli import views as _views  # noqa: E402,F401
