"""Export views: the tables and columns a receiver gets, frozen until it is ready.

``make_export_views`` creates one view per exportable table in a schema of its
own (``[infomart] views-schema``), selecting the columns the table has now by
name, and records in that schema's ``gimexport_views_info`` table when the
views were made, the Info Mart schema version they froze and, per view, the
table and column numbers it reads. With ``use-export-views = true`` the export
reads these views instead of the tables: PostgreSQL keeps a view's column
names when a table column is renamed, a column added later is not in the
view, and a table added later has none.

PostgreSQL refuses to change the type of a column that a view reads, so a
migration that widens a column must drop the views first. ``drop=True``
drops them and keeps the record; ``restore=True`` builds the same views again
afterwards, following renamed columns and tables by their numbers.

Every export also compares the tables and columns it reads with those of the
previous folder (``.gim/schema.toml``, written after each publish) and
describes any difference in the new folder's metadata.

Locks: a make takes ``VIEWS_LOCK_KEY`` as a transaction-level advisory lock
(one make at a time), then the record table in ACCESS EXCLUSIVE mode for its
whole transaction. The export locks the record table in ACCESS SHARE mode as
the first statement of its snapshot transaction, so that it waits for a make
in progress and its snapshot, taken after the lock, sees the views and the
record of one make. A make waits for running exports the same way.
"""

from __future__ import annotations

import datetime as dt
import logging
import os
import tomllib
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, cast

import psycopg
import tomli_w
from psycopg import sql
from psycopg.types.json import Jsonb

from gim_export import db, infomart, locks
from gim_export.config import Settings
from gim_export.errors import (
    CatalogError,
    ConfigError,
    ExportViewsOutdated,
    GimExportError,
)
from gim_export.infomart import Column, Table, TableChoice

logger = logging.getLogger(__name__)

Connection = psycopg.Connection[tuple[object, ...]]

# The product description leaves out tables whose names are longer.
MAX_NAME_LENGTH = 26

VIEWS_INFO = "gimexport_views_info"

# The advisory lock that makes of export views take; its bytes spell "GIMVIEW".
VIEWS_LOCK_KEY = 0x47494D56494557

SCHEMA_FILE = "schema.toml"

# (tag, attributes) pairs for package.Metadata.details.
Details = tuple[tuple[str, tuple[tuple[str, str], ...]], ...]

# table -> ((column, type), ...): what a folder was read from.
Fingerprint = dict[str, tuple[tuple[str, str], ...]]


@dataclass(frozen=True)
class ViewColumn:
    """A column of an export view and the table column it reads."""

    name: str
    source: str
    number: int
    type: str


@dataclass(frozen=True)
class ViewSpec:
    """An export view: its name, the table it reads and its columns in order."""

    name: str
    table: str
    table_oid: int
    columns: tuple[ViewColumn, ...]
    primary_key: tuple[str, ...]

    @property
    def column_names(self) -> tuple[str, ...]:
        """The view's column names in order."""
        return tuple(column.name for column in self.columns)

    def same_reads(self, other: ViewSpec) -> bool:
        """Whether both views expose the same names over the same table columns."""
        return (self.table_oid, self._reads()) == (other.table_oid, other._reads())

    def _reads(self) -> tuple[tuple[str, int], ...]:
        return tuple((column.name, column.number) for column in self.columns)


@dataclass(frozen=True)
class ViewsRecord:
    """What ``gimexport_views_info`` says about the export views."""

    made_at: dt.datetime
    schema_version: str
    source_schema: str
    views: tuple[ViewSpec, ...]
    restored_at: dt.datetime | None = None

    def view(self, name: str) -> ViewSpec | None:
        """The recorded view of that name, if any."""
        return next((spec for spec in self.views if spec.name == name), None)


@dataclass(frozen=True)
class ViewsResult:
    """What one ``make_export_views`` call did, or would do in a dry run."""

    schema: str
    action: str
    dry_run: bool
    created: tuple[str, ...] = ()
    replaced: tuple[str, ...] = ()
    unchanged: tuple[str, ...] = ()
    dropped: tuple[str, ...] = ()
    skipped: tuple[tuple[str, str], ...] = ()
    statements: tuple[str, ...] = ()
    record: ViewsRecord | None = None

    @property
    def changed(self) -> bool:
        """Whether views were (or would be) created, replaced or dropped."""
        return bool(self.created or self.replaced or self.dropped)


