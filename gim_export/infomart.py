"""What the export reads from the Info Mart catalog and its audit log.

The catalog gives the tables with their columns and primary keys; the audit
log (CTL_AUDIT_LOG) gives one row per committed ETL transaction, the audit
key that every row it wrote carries.
"""

from __future__ import annotations

import fnmatch
import logging
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

import psycopg
from psycopg import sql

from gim_export.errors import CatalogError
from gim_export.package import csv_file_name

logger = logging.getLogger(__name__)

CREATE_KEY = "create_audit_key"
UPDATE_KEY = "update_audit_key"
AUDIT_LOG = "ctl_audit_log"

# Tables that are never exported, whatever the include patterns say: aggregates,
# control and staging tables, and internal GIDB tables other than configuration.
_EXCLUDED_PREFIXES = ("ag2_", "agt_", "ctl_", "stg_", "tmp_", "gidb_")
_CONFIGURATION_PREFIXES = ("gidb_gc_", "gidb_gcx_")


@dataclass(frozen=True)
class Column:
    """A column of an exported table or view."""

    name: str
    type: str
    not_null: bool


@dataclass(frozen=True)
class Table:
    """A table (or export view) with what the export needs to know of it."""

    schema: str
    name: str
    columns: tuple[Column, ...]
    primary_key: tuple[str, ...]

    @property
    def column_names(self) -> tuple[str, ...]:
        """The column names in table order."""
        return tuple(column.name for column in self.columns)

    @property
    def has_update_key(self) -> bool:
        """Whether rows carry UPDATE_AUDIT_KEY besides CREATE_AUDIT_KEY."""
        return UPDATE_KEY in self.column_names

    @property
    def csv_name(self) -> str:
        """The CSV file name of this table in the zip."""
        return csv_file_name(self.name)

    @property
    def identifier(self) -> sql.Composable:
        """The schema-qualified, quoted name for SQL."""
        return sql.Identifier(self.schema, self.name)


@dataclass(frozen=True)
class AuditKey:
    """One committed ETL transaction as CTL_AUDIT_LOG records it."""

    audit_key: int
    created_ts: int
    max_chunk_ts: int | None
    min_start_date_time_key: int | None
    max_start_date_time_key: int | None


@dataclass(frozen=True)
class TableChoice:
    """The tables an export reads, and those it leaves out with the reason."""

    tables: tuple[Table, ...]
    skipped: tuple[tuple[str, str], ...]


def list_tables(
    conn: psycopg.Connection[tuple[object, ...]], schema: str
) -> list[Table]:
    """Return every table and view of ``schema`` (partitions excluded), sorted."""
    rows = conn.execute(
        """
        SELECT c.relname, a.attname, format_type(a.atttypid, a.atttypmod),
               a.attnotnull
        FROM pg_class c
        JOIN pg_namespace n ON n.oid = c.relnamespace
        JOIN pg_attribute a ON a.attrelid = c.oid
        WHERE n.nspname = %s
          AND c.relkind IN ('r', 'p', 'v')
          AND NOT c.relispartition
          AND a.attnum > 0 AND NOT a.attisdropped
        ORDER BY c.relname, a.attnum
        """,
        (schema,),
    ).fetchall()
    keys = _primary_keys(conn, schema)

    columns: dict[str, list[Column]] = {}
    for table, column, type_name, not_null in rows:
        columns.setdefault(str(table), []).append(
            Column(str(column), str(type_name), bool(not_null))
        )
    return [
        Table(schema, name, tuple(cols), keys.get(name, ()))
        for name, cols in sorted(columns.items())
    ]


def _primary_keys(
    conn: psycopg.Connection[tuple[object, ...]], schema: str
) -> dict[str, tuple[str, ...]]:
    rows = conn.execute(
        """
        SELECT c.relname, a.attname
        FROM pg_constraint k
        JOIN pg_class c ON c.oid = k.conrelid
        JOIN pg_namespace n ON n.oid = c.relnamespace
        JOIN LATERAL unnest(k.conkey) WITH ORDINALITY AS u(attnum, position)
          ON true
        JOIN pg_attribute a ON a.attrelid = c.oid AND a.attnum = u.attnum
        WHERE n.nspname = %s AND k.contype = 'p'
        ORDER BY c.relname, u.position
        """,
        (schema,),
    ).fetchall()
    keys: dict[str, tuple[str, ...]] = {}
    for table, column in rows:
        keys[str(table)] = (*keys.get(str(table), ()), str(column))
    return keys


def exclusion_reason(table: Table) -> str | None:
    """Why the export leaves this table out, or None when it exports it."""
    name = table.name.lower()
    if name.startswith(_EXCLUDED_PREFIXES) and not name.startswith(
        _CONFIGURATION_PREFIXES
    ):
        return "aggregate, control, staging or internal table"
    if CREATE_KEY not in table.column_names:
        return "no CREATE_AUDIT_KEY column"
    return None


