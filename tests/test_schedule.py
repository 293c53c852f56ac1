"""The two-field CRON schedule, the due check of cron lines, and the scheduler."""

from __future__ import annotations

import datetime as dt
import logging
import os
import threading
from collections.abc import Callable
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from gim_export import schedule
from gim_export.config import Settings, load_settings
from gim_export.errors import ConfigError, GimExportError

UTC = dt.UTC
BERLIN = ZoneInfo("Europe/Berlin")


def at(text: str) -> dt.datetime:
    """A UTC time from 'YYYY-MM-DD HH:MM[:SS]'."""
    return dt.datetime.fromisoformat(text).replace(tzinfo=UTC)


def hhmm(moments: list[dt.datetime]) -> list[str]:
    return [f"{moment:%H:%M}" for moment in moments]


@pytest.mark.parametrize(
    ("expression", "runs"),
    [
        ("20 0/8", ["00:20", "08:20", "16:20", "00:20"]),
        ("*/30 *", ["00:30", "01:00", "01:30", "02:00"]),
        ("0,30 9-17", ["09:00", "09:30", "10:00", "10:30"]),
        ("5/15 1", ["01:05", "01:20", "01:35", "01:50"]),
        ("1-10/4,50 2", ["02:01", "02:05", "02:09", "02:50"]),
        ("0 0/23", ["23:00", "00:00", "23:00", "00:00"]),
        ("5-5 3", ["03:05", "03:05", "03:05", "03:05"]),
        ("  59\t23 ", ["23:59", "23:59", "23:59", "23:59"]),
    ],
)
def test_next_runs(expression: str, runs: list[str]) -> None:
    found = schedule.next_runs(expression, at("2024-01-01 00:00"), 4, UTC)
    assert hhmm(found) == runs


def test_next_runs_are_strictly_after() -> None:
    runs = schedule.next_runs("20 0/8", at("2024-01-01 08:20"), 2, UTC)
    assert runs == [at("2024-01-01 16:20"), at("2024-01-02 00:20")]


def test_schedule_expands_fields() -> None:
    parsed = schedule.parse_schedule("20 0/8")
    assert (parsed.minutes, parsed.hours) == ((20,), (0, 8, 16))


@pytest.mark.parametrize(
    ("expression", "message"),
    [
        ("60 *", "minutes field '60' is out of range 0-59"),
        ("5 24", "hours field '24' is out of range 0-23"),
        ("*/0 *", "minutes field '*/0' has step 0; a step must be 1 or more"),
        ("0,60 *", "minutes field '0,60' is out of range 0-59: 60"),
        ("0 1-30", "hours field '1-30' is out of range 0-23: 30"),
        ("17-9 *", "minutes field '17-9' runs backwards; write 17-9 as '17-59,0-9'"),
        ("a *", "minutes field 'a' is not valid; use numbers 0-59 with , - * /"),
        ("1,,2 *", "minutes field '1,,2' is not valid; use numbers 0-59 with , - * /"),
        ("*-5 *", "minutes field '*-5' is not valid; use numbers 0-59 with , - * /"),
        ("0 L", "hours field 'L' is not valid; use numbers 0-23 with , - * /"),
    ],
)
def test_bad_field_is_named(expression: str, message: str) -> None:
    with pytest.raises(ConfigError) as caught:
        schedule.parse_schedule(expression)
    assert str(caught.value) == f"export-schedule {expression!r}: {message}"
    assert caught.value.exit_code == 2


@pytest.mark.parametrize(
    ("expression", "found"),
    [("", "no field"), ("20", "1 field"), ("20 0/8 * * *", "5 fields")],
)
def test_two_fields_exactly(expression: str, found: str) -> None:
    with pytest.raises(ConfigError) as caught:
        schedule.parse_schedule(expression)
    assert str(caught.value) == (
        f"export-schedule {expression!r} has {found}; give two, minutes and "
        "hours, such as '20 0/8'"
    )


