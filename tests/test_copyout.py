"""CopyOut against a real PostgreSQL: the bytes psycopg's Copy reads, faster."""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator

import psycopg
import pytest
from psycopg import sql

from gim_export.copyout import CopyOut, CopyStopped

Connection = psycopg.Connection[tuple[object, ...]]


@pytest.fixture
def conn(infomart_dsn: str) -> Iterator[Connection]:
    """An autocommit connection in a snapshot transaction, as the export has."""
    with psycopg.connect(infomart_dsn, autocommit=True) as connection:
        connection.execute("BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY")
        yield connection


def copy_statement(select: str) -> sql.Composed:
    """``COPY (select) TO STDOUT`` as CSV with a header line."""
    return sql.SQL("COPY ({}) TO STDOUT WITH (FORMAT csv, HEADER true)").format(
        sql.SQL(select)  # type: ignore[arg-type]
    )


def psycopg_copy(conn: Connection, statement: sql.Composed) -> tuple[bytes, int]:
    """The bytes and row count psycopg's own Copy reads."""
    with conn.cursor() as cursor:
        with cursor.copy(statement) as copy:
            data = b"".join(bytes(piece) for piece in copy)
        return data, cursor.rowcount


@pytest.mark.parametrize("block_size", [1, 4096, 256 * 1024])
def test_reads_what_psycopg_reads(conn: Connection, block_size: int) -> None:
    # Text of every kind the generator writes: quotes, commas, line breaks,
    # non-Latin names, NULL beside the empty string.
    statement = copy_statement(
        "SELECT * FROM interaction_resource_fact ORDER BY interaction_resource_id"
    )
    expected, expected_rows = psycopg_copy(conn, statement)

    with CopyOut(conn, statement, block_size) as stream:
        blocks = list(stream)

    assert b"".join(blocks) == expected
    assert stream.rows == expected_rows > 500
    assert all(block.endswith(b"\n") for block in blocks)
    if block_size == 1:
        assert len(blocks) == 1 + expected_rows
    else:
        assert all(len(block) >= block_size for block in blocks[:-1])
        assert all(len(block) < block_size + 4096 for block in blocks)


def test_an_empty_result_is_the_header_alone(conn: Connection) -> None:
    statement = copy_statement("SELECT 1 AS one, 'x' AS two WHERE false")
    with CopyOut(conn, statement, 4096) as stream:
        assert list(stream) == [b"one,two\n"]
    assert stream.rows == 0


def test_a_failing_statement_raises_psycopg_error(conn: Connection) -> None:
    with pytest.raises(psycopg.errors.UndefinedTable, match="no_such_table"):
        with CopyOut(conn, copy_statement("SELECT * FROM no_such_table"), 4096):
            pass

    conn.execute("ROLLBACK")
    assert conn.execute("SELECT 1").fetchone() == (1,)


def test_an_error_midway_raises_after_the_rows_before_it(conn: Connection) -> None:
    statement = copy_statement(
        "SELECT g, 1 / (g - 30000) FROM generate_series(1, 40000) AS g"
    )
    received = bytearray()
    with pytest.raises(psycopg.errors.DivisionByZero):
        with CopyOut(conn, statement, 4096) as stream:
            for block in stream:
                received += block

    # Whole blocks of the rows before the error arrive; the block the error
    # cut short does not.
    lines = received.decode().splitlines()
    assert lines[0] == "g,?column?"
    assert lines[1:] == [f"{g},0" for g in range(1, len(lines))]
    assert 1000 < len(lines) < 30000
    conn.execute("ROLLBACK")
    assert conn.execute("SELECT 2").fetchone() == (2,)


def test_leaving_early_cancels_the_copy(conn: Connection) -> None:
    # About 30 GB of CSV: reading it all would take minutes.
    statement = copy_statement(
        "SELECT generate_series(1, 300000000) AS g, repeat('x', 100) AS text"
    )
    started = time.monotonic()
    with pytest.raises(LookupError):
        with CopyOut(conn, statement, 4096) as stream:
            for _block in stream:
                raise LookupError("the consumer gave up")

    assert time.monotonic() - started < 60
    assert conn.info.transaction_status == psycopg.pq.TransactionStatus.INERROR
    conn.execute("ROLLBACK")
    assert conn.execute("SELECT 3").fetchone() == (3,)


def test_a_stop_from_another_thread_cancels_the_copy(conn: Connection) -> None:
    statement = copy_statement(
        "SELECT generate_series(1, 300000000) AS g, repeat('x', 100) AS text"
    )
    stop = threading.Event()
    blocks = 0
    with pytest.raises(CopyStopped):
        with CopyOut(conn, statement, 4096, stop) as stream:
            for _block in stream:
                blocks += 1
                if blocks == 3:
                    threading.Thread(target=stop.set).start()

    assert blocks >= 3
    assert conn.info.transaction_status == psycopg.pq.TransactionStatus.INERROR
    conn.execute("ROLLBACK")
    assert conn.execute("SELECT 5").fetchone() == (5,)


def test_refuses_a_connection_psycopg_manages_transactions_of(
    infomart_dsn: str,
) -> None:
    with psycopg.connect(infomart_dsn) as managed:
        with pytest.raises(psycopg.ProgrammingError, match="autocommit"):
            CopyOut(managed, copy_statement("SELECT 1"), 4096).__enter__()
        assert managed.execute("SELECT 4").fetchone() == (4,)
