"""The target schema: idempotent PostgreSQL scripts that create or update it.

A receiver keeps its own database of the exported data. :func:`target_script`
writes a script that brings such a database level with a list of tables: it
creates the tables that are missing with their primary keys, adds the
columns that are missing and widens columns that are narrower than the
source's. It never drops a table or a column and never narrows a type, so it
runs any number of times, and on a target made by an older script.

The tables come from one of three places:

- the Info Mart catalog or the export views (:func:`catalog_tables`), with
  every type and key, custom user-data tables included;
- the reference Info Mart of ``sql_scripts/infomart.sql``
  (:func:`reference_tables`), from which the shipped
  ``sql_scripts/update_target_gim_db*.sql`` are generated;
- a directory of export folders alone (:func:`folder_tables`): the columns
  are known from the CSV headers and the XML, but not their types (every
  column is ``text`` but the audit keys) nor the primary keys, which the
  folders do not carry.
"""

from __future__ import annotations

import csv
import importlib.resources
import io
import logging
import re
import tempfile
import zipfile
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import psycopg
from psycopg import sql

from gim_export import db, embedded, infomart, package, sample, views
from gim_export.config import Settings
from gim_export.errors import ConfigError, GimExportError
from gim_export.infomart import Column, Table

logger = logging.getLogger(__name__)

Connection = psycopg.Connection[Any]

# The partition key of partitioned targets, as in a partitioned Info Mart.
PARTITION_COLUMN = "start_date_time_key"
DEFAULT_PARTITION_SUFFIX = "_pdefault"
MAX_IDENTIFIER = 63
AUDIT_KEY_TYPE = "numeric(19,0)"

SOURCES = ("infomart", "views", "folder", "reference")

REFERENCE_SCRIPTS = {
    False: "update_target_gim_db.sql",
    True: "update_target_gim_db_partitioned.sql",
}

# A schema that cannot clash with a real one; it lives inside a transaction
# that is always rolled back.
_SCRATCH_SCHEMA = "gimexport_reference_scratch"

_TYPE_RE = re.compile(
    r"(?P<base>[a-z][a-z ]*?)(?:\((?P<args>\d+(?:,\d+)?)\))?"
    r"(?P<zone> with(?:out)? time zone)?"
)
_INTEGERS = ("smallint", "integer", "bigint")
_TEXTS = ("character varying", "character", "text")


class TargetSchemaError(GimExportError):
    """The tables for a target script cannot be found or read."""


@dataclass(frozen=True)
class TypeShape:
    """A column type as information_schema.columns describes it.

    The script compares these figures with the target's to decide whether a
    column is narrower than the source's.
    """

    data_type: str
    length: int | None = None
    precision: int | None = None
    scale: int | None = None
    time_precision: int | None = None


def type_shape(type_name: str) -> TypeShape | None:
    """The shape of a ``format_type`` name, or None for a type not widened.

    Widened are the text, integer, numeric, floating point, time and
    timestamp types; arrays, intervals and user-defined types are left as
    they are.
    """
    match = _TYPE_RE.fullmatch(type_name)
    if match is None:
        return None
    base, zone = match["base"], match["zone"] or ""
    args = [int(a) for a in match["args"].split(",")] if match["args"] else []

    if base in ("character varying", "character"):
        return TypeShape(base, length=args[0] if args else None)
    if base == "numeric":
        if not args:
            return TypeShape(base)
        return TypeShape(base, precision=args[0], scale=args[1] if args[1:] else 0)
    if base in ("timestamp", "time"):
        zone = zone or " without time zone"
        return TypeShape(base + zone, time_precision=args[0] if args else 6)
    if not args and not zone and base in (*_INTEGERS, "text", "real"):
        return TypeShape(base)
    if base == "double precision" and not args:
        return TypeShape(base)
    return None


# ----------------------------------------------------------------------------
# Where the tables come from