@dataclass(frozen=True)
class SchemaChange:
    """One difference between what two folders were read from."""

    change: str
    table: str
    column: str | None = None
    type: str | None = None
    from_type: str | None = None

    def attributes(self, since: str | None) -> tuple[tuple[str, str], ...]:
        """The XML attributes of this change, sorted by name."""
        values = {
            "change": self.change,
            "table": self.table,
            "column": self.column,
            "type": self.type,
            "from-type": self.from_type,
            "since": since,
        }
        return tuple(sorted((k, v) for k, v in values.items() if v is not None))


@dataclass(frozen=True)
class ExportSource:
    """What an export reads, and the metadata elements that describe it."""

    choice: TableChoice
    details: Details
    fingerprint: Fingerprint = field(default_factory=dict)


# ----------------------------------------------------------------------------
# Making, refreshing, dropping and restoring the views


def make_export_views(
    settings: Settings,
    dry_run: bool = False,
    *,
    restore: bool = False,
    drop: bool = False,
) -> ViewsResult:
    """Create or refresh the export views, in one transaction.

    :param restore: build the recorded views again, as they were frozen,
        instead of freezing the current schema.
    :param drop: drop the views and keep their record, so that a migration
        may change the columns they read.
    :param dry_run: work out the DDL without running it.
    """
    with db.connect(
        settings.connection,
        password_env=settings.password_env,
        application="gimexport make-export-views",
        autocommit=True,
    ) as conn:
        if dry_run:
            with conn.transaction(force_rollback=True):
                conn.execute("SET TRANSACTION READ ONLY")
                return apply_export_views(
                    conn, settings, restore=restore, drop=drop, dry_run=True
                )
        with locks.maintenance_lock(
            conn,
            settings.maintenance_lock_key,
            settings.maintenance_lock_wait_seconds,
        ):
            with conn.transaction():
                return apply_export_views(conn, settings, restore=restore, drop=drop)


def apply_export_views(
    conn: Connection,
    settings: Settings,
    *,
    restore: bool = False,
    drop: bool = False,
    dry_run: bool = False,
) -> ViewsResult:
    """Do what :func:`make_export_views` does, in the caller's transaction.

    A migration script may call this inside its own transaction; the views
    lock is held until that transaction ends.
    """
    if restore and drop:
        raise ConfigError("restore and drop cannot be combined")
    if settings.views_schema == settings.schema:
        raise ConfigError(
            f"[infomart] views-schema {settings.views_schema!r} must differ "
            "from [infomart] schema"
        )
    action = "restore" if restore else "drop" if drop else "make"
    if not dry_run:
        conn.execute("SELECT pg_advisory_xact_lock(%s)", (VIEWS_LOCK_KEY,))
    prepare = _prepare_schema(conn, settings.views_schema, dry_run)

    record = read_record(conn, settings.views_schema)
    skipped: tuple[tuple[str, str], ...] = ()
    source = settings.schema
    if drop:
        wanted: list[ViewSpec] = []
    elif restore:
        if record is None:
            raise ExportViewsOutdated(
                f"schema {settings.views_schema!r} holds no record of export "
                "views to restore; run `gimexport make-export-views`"
            )
        wanted, source = _restored_specs(conn, record), record.source_schema
    else:
        wanted, skipped = _frozen_specs(conn, settings.schema)

    existing = _existing_views(conn, settings.views_schema)
    plan = _plan(wanted, existing, record, action)
    ddl = _statements(plan, settings.views_schema, source)
    new_record = _new_record(conn, settings, record, wanted, plan, action)
    if not dry_run:
        for statement in ddl:
            logger.debug("%s", statement.as_string(conn))
            conn.execute(statement)
        if new_record is not None and new_record is not record:
            _write_record(conn, settings.views_schema, new_record)

    if skipped:
        logger.warning(
            "no export view for %d table(s) whose names are longer than %d "
            "characters: %s",
            len(skipped),
            MAX_NAME_LENGTH,
            ", ".join(name for name, _ in skipped),
        )
    _log_outcome(plan, settings.views_schema, dry_run)
    return ViewsResult(
        schema=settings.views_schema,
        action=action,
        dry_run=dry_run,
        created=tuple(spec.name for spec in plan.create),
        replaced=tuple(spec.name for spec in plan.replace),
        unchanged=tuple(spec.name for spec in plan.unchanged),
        dropped=plan.drop,
        skipped=skipped,
        statements=tuple(s.as_string(conn) for s in [*prepare, *ddl]),
        record=new_record,
    )


