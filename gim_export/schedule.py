"""The two-field CRON schedule of the export and the scheduler that follows it.

``export-schedule`` holds two fields, minutes and hours, as in the original
Job_ExportGIM: ``"20 0/8"`` runs at 00:20, 08:20 and 16:20. Each field is a
list (``,``) of numbers, ranges (``-``) or ``*``, each optionally followed by
a step (``/S``); ``N/S`` means every S starting at N. The fields are checked
here, so that an error names the field; croniter does the date arithmetic.

The times are wall-clock times of ``[schedule] time-zone`` when it is set,
else of the local time zone: the zone named by the ``TZ`` environment
variable, else the host's ``/etc/localtime``. A time that a switch to
summer time skips runs one hour later; a time that the switch back repeats
runs once.
"""

from __future__ import annotations

import datetime as dt
import itertools
import logging
import os
import re
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Protocol
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from croniter import croniter

from gim_export.config import Settings, load_settings
from gim_export.errors import ConfigError, GimExportError

logger = logging.getLogger(__name__)

# Genesys advises against exports more often than every 30 minutes.
MIN_INTERVAL = dt.timedelta(minutes=30)

# Without a record of the last run, `export --if-scheduled` exports when a
# scheduled time lies within this many seconds before now.
DEFAULT_DUE_WINDOW_SECONDS = 3600

LAST_RUN_FILE = "schedule-last-run"

_FIELDS = (("minutes", 0, 59), ("hours", 0, 23))
_ITEM = re.compile(r"(?P<start>\*|\d+)(?:-(?P<end>\d+))?(?:/(?P<step>\d+))?")


@dataclass(frozen=True)
class Schedule:
    """A checked two-field expression and the minutes and hours it selects."""

    expression: str
    minutes: tuple[int, ...]
    hours: tuple[int, ...]

    @property
    def cron(self) -> str:
        """The same schedule as a five-field crontab expression, every day."""
        minutes = ",".join(map(str, self.minutes))
        hours = ",".join(map(str, self.hours))
        return f"{minutes} {hours} * * *"


@dataclass(frozen=True)
class Gap:
    """The shortest distance between two consecutive runs of a schedule."""

    first: dt.time
    second: dt.time
    length: dt.timedelta


@dataclass(frozen=True)
class Preview:
    """The next runs of a schedule and its shortest gap."""

    schedule: Schedule
    runs: list[dt.datetime]
    zone: dt.tzinfo
    shortest: Gap

    @property
    def too_frequent(self) -> bool:
        """Whether two runs lie closer than :data:`MIN_INTERVAL`."""
        return self.shortest.length < MIN_INTERVAL


def _expand_field(
    expression: str, name: str, field: str, low: int, high: int
) -> tuple[int, ...]:
    """The values one field selects; a :class:`ConfigError` names the field."""
    where = f"export-schedule {expression!r}: {name} field {field!r}"
    values: set[int] = set()
    for item in field.split(","):
        match = _ITEM.fullmatch(item)
        if match is None or (match["start"] == "*" and match["end"] is not None):
            raise ConfigError(
                f"{where} is not valid; use numbers {low}-{high} with , - * /"
            )

        bounds = [int(v) for v in (match["start"], match["end"]) if v and v != "*"]
        for value in bounds:
            if not low <= value <= high:
                detail = "" if str(value) == field else f": {value}"
                raise ConfigError(f"{where} is out of range {low}-{high}{detail}")
        if len(bounds) == 2 and bounds[0] > bounds[1]:
            start, end = bounds
            raise ConfigError(
                f"{where} runs backwards; write {start}-{end} as "
                f"'{start}-{high},{low}-{end}'"
            )
        step = int(match["step"] or 1)
        if step == 0:
            raise ConfigError(f"{where} has step 0; a step must be 1 or more")

        # `*` is the whole range; `N/S` runs from N to the end of the range.
        first = bounds[0] if bounds else low
        last = bounds[1] if len(bounds) == 2 else high
        if match["end"] is None and match["step"] is None and bounds:
            last = first
        values.update(range(first, last + 1, step))
    return tuple(sorted(values))