def target_ddl(
    settings: Settings,
    source: str = "infomart",
    *,
    folder: Path | None = None,
    partitioned: bool = False,
    schema: str | None = None,
) -> str:
    """The target script for one source of tables, as ``target-ddl`` prints it.

    :param source: ``infomart`` (the ``[infomart]`` schema), ``views`` (the
        export views), ``folder`` (the export folders under ``folder``) or
        ``reference`` (the reference Info Mart, built and rolled back on the
        ``[infomart]`` connection, or on an embedded server without one).
    """
    if source not in SOURCES:
        raise ConfigError(f"source {source!r} is not one of {', '.join(SOURCES)}")
    options: dict[str, Any] = {"partitioned": partitioned, "schema": schema}
    if source == "folder":
        if folder is None:
            raise ConfigError("a folder source needs the directory of the folders")
        tables = folder_tables(folder)
        names = [p.name for p in package.export_folders(folder)]
        described = f"{len(names)} export folders, {names[0]} to {names[-1]}"
        return target_script(tables, source=described, types_known=False, **options)
    if source == "reference":
        if settings.connection:
            with _connect(settings) as conn:
                return reference_script(conn, partitioned, schema)
        with tempfile.TemporaryDirectory(prefix="gimexport-ddl-") as scratch:
            with (
                embedded.embedded_server(Path(scratch) / "pgdata") as dsn,
                _connect(Settings(connection=dsn)) as conn,
            ):
                return reference_script(conn, partitioned, schema)

    with _connect(settings) as conn:
        version = infomart.schema_version(
            conn, settings.schema, settings.schema_version_table
        )
        if source == "views":
            tables = catalog_tables(conn, settings.views_schema)
            options["nullability_known"] = nullability_known(
                conn, settings.views_schema, tables
            )
            described = (
                f"export views in schema {settings.views_schema!r}, "
                f"Info Mart schema version {version}"
            )
        else:
            tables = catalog_tables(
                conn, settings.schema, settings.include, settings.exclude
            )
            described = (
                f"Info Mart schema {settings.schema!r}, schema version {version}"
            )
    return target_script(tables, source=described, **options)


def _connect(settings: Settings) -> Connection:
    if not settings.connection:
        raise ConfigError("no connection: give [infomart] connection or --dsn")
    return db.connect(
        settings.connection,
        password_env=settings.password_env,
        application="gimexport target-ddl",
        autocommit=True,
    )


def catalog_tables(
    conn: Connection,
    schema: str,
    include: Sequence[str] = ("*",),
    exclude: Sequence[str] = (),
) -> list[Table]:
    """The tables (or export views) of ``schema`` that an export reads.

    A view has no primary key of its own. An export view takes the key that
    ``make-export-views`` recorded for it; another view the key of the one
    table it reads, when it shows every key column under the table's name.
    """
    found = infomart.list_tables(conn, schema)
    if not found:
        raise TargetSchemaError(f"schema {schema!r} holds no table or view")
    keys = _view_keys(conn, schema)
    record = views.read_record(conn, schema)
    recorded = _recorded_views(conn, record) if record else {}
    keys.update((name, table.primary_key) for name, table in recorded.items())
    tables = [
        Table(
            t.schema,
            t.name,
            recorded[t.name].columns if t.name in recorded else t.columns,
            t.primary_key or keys.get(t.name, ()),
        )
        for t in found
    ]
    choice = infomart.choose_tables(tables, include, exclude)
    for name, reason in choice.skipped:
        logger.debug("left out %s: %s", name, reason)
    return list(choice.tables)


def _recorded_views(conn: Connection, record: views.ViewsRecord) -> dict[str, Table]:
    """The export views as recorded, NOT NULL taken from the tables they read
    (a view's own columns never say NOT NULL)."""
    bases = {t.name: t for t in infomart.list_tables(conn, record.source_schema)}
    found = {}
    for spec in record.views:
        base = bases.get(spec.table)
        not_null = {c.name for c in base.columns if c.not_null} if base else set()
        columns = tuple(
            Column(c.name, c.type, c.source in not_null) for c in spec.columns
        )
        found[spec.name] = Table("", spec.name, columns, spec.primary_key)
    return found


