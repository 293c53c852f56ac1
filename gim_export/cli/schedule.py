"""Commands of the schedule: schedule (show the next runs) and run (follow it)."""

from __future__ import annotations

import contextlib
import datetime as dt
import logging
import signal
import threading
from collections.abc import Iterator
from types import FrameType

import click

from gim_export import schedule as core
from gim_export.cli import cli, settings_of
from gim_export.config import Settings, find_config

logger = logging.getLogger(__name__)

_STOP_SIGNALS = (signal.SIGTERM, signal.SIGINT)


def _after(
    ctx: click.Context, param: click.Parameter, text: str | None
) -> dt.datetime | None:
    """Parse --after; a time without a zone is read in the schedule's zone."""
    if text is None:
        return None
    try:
        return dt.datetime.fromisoformat(text)
    except ValueError:
        raise click.BadParameter(
            f"{text!r} is not a time such as '2024-06-01 08:00'"
        ) from None


@cli.command(name="schedule")
@click.option(
    "-n",
    "--count",
    default=5,
    show_default=True,
    type=click.IntRange(1, 1000),
    help="How many runs to show.",
)
@click.option(
    "-e",
    "--expression",
    help="Show this two-field expression instead of the configured one.",
)
@click.option(
    "--after",
    callback=_after,
    metavar="TIME",
    help="Show the runs after this time (in the schedule's zone unless it has "
    "one; default now).",
)
@click.pass_context
def schedule_command(
    ctx: click.Context, count: int, expression: str | None, after: dt.datetime | None
) -> None:
    """Show the next export times of export-schedule, in UTC and local time.

    The two fields are minutes and hours of [schedule] time-zone, else of the
    local time zone (TZ, else the host's); a warning says when two runs are
    closer than 30 minutes.

    \b
    Example:
        gimexport schedule -n 5
        gimexport schedule -e "0,30 9-17"
    """
    settings = None
    if expression is None:
        settings = settings_of(ctx)
        expression = settings.export_schedule
    elif find_config(ctx.find_root().obj.get("config_path")).exists():
        # -e needs no configuration, but the time-zone of one still applies.
        settings = settings_of(ctx)
    zone = core.schedule_zone(settings)
    now = after or dt.datetime.now(dt.UTC)
    if now.tzinfo is None:
        now = now.replace(tzinfo=zone)

    found = core.preview(expression, now, count, zone)
    click.echo(
        f"next {count} runs of export-schedule {expression!r} "
        f"(local time: {core.zone_name(found.zone)})"
    )
    click.echo(f"{'UTC':<18}local")
    for moment in found.runs:
        local = moment.astimezone(found.zone)
        click.echo(f"{moment:%Y-%m-%d %H:%M}  {local:%Y-%m-%d %H:%M %Z}")

    gap = found.shortest
    if found.too_frequent:
        minutes = gap.length // dt.timedelta(minutes=1)
        click.echo(
            f"warning: runs at {gap.first:%H:%M} and {gap.second:%H:%M} are "
            f"{minutes} minutes apart; export no more often than every 30 minutes"
        )
    if settings is not None and not settings.run_export:
        click.echo("warning: run-export is false; nothing runs until it is true")


class _Abandoned(KeyboardInterrupt):
    """A second stop signal: abandon the export in progress.

    A KeyboardInterrupt, so that psycopg cancels a running query on its way
    out. The folder being built stays in staging, which the next run clears.
    """

    def __init__(self, signum: int) -> None:
        super().__init__(signum)
        self.signum = signum


@contextlib.contextmanager
def _stop_on_signals(stop: threading.Event) -> Iterator[None]:
    """Set ``stop`` on SIGTERM or SIGINT; raise :class:`_Abandoned` on a second."""

    def handle(signum: int, frame: FrameType | None) -> None:
        if stop.is_set():
            raise _Abandoned(signum)
        stop.set()
        logger.warning(
            "%s received; the scheduler stops when no export runs "
            "(send it again to abandon a running export)",
            signal.Signals(signum).name,
        )

    previous = {number: signal.signal(number, handle) for number in _STOP_SIGNALS}
    try:
        yield
    finally:
        for number, handler in previous.items():
            signal.signal(number, handler)


def _export(settings: Settings) -> object:
    """One export, as ``gimexport export`` without options runs it."""
    from gim_export.exporter import export

    return export(settings)


@cli.command(name="run")
@click.pass_context
def run_command(ctx: click.Context) -> None:
    """Stay running and export at each time of export-schedule.

    Idles while run-export is false. Reads the configuration file again when
    it changes. SIGTERM or Ctrl-C stops after the export in progress; a
    second one abandons that export, which the next run repairs.

    \b
    Example:
        gimexport -v --config /etc/gimexport/gimexport.toml run
    """
    settings = settings_of(ctx)
    stop = threading.Event()
    with _stop_on_signals(stop):
        try:
            core.run(settings, _export, stop)
        except _Abandoned as abandoned:
            name = signal.Signals(abandoned.signum).name
            click.echo(
                f"Error: {name} received twice; the export in progress was abandoned",
                err=True,
            )
            ctx.exit(128 + abandoned.signum)
