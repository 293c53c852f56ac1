"""Commands of the sending side: init, export and status."""

from __future__ import annotations

from pathlib import Path

import click
import tomli_w

from gim_export.cli import cli
from gim_export.config import find_config, starter_config


@cli.command()
@click.option(
    "--connection",
    default="host=127.0.0.1 dbname=gim user=gim_export",
    show_default=True,
    help="libpq connection string of the Info Mart (no password: use .pgpass).",
)
@click.option(
    "--output-directory", default="output", show_default=True, help="Export folder."
)
@click.option("--force", is_flag=True, help="Overwrite an existing file.")
@click.pass_context
def init(
    ctx: click.Context, connection: str, output_directory: str, force: bool
) -> None:
    """Write a starter configuration file with every default spelled out.

    \b
    Example:
        gimexport --config /etc/gimexport.toml init --connection "service=gim"
    """
    path: Path = find_config(ctx.find_root().obj.get("config_path"))
    if path.exists() and not force:
        raise click.UsageError(f"{str(path)!r} exists; pass --force to overwrite it")
    path.write_text(tomli_w.dumps(starter_config(connection, output_directory)))
    click.echo(f"wrote {path}")
