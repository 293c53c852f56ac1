"""Export views against the reference Info Mart, migrated between two exports."""

from __future__ import annotations

import logging
import re
import threading
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Generic, TypeVar

import psycopg
import pytest
from psycopg import sql

from gim_export import package, sample, views
from gim_export.chain import verify_chain
from gim_export.config import Settings
from gim_export.errors import ConfigError, ExportViewsOutdated
from gim_export.exporter import export
from tests.conftest import Server
from tests.exporting import csv_members, csv_rows, folders, settings_for, sha1sum_check

SCHEMA = "gim_export_views"
NEW_VERSION = "8.5.117.02"

T = TypeVar("T")

# What the test migration does, as a Genesys Info Mart migration might.
MIGRATION = (
    "ALTER TABLE interaction_fact ADD COLUMN customer_segment varchar(64)",
    "ALTER TABLE interaction_fact ALTER COLUMN source_address TYPE varchar(1024)",
    "ALTER TABLE interaction_fact RENAME COLUMN target_address TO target_uri",
    """
    CREATE TABLE callback_fact (
        callback_id numeric(19) PRIMARY KEY,
        interaction_id numeric(19) NOT NULL,
        requested_ts integer,
        create_audit_key numeric(19) NOT NULL,
        update_audit_key numeric(19) NOT NULL)
    """,
    f"UPDATE ctl_schema_info SET schema_version = '{NEW_VERSION}'",
)

LONG_ADDRESS = "sip:" + "x" * 600

# An ETL batch that writes what only the migrated schema can hold.
AFTER_MIGRATION = (
    """
    UPDATE interaction_fact
    SET source_address = %(address)s, target_uri = 'sip:callback@example.test',
        customer_segment = 'gold', update_audit_key = %(key)s
    WHERE interaction_id = (SELECT min(interaction_id) FROM interaction_fact)
    """,
    """
    INSERT INTO callback_fact
    SELECT %(key)s, min(interaction_id), 1796400000, %(key)s, %(key)s
    FROM interaction_fact
    """,
)

# An ETL batch that the schema before and after the migration both take.
PLAIN_BATCH = (
    """
    UPDATE interaction_fact SET update_audit_key = %(key)s
    WHERE interaction_id = (SELECT max(interaction_id) FROM interaction_fact)
    """,
)


@pytest.fixture(scope="module")
def reference_db(pg_server: Server) -> Iterator[str]:
    """A small reference Info Mart, the template of each test's database."""
    name = pg_server.create_database("gimtest_views_ref")
    sample.build_infomart(pg_server.dsn(name), sample.SampleSpec(days=2, scale=0.3))
    yield name
    pg_server.drop_database(name)


@pytest.fixture
def infomart(pg_server: Server, reference_db: str) -> Iterator[str]:
    """The DSN of a fresh copy of the reference Info Mart."""
    name = pg_server.create_database("gimtest_views", template=reference_db)
    yield pg_server.dsn(name)
    pg_server.drop_database(name)


def execute(dsn: str, *statements: str) -> None:
    """Run statements in one transaction."""
    with psycopg.connect(dsn) as conn:
        for statement in statements:
            conn.execute(statement)


def etl_batch(dsn: str, *statements: str) -> int:
    """Commit one ETL batch: a new audit key, its rows and its CTL_AUDIT_LOG row."""
    with psycopg.connect(dsn) as conn:
        row = conn.execute("SELECT nextval('seq_audit_key')").fetchone()
        assert row is not None
        key = int(row[0])
        for statement in statements:
            conn.execute(statement, {"key": key, "address": LONG_ADDRESS})
        conn.execute(
            """
            INSERT INTO ctl_audit_log (
                audit_key, job_id, created, inserted, processing_status_key,
                min_start_date_time_key, max_start_date_time_key, max_chunk_ts,
                row_count, created_ts)
            SELECT %(key)s, 'test batch', max(created) + interval '5 minutes',
                   max(created) + interval '6 minutes', 1,
                   (max(max_chunk_ts) + 600) / 900 * 900,
                   (max(max_chunk_ts) + 600) / 900 * 900,
                   max(max_chunk_ts) + 600, 1,
                   extract(epoch FROM max(created))::integer + 300
            FROM ctl_audit_log
            """,
            {"key": key},
        )
    return key


