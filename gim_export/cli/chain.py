"""verify-chain: check received folders before loading them."""

from __future__ import annotations

import json
from pathlib import Path

import click
from rich.console import Console
from rich.table import Table
from rich.text import Text

from gim_export.chain import ChainReport, FolderResult, verify_chain
from gim_export.cli import cli, on_terminal
from gim_export.cli.crypto import key_options, private_key
from gim_export.cli.progress import progress_for


@cli.command(name="verify-chain")
@click.argument(
    "directory",
    metavar="DIR",
    type=click.Path(exists=True, file_okay=False, path_type=Path),
)
@click.option(
    "--since",
    metavar="FOLDER|last",
    help="Verify only the folders after FOLDER, or after the one --remember "
    "wrote ('last'); the first of them must still link to it.",
)
@click.option(
    "--remember",
    is_flag=True,
    help="Write the newest folder that is sound, with all before it, to "
    "DIR/.gim-verified for the next --since last.",
)
@click.option(
    "--fast",
    is_flag=True,
    help="Do not decompress the CSV files; the zips' SHA-1, the zip "
    "directories, the metadata and the chain are still checked.",
)
@click.option("--json", "as_json", is_flag=True, help="Print the report as JSON.")
@key_options
def verify_chain_command(
    directory: Path,
    since: str | None,
    remember: bool,
    fast: bool,
    as_json: bool,
    key_path: Path | None,
    key_password_env: str | None,
) -> None:
    """Check received export folders and their chain before loading them.

    Every problem is listed, one line each. Exit status: 0 when all is
    well, 1 when a problem was found, 2 for bad usage.

    \b
    Example:
        gimexport verify-chain /data/received --since last --remember
    """
    key = private_key(key_path, key_password_env)
    terminal = on_terminal() and not as_json
    with progress_for(terminal) as progress:
        report = verify_chain(directory, since, remember, progress, fast=fast, key=key)

    if as_json:
        click.echo(json.dumps(report.as_dict(), indent=2))
    elif terminal:
        console = Console(highlight=False)
        for table in report_tables(report):
            console.print(table)
    else:
        for line in report_lines(report):
            click.echo(line)
    report.raise_for_problems()


def _printable(text: str) -> str:
    """Escape control characters: folder and entry names come from strangers."""
    return "".join(
        char if char.isprintable() else char.encode("unicode_escape").decode()
        for char in text
    )


def _span(result: FolderResult) -> str:
    if result.hwm_from is None or result.hwm_to is None:
        return "-"
    return f"{result.hwm_from}..{result.hwm_to}"


def _count(value: int | None, word: str) -> str:
    return f"{'-' if value is None else value} {word}"


def report_lines(report: ChainReport) -> list[str]:
    """The report as plain lines: one per folder, one per problem, a summary."""
    lines = []
    for result in report.folders:
        status = "ok" if result.status == "ok" else "FAILED"
        lines.append(
            f"{status:<6}  {_printable(result.name)}  {result.kind or '-'}  "
            f"{_span(result)}  {_count(result.tables, 'tables')}  "
            f"{_count(result.rows, 'rows')}  {result.link}"
            + (f"  {result.note}" if result.note else "")
        )
    lines.extend(_printable(str(problem)) for problem in report.problems)
    if report.ok:
        lines.append(report.summary())
    if report.remembered:
        lines.append(f"remembered {report.remembered} as verified")
    return lines


def report_tables(report: ChainReport) -> list[Table]:
    """The report as rich tables: the folders, then the problems if any."""
    title = f"verify-chain {_printable(str(report.directory))}"
    if report.since:
        title += f" after {report.since}"
    folders = Table(title=title, caption=report.summary() if report.ok else None)
    folders.add_column("folder")
    folders.add_column("kind")
    for column in ("hwm-from", "hwm-to", "tables", "rows"):
        folders.add_column(column, justify="right")
    folders.add_column("link")
    folders.add_column("status")
    for result in report.folders:
        folders.add_row(
            Text(_printable(result.name)),
            Text(result.kind or "-"),
            Text(str(result.hwm_from) if result.hwm_from is not None else "-"),
            Text(str(result.hwm_to) if result.hwm_to is not None else "-"),
            Text(str(result.tables) if result.tables is not None else "-"),
            Text(str(result.rows) if result.rows is not None else "-"),
            Text(result.link),
            Text(
                result.status + (f" ({result.note})" if result.note else ""),
                style="green" if result.status == "ok" else "bold red",
            ),
        )
    tables = [folders]
    if report.problems:
        problems = Table(title="problems")
        for column in ("folder", "kind", "problem"):
            problems.add_column(column)
        for problem in report.problems:
            problems.add_row(
                Text(_printable(problem.folder)),
                Text(problem.kind, style="red"),
                Text(_printable(problem.message)),
            )
        tables.append(problems)
    return tables
