"""``gimexport make-export-views`` as a DBA runs it: output and exit codes."""

from __future__ import annotations

from pathlib import Path

import psycopg
import pytest
from click.testing import CliRunner

from gim_export.cli import cli

# A small Info Mart: two exportable tables, one with too long a name for a view.
SCHEMA_SQL = """
CREATE TABLE ctl_schema_info (schema_version varchar(32) NOT NULL);
INSERT INTO ctl_schema_info VALUES ('8.5.116.20');
CREATE TABLE agent_dim (
    agent_key integer PRIMARY KEY,
    name varchar(64),
    create_audit_key numeric(19) NOT NULL,
    update_audit_key numeric(19) NOT NULL);
CREATE TABLE call_fact (
    call_id numeric(19) PRIMARY KEY,
    agent_key integer,
    create_audit_key numeric(19) NOT NULL,
    update_audit_key numeric(19) NOT NULL);
CREATE TABLE irf_user_data_custom_long_name (
    id integer PRIMARY KEY,
    create_audit_key numeric(19) NOT NULL);
"""

SKIPPED = "skipped irf_user_data_custom_long_name: name longer than 26 characters\n"


@pytest.fixture
def config(empty_db: str, tmp_path: Path) -> Path:
    """A configuration file naming a small Info Mart."""
    with psycopg.connect(empty_db) as conn:
        conn.execute(SCHEMA_SQL)
    path = tmp_path / "gimexport.toml"
    path.write_text(
        "[gim-export]\n"
        "maintenance-lock-wait-seconds = 1\n"
        f"[infomart]\nconnection = {empty_db!r}\n",
        encoding="utf-8",
    )
    return path


def run(config: Path, *args: str) -> tuple[int, str, str]:
    result = CliRunner().invoke(cli, ["--config", str(config), *args])
    return result.exit_code, result.stdout, result.stderr


def frozen_at(dsn: str) -> str:
    """The time the views record says they were made, as the command prints it."""
    with psycopg.connect(dsn) as conn:
        conn.execute("SET TIME ZONE 'UTC'")
        row = conn.execute(
            "SELECT to_char(made_at, 'YYYY-MM-DD HH24:MI:SS') "
            "FROM gim_export_views.gimexport_views_info"
        ).fetchone()
    assert row is not None
    return str(row[0])


def test_make_lists_the_views_and_the_skipped_tables(
    config: Path, empty_db: str
) -> None:
    code, out, err = run(config, "make-export-views")
    assert code == 0
    assert out == (
        "created gim_export_views.agent_dim\n"
        "created gim_export_views.call_fact\n"
        f"{SKIPPED}"
        "gim_export_views: 2 created, 0 replaced, 0 dropped, 0 unchanged, "
        f"schema version 8.5.116.20 frozen {frozen_at(empty_db)} UTC\n"
    )
    assert err.endswith(
        " WARNING gim_export.views: no export view for 1 table(s) whose names "
        "are longer than 26 characters: irf_user_data_custom_long_name\n"
    )


def test_second_make_changes_nothing(config: Path, empty_db: str) -> None:
    run(config, "make-export-views")
    code, out, _ = run(config, "-q", "make-export-views")
    assert (code, out) == (
        0,
        f"{SKIPPED}"
        "gim_export_views: 0 created, 0 replaced, 0 dropped, 2 unchanged, "
        f"schema version 8.5.116.20 frozen {frozen_at(empty_db)} UTC\n",
    )


def test_dry_run_prints_the_ddl(config: Path) -> None:
    code, out, _ = run(config, "-q", "make-export-views", "--dry-run")
    assert code == 0
    assert out == (
        'CREATE SCHEMA IF NOT EXISTS "gim_export_views";\n'
        'CREATE TABLE IF NOT EXISTS "gim_export_views"."gimexport_views_info" '
        "(made_at timestamptz NOT NULL, schema_version text NOT NULL, "
        "source_schema text NOT NULL, restored_at timestamptz, "
        "views jsonb NOT NULL);\n"
        'CREATE VIEW "gim_export_views"."agent_dim" AS SELECT "agent_key", "name", '
        '"create_audit_key", "update_audit_key" FROM "public"."agent_dim";\n'
        'CREATE VIEW "gim_export_views"."call_fact" AS SELECT "call_id", '
        '"agent_key", "create_audit_key", "update_audit_key" '
        'FROM "public"."call_fact";\n'
        f"{SKIPPED}"
        "dry run, nothing changed: gim_export_views: 2 created, 0 replaced, "
        "0 dropped, 0 unchanged, schema version 8.5.116.20\n"
    )


def test_drop_then_restore(config: Path, empty_db: str) -> None:
    run(config, "make-export-views")
    made = frozen_at(empty_db)
    assert run(config, "-q", "make-export-views", "--drop") == (
        0,
        "dropped gim_export_views.agent_dim\n"
        "dropped gim_export_views.call_fact\n"
        "2 export views dropped from gim_export_views; their record stays for "
        "--restore\n",
        "",
    )
    code, out, _ = run(config, "-q", "make-export-views", "--restore")
    assert (code, out) == (
        0,
        "created gim_export_views.agent_dim\n"
        "created gim_export_views.call_fact\n"
        "gim_export_views: 2 created, 0 replaced, 0 dropped, 0 unchanged, "
        f"schema version 8.5.116.20 frozen {made} UTC\n",
    )


def test_restore_without_views_fails(config: Path) -> None:
    assert run(config, "make-export-views", "--restore") == (
        1,
        "",
        "Error: schema 'gim_export_views' holds no record of export views to "
        "restore; run `gimexport make-export-views`\n",
    )


def test_drop_and_restore_together_is_a_usage_error(config: Path) -> None:
    code, _, err = run(config, "make-export-views", "--drop", "--restore")
    assert code == 2
    assert err.endswith("Error: --drop and --restore cannot be combined\n")