def nullability_known(conn: Connection, schema: str, tables: Iterable[Table]) -> bool:
    """Whether NOT NULL is known for every table: a view's own columns never
    say it, only the record of export views does."""
    rows = conn.execute(
        """
        SELECT c.relname FROM pg_class c
        JOIN pg_namespace n ON n.oid = c.relnamespace
        WHERE n.nspname = %s AND c.relkind = 'v'
        """,
        (schema,),
    ).fetchall()
    plain_views = {str(name) for (name,) in rows}
    record = views.read_record(conn, schema)
    if record is not None:
        plain_views -= {spec.name for spec in record.views}
    return not any(t.name in plain_views for t in tables)


def _view_keys(conn: Connection, schema: str) -> dict[str, tuple[str, ...]]:
    """The primary key of each view of ``schema`` that reads exactly one table."""
    rows = conn.execute(
        """
        SELECT v.relname, min(d.refobjid::regclass::text),
               count(DISTINCT d.refobjid), min(d.refobjid::bigint)
        FROM pg_class v
        JOIN pg_namespace n ON n.oid = v.relnamespace
        JOIN pg_rewrite r ON r.ev_class = v.oid
        JOIN pg_depend d ON d.objid = r.oid
          AND d.classid = 'pg_rewrite'::regclass
          AND d.refclassid = 'pg_class'::regclass
          AND d.refobjid <> v.oid
        JOIN pg_class t ON t.oid = d.refobjid AND t.relkind IN ('r', 'p')
        WHERE n.nspname = %s AND v.relkind = 'v'
        GROUP BY v.relname
        """,
        (schema,),
    ).fetchall()
    keys: dict[str, tuple[str, ...]] = {}
    for view, _, count, base in rows:
        if count != 1:
            continue
        key = conn.execute(
            """
            SELECT array_agg(a.attname ORDER BY u.position)
            FROM pg_constraint k
            JOIN LATERAL unnest(k.conkey) WITH ORDINALITY AS u(attnum, position)
              ON true
            JOIN pg_attribute a ON a.attrelid = k.conrelid AND a.attnum = u.attnum
            WHERE k.conrelid = %s::oid AND k.contype = 'p'
            """,
            (base,),
        ).fetchone()
        if key and key[0]:
            keys[str(view)] = tuple(str(column) for column in key[0])
    columns = {t.name: set(t.column_names) for t in infomart.list_tables(conn, schema)}
    return {
        view: key for view, key in keys.items() if set(key) <= columns.get(view, set())
    }


def reference_tables(conn: Connection) -> list[Table]:
    """The exported tables of the reference Info Mart (``sql_scripts/infomart.sql``).

    The reference DDL is applied to a scratch schema inside a transaction
    that is rolled back: the database is left as it was.
    """
    with conn.transaction(force_rollback=True):
        sample.apply_schema(conn, schema=_SCRATCH_SCHEMA)
        tables = catalog_tables(conn, _SCRATCH_SCHEMA)
    return [Table("", t.name, t.columns, t.primary_key) for t in tables]


def folder_tables(directory: Path) -> list[Table]:
    """The tables of every export folder under ``directory``, from names alone.

    Columns come from the XML's table list, or from the CSV headers when the
    XML has none (as from the original export job), in the order first
    seen; a column a later folder adds is appended. Every column is
    nullable and ``text``, but for the audit keys (``numeric(19,0)``); no
    table has a primary key. The folders carry neither types nor keys.
    """
    folders = package.export_folders(directory)
    if not folders:
        raise TargetSchemaError(f"no export_* folder in {str(directory)!r}")
    columns: dict[str, list[str]] = {}
    for folder in folders:
        for table, names in _folder_columns(folder):
            known = columns.setdefault(table, [])
            known.extend(name for name in names if name not in known)
    return [
        Table("", table, tuple(_folder_column(name) for name in names), ())
        for table, names in sorted(columns.items())
    ]


