"""Tests of the reference Info Mart and its ETL simulator (gim_export.sample)."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterator
from itertools import pairwise
from typing import Any

import psycopg
import pytest
from click.testing import CliRunner
from conftest import InfomartTemplate
from psycopg import sql

from gim_export.cli import cli
from gim_export.errors import ConfigError, GimExportError
from gim_export.sample import (
    OPEN_END_KEY,
    EtlSimulator,
    SampleSpec,
    apply_schema,
    build_infomart,
)

DIMENSIONS = {
    "media_type": "media_type_key",
    "interaction_type": "interaction_type_key",
    "technical_descriptor": "technical_descriptor_key",
    "resource_state": "resource_state_key",
    "interaction_descriptor": "interaction_descriptor_key",
    "resource_": "resource_key",
    "user_data_cust_dim_1": "id",
}


@pytest.fixture
def conn(infomart_dsn: str) -> Iterator[psycopg.Connection[Any]]:
    with psycopg.connect(infomart_dsn, autocommit=True) as connection:
        yield connection


def tables(conn: psycopg.Connection[Any], schema: str = "public") -> list[str]:
    rows = conn.execute(
        """
        SELECT c.relname FROM pg_class c
        JOIN pg_namespace n ON n.oid = c.relnamespace
        WHERE n.nspname = %s AND c.relkind IN ('r', 'p') AND NOT c.relispartition
        ORDER BY 1
        """,
        (schema,),
    ).fetchall()
    return [row[0] for row in rows]


def columns(conn: psycopg.Connection[Any], table: str) -> list[str]:
    rows = conn.execute(
        """
        SELECT attname FROM pg_attribute
        WHERE attrelid = %s::regclass AND attnum > 0 AND NOT attisdropped
        ORDER BY attnum
        """,
        (table,),
    ).fetchall()
    return [row[0] for row in rows]


def scalar(conn: psycopg.Connection[Any], query: str, *params: object) -> Any:
    row = conn.execute(query, params).fetchone()
    assert row is not None
    return row[0]


def audit_keys(dsn: str) -> list[int]:
    with psycopg.connect(dsn) as conn:
        rows = conn.execute("SELECT audit_key FROM ctl_audit_log ORDER BY 1")
        return [int(row[0]) for row in rows]


# ---------------------------------------------------------------------------
# The DDL


@pytest.mark.parametrize("partitioned", [False, True], ids=["plain", "partitioned"])
def test_schema_applies_twice(empty_db: str, partitioned: bool) -> None:
    with psycopg.connect(empty_db, autocommit=True) as conn:
        apply_schema(conn, partitioned=partitioned)
        first = tables(conn)
        apply_schema(conn, partitioned=partitioned)

        assert tables(conn) == first
        assert scalar(conn, "SELECT count(*) FROM ctl_schema_info") == 1
        assert scalar(conn, "SELECT schema_version FROM ctl_schema_info") == (
            "8.5.116.20"
        )


def test_schema_holds_the_tables_of_the_issue(empty_db: str) -> None:
    with psycopg.connect(empty_db, autocommit=True) as conn:
        apply_schema(conn)
        names = set(tables(conn))
    assert {
        "ctl_audit_log", "interaction_fact", "interaction_resource_fact",
        "mediation_segment_fact", "irf_user_data_gen_1", "irf_user_data_keys",
        "irf_user_data_cust_1", "user_data_cust_dim_1", "sm_res_session_fact",
        "sm_res_state_fact", "resource_group_fact_", "resource_", "resource_state",
        "media_type", "interaction_type", "technical_descriptor",
        "interaction_descriptor", "date_time", "gidb_gc_group", "gidb_gc_annex",
        "ag2_agent_hour", "gidb_g_call", "stg_irf", "ctl_etl_history",
        "ctl_extract_history", "ctl_schema_info",
    } <= names  # fmt: skip


def test_layouts_have_the_same_columns(empty_db: str) -> None:
    with psycopg.connect(empty_db, autocommit=True) as conn:
        apply_schema(conn, schema="plain")
        apply_schema(conn, partitioned=True, schema="parted")
        shape = """
            SELECT c.relname, a.attname, format_type(a.atttypid, a.atttypmod),
                   a.attnotnull
            FROM pg_attribute a JOIN pg_class c ON c.oid = a.attrelid
            JOIN pg_namespace n ON n.oid = c.relnamespace
            WHERE n.nspname = %s AND c.relkind IN ('r', 'p')
              AND NOT c.relispartition AND a.attnum > 0
            ORDER BY 1, a.attnum
        """
        plain = conn.execute(shape, ("plain",)).fetchall()
        parted = conn.execute(shape, ("parted",)).fetchall()
        partitioned = scalar(
            conn,
            "SELECT count(*) FROM pg_partitioned_table p JOIN pg_class c "
            "ON c.oid = p.partrelid WHERE c.relnamespace = 'parted'::regnamespace",
        )
    assert plain == parted
    assert partitioned == 9


def test_partitioned_keys_include_the_partition_column(empty_db: str) -> None:
    with psycopg.connect(empty_db, autocommit=True) as conn:
        apply_schema(conn, partitioned=True)
        key = conn.execute(
            """
            SELECT array_agg(a.attname ORDER BY u.n) FROM pg_constraint k
            JOIN LATERAL unnest(k.conkey) WITH ORDINALITY u(attnum, n) ON true
            JOIN pg_attribute a ON a.attrelid = k.conrelid AND a.attnum = u.attnum
            WHERE k.conrelid = 'interaction_resource_fact'::regclass
              AND k.contype = 'p'
            """
        ).fetchone()
    assert key == (["interaction_resource_id", "start_date_time_key"],)


def test_layouts_do_not_mix(empty_db: str) -> None:
    with psycopg.connect(empty_db, autocommit=True) as conn:
        apply_schema(conn)
        with pytest.raises(GimExportError, match="already holds the plain"):
            apply_schema(conn, partitioned=True)


@pytest.mark.parametrize(
    "table, has_update_key",
    [
        ("interaction_resource_fact", True),
        ("date_time", True),
        ("gidb_gc_annex", True),
        ("interaction_descriptor", False),
        ("user_data_cust_dim_1", False),
    ],
)
def test_audit_key_columns(conn: Any, table: str, has_update_key: bool) -> None:
    names = columns(conn, table)
    assert "create_audit_key" in names
    assert ("update_audit_key" in names) is has_update_key


# ---------------------------------------------------------------------------
# What build_infomart makes


def digests(dsn: str) -> dict[str, str]:
    """An md5 of every table's rows in a fixed order."""
    with psycopg.connect(dsn) as conn:
        result = {}
        for table in tables(conn):
            query = sql.SQL(
                "SELECT md5(coalesce(string_agg(t::text, E'\\n' ORDER BY t::text), ''))"
                " FROM {} AS t"
            ).format(sql.Identifier(table))
            result[table] = scalar(conn, query.as_string(conn))
        return result