@dataclass
class _Plan:
    create: list[ViewSpec] = field(default_factory=list)
    replace: list[ViewSpec] = field(default_factory=list)
    unchanged: list[ViewSpec] = field(default_factory=list)
    drop: tuple[str, ...] = ()


def _prepare_schema(conn: Connection, schema: str, dry_run: bool) -> list[sql.Composed]:
    """Create the views schema and the record table where missing; lock it."""
    info = sql.Identifier(schema, VIEWS_INFO)
    statements: list[sql.Composed] = []
    if not _schema_exists(conn, schema):
        statements.append(
            sql.SQL("CREATE SCHEMA IF NOT EXISTS {}").format(sql.Identifier(schema))
        )
    if not _relation_exists(conn, schema, VIEWS_INFO):
        statements.append(
            sql.SQL(
                "CREATE TABLE IF NOT EXISTS {} (made_at timestamptz NOT NULL, "
                "schema_version text NOT NULL, source_schema text NOT NULL, "
                "restored_at timestamptz, views jsonb NOT NULL)"
            ).format(info)
        )
    if dry_run:
        return statements
    try:
        for statement in statements:
            conn.execute(statement)
        conn.execute(sql.SQL("LOCK TABLE {} IN ACCESS EXCLUSIVE MODE").format(info))
    except psycopg.errors.InsufficientPrivilege as error:
        raise GimExportError(
            f"cannot make export views in schema {schema!r}: {db.failure_reason(error)}"
        ) from None
    return statements


def _schema_exists(conn: Connection, schema: str) -> bool:
    row = conn.execute(
        "SELECT 1 FROM pg_namespace WHERE nspname = %s", (schema,)
    ).fetchone()
    return row is not None


def _relation_exists(conn: Connection, schema: str, name: str) -> bool:
    row = conn.execute(
        """
        SELECT 1 FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
        WHERE n.nspname = %s AND c.relname = %s
        """,
        (schema, name),
    ).fetchone()
    return row is not None


def _frozen_specs(
    conn: Connection, schema: str
) -> tuple[list[ViewSpec], tuple[tuple[str, str], ...]]:
    """One view per exportable table with the columns it has now."""
    tables = infomart.list_tables(conn, schema)
    numbers = _column_numbers(conn, schema)
    specs: list[ViewSpec] = []
    skipped: list[tuple[str, str]] = []
    for table in tables:
        if infomart.exclusion_reason(table) is not None:
            continue
        if len(table.name) > MAX_NAME_LENGTH:
            reason = f"name longer than {MAX_NAME_LENGTH} characters"
            skipped.append((table.name, reason))
            continue
        if table.name == VIEWS_INFO:
            skipped.append((table.name, "name reserved for the views record"))
            continue
        oid, attnums = numbers[table.name]
        columns = tuple(
            ViewColumn(c.name, c.name, attnums[c.name], c.type) for c in table.columns
        )
        specs.append(ViewSpec(table.name, table.name, oid, columns, table.primary_key))
    if not specs:
        raise CatalogError(
            f"schema {schema!r} has no exportable table; is [infomart] schema right?"
        )
    return specs, tuple(skipped)


def _column_numbers(
    conn: Connection, schema: str
) -> dict[str, tuple[int, dict[str, int]]]:
    """Per table of ``schema``: its oid and the number of each column."""
    rows = conn.execute(
        """
        SELECT c.relname, c.oid::bigint, a.attname, a.attnum
        FROM pg_class c
        JOIN pg_namespace n ON n.oid = c.relnamespace
        JOIN pg_attribute a ON a.attrelid = c.oid
        WHERE n.nspname = %s AND c.relkind IN ('r', 'p', 'v')
          AND a.attnum > 0 AND NOT a.attisdropped
        """,
        (schema,),
    ).fetchall()
    numbers: dict[str, tuple[int, dict[str, int]]] = {}
    for table, oid, column, number in rows:
        entry = numbers.setdefault(str(table), (_int(oid), {}))
        entry[1][str(column)] = _int(number)
    return numbers


