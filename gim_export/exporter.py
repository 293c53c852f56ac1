"""One run of the export job: the next folder (or folders) of the stream.

A run holds the output directory's lock and the shared maintenance lock,
repairs what an earlier run left, picks the next chunk of audit keys, streams
every changed table from one database snapshot into a zip in staging, and
publishes the folder before it moves the stream's position.
"""

from __future__ import annotations

import concurrent.futures
import contextlib
import datetime as dt
import logging
import queue
import threading
import time
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path

import psycopg
from psycopg import sql

from gim_export import crypto, db, hwm, infomart, locks, package, state, stream, views
from gim_export.config import Settings
from gim_export.copyout import CopyOut
from gim_export.errors import DatabaseUnavailable, EncodingFailure
from gim_export.infomart import AuditKey, Table
from gim_export.progress import NoProgress, Progress
from gim_export.zipwriter import DeflatedPart

logger = logging.getLogger(__name__)

Connection = psycopg.Connection[tuple[object, ...]]

COPY_BLOCK = 256 * 1024
GAP_WAIT_SECONDS = 5.0


@dataclass(frozen=True)
class FolderResult:
    """A folder one run wrote: in staging until published, then in place."""

    path: Path
    metadata: package.Metadata

    @property
    def rows(self) -> int:
        """Rows over all tables of the folder."""
        return sum(entry.rows for entry in self.metadata.tables)


@dataclass
class ExportRun:
    """What one ``export`` call did."""

    folders: list[FolderResult] = field(default_factory=list)
    blocked_at: int | None = None
    waiting_keys: int = 0
    skipped_tables: tuple[tuple[str, str], ...] = ()
    removed: list[str] = field(default_factory=list)

    @property
    def caught_up(self) -> bool:
        """Whether no committed audit key is left for a later run."""
        return self.waiting_keys == 0


def export(
    settings: Settings,
    progress: Progress | None = None,
    *,
    catch_up: bool = False,
    gap_wait_seconds: float = GAP_WAIT_SECONDS,
) -> ExportRun:
    """Export the next chunk of the stream, or every chunk with ``catch_up``.

    Connection losses are retried ``max-retries`` times, ``retry-delay-seconds``
    apart; a chunk interrupted by one is built again from its start.
    """
    # A wrong encrypt-certificate stops the run before any data is read.
    crypto.recipient_for(settings)
    progress = progress or NoProgress()
    output = settings.output_directory
    state.prepare_output(output, settings.file_mode)

    with locks.output_lock(output):
        state.clear_staging(output)
        run = ExportRun()
        attempt = 0
        while True:
            try:
                _export_chunks(settings, progress, run, catch_up, gap_wait_seconds)
                run.removed = stream.remove_old_folders(
                    output, settings.days_to_keep_output_files
                )
                return run
            except (psycopg.OperationalError, DatabaseUnavailable) as error:
                state.clear_staging(output)
                attempt += 1
                lost = isinstance(error, psycopg.OperationalError)
                reason = (
                    f"connection lost: {db.failure_reason(error)}" if lost else error
                )
                if getattr(error, "permanent", False) or attempt > settings.max_retries:
                    if lost:
                        raise DatabaseUnavailable(
                            f"lost the Info Mart connection {attempt} time(s), "
                            f"giving up: {db.failure_reason(error)}"
                        ) from None
                    raise
                logger.warning(
                    "%s; retry %d of %d in %d s",
                    reason,
                    attempt,
                    settings.max_retries,
                    settings.retry_delay_seconds,
                )
                time.sleep(settings.retry_delay_seconds)


def _export_chunks(
    settings: Settings,
    progress: Progress,
    run: ExportRun,
    catch_up: bool,
    gap_wait_seconds: float,
) -> None:
    """Export chunks on one connection until caught up or one chunk is done."""
    with (
        db.connect(
            settings.connection,
            password_env=settings.password_env,
            application="gimexport export",
            autocommit=True,
        ) as conn,
        locks.maintenance_lock(
            conn,
            settings.maintenance_lock_key,
            settings.maintenance_lock_wait_seconds,
        ),
    ):
        position = _starting_position(conn, settings, warn=not run.folders)
        while True:
            folder = _export_one(
                conn, settings, position, progress, run, gap_wait_seconds
            )
            if folder is None:
                return
            run.folders.append(folder)
            if not catch_up or run.caught_up:
                return
            position = state.read_position(settings.output_directory)