def export_all(settings: Settings) -> list[Path]:
    """Export until caught up; return the new folders."""
    run = export(settings, catch_up=True, gap_wait_seconds=0.1)
    return [folder.path for folder in run.folders]


def header(folder: Path, table: str) -> list[str]:
    """The column names of one CSV of a folder."""
    data = csv_members(folder)[f"{table}.csv"]
    return data.split(b"\n", 1)[0].decode().split(",")


def changes(folder: Path) -> set[tuple[str, str, str]]:
    """The schema changes a folder's metadata reports: (change, table, column)."""
    found = set()
    for tag, attributes in package.read_metadata(folder).details:
        if tag == "schema-change":
            values = dict(attributes)
            found.add((values["change"], values["table"], values.get("column", "")))
    return found


def made_ts(result: views.ViewsResult) -> str:
    """The made-ts an export reports for the views of this result."""
    assert result.record is not None
    return str(int(result.record.made_at.timestamp()))


def export_views_of(folder: Path) -> dict[str, str]:
    """The attributes of a folder's <export-views> element."""
    element = package.read_metadata(folder).detail("export-views")
    assert element is not None
    return element


def migrate_under_views(dsn: str, settings: Settings) -> views.ViewsResult:
    """Migrate as PostgreSQL allows: it refuses to retype a column a view reads."""
    views.make_export_views(settings, drop=True)
    execute(dsn, *MIGRATION)
    return views.make_export_views(settings, restore=True)


def assert_chain_verifies(output: Path) -> None:
    report = verify_chain(output)
    assert report.problems == ()
    for folder in folders(output):
        assert sha1sum_check(folder).returncode == 0


def test_views_freeze_the_columns_across_a_migration(
    infomart: str, tmp_path: Path
) -> None:
    output = tmp_path / "out"
    settings = settings_for(infomart, output, use_export_views=True)
    made = views.make_export_views(settings)
    before = export_all(settings)
    frozen = header(before[0], "interaction_fact")

    restored = migrate_under_views(infomart, settings)
    assert restored.created == made.created
    etl_batch(infomart, *AFTER_MIGRATION)
    [after] = export_all(settings)

    assert header(after, "interaction_fact") == frozen
    assert "callback_fact.csv" not in csv_members(after)
    [row] = csv_rows(csv_members(after)["interaction_fact.csv"])
    assert row["target_address"] == "sip:callback@example.test"
    assert row["source_address"] == LONG_ADDRESS
    metadata = package.read_metadata(after)
    assert metadata.gim_schema_version == NEW_VERSION
    assert metadata.detail("export-views") == {
        "schema": SCHEMA,
        "made-ts": made_ts(made),
        "schema-version": "8.5.116.20",
    }
    assert changes(after) == {
        ("column-type-changed", "interaction_fact", "source_address")
    }
    assert_chain_verifies(output)


def test_refreshed_views_export_the_migrated_schema_and_say_so(
    infomart: str, tmp_path: Path
) -> None:
    output = tmp_path / "out"
    settings = settings_for(infomart, output, use_export_views=True)
    views.make_export_views(settings)
    export_all(settings)
    migrate_under_views(infomart, settings)

    refreshed = views.make_export_views(settings)
    assert (refreshed.created, refreshed.replaced) == (
        ("callback_fact",),
        ("interaction_fact",),
    )
    etl_batch(infomart, *AFTER_MIGRATION)
    [after] = export_all(settings)

    assert header(after, "interaction_fact")[-1] == "customer_segment"
    assert "target_uri" in header(after, "interaction_fact")
    assert "callback_fact.csv" in csv_members(after)
    assert export_views_of(after)["schema-version"] == NEW_VERSION
    assert changes(after) == MIGRATION_CHANGES
    assert_chain_verifies(output)


MIGRATION_CHANGES = {
    ("table-added", "callback_fact", ""),
    ("column-added", "interaction_fact", "customer_segment"),
    ("column-added", "interaction_fact", "target_uri"),
    ("column-removed", "interaction_fact", "target_address"),
    ("column-type-changed", "interaction_fact", "source_address"),
}


