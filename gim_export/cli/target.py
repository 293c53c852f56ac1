"""Commands of the target database: target-ddl and load."""

from __future__ import annotations

import dataclasses
import json
from pathlib import Path

import click
from rich.console import Console
from rich.table import Table
from rich.text import Text

from gim_export.cli import cli, on_terminal, settings_of
from gim_export.cli.crypto import key_options, private_key
from gim_export.cli.progress import QuietProgress, RichProgress
from gim_export.config import Settings
from gim_export.load import LEDGER_TABLE, TABLE_TASK_INDENT, LoadError, LoadReport


@cli.command(name="target-ddl")
@click.option(
    "--from-infomart",
    "source",
    flag_value="infomart",
    help="Tables of the [infomart] schema, custom user-data tables included "
    "(the default).",
)
@click.option(
    "--from-views",
    "source",
    flag_value="views",
    help="The export views of [infomart] views-schema.",
)
@click.option(
    "--from-folder",
    "folder",
    metavar="DIR",
    type=click.Path(exists=True, file_okay=False, path_type=Path),
    help="The export folders under DIR alone: columns text but the audit keys, "
    "no primary key.",
)
@click.option(
    "--reference",
    "source",
    flag_value="reference",
    help="The reference Info Mart of sql_scripts/infomart.sql (how the shipped "
    "update_target_gim_db*.sql are made); built in a transaction that is "
    "rolled back, on --dsn or an embedded server.",
)
@click.option(
    "--dsn",
    help="Connect here instead of [infomart] connection; no configuration "
    "file is needed then.",
)
@click.option(
    "--partitioned",
    is_flag=True,
    help="Range-partition tables with START_DATE_TIME_KEY on it, with a "
    "DEFAULT partition.",
)
@click.option("--schema", help="Put every table in this schema (created if missing).")
@click.pass_context
def target_ddl_command(
    ctx: click.Context,
    source: str | None,
    folder: Path | None,
    dsn: str | None,
    partitioned: bool,
    schema: str | None,
) -> None:
    """Print an idempotent script that creates or updates a target schema.

    The script creates missing tables, adds missing columns and widens
    narrower ones; it never drops anything. Run it with psql any number of
    times.

    \b
    Example:
        gimexport target-ddl --from-views > update_target.sql
        psql -v ON_ERROR_STOP=1 -1 -d target -f update_target.sql
    """
    from gim_export.target import target_ddl

    if folder is not None and source is not None:
        raise click.UsageError("--from-folder does not go with --from-* or --reference")
    source = "folder" if folder is not None else source or "infomart"
    settings = _settings(ctx, source, dsn)
    script = target_ddl(
        settings, source, folder=folder, partitioned=partitioned, schema=schema
    )
    click.echo(script, nl=False)


def _settings(ctx: click.Context, source: str, dsn: str | None) -> Settings:
    """The configuration where one is needed or named, with --dsn over it."""
    named = ctx.find_root().obj.get("config_path") is not None
    if dsn is None and source in ("infomart", "views"):
        return settings_of(ctx)
    base = settings_of(ctx) if named else Settings()
    return dataclasses.replace(base, connection=dsn or "")


@cli.command(name="load")
@click.argument(
    "directory",
    metavar="DIR",
    type=click.Path(exists=True, file_okay=False, path_type=Path),
)
@click.option(
    "--target",
    "target_dsn",
    metavar="DSN",
    required=True,
    help="libpq connection string of the target database (passwords from "
    ".pgpass or PGPASSWORD).",
)
@click.option(
    "--schema", default="public", show_default=True, help="Schema of the tables."
)
@click.option(
    "--ledger",
    default=LEDGER_TABLE,
    show_default=True,
    metavar="[SCHEMA.]NAME",
    help="Table that records the folders loaded (created if missing).",
)
@click.option(
    "--create-schema",
    is_flag=True,
    help="First create the schema and run the shipped reference target script "
    "(sql_scripts/update_target_gim_db.sql) in it.",
)
@click.option(
    "--partitioned",
    is_flag=True,
    help="With --create-schema: the partitioned script.",
)
@click.option(
    "--allow-gaps",
    is_flag=True,
    help="Load a folder that does not follow the last one loaded instead of stopping.",
)
@click.option("--json", "as_json", is_flag=True, help="Print the result as JSON.")
@key_options
def load_command(
    directory: Path,
    target_dsn: str,
    schema: str,
    ledger: str,
    create_schema: bool,
    partitioned: bool,
    allow_gaps: bool,
    as_json: bool,
    key_path: Path | None,
    key_password_env: str | None,
) -> None:
    """Load export folders into a target database, merged by primary key.

    Folders load in name order, each verified first and merged in one
    transaction, then recorded in the ledger: a folder loaded before is
    skipped, and a gap in the chain stops the load. No row is ever replaced
    by an older version of it.

    \b
    Example:
        gimexport load /data/received --target "host=dwh dbname=gim user=loader"
    """
    from gim_export.load import load

    if partitioned and not create_schema:
        raise click.UsageError("--partitioned goes with --create-schema")
    key = private_key(key_path, key_password_env)
    terminal = on_terminal() and not as_json
    display = LoadProgress() if terminal else QuietProgress()
    try:
        with display as progress:
            report = load(
                directory,
                target_dsn,
                schema=schema,
                ledger=ledger,
                create_schema=create_schema,
                partitioned=partitioned,
                allow_gaps=allow_gaps,
                progress=progress,
                key=key,
            )
    except LoadError as error:
        if error.report is not None and error.report.folders and not as_json:
            _show(error.report, terminal)
        raise
    if as_json:
        click.echo(json.dumps(report.as_dict(), indent=2))
    else:
        _show(report, terminal)