def _restored_specs(conn: Connection, record: ViewsRecord) -> list[ViewSpec]:
    """The recorded views, reading the columns they read when they were made.

    A table is found by its oid, so that a renamed table is followed, and
    then its columns by number, so that renamed columns are followed; a
    table that was created anew is found by name, its columns by name.
    """
    rows = conn.execute(
        """
        SELECT c.oid::bigint, c.relname, a.attnum, a.attname,
               format_type(a.atttypid, a.atttypmod)
        FROM pg_class c
        JOIN pg_namespace n ON n.oid = c.relnamespace
        JOIN pg_attribute a ON a.attrelid = c.oid
        WHERE n.nspname = %s AND c.relkind IN ('r', 'p', 'v')
          AND a.attnum > 0 AND NOT a.attisdropped
        """,
        (record.source_schema,),
    ).fetchall()
    by_oid: dict[int, tuple[str, dict[int, tuple[str, str]]]] = {}
    oid_of: dict[str, int] = {}
    for oid, table, number, column, type_name in rows:
        entry = by_oid.setdefault(_int(oid), (str(table), {}))
        entry[1][_int(number)] = (str(column), str(type_name))
        oid_of[str(table)] = _int(oid)

    specs: list[ViewSpec] = []
    lost: list[str] = []
    for spec in record.views:
        oid = spec.table_oid if spec.table_oid in by_oid else oid_of.get(spec.table)
        if oid is None:
            lost.append(f"{spec.name} (table {spec.table} is gone)")
            continue
        table, columns = by_oid[oid]
        restored: list[ViewColumn] = []
        for column in spec.columns:
            found = _find_column(column, columns, same_table=oid == spec.table_oid)
            if found is None:
                lost.append(f"{spec.name} (column {column.source} of {table} is gone)")
            else:
                restored.append(found)
        specs.append(ViewSpec(spec.name, table, oid, tuple(restored), spec.primary_key))
    if lost:
        raise ExportViewsOutdated(
            f"cannot restore export views {', '.join(lost)}; run "
            "`gimexport make-export-views` to freeze the current schema instead"
        )
    return specs


def _find_column(
    column: ViewColumn, columns: Mapping[int, tuple[str, str]], same_table: bool
) -> ViewColumn | None:
    """The table column a recorded view column reads now: by number, else by name.

    The name is the fallback for a column that a migration added anew under
    the old name, as some migrations do to change a type.
    """
    if same_table and column.number in columns:
        source, kind = columns[column.number]
        return ViewColumn(column.name, source, column.number, kind)
    by_name = {name: (number, kind) for number, (name, kind) in columns.items()}
    for name in (column.source, column.name):
        if name in by_name:
            number, kind = by_name[name]
            return ViewColumn(column.name, name, number, kind)
    return None


def _existing_views(conn: Connection, schema: str) -> dict[str, tuple[str, ...]]:
    """The views of ``schema`` with their column names."""
    rows = conn.execute(
        """
        SELECT c.relname, a.attname
        FROM pg_class c
        JOIN pg_namespace n ON n.oid = c.relnamespace
        JOIN pg_attribute a ON a.attrelid = c.oid
        WHERE n.nspname = %s AND c.relkind = 'v'
          AND a.attnum > 0 AND NOT a.attisdropped
        ORDER BY c.relname, a.attnum
        """,
        (schema,),
    ).fetchall()
    views: dict[str, tuple[str, ...]] = {}
    for view, column in rows:
        views[str(view)] = (*views.get(str(view), ()), str(column))
    return views


def _plan(
    wanted: Sequence[ViewSpec],
    existing: Mapping[str, tuple[str, ...]],
    record: ViewsRecord | None,
    action: str,
) -> _Plan:
    """Sort the wanted views into create, replace and unchanged; find drops."""
    plan = _Plan()
    for spec in wanted:
        columns = existing.get(spec.name)
        recorded = record.view(spec.name) if record else None
        if columns is None:
            plan.create.append(spec)
        elif columns == spec.column_names and (
            action == "restore" or (recorded and recorded.same_reads(spec))
        ):
            plan.unchanged.append(spec)
        else:
            plan.replace.append(spec)

    names = {spec.name for spec in wanted}
    recorded_names = {spec.name for spec in record.views} if record else set()
    plan.drop = tuple(sorted((recorded_names & set(existing)) - names))
    return plan


