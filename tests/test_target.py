"""Target scripts: generated, idempotent, and able to bring an older target up."""

from __future__ import annotations

import subprocess
from pathlib import Path

import psycopg
import pytest

from gim_export import sample, target
from gim_export.config import Settings
from gim_export.infomart import Column, Table, list_tables
from gim_export.target import TypeShape, type_shape
from tests.chain_fixtures import build_chain

LAYOUTS = pytest.mark.parametrize("partitioned", [False, True], ids=["plain", "parted"])


def psql(dsn: str, script: str, schema: str = "public") -> str:
    """Run a script with the real psql, as a receiver does; return stderr."""
    done = subprocess.run(
        ["psql", "-X", "-q", "-v", "ON_ERROR_STOP=1", "-d", dsn, "-f", "-"],
        input=script,
        capture_output=True,
        text=True,
        env={"PGOPTIONS": f"-c search_path={schema}", "PATH": "/usr/bin:/bin"},
    )
    assert done.returncode == 0, done.stderr
    return done.stderr


def catalog(dsn: str, schema: str = "public") -> list[Table]:
    with psycopg.connect(dsn) as conn:
        return list_tables(conn, schema)


def types(dsn: str, table: str) -> dict[str, tuple[str, bool]]:
    """Column -> (type, NOT NULL) of one table."""
    found = {t.name: t for t in catalog(dsn)}[table]
    return {c.name: (c.type, c.not_null) for c in found.columns}


@LAYOUTS
def test_shipped_scripts_match_the_generator(empty_db: str, partitioned: bool) -> None:
    with psycopg.connect(empty_db) as conn:
        generated = target.reference_script(conn, partitioned)
        assert list_tables(conn, "public") == []
    assert generated == target.shipped_script(partitioned), (
        "sql_scripts/update_target_gim_db*.sql drifted from the generator: run "
        "gimexport target-ddl --reference [--partitioned] > FILE"
    )


@LAYOUTS
def test_script_creates_the_reference_tables_and_runs_again(
    empty_db: str, partitioned: bool
) -> None:
    script = target.shipped_script(partitioned)
    assert psql(empty_db, script) == ""
    first = catalog(empty_db)
    assert psql(empty_db, script) == ""
    assert catalog(empty_db) == first

    with psycopg.connect(empty_db) as conn:
        reference = {t.name: t for t in target.reference_tables(conn)}
    assert sorted(t.name for t in first) == sorted(reference)
    for table in first:
        assert table.columns == reference[table.name].columns
        key = reference[table.name].primary_key
        if partitioned and "start_date_time_key" in table.column_names:
            key = (*key, "start_date_time_key")
        assert table.primary_key == key


def test_partitioned_tables_take_any_row_in_their_default_partition(
    empty_db: str,
) -> None:
    psql(empty_db, target.shipped_script(partitioned=True))
    with psycopg.connect(empty_db) as conn:
        rows = conn.execute(
            """
            SELECT p.relname, d.relname FROM pg_partitioned_table t
            JOIN pg_class p ON p.oid = t.partrelid
            JOIN pg_class d ON d.oid = t.partdefid
            ORDER BY 1
            """
        ).fetchall()
    assert len(rows) == 9
    assert ("interaction_resource_fact", "interaction_resource_fact_pdefault") in rows


OLDER_TARGET = """
CREATE TABLE interaction_fact (
    interaction_id numeric(19) PRIMARY KEY,
    subject varchar(100),
    media_server_root_ixn_id numeric(10),
    tenant_key smallint,
    status integer NOT NULL,
    start_ts varchar(20),
    end_ts integer NOT NULL,
    create_audit_key numeric(19) NOT NULL,
    update_audit_key numeric(19) NOT NULL,
    receiver_note text
);
INSERT INTO interaction_fact VALUES
    (1, 'Grüße, "Ada"', 123, 1, 0, '1700000000', 5, 10, 12, 'kept');
CREATE TABLE resource_ (
    resource_key integer PRIMARY KEY,
    agent_first_name varchar(10),
    create_audit_key numeric(19) NOT NULL
);
INSERT INTO resource_ VALUES (7, 'Zoë', 3);
"""