def choose_tables(
    tables: Iterable[Table], include: Sequence[str], exclude: Sequence[str]
) -> TableChoice:
    """Apply the fixed exclusions, then the include and exclude patterns."""
    chosen: list[Table] = []
    skipped: list[tuple[str, str]] = []
    for table in tables:
        name = table.name.lower()
        reason = exclusion_reason(table)
        if reason is None and not any(
            fnmatch.fnmatch(name, p.lower()) for p in include
        ):
            reason = "not matched by [infomart] include"
        if reason is None and any(fnmatch.fnmatch(name, p.lower()) for p in exclude):
            reason = "matched by [infomart] exclude"
        if reason is None:
            chosen.append(table)
        else:
            skipped.append((table.name, reason))
    return TableChoice(tuple(chosen), tuple(skipped))


def schema_version(
    conn: psycopg.Connection[tuple[object, ...]], schema: str, table: str
) -> str:
    """Return the Info Mart schema version, or 'unknown' without a version table."""
    exists = conn.execute(
        "SELECT to_regclass(%s) IS NOT NULL",
        (sql.Identifier(schema, table).as_string(conn),),
    ).fetchone()
    if not exists or not exists[0]:
        return "unknown"
    query = sql.SQL("SELECT schema_version FROM {} LIMIT 1").format(
        sql.Identifier(schema, table)
    )
    row = conn.execute(query).fetchone()
    return str(row[0]) if row and row[0] is not None else "unknown"


def committed_audit_keys(
    conn: psycopg.Connection[tuple[object, ...]],
    schema: str,
    after: int,
    limit: int | None = None,
) -> list[AuditKey]:
    """Return the audit keys above ``after`` visible in the current snapshot."""
    query = sql.SQL(
        """
        SELECT audit_key, created_ts, max_chunk_ts,
               min_start_date_time_key, max_start_date_time_key
        FROM {}
        WHERE audit_key > %s
        ORDER BY audit_key
        """
    ).format(sql.Identifier(schema, AUDIT_LOG))
    if limit is not None:
        query += sql.SQL(" LIMIT {}").format(sql.Literal(limit))
    try:
        rows = conn.execute(query, (after,)).fetchall()
    except psycopg.errors.UndefinedTable:
        raise CatalogError(
            f"schema {schema!r} has no {AUDIT_LOG.upper()} table; "
            "is [infomart] schema right?"
        ) from None
    return [_audit_key(row) for row in rows]


def audit_key_at(
    conn: psycopg.Connection[tuple[object, ...]], schema: str, audit_key: int
) -> AuditKey | None:
    """Return one audit key's record, or None when the log no longer holds it."""
    query = sql.SQL(
        """
        SELECT audit_key, created_ts, max_chunk_ts,
               min_start_date_time_key, max_start_date_time_key
        FROM {} WHERE audit_key = %s
        """
    ).format(sql.Identifier(schema, AUDIT_LOG))
    row = conn.execute(query, (audit_key,)).fetchone()
    return _audit_key(row) if row else None


def _audit_key(row: Sequence[object]) -> AuditKey:
    def optional(value: object) -> int | None:
        return None if value is None else int(value)  # type: ignore[call-overload]

    return AuditKey(
        audit_key=int(row[0]),  # type: ignore[call-overload]
        created_ts=int(row[1] or 0),  # type: ignore[call-overload]
        max_chunk_ts=optional(row[2]),
        min_start_date_time_key=optional(row[3]),
        max_start_date_time_key=optional(row[4]),
    )


def open_transactions(conn: psycopg.Connection[tuple[object, ...]]) -> set[str]:
    """Return the virtual transaction ids of other client sessions of this database.

    Every transaction holds its virtual id from its first statement to its
    end, whether or not it wrote anything yet, and pg_locks shows it to any
    user. A transaction that took an audit key and has not committed is
    therefore among these.
    """
    rows = conn.execute(
        """
        SELECT l.virtualxid
        FROM pg_locks l
        JOIN pg_stat_activity a ON a.pid = l.pid
        WHERE l.locktype = 'virtualxid' AND l.mode = 'ExclusiveLock'
          AND l.granted AND l.pid <> pg_backend_pid()
          AND a.datname = current_database()
          AND a.backend_type = 'client backend'
        """
    ).fetchall()
    return {str(row[0]) for row in rows}


def open_transaction_pids(
    conn: psycopg.Connection[tuple[object, ...]], virtual_ids: Iterable[str]
) -> list[int]:
    """Return the backend pids of the given virtual transactions still running."""
    rows = conn.execute(
        """
        SELECT DISTINCT pid FROM pg_locks
        WHERE locktype = 'virtualxid' AND virtualxid = ANY(%s)
        ORDER BY pid
        """,
        (list(virtual_ids),),
    ).fetchall()
    return [int(row[0]) for row in rows]  # type: ignore[call-overload]