def test_same_seed_same_rows(
    infomart_dsn: str, infomart_template: InfomartTemplate, empty_db: str
) -> None:
    build_infomart(empty_db, infomart_template.spec)
    assert digests(empty_db) == digests(infomart_dsn)


def test_other_seed_other_rows(empty_db: str, infomart_dsn: str) -> None:
    build_infomart(empty_db, SampleSpec(seed=2, days=5, outage_days=2, empty_days=1))
    theirs, ours = digests(infomart_dsn), digests(empty_db)
    assert theirs["interaction_resource_fact"] != ours["interaction_resource_fact"]
    assert theirs["media_type"] == ours["media_type"]


def test_summary_matches_the_database(
    conn: Any, infomart_template: InfomartTemplate
) -> None:
    summary = infomart_template.summary
    assert summary.first_audit_key == 1
    assert summary.batches == summary.last_audit_key
    assert summary.data_from == dt.datetime(2026, 11, 1, tzinfo=dt.UTC)
    assert summary.data_to == dt.datetime(2026, 11, 6, tzinfo=dt.UTC)
    for table, count in summary.rows.items():
        assert scalar(conn, f"SELECT count(*) FROM {table}") == count, table
    assert 600 < summary.rows["interaction_resource_fact"] < 1400


def test_build_refuses_a_filled_infomart(infomart_dsn: str) -> None:
    with pytest.raises(GimExportError, match="already holds an Info Mart"):
        build_infomart(infomart_dsn, SampleSpec())


@pytest.mark.parametrize(
    "changes, message",
    [
        ({"days": 0}, "days must be at least 1"),
        ({"scale": 0.0}, "scale must be above 0"),
        ({"outage_days": -1}, "cannot be negative"),
        ({"days": 4, "outage_days": 2, "empty_days": 1}, "need at least 5 days"),
    ],
)
def test_spec_is_checked(changes: dict[str, Any], message: str) -> None:
    with pytest.raises(ConfigError, match=message):
        SampleSpec(**changes)


def test_placeholder_rows_come_from_the_first_batch(conn: Any) -> None:
    for table, key in DIMENSIONS.items():
        rows = conn.execute(
            f"SELECT {key}, create_audit_key FROM {table} WHERE {key} < 0 ORDER BY 1"
        ).fetchall()
        assert [(int(k), int(a)) for k, a in rows] == [(-2, 1), (-1, 1)], table