def _starting_position(
    conn: Connection, settings: Settings, warn: bool = True
) -> state.Position:
    """The stream position, or the start point ``start-date`` gives a new stream."""
    position = state.read_position(settings.output_directory)
    if settings.start_date is None:
        return position
    if position.started:
        if warn:
            logger.warning(
                "start-date applies to an empty output directory only and is ignored "
                "here; use `gimexport restart --from DATE` to move the stream"
            )
        return position

    start_ts = int(settings.start_date.timestamp())
    query = sql.SQL("SELECT min(audit_key) FROM {} WHERE max_chunk_ts >= %s").format(
        sql.Identifier(settings.schema, infomart.AUDIT_LOG)
    )
    row = conn.execute(query, (start_ts,)).fetchone()
    if row is None or row[0] is None:
        return position
    first = int(row[0])  # type: ignore[call-overload]
    logger.info(
        "new stream: start-date %s begins at audit key %d", settings.start_date, first
    )
    return state.Position(hwm=first - 1, max_data_ts=None)


def _export_one(
    conn: Connection,
    settings: Settings,
    position: state.Position,
    progress: Progress,
    run: ExportRun,
    gap_wait_seconds: float,
) -> FolderResult | None:
    """Export one chunk after ``position``; None when nothing can be exported."""
    dead_below = _dead_below(conn, settings.schema, position.hwm, gap_wait_seconds)

    conn.execute("BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY")
    try:
        views.lock_before_snapshot(conn, settings)
        committed = infomart.committed_audit_keys(conn, settings.schema, position.hwm)
        chunk = hwm.choose_chunk(
            committed,
            position.hwm,
            position.max_data_ts,
            settings.chunk_size_seconds,
            dead_below,
        )
        run.blocked_at = chunk.blocked_at if chunk else _first_gap(committed, position)
        if chunk is None:
            run.waiting_keys = len(committed)
            _log_nothing_to_do(committed, run.blocked_at)
            return None
        run.waiting_keys = sum(
            1 for key in committed if key.audit_key > chunk.hwm_to.audit_key
        )

        source = views.export_source(conn, settings)
        choice = source.choice
        run.skipped_tables = choice.skipped
        version = infomart.schema_version(
            conn, settings.schema, settings.schema_version_table
        )
        name, kind, stream_details = stream.folder_plan(
            position, chunk.hwm_to.audit_key, chunk.max_data_ts
        )
        folder = write_folder(
            conn,
            settings,
            position,
            chunk,
            choice.tables,
            version,
            progress,
            source.details + stream_details,
            name=name,
            kind=kind,
        )
    finally:
        conn.execute("ROLLBACK")

    published = package.publish(folder.path, settings.output_directory)
    new_position = state.position_after(published, folder.metadata, position)
    state.write_position(settings.output_directory, new_position)
    views.remember_source(settings.output_directory, source, published.name)
    logger.info(
        "published %s: audit keys %d..%d, %d rows in %d tables",
        published.name,
        chunk.hwm_from + 1,
        chunk.hwm_to.audit_key,
        folder.rows,
        len(folder.metadata.tables),
    )
    return FolderResult(published, folder.metadata)


def _dead_below(
    conn: Connection, schema: str, position_hwm: int, wait_seconds: float
) -> int:
    """Find which missing audit keys belong to transactions that rolled back.

    A first snapshot shows which keys are missing below committed ones. The
    transactions open right after it may hold them; once every one of those
    ended, the export snapshot taken next shows whatever they committed, so
    keys still missing there are dead. Short transactions get
    ``wait_seconds`` to end.
    """
    conn.execute("BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY")
    try:
        first_view = infomart.committed_audit_keys(conn, schema, position_hwm)
    finally:
        conn.execute("ROLLBACK")
    if hwm.passable_keys(first_view, position_hwm)[1] is None:
        return 0

    open_then = infomart.open_transactions(conn)
    deadline = time.monotonic() + wait_seconds
    still_open = open_then & infomart.open_transactions(conn)
    while still_open and time.monotonic() < deadline:
        time.sleep(0.2)
        still_open &= infomart.open_transactions(conn)
    if still_open:
        logger.info(
            "audit keys are missing while %d transaction(s) that may hold them "
            "are open (backend pids %s); the chunk stops before them",
            len(still_open),
            ", ".join(map(str, infomart.open_transaction_pids(conn, still_open))),
        )
    return hwm.dead_below(first_view, bool(still_open))


def _first_gap(committed: Sequence[AuditKey], position: state.Position) -> int | None:
    return hwm.passable_keys(committed, position.hwm)[1]


def _log_nothing_to_do(committed: Sequence[AuditKey], blocked_at: int | None) -> None:
    if blocked_at is not None:
        logger.info(
            "nothing to export: audit key %d is not committed yet and %d later "
            "key(s) wait behind it",
            blocked_at,
            len(committed),
        )
    else:
        logger.info("nothing to export: no audit key committed since the last run")