def _statements(plan: _Plan, schema: str, source: str) -> list[sql.Composed]:
    """The DDL of a plan: drops first, then replacements, then new views."""
    statements: list[sql.Composed] = []
    for name in plan.drop:
        statements.append(_drop_view(schema, name))
    for spec in plan.replace:
        statements.append(_drop_view(schema, spec.name))
        statements.append(_create_view(schema, source, spec))
    for spec in plan.create:
        statements.append(_create_view(schema, source, spec))
    return statements


def _drop_view(schema: str, name: str) -> sql.Composed:
    return sql.SQL("DROP VIEW {}").format(sql.Identifier(schema, name))


def _create_view(schema: str, source: str, spec: ViewSpec) -> sql.Composed:
    columns = [
        sql.Identifier(c.source)
        if c.source == c.name
        else sql.SQL("{} AS {}").format(
            sql.Identifier(c.source), sql.Identifier(c.name)
        )
        for c in spec.columns
    ]
    return sql.SQL("CREATE VIEW {} AS SELECT {} FROM {}").format(
        sql.Identifier(schema, spec.name),
        sql.SQL(", ").join(columns),
        sql.Identifier(source, spec.table),
    )


def _new_record(
    conn: Connection,
    settings: Settings,
    record: ViewsRecord | None,
    wanted: list[ViewSpec],
    plan: _Plan,
    action: str,
) -> ViewsRecord | None:
    """The record after this call; ``record`` itself when it stays as it is.

    A restore keeps the time and version of the freeze it rebuilds.
    """
    now = dt.datetime.now(dt.UTC).replace(microsecond=0)
    if action == "drop":
        return record
    if action == "restore":
        assert record is not None
        if not plan.create and not plan.replace:
            return record
        return ViewsRecord(
            record.made_at,
            record.schema_version,
            record.source_schema,
            tuple(wanted),
            restored_at=now,
        )

    version = infomart.schema_version(
        conn, settings.schema, settings.schema_version_table
    )
    same = (version, settings.schema, tuple(wanted))
    if record and (record.schema_version, record.source_schema, record.views) == same:
        return record
    return ViewsRecord(now, version, settings.schema, tuple(wanted))


def _log_outcome(plan: _Plan, schema: str, dry_run: bool) -> None:
    logger.info(
        "%sexport views in %s: %d created, %d replaced, %d dropped, %d unchanged",
        "dry run, " if dry_run else "",
        schema,
        len(plan.create),
        len(plan.replace),
        len(plan.drop),
        len(plan.unchanged),
    )


# ----------------------------------------------------------------------------
# The record


def read_record(conn: Connection, views_schema: str) -> ViewsRecord | None:
    """Return the record of the export views, or None when none were made."""
    if not _relation_exists(conn, views_schema, VIEWS_INFO):
        return None
    query = sql.SQL(
        "SELECT made_at, schema_version, source_schema, restored_at, views FROM {}"
    ).format(sql.Identifier(views_schema, VIEWS_INFO))
    row = conn.execute(query).fetchone()
    if row is None:
        return None
    made_at, version, source, restored_at, views = row
    try:
        specs = tuple(_spec_from(item) for item in cast(list[Any], views))
    except (KeyError, TypeError, ValueError):
        raise CatalogError(
            f"the record of export views in {views_schema}.{VIEWS_INFO} is "
            "unreadable; run `gimexport make-export-views`"
        ) from None
    return ViewsRecord(
        made_at=made_at,  # type: ignore[arg-type]
        schema_version=str(version),
        source_schema=str(source),
        views=specs,
        restored_at=restored_at,  # type: ignore[arg-type]
    )


def _spec_from(item: Mapping[str, Any]) -> ViewSpec:
    return ViewSpec(
        name=str(item["view"]),
        table=str(item["table"]),
        table_oid=int(item["table_oid"]),
        columns=tuple(
            ViewColumn(
                str(c["name"]), str(c["source"]), int(c["number"]), str(c["type"])
            )
            for c in item["columns"]
        ),
        primary_key=tuple(str(name) for name in item["primary_key"]),
    )


def _spec_to(spec: ViewSpec) -> dict[str, Any]:
    return {
        "view": spec.name,
        "table": spec.table,
        "table_oid": spec.table_oid,
        "primary_key": list(spec.primary_key),
        "columns": [
            {"name": c.name, "source": c.source, "number": c.number, "type": c.type}
            for c in spec.columns
        ],
    }


