"""Fixtures shared by the test suite: a real PostgreSQL server and databases.

The server is ``GIMEXPORT_TEST_DSN`` when set, else the local one on
127.0.0.1:5432 (user postgres), reached through pytest-postgresql's
``postgresql_noproc``. Without a server a developer run skips the database
tests with one reason; under CI (``CI=true``) that is a failure.
"""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from dataclasses import dataclass

import psycopg
import pytest
from psycopg import conninfo as pg_conninfo
from psycopg import sql
from pytest_postgresql import factories

_DEFAULT_DSN = "host=127.0.0.1 port=5432 user=postgres dbname=postgres"
_SERVER = pg_conninfo.conninfo_to_dict(
    os.environ.get("GIMEXPORT_TEST_DSN", _DEFAULT_DSN)
)

postgresql_server = factories.postgresql_noproc(
    host=str(_SERVER.get("host", "127.0.0.1")),
    port=int(_SERVER.get("port", 5432)),
    user=str(_SERVER.get("user", "postgres")),
    password=str(_SERVER["password"]) if "password" in _SERVER else None,
    # The factory creates "<dbname>_tmpl" for the session; a name of our own
    # keeps parallel sessions and a crashed run's leftover out of the way.
    dbname=f"gimtest_session_{os.getpid()}",
    maintenance_dbname=str(_SERVER.get("dbname", "postgres")),
)


@dataclass(frozen=True)
class Server:
    """Where the test server answers, and how to make databases on it."""

    host: str
    port: int
    user: str
    password: str | None
    admin_db: str

    def dsn(self, dbname: str) -> str:
        """The libpq connection string of one database on this server."""
        params: dict[str, object] = {
            "host": self.host,
            "port": self.port,
            "user": self.user,
            "dbname": dbname,
        }
        if self.password:
            params["password"] = self.password
        return pg_conninfo.make_conninfo("", **params)

    def admin(self) -> psycopg.Connection[tuple[object, ...]]:
        """An autocommit connection to the maintenance database."""
        return psycopg.connect(self.dsn(self.admin_db), autocommit=True)

    def create_database(self, prefix: str, template: str | None = None) -> str:
        """Create a database with a unique name and return the name."""
        name = f"{prefix}_{uuid.uuid4().hex[:10]}"
        statement = sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name))
        if template:
            statement += sql.SQL(" TEMPLATE {}").format(sql.Identifier(template))
        with self.admin() as conn:
            conn.execute(statement)
        return name

    def drop_database(self, name: str) -> None:
        """Drop a database, ending any session still connected to it."""
        with self.admin() as conn:
            conn.execute(
                sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(
                    sql.Identifier(name)
                )
            )


@pytest.fixture(scope="session")
def pg_server(postgresql_server: object) -> Server:
    """The PostgreSQL server of the test run; skip or fail when it is down."""
    server = Server(
        host=postgresql_server.host,  # type: ignore[attr-defined]
        port=int(postgresql_server.port),  # type: ignore[attr-defined]
        user=postgresql_server.user,  # type: ignore[attr-defined]
        password=postgresql_server.password or None,  # type: ignore[attr-defined]
        admin_db=str(_SERVER.get("dbname", "postgres")),
    )
    try:
        server.admin().close()
    except psycopg.OperationalError as error:
        reason = f"no PostgreSQL at {server.host}:{server.port}: {error}"
        if os.environ.get("CI"):
            pytest.fail(reason)
        pytest.skip(reason)
    return server


@pytest.fixture
def empty_db(pg_server: Server) -> Iterator[str]:
    """The DSN of a new, empty database, dropped after the test."""
    name = pg_server.create_database("gimtest_empty")
    yield pg_server.dsn(name)
    pg_server.drop_database(name)


# ---------------------------------------------------------------------------
# The reference Info Mart of gim_export.sample: built once per session into a
# template database, cloned (CREATE DATABASE ... TEMPLATE) for every test.

from dataclasses import replace  # noqa: E402

from gim_export.sample import SampleSpec, SampleSummary, build_infomart  # noqa: E402

# Five days from Sunday 2026-11-01: an empty Monday, an outage from Tuesday
# 10:00 to Thursday 10:00, then the catch-up burst and a normal evening.
INFOMART_SPEC = SampleSpec(seed=1, days=5, outage_days=2, empty_days=1)


@dataclass(frozen=True)
class InfomartTemplate:
    """A database filled once by build_infomart; never connect to it directly."""

    dbname: str
    spec: SampleSpec
    summary: SampleSummary


def _infomart_template(
    pg_server: Server, spec: SampleSpec, prefix: str
) -> Iterator[InfomartTemplate]:
    name = pg_server.create_database(prefix)
    try:
        summary = build_infomart(pg_server.dsn(name), spec)
        yield InfomartTemplate(name, spec, summary)
    finally:
        pg_server.drop_database(name)


@pytest.fixture(scope="session")
def infomart_template(pg_server: Server) -> Iterator[InfomartTemplate]:
    """The plain-layout reference Info Mart of INFOMART_SPEC."""
    yield from _infomart_template(pg_server, INFOMART_SPEC, "gimtest_infomart_tmpl")


@pytest.fixture(scope="session")
def infomart_partitioned_template(pg_server: Server) -> Iterator[InfomartTemplate]:
    """The same Info Mart with its fact tables partitioned by day."""
    spec = replace(INFOMART_SPEC, partitioned=True)
    yield from _infomart_template(pg_server, spec, "gimtest_infomart_ptmpl")


@pytest.fixture
def infomart_dsn(
    pg_server: Server, infomart_template: InfomartTemplate
) -> Iterator[str]:
    """The DSN of a fresh copy of the reference Info Mart, dropped after the test."""
    name = pg_server.create_database("gimtest_im", template=infomart_template.dbname)
    yield pg_server.dsn(name)
    pg_server.drop_database(name)


@pytest.fixture
def infomart_partitioned_dsn(
    pg_server: Server, infomart_partitioned_template: InfomartTemplate
) -> Iterator[str]:
    """Like infomart_dsn, with the partitioned layout."""
    template = infomart_partitioned_template.dbname
    name = pg_server.create_database("gimtest_imp", template=template)
    yield pg_server.dsn(name)
    pg_server.drop_database(name)