def test_without_views_the_first_folder_after_a_migration_reports_it(
    infomart: str, tmp_path: Path
) -> None:
    output = tmp_path / "out"
    settings = settings_for(infomart, output)
    before = export_all(settings)
    execute(infomart, *MIGRATION)
    etl_batch(infomart, *AFTER_MIGRATION)
    [after] = export_all(settings)
    etl_batch(infomart, *PLAIN_BATCH)
    [later] = export_all(settings)

    assert all(changes(folder) == set() for folder in before)
    assert changes(after) == MIGRATION_CHANGES
    assert changes(later) == set()
    assert "callback_fact.csv" in csv_members(after)
    assert header(after, "interaction_fact")[-1] == "customer_segment"
    retyped = [
        dict(attributes)
        for tag, attributes in package.read_metadata(after).details
        if dict(attributes).get("change") == "column-type-changed"
    ]
    assert retyped == [
        {
            "change": "column-type-changed",
            "table": "interaction_fact",
            "column": "source_address",
            "from-type": "character varying(255)",
            "type": "character varying(1024)",
            "since": before[-1].name,
        }
    ]
    assert_chain_verifies(output)


DROP_COLUMN = "ALTER TABLE mediation_segment_fact DROP COLUMN orssessionid CASCADE"
DROP_TABLE = "DROP TABLE mediation_segment_fact CASCADE"


@pytest.mark.parametrize(
    "migration", [DROP_COLUMN, DROP_TABLE], ids=["column", "table"]
)
def test_a_view_lost_to_a_migration_stops_the_export(
    infomart: str, tmp_path: Path, migration: str
) -> None:
    output = tmp_path / "out"
    settings = settings_for(infomart, output, use_export_views=True)
    views.make_export_views(settings)
    before = export_all(settings)
    state = {p.name: p.read_bytes() for p in (output / ".gim").glob("*.toml")}
    execute(infomart, migration)
    etl_batch(infomart, *PLAIN_BATCH)

    with pytest.raises(ExportViewsOutdated) as caught:
        export(settings)
    assert str(caught.value) == (
        "export view gim_export_views.mediation_segment_fact is missing (a "
        "migration dropped a table or column it reads, or the views were "
        "dropped); run `gimexport make-export-views --restore` to rebuild them "
        "as recorded, or `gimexport make-export-views` to export the current "
        "schema"
    )
    assert folders(output) == before
    assert {p.name: p.read_bytes() for p in (output / ".gim").glob("*.toml")} == state
    assert list((output / ".gim" / "staging").iterdir()) == []


def test_restore_refuses_a_view_whose_column_is_gone(
    infomart: str, tmp_path: Path
) -> None:
    settings = settings_for(infomart, tmp_path / "out", use_export_views=True)
    views.make_export_views(settings)
    views.make_export_views(settings, drop=True)
    execute(infomart, DROP_COLUMN)

    with pytest.raises(ExportViewsOutdated) as caught:
        views.make_export_views(settings, restore=True)
    assert str(caught.value) == (
        "cannot restore export views mediation_segment_fact (column orssessionid of "
        "mediation_segment_fact is gone); run `gimexport make-export-views` to "
        "freeze the current schema instead"
    )
    assert "mediation_segment_fact" in views.make_export_views(settings).created
    assert export_all(settings)


def test_restore_follows_columns_renamed_while_the_views_were_dropped(
    infomart: str, tmp_path: Path
) -> None:
    settings = settings_for(infomart, tmp_path / "out", use_export_views=True)
    views.make_export_views(settings)
    views.make_export_views(settings, drop=True)
    execute(
        infomart,
        "ALTER TABLE interaction_fact RENAME COLUMN subject TO topic",
        "ALTER TABLE interaction_fact RENAME TO contact_fact",
    )
    views.make_export_views(settings, restore=True)

    with psycopg.connect(infomart) as conn:
        definition = conn.execute(
            "SELECT pg_get_viewdef('gim_export_views.interaction_fact')"
        ).fetchone()
    assert definition is not None
    # PostgreSQL 15 qualifies the column with its table, 16 does not.
    assert re.search(r"(contact_fact\.)?topic AS subject", str(definition[0]))