def _folder_column(name: str) -> Column:
    """A column known by name only: text, but for the audit keys every Info
    Mart row carries, which the merge compares as numbers."""
    if name in (infomart.CREATE_KEY, infomart.UPDATE_KEY):
        return Column(name, AUDIT_KEY_TYPE, False)
    return Column(name, "text", False)


def _folder_columns(folder: Path) -> list[tuple[str, tuple[str, ...]]]:
    """(table, columns) for each CSV of one folder."""
    try:
        metadata = package.read_metadata(folder)
    except (OSError, package.FormatError) as error:
        raise TargetSchemaError(
            f"{folder.name}: unreadable metadata: {error}"
        ) from None
    listed = [(e.name.lower(), e.columns) for e in metadata.tables if e.columns]
    if listed:
        return listed
    zip_path = folder / f"{folder.name}.zip"
    try:
        with zipfile.ZipFile(zip_path) as archive:
            return [
                (
                    info.filename[: -len(".csv")].lower(),
                    _header(archive, info, metadata),
                )
                for info in archive.infolist()
                if info.filename.lower().endswith(".csv")
            ]
    except (OSError, zipfile.BadZipFile) as error:
        raise TargetSchemaError(f"{folder.name}: unreadable zip: {error}") from None


def _header(
    archive: zipfile.ZipFile, info: zipfile.ZipInfo, metadata: package.Metadata
) -> tuple[str, ...]:
    """The column names of a CSV member's header line."""
    with archive.open(info) as member:
        line = member.readline(1024 * 1024)
    text = line.decode(metadata.encoding).lstrip("\ufeff")
    return tuple(next(csv.reader(io.StringIO(text)), []))


# ----------------------------------------------------------------------------
# The script


def target_script(
    tables: Iterable[Table],
    *,
    source: str,
    partitioned: bool = False,
    schema: str | None = None,
    types_known: bool = True,
    nullability_known: bool = True,
) -> str:
    """An idempotent script that creates or updates a target for ``tables``.

    :param source: one line on where the tables came from, for the header.
    :param partitioned: range-partition on START_DATE_TIME_KEY every table
        that has the column, with a DEFAULT partition that takes any row.
    :param schema: qualify every name with this schema and create it;
        otherwise the script works in the current schema.
    :param types_known: False for tables read from folders: no widening,
        since every column is ``text``.
    :param nullability_known: False when the columns' NOT NULL is unknown
        (views not made by gimexport): no column is then let take NULL.
    """
    tables = sorted(tables, key=lambda t: t.name)
    schema_sql = _literal(schema) if schema else "current_schema()"
    parts = [
        _header_comment(
            source,
            len(tables),
            partitioned,
            schema,
            types_known,
            nullability_known,
        )
    ]
    parts.append("SET client_min_messages = warning;\n")
    if schema:
        parts.append(f"CREATE SCHEMA IF NOT EXISTS {_ident(schema)};\n")

    parents = []
    for table in tables:
        parted = partitioned and PARTITION_COLUMN in table.column_names
        parts.append(_create_table(table, schema, parted, types_known))
        if parted:
            parents.append(table.name)
    if parents:
        parts.append(_default_partitions(parents, schema_sql))
    if types_known and tables:
        parts.append(_widen_block(tables, schema_sql, nullability_known))
    parts.append("RESET client_min_messages;\n")
    return "\n".join(parts)


