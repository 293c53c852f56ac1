"""``gimexport verify-chain``: exact output and exit codes."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
from click.testing import CliRunner, Result
from rich.console import Console

from gim_export.chain import verify_chain
from gim_export.cli import cli
from gim_export.cli.chain import report_tables
from tests.chain_fixtures import add_zip_entry, build_chain, flip_csv_byte


def run(*args: str) -> Result:
    """Invoke the command as a script would (not on a terminal)."""
    return CliRunner().invoke(cli, ["verify-chain", *args])


def test_intact_chain(tmp_path: Path) -> None:
    names = [folder.name for folder in build_chain(tmp_path, count=3)]
    result = run(str(tmp_path))
    assert result.exit_code == 0
    assert result.stdout.splitlines() == [
        f"ok      {names[0]}  regular  13..100  2 tables  4 rows  first",
        f"ok      {names[1]}  regular  100..200  2 tables  4 rows  linked",
        f"ok      {names[2]}  regular  200..300  2 tables  4 rows  linked",
        "3 folders verified, no problem",
    ]
    assert result.stderr == ""


def test_every_problem_one_line_then_exit_1(tmp_path: Path) -> None:
    folders = build_chain(tmp_path, count=4)
    names = [folder.name for folder in folders]
    flip_csv_byte(folders)
    shutil.rmtree(folders[2])
    result = run(str(tmp_path))
    lines = result.stdout.splitlines()
    assert result.exit_code == 1
    assert lines[:3] == [
        f"ok      {names[0]}  regular  13..100  2 tables  4 rows  first",
        f"FAILED  {names[1]}  regular  100..200  2 tables  4 rows  linked",
        f"FAILED  {names[3]}  regular  300..400  2 tables  4 rows  gap",
    ]
    assert lines[3].startswith(
        f"{names[1]}: csv-sha1-mismatch: interaction_fact.csv has SHA-1 "
    )
    assert lines[4:] == [
        f"{names[3]}: gap: hwm-from 300 does not follow hwm-to 200 of {names[1]}: "
        "the audit keys after 200 up to 300 are missing"
    ]
    assert result.stderr == (
        f"Error: 2 problems in 2 of 3 folders under {str(tmp_path)!r}\n"
    )


@pytest.mark.parametrize("damaged", [False, True], ids=["intact", "damaged"])
def test_json_for_scripts(tmp_path: Path, damaged: bool) -> None:
    folders = build_chain(tmp_path, count=3)
    if damaged:
        add_zip_entry("/etc/passwd.csv")(folders)
    result = run(str(tmp_path), "--json")
    report = json.loads(result.stdout)
    assert result.exit_code == (1 if damaged else 0)
    assert report["ok"] is not damaged
    assert [f["name"] for f in report["folders"]] == [f.name for f in folders]
    assert set(report["folders"][0]) == {
        "name", "kind", "hwm_from", "hwm_to", "max_data_ts",
        "tables", "rows", "link", "status", "note",
    }  # fmt: skip
    assert [(p["folder"], p["kind"], p["file"]) for p in report["problems"]] == (
        [(folders[1].name, "hostile-entry", "/etc/passwd.csv")] if damaged else []
    )


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["{dir}/nowhere"], "Directory '{dir}/nowhere' does not exist."),
        (
            ["{dir}", "--since", "yesterday"],
            "--since 'yesterday' is not an export folder name "
            "(export_<HWM>_<YYYY_MM_DD_HH_MI_SS>) nor 'last'",
        ),
        (
            ["{dir}", "--since", "last"],
            "no remembered position in '{dir}'; "
            "verify once with --remember, or pass --since FOLDER",
        ),
    ],
    ids=["no-directory", "bad-since", "nothing-remembered"],
)
def test_bad_usage_exits_2(tmp_path: Path, args: list[str], message: str) -> None:
    build_chain(tmp_path, count=1)
    result = run(*(arg.format(dir=tmp_path) for arg in args))
    assert result.exit_code == 2
    assert result.stderr.rstrip("\n").endswith(message.format(dir=tmp_path))


def test_remember_then_since_last(tmp_path: Path) -> None:
    folders = build_chain(tmp_path, count=2)
    first = run(str(tmp_path), "--remember")
    assert first.stdout.splitlines()[-1] == f"remembered {folders[1].name} as verified"
    newer = build_chain(tmp_path / "more", count=3)[2]
    newer.rename(tmp_path / newer.name)
    shutil.rmtree(tmp_path / "more")
    second = run(str(tmp_path), "--since", "last", "--remember")
    assert second.exit_code == 0
    assert second.stdout.splitlines() == [
        f"ok      {newer.name}  regular  200..300  2 tables  4 rows  linked",
        "1 folder verified, no problem",
        f"remembered {newer.name} as verified",
    ]
    third = run(str(tmp_path), "--since", "last")
    assert third.stdout == f"no folder after {newer.name}, nothing new to verify\n"


def test_terminal_tables_show_names_as_text(tmp_path: Path) -> None:
    folders = build_chain(tmp_path, count=3)
    add_zip_entry("[bold]x[/bold]/../../y.csv")(folders)
    console = Console(record=True, width=400, force_terminal=False)
    for table in report_tables(verify_chain(tmp_path)):
        console.print(table)
    text = console.export_text()
    assert "[bold]x[/bold]/../../y.csv" in text
    assert "hostile-entry" in text and "failed" in text


def test_help_names_the_exit_codes() -> None:
    result = CliRunner().invoke(cli, ["verify-chain", "--help"])
    assert result.exit_code == 0
    words = " ".join(result.stdout.split())
    assert "0 when all is well, 1 when a problem was found, 2 for bad usage" in words
