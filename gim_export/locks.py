"""The two locks an export holds: its output directory and the Info Mart.

The output lock is an ``flock`` on ``OUTPUT/.gim/lock``. The kernel releases
it when the holder's file descriptor closes, so a crashed or killed export
never leaves it stuck. The file stays in place between runs: removing it
would let two processes lock two different files of the same name. While
held, it contains the pid of the holder for the message of a second export.

The maintenance lock is a session-level PostgreSQL advisory lock in the Info
Mart database. Exports take it shared, so that exports of different output
directories run side by side; Info Mart maintenance takes it exclusively
(``SELECT pg_advisory_lock(key)``) and so waits for running exports, and
exports that start later wait for maintenance. PostgreSQL queues a new
shared request behind a waiting exclusive one, so exports cannot starve
maintenance. docs/scheduling.md gives the key and the SQL for maintenance.
"""

from __future__ import annotations

import contextlib
import fcntl
import logging
import os
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import psycopg
from psycopg import pq

from gim_export.errors import ExportAlreadyRunning, MaintenanceLockHeld

logger = logging.getLogger(__name__)

LOCK_FILE = Path(".gim") / "lock"


def lock_path(output_directory: Path) -> Path:
    """The lock file of an output directory."""
    return output_directory / LOCK_FILE


def _holder_pid(descriptor: int) -> int | None:
    """The pid a holder wrote into the lock file, if it has written one yet."""
    text = os.pread(descriptor, 32, 0).decode("ascii", "replace").strip()
    return int(text) if text.isdigit() else None


@contextlib.contextmanager
def output_lock(output_directory: Path) -> Iterator[None]:
    """Hold the export lock of an output directory.

    Raise :class:`ExportAlreadyRunning`, naming the directory and the pid of
    the holder when known, if another process (or another open of the file in
    this one) holds it. The directory and ``.gim`` are created if missing.
    """
    path = lock_path(output_directory)
    path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
    flags = os.O_RDWR | os.O_CREAT | os.O_CLOEXEC
    descriptor = os.open(path, flags, 0o600)
    try:
        try:
            fcntl.flock(descriptor, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            pid = _holder_pid(descriptor)
            holder = f" (pid {pid})" if pid is not None else ""
            raise ExportAlreadyRunning(
                f"another export is running in {str(output_directory)!r}{holder}; "
                "try again when it has finished"
            ) from None

        os.ftruncate(descriptor, 0)
        os.pwrite(descriptor, f"{os.getpid()}\n".encode("ascii"), 0)
        logger.debug("locked %s", path)
        try:
            yield
        finally:
            # Clear the pid before the lock goes, so no one reads a stale one.
            os.ftruncate(descriptor, 0)
            logger.debug("unlocked %s", path)
    finally:
        os.close(descriptor)


def pg_locks_ids(key: int) -> tuple[int, int]:
    """The ``classid`` and ``objid`` under which pg_locks shows a bigint key."""
    unsigned = key & 0xFFFF_FFFF_FFFF_FFFF
    return unsigned >> 32, unsigned & 0xFFFF_FFFF


def _fetch(
    conn: psycopg.Connection[Any], statement: str, params: tuple[int, ...]
) -> list[tuple[Any, ...]]:
    """Run a query without leaving a transaction open.

    Session-level advisory locks outlive the transaction they were taken in,
    so a transaction opened here on an idle connection is ended at once, and
    the export later starts its own snapshot on a clean connection.
    """
    opened = (
        not conn.autocommit
        and conn.info.transaction_status == pq.TransactionStatus.IDLE
    )
    rows = conn.execute(statement, params).fetchall()
    if opened:
        conn.rollback()
    return rows


def _holders(conn: psycopg.Connection[Any], key: int) -> list[int]:
    """Backend pids that hold the key exclusively in this database."""
    rows = _fetch(
        conn,
        "SELECT pid FROM pg_locks"
        " WHERE locktype = 'advisory' AND classid = %s AND objid = %s"
        " AND objsubid = 1 AND mode = 'ExclusiveLock' AND granted"
        " AND database = (SELECT oid FROM pg_database"
        " WHERE datname = current_database())"
        " ORDER BY pid",
        pg_locks_ids(key),
    )
    return [int(row[0]) for row in rows]


@contextlib.contextmanager
def maintenance_lock(
    conn: psycopg.Connection[Any],
    key: int,
    wait_seconds: int,
    poll_seconds: float = 1.0,
) -> Iterator[None]:
    """Hold the advisory lock ``key`` shared on ``conn`` for the export.

    While Info Mart maintenance holds it exclusively, try again every
    ``poll_seconds`` for up to ``wait_seconds``, then raise
    :class:`MaintenanceLockHeld`. The lock belongs to the session of ``conn``,
    which must stay open for the export; it is released on exit.
    """
    started = time.monotonic()
    deadline = started + wait_seconds
    statement = "SELECT pg_try_advisory_lock_shared(%s::bigint)"
    attempts = 0
    while not _fetch(conn, statement, (key,))[0][0]:
        attempts += 1
        remaining = deadline - time.monotonic()
        if remaining <= 0:
            pids = ", ".join(map(str, _holders(conn, key)))
            holder = f" (held by backend pid {pids})" if pids else ""
            raise MaintenanceLockHeld(
                f"Info Mart maintenance holds advisory lock {key}{holder}; "
                f"gave up after waiting {wait_seconds} s; export after "
                "maintenance or raise [gim-export] maintenance-lock-wait-seconds"
            )
        if attempts == 1:
            logger.warning(
                "Info Mart maintenance holds advisory lock %d; waiting up to %d s",
                key,
                wait_seconds,
            )
        time.sleep(min(poll_seconds, remaining))

    if attempts:
        waited = time.monotonic() - started
        logger.info("advisory lock %d free after %.0f s", key, waited)
    logger.debug("holding advisory lock %d shared", key)
    try:
        yield
    finally:
        _release(conn, key)


def _release(conn: psycopg.Connection[Any], key: int) -> None:
    """Release the shared lock; a lost session has released it already."""
    if conn.closed or conn.broken:
        return
    try:
        if conn.info.transaction_status == pq.TransactionStatus.INERROR:
            conn.rollback()
        statement = "SELECT pg_advisory_unlock_shared(%s::bigint)"
        if not _fetch(conn, statement, (key,))[0][0]:
            logger.warning("advisory lock %d was not held at release", key)
    except psycopg.Error as error:
        logger.warning("could not release advisory lock %d: %s", key, error)
