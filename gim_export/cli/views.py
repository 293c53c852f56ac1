"""The command that freezes what is exported: make-export-views."""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING

import click

from gim_export.cli import cli, settings_of

if TYPE_CHECKING:
    from gim_export.views import ViewsResult


@cli.command(name="make-export-views")
@click.option("--dry-run", is_flag=True, help="Print the DDL instead of running it.")
@click.option(
    "--drop",
    is_flag=True,
    help="Drop the views but keep their record, before a migration that "
    "changes the type of a column they read.",
)
@click.option(
    "--restore",
    is_flag=True,
    help="Build the recorded views again after such a migration, with the "
    "columns they had.",
)
@click.pass_context
def make_export_views(
    ctx: click.Context, dry_run: bool, drop: bool, restore: bool
) -> None:
    """Create or refresh the export views that freeze the exported columns.

    One view per exportable table, with the columns the table has now, in
    [infomart] views-schema. Exports read them when use-export-views is true.

    \b
    Example:
        gimexport make-export-views --dry-run
        gimexport make-export-views
    """
    from gim_export.views import make_export_views as make

    if drop and restore:
        raise click.UsageError("--drop and --restore cannot be combined")
    result = make(settings_of(ctx), dry_run=dry_run, restore=restore, drop=drop)

    if dry_run:
        for statement in result.statements:
            click.echo(f"{statement};")
    else:
        for verb, names in (
            ("dropped", result.dropped),
            ("replaced", result.replaced),
            ("created", result.created),
        ):
            for name in names:
                click.echo(f"{verb} {result.schema}.{name}")
    for table, reason in result.skipped:
        click.echo(f"skipped {table}: {reason}")
    click.echo(_summary(result))


def _summary(result: ViewsResult) -> str:
    counts = (
        f"{len(result.created)} created, {len(result.replaced)} replaced, "
        f"{len(result.dropped)} dropped, {len(result.unchanged)} unchanged"
    )
    prefix = "dry run, nothing changed: " if result.dry_run else ""
    if result.action == "drop":
        return (
            f"{prefix}{len(result.dropped)} export views dropped from "
            f"{result.schema}; their record stays for --restore"
        )
    record = result.record
    frozen = ""
    if record is not None:
        frozen = f", schema version {record.schema_version}"
        if not result.dry_run:
            made = record.made_at.astimezone(dt.UTC).strftime("%Y-%m-%d %H:%M:%S")
            frozen += f" frozen {made} UTC"
    return f"{prefix}{result.schema}: {counts}{frozen}"
