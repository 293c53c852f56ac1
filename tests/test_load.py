"""load: folders merged into a target by primary key, once, in chain order."""

from __future__ import annotations

import csv
import datetime as dt
import io
import shutil
import subprocess
from collections.abc import Iterator
from pathlib import Path

import psycopg
import pytest
from psycopg import sql

from gim_export import control, package, sample, target
from gim_export.exporter import export
from gim_export.infomart import Column, Table, list_tables
from gim_export.load import ChainGap, LoadError, LoadReport, load, merge_csv
from gim_export.package import Metadata, TableEntry
from tests.chain_fixtures import flip_csv_byte, flip_zip_byte
from tests.conftest import Server
from tests.exporting import exported_tables, folders, settings_for, table_differences

START_TS = 1767225600  # 2026-01-01 00:00:00 UTC
DAY = 86400

# The small target the hand-made folders load into.
SMALL_TARGET = """
CREATE TABLE contact (
    id integer PRIMARY KEY,
    name varchar(40) NOT NULL,
    note text,
    create_audit_key numeric(19) NOT NULL,
    update_audit_key numeric(19) NOT NULL
);
CREATE TABLE tag (
    id integer PRIMARY KEY,
    label varchar(20),
    create_audit_key numeric(19) NOT NULL
);
"""
CONTACT = ("id", "name", "note", "create_audit_key", "update_audit_key")
TAG = ("id", "label", "create_audit_key")

Rows = list[tuple[str | None, ...]]


