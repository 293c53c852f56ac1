"""Loading export folders into a target database, merged by primary key.

:func:`load` takes the folders of a directory in name order. Each one is
verified, then every CSV in its zip is copied into a temporary table and
merged into the target table of the same name, all in one transaction per
folder that ends by recording the folder in a ledger table. A folder in the
ledger is skipped, so loading again changes nothing; a folder whose
``hwm-from`` does not follow the last one loaded stops the load.

The merge never replaces a row by an older version of it: a row is updated
only when the incoming audit key (the greater of CREATE_AUDIT_KEY and
UPDATE_AUDIT_KEY) is at least the stored one's. Folders loaded again or out
of order therefore cannot roll data back.
"""

from __future__ import annotations

import codecs
import contextlib
import csv
import hashlib
import io
import json
import logging
import time
import zipfile
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import unquote

import psycopg
from psycopg import sql

from gim_export import crypto, db, package, target
from gim_export.crypto import DecryptionError, RSAPrivateKey
from gim_export.errors import ConfigError, GimExportError, Problem
from gim_export.infomart import CREATE_KEY, UPDATE_KEY, Table, list_tables
from gim_export.progress import NoProgress, Progress
from gim_export.received import verify_folder_keeping_zip

logger = logging.getLogger(__name__)

Connection = psycopg.Connection[Any]

LEDGER_TABLE = "gimexport_ledger"
INCOMING_TABLE = "gimexport_incoming"
COPY_BLOCK = 1024 * 1024

# Progress tasks: one per folder (in tables), one per table (in bytes). A
# table task's name starts with this indent, so that a display can show it
# under its folder and drop it when the table is done.
TABLE_TASK_INDENT = "  "

_TEXT_TYPES = ("character varying", "character", "text")


class LoadError(GimExportError):
    """A folder cannot be loaded; nothing of it reached the target."""

    def __init__(self, message: str, report: LoadReport | None = None) -> None:
        super().__init__(message)
        self.report = report


class ChainGap(LoadError):
    """A folder does not follow the last one loaded: audit keys are missing."""


class FolderDamaged(LoadError):
    """A folder failed the checks of verify-chain; ``problems`` lists them."""

    def __init__(self, message: str, problems: list[Problem]) -> None:
        super().__init__(message)
        self.problems = problems


@dataclass(frozen=True)
class TableLoad:
    """One CSV merged into its target table."""

    table: str
    rows: int
    inserted: int
    updated: int

    @property
    def unchanged(self) -> int:
        """Rows that left the target as it was: older, equal or repeated."""
        return self.rows - self.inserted - self.updated

    def __add__(self, other: TableLoad) -> TableLoad:
        return TableLoad(
            self.table,
            self.rows + other.rows,
            self.inserted + other.inserted,
            self.updated + other.updated,
        )


@dataclass(frozen=True)
class FolderLoad:
    """What happened to one folder: loaded (and how it linked) or skipped."""

    name: str
    kind: str
    hwm_from: int | None
    hwm_to: int | None
    status: str
    link: str
    tables: tuple[TableLoad, ...] = ()
    seconds: float = 0.0

    @property
    def rows(self) -> int:
        """Rows over every CSV of the folder."""
        return sum(t.rows for t in self.tables)