def parse_schedule(expression: str) -> Schedule:
    """Check a two-field expression; a :class:`ConfigError` names the bad field."""
    fields = expression.split()
    if len(fields) != 2:
        found = "no field" if not fields else f"{len(fields)} field"
        found += "s" if len(fields) > 1 else ""
        raise ConfigError(
            f"export-schedule {expression!r} has {found}; "
            "give two, minutes and hours, such as '20 0/8'"
        )

    minutes, hours = (
        _expand_field(expression, name, field, low, high)
        for (name, low, high), field in zip(_FIELDS, fields, strict=True)
    )
    # croniter gets plain lists of values: it reads a one-value range such as
    # `5-5` as the whole field (its rule for ranges that wrap around).
    return Schedule(expression, minutes, hours)


def _as_schedule(expression: str | Schedule) -> Schedule:
    if isinstance(expression, Schedule):
        return expression
    return parse_schedule(expression)


def schedule_zone(settings: Settings | None) -> dt.tzinfo:
    """The time zone of the schedule: ``[schedule] time-zone``, else the local one."""
    if settings is not None and settings.schedule_time_zone:
        return ZoneInfo(settings.schedule_time_zone)
    return local_zone()


def zone_name(zone: dt.tzinfo) -> str:
    """How a log line or the schedule command names a time zone."""
    key = getattr(zone, "key", None)
    if key == "localtime":
        return "/etc/localtime"
    return str(key or zone)


def local_zone() -> dt.tzinfo:
    """The time zone of the schedule: ``$TZ``, else ``/etc/localtime``."""
    name = os.environ.get("TZ", "").removeprefix(":")
    try:
        if name:
            return ZoneInfo(name)
        with open("/etc/localtime", "rb") as handle:
            return ZoneInfo.from_file(handle, key="localtime")
    except (OSError, ValueError, ZoneInfoNotFoundError):
        pass

    # A POSIX rule string in TZ, or no zone database: keep today's offset.
    fixed = dt.datetime.now().astimezone().tzinfo
    logger.warning(
        "cannot read the rules of time zone %r; the schedule uses the fixed "
        "offset %s and ignores summer time",
        name or "localtime",
        fixed,
    )
    return fixed or dt.UTC


def _wall(moment: dt.datetime, zone: dt.tzinfo) -> dt.datetime:
    return moment.astimezone(zone).replace(tzinfo=None)


def _instant(wall: dt.datetime, zone: dt.tzinfo) -> dt.datetime:
    return wall.replace(tzinfo=zone).astimezone(dt.UTC)


def next_runs(
    expression: str | Schedule,
    after: dt.datetime,
    count: int,
    zone: dt.tzinfo | None = None,
) -> list[dt.datetime]:
    """The next ``count`` run times strictly after ``after``, in UTC."""
    if after.tzinfo is None:
        raise ValueError("after must be an aware datetime")
    schedule = _as_schedule(expression)
    zone = zone or local_zone()

    # Step through wall-clock times; around a switch back from summer time a
    # wall time maps to an instant already passed, and is left out.
    runs: list[dt.datetime] = []
    times = croniter(schedule.cron, _wall(after, zone))
    while len(runs) < count:
        moment = _instant(times.get_next(dt.datetime), zone)
        if moment > after and (not runs or moment > runs[-1]):
            runs.append(moment)
    return runs


def shortest_gap(expression: str | Schedule) -> Gap:
    """The shortest distance between consecutive runs on the wall clock."""
    schedule = _as_schedule(expression)

    # One day of runs plus the first of the next day covers every gap.
    day = dt.datetime(2000, 1, 3)
    times = croniter(schedule.cron, day - dt.timedelta(seconds=1))
    runs = [times.get_next(dt.datetime)]
    while runs[-1] < day + dt.timedelta(days=1):
        runs.append(times.get_next(dt.datetime))

    pairs = itertools.pairwise(runs)
    first, second = min(pairs, key=lambda pair: pair[1] - pair[0])
    return Gap(first.time(), second.time(), second - first)