def test_every_row_carries_a_logged_audit_key(conn: Any) -> None:
    logged = {int(k) for (k,) in conn.execute("SELECT audit_key FROM ctl_audit_log")}
    for table in tables(conn):
        if "create_audit_key" in columns(conn, table):
            query = f"SELECT DISTINCT create_audit_key FROM {table}"
            keys = {int(k) for (k,) in conn.execute(query)}
            assert keys <= logged, table


def test_date_time_has_the_span_and_the_2025_row(conn: Any) -> None:
    start = int(dt.datetime(2026, 11, 1, tzinfo=dt.UTC).timestamp())
    keys = {int(k) for (k,) in conn.execute("SELECT date_time_key FROM date_time")}
    assert {start + 900 * n for n in range(5 * 96)} <= keys
    assert OPEN_END_KEY in keys
    label = scalar(
        conn,
        "SELECT label_yyyy_mm_dd_hh24_15int FROM date_time WHERE date_time_key = %s",
        start + 9 * 3600 + 1800,
    )
    assert label == "2026-11-01 09:30-09:45"


def test_awkward_text_is_present(conn: Any) -> None:
    texts = [
        value
        for query in (
            "SELECT agent_first_name || ' ' || agent_last_name FROM resource_",
            "SELECT resource_name FROM resource_",
            "SELECT subject FROM interaction_fact",
            "SELECT custom_data_3 FROM irf_user_data_cust_1",
        )
        for (value,) in conn.execute(query)
        if value
    ]
    assert any(re.search("[\u0400-\u04ff]", text) for text in texts)  # Cyrillic
    assert any(re.search("[\u0590-\u06ff]", text) for text in texts)  # Hebrew, Arabic
    assert any(re.search("[\u3040-\u30ff\u4e00-\u9fff]", text) for text in texts)
    for mark in ('"', ",", ";", "\n", "\r\n", "\\"):
        assert any(mark in text for text in texts), repr(mark)


@pytest.mark.parametrize(
    "table, column",
    [
        ("irf_user_data_cust_1", "custom_data_3"),
        ("interaction_fact", "source_address"),
        ("resource_", "external_resource_id"),
        ("resource_", "agent_first_name"),
    ],
)
def test_null_beside_empty_string(conn: Any, table: str, column: str) -> None:
    nulls, empties = conn.execute(
        f"SELECT count(*) FILTER (WHERE {column} IS NULL), "
        f"count(*) FILTER (WHERE {column} = '') FROM {table}"
    ).fetchone()
    assert nulls > 0 and empties > 0


def test_decimals_and_milliseconds_are_present(conn: Any) -> None:
    assert scalar(conn, "SELECT count(*) FROM irf_user_data_gen_1 WHERE revenue > 0")
    assert scalar(
        conn, "SELECT count(*) FROM irf_user_data_gen_1 WHERE satisfaction <> 3"
    )
    fractions = (
        "SELECT count(*) FROM ctl_audit_log WHERE date_trunc('second', {0}) <> {0}"
    )
    assert scalar(conn, fractions.format("created"))
    assert scalar(conn, fractions.format("inserted"))


def test_empty_day_has_batches_but_no_contacts(conn: Any) -> None:
    monday = int(dt.datetime(2026, 11, 2, tzinfo=dt.UTC).timestamp())
    contacts = scalar(
        conn,
        "SELECT count(*) FROM interaction_fact WHERE start_ts >= %s AND start_ts < %s",
        monday,
        monday + 86400,
    )
    batches = scalar(
        conn,
        "SELECT count(*) FROM ctl_audit_log WHERE created_ts >= %s AND created_ts < %s",
        monday,
        monday + 86400,
    )
    assert contacts == 0 and batches > 0


def test_outage_is_followed_by_a_catch_up_burst(conn: Any) -> None:
    rows = conn.execute(
        "SELECT created_ts, max_chunk_ts FROM ctl_audit_log ORDER BY audit_key"
    ).fetchall()
    created = [int(row[0]) for row in rows]
    gaps = [later - earlier for earlier, later in pairwise(created)]
    widest = max(range(len(gaps)), key=gaps.__getitem__)
    burst = [ts for ts in created[widest + 1 :] if ts < created[widest + 1] + 3600]
    assert gaps[widest] >= 2 * 86400
    assert len(burst) >= 8

    # In the burst, backlog and newly arrived data alternate: data time goes back.
    chunk = [int(row[1]) for row in rows[widest + 1 : widest + 1 + len(burst)]]
    assert any(later < earlier for earlier, later in pairwise(chunk))