@dataclass
class LoadReport:
    """Everything one :func:`load` call did, folder by folder."""

    directory: Path
    target: str
    schema: str
    ledger: str
    folders: list[FolderLoad] = field(default_factory=list)

    @property
    def loaded(self) -> list[FolderLoad]:
        """The folders merged by this call."""
        return [f for f in self.folders if f.status == "loaded"]

    @property
    def skipped(self) -> list[FolderLoad]:
        """The folders the ledger already held."""
        return [f for f in self.folders if f.status == "skipped"]

    def totals(self) -> list[TableLoad]:
        """Rows, inserted and updated per table over the loaded folders."""
        sums: dict[str, TableLoad] = {}
        for folder in self.loaded:
            for entry in folder.tables:
                known = sums.get(entry.table)
                sums[entry.table] = entry if known is None else known + entry
        return [sums[name] for name in sorted(sums)]

    def summary(self) -> str:
        """One line: folders loaded and skipped, rows inserted and updated."""
        totals = self.totals()
        inserted = sum(t.inserted for t in totals)
        updated = sum(t.updated for t in totals)
        return (
            f"{_plural(len(self.loaded), 'folder')} loaded, "
            f"{len(self.skipped)} already loaded: {inserted} rows inserted, "
            f"{updated} updated"
        )

    def as_dict(self) -> dict[str, Any]:
        """The report as plain data, for ``--json``."""
        return {
            "directory": str(self.directory),
            "target": self.target,
            "schema": self.schema,
            "ledger": self.ledger,
            "folders": [
                {**asdict(f), "tables": [_table_dict(t) for t in f.tables]}
                for f in self.folders
            ],
            "totals": [_table_dict(t) for t in self.totals()],
        }


def _table_dict(entry: TableLoad) -> dict[str, Any]:
    return {**asdict(entry), "unchanged": entry.unchanged}


def _plural(count: int, word: str) -> str:
    return f"{count} {word}" if count == 1 else f"{count} {word}s"


@dataclass(frozen=True)
class Position:
    """The end of the chain loaded so far: the folder and its hwm-to."""

    folder: str
    hwm: int


# ----------------------------------------------------------------------------
# The load


def load(
    directory: Path,
    target_dsn: str,
    *,
    schema: str = "public",
    ledger: str = LEDGER_TABLE,
    create_schema: bool = False,
    partitioned: bool = False,
    allow_gaps: bool = False,
    password_env: str | None = None,
    progress: Progress | None = None,
    key: RSAPrivateKey | None = None,
) -> LoadReport:
    """Load the export folders of ``directory`` into ``schema`` of the target.

    :param ledger: the ledger table, ``name`` (in ``schema``) or
        ``schema.name``; created when missing.
    :param create_schema: first create the schema and run the reference
        target script in it (``sql_scripts/update_target_gim_db.sql``, or the
        partitioned one): tables the target lacks are created, narrower
        columns widened.
    :param allow_gaps: load a folder whose hwm-from does not follow the last
        folder loaded instead of stopping (the data before it stays missing).
    :param key: the recipient's private key, for folders whose zip is
        encrypted (``.zip.p7m``); each is decrypted into a temporary file.
    """
    if not directory.is_dir():
        raise ConfigError(f"{str(directory)!r} is not a directory")
    folders = _folders(directory)
    progress = progress or NoProgress()
    ledger_schema, ledger_name = _ledger_name(ledger, schema)
    report = LoadReport(
        directory, db.describe(target_dsn), schema, f"{ledger_schema}.{ledger_name}"
    )

    with db.connect(
        target_dsn,
        password_env=password_env,
        application="gimexport load",
        autocommit=True,
    ) as conn:
        _lock(conn, report.ledger)
        if create_schema:
            script = target.shipped_script(partitioned)
            target.run_script(conn, script, schema)
        ledger_id = sql.Identifier(ledger_schema, ledger_name)
        _create_ledger(conn, ledger_schema, ledger_id)
        loaded, position = _read_ledger(conn, ledger_id)
        catalog = {t.name: t for t in list_tables(conn, schema)}

        pending = [f for f in folders if f.name not in loaded]
        for folder in folders:
            if folder.name in loaded:
                report.folders.append(_skipped(folder, loaded[folder.name]))
        logger.info(
            "%d folder(s) to load into %s, %d already loaded",
            len(pending),
            report.target,
            len(folders) - len(pending),
        )

        for folder in pending:
            try:
                result, position = _load_folder(
                    conn,
                    folder,
                    catalog,
                    ledger_id,
                    position,
                    allow_gaps,
                    progress,
                    key,
                )
            except LoadError as error:
                report.folders.sort(key=lambda f: f.name)
                error.report = report
                raise
            except GimExportError as error:
                report.folders.sort(key=lambda f: f.name)
                raise LoadError(str(error), report) from error
            report.folders.append(result)
    report.folders.sort(key=lambda f: f.name)
    logger.info("loaded %s: %s", directory, report.summary())
    return report