@LAYOUTS
def test_script_brings_an_older_target_up_twice(
    empty_db: str, partitioned: bool
) -> None:
    psql(empty_db, OLDER_TARGET)
    script = target.shipped_script(partitioned)

    warnings = psql(empty_db, script)
    after_first = catalog(empty_db)
    assert psql(empty_db, script) == warnings
    assert catalog(empty_db) == after_first

    facts = types(empty_db, "interaction_fact")
    assert facts["subject"] == ("character varying(1024)", False)
    assert facts["media_server_root_ixn_id"] == ("numeric(20,0)", False)
    assert facts["tenant_key"] == ("integer", False)
    assert facts["status"] == ("integer", True)  # wider than smallint: kept
    assert facts["end_ts"] == ("integer", False)  # nullable in the source
    assert facts["start_ts"] == ("character varying(20)", False)
    assert facts["interaction_type_key"] == ("integer", False)  # added
    assert facts["receiver_note"] == ("text", False)  # never dropped
    assert types(empty_db, "resource_")["agent_first_name"][0] == (
        "character varying(64)"
    )
    assert "column interaction_fact.start_ts is character varying(20) here, " in (
        warnings
    )
    assert warnings.count("WARNING") == 1

    with psycopg.connect(empty_db) as conn:
        row = conn.execute(
            "SELECT subject, media_server_root_ixn_id, receiver_note, "
            "interaction_type_key FROM interaction_fact"
        ).fetchone()
        assert row == ('Grüße, "Ada"', 123, "kept", None)
        resource = conn.execute("SELECT resource_key, agent_first_name FROM resource_")
        assert resource.fetchall() == [(7, "Zoë")]


@pytest.mark.parametrize(
    ("before", "source", "after"),
    [
        ("character varying(10)", "character varying(20)", "character varying(20)"),
        ("character varying(20)", "character varying(10)", "character varying(20)"),
        ("character varying(10)", "text", "text"),
        ("character varying(10)", "character varying", "character varying"),
        ("text", "character varying(10)", "text"),
        ("character(2)", "character(4)", "character(4)"),
        ("numeric(10,2)", "numeric(12,2)", "numeric(12,2)"),
        ("numeric(10,2)", "numeric(12,4)", "numeric(12,4)"),
        ("numeric(10,2)", "numeric(10,4)", "numeric(10,2)"),
        ("numeric(19,0)", "numeric", "numeric"),
        ("smallint", "integer", "integer"),
        ("integer", "bigint", "bigint"),
        ("bigint", "integer", "bigint"),
        ("integer", "numeric(19,0)", "numeric(19,0)"),
        ("bigint", "numeric(10,0)", "bigint"),
        ("real", "double precision", "double precision"),
        ("timestamp(0) without time zone", "timestamp(3) without time zone",
         "timestamp(3) without time zone"),
        ("timestamp(3) with time zone", "timestamp without time zone",
         "timestamp(3) with time zone"),
        ("integer", "character varying(10)", "integer"),
        ("date", "date", "date"),
    ],
)  # fmt: skip
def test_widening_never_narrows(
    empty_db: str, before: str, source: str, after: str
) -> None:
    psql(empty_db, f"CREATE TABLE t (id integer PRIMARY KEY, c {before} NOT NULL);")
    table = Table(
        "", "t", (Column("id", "integer", True), Column("c", source, True)), ("id",)
    )
    script = target.target_script([table], source="a test")
    psql(empty_db, script)
    assert psql(empty_db, script) == psql(empty_db, script)
    assert types(empty_db, "t")["c"] == (after, True)


@pytest.mark.parametrize(
    ("name", "shape"),
    [
        ("character varying(255)", TypeShape("character varying", length=255)),
        ("character varying", TypeShape("character varying")),
        ("numeric(19,0)", TypeShape("numeric", precision=19, scale=0)),
        ("numeric", TypeShape("numeric")),
        ("timestamp(3) without time zone",
         TypeShape("timestamp without time zone", time_precision=3)),
        ("timestamp with time zone",
         TypeShape("timestamp with time zone", time_precision=6)),
        ("double precision", TypeShape("double precision")),
        ("integer", TypeShape("integer")),
        ("integer[]", None),
        ("interval", None),
        ("jsonb", None),
    ],
)  # fmt: skip
def test_type_shape(name: str, shape: TypeShape | None) -> None:
    assert type_shape(name) == shape