def write_folder(
    conn: Connection,
    settings: Settings,
    position: state.Position,
    chunk: hwm.Chunk,
    tables: Sequence[Table],
    version: str,
    progress: Progress,
    details: views.Details = (),
    *,
    name: str | None = None,
    kind: str = "regular",
) -> FolderResult:
    """Stream every table's rows of the chunk into a folder in staging.

    The caller holds the snapshot transaction; it publishes the folder.
    """
    created = dt.datetime.now(dt.UTC)
    name = name or package.folder_name(chunk.hwm_to.audit_key, chunk.max_data_ts)
    recipient = crypto.recipient_for(settings)
    writer = package.FolderWriter(
        state.staging_dir(settings.output_directory),
        name,
        created,
        settings.compression_level,
        settings.file_mode,
        recipient.encryptor(settings.file_mode) if recipient else None,
    )
    task = f"export {name}"
    progress.start(task, total=len(tables), unit="tables")
    try:
        if settings.thread_pool_size > 1 and len(tables) > 1:
            entries = _export_side_by_side(
                conn, writer, tables, chunk, settings, progress, task
            )
        else:
            entries = _export_one_by_one(
                conn, writer, tables, chunk, settings, progress, task
            )
        metadata = package.Metadata(
            created_ts=int(created.timestamp()),
            gim_schema_version=version,
            max_data_ts=chunk.max_data_ts,
            hwm_from=chunk.hwm_from,
            hwm_from_created_ts=position.hwm_created_ts,
            hwm_to=chunk.hwm_to.audit_key,
            hwm_to_created_ts=chunk.hwm_to.created_ts,
            data_from_ts=chunk.data_from_ts,
            encoding=settings.output_files_encoding,
            tables=tuple(entries),
            kind=kind,
            details=details + ((recipient.detail(),) if recipient else ()),
        )
        writer.finish(metadata)
    except BaseException:
        writer.abandon()
        raise
    finally:
        progress.finish(task)
    return FolderResult(writer.directory, metadata)


def changed_rows_query(table: Table, low: int, high: int) -> sql.Composed:
    """SELECT the rows of ``table`` whose audit keys lie in (low, high]."""
    create = sql.Identifier(infomart.CREATE_KEY)
    condition = sql.SQL("({key} > {low} AND {key} <= {high})").format(
        key=create, low=sql.Literal(low), high=sql.Literal(high)
    )
    if table.has_update_key:
        condition = sql.SQL("{} OR ({key} > {low} AND {key} <= {high})").format(
            condition,
            key=sql.Identifier(infomart.UPDATE_KEY),
            low=sql.Literal(low),
            high=sql.Literal(high),
        )
    return sql.SQL("SELECT {columns} FROM {table} WHERE {condition}").format(
        columns=sql.SQL(", ").join(map(sql.Identifier, table.column_names)),
        table=table.identifier,
        condition=condition,
    )


def _export_one_by_one(
    conn: Connection,
    writer: package.FolderWriter,
    tables: Sequence[Table],
    chunk: hwm.Chunk,
    settings: Settings,
    progress: Progress,
    task: str,
) -> list[package.TableEntry]:
    """Stream the tables one after another straight into the zip."""
    entries = []
    for table in tables:

        def into_zip(chunks: Iterator[bytes], table: Table = table) -> str:
            return writer.add_table(table.name, table.column_names, chunks)[0]

        entry = _export_table(conn, table, chunk, settings, into_zip)
        if entry is not None:
            entries.append(entry)
        progress.advance(task, 1)
    return entries


def _export_side_by_side(
    conn: Connection,
    writer: package.FolderWriter,
    tables: Sequence[Table],
    chunk: hwm.Chunk,
    settings: Settings,
    progress: Progress,
    task: str,
) -> list[package.TableEntry]:
    """Read tables on ``thread-pool-size`` connections sharing one snapshot.

    The other connections import the snapshot of ``conn``'s transaction, so
    the folder still reflects one moment. Each table is deflated into a part
    file by its thread; this thread appends the parts to the zip in table
    order as they finish. When this thread stops early (a table failed, or
    an interrupt), the COPYs still running are cancelled at their next block
    rather than read to their end.
    """
    row = conn.execute("SELECT pg_export_snapshot()").fetchone()
    assert row is not None
    snapshot = str(row[0])
    count = min(settings.thread_pool_size, len(tables))
    stop = threading.Event()

    with contextlib.ExitStack() as stack:
        free: queue.Queue[Connection] = queue.Queue()
        free.put(conn)
        for _ in range(count - 1):
            free.put(stack.enter_context(_snapshot_connection(settings, snapshot)))

        def export_part(table: Table) -> tuple[package.TableEntry, DeflatedPart] | None:
            parts: list[DeflatedPart] = []

            def into_part(chunks: Iterator[bytes]) -> str:
                checksum, _size, part = writer.write_part(table.name, chunks)
                parts.append(part)
                return checksum

            worker = free.get()
            try:
                entry = _export_table(worker, table, chunk, settings, into_part, stop)
            finally:
                free.put(worker)
            return None if entry is None else (entry, parts[0])

        pool = stack.enter_context(
            concurrent.futures.ThreadPoolExecutor(count, "gimexport-table")
        )
        futures = [pool.submit(export_part, table) for table in tables]
        stack.callback(lambda: [future.cancel() for future in futures])
        stack.callback(stop.set)
        entries = []
        for future in futures:
            result = future.result()
            if result is not None:
                entry, part = result
                writer.add_part(entry.name, entry.sha1, part)
                entries.append(entry)
            progress.advance(task, 1)
    return entries