def test_skipped_summer_time_hour_runs_an_hour_later() -> None:
    runs = schedule.next_runs("20 2", at("2024-03-30 12:00"), 2, BERLIN)
    assert runs == [at("2024-03-31 01:20"), at("2024-04-01 00:20")]


def test_repeated_winter_time_hour_runs_once() -> None:
    runs = schedule.next_runs("20 2", at("2024-10-26 12:00"), 2, BERLIN)
    assert runs == [at("2024-10-27 00:20"), at("2024-10-28 01:20")]


def test_local_zone_follows_tz(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("TZ", "America/New_York")
    assert schedule.local_zone() == ZoneInfo("America/New_York")


@pytest.mark.parametrize(
    ("expression", "first", "minutes"),
    [
        ("20 0/8", "00:20", 480),
        ("*/30 *", "00:00", 30),
        ("0,10 *", "00:00", 10),
        ("0 0/23", "23:00", 60),
        ("0 0", "00:00", 1440),
    ],
)
def test_shortest_gap(expression: str, first: str, minutes: int) -> None:
    gap = schedule.shortest_gap(expression)
    assert f"{gap.first:%H:%M}" == first
    assert gap.length == dt.timedelta(minutes=minutes)


@pytest.mark.parametrize(("expression", "warn"), [("*/30 *", False), ("0,10 *", True)])
def test_preview_flags_runs_closer_than_30_minutes(expression: str, warn: bool) -> None:
    found = schedule.preview(expression, at("2024-01-01 00:00"), 3, UTC)
    assert found.too_frequent is warn
    assert len(found.runs) == 3


@pytest.mark.parametrize(
    ("now", "last_run", "due"),
    [
        ("2024-01-01 00:20:01", None, True),
        ("2024-01-01 00:19:59", None, False),
        ("2024-01-01 01:30:00", None, False),
        ("2024-01-01 00:25:00", "2024-01-01 00:20:01", False),
        ("2024-01-01 08:20:00", "2024-01-01 00:20:01", True),
        ("2024-01-03 09:00:00", "2024-01-01 16:20:01", True),
        ("2024-01-01 00:21:00", "2024-01-02 00:00:00", True),
    ],
    ids=[
        "first-tick",
        "before",
        "outside-window",
        "already-run",
        "next-time",
        "catch-up-after-pause",
        "last-run-in-future",
    ],
)
def test_is_due(now: str, last_run: str | None, due: bool) -> None:
    last = at(last_run) if last_run else None
    assert schedule.is_due("20 0/8", at(now), 3600, last, UTC) is due


def test_crontab_every_five_minutes_exports_once_per_time(tmp_path: Path) -> None:
    settings = Settings(run_export=True, output_directory=tmp_path)
    tick, exports = at("2024-01-01 00:00:02"), []
    while tick < at("2024-01-03 00:00"):
        if schedule.should_run_now(settings, tick, zone=UTC):
            schedule.record_run(settings, tick)
            exports.append(tick)
        tick += dt.timedelta(minutes=5)
    assert hhmm(exports) == ["00:20", "08:20", "16:20"] * 2


def test_configured_time_zone_rules_over_tz(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("TZ", "America/New_York")
    settings = Settings(
        run_export=True, output_directory=tmp_path, schedule_time_zone="Asia/Tokyo"
    )
    assert schedule.schedule_zone(settings) == ZoneInfo("Asia/Tokyo")
    assert schedule.schedule_zone(Settings()) == ZoneInfo("America/New_York")
    # "20 0/8" in Tokyo (UTC+9): 00:20, 08:20 and 16:20 there are 15:20,
    # 23:20 and 07:20 UTC. The first check comes over an hour after 23:20.
    tick, exports = at("2024-01-01 00:30:02"), []
    while tick < at("2024-01-02 00:00"):
        if schedule.should_run_now(settings, tick):
            schedule.record_run(settings, tick)
            exports.append(tick)
        tick += dt.timedelta(minutes=5)
    assert hhmm(exports) == ["07:20", "15:20", "23:20"]


def test_no_scheduled_export_while_run_export_is_false(tmp_path: Path) -> None:
    settings = Settings(run_export=False, output_directory=tmp_path)
    assert not schedule.should_run_now(settings, at("2024-01-01 00:20:01"), zone=UTC)


def test_record_run_round_trip(tmp_path: Path) -> None:
    settings = Settings(output_directory=tmp_path / "out")
    schedule.record_run(settings, at("2024-01-01 00:20:01"))
    path = tmp_path / "out" / ".gim" / "schedule-last-run"
    assert path.read_text() == "2024-01-01T00:20:01+00:00\n"
    assert path.stat().st_mode & 0o777 == 0o600
    assert schedule.read_last_run(tmp_path / "out") == at("2024-01-01 00:20:01")


def test_unreadable_last_run_is_ignored(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    schedule.last_run_path(tmp_path).parent.mkdir(parents=True)
    schedule.last_run_path(tmp_path).write_text("yesterday\n")
    assert schedule.read_last_run(tmp_path) is None
    assert "ignoring unreadable" in caplog.text


# The scheduler under a fake clock.


class FakeClock:
    """Time that moves only when the scheduler sleeps; sets stop at the end."""

    def __init__(
        self,
        start: dt.datetime,
        end: dt.datetime,
        on_sleep: Callable[[dt.datetime], None] | None = None,
    ) -> None:
        self.time, self.end, self.on_sleep = start, end, on_sleep

    def now(self) -> dt.datetime:
        return self.time

    def sleep(self, seconds: float, stop: threading.Event) -> None:
        self.time += dt.timedelta(seconds=seconds)
        if self.on_sleep:
            self.on_sleep(self.time)
        if self.time >= self.end:
            stop.set()


def write_config(
    path: Path, run_export: bool, expression: str, time_zone: str = ""
) -> None:
    """Write a configuration file and make sure its mtime moves."""
    stamp = path.stat().st_mtime_ns + 10**9 if path.exists() else None
    path.write_text(
        f"[schedule]\nrun-export = {str(run_export).lower()}\n"
        f'export-schedule = "{expression}"\ntime-zone = "{time_zone}"\n'
        f'[infomart]\nconnection = "dbname=unused"\n'
    )
    if stamp is not None:
        os.utime(path, ns=(stamp, stamp))


def day_clock(on_sleep: Callable[[dt.datetime], None] | None = None) -> FakeClock:
    """A fake clock over 2024-01-01, from midnight to midnight, in UTC."""
    return FakeClock(at("2024-01-01 00:00"), at("2024-01-02 00:00"), on_sleep)


def run(
    settings: Settings, export: Callable[[Settings], object], clock: FakeClock
) -> None:
    schedule.run(settings, export, threading.Event(), clock, UTC)


@pytest.fixture(autouse=True)
def _info_logs(caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.INFO, logger="gim_export")


def test_scheduler_fires_at_each_scheduled_time() -> None:
    clock, calls = day_clock(), []
    run(Settings(run_export=True), lambda _: calls.append(clock.now()), clock)
    assert hhmm(calls) == ["00:20", "08:20", "16:20"]


def test_scheduler_survives_failed_exports(caplog: pytest.LogCaptureFixture) -> None:
    failures = iter([RuntimeError("disk on fire"), GimExportError("no database")])
    calls: list[str] = []

    def export(settings: Settings) -> None:
        calls.append(settings.export_schedule)
        error = next(failures, None)
        if error:
            raise error

    run(Settings(run_export=True), export, day_clock())
    assert len(calls) == 3
    assert "scheduled export failed unexpectedly" in caplog.text
    assert "scheduled export failed: no database" in caplog.text


def test_scheduler_rereads_changed_configuration(tmp_path: Path) -> None:
    path = tmp_path / "gimexport.toml"
    write_config(path, True, "10 0/8")
    clock, calls = day_clock(), []

    def export(settings: Settings) -> None:
        calls.append(f"{clock.now():%H:%M} {settings.export_schedule}")
        write_config(path, True, "30 9/8")

    run(load_settings(path), export, clock)
    assert calls == ["00:10 10 0/8", "09:30 30 9/8", "17:30 30 9/8"]


def test_scheduler_follows_a_changed_time_zone(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    path = tmp_path / "gimexport.toml"
    write_config(path, True, "20 0/8", "UTC")
    clock, calls = day_clock(), []

    def export(settings: Settings) -> None:
        calls.append(clock.now())
        write_config(path, True, "20 0/8", "Asia/Tokyo")

    schedule.run(load_settings(path), export, threading.Event(), clock)
    assert hhmm(calls) == ["00:20", "07:20", "15:20", "23:20"]
    assert "export-schedule '20 0/8' in time zone UTC" in caplog.text
    assert "time zone Asia/Tokyo" in caplog.text


def test_scheduler_keeps_settings_when_changed_file_is_bad(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    path = tmp_path / "gimexport.toml"
    write_config(path, True, "20 0/8")
    clock, calls = day_clock(), []

    def export(settings: Settings) -> None:
        calls.append(clock.now())
        write_config(path, True, "60 *")

    run(load_settings(path), export, clock)
    assert hhmm(calls) == ["00:20", "08:20", "16:20"]
    assert "minutes field '60' is out of range 0-59" in caplog.text


def test_scheduler_idles_while_run_export_is_false(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    path = tmp_path / "gimexport.toml"
    write_config(path, False, "20 0/8")
    clock, calls = day_clock(), []
    run(load_settings(path), lambda _: calls.append(clock.now()), clock)
    assert calls == []
    assert "run-export is false; the scheduler idles" in caplog.text


def test_scheduler_starts_when_run_export_turns_true(tmp_path: Path) -> None:
    path = tmp_path / "gimexport.toml"
    write_config(path, False, "20 0/8")

    def switch_on_at_noon(now: dt.datetime) -> None:
        if now == at("2024-01-01 12:00"):
            write_config(path, True, "20 0/8")

    clock, calls = day_clock(switch_on_at_noon), []
    run(load_settings(path), lambda _: calls.append(clock.now()), clock)
    assert hhmm(calls) == ["16:20"]


def test_scheduler_stops_after_the_current_export() -> None:
    stop = threading.Event()
    clock = FakeClock(at("2024-01-01 00:00"), at("2024-01-09 00:00"))
    calls: list[dt.datetime] = []

    def export(settings: Settings) -> None:
        calls.append(clock.now())
        stop.set()

    schedule.run(Settings(run_export=True), export, stop, clock, UTC)
    assert hhmm(calls) == ["00:20"]


def test_scheduler_skips_a_time_an_export_overran(
    caplog: pytest.LogCaptureFixture,
) -> None:
    clock, calls = day_clock(), []

    def slow_export(settings: Settings) -> None:
        calls.append(clock.now())
        clock.time += dt.timedelta(hours=9)

    run(Settings(run_export=True), slow_export, clock)
    assert hhmm(calls) == ["00:20", "16:20"]
    assert "ran past the run scheduled for 2024-01-01 08:20:00 UTC" in caplog.text


def test_scheduler_refuses_a_bad_schedule_at_start() -> None:
    with pytest.raises(ConfigError, match="hours field '24' is out of range"):
        run(Settings(run_export=True, export_schedule="5 24"), print, day_clock())


def test_scheduler_logs_each_run(caplog: pytest.LogCaptureFixture) -> None:
    run(Settings(run_export=True), lambda _: None, day_clock())
    assert "starting the export scheduled for 2024-01-01 08:20:00 UTC" in caplog.text
    assert "scheduled export finished in 0.0 s" in caplog.text
