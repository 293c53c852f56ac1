"""The output-directory lock between processes, and the maintenance lock."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import psycopg
import pytest

from gim_export.config import DEFAULT_MAINTENANCE_LOCK_KEY, Settings
from gim_export.errors import CatalogError, ExportAlreadyRunning, MaintenanceLockHeld
from gim_export.exporter import export
from gim_export.locks import lock_path, maintenance_lock, output_lock, pg_locks_ids

REPO = Path(__file__).resolve().parents[1]
KEY = 4242

# Holds the lock of argv[1] and says so, until killed.
HOLDER = """
import sys, time
from pathlib import Path
from gim_export.locks import output_lock
with output_lock(Path(sys.argv[1])):
    print("locked", flush=True)
    time.sleep(120)
"""

# Says it is ready, waits for the start signal, then publishes a folder if it
# gets the lock.
PUBLISHER = """
import os, sys, time
from pathlib import Path
from gim_export.errors import ExportAlreadyRunning
from gim_export.locks import output_lock
out = Path(sys.argv[1])
(out.parent / f"ready_{os.getpid()}").touch()
while not (out.parent / "go").exists():
    time.sleep(0.005)
try:
    with output_lock(out):
        time.sleep(1.0)
        (out / f"export_{os.getpid()}").mkdir()
except ExportAlreadyRunning:
    sys.exit(3)