def preview(
    expression: str,
    after: dt.datetime,
    count: int,
    zone: dt.tzinfo | None = None,
) -> Preview:
    """The next ``count`` runs of ``expression`` after ``after``, for display."""
    schedule = parse_schedule(expression)
    zone = zone or local_zone()
    runs = next_runs(schedule, after, count, zone)
    return Preview(schedule, runs, zone, shortest_gap(schedule))


def is_due(
    expression: str,
    now: dt.datetime,
    window_seconds: int,
    last_run: dt.datetime | None,
    zone: dt.tzinfo | None = None,
) -> bool:
    """Whether a scheduled time lies in (``last_run``, ``now``].

    Without a last run, or with one in the future (the clock went back), the
    interval starts ``window_seconds`` before ``now``. A caller that checks
    every few minutes and records each run exports once per scheduled time;
    after a pause it exports once to catch up.
    """
    since = now - dt.timedelta(seconds=window_seconds)
    if last_run is not None and last_run <= now:
        since = last_run
    return next_runs(expression, since, 1, zone)[0] <= now


def last_run_path(output_directory: Path) -> Path:
    """Where the time of the last scheduled export of a directory is kept."""
    return output_directory / ".gim" / LAST_RUN_FILE


def read_last_run(output_directory: Path) -> dt.datetime | None:
    """The recorded time of the last scheduled export, or None."""
    path = last_run_path(output_directory)
    try:
        text = path.read_text(encoding="ascii").strip()
        moment = dt.datetime.fromisoformat(text)
    except FileNotFoundError:
        return None
    except (OSError, UnicodeDecodeError, ValueError) as error:
        logger.warning("ignoring unreadable %s: %s", path, error)
        return None
    if moment.tzinfo is None:
        logger.warning("ignoring %s: %r carries no time zone", path, text)
        return None
    return moment.astimezone(dt.UTC)


def record_run(settings: Settings, when: dt.datetime) -> None:
    """Record ``when`` as the time of the last scheduled export."""
    if when.tzinfo is None:
        raise ValueError("when must be an aware datetime")
    path = last_run_path(settings.output_directory)
    path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)

    # Write aside and rename, so that a reader never sees half a line.
    temporary = path.with_name(f".{path.name}.{os.getpid()}")
    line = when.astimezone(dt.UTC).isoformat() + "\n"
    descriptor = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(descriptor, "w", encoding="ascii") as handle:
        handle.write(line)
    os.replace(temporary, path)
    logger.debug("recorded scheduled run at %s in %s", line.strip(), path)


def should_run_now(
    settings: Settings,
    now: dt.datetime,
    window_seconds: int = DEFAULT_DUE_WINDOW_SECONDS,
    zone: dt.tzinfo | None = None,
) -> bool:
    """Whether ``export --if-scheduled`` should export at ``now``.

    False while ``run-export`` is false. Otherwise :func:`is_due` with the last
    run recorded by :func:`record_run` in the output directory.
    """
    if not settings.run_export:
        logger.info("run-export is false; no scheduled export")
        return False

    zone = zone or schedule_zone(settings)
    last_run = read_last_run(settings.output_directory)
    due = is_due(settings.export_schedule, now, window_seconds, last_run, zone)
    logger.info(
        "export-schedule %r is %s at %s (last scheduled run: %s)",
        settings.export_schedule,
        "due" if due else "not due",
        _show(now, zone),
        _show(last_run, zone) if last_run else "none",
    )
    return due


class Clock(Protocol):
    """Tells the time and waits; the scheduler's only view of time."""

    def now(self) -> dt.datetime:
        """The current time, aware."""
        ...

    def sleep(self, seconds: float, stop: threading.Event) -> None:
        """Wait ``seconds`` or until ``stop`` is set, whichever comes first."""
        ...