# ---------------------------------------------------------------------------
# The audit log against the rows


def written_by_key(conn: Any) -> dict[int, list[Any]]:
    """Per audit key: rows written, START_DATE_TIME_KEY span, latest data time."""
    found: dict[int, list[Any]] = {}
    for table in tables(conn):
        names = columns(conn, table)
        if "create_audit_key" not in names:
            continue
        sdt = "start_date_time_key" if "start_date_time_key" in names else "NULL"
        times = [name for name in ("start_ts", "end_ts") if name in names]
        ts = f"greatest({', '.join(times)})" if times and sdt != "NULL" else "NULL"
        created_ts = ts
        if ts != "NULL" and "update_audit_key" in names:
            # An update ended the fact: when it was created it had no END_TS.
            created_ts = (
                "CASE WHEN update_audit_key IN (0, create_audit_key) "
                f"THEN {ts} ELSE start_ts END"
            )
        writes = (
            f"SELECT create_audit_key AS k, {sdt} AS sdt, {created_ts} AS ts "
            f"FROM {table}"
        )
        if "update_audit_key" in names:
            writes += (
                f" UNION ALL SELECT update_audit_key, {sdt}, {ts} FROM {table}"
                " WHERE update_audit_key NOT IN (0, create_audit_key)"
            )
        query = (
            f"SELECT k, count(*), min(sdt), max(sdt), max(ts) FROM ({writes}) w "
            "GROUP BY k"
        )
        for key, count, low, high, latest in conn.execute(query):
            entry = found.setdefault(int(key), [0, None, None, None])
            entry[0] += count
            entry[1] = low if entry[1] is None else min(low or entry[1], entry[1])
            entry[2] = high if entry[2] is None else max(high or entry[2], entry[2])
            entry[3] = latest if entry[3] is None else max(latest or 0, entry[3])
    return found


def assert_audit_log_matches_rows(dsn: str) -> None:
    with psycopg.connect(dsn) as conn:
        found = written_by_key(conn)
        log = conn.execute(
            """
            SELECT audit_key, row_count, min_start_date_time_key,
                   max_start_date_time_key, max_chunk_ts
            FROM ctl_audit_log ORDER BY audit_key
            """
        ).fetchall()
    assert set(found) <= {int(row[0]) for row in log}
    for key, row_count, low, high, chunk_ts in log:
        count, sdt_low, sdt_high, latest = found.get(int(key), [0, None, None, None])
        assert row_count == count, f"ROW_COUNT of audit key {key}"
        if sdt_low is not None:
            assert (low, high) == (sdt_low, sdt_high), f"sdt span of {key}"
        if latest is not None:
            assert chunk_ts == latest, f"MAX_CHUNK_TS of audit key {key}"


def test_audit_log_matches_the_rows(infomart_dsn: str) -> None:
    assert_audit_log_matches_rows(infomart_dsn)


def test_audit_log_matches_the_rows_after_simulation(infomart_dsn: str) -> None:
    with EtlSimulator(infomart_dsn, seed=3) as simulator:
        held = simulator.open_batch()
        simulator.run_batches(2, hours=6)
        simulator.rolled_back_batch()
        held.commit()
        simulator.run_batches(30, hours=48)
    assert_audit_log_matches_rows(infomart_dsn)


def test_partitioned_build_keeps_the_same_accounting(
    infomart_partitioned_dsn: str,
) -> None:
    assert_audit_log_matches_rows(infomart_partitioned_dsn)
    with psycopg.connect(infomart_partitioned_dsn) as conn:
        daily = scalar(
            conn,
            "SELECT count(*) FROM interaction_resource_fact_p20261103",
        )
        default = scalar(
            conn, "SELECT count(*) FROM interaction_resource_fact_pdefault"
        )
    assert daily > 0 and default == 0


@pytest.mark.parametrize(
    "table",
    [
        "interaction_resource_fact",
        "interaction_fact",
        "irf_user_data_cust_1",
        "sm_res_session_fact",
        "resource_group_fact_",
        "resource_",
    ],
)
def test_later_batches_update_earlier_rows(conn: Any, table: str) -> None:
    updated = scalar(
        conn,
        f"SELECT count(*) FROM {table} WHERE update_audit_key > create_audit_key",
    )
    assert updated > 0