def csv_bytes(columns: tuple[str, ...], rows: Rows, encoding: str = "utf-8") -> bytes:
    """A CSV as the exporter writes it: None unquoted, '' quoted."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n", quoting=csv.QUOTE_MINIMAL)
    writer.writerow(columns)
    for row in rows:
        fields = ['""' if v == "" else "" if v is None else v for v in row]
        out.write(",".join(f if f in ('""', "") else _quoted(f) for f in fields) + "\n")
    return out.getvalue().encode(encoding)


def _quoted(value: str) -> str:
    if any(c in value for c in ',"\n\r') or value != value.strip():
        return '"' + value.replace('"', '""') + '"'
    return value


def write_folder(
    output: Path,
    hwm_from: int,
    hwm_to: int,
    tables: dict[str, tuple[tuple[str, ...], Rows]],
    *,
    kind: str = "regular",
    re_export: int | None = None,
    restart: int | None = None,
    encoding: str = "utf-8",
    details: tuple[tuple[str, tuple[tuple[str, str], ...]], ...] = (),
) -> Path:
    """Write and publish a folder of hand-made rows, as the exporter would."""
    max_data_ts = START_TS + hwm_to * 60
    name = package.folder_name(hwm_to, max_data_ts, re_export, restart)
    created = dt.datetime.fromtimestamp(max_data_ts + 60, dt.UTC)
    writer = package.FolderWriter(output / ".gim" / "staging", name, created)
    entries = []
    for table, (columns, rows) in tables.items():
        data = csv_bytes(columns, rows, encoding)
        checksum, _ = writer.add_table(table, columns, [data])
        entries.append(TableEntry(table, f"{table}.csv", len(rows), checksum, columns))
    if kind == "re-export" and not details:
        details = (("re-export", (("of-folder", name), ("span-from", "0"))),)
    writer.finish(
        Metadata(
            created_ts=max_data_ts + 60,
            gim_schema_version="8.5.116.20",
            max_data_ts=max_data_ts,
            hwm_from=hwm_from,
            hwm_from_created_ts=max_data_ts - 3600,
            hwm_to=hwm_to,
            hwm_to_created_ts=max_data_ts,
            data_from_ts=max_data_ts - 3600,
            encoding=encoding,
            tables=tuple(entries),
            kind=kind,
            details=details,
        )
    )
    output.mkdir(parents=True, exist_ok=True)
    return package.publish(writer.directory, output)


def contact(
    key: int, name: str, audit: int, note: str | None = None
) -> tuple[str | None, ...]:
    return (str(key), name, note, str(audit), str(audit))


@pytest.fixture
def small_target(empty_db: str) -> str:
    with psycopg.connect(empty_db, autocommit=True) as conn:
        conn.execute(SMALL_TARGET)
    return empty_db


@pytest.fixture
def chain(tmp_path: Path) -> list[Path]:
    """Three linked folders: contacts created, then updated, then a tag."""
    out = tmp_path / "received"
    return [
        write_folder(out, 0, 100, {"contact": (CONTACT, [contact(1, "Ada", 100)])}),
        write_folder(
            out,
            100,
            200,
            {
                "contact": (
                    CONTACT,
                    [contact(1, "Ada L.", 150), contact(2, "Bo", 200)],
                ),
                "tag": (TAG, [("1", "vip", "180")]),
            },
        ),
        write_folder(out, 200, 300, {"contact": (CONTACT, [contact(3, "Cy", 300)])}),
    ]


def rows(dsn: str, table: str) -> list[tuple[object, ...]]:
    with psycopg.connect(dsn) as conn:
        query = sql.SQL("SELECT * FROM {} ORDER BY 1").format(sql.Identifier(table))
        return conn.execute(query).fetchall()


def ledger(dsn: str) -> list[tuple[object, ...]]:
    with psycopg.connect(dsn) as conn:
        return conn.execute(
            "SELECT folder, kind, hwm_from, hwm_to, chain_hwm "
            "FROM gimexport_ledger ORDER BY loaded_seq"
        ).fetchall()


def counts(report: LoadReport) -> dict[str, tuple[int, int, int]]:
    return {t.table: (t.rows, t.inserted, t.updated) for t in report.totals()}


# ----------------------------------------------------------------------------
# Folders made by hand


def test_load_merges_in_order_and_records_each_folder(
    chain: list[Path], small_target: str
) -> None:
    report = load(chain[0].parent, small_target)
    assert [f.link for f in report.folders] == ["first", "linked", "linked"]
    assert counts(report) == {"contact": (4, 3, 1), "tag": (1, 1, 0)}
    assert [r[1] for r in rows(small_target, "contact")] == ["Ada L.", "Bo", "Cy"]
    assert ledger(small_target) == [
        (chain[0].name, "regular", 0, 100, 100),
        (chain[1].name, "regular", 100, 200, 200),
        (chain[2].name, "regular", 200, 300, 300),
    ]


def test_second_load_skips_every_folder(chain: list[Path], small_target: str) -> None:
    load(chain[0].parent, small_target)
    before = rows(small_target, "contact")
    again = load(chain[0].parent, small_target)
    assert [f.status for f in again.folders] == ["skipped"] * 3
    assert again.totals() == []
    assert (
        again.summary()
        == "0 folders loaded, 3 already loaded: 0 rows inserted, 0 updated"
    )
    assert rows(small_target, "contact") == before


def test_gap_stops_the_load_naming_the_missing_keys(
    chain: list[Path], small_target: str
) -> None:
    held = chain[1].rename(chain[0].parent.parent / chain[1].name)
    with pytest.raises(ChainGap) as caught:
        load(chain[0].parent, small_target)
    assert str(caught.value) == (
        f"gap: audit keys 101..200 are missing (between folder {chain[0].name} "
        f"and folder {chain[2].name})"
    )
    assert [r[0] for r in ledger(small_target)] == [chain[0].name]
    assert caught.value.report is not None
    assert [f.name for f in caught.value.report.folders] == [chain[0].name]

    held.rename(chain[1])
    report = load(chain[0].parent, small_target)
    assert [f.status for f in report.folders] == ["skipped", "loaded", "loaded"]


def test_allow_gaps_loads_on(chain: list[Path], small_target: str) -> None:
    shutil.rmtree(chain[1])
    report = load(chain[0].parent, small_target, allow_gaps=True)
    assert [f.link for f in report.folders] == ["first", "gap"]


def test_folder_loaded_late_never_rolls_rows_back(
    chain: list[Path], small_target: str, tmp_path: Path
) -> None:
    # The newest folder alone first, then the older ones: they overlap it.
    late = tmp_path / "late"
    late.mkdir()
    shutil.copytree(chain[2], late / chain[2].name)
    shutil.copytree(chain[1], late / chain[1].name)
    load(late, small_target)
    report = load(chain[0].parent, small_target)
    assert [f.link for f in report.folders] == ["overlap", "in ledger", "in ledger"]
    assert rows(small_target, "contact")[0][1:4] == ("Ada L.", None, 150)
    assert ledger(small_target)[-1][4] == 300  # the position did not move back


def restarted(out: Path) -> tuple[Path, Path]:
    """A restart from audit key 50 after the chain: generation 1 repeats keys
    up to 300, its folders named to sort after those they repeat."""
    stream = ("stream", (("generation", "1"),))
    restart = write_folder(
        out,
        50,
        250,
        {"contact": (CONTACT, [contact(1, "Ada (again)", 240)])},
        kind="restart",
        restart=1,
        details=(stream, ("restart", (("from-date", "2026-01-01"),))),
    )
    after = write_folder(
        out, 250, 350, {"tag": (TAG, [("2", "new", "340")])}, details=(stream,)
    )
    return restart, after


def test_restart_folders_merge_between_the_old_generation(
    chain: list[Path], small_target: str
) -> None:
    restart, after = restarted(chain[0].parent)
    report = load(chain[0].parent, small_target)
    assert [(f.name, f.link) for f in report.folders] == [
        (chain[0].name, "first"),
        (chain[1].name, "linked"),
        (restart.name, "restart"),
        (chain[2].name, "overlap"),
        (after.name, "overlap"),
    ]
    assert [r[1] for r in rows(small_target, "contact")] == ["Ada (again)", "Bo", "Cy"]


def test_restart_covers_a_folder_of_the_old_generation(
    chain: list[Path], small_target: str
) -> None:
    shutil.rmtree(chain[1])
    restart, _ = restarted(chain[0].parent)
    report = load(chain[0].parent, small_target)
    assert [f.link for f in report.folders] == [
        "first",
        "restart",
        "overlap",
        "overlap",
    ]


def test_restart_after_a_complete_load(chain: list[Path], small_target: str) -> None:
    load(chain[0].parent, small_target)
    restart, after = restarted(chain[0].parent)
    report = load(chain[0].parent, small_target)
    assert [f.link for f in report.loaded] == ["restart", "overlap"]
    assert ledger(small_target)[-1][4] == 350


def test_re_export_merges_beside_the_chain(
    chain: list[Path], small_target: str
) -> None:
    out = chain[0].parent
    folder = write_folder(
        out,
        0,
        200,
        {"contact": (CONTACT, [contact(1, "Ada L.", 150), contact(2, "Bo", 90)])},
        kind="re-export",
        re_export=1,
    )
    report = load(out, small_target)
    by_name = {f.name: f for f in report.folders}
    assert by_name[folder.name].link == "re-export"
    assert by_name[chain[2].name].link == "linked"
    # Bo's re-exported row is older than the one loaded before: kept.
    assert [r[1] for r in rows(small_target, "contact")] == ["Ada L.", "Bo", "Cy"]
    assert rows(small_target, "contact")[1][3] == 200


@pytest.mark.parametrize("damage", [flip_zip_byte, flip_csv_byte])
def test_damaged_folder_is_not_loaded(
    chain: list[Path], small_target: str, damage: object
) -> None:
    damage(chain)  # type: ignore[operator]
    with pytest.raises(LoadError) as caught:
        load(chain[0].parent, small_target)
    assert str(caught.value).startswith(f"{chain[1].name}")
    assert "nothing of" in str(caught.value)
    assert [r[0] for r in ledger(small_target)] == [chain[0].name]
    assert [r[1] for r in rows(small_target, "contact")] == ["Ada"]
    assert rows(small_target, "tag") == []


def test_failure_rolls_the_whole_folder_back(tmp_path: Path, small_target: str) -> None:
    out = tmp_path / "received"
    folder = write_folder(
        out,
        0,
        100,
        {
            "contact": (CONTACT, [contact(1, "Ada", 100)]),
            "tag": (TAG, [("1", "far too long for twenty characters", "100")]),
        },
    )
    with pytest.raises(LoadError) as caught:
        load(out, small_target)
    assert str(caught.value) == (
        f"{folder.name}: table tag: value too long for type character varying(20) "
        '(COPY gimexport_incoming, line 2, column label: "far too long for twenty '
        'characters")'
    )
    assert rows(small_target, "contact") == []
    assert ledger(small_target) == []


def test_table_missing_from_the_target(tmp_path: Path, small_target: str) -> None:
    out = tmp_path / "received"
    folder = write_folder(out, 0, 100, {"agent": (("id", "create_audit_key"), [])})
    with pytest.raises(LoadError) as caught:
        load(out, small_target)
    assert str(caught.value) == (
        f"{folder.name}: table 'agent' is not in the target schema; create it "
        "with the script `gimexport target-ddl` prints"
    )


def test_tables_that_differ_only_in_case_are_not_guessed(
    tmp_path: Path, small_target: str
) -> None:
    with psycopg.connect(small_target, autocommit=True) as conn:
        create = "CREATE TABLE {} (id integer PRIMARY KEY, create_audit_key int)"
        for name in ("Agent", "AGENT"):
            conn.execute(sql.SQL(create).format(sql.Identifier(name)))
    out = tmp_path / "received"
    folder = write_folder(out, 0, 100, {"agent": (("id", "create_audit_key"), [])})
    with pytest.raises(LoadError) as caught:
        load(out, small_target)
    assert str(caught.value) == (
        f"{folder.name}: agent.csv could be any of the target tables 'AGENT', "
        "'Agent', which differ only in case"
    )
    assert ledger(small_target) == []


def test_column_missing_from_the_target(tmp_path: Path, small_target: str) -> None:
    out = tmp_path / "received"
    columns = ("id", "label", "colour", "create_audit_key")
    folder = write_folder(out, 0, 100, {"tag": (columns, [("1", "a", "red", "1")])})
    with pytest.raises(LoadError) as caught:
        load(out, small_target)
    assert str(caught.value) == (
        f"{folder.name}: table tag in the target lacks column 'colour'; run the "
        "target script (`gimexport target-ddl`) again"
    )


@pytest.mark.parametrize("encoding", ["utf-8", "utf-8-sig", "utf-16", "cp1252"])
def test_encodings(tmp_path: Path, small_target: str, encoding: str) -> None:
    out = tmp_path / "received"
    name = "Søren “Ø” Ærø"
    write_folder(
        out,
        0,
        100,
        {"contact": (CONTACT, [contact(1, name, 100, "ü\nline")])},
        encoding=encoding,
    )
    load(out, small_target)
    assert rows(small_target, "contact")[0][1:3] == (name, "ü\nline")


def test_another_load_into_the_same_ledger_waits_for_none(
    chain: list[Path], small_target: str
) -> None:
    with psycopg.connect(small_target) as other:
        other.execute(
            "SELECT pg_advisory_lock(hashtext(%s))",
            ("gimexport load public.gimexport_ledger",),
        )
        with pytest.raises(LoadError) as caught:
            load(chain[0].parent, small_target)
    assert str(caught.value) == (
        "another gimexport load into public.gimexport_ledger is running"
    )


def test_ledger_in_a_schema_of_its_own(chain: list[Path], small_target: str) -> None:
    report = load(chain[0].parent, small_target, ledger="meta.loaded")
    assert report.ledger == "meta.loaded"
    with psycopg.connect(small_target) as conn:
        assert conn.execute("SELECT count(*) FROM meta.loaded").fetchone() == (3,)


# ----------------------------------------------------------------------------
# The merge


def contact_table(dsn: str) -> Table:
    with psycopg.connect(dsn) as conn:
        return {t.name: t for t in list_tables(conn, "public")}["contact"]


def merge(dsn: str, data: bytes) -> tuple[int, int, int]:
    with psycopg.connect(dsn, autocommit=True) as conn:
        header = data.split(b"\n", 1)[0].decode().split(",")
        result = merge_csv(conn, contact_table(dsn), header, [data])
    return result.rows, result.inserted, result.updated


@pytest.mark.parametrize(
    ("incoming", "kept", "counts"),
    [
        ((contact(1, "older", 5),), "stored", (1, 0, 0)),
        ((contact(1, "same key", 10),), "same key", (1, 0, 1)),
        ((contact(1, "stored", 10),), "stored", (1, 0, 0)),
        ((contact(1, "newer", 11),), "newer", (1, 0, 1)),
        ((contact(1, "newest", 20), contact(1, "between", 15)), "newest", (2, 0, 1)),
        ((contact(1, "first", 12), contact(1, "last", 12)), "last", (2, 0, 1)),
    ],
    ids=["older", "equal-changed", "equal-same", "newer", "dup-keeps-highest",
         "dup-tie-keeps-later"],
)  # fmt: skip
def test_merge_never_goes_back_to_an_older_version(
    small_target: str, incoming: Rows, kept: str, counts: tuple[int, int, int]
) -> None:
    merge(small_target, csv_bytes(CONTACT, [contact(1, "stored", 10)]))
    assert merge(small_target, csv_bytes(CONTACT, list(incoming))) == counts
    assert rows(small_target, "contact")[0][1] == kept


def test_update_audit_key_counts_as_the_newer_version(small_target: str) -> None:
    merge(small_target, csv_bytes(CONTACT, [("1", "created", None, "10", "30")]))
    merge(small_target, csv_bytes(CONTACT, [("1", "older", None, "10", "20")]))
    assert rows(small_target, "contact")[0][1] == "created"


def test_null_and_empty_string_survive(small_target: str) -> None:
    data = csv_bytes(
        CONTACT,
        [
            ("1", "", None, "1", "1"),
            ("2", "Bo", "", "1", "1"),
            ("3", None, None, "1", "1"),
        ],
    )
    assert merge(small_target, data) == (3, 3, 0)
    assert [r[1:3] for r in rows(small_target, "contact")] == [
        ("", None),
        ("Bo", ""),
        ("", None),  # NOT NULL text: an empty field is the empty string
    ]


def test_merge_needs_a_primary_key(small_target: str) -> None:
    table = Table("public", "contact", contact_table(small_target).columns, ())
    with psycopg.connect(small_target, autocommit=True) as conn:
        with pytest.raises(LoadError) as caught:
            merge_csv(conn, table, list(CONTACT), [csv_bytes(CONTACT, [])])
    assert str(caught.value) == (
        "table contact has no primary key in the target, so rows cannot be "
        "merged; add one"
    )


def test_merge_into_a_text_target_compares_audit_keys_as_numbers(
    empty_db: str,
) -> None:
    columns = tuple(Column(c, "text", False) for c in CONTACT)
    table = Table("public", "contact", columns, ("id",))
    script = target.target_script([table], source="folders", types_known=False)
    with psycopg.connect(empty_db, autocommit=True) as conn:
        conn.execute(script)
    merge(empty_db, csv_bytes(CONTACT, [contact(1, "ten", 10)]))
    merge(empty_db, csv_bytes(CONTACT, [contact(1, "nine", 9)]))
    assert rows(empty_db, "contact")[0][1] == "ten"


# ----------------------------------------------------------------------------
# The reference Info Mart, end to end


@pytest.fixture
def source_dsn(pg_server: Server) -> Iterator[str]:
    """A reference Info Mart of three days, mid-way through the fourth."""
    name = pg_server.create_database("gimtest_load_source")
    dsn = pg_server.dsn(name)
    sample.build_infomart(dsn, sample.SampleSpec(days=3))
    yield dsn
    pg_server.drop_database(name)


def psql_file(dsn: str, script: str) -> None:
    subprocess.run(
        ["psql", "-X", "-q", "-v", "ON_ERROR_STOP=1", "-d", dsn, "-f", "-"],
        input=script,
        text=True,
        check=True,
        capture_output=True,
    )


def export_days(dsn: str, output: Path) -> list[Path]:
    """Export in 6-hour chunks, with ETL batches between the runs so that rows
    exported once are updated and exported again; then a restart from the
    third day and a re-export of the last, as an administrator would."""
    settings = settings_for(dsn, output, chunk_size_seconds=6 * 3600)
    with sample.EtlSimulator(dsn) as etl:
        for _ in range(2):
            etl.run_batches(4, hours=10)
            export(settings, catch_up=True, gap_wait_seconds=0.2)
        day_three = dt.datetime(2026, 11, 3, tzinfo=dt.UTC)
        control.apply_restart(settings, control.plan_restart(settings, day_three))
        etl.run_batches(4, hours=10)
        export(settings, catch_up=True, gap_wait_seconds=0.2)
        control.re_export(settings, dt.datetime(2026, 11, 4, 12, tzinfo=dt.UTC))
        etl.run_batches(2, hours=4)
        export(settings, catch_up=True, gap_wait_seconds=0.2)
    return folders(output)


@pytest.mark.parametrize("partitioned", [False, True], ids=["plain", "parted"])
def test_target_equals_the_source_after_loading_twice(
    source_dsn: str, empty_db: str, tmp_path: Path, partitioned: bool
) -> None:
    exported = export_days(source_dsn, tmp_path / "out")
    assert len(exported) >= 10
    psql_file(empty_db, target.shipped_script(partitioned))

    first = load(tmp_path / "out", empty_db)
    assert len(first.loaded) == len(exported)
    kinds = {f.kind for f in first.folders}
    assert kinds == {"regular", "restart", "re-export"}
    assert "gap" not in {f.link for f in first.folders}
    totals = {t.table: t for t in first.totals()}
    assert totals["interaction_resource_fact"].updated > 0
    assert totals["sm_res_session_fact"].updated > 0

    second = load(tmp_path / "out", empty_db)
    assert len(second.skipped) == len(exported)
    assert second.totals() == []
    tables = exported_tables(source_dsn)
    assert table_differences(source_dsn, empty_db, tables) == {}


def test_loading_newest_first_ends_equal_to_the_source(
    source_dsn: str, empty_db: str, tmp_path: Path
) -> None:
    exported = export_days(source_dsn, tmp_path / "out")
    psql_file(empty_db, target.shipped_script())
    newest = tmp_path / "newest"
    newest.mkdir()
    for folder in exported[len(exported) // 2 :]:
        shutil.copytree(folder, newest / folder.name)

    load(newest, empty_db)
    report = load(tmp_path / "out", empty_db)
    assert report.loaded[0].link == "overlap"
    tables = exported_tables(source_dsn)
    assert table_differences(source_dsn, empty_db, tables) == {}


def test_create_schema_builds_the_target_first(
    source_dsn: str, empty_db: str, tmp_path: Path
) -> None:
    settings = settings_for(source_dsn, tmp_path / "out")
    export(settings, catch_up=True, gap_wait_seconds=0.2)
    report = load(tmp_path / "out", empty_db, schema="dwh", create_schema=True)
    assert report.ledger == "dwh.gimexport_ledger"
    with psycopg.connect(empty_db) as conn:
        assert len(list_tables(conn, "dwh")) == 20  # 19 tables and the ledger