def _show(report: LoadReport, terminal: bool) -> None:
    if terminal:
        console = Console(highlight=False)
        for table in report_tables(report):
            console.print(table)
        console.print(report.summary())
    else:
        for line in report_lines(report):
            click.echo(line)


def report_lines(report: LoadReport) -> list[str]:
    """The report as plain lines: one per folder, one per table, a summary."""
    lines = []
    for folder in report.folders:
        span = f"{folder.hwm_from}..{folder.hwm_to}"
        line = f"{folder.status:<7}  {folder.name}  {folder.kind}  {span}  "
        if folder.status == "loaded":
            inserted = sum(t.inserted for t in folder.tables)
            updated = sum(t.updated for t in folder.tables)
            line += (
                f"{folder.link}  {len(folder.tables)} tables  {folder.rows} rows  "
                f"{inserted} inserted  {updated} updated"
            )
        else:
            line += folder.link
        lines.append(line)

    totals = report.totals()
    if totals:
        width = max(len(t.table) for t in totals)
        lines.append(
            f"{'table':<{width}}  {'rows':>9}  {'inserted':>9}  {'updated':>9}  "
            f"{'unchanged':>9}"
        )
        for entry in totals:
            lines.append(
                f"{entry.table:<{width}}  {entry.rows:>9}  {entry.inserted:>9}  "
                f"{entry.updated:>9}  {entry.unchanged:>9}"
            )
    lines.append(report.summary())
    return lines


def report_tables(report: LoadReport) -> list[Table]:
    """The report as rich tables: the folders, then rows per table (the
    summary line goes below them)."""
    folders = Table(title=f"load into {report.target} schema {report.schema}")
    for column in ("folder", "kind", "hwm-from", "hwm-to", "link", "rows", "status"):
        justify = "right" if column in ("hwm-from", "hwm-to", "rows") else "left"
        folders.add_column(column, justify=justify)  # type: ignore[arg-type]
    for folder in report.folders:
        loaded = folder.status == "loaded"
        folders.add_row(
            Text(folder.name),
            Text(folder.kind),
            Text(str(folder.hwm_from)),
            Text(str(folder.hwm_to)),
            Text(folder.link),
            Text(str(folder.rows) if loaded else "-"),
            Text(folder.status, style="green" if loaded else "dim"),
        )

    rows = Table(title="rows per table")
    rows.add_column("table")
    for column in ("rows", "inserted", "updated", "unchanged"):
        rows.add_column(column, justify="right")
    for entry in report.totals():
        rows.add_row(
            entry.table,
            str(entry.rows),
            str(entry.inserted),
            str(entry.updated),
            str(entry.unchanged),
        )
    return [folders, rows]


class LoadProgress(RichProgress):
    """A bar per folder (in tables) that stays, and one per table (in bytes)
    that goes when the table is merged."""

    def finish(self, task: str) -> None:
        """Fill a folder's bar; remove a table's."""
        if task not in self._tasks:
            return
        task_id = self._tasks.pop(task)
        if task.startswith(TABLE_TASK_INDENT):
            self._display.remove_task(task_id)
            return
        # The list of tasks shrinks as tables go: find the folder's by its id.
        done = next(t.completed for t in self._display.tasks if t.id == task_id)
        self._display.update(task_id, total=done, completed=done)
