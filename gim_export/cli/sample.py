"""The sample command: fill a database with the reference Info Mart."""

from __future__ import annotations

import datetime as dt

import click

from gim_export.cli import cli, on_terminal
from gim_export.cli.progress import progress_for
from gim_export.sample import SampleSpec, SampleSummary, build_infomart


@cli.command(name="sample")
@click.option(
    "--dsn",
    required=True,
    help="libpq connection string of the database to fill (no Info Mart data yet).",
)
@click.option("--seed", default=1, show_default=True, help="Seed of the data.")
@click.option(
    "--start",
    type=click.DateTime(formats=["%Y-%m-%d"]),
    default="2026-11-01",
    show_default=True,
    help="First day of data (UTC).",
)
@click.option(
    "--days", type=click.IntRange(min=1), default=5, show_default=True, help="Days."
)
@click.option(
    "--scale",
    type=click.FloatRange(min=0, min_open=True),
    default=1.0,
    show_default=True,
    help="Volume: 1.0 is about 280 INTERACTION_RESOURCE_FACT rows a weekday.",
)
@click.option(
    "--outage-days",
    type=click.IntRange(min=0),
    default=0,
    show_default=True,
    help="Days without ETL batches, then a catch-up burst.",
)
@click.option(
    "--empty-days",
    type=click.IntRange(min=0),
    default=0,
    show_default=True,
    help="Days without any contact.",
)
@click.option("--partitioned", is_flag=True, help="Partition the fact tables by day.")
@click.option("--schema", default="public", show_default=True, help="Target schema.")
def sample_command(
    dsn: str,
    seed: int,
    start: dt.datetime,
    days: int,
    scale: float,
    outage_days: int,
    empty_days: int,
    partitioned: bool,
    schema: str,
) -> None:
    """Fill a database with a reference Info Mart of generated ETL batches.

    The same seed gives the same rows. Each batch is one transaction with
    its own audit key, as the Genesys ETL commits them.

    \b
    Example:
        gimexport sample --dsn "host=127.0.0.1 dbname=gim_sample" --days 10
    """
    spec = SampleSpec(
        seed=seed,
        start=start.date(),
        days=days,
        scale=scale,
        outage_days=outage_days,
        empty_days=empty_days,
        partitioned=partitioned,
        schema=schema,
    )
    with progress_for(on_terminal()) as progress:
        summary = build_infomart(dsn, spec, progress)
    for line in _summary_lines(summary, schema):
        click.echo(line)


def _summary_lines(summary: SampleSummary, schema: str) -> list[str]:
    width = max(len(table) for table in summary.rows)
    return [
        f"filled schema {schema}: audit keys "
        f"{summary.first_audit_key}-{summary.last_audit_key} "
        f"({summary.batches} batches), data from "
        f"{summary.data_from:%Y-%m-%d %H:%M} to {summary.data_to:%Y-%m-%d %H:%M} UTC",
        *(f"  {table:<{width}}  {count:>9}" for table, count in summary.rows.items()),
    ]
