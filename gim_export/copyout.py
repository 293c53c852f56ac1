"""``COPY ... TO STDOUT`` read in blocks, straight from libpq.

The server sends every row of a COPY as a message of its own. psycopg's
``Copy`` hands them over one per iteration, each through a generator and a
wait call: about 1.5 µs of Python per row, under the GIL, which was half of
the export's own CPU time. :class:`CopyOut` asks libpq for the rows it has
already received, joins them into blocks, and waits on the socket only when
libpq holds none: a row costs one call.

It drives the connection's ``PGconn`` (psycopg's documented libpq wrapper)
directly, so psycopg's own bookkeeping does not see the COPY: use it on a
connection in autocommit mode whose transaction the caller began with an
explicit ``BEGIN``, as the export's snapshot connections are, and from one
thread at a time.
"""

from __future__ import annotations

import logging
import select
import threading
from collections.abc import Iterator
from types import TracebackType

import psycopg
from psycopg import errors, pq, sql
from psycopg.pq.abc import PGresult

logger = logging.getLogger(__name__)

Connection = psycopg.Connection[tuple[object, ...]]

COPY_OUT = pq.ExecStatus.COPY_OUT
COMMAND_OK = pq.ExecStatus.COMMAND_OK


class CopyStopped(Exception):
    """The caller's stop event was set during the COPY, which was cancelled."""


class CopyOut:
    """One ``COPY ... TO STDOUT`` on ``conn``, read as blocks of bytes.

    Use it as a context manager and iterate over it; each block holds whole
    rows and about ``block_size`` bytes. ``rows`` is the server's row count
    once the data has ended. Leaving the block before the data ends cancels
    the COPY, which aborts the caller's transaction. Setting ``stop`` from
    another thread ends the iteration with :class:`CopyStopped` at the next
    block.
    """

    def __init__(
        self,
        conn: Connection,
        statement: sql.Composable,
        block_size: int,
        stop: threading.Event | None = None,
    ) -> None:
        self.rows = -1
        self._stop = stop
        self._conn = conn
        self._pgconn = conn.pgconn
        self._query = statement.as_bytes(conn)
        self._block_size = block_size
        self._copying = False
        self._readable = select.poll()
        self._readable.register(self._pgconn.socket, select.POLLIN)
        self._writable = select.poll()
        self._writable.register(self._pgconn.socket, select.POLLOUT)

    def __enter__(self) -> CopyOut:
        """Send the COPY and wait until the server starts sending rows."""
        if self._conn.autocommit is False:
            raise psycopg.ProgrammingError("CopyOut needs an autocommit connection")
        self._pgconn.send_query(self._query)
        while self._pgconn.flush():
            self._writable.poll()
        result = self._next_result()
        if result is None or result.status != COPY_OUT:
            self._drain_results()
            raise self._error(result)
        self._copying = True
        return self

    def __iter__(self) -> Iterator[bytes]:
        """Yield the data in blocks, then check how the COPY ended."""
        get_copy_data = self._pgconn.get_copy_data
        block_size = self._block_size
        block = bytearray()
        while True:
            size, data = get_copy_data(1)
            if size > 0:
                block += data
                if len(block) >= block_size:
                    if self._stop is not None and self._stop.is_set():
                        raise CopyStopped("the COPY was stopped")
                    yield bytes(block)
                    block.clear()
            elif size == 0:
                self._readable.poll()
                self._pgconn.consume_input()
            else:
                break

        self._copying = False
        result = self._next_result()
        self._drain_results()
        if result is None or result.status != COMMAND_OK:
            raise self._error(result)
        self.rows = result.command_tuples or 0
        if block:
            yield bytes(block)

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc_value: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        """Cancel a COPY left before its end, and read what is left of it."""
        if not self._copying:
            return

        self._copying = False
        try:
            self._conn.cancel_safe()
            while (size := self._pgconn.get_copy_data(1)[0]) >= 0:
                if size == 0:
                    self._readable.poll()
                    self._pgconn.consume_input()
            self._drain_results()
        except psycopg.Error as error:
            logger.debug("while cancelling a COPY: %s", error)

    def _next_result(self) -> PGresult | None:
        """Wait for libpq's next result; None once the query is done."""
        while True:
            self._pgconn.consume_input()
            if not self._pgconn.is_busy():
                return self._pgconn.get_result()
            self._readable.poll()

    def _drain_results(self) -> None:
        """Read results until the query is done, so the connection is free."""
        while self._next_result() is not None:
            pass

    def _error(self, result: PGresult | None) -> psycopg.Error:
        """The psycopg exception for a result that is not the expected one."""
        if result is not None and result.status == pq.ExecStatus.FATAL_ERROR:
            return errors.error_from_result(result, encoding=self._conn.info.encoding)
        if result is None:
            message = self._pgconn.error_message.decode(errors="replace")
            return psycopg.OperationalError(message or "the COPY returned no result")
        return psycopg.ProgrammingError(f"the COPY ended with status {result.status}")