class SystemClock:
    """The real clock: UTC now, and a wait that a stop request ends early."""

    def now(self) -> dt.datetime:
        """The current time in UTC."""
        return dt.datetime.now(dt.UTC)

    def sleep(self, seconds: float, stop: threading.Event) -> None:
        """Wait on the stop event for at most ``seconds``."""
        stop.wait(max(seconds, 0.0))


def _show(moment: dt.datetime, zone: dt.tzinfo | None) -> str:
    local = moment.astimezone(zone or local_zone())
    utc = moment.astimezone(dt.UTC)
    return f"{utc:%Y-%m-%d %H:%M:%S} UTC ({local:%H:%M %Z})"


_Stamp = tuple[int, int, int] | None


def _stamp(path: Path | None) -> _Stamp:
    if path is None:
        return None
    try:
        status = os.stat(path)
    except OSError:
        return None
    return (status.st_mtime_ns, status.st_size, status.st_ino)


def _reload(settings: Settings) -> Settings:
    """The settings read again from their file; the old ones if unusable."""
    try:
        fresh = load_settings(settings.config_path)
        parse_schedule(fresh.export_schedule)
    except ConfigError as error:
        logger.error("configuration changed but is not used: %s", error)
        return settings
    logger.info(
        "configuration %s reloaded: run-export %s, export-schedule %r, time zone %s",
        settings.config_path,
        str(fresh.run_export).lower(),
        fresh.export_schedule,
        zone_name(schedule_zone(fresh)),
    )
    return fresh


def _export_once(
    export: Callable[[Settings], object],
    settings: Settings,
    scheduled: dt.datetime,
    zone: dt.tzinfo | None,
) -> None:
    """Run one export and log how it ended; no error escapes."""
    logger.info("starting the export scheduled for %s", _show(scheduled, zone))
    started = time.monotonic()
    try:
        export(settings)
    except GimExportError as error:
        logger.error("scheduled export failed: %s", error)
    except Exception:
        logger.exception("scheduled export failed unexpectedly")
    else:
        elapsed = time.monotonic() - started
        logger.info("scheduled export finished in %.1f s", elapsed)


def run(
    settings: Settings,
    export: Callable[[Settings], object],
    stop: threading.Event,
    clock: Clock | None = None,
    zone: dt.tzinfo | None = None,
    poll_seconds: float = 60.0,
) -> None:
    """Export at each scheduled time until ``stop`` is set.

    The configuration file is read again when it changes (checked every
    ``poll_seconds``); a changed file that is invalid is logged and ignored.
    A failed export is logged and the next scheduled time awaited. While
    ``run-export`` is false the scheduler idles. A stop request during an
    export takes effect when that export returns.
    """
    clock = clock or SystemClock()
    chosen_zone = zone
    zone = chosen_zone or schedule_zone(settings)
    parse_schedule(settings.export_schedule)
    stamp = _stamp(settings.config_path)
    upcoming: dt.datetime | None = None
    idle = False
    logger.info(
        "scheduler started with export-schedule %r in time zone %s",
        settings.export_schedule,
        zone_name(zone),
    )

    while not stop.is_set():
        current = _stamp(settings.config_path)
        if current != stamp:
            stamp, upcoming = current, None
            settings = _reload(settings)
            zone = chosen_zone or schedule_zone(settings)

        if not settings.run_export:
            if not idle:
                logger.warning(
                    "run-export is false; the scheduler idles until it is true"
                )
            idle, upcoming = True, None
            clock.sleep(poll_seconds, stop)
            continue
        idle = False

        now = clock.now()
        if upcoming is None:
            upcoming = next_runs(settings.export_schedule, now, 1, zone)[0]
            logger.info("next export at %s", _show(upcoming, zone))
        if now < upcoming:
            wait = (upcoming - now).total_seconds()
            clock.sleep(min(poll_seconds, wait), stop)
            continue

        _export_once(export, settings, upcoming, zone)
        following = next_runs(settings.export_schedule, upcoming, 1, zone)[0]
        if following <= clock.now():
            logger.warning(
                "the export ran past the run scheduled for %s, which is skipped",
                _show(following, zone),
            )
        upcoming = None

    logger.info("scheduler stopped")
