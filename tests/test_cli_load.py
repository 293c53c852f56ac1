"""gimexport load and target-ddl as a user runs them: output and exit codes."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
from click.testing import CliRunner

from gim_export import target
from gim_export.cli import cli
from tests.test_load import chain, small_target  # noqa: F401  (fixtures)


def run(*args: str) -> tuple[int, str, str]:
    result = CliRunner().invoke(cli, list(args))
    return result.exit_code, result.stdout, result.stderr


def test_load_prints_a_line_per_folder_and_rows_per_table(
    chain: list[Path],  # noqa: F811
    small_target: str,  # noqa: F811
) -> None:
    code, out, err = run("-q", "load", str(chain[0].parent), "--target", small_target)
    assert (code, err) == (0, "")
    a, b, c = (folder.name for folder in chain)
    assert out == (
        f"loaded   {a}  regular  0..100  first  1 tables  1 rows  1 inserted  "
        "0 updated\n"
        f"loaded   {b}  regular  100..200  linked  2 tables  3 rows  2 inserted  "
        "1 updated\n"
        f"loaded   {c}  regular  200..300  linked  1 tables  1 rows  1 inserted  "
        "0 updated\n"
        "table         rows   inserted    updated  unchanged\n"
        "contact          4          3          1          0\n"
        "tag              1          1          0          0\n"
        "3 folders loaded, 0 already loaded: 4 rows inserted, 1 updated\n"
    )


def test_second_load_says_every_folder_was_loaded_before(
    chain: list[Path],  # noqa: F811
    small_target: str,  # noqa: F811
) -> None:
    run("-q", "load", str(chain[0].parent), "--target", small_target)
    code, out, _ = run("-q", "load", str(chain[0].parent), "--target", small_target)
    assert code == 0
    assert out.splitlines() == [
        f"skipped  {chain[0].name}  regular  0..100  in ledger",
        f"skipped  {chain[1].name}  regular  100..200  in ledger",
        f"skipped  {chain[2].name}  regular  200..300  in ledger",
        "0 folders loaded, 3 already loaded: 0 rows inserted, 0 updated",
    ]


def test_load_json(chain: list[Path], small_target: str) -> None:  # noqa: F811
    code, out, _ = run(
        "-q", "load", str(chain[0].parent), "--target", small_target, "--json"
    )
    assert code == 0
    report = json.loads(out)
    assert report["ledger"] == "public.gimexport_ledger"
    assert [f["status"] for f in report["folders"]] == ["loaded"] * 3
    assert report["totals"][0] == {
        "table": "contact",
        "rows": 4,
        "inserted": 3,
        "updated": 1,
        "unchanged": 0,
    }


def test_gap_fails_with_one_line_after_what_was_loaded(
    chain: list[Path],  # noqa: F811
    small_target: str,  # noqa: F811
) -> None:
    shutil.rmtree(chain[1])
    code, out, err = run("-q", "load", str(chain[0].parent), "--target", small_target)
    assert code == 1
    assert out.startswith(f"loaded   {chain[0].name}  regular  0..100  first")
    assert err == (
        f"Error: gap: audit keys 101..200 are missing (between folder "
        f"{chain[0].name} and folder {chain[2].name})\n"
    )


def test_unreachable_target_fails_without_its_password(
    chain: list[Path],  # noqa: F811
) -> None:
    dsn = "host=127.0.0.1 port=1 dbname=dwh user=loader password=s3cr3t"
    code, _, err = run("-q", "load", str(chain[0].parent), "--target", dsn)
    assert code == 1
    assert err == (
        "Error: cannot connect to 'dbname=dwh host=127.0.0.1 port=1 user=loader': "
        "Connection refused\n"
    )


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--partitioned"], "--partitioned goes with --create-schema"),
        (["--ledger", "a.b.c"], "ledger 'a.b.c' is not NAME or SCHEMA.NAME"),
    ],
    ids=["partitioned-alone", "bad-ledger"],
)
def test_load_usage_errors(
    chain: list[Path],  # noqa: F811
    small_target: str,  # noqa: F811
    args: list[str],
    message: str,
) -> None:
    code, _, err = run("load", str(chain[0].parent), "--target", small_target, *args)
    assert code == 2
    assert err.endswith(f"Error: {message}\n")


def test_load_needs_a_target(tmp_path: Path) -> None:
    code, _, err = run("load", str(tmp_path))
    assert code == 2
    assert "Missing option '--target'" in err


def test_target_ddl_reference_prints_the_shipped_script(empty_db: str) -> None:
    code, out, _ = run("target-ddl", "--reference", "--dsn", empty_db)
    assert code == 0
    assert out == target.shipped_script()


def test_target_ddl_from_folder_needs_no_configuration(
    chain: list[Path],  # noqa: F811
) -> None:
    code, out, _ = run("target-ddl", "--from-folder", str(chain[0].parent))
    assert code == 0
    assert out.startswith(
        "-- Target schema for data exported by gimexport: 2 tables, plain layout.\n"
    )


def test_target_ddl_takes_one_source(chain: list[Path]) -> None:  # noqa: F811
    code, _, err = run(
        "target-ddl", "--reference", "--from-folder", str(chain[0].parent)
    )
    assert code == 2
    assert err.endswith(
        "Error: --from-folder does not go with --from-* or --reference\n"
    )


def test_target_ddl_from_the_infomart_needs_a_connection(tmp_path: Path) -> None:
    code, _, err = run("--config", str(tmp_path / "none.toml"), "target-ddl")
    assert code == 2
    assert err.startswith("Error: configuration file ")


def test_load_creates_the_schema_of_the_exported_folders(
    infomart_dsn: str, empty_db: str, tmp_path: Path
) -> None:
    from gim_export.exporter import export
    from tests.exporting import exported_tables, settings_for, table_differences

    export(settings_for(infomart_dsn, tmp_path / "out"), catch_up=True)
    args = ["-q", "load", str(tmp_path / "out"), "--target", empty_db]
    code, out, _ = run(*args, "--create-schema", "--partitioned")
    assert code == 0
    assert out.splitlines()[-1].startswith("6 folders loaded, 0 already loaded: ")
    tables = exported_tables(infomart_dsn)
    assert table_differences(infomart_dsn, empty_db, tables) == {}


def test_terminal_progress_keeps_folders_and_drops_tables() -> None:
    from gim_export.cli.target import LoadProgress

    progress = LoadProgress()
    for folder in ("export_1", "export_2"):
        progress.start(folder, total=2, unit="tables")
        for table in ("  contact", "  tag"):
            progress.start(table, total=100, unit="bytes")
            progress.advance(table, 100)
            progress.finish(table)
            progress.advance(folder, 1)
        progress.finish(folder)
    shown = progress._display.tasks
    assert [(t.description, t.completed, t.total) for t in shown] == [
        ("export_1", 2, 2),
        ("export_2", 2, 2),
    ]


def test_terminal_report_draws_folders_and_tables(
    chain: list[Path],  # noqa: F811
    small_target: str,  # noqa: F811
) -> None:
    import io

    from rich.console import Console

    from gim_export.cli.target import report_tables
    from gim_export.load import load

    console = Console(file=io.StringIO(), width=160)
    for table in report_tables(load(chain[0].parent, small_target)):
        console.print(table)
    drawn = console.file.getvalue()  # type: ignore[attr-defined]
    assert chain[2].name in drawn
    assert "│ contact │    4 │        3 │       1 │         0 │" in drawn


def test_damaged_folder_fails_after_what_was_loaded(
    chain: list[Path],  # noqa: F811
    small_target: str,  # noqa: F811
) -> None:
    from tests.chain_fixtures import flip_zip_byte

    flip_zip_byte(chain)
    code, out, err = run("-q", "load", str(chain[0].parent), "--target", small_target)
    assert code == 1
    assert out.splitlines()[0].startswith(f"loaded   {chain[0].name}  ")
    assert err.startswith(
        f"Error: {chain[1].name} failed verification: zip-sha1-mismatch: "
    )
    assert err.endswith("; nothing of it was loaded\n")
    assert err.count("\n") == 1
