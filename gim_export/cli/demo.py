"""``gimexport demo``: the first minute with the tool."""

from __future__ import annotations

import datetime as dt
import sys
from pathlib import Path

import click

from gim_export.cli import cli, on_terminal
from gim_export.cli.progress import progress_for


@cli.command()
@click.option("--seed", default=1, show_default=True, help="Seed of the sample data.")
@click.option(
    "--start",
    type=click.DateTime(formats=["%Y-%m-%d"]),
    default="2026-11-01",
    show_default=True,
    help="First day of sample data (UTC).",
)
@click.option(
    "--days",
    default=7,
    show_default=True,
    type=click.IntRange(1, 3660),
    help="Days of sample data.",
)
@click.option(
    "--scale",
    default=1.0,
    show_default=True,
    type=click.FloatRange(0.01, 100000),
    help="Volume multiplier of the sample data.",
)
@click.option(
    "--dsn",
    help="Use this PostgreSQL server instead of the embedded one; the demo "
    "creates and replaces a database named gimexport_demo on it.",
)
@click.option(
    "--workdir",
    type=click.Path(file_okay=False, path_type=Path),
    default=Path("gimexport-demo"),
    show_default=True,
    help="Folder for the embedded server, the configuration and the exports.",
)
def demo(
    seed: int,
    start: dt.datetime,
    days: int,
    scale: float,
    dsn: str | None,
    workdir: Path,
) -> None:
    """Build a sample Info Mart, export it until caught up, verify the folders.

    \b
    Example:
        gimexport demo --days 3 --scale 2
    """
    from gim_export.demo import demo as run_demo
    from gim_export.sample import SampleSpec

    spec = SampleSpec(
        seed=seed,
        start=start.date(),
        days=days,
        scale=scale,
        outage_days=2 if days >= 6 else 0,
        empty_days=1 if days >= 4 else 0,
    )
    with progress_for(on_terminal()) as progress:
        result = run_demo(workdir, spec, dsn, progress)

    rows = sum(result.sample.rows.values())
    click.echo(
        f"sample Info Mart: {rows} rows in {len(result.sample.rows)} tables, "
        f"audit keys {result.sample.first_audit_key}..{result.sample.last_audit_key}"
    )
    for folder in result.run.folders:
        meta = folder.metadata
        click.echo(
            f"  {folder.path.name}  keys {meta.hwm_from + 1}..{meta.hwm_to}  "
            f"{folder.rows} rows  {len(meta.tables)} tables"
        )
    click.echo(f"exported {len(result.run.folders)} folders to {result.output}")
    problems = result.report.problems
    if problems:
        for problem in problems:
            click.echo(f"  {problem}", err=True)
        raise click.ClickException(f"verify-chain found {len(problems)} problem(s)")
    click.echo("verify-chain: all folders intact, chain unbroken")
    program = sys.argv[0] if Path(sys.argv[0]).name == "gimexport" else "gimexport"
    click.echo(
        f"try: cd {result.output}/{result.run.folders[-1].path.name} && "
        "sha1sum -c *.sha1"
    )
    click.echo(f"try: {program} verify-chain {result.output}")
    if dsn is None:
        click.echo(
            f"the embedded PostgreSQL stopped with the demo (its data stays in "
            f"{result.workdir / 'pgdata'}), so commands that read the Info Mart "
            "need a server: run the demo with --dsn on a server of yours, then "
            f"try `{program} --config {result.config_path} status`"
        )
    else:
        click.echo(f"try: {program} --config {result.config_path} status")