def test_durations_agree_however_a_fact_was_closed(conn: Any) -> None:
    """Closed at insert (Python) or later (SQL), an agent's part adds up."""
    rows = conn.execute(
        """
        SELECT update_audit_key > create_audit_key AS later,
               count(*) FILTER (WHERE end_ts - start_ts
                   <> ring_duration + talk_duration + hold_duration
                      + after_call_work_duration),
               count(*)
        FROM interaction_resource_fact
        WHERE resource_key > 1000 AND active_flag = 0
        GROUP BY 1 ORDER BY 1
        """
    ).fetchall()
    assert [(later, wrong) for later, wrong, _ in rows] == [(False, 0), (True, 0)]
    assert all(total > 0 for _, _, total in rows)


def test_active_facts_point_at_the_2025_row(infomart_dsn: str) -> None:
    with EtlSimulator(infomart_dsn) as simulator:
        simulator.run_batches(12, hours=12)  # to Friday noon, the busy hours
    with psycopg.connect(infomart_dsn) as conn:
        rows = conn.execute(
            """
            SELECT DISTINCT end_date_time_key, end_ts FROM interaction_resource_fact
            WHERE active_flag = 1
            UNION
            SELECT DISTINCT end_date_time_key, end_ts FROM interaction_fact
            WHERE active_flag = 1
            """
        ).fetchall()
    assert rows == [(OPEN_END_KEY, None)]


# ---------------------------------------------------------------------------
# The simulator


def test_audit_keys_are_contiguous_but_for_a_rolled_back_batch(
    infomart_dsn: str,
) -> None:
    before = audit_keys(infomart_dsn)
    with EtlSimulator(infomart_dsn) as simulator:
        simulator.run_batches(2)
        lost = simulator.rolled_back_batch()
        after = simulator.run_batches(2)
    keys = audit_keys(infomart_dsn)
    assert before == list(range(1, before[-1] + 1))
    assert keys == [key for key in range(1, after[-1] + 1) if key != lost]
    assert before[-1] < lost < after[0]


def test_open_batch_is_invisible_until_it_commits(infomart_dsn: str) -> None:
    with EtlSimulator(infomart_dsn) as simulator:
        held = simulator.open_batch(hours=4)
        later = simulator.run_batches(2)

        keys = audit_keys(infomart_dsn)
        assert later[-1] in keys and held.audit_key not in keys
        assert min(later) > held.audit_key
        held.commit()

    with psycopg.connect(infomart_dsn) as conn:
        query = (
            "SELECT count(*) FROM interaction_resource_fact WHERE create_audit_key = %s"
        )
        rows = scalar(conn, query, held.audit_key)
    assert held.audit_key in audit_keys(infomart_dsn) and rows > 0


def test_open_batch_rolled_back_leaves_a_gap(infomart_dsn: str) -> None:
    with EtlSimulator(infomart_dsn) as simulator:
        held = simulator.open_batch()
        later = simulator.run_batches(1)
        held.rollback()
        with pytest.raises(GimExportError, match="has ended"):
            held.commit()
    keys = audit_keys(infomart_dsn)
    assert held.audit_key not in keys and later[0] in keys


def test_closing_the_simulator_rolls_back_what_is_open(infomart_dsn: str) -> None:
    simulator = EtlSimulator(infomart_dsn)
    held = simulator.open_batch()
    simulator.close()
    assert held.ended and held.audit_key not in audit_keys(infomart_dsn)


def test_simulator_continues_data_time(infomart_dsn: str) -> None:
    with EtlSimulator(infomart_dsn) as simulator:
        simulator.run_batches(4, hours=8)
    with psycopg.connect(infomart_dsn) as conn:
        reached = scalar(conn, "SELECT max(data_to_ts) FROM ctl_etl_history")
    end = dt.datetime(2026, 11, 6, 8, tzinfo=dt.UTC)
    assert reached == int(end.timestamp())


def test_simulator_needs_a_built_infomart(empty_db: str) -> None:
    with psycopg.connect(empty_db, autocommit=True) as conn:
        apply_schema(conn)
    with pytest.raises(GimExportError, match="no ETL history"):
        EtlSimulator(empty_db)


# ---------------------------------------------------------------------------
# gimexport sample


def test_cli_sample_fills_a_database(empty_db: str) -> None:
    result = CliRunner().invoke(
        cli, ["sample", "--dsn", empty_db, "--days", "2", "--seed", "5"]
    )
    assert result.exit_code == 0, result.output
    assert "audit keys 1-" in result.output
    assert re.search(r"interaction_resource_fact\s+\d+", result.output)


def test_cli_sample_reports_a_bad_spec(empty_db: str) -> None:
    result = CliRunner().invoke(
        cli, ["sample", "--dsn", empty_db, "--days", "2", "--outage-days", "2"]
    )
    assert result.exit_code == 2
    assert "need at least 4 days, not 2" in result.output