def _folders(directory: Path) -> list[Path]:
    """The export folders in name order; a name out of the format stops us."""
    strays = sorted(
        p.name
        for p in directory.iterdir()
        if p.name.startswith(package.FOLDER_PREFIX)
        and package.parse_folder_name(p.name) is None
    )
    if strays:
        raise LoadError(
            f"{strays[0]!r} in {str(directory)!r} is not an export folder name, "
            "so its place in the chain is unknown; move it away or rename it"
        )
    folders = package.export_folders(directory)
    if not folders:
        raise LoadError(f"no export_* folder in {str(directory)!r}")
    return folders


def _ledger_name(ledger: str, schema: str) -> tuple[str, str]:
    """(schema, table) of the ledger from ``name`` or ``schema.name``."""
    parts = ledger.split(".")
    if len(parts) == 1 and parts[0]:
        return schema, parts[0]
    if len(parts) == 2 and all(parts):
        return parts[0], parts[1]
    raise ConfigError(f"ledger {ledger!r} is not NAME or SCHEMA.NAME")


def _lock(conn: Connection, ledger: str) -> None:
    """Hold a session lock: two loads into one ledger would interleave folders."""
    row = conn.execute(
        "SELECT pg_try_advisory_lock(hashtext(%s))", (f"gimexport load {ledger}",)
    ).fetchone()
    if not row or not row[0]:
        raise LoadError(f"another gimexport load into {ledger} is running")


def _create_ledger(conn: Connection, schema: str, ledger: sql.Identifier) -> None:
    conn.execute(
        sql.SQL("CREATE SCHEMA IF NOT EXISTS {}").format(sql.Identifier(schema))
    )
    conn.execute(
        sql.SQL(
            """
            CREATE TABLE IF NOT EXISTS {} (
                folder text PRIMARY KEY,
                kind text NOT NULL,
                hwm_from numeric(19) NOT NULL,
                hwm_to numeric(19) NOT NULL,
                max_data_ts bigint NOT NULL,
                zip_sha1 text NOT NULL,
                chain_folder text,
                chain_hwm numeric(19),
                loaded_seq bigint GENERATED ALWAYS AS IDENTITY UNIQUE,
                loaded_at timestamptz NOT NULL DEFAULT now(),
                rows jsonb NOT NULL
            )
            """
        ).format(ledger)
    )


@dataclass(frozen=True)
class _LedgerRow:
    kind: str
    hwm_from: int
    hwm_to: int
    zip_sha1: str


def _read_ledger(
    conn: Connection, ledger: sql.Identifier
) -> tuple[dict[str, _LedgerRow], Position | None]:
    """The folders loaded before, and the chain position the last one left."""
    rows = conn.execute(
        sql.SQL(
            "SELECT folder, kind, hwm_from, hwm_to, zip_sha1, chain_folder, "
            "chain_hwm FROM {} ORDER BY loaded_seq"
        ).format(ledger)
    ).fetchall()
    loaded = {}
    position = None
    for name, kind, hwm_from, hwm_to, sha1, chain_folder, chain_hwm in rows:
        loaded[str(name)] = _LedgerRow(str(kind), int(hwm_from), int(hwm_to), sha1)
        position = (
            Position(str(chain_folder), int(chain_hwm))
            if chain_folder is not None
            else None
        )
    return loaded, position


def _skipped(folder: Path, row: _LedgerRow) -> FolderLoad:
    digest = _zip_sha1(folder)
    if digest is not None and digest != row.zip_sha1:
        logger.warning(
            "%s is in the ledger with zip SHA-1 %s, the folder now holds %s; "
            "skipped all the same",
            folder.name,
            row.zip_sha1,
            digest,
        )
    return FolderLoad(
        folder.name, row.kind, row.hwm_from, row.hwm_to, "skipped", "in ledger"
    )