def test_retyping_a_column_under_a_view_needs_the_views_dropped(
    infomart: str, tmp_path: Path
) -> None:
    views.make_export_views(settings_for(infomart, tmp_path / "out"))
    with pytest.raises(psycopg.errors.FeatureNotSupported):
        execute(infomart, MIGRATION[1])


def test_making_views_again_changes_nothing(infomart: str, tmp_path: Path) -> None:
    settings = settings_for(infomart, tmp_path / "out")
    first = views.make_export_views(settings)
    again = views.make_export_views(settings)

    assert (again.created, again.replaced, again.dropped) == ((), (), ())
    assert again.unchanged == first.created
    assert again.statements == ()
    assert again.record == first.record


def test_only_changed_views_are_replaced(infomart: str, tmp_path: Path) -> None:
    settings = settings_for(infomart, tmp_path / "out")
    views.make_export_views(settings)
    execute(infomart, "ALTER TABLE resource_ RENAME COLUMN agent_first_name TO given")

    dry = views.make_export_views(settings, dry_run=True)
    real = views.make_export_views(settings)
    assert dry.statements == real.statements
    assert real.replaced == ("resource_",)
    assert real.statements[0] == 'DROP VIEW "gim_export_views"."resource_"'
    assert '"given"' in real.statements[1]


def test_dry_run_prints_the_ddl_and_creates_nothing(
    infomart: str, tmp_path: Path
) -> None:
    result = views.make_export_views(
        settings_for(infomart, tmp_path / "out"), dry_run=True
    )
    assert result.statements[0] == 'CREATE SCHEMA IF NOT EXISTS "gim_export_views"'
    assert result.statements[2].startswith(
        'CREATE VIEW "gim_export_views"."date_time" AS SELECT "date_time_key", '
    )
    with psycopg.connect(infomart) as conn:
        row = conn.execute("SELECT to_regnamespace('gim_export_views')").fetchone()
    assert row == (None,)


@pytest.mark.parametrize(
    ("length", "skipped"), [(26, False), (27, True)], ids=["26", "27"]
)
def test_tables_with_names_over_26_characters_get_no_view(
    infomart: str,
    tmp_path: Path,
    caplog: pytest.LogCaptureFixture,
    length: int,
    skipped: bool,
) -> None:
    name = "user_data_cust_fact_" + "x" * (length - 20)
    execute(
        infomart,
        sql.SQL(
            "CREATE TABLE {} (id integer PRIMARY KEY, "
            "create_audit_key numeric(19) NOT NULL, "
            "update_audit_key numeric(19) NOT NULL)"
        )
        .format(sql.Identifier(name))
        .as_string(),
    )
    with caplog.at_level(logging.WARNING, logger="gim_export.views"):
        result = views.make_export_views(settings_for(infomart, tmp_path / "out"))

    assert (name in result.created) is not skipped
    assert result.skipped == (
        ((name, "name longer than 26 characters"),) if skipped else ()
    )
    warned = [r.getMessage() for r in caplog.records if r.levelname == "WARNING"]
    assert warned == (
        [
            "no export view for 1 table(s) whose names are longer than 26 "
            f"characters: {name}"
        ]
        if skipped
        else []
    )


def test_identifiers_are_quoted(infomart: str, tmp_path: Path) -> None:
    table, column = 'Odd "Fact"; drop', 'a "b", c'
    execute(
        infomart,
        sql.SQL("CREATE TABLE {} ({} text, create_audit_key numeric(19) NOT NULL)")
        .format(sql.Identifier(table), sql.Identifier(column))
        .as_string(),
    )
    result = views.make_export_views(settings_for(infomart, tmp_path / "out"))

    assert table in result.created
    with psycopg.connect(infomart) as conn:
        cursor = conn.execute(
            sql.SQL("SELECT * FROM {}").format(sql.Identifier(SCHEMA, table))
        )
        assert [d.name for d in cursor.description or ()] == [
            column,
            "create_audit_key",
        ]