def _header_comment(
    source: str,
    count: int,
    partitioned: bool,
    schema: str | None,
    types_known: bool,
    nullability_known: bool,
) -> str:
    layout = "partitioned" if partitioned else "plain"
    where = (
        f"schema {_comment(schema)} (created if missing)"
        if schema
        else "the current schema, the first of search_path"
    )
    lines = [
        f"Target schema for data exported by gimexport: {count} tables, "
        f"{layout} layout.",
        f"Source: {_comment(source)}.",
        "Written by `gimexport target-ddl`: generate it again rather than edit it.",
        "",
        "Creates the tables that are missing, with their primary keys, and adds",
        "the columns that are missing (nullable, since older rows lack them).",
    ]
    if types_known:
        lines += [
            "Widens a column that is narrower than the source's (a longer varchar,",
            "a larger numeric, integer to bigint, ...); a column wider or of",
            "another type than the source's is left alone with a WARNING.",
        ]
        lines += (
            ["Lets a column take NULL where the source does."]
            if nullability_known
            else ["NOT NULL is not known from these views: it is left as it is."]
        )
    else:
        lines += [
            "Column types are not known from export folders: every column is text.",
            "The folders carry no primary keys either: add a PRIMARY KEY to each",
            "table before `gimexport load`, which merges by primary key.",
        ]
    lines += [
        "Never drops a table or a column and never narrows a type: run it any",
        "number of times, on an empty database or on a target made before.",
        "",
        f"Objects go to {where}:",
        "    PGOPTIONS='-c search_path=gim' \\",
        "        psql -v ON_ERROR_STOP=1 -1 -d target -f <this script>",
    ]
    if partitioned:
        lines += [
            "",
            "Tables with START_DATE_TIME_KEY are range-partitioned on it, with",
            "the column in their primary key and a DEFAULT partition that takes",
            "any row; add ranges of your own with CREATE TABLE ... PARTITION OF",
            "(rows in the DEFAULT partition for that range must move first).",
            "A plain table that exists already stays plain.",
        ]
    return "".join(f"-- {line}".rstrip() + "\n" for line in lines)


def _create_table(
    table: Table, schema: str | None, partitioned: bool, types_known: bool
) -> str:
    """CREATE TABLE IF NOT EXISTS, then ADD COLUMN IF NOT EXISTS for each column."""
    name = _qualified(schema, table.name)
    key = list(table.primary_key)
    if partitioned and PARTITION_COLUMN not in key:
        key.append(PARTITION_COLUMN)

    lines = [
        f"    {_ident(c.name)} {c.type}{' NOT NULL' if c.not_null else ''}"
        for c in table.columns
    ]
    if key:
        lines.append(f"    PRIMARY KEY ({', '.join(_ident(k) for k in key)})")
    tail = f" PARTITION BY RANGE ({_ident(PARTITION_COLUMN)})" if partitioned else ""
    comment = f"-- {_comment(table.name)}"
    if not key:
        comment += (
            ": primary key unknown; add one before loading"
            if not types_known
            else ": no primary key in the source; `gimexport load` cannot merge it"
        )
    create = f"CREATE TABLE IF NOT EXISTS {name} (\n" + ",\n".join(lines)
    adds = ",\n".join(
        f"    ADD COLUMN IF NOT EXISTS {_ident(c.name)} {c.type}" for c in table.columns
    )
    return f"{comment}\n{create}\n){tail};\nALTER TABLE {name}\n{adds};\n"


def _default_partitions(parents: Sequence[str], schema_sql: str) -> str:
    """A DO block that gives each partitioned table its DEFAULT partition."""
    names = ",\n        ".join(_literal(p) for p in parents)
    body = f"""
DECLARE
    parent text;
BEGIN
    FOREACH parent IN ARRAY ARRAY[
        {names}
    ] LOOP
        IF EXISTS (
            SELECT 1 FROM pg_partitioned_table
            WHERE partrelid = to_regclass(format('%I.%I', {schema_sql}, parent))
              AND partdefid = 0
        ) THEN
            EXECUTE format(
                'CREATE TABLE %I.%I PARTITION OF %I.%I DEFAULT',
                {schema_sql},
                left(parent, {MAX_IDENTIFIER - len(DEFAULT_PARTITION_SUFFIX)})
                    || {_literal(DEFAULT_PARTITION_SUFFIX)},
                {schema_sql},
                parent
            );
        END IF;
    END LOOP;
END
"""
    return (
        "-- The DEFAULT partition of each partitioned table, where it has none.\n"
        + _do_block(body)
    )