def _zip_sha1(folder: Path) -> str | None:
    try:
        zip_file = crypto.encrypted_zip(folder) or folder / f"{folder.name}.zip"
        data = zip_file.with_name(f"{zip_file.name}.sha1").read_bytes()
        return package.parse_sha1_line(data[:4096])[0]
    except (OSError, package.FormatError):
        return None


# ----------------------------------------------------------------------------
# One folder


def _load_folder(
    conn: Connection,
    folder: Path,
    catalog: dict[str, Table],
    ledger: sql.Identifier,
    position: Position | None,
    allow_gaps: bool,
    progress: Progress,
    key: RSAPrivateKey | None = None,
) -> tuple[FolderLoad, Position | None]:
    """Verify, link and merge one folder in one transaction."""
    started = time.monotonic()
    with contextlib.ExitStack() as keep:
        metadata, zip_path = _verified(folder, key, keep)
        link, after = _link(folder.name, metadata, position, allow_gaps)
        tables = _merge_folder(
            conn, folder, zip_path, metadata, catalog, ledger, after, progress
        )

    result = FolderLoad(
        folder.name,
        metadata.kind,
        metadata.hwm_from,
        metadata.hwm_to,
        "loaded",
        link,
        tuple(tables),
        round(time.monotonic() - started, 3),
    )
    logger.info(
        "loaded %s (%s): %d rows, %d inserted, %d updated",
        folder.name,
        link,
        result.rows,
        sum(t.inserted for t in tables),
        sum(t.updated for t in tables),
    )
    return result, after


def _merge_folder(
    conn: Connection,
    folder: Path,
    zip_path: Path,
    metadata: package.Metadata,
    catalog: dict[str, Table],
    ledger: sql.Identifier,
    after: Position | None,
    progress: Progress,
) -> list[TableLoad]:
    """Merge every CSV of the verified zip and record the folder, in one commit."""
    entries = {e.file.casefold(): e for e in metadata.tables}
    task = folder.name
    with zipfile.ZipFile(zip_path) as archive:
        members = _members(archive)
        progress.start(task, total=len(members), unit="tables")
        tables = []
        try:
            with conn.transaction():
                for info, expected in members:
                    entry = entries.get(info.filename.casefold())
                    tables.append(
                        _merge_member(
                            conn, folder.name, catalog, archive, info,
                            expected, entry, metadata.encoding, progress,
                        )
                    )  # fmt: skip
                    progress.advance(task, 1)
                _record(conn, ledger, folder, metadata, after, tables)
        finally:
            progress.finish(task)
    return tables


def _verified(
    folder: Path, key: RSAPrivateKey | None, keep: contextlib.ExitStack
) -> tuple[package.Metadata, Path]:
    """The folder's metadata and plain zip once the checks of verify-chain pass.

    The CSV files are not inflated here: their SHA-1 and row counts are
    checked while they stream into the target, before the commit. An
    encrypted zip is decrypted once, into a temporary file ``keep`` removes.
    """
    metadata, problems, zip_path = verify_folder_keeping_zip(folder, key, keep)
    if problems or metadata is None:
        first = problems[0] if problems else None
        more = f" (and {len(problems) - 1} more)" if len(problems) > 1 else ""
        reason = f"{first.kind}: {first.message}" if first else "no metadata"
        raise FolderDamaged(
            f"{folder.name} failed verification: {reason}{more}; nothing of it "
            "was loaded",
            problems,
        )
    if zip_path is None:
        raise DecryptionError(
            f"{folder.name} is encrypted; pass --key with the recipient's key"
        )
    return metadata, zip_path