def _write_record(conn: Connection, views_schema: str, record: ViewsRecord) -> None:
    info = sql.Identifier(views_schema, VIEWS_INFO)
    conn.execute(sql.SQL("DELETE FROM {}").format(info))
    conn.execute(
        sql.SQL(
            "INSERT INTO {} (made_at, schema_version, source_schema, restored_at, "
            "views) VALUES (%s, %s, %s, %s, %s)"
        ).format(info),
        (
            record.made_at,
            record.schema_version,
            record.source_schema,
            record.restored_at,
            Jsonb([_spec_to(spec) for spec in record.views]),
        ),
    )


# ----------------------------------------------------------------------------
# What the export reads


def lock_before_snapshot(conn: Connection, settings: Settings) -> None:
    """Wait for a make of export views in progress, and keep the next one out.

    Call it as the first statement of the export's REPEATABLE READ
    transaction: LOCK TABLE takes no snapshot, so the snapshot that the next
    statement takes sees the views and record of the make that finished.
    Does nothing without ``use-export-views``.
    """
    if not settings.use_export_views:
        return
    info = sql.Identifier(settings.views_schema, VIEWS_INFO)
    try:
        conn.execute(sql.SQL("LOCK TABLE {} IN ACCESS SHARE MODE").format(info))
    except (psycopg.errors.UndefinedTable, psycopg.errors.InvalidSchemaName):
        raise ExportViewsOutdated(
            f"use-export-views is true but schema {settings.views_schema!r} "
            "holds no export views; run `gimexport make-export-views`"
        ) from None


def export_source(conn: Connection, settings: Settings) -> ExportSource:
    """Choose what the export reads: the Info Mart tables or the export views.

    Runs in the export's snapshot. The details describe the export views
    used, and how the tables and columns differ from the previous folder's.
    """
    if settings.use_export_views:
        tables, details = _views_source(conn, settings)
    else:
        tables, details = infomart.list_tables(conn, settings.schema), ()
    choice = infomart.choose_tables(tables, settings.include, settings.exclude)

    fingerprint = fingerprint_of(choice.tables)
    previous = read_fingerprint(settings.output_directory)
    if previous is not None:
        since, before = previous
        changes = schema_changes(before, fingerprint)
        if changes:
            logger.warning(
                "the exported tables and columns changed since %s: %s",
                since,
                "; ".join(_describe(change) for change in changes),
            )
        details += tuple(("schema-change", c.attributes(since)) for c in changes)
    return ExportSource(choice, details, fingerprint)


def _views_source(conn: Connection, settings: Settings) -> tuple[list[Table], Details]:
    """The export views as tables; check that each one is there as made."""
    schema = settings.views_schema
    record = read_record(conn, schema)
    if record is None:
        raise ExportViewsOutdated(
            f"use-export-views is true but schema {schema!r} holds no export "
            "views; run `gimexport make-export-views`"
        )
    recorded = [_table_of(schema, spec) for spec in record.views]
    wanted = infomart.choose_tables(recorded, settings.include, settings.exclude)
    existing = _existing_views(conn, schema)

    missing = [t.name for t in wanted.tables if t.name not in existing]
    altered = [
        t.name
        for t in wanted.tables
        if t.name in existing and existing[t.name] != t.column_names
    ]
    if missing or altered:
        raise _outdated(schema, missing, altered)
    _lock_views(conn, schema, [t.name for t in wanted.tables])

    actual = {t.name: t for t in infomart.list_tables(conn, schema)}
    tables = [
        Table(schema, t.name, actual[t.name].columns, t.primary_key) for t in recorded
    ]
    details: Details = (
        (
            "export-views",
            (
                ("made-ts", str(int(record.made_at.timestamp()))),
                ("schema", schema),
                ("schema-version", record.schema_version),
            ),
        ),
    )
    current = infomart.schema_version(
        conn, settings.schema, settings.schema_version_table
    )
    if current != record.schema_version:
        logger.info(
            "export views freeze Info Mart schema %s, which is at %s now; run "
            "`gimexport make-export-views` when the receiver is ready for it",
            record.schema_version,
            current,
        )
    return tables, details


def _table_of(schema: str, spec: ViewSpec) -> Table:
    columns = tuple(Column(c.name, c.type, False) for c in spec.columns)
    return Table(schema, spec.name, columns, spec.primary_key)


