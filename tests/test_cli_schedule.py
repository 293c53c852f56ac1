"""The schedule and run commands: output, exit codes and stop signals."""

from __future__ import annotations

import datetime as dt
import os
import signal
import subprocess
import sys
import threading
from pathlib import Path

import pytest
from click.testing import CliRunner

from gim_export import schedule
from gim_export.cli import cli
from gim_export.cli.schedule import _Abandoned, _stop_on_signals
from gim_export.config import Settings

REPO = Path(__file__).resolve().parents[1]


@pytest.fixture
def runner() -> CliRunner:
    return CliRunner(env={"TZ": "Europe/Berlin"})


def config(tmp_path: Path, run_export: bool, expression: str) -> Path:
    path = tmp_path / "gimexport.toml"
    path.write_text(
        f"[schedule]\nrun-export = {str(run_export).lower()}\n"
        f'export-schedule = "{expression}"\n'
        '[infomart]\nconnection = "dbname=unused"\n'
    )
    return path


def test_schedule_shows_utc_and_local_time(runner: CliRunner) -> None:
    args = ["schedule", "-e", "20 0/8", "-n", "3", "--after", "2024-01-01 00:00"]
    result = runner.invoke(cli, args)
    assert result.exit_code == 0
    assert result.output == (
        "next 3 runs of export-schedule '20 0/8' (local time: Europe/Berlin)\n"
        "UTC               local\n"
        "2023-12-31 23:20  2024-01-01 00:20 CET\n"
        "2024-01-01 07:20  2024-01-01 08:20 CET\n"
        "2024-01-01 15:20  2024-01-01 16:20 CET\n"
    )


@pytest.mark.parametrize(
    ("expression", "message"),
    [
        ("60 *", "minutes field '60' is out of range 0-59"),
        ("5 24", "hours field '24' is out of range 0-23"),
        ("*/0 *", "minutes field '*/0' has step 0; a step must be 1 or more"),
    ],
)
def test_schedule_rejects_a_bad_field(
    runner: CliRunner, expression: str, message: str
) -> None:
    result = runner.invoke(cli, ["schedule", "-e", expression])
    assert result.exit_code == 2
    assert result.output == f"Error: export-schedule {expression!r}: {message}\n"


def test_schedule_rejects_five_fields(runner: CliRunner) -> None:
    result = runner.invoke(cli, ["schedule", "-e", "20 0/8 * * *"])
    assert result.exit_code == 2
    assert result.output == (
        "Error: export-schedule '20 0/8 * * *' has 5 fields; "
        "give two, minutes and hours, such as '20 0/8'\n"
    )


@pytest.mark.parametrize(
    ("expression", "warning"),
    [
        ("*/30 *", None),
        (
            "0,10 9-17",
            "warning: runs at 09:00 and 09:10 are 10 minutes apart; "
            "export no more often than every 30 minutes",
        ),
    ],
)
def test_schedule_warns_about_close_runs(
    runner: CliRunner, expression: str, warning: str | None
) -> None:
    result = runner.invoke(cli, ["schedule", "-e", expression, "-n", "1"])
    assert result.exit_code == 0
    warnings = [line for line in result.output.splitlines() if "warning" in line]
    assert warnings == ([warning] if warning else [])


def test_schedule_reads_the_configuration(runner: CliRunner, tmp_path: Path) -> None:
    path = config(tmp_path, False, "15 6")
    args = ["--config", str(path), "schedule", "-n", "1", "--after", "2024-07-01"]
    result = runner.invoke(cli, args)
    assert result.exit_code == 0
    assert result.output.splitlines()[2:] == [
        "2024-07-01 04:15  2024-07-01 06:15 CEST",
        "warning: run-export is false; nothing runs until it is true",
    ]


def test_schedule_reads_in_the_configured_time_zone(
    runner: CliRunner, tmp_path: Path
) -> None:
    path = config(tmp_path, True, "15 6")
    path.write_text(
        path.read_text().replace("[schedule]\n", '[schedule]\ntime-zone = "UTC"\n')
    )
    args = ["--config", str(path), "schedule", "-n", "1", "--after", "2024-07-01"]
    for expression in ([], ["-e", "15 6"]):
        result = runner.invoke(cli, args + expression)
        assert result.exit_code == 0
        assert result.output.splitlines() == [
            "next 1 runs of export-schedule '15 6' (local time: UTC)",
            "UTC               local",
            "2024-07-01 06:15  2024-07-01 06:15 UTC",
        ]


