"""A private PostgreSQL server in a folder, for ``gimexport demo``.

The ``pgserver`` package (the ``demo`` extra) ships PostgreSQL binaries and
starts a server that listens on a Unix socket inside its data folder only.
Everything the demo needs of it is in this module, so that another embedded
server can replace it.
"""

from __future__ import annotations

import contextlib
import logging
import warnings
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import parse_qs, urlparse

from psycopg import conninfo as pg_conninfo

from gim_export.errors import DatabaseUnavailable

logger = logging.getLogger(__name__)


@contextlib.contextmanager
def embedded_server(data_directory: Path) -> Iterator[str]:
    """Start (or reuse) a private server in ``data_directory``; yield its DSN.

    The server stops when the block ends.
    """
    data_directory.mkdir(parents=True, exist_ok=True)
    logger.info("starting the embedded PostgreSQL in %s", data_directory)
    with warnings.catch_warnings():
        # platformdirs warns when XDG_RUNTIME_DIR is unset, as under cron.
        warnings.simplefilter("ignore")
        try:
            import pgserver
        except ImportError:
            raise DatabaseUnavailable(
                "the embedded PostgreSQL needs the demo extra: "
                "pip install 'gimexport[demo]', or pass --dsn"
            ) from None
        try:
            server = pgserver.get_server(data_directory, cleanup_mode="stop")
        except Exception as error:  # pgserver raises plain exceptions
            raise DatabaseUnavailable(
                f"cannot start the embedded PostgreSQL in {str(data_directory)!r}: "
                f"{error}"
            ) from None
    try:
        yield dsn_of_uri(server.get_uri())
    finally:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            server.cleanup()


def dsn_of_uri(uri: str) -> str:
    """Turn the server's URI (socket directory in the query) into a libpq DSN."""
    parsed = urlparse(uri)
    query = {key: values[-1] for key, values in parse_qs(parsed.query).items()}
    params = {
        "host": query.get("host") or parsed.hostname or "",
        "user": parsed.username or "postgres",
        "dbname": (parsed.path or "/postgres").lstrip("/") or "postgres",
    }
    if parsed.port:
        params["port"] = str(parsed.port)
    return pg_conninfo.make_conninfo("", **params)