def _widen_block(tables: Sequence[Table], schema_sql: str, relax: bool) -> str:
    """A DO block that widens narrower columns and drops NOT NULL the source lacks."""
    rows = []
    for table in tables:
        for column in table.columns:
            shape = type_shape(column.type)
            rows.append(
                "("
                + ", ".join(
                    (
                        _literal(table.name),
                        _literal(column.name),
                        _literal(column.type),
                        _literal(shape.data_type) if shape else "NULL::text",
                        _number(shape.length if shape else None),
                        _number(shape.precision if shape else None),
                        _number(shape.scale if shape else None),
                        _number(shape.time_precision if shape else None),
                        "true" if relax and not column.not_null else "false",
                    )
                )
                + ")"
            )
    values = ",\n                ".join(rows)
    wider = _wider_sql("c", "w")
    narrower = _wider_sql("w", "c")
    body = f"""
DECLARE
    change record;
BEGIN
    FOR change IN
        WITH w (table_name, column_name, type_sql, data_type, length,
                precision_, scale, time_precision, nullable) AS (
            VALUES
                {values}
        ), pair AS (
            SELECT w.*,
                   c.data_type AS c_type,
                   c.character_maximum_length AS c_length,
                   c.numeric_precision AS c_precision,
                   c.numeric_scale AS c_scale,
                   c.datetime_precision AS c_time_precision,
                   c.is_nullable = 'YES' AS c_nullable,
                   format_type(a.atttypid, a.atttypmod) AS c_type_sql
            FROM w
            JOIN information_schema.columns c
              ON c.table_schema = {schema_sql}
             AND c.table_name = w.table_name
             AND c.column_name = w.column_name
            JOIN pg_attribute a
              ON a.attrelid = to_regclass(format('%I.%I', {schema_sql}, w.table_name))
             AND a.attname = w.column_name
        )
        SELECT table_name, column_name, type_sql, c_type_sql, nullable, c_nullable,
               w.data_type IS NOT NULL AND ({wider}) AS widen,
               w.data_type IS NOT NULL AND c_type_sql <> type_sql
                 AND NOT ({wider}) AND NOT ({narrower}) AS mismatch,
               EXISTS (
                   SELECT 1 FROM pg_index i
                   JOIN pg_attribute a
                     ON a.attrelid = i.indrelid AND a.attnum = ANY (i.indkey)
                   WHERE i.indrelid = to_regclass(
                           format('%I.%I', {schema_sql}, table_name))
                     AND i.indisprimary AND a.attname = column_name
               ) AS in_key
        FROM pair w
    LOOP
        IF change.widen THEN
            EXECUTE format('ALTER TABLE %I.%I ALTER COLUMN %I TYPE %s',
                           {schema_sql}, change.table_name,
                           change.column_name, change.type_sql);
        ELSIF change.mismatch THEN
            RAISE WARNING 'column %.% is % here, % in the source: left as it is',
                change.table_name, change.column_name, change.c_type_sql,
                change.type_sql;
        END IF;
        IF change.nullable AND NOT change.c_nullable AND NOT change.in_key THEN
            EXECUTE format('ALTER TABLE %I.%I ALTER COLUMN %I DROP NOT NULL',
                           {schema_sql}, change.table_name, change.column_name);
        END IF;
    END LOOP;
END
"""
    return (
        "-- Widen the columns that are narrower than the source's; let a column\n"
        "-- take NULL where the source does. Nothing is narrowed or dropped.\n"
        + _do_block(body)
    )