def test_schedule_needs_a_time_for_after(runner: CliRunner) -> None:
    result = runner.invoke(cli, ["schedule", "-e", "20 0/8", "--after", "soon"])
    assert result.exit_code == 2
    assert "Invalid value for '--after': 'soon' is not a time" in result.output


def test_run_refuses_a_bad_schedule(runner: CliRunner, tmp_path: Path) -> None:
    path = config(tmp_path, True, "5 24")
    result = runner.invoke(cli, ["--config", str(path), "run"])
    assert result.exit_code == 2
    assert result.output == (
        "Error: export-schedule '5 24': hours field '24' is out of range 0-23\n"
    )


def test_run_idles_and_stops_on_sigterm(tmp_path: Path) -> None:
    path = config(tmp_path, False, "20 0/8")
    command = [sys.executable, "-c", "from gim_export.cli import cli; cli()"]
    command += ["-v", "--config", str(path), "run"]
    env = {**os.environ, "PYTHONPATH": str(REPO)}
    with subprocess.Popen(command, env=env, stderr=subprocess.PIPE, text=True) as run:
        assert run.stderr is not None
        lines = [run.stderr.readline(), run.stderr.readline()]
        assert "run-export is false; the scheduler idles" in lines[1]

        run.send_signal(signal.SIGTERM)
        assert run.wait(timeout=10) == 0
        rest = run.stderr.read()
    assert "SIGTERM received; the scheduler stops when no export runs" in rest
    assert rest.rstrip().endswith("INFO gim_export.schedule: scheduler stopped")


class _Ticks:
    """A clock that moves one minute per sleep."""

    def __init__(self) -> None:
        self.time = dt.datetime(2024, 1, 1, tzinfo=dt.UTC)

    def now(self) -> dt.datetime:
        return self.time

    def sleep(self, seconds: float, stop: threading.Event) -> None:
        self.time += dt.timedelta(seconds=seconds)


def run_with_signals(signals: int) -> list[bool]:
    """Run the scheduler; its one export sends itself SIGTERM `signals` times."""
    stop, seen = threading.Event(), []

    def export(settings: Settings) -> None:
        for _ in range(signals):
            os.kill(os.getpid(), signal.SIGTERM)
        seen.append(stop.is_set())

    with _stop_on_signals(stop):
        settings = Settings(run_export=True, export_schedule="* *")
        schedule.run(settings, export, stop, _Ticks(), dt.UTC)
    return seen


def test_first_sigterm_lets_the_export_finish() -> None:
    assert run_with_signals(1) == [True]


def test_second_sigterm_abandons_the_export() -> None:
    before = signal.getsignal(signal.SIGTERM)
    with pytest.raises(_Abandoned):
        run_with_signals(2)
    assert signal.getsignal(signal.SIGTERM) is before


DOCS = (REPO / "docs" / "scheduling.md").read_text(encoding="utf-8")


@pytest.mark.parametrize(
    "line",
    [line for line in DOCS.splitlines() if line.startswith("Error: export-schedule")],
)
def test_documented_errors_are_exact(runner: CliRunner, line: str) -> None:
    expression = line.split("'")[1]
    result = runner.invoke(cli, ["schedule", "-e", expression])
    assert (result.exit_code, result.output) == (2, line + "\n")


def test_documented_example_is_exact(runner: CliRunner) -> None:
    block = DOCS.split("$ TZ=Europe/Berlin gimexport schedule ")[1].split("```")[0]
    command, expected = block.split("\n", 1)
    args = ["schedule", "-e", "20 0/8", "-n", "3", "--after", "2024-01-01 00:00"]
    assert command == '-e "20 0/8" -n 3 --after "2024-01-01 00:00"'
    assert runner.invoke(cli, args).output == expected