def _link(
    name: str,
    metadata: package.Metadata,
    position: Position | None,
    allow_gaps: bool,
) -> tuple[str, Position | None]:
    """How a folder links to what was loaded, and the position after it.

    The position is the highest hwm-to loaded with every audit key below it
    loaded too. A regular folder must start at or below it, else keys are
    missing; one that starts below it overlaps folders loaded before and
    merges without harm, since no row goes back to an older version (after
    a restart, folders of the old and the new generation overlap so). A
    restart may start anywhere; a re-export stands beside the chain.
    """
    kind = metadata.kind
    here = Position(name, metadata.hwm_to)
    if kind == "re-export":
        return "re-export", position
    if position is None:
        return ("restart" if kind == "restart" else "first"), here
    after = here if metadata.hwm_to > position.hwm else position
    if kind == "restart":
        return "restart", after

    if metadata.hwm_from > position.hwm:
        message = (
            f"gap: audit keys {position.hwm + 1}..{metadata.hwm_from} are missing "
            f"(between folder {position.folder} and folder {name})"
        )
        if not allow_gaps:
            raise ChainGap(message)
        logger.warning("%s; loading on as asked", message)
        return "gap", here
    if metadata.hwm_from < position.hwm:
        logger.info(
            "%s starts at audit key %d, below %d where %s ended: merged all "
            "the same, no row goes back to an older version",
            name,
            metadata.hwm_from,
            position.hwm,
            position.folder,
        )
        return "overlap", after
    return "linked", after


def _members(archive: zipfile.ZipFile) -> list[tuple[zipfile.ZipInfo, str | None]]:
    """The CSV members in name order, with the digest of their .sha1 member."""
    infos = archive.infolist()
    sums = {i.filename.casefold(): i for i in infos if i.filename.endswith(".sha1")}
    members = []
    for info in sorted(infos, key=lambda i: i.filename):
        if not info.filename.lower().endswith(".csv"):
            continue
        digest = None
        checksum = sums.get(f"{info.filename}.sha1".casefold())
        if checksum is not None:
            digest = package.parse_sha1_line(archive.read(checksum))[0]
        members.append((info, digest))
    return members


def _merge_member(
    conn: Connection,
    folder: str,
    catalog: dict[str, Table],
    archive: zipfile.ZipFile,
    info: zipfile.ZipInfo,
    expected: str | None,
    entry: package.TableEntry | None,
    encoding: str,
    progress: Progress,
) -> TableLoad:
    """Merge one CSV of the zip; check its SHA-1 and row count on the way."""
    name = unquote(info.filename[: -len(".csv")]).lower()
    table = _target_table(catalog, name, folder)

    task = f"{TABLE_TASK_INDENT}{name}"
    progress.start(task, total=info.file_size, unit="bytes")
    checksums = [s for s in (expected, entry.sha1.lower() if entry else None) if s]
    digest = hashlib.sha1(usedforsecurity=False)
    try:
        with archive.open(info) as member:
            try:
                raw = _blocks(member, digest, progress, task)
                header, chunks = _split_header(_utf8(raw, encoding))
                result = merge_csv(conn, table, header, chunks)
            except (psycopg.Error, LoadError, UnicodeDecodeError):
                # A damaged CSV fails anywhere: name the damage, not its symptom.
                while block := member.read(COPY_BLOCK):
                    digest.update(block)
                _check_sha1(folder, info.filename, digest.hexdigest(), checksums)
                raise
    except psycopg.Error as error:
        raise LoadError(f"{folder}: table {name}: {_reason(error)}") from None
    except (zipfile.BadZipFile, OSError, UnicodeDecodeError) as error:
        raise LoadError(f"{folder}: {info.filename}: {error}") from None
    except LoadError as error:
        if str(error).startswith(f"{folder}: "):
            raise
        raise LoadError(f"{folder}: {error}") from None
    finally:
        progress.finish(task)

    _check_sha1(folder, info.filename, digest.hexdigest(), checksums)
    if entry is not None and entry.rows != result.rows:
        raise LoadError(
            f"{folder}: {info.filename} holds {result.rows} rows, the metadata "
            f"says {entry.rows}; nothing of the folder was loaded"
        )
    return result