def _wider_sql(old: str, new: str) -> str:
    """SQL true when the type described by ``new`` holds every value of ``old``'s
    and differs from it. ``c`` names the target's figures, ``w`` the source's."""

    def field(side: str, name: str) -> str:
        if side == "c":
            return {
                "type": "c_type",
                "length": "c_length",
                "precision": "c_precision",
                "scale": "c_scale",
                "time": "c_time_precision",
            }[name]
        return {
            "type": "w.data_type",
            "length": "w.length",
            "precision": "w.precision_",
            "scale": "w.scale",
            "time": "w.time_precision",
        }[name]

    def o(name: str) -> str:
        return field(old, name)

    def n(name: str) -> str:
        return field(new, name)

    ints = ", ".join(_literal(t) for t in _INTEGERS)
    digits = "CASE {t} WHEN 'smallint' THEN 5 WHEN 'integer' THEN 10 ELSE 19 END"
    rank = "array_position(ARRAY[{ints}]::text[], {t})"
    return f"""CASE
                   WHEN {o("type")} IN ('character varying', 'character')
                        AND {n("type")} = 'text' THEN true
                   WHEN {o("type")} = {n("type")}
                        AND {n("type")} IN ('character varying', 'character')
                     THEN {o("length")} IS NOT NULL
                          AND ({n("length")} IS NULL
                               OR {n("length")} > {o("length")})
                   WHEN {o("type")} = 'numeric' AND {n("type")} = 'numeric'
                     THEN {o("precision")} IS NOT NULL
                          AND ({n("precision")} IS NULL
                               OR ({n("scale")} >= {o("scale")}
                                   AND {n("precision")} - {n("scale")}
                                       >= {o("precision")} - {o("scale")}
                                   AND {n("precision")} > {o("precision")}))
                   WHEN {o("type")} IN ({ints}) AND {n("type")} IN ({ints})
                     THEN {rank.format(ints=ints, t=n("type"))}
                          > {rank.format(ints=ints, t=o("type"))}
                   WHEN {o("type")} IN ({ints}) AND {n("type")} = 'numeric'
                     THEN {n("precision")} IS NULL
                          OR {n("precision")} - {n("scale")}
                             >= {digits.format(t=o("type"))}
                   WHEN {o("type")} = 'real'
                        AND {n("type")} = 'double precision' THEN true
                   WHEN {o("type")} = {n("type")} AND {n("type")} LIKE 'time%'
                     THEN {n("time")} > {o("time")}
                   ELSE false
               END"""


def reference_script(
    conn: Connection, partitioned: bool = False, schema: str | None = None
) -> str:
    """The shipped target script: the reference Info Mart's exported tables."""
    return target_script(
        reference_tables(conn),
        source="the reference Info Mart of sql_scripts/infomart.sql",
        partitioned=partitioned,
        schema=schema,
    )


def shipped_script(partitioned: bool = False) -> str:
    """The text of ``sql_scripts/update_target_gim_db*.sql`` as installed."""
    resource = importlib.resources.files("gim_export.sql_scripts")
    return (resource / REFERENCE_SCRIPTS[partitioned]).read_text(encoding="utf-8")


def run_script(conn: Connection, script: str, schema: str) -> None:
    """Run a target script in ``schema`` (created if missing), in one transaction."""
    with conn.transaction():
        conn.execute(
            sql.SQL("CREATE SCHEMA IF NOT EXISTS {}").format(sql.Identifier(schema))
        )
        conn.execute(
            sql.SQL("SET LOCAL search_path TO {}").format(sql.Identifier(schema))
        )
        conn.execute(script.encode())
    logger.info("ran the target script in schema %s", schema)


# ----------------------------------------------------------------------------
# Quoting


def _ident(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def _qualified(schema: str | None, name: str) -> str:
    return f"{_ident(schema)}.{_ident(name)}" if schema else _ident(name)


def _literal(text: str) -> str:
    return "'" + text.replace("'", "''") + "'"


def _number(value: int | None) -> str:
    return "NULL::integer" if value is None else f"{value}"


def _comment(text: str) -> str:
    """Text safe inside a ``--`` comment: no line break can end it early."""
    return "".join(
        char if char.isprintable() else char.encode("unicode_escape").decode()
        for char in text
    )


def _do_block(body: str) -> str:
    """A DO block whose dollar quote the body cannot close, whatever names it holds."""
    tag = "$gim$"
    serial = 0
    while tag in body:
        serial += 1
        tag = f"$gim{serial}$"
    return f"DO {tag}{body}{tag};\n"