@contextlib.contextmanager
def _snapshot_connection(settings: Settings, snapshot: str) -> Iterator[Connection]:
    """A connection whose transaction sees the exported ``snapshot``."""
    with db.connect(
        settings.connection,
        password_env=settings.password_env,
        application="gimexport export",
        autocommit=True,
    ) as conn:
        conn.execute("BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY")
        conn.execute(
            sql.SQL("SET TRANSACTION SNAPSHOT {}").format(sql.Literal(snapshot))
        )
        try:
            yield conn
        finally:
            if not conn.closed:
                conn.execute("ROLLBACK")


def _export_table(
    conn: Connection,
    table: Table,
    chunk: hwm.Chunk,
    settings: Settings,
    write: Callable[[Iterator[bytes]], str],
    stop: threading.Event | None = None,
) -> package.TableEntry | None:
    """Copy one table's changed rows through ``write``; None when it has none.

    ``write`` consumes the encoded CSV blocks and returns their SHA-1. Setting
    ``stop`` cancels the COPY at its next block.
    """
    query = changed_rows_query(table, chunk.hwm_from, chunk.hwm_to.audit_key)
    copy = sql.SQL("COPY ({}) TO STDOUT WITH (FORMAT csv, HEADER true)").format(query)
    transcoder = package.Transcoder(settings.output_files_encoding)

    try:
        with CopyOut(conn, copy, COPY_BLOCK, stop) as stream:
            blocks = iter(stream)
            first = next(blocks, b"")
            if len(first) <= _header_length(first):
                return None
            checksum = write(_encoded(transcoder, first, blocks))
        rows = stream.rows
    except UnicodeEncodeError:
        # The cancelled COPY aborted the snapshot's transaction; look for the
        # culprit in a fresh one.
        conn.execute("ROLLBACK")
        conn.execute("BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY")
        raise _encoding_failure(conn, table, query, settings) from None

    logger.info("exported %d rows of %s", rows, table.name)
    return package.TableEntry(
        name=table.name.lower(),
        file=table.csv_name,
        rows=rows,
        sha1=checksum,
        columns=table.column_names,
    )


def _header_length(data: bytes) -> int:
    """Length of the CSV header line at the start of ``data``, its newline included.

    Column names holding a quote or a line break arrive quoted, so the line
    ends at the first newline outside quotes.
    """
    quoted = False
    for index, byte in enumerate(data):
        if byte == 0x22:
            quoted = not quoted
        elif byte == 0x0A and not quoted:
            return index + 1
    return len(data)


def _encoded(
    transcoder: package.Transcoder, first: bytes, rest: Iterator[bytes]
) -> Iterator[bytes]:
    yield transcoder.feed(first)
    for block in rest:
        yield transcoder.feed(block)
    tail = transcoder.close()
    if tail:
        yield tail


def _encoding_failure(
    conn: Connection, table: Table, query: sql.Composed, settings: Settings
) -> EncodingFailure:
    """Find the first value the output encoding cannot hold, and describe it."""
    encoding = settings.output_files_encoding
    with conn.cursor(name="gimexport_encoding_probe") as cursor:
        cursor.execute(query)
        for row in cursor:
            for column, value in zip(table.column_names, row, strict=True):
                if not isinstance(value, str):
                    continue
                try:
                    value.encode(encoding)
                except UnicodeEncodeError as error:
                    key = _row_key(table, row)
                    bad = value[error.start : error.end]
                    return EncodingFailure(
                        f"{table.name}.{column} at {key} holds {bad!r}, which "
                        f"output-files-encoding {encoding!r} cannot represent"
                    )
    return EncodingFailure(
        f"{table.name}: a value cannot be represented in {encoding!r}"
    )


def _row_key(table: Table, row: Sequence[object]) -> str:
    columns = table.primary_key or table.column_names[:1]
    values = dict(zip(table.column_names, row, strict=True))
    return ", ".join(f"{column}={values[column]!r}" for column in columns)