def test_export_views_must_exist_when_used(infomart: str, tmp_path: Path) -> None:
    settings = settings_for(infomart, tmp_path / "out", use_export_views=True)
    with pytest.raises(ExportViewsOutdated) as caught:
        export(settings)
    assert str(caught.value) == (
        "use-export-views is true but schema 'gim_export_views' holds no export "
        "views; run `gimexport make-export-views`"
    )
    assert folders(tmp_path / "out") == []


def test_views_schema_must_differ_from_the_info_mart_schema(
    infomart: str, tmp_path: Path
) -> None:
    settings = settings_for(infomart, tmp_path / "out", views_schema="public")
    with pytest.raises(ConfigError, match="views-schema 'public' must differ"):
        views.make_export_views(settings)


# ----------------------------------------------------------------------------
# Making views while an export runs, on two real connections


class Background(Generic[T]):
    """Runs one piece of work in a thread of its own."""

    def __init__(self, work: Callable[[], T]) -> None:
        self._outcome: list[T] = []
        self._error: list[BaseException] = []
        self._thread = threading.Thread(target=self._run, args=(work,), daemon=True)
        self._thread.start()

    def _run(self, work: Callable[[], T]) -> None:
        try:
            self._outcome.append(work())
        except BaseException as error:
            self._error.append(error)

    def result(self, timeout: float) -> T:
        """The work's result, or its error raised again; fail if it hangs."""
        self._thread.join(timeout)
        assert not self._thread.is_alive(), f"still running after {timeout} s"
        if self._error:
            raise self._error[0]
        return self._outcome[0]


def wait_until_blocked(dsn: str, application: str, timeout: float = 10.0) -> None:
    """Wait until a session of ``application`` waits for a lock."""
    deadline = time.monotonic() + timeout
    with psycopg.connect(dsn, autocommit=True) as conn:
        while time.monotonic() < deadline:
            row = conn.execute(
                """
                SELECT count(*) FROM pg_locks l
                JOIN pg_stat_activity a ON a.pid = l.pid
                WHERE NOT l.granted AND a.application_name = %s
                  AND a.datname = current_database()
                """,
                (application,),
            ).fetchone()
            if row and row[0]:
                return
            time.sleep(0.05)
    raise AssertionError(f"{application} never waited for a lock")


def test_making_views_waits_for_an_export_snapshot(
    infomart: str, tmp_path: Path
) -> None:
    settings = settings_for(infomart, tmp_path / "out", use_export_views=True)
    views.make_export_views(settings)
    execute(infomart, MIGRATION[0])

    with psycopg.connect(infomart, autocommit=True) as exporting:
        exporting.execute("BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY")
        views.lock_before_snapshot(exporting, settings)
        source = views.export_source(exporting, settings)
        making = Background(lambda: views.make_export_views(settings))
        wait_until_blocked(infomart, "gimexport make-export-views")
        columns = exporting.execute(
            "SELECT * FROM gim_export_views.interaction_fact LIMIT 0"
        ).description
        exporting.execute("ROLLBACK")

    assert making.result(timeout=10).replaced == ("interaction_fact",)
    assert "customer_segment" not in [c.name for c in columns or ()]
    interaction = [t for t in source.choice.tables if t.name == "interaction_fact"]
    assert "customer_segment" not in interaction[0].column_names


def test_an_export_waits_for_views_being_made_and_reads_the_new_ones(
    infomart: str, tmp_path: Path
) -> None:
    settings = settings_for(infomart, tmp_path / "out", use_export_views=True)
    views.make_export_views(settings)
    export_all(settings)
    execute(infomart, MIGRATION[0])
    etl_batch(infomart, *PLAIN_BATCH)

    with psycopg.connect(infomart) as conn:
        made = views.apply_export_views(conn, settings)
        exporting = Background(lambda: export_all(settings))
        wait_until_blocked(infomart, "gimexport export")
        conn.commit()

    [folder] = exporting.result(timeout=30)
    assert header(folder, "interaction_fact")[-1] == "customer_segment"
    assert export_views_of(folder)["made-ts"] == made_ts(made)
    assert ("column-added", "interaction_fact", "customer_segment") in changes(folder)
