"""Commands of the sending side: init, export and status."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import click

from gim_export.cli import cli, on_terminal, settings_of
from gim_export.cli.progress import progress_for
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
    path.write_text(starter_config(connection, output_directory), encoding="utf-8")
    click.echo(f"wrote {path}")


@cli.command()
@click.option(
    "--catch-up",
    is_flag=True,
    help="Export chunk after chunk until no committed audit key is left.",
)
@click.option(
    "--if-scheduled",
    is_flag=True,
    help="Export only when export-schedule says a run is due (for a cron line "
    "or timer that fires every few minutes).",
)
@click.pass_context
def export(ctx: click.Context, catch_up: bool, if_scheduled: bool) -> None:
    """Export the next chunk of changed rows as a new export_* folder.

    Without --catch-up one run writes at most one folder, as the original
    job does; cron or `gimexport run` calls it again later.

    \b
    Example:
        gimexport --config /etc/gimexport.toml export
    """
    from gim_export.exporter import export as run_export

    settings = settings_of(ctx)
    if if_scheduled:
        from gim_export.schedule import record_run, should_run_now

        now = dt.datetime.now(dt.UTC)
        if not should_run_now(settings, now):
            return
        # Recorded first: a failed run waits for the next scheduled time.
        record_run(settings, now)
    with progress_for(on_terminal()) as progress:
        run = run_export(settings, progress, catch_up=catch_up)
    for folder in run.folders:
        click.echo(
            f"{folder.path.name}: audit keys {folder.metadata.hwm_from + 1}"
            f"..{folder.metadata.hwm_to}, {folder.rows} rows in "
            f"{len(folder.metadata.tables)} tables"
        )
    if not run.folders:
        click.echo("nothing to export")
    if run.blocked_at is not None:
        click.echo(
            f"waiting for audit key {run.blocked_at}: it is not committed yet",
            err=True,
        )
    elif run.waiting_keys:
        click.echo(f"{run.waiting_keys} audit key(s) left for the next run")


@cli.command()
@click.option("--json", "as_json", is_flag=True, help="Print JSON for scripts.")
@click.pass_context
def status(ctx: click.Context, as_json: bool) -> None:
    """Show the stream: last folder, high-water mark, keys waiting, lag, warnings.

    \b
    Example:
        gimexport status --json
    """
    from gim_export.status import format_ts
    from gim_export.status import status as stream_status

    result = stream_status(settings_of(ctx))
    if as_json:
        click.echo(json.dumps(result.as_dict(), indent=2))
        return
    behind = result.behind_seconds
    lines = [
        ("output directory", result.output_directory),
        ("folders", str(result.folders)),
        ("last folder", result.last_folder or "-"),
        ("high-water mark", str(result.hwm)),
        ("data exported up to", format_ts(result.max_data_ts)),
        ("audit keys waiting", str(result.waiting_keys)),
        ("newest data in Info Mart", format_ts(result.newest_data_ts)),
        ("behind by", "-" if behind is None else f"{behind / 3600:.1f} h"),
    ]
    for label, value in lines:
        click.echo(f"{label:<26}{value}")
    for warning in result.warnings:
        click.echo(f"warning: {warning}")