def _outdated(
    schema: str, missing: Sequence[str], altered: Sequence[str]
) -> ExportViewsOutdated:
    parts = []
    if missing:
        names = ", ".join(f"{schema}.{name}" for name in missing)
        parts.append(
            f"export view {names} is missing" if len(missing) == 1
            else f"export views {names} are missing"
        )  # fmt: skip
    if altered:
        names = ", ".join(f"{schema}.{name}" for name in altered)
        parts.append(f"{names} no longer has the recorded columns")
    return ExportViewsOutdated(
        f"{'; '.join(parts)} (a migration dropped a table or column it reads, "
        "or the views were dropped); run `gimexport make-export-views --restore` "
        "to rebuild them as recorded, or `gimexport make-export-views` to "
        "export the current schema"
    )


def _lock_views(conn: Connection, schema: str, names: Sequence[str]) -> None:
    """Lock the views (and the tables under them) against DROP until the end."""
    if not names:
        return
    statement = sql.SQL("LOCK TABLE {} IN ACCESS SHARE MODE").format(
        sql.SQL(", ").join(sql.Identifier(schema, name) for name in names)
    )
    try:
        conn.execute(statement)
    except psycopg.errors.UndefinedTable as error:
        raise ExportViewsOutdated(
            f"an export view in {schema!r} was dropped as the export started "
            f"({db.failure_reason(error)}); run `gimexport make-export-views "
            "--restore` or `gimexport make-export-views`"
        ) from None


# ----------------------------------------------------------------------------
# Schema changes between folders


def fingerprint_of(tables: Sequence[Table]) -> Fingerprint:
    """The tables and columns (with types) that a folder is read from."""
    return {
        table.name.lower(): tuple((c.name, c.type) for c in table.columns)
        for table in tables
    }


def schema_changes(before: Fingerprint, after: Fingerprint) -> list[SchemaChange]:
    """Tables and columns added, removed or retyped, sorted by table."""
    changes: list[SchemaChange] = []
    for table in sorted(before.keys() | after.keys()):
        if table not in before:
            changes.append(SchemaChange("table-added", table))
            continue
        if table not in after:
            changes.append(SchemaChange("table-removed", table))
            continue
        old, new = dict(before[table]), dict(after[table])
        for column, kind in after[table]:
            if column not in old:
                changes.append(SchemaChange("column-added", table, column, kind))
            elif old[column] != kind:
                changes.append(
                    SchemaChange(
                        "column-type-changed", table, column, kind, old[column]
                    )
                )
        for column, kind in before[table]:
            if column not in new:
                changes.append(SchemaChange("column-removed", table, column, kind))
    return changes


def _describe(change: SchemaChange) -> str:
    if change.column is None:
        return f"{change.change} {change.table}"
    return f"{change.change} {change.table}.{change.column}"


def _schema_path(output_directory: Path) -> Path:
    return output_directory / ".gim" / SCHEMA_FILE


def read_fingerprint(output_directory: Path) -> tuple[str, Fingerprint] | None:
    """The last published folder's name and what it was read from, if known."""
    path = _schema_path(output_directory)
    try:
        with open(path, "rb") as handle:
            data = tomllib.load(handle)
        folder = str(data["folder"])
        tables = {
            str(name): tuple((str(c), str(t)) for c, t in columns)
            for name, columns in data["tables"].items()
        }
    except FileNotFoundError:
        return None
    except (OSError, tomllib.TOMLDecodeError, KeyError, TypeError, ValueError) as e:
        logger.warning(
            "ignoring unreadable %s (%s); schema changes go unreported", path, e
        )
        return None
    return folder, tables


def remember_source(output_directory: Path, source: ExportSource, folder: str) -> None:
    """Record what a published folder was read from, for the next folder.

    Written after the folder is published: a crash in between makes the
    next folder repeat the schema change, never miss it.
    """
    document = {
        "folder": folder,
        "tables": {
            name: [list(column) for column in columns]
            for name, columns in sorted(source.fingerprint.items())
        },
    }
    path = _schema_path(output_directory)
    temporary = path.with_name(f"{SCHEMA_FILE}.tmp")
    fd = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "wb") as handle:
        handle.write(tomli_w.dumps(document).encode())
        handle.flush()
        os.fsync(handle.fileno())
    os.replace(temporary, path)


def _int(value: object) -> int:
    return int(str(value))