def _target_table(catalog: dict[str, Table], name: str, folder: str) -> Table:
    """The target table of a CSV file, whose name the export wrote in lower case.

    A table whose name has upper-case letters (created quoted) is found too,
    unless two tables of the schema differ only in case.
    """
    if name in catalog:
        return catalog[name]
    matches = sorted(key for key in catalog if key.lower() == name)
    if len(matches) == 1:
        return catalog[matches[0]]
    if matches:
        raise LoadError(
            f"{folder}: {name}.csv could be any of the target tables "
            f"{', '.join(map(repr, matches))}, which differ only in case"
        )
    raise LoadError(
        f"{folder}: table {name!r} is not in the target schema; create it "
        "with the script `gimexport target-ddl` prints"
    )


def _check_sha1(folder: str, file: str, found: str, checksums: Sequence[str]) -> None:
    """Stop when a CSV is not what its checksums say."""
    for says in checksums:
        if says != found:
            raise LoadError(
                f"{folder}: {file} has SHA-1 {found}, its checksum says {says}; "
                "nothing of the folder was loaded"
            )


def _blocks(member: Any, digest: Any, progress: Progress, task: str) -> Iterator[bytes]:
    """The raw bytes of a zip member, hashed and counted on the way."""
    while block := member.read(COPY_BLOCK):
        digest.update(block)
        progress.advance(task, len(block))
        yield block


def _utf8(blocks: Iterable[bytes], encoding: str) -> Iterator[bytes]:
    """The bytes in UTF-8, the client encoding of every gimexport connection."""
    try:
        codec = codecs.lookup(encoding)
    except LookupError:
        raise LoadError(f"the CSV encoding {encoding!r} is unknown") from None
    if codec.name == "utf-8":
        yield from blocks
        return
    decoder = codec.incrementaldecoder("strict")
    for block in blocks:
        yield decoder.decode(block).encode()
    yield decoder.decode(b"", final=True).encode()


def _split_header(chunks: Iterator[bytes]) -> tuple[list[str], Iterator[bytes]]:
    """The column names of the header line, and every byte including it."""
    buffered = b""
    for chunk in chunks:
        buffered += chunk
        if b"\n" in buffered:
            break
    line = buffered.split(b"\n", 1)[0].decode().lstrip("\ufeff")
    header = next(csv.reader(io.StringIO(line)), [])
    if not header:
        raise LoadError("the CSV has no header line")

    def rest() -> Iterator[bytes]:
        yield buffered
        yield from chunks

    return header, rest()


def _reason(error: psycopg.Error) -> str:
    """The server's message, with the COPY line or column where it has one."""
    diag = error.diag
    message = diag.message_primary or str(error).strip().splitlines()[0]
    context = (diag.context or "").strip().splitlines()
    if context and context[0].startswith("COPY "):
        message += f" ({context[0]})"
    return message


def _record(
    conn: Connection,
    ledger: sql.Identifier,
    folder: Path,
    metadata: package.Metadata,
    after: Position | None,
    tables: Sequence[TableLoad],
) -> None:
    """Add the folder to the ledger, in the folder's transaction."""
    rows = {t.table: {"rows": t.rows, "inserted": t.inserted} for t in tables}
    for entry in tables:
        rows[entry.table]["updated"] = entry.updated
    conn.execute(
        sql.SQL(
            """
            INSERT INTO {} (folder, kind, hwm_from, hwm_to, max_data_ts, zip_sha1,
                            chain_folder, chain_hwm, rows)
            VALUES (%s, %s, %s, %s, %s, %s, %s, %s, %s::jsonb)
            """
        ).format(ledger),
        (
            folder.name,
            metadata.kind,
            metadata.hwm_from,
            metadata.hwm_to,
            metadata.max_data_ts,
            _zip_sha1(folder) or "",
            after.folder if after else None,
            after.hwm if after else None,
            json.dumps(rows, sort_keys=True),
        ),
    )


# ----------------------------------------------------------------------------
# The merge