"""


def python(script: str, *args: str, stdout: int | None = None) -> subprocess.Popen[str]:
    """Run a script in a new Python process that imports this checkout."""
    env = {**os.environ, "PYTHONPATH": str(REPO)}
    command = [sys.executable, "-c", script, *args]
    return subprocess.Popen(command, env=env, text=True, stdout=stdout)


@pytest.fixture
def holder(tmp_path: Path) -> Iterator[subprocess.Popen[str]]:
    """Another process that holds the lock of tmp_path/out."""
    process = python(HOLDER, str(tmp_path / "out"), stdout=subprocess.PIPE)
    assert process.stdout is not None
    assert process.stdout.readline() == "locked\n"
    yield process
    process.kill()
    process.wait()
    process.stdout.close()


def test_lock_file_is_private_and_holds_the_pid(tmp_path: Path) -> None:
    with output_lock(tmp_path / "out"):
        path = lock_path(tmp_path / "out")
        assert path.read_text() == f"{os.getpid()}\n"
        assert path.stat().st_mode & 0o777 == 0o600
    assert path.read_text() == ""


def test_second_process_is_refused(
    tmp_path: Path, holder: subprocess.Popen[str]
) -> None:
    with pytest.raises(ExportAlreadyRunning) as caught:
        with output_lock(tmp_path / "out"):
            pass
    assert str(caught.value) == (
        f"another export is running in '{tmp_path / 'out'}' (pid {holder.pid}); "
        "try again when it has finished"
    )
    assert caught.value.exit_code == 3


def test_killed_holder_leaves_the_lock_free(
    tmp_path: Path, holder: subprocess.Popen[str]
) -> None:
    holder.send_signal(signal.SIGKILL)
    holder.wait()
    with output_lock(tmp_path / "out"):
        assert lock_path(tmp_path / "out").read_text() == f"{os.getpid()}\n"


def test_lock_is_not_reentrant(tmp_path: Path) -> None:
    with output_lock(tmp_path), pytest.raises(ExportAlreadyRunning):
        with output_lock(tmp_path):
            pass


def test_two_concurrent_exports_never_both_publish(tmp_path: Path) -> None:
    out = tmp_path / "out"
    processes = [python(PUBLISHER, str(out)) for _ in range(4)]
    deadline = time.monotonic() + 60
    while len(list(tmp_path.glob("ready_*"))) < 4 and time.monotonic() < deadline:
        time.sleep(0.01)
    (tmp_path / "go").touch()
    codes = sorted(process.wait(timeout=30) for process in processes)
    assert codes == [0, 3, 3, 3]
    assert len(list(out.glob("export_*"))) == 1


# The maintenance lock, on a real PostgreSQL.


def connect(
    dsn: str, autocommit: bool = True
) -> psycopg.Connection[tuple[object, ...]]:
    return psycopg.connect(dsn, autocommit=autocommit)


def lock_modes(conn: psycopg.Connection[tuple[object, ...]], key: int) -> list[str]:
    """The modes in which backends hold or await `key`, as pg_locks shows them."""
    classid, objid = pg_locks_ids(key)
    rows = conn.execute(
        "SELECT mode || CASE WHEN granted THEN '' ELSE ' waiting' END"
        " FROM pg_locks WHERE locktype = 'advisory'"
        " AND classid = %s AND objid = %s AND objsubid = 1"
        " AND database = (SELECT oid FROM pg_database"
        " WHERE datname = current_database()) ORDER BY 1",
        (classid, objid),
    ).fetchall()
    return [str(row[0]) for row in rows]


def test_export_gives_up_when_maintenance_holds_the_lock(empty_db: str) -> None:
    with connect(empty_db) as maintenance, connect(empty_db) as export:
        maintenance.execute("SELECT pg_advisory_lock(%s)", (KEY,))
        pid = maintenance.info.backend_pid
        started = time.monotonic()
        with pytest.raises(MaintenanceLockHeld) as caught:
            with maintenance_lock(export, KEY, wait_seconds=1, poll_seconds=0.1):
                pass
        assert time.monotonic() - started >= 1

    assert str(caught.value) == (
        f"Info Mart maintenance holds advisory lock {KEY} "
        f"(held by backend pid {pid}); "
        "gave up after waiting 1 s; export after maintenance "
        "or raise [gim-export] maintenance-lock-wait-seconds"
    )
    assert caught.value.exit_code == 4


def test_export_waits_for_maintenance_to_end(empty_db: str) -> None:
    with connect(empty_db) as maintenance, connect(empty_db) as export:
        maintenance.execute("SELECT pg_advisory_lock(%s)", (KEY,))
        unlock = "SELECT pg_advisory_unlock(%s)"
        threading.Timer(0.5, maintenance.execute, (unlock, (KEY,))).start()

        started = time.monotonic()
        with maintenance_lock(export, KEY, wait_seconds=30, poll_seconds=0.1):
            assert 0.4 < time.monotonic() - started < 30
            assert lock_modes(maintenance, KEY) == ["ShareLock"]
        assert lock_modes(maintenance, KEY) == []


def test_exports_share_the_lock_and_maintenance_waits(empty_db: str) -> None:
    with connect(empty_db) as one, connect(empty_db) as two:
        with maintenance_lock(one, KEY, 0), maintenance_lock(two, KEY, 0):
            assert lock_modes(one, KEY) == ["ShareLock", "ShareLock"]
            try_lock = "SELECT pg_try_advisory_lock(%s)"
            assert one.execute(try_lock, (KEY,)).fetchone() == (False,)
        assert one.execute(try_lock, (KEY,)).fetchone() == (True,)


def test_waiting_maintenance_goes_before_new_exports(empty_db: str) -> None:
    with connect(empty_db) as running, connect(empty_db) as maintenance:
        with maintenance_lock(running, KEY, 0):
            waiter = threading.Thread(
                target=maintenance.execute, args=("SELECT pg_advisory_lock(%s)", (KEY,))
            )
            waiter.start()
            while lock_modes(running, KEY) != ["ExclusiveLock waiting", "ShareLock"]:
                time.sleep(0.01)
            with connect(empty_db) as late, pytest.raises(MaintenanceLockHeld):
                with maintenance_lock(late, KEY, wait_seconds=0):
                    pass
        waiter.join(timeout=10)
        assert lock_modes(running, KEY) == ["ExclusiveLock"]


def test_no_transaction_is_left_open(empty_db: str) -> None:
    with connect(empty_db, autocommit=False) as export:
        with maintenance_lock(export, KEY, 0):
            assert export.info.transaction_status == psycopg.pq.TransactionStatus.IDLE
        assert export.info.transaction_status == psycopg.pq.TransactionStatus.IDLE


def test_released_after_a_failed_statement(empty_db: str) -> None:
    with connect(empty_db, autocommit=False) as export:
        with maintenance_lock(export, KEY, 0):
            with pytest.raises(psycopg.errors.DivisionByZero):
                export.execute("SELECT 1 / 0")
        assert lock_modes(export, KEY) == []


def test_default_key_as_pg_locks_and_the_docs_show_it(empty_db: str) -> None:
    key = DEFAULT_MAINTENANCE_LOCK_KEY
    classid, objid = pg_locks_ids(key)
    assert (key, classid, objid) == (20065319571181652, 4671821, 1163415636)

    with connect(empty_db) as maintenance:
        maintenance.execute("SELECT pg_advisory_lock(%s)", (key,))
        assert lock_modes(maintenance, key) == ["ExclusiveLock"]

    docs = (REPO / "docs" / "scheduling.md").read_text()
    for number in (key, classid, objid):
        assert str(number) in docs


# The exporter takes both locks before it reads the Info Mart catalog, so an
# empty database shows how long it waits: past the lock it fails on the catalog.


def test_export_gives_up_while_maintenance_runs(empty_db: str, tmp_path: Path) -> None:
    settings = Settings(
        connection=empty_db,
        output_directory=tmp_path / "out",
        maintenance_lock_wait_seconds=1,
    )
    with connect(empty_db) as maintenance:
        maintenance.execute(
            "SELECT pg_advisory_lock(%s)", (settings.maintenance_lock_key,)
        )
        with pytest.raises(MaintenanceLockHeld, match="gave up after waiting 1 s"):
            export(settings)


def test_export_goes_on_when_maintenance_ends(empty_db: str, tmp_path: Path) -> None:
    settings = Settings(
        connection=empty_db,
        output_directory=tmp_path / "out",
        maintenance_lock_wait_seconds=30,
    )
    with connect(empty_db) as maintenance:
        key = settings.maintenance_lock_key
        maintenance.execute("SELECT pg_advisory_lock(%s)", (key,))
        unlock = "SELECT pg_advisory_unlock(%s)"
        threading.Timer(0.5, maintenance.execute, (unlock, (key,))).start()

        started = time.monotonic()
        with pytest.raises(CatalogError, match="has no CTL_AUDIT_LOG table"):
            export(settings)
        assert 0.5 <= time.monotonic() - started < 30


def test_second_export_of_a_directory_is_refused(empty_db: str, tmp_path: Path) -> None:
    settings = Settings(
        connection=empty_db,
        output_directory=tmp_path / "out",
        maintenance_lock_wait_seconds=30,
    )
    errors: list[Exception] = []

    def first_export() -> None:
        try:
            export(settings)
        except Exception as error:
            errors.append(error)

    with connect(empty_db) as maintenance:
        key = settings.maintenance_lock_key
        maintenance.execute("SELECT pg_advisory_lock(%s)", (key,))
        first = threading.Thread(target=first_export)
        first.start()
        path = lock_path(settings.output_directory)
        while not path.exists() or path.read_text() == "":
            time.sleep(0.01)

        with pytest.raises(ExportAlreadyRunning, match=f"pid {os.getpid()}"):
            export(settings)
        maintenance.execute("SELECT pg_advisory_unlock(%s)", (key,))
        first.join(timeout=30)
    assert [type(error) for error in errors] == [CatalogError]