def test_names_are_quoted_whatever_they_hold(empty_db: str) -> None:
    odd = ['we"ird', "$gim$ tag", "line\nbreak", "Upper Case", "select"]
    table = Table(
        "",
        "odd table; drop",
        tuple(Column(name, "character varying(5)", False) for name in odd),
        (odd[0],),
    )
    script = target.target_script([table], source="names\nfrom strangers")
    psql(empty_db, script)
    psql(empty_db, script)
    created = {t.name: t for t in catalog(empty_db)}["odd table; drop"]
    assert created.column_names == tuple(odd)
    assert created.primary_key == (odd[0],)


def test_script_in_a_named_schema(empty_db: str) -> None:
    with psycopg.connect(empty_db) as conn:
        tables = target.reference_tables(conn)
    script = target.target_script(
        tables, source="reference", partitioned=True, schema="dwh"
    )
    psql(empty_db, script, schema="public")
    psql(empty_db, script, schema="public")
    assert catalog(empty_db, "public") == []
    assert len(catalog(empty_db, "dwh")) == len(tables)


@pytest.fixture
def infomart(empty_db: str) -> str:
    """A reference Info Mart with one custom table more, and export views."""
    with psycopg.connect(empty_db, autocommit=True) as conn:
        sample.apply_schema(conn)
        conn.execute(
            """
            CREATE TABLE user_data_cust_dim_9 (
                id integer PRIMARY KEY,
                label varchar(40),
                create_audit_key numeric(19) NOT NULL
            );
            CREATE SCHEMA views;
            CREATE VIEW views.resource_ AS
                SELECT resource_key, agent_last_name, create_audit_key,
                       update_audit_key
                FROM public.resource_;
            CREATE VIEW views.keyless AS
                SELECT resource_key AS k, create_audit_key FROM public.resource_;
            """
        )
    return empty_db


def test_ddl_from_the_infomart_has_custom_tables(infomart: str) -> None:
    settings = Settings(connection=infomart)
    script = target.target_ddl(settings, "infomart")
    assert "-- Source: Info Mart schema 'public', schema version 8.5.116.20." in (
        script
    )
    assert 'CREATE TABLE IF NOT EXISTS "user_data_cust_dim_9" (' in script
    assert '"ctl_audit_log"' not in script
    assert '"ag2_agent_hour"' not in script


def test_ddl_from_views_takes_the_keys_of_their_tables(infomart: str) -> None:
    settings = Settings(connection=infomart, views_schema="views")
    with psycopg.connect(infomart) as conn:
        views = {t.name: t for t in target.catalog_tables(conn, "views")}
    assert views["resource_"].primary_key == ("resource_key",)
    assert views["keyless"].primary_key == ()

    script = target.target_ddl(settings, "views")
    assert "-- keyless: no primary key in the source;" in script
    assert '    "agent_last_name" character varying(64),\n' in script
    assert "-- NOT NULL is not known from these views: it is left as it is.\n" in (
        script
    )


def test_ddl_from_folders_has_text_columns_and_no_keys(
    tmp_path: Path, empty_db: str
) -> None:
    build_chain(tmp_path / "received", count=2)
    tables = target.folder_tables(tmp_path / "received")
    assert [t.name for t in tables] == ["interaction_fact", "resource_"]
    assert tables[0].columns == (
        Column("interaction_id", "text", False),
        Column("subject", "text", False),
        Column("create_audit_key", "numeric(19,0)", False),
    )
    assert all(t.primary_key == () for t in tables)

    script = target.target_ddl(Settings(), "folder", folder=tmp_path / "received")
    assert "-- interaction_fact: primary key unknown; add one before loading" in (
        script
    )
    assert "DO $gim$" not in script
    psql(empty_db, script)
    psql(empty_db, script)
    assert len(catalog(empty_db)) == 2


def test_ddl_from_export_views_made_by_gimexport(empty_db: str) -> None:
    from gim_export.views import make_export_views

    with psycopg.connect(empty_db, autocommit=True) as conn:
        sample.apply_schema(conn)
    settings = Settings(connection=empty_db, views_schema="export_views")
    make_export_views(settings)
    with psycopg.connect(empty_db) as conn:
        views = {t.name: t for t in target.catalog_tables(conn, "export_views")}
        tables = {t.name: t for t in target.catalog_tables(conn, "public")}
    assert sorted(views) == sorted(tables)
    for name, view in views.items():
        assert (view.columns, view.primary_key) == (
            tables[name].columns,
            tables[name].primary_key,
        )
    script = target.target_ddl(settings, "views")
    assert "-- Source: export views in schema 'export_views', " in script
    assert "no primary key" not in script
    assert "-- Lets a column take NULL where the source does.\n" in script