def merge_csv(
    conn: Connection, table: Table, columns: Sequence[str], data: Iterable[bytes]
) -> TableLoad:
    """Merge CSV bytes (header line included) into ``table`` by primary key.

    ``table`` describes the target table, ``columns`` the CSV's header. The
    rows go through PostgreSQL's ``COPY ... (FORMAT csv)`` into a temporary
    table of the target's types: an unquoted empty field is NULL, a quoted
    one the empty string, and an empty field of a NOT NULL text column is
    the empty string too. Of rows with the same key the one with the
    highest audit key is kept; it replaces the stored row only when its
    audit key is not lower than the stored row's.
    """
    key = list(table.primary_key)
    _check_columns(table, columns, key)
    names = [sql.Identifier(c) for c in columns]
    incoming = sql.Identifier(INCOMING_TABLE)
    types = {c.name: c for c in table.columns}
    force_not_null = [
        sql.Identifier(c)
        for c in columns
        if types[c].not_null and types[c].type.startswith(_TEXT_TYPES)
    ]

    with conn.transaction():
        conn.execute(
            sql.SQL("CREATE TEMP TABLE {} AS SELECT {} FROM {} WITH NO DATA").format(
                incoming, sql.SQL(", ").join(names), table.identifier
            )
        )
        options: sql.Composable = sql.SQL("FORMAT csv, HEADER true")
        if force_not_null:
            options += sql.SQL(", FORCE_NOT_NULL ({})").format(
                sql.SQL(", ").join(force_not_null)
            )
        statement = sql.SQL("COPY {} ({}) FROM STDIN ({})").format(
            incoming, sql.SQL(", ").join(names), options
        )
        with conn.cursor() as cursor:
            with cursor.copy(statement) as copy:
                for chunk in data:
                    copy.write(chunk)
            rows = max(cursor.rowcount, 0)

        inserted = updated = 0
        if rows:
            inserted, updated = _merge(conn, table, columns, key)
        conn.execute(sql.SQL("DROP TABLE {}").format(incoming))

    logger.debug(
        "merged %d rows into %s: %d inserted, %d updated",
        rows,
        table.name,
        inserted,
        updated,
    )
    return TableLoad(table.name, rows, inserted, updated)


def _merge(
    conn: Connection, table: Table, columns: Sequence[str], key: Sequence[str]
) -> tuple[int, int]:
    """Merge the temporary table; return the rows inserted and updated.

    An export never repeats a key within one CSV, so the merge first runs
    without sorting out repeated keys; ON CONFLICT refuses to touch a row
    twice, and only then is the statement run again with DISTINCT ON.
    """
    partitioned = _partitioned(conn, table)
    try:
        with conn.transaction():
            merge = _merge_statement(table, columns, key, partitioned, unique=True)
            row = conn.execute(merge).fetchone()
    except psycopg.errors.CardinalityViolation:
        logger.debug("%s: keys repeat within the CSV, keeping the latest", table.name)
        merge = _merge_statement(table, columns, key, partitioned, unique=False)
        row = conn.execute(merge).fetchone()
    return (int(row[0]), int(row[1])) if row else (0, 0)


def _check_columns(table: Table, columns: Sequence[str], key: Sequence[str]) -> None:
    if not key:
        raise LoadError(
            f"table {table.name} has no primary key in the target, so rows "
            "cannot be merged; add one"
        )
    missing = [c for c in columns if c not in table.column_names]
    if missing:
        raise LoadError(
            f"table {table.name} in the target lacks column {missing[0]!r}; run "
            "the target script (`gimexport target-ddl`) again"
        )
    absent = [c for c in (*key, CREATE_KEY) if c not in columns]
    if absent:
        raise LoadError(
            f"the CSV of {table.name} lacks column {absent[0]!r}, which the merge needs"
        )
    if len(set(columns)) != len(columns):
        raise LoadError(f"the CSV of {table.name} names a column twice")


def _partitioned(conn: Connection, table: Table) -> bool:
    row = conn.execute(
        "SELECT relkind = 'p' FROM pg_class WHERE oid = %s::regclass",
        (table.identifier.as_string(conn),),
    ).fetchone()
    return bool(row and row[0])


def _merge_statement(
    table: Table,
    columns: Sequence[str],
    key: Sequence[str],
    partitioned: bool,
    unique: bool = False,
) -> sql.Composed:
    """INSERT ... ON CONFLICT that never goes back to an older version.

    Unless ``unique`` says that no key repeats, DISTINCT ON keeps one row
    per key, the one with the highest audit key (the later line of the CSV
    on a tie: the temporary table's ctid order is the file's). ON CONFLICT
    updates only when the incoming audit key is higher, or equal with a
    different row.

    Inserts are told from updates by xmax, 0 for a row this statement
    inserted. A partitioned table cannot return xmax: there the keys absent
    before the statement are counted, in the statement's own snapshot.
    """
    names = sql.SQL(", ").join(sql.Identifier(c) for c in columns)
    keys = sql.SQL(", ").join(sql.Identifier(c) for c in key)
    others = [c for c in columns if c not in key]

    # Cast, so that a target of text columns still compares numbers.
    def audit(alias: str) -> sql.Composable:
        if UPDATE_KEY in columns:
            return sql.SQL("greatest({a}.{c}::numeric, {a}.{u}::numeric)").format(
                a=sql.Identifier(alias),
                c=sql.Identifier(CREATE_KEY),
                u=sql.Identifier(UPDATE_KEY),
            )
        return sql.SQL("{}.{}::numeric").format(
            sql.Identifier(alias), sql.Identifier(CREATE_KEY)
        )

    def row(alias: str) -> sql.Composable:
        return sql.SQL("ROW({})").format(
            sql.SQL(", ").join(sql.Identifier(alias, c) for c in others)
        )

    action: sql.Composable = sql.SQL("DO NOTHING")
    if others:
        action = sql.SQL(
            "DO UPDATE SET {updates} WHERE {audit_x} > {audit_t} "
            "OR ({audit_x} = {audit_t} AND {row_t} IS DISTINCT FROM {row_x})"
        ).format(
            updates=sql.SQL(", ").join(
                sql.SQL("{c} = excluded.{c}").format(c=sql.Identifier(c))
                for c in others
            ),
            audit_x=audit("excluded"),
            audit_t=audit("t"),
            row_t=row("t"),
            row_x=row("excluded"),
        )
    fields = {
        "target": table.identifier,
        "names": names,
        "keys": keys,
        "incoming": sql.Identifier(INCOMING_TABLE),
        "audit_i": audit("i"),
        "action": action,
        "match": sql.SQL(" AND ").join(
            sql.SQL("t.{c} = l.{c}").format(c=sql.Identifier(c)) for c in key
        ),
    }
    latest = """
        SELECT DISTINCT ON ({keys}) {names}
        FROM {incoming} AS i
        ORDER BY {keys}, {audit_i} DESC, i.ctid DESC
    """
    if unique:
        latest = "SELECT {names} FROM {incoming}"
    if not partitioned:
        return sql.SQL(
            """
            WITH merged AS (
                INSERT INTO {target} AS t ({names})
                SELECT {names} FROM ("""
            + latest
            + """) AS latest
                ON CONFLICT ({keys}) {action}
                RETURNING (t.xmax = 0) AS inserted
            )
            SELECT count(*) FILTER (WHERE inserted),
                   count(*) FILTER (WHERE NOT inserted)
            FROM merged
            """
        ).format(**fields)
    return sql.SQL(
        """
        WITH latest AS MATERIALIZED ("""
        + latest
        + """), absent AS (
            SELECT count(*) AS n FROM latest AS l
            WHERE NOT EXISTS (SELECT 1 FROM {target} AS t WHERE {match})
        ), merged AS (
            INSERT INTO {target} AS t ({names})
            SELECT {names} FROM latest
            ON CONFLICT ({keys}) {action}
            RETURNING 1
        )
        SELECT n, (SELECT count(*) FROM merged) - n FROM absent
        """
    ).format(**fields)
