"""Connections to PostgreSQL with the session settings the export relies on.

Every value the export writes is rendered by the server, so the session pins
the settings that change a value's text: time zone, date style, float digits,
bytea and interval output. Passwords come only from libpq's own sources
(``.pgpass``, ``PGPASSWORD``, a service file) or from an environment variable
named in the configuration; they never reach a log line or an error message.
"""

from __future__ import annotations

import logging
import os
import re

import psycopg
from psycopg import conninfo as pg_conninfo

from gim_export.errors import ConfigError, DatabaseUnavailable

logger = logging.getLogger(__name__)

SESSION_SETTINGS = {
    "TimeZone": "UTC",
    "DateStyle": "ISO, YMD",
    "IntervalStyle": "postgres",
    "extra_float_digits": "1",
    "bytea_output": "hex",
    "client_encoding": "UTF8",
}

_HIDDEN_KEYS = {"password", "sslpassword", "sslkey"}


def describe(connection: str) -> str:
    """Return the connection string with every secret left out, for messages."""
    try:
        params = pg_conninfo.conninfo_to_dict(connection)
    except psycopg.ProgrammingError:
        return "<unparsable connection string>"
    shown = {k: v for k, v in params.items() if k not in _HIDDEN_KEYS}
    return " ".join(f"{key}={value}" for key, value in sorted(shown.items()))


# Refusals that no retry mends: a missing database or role, a bad password.
_PERMANENT = re.compile(
    r"does not exist|authentication failed|no pg_hba\.conf entry"
    r"|password authentication|permission denied"
)

# Option values libpq rejects before it tries the server: a configuration
# error ('invalid sslmode value', 'invalid integer value "abc" for connection
# option "port"').
_BAD_OPTION = re.compile(r"invalid [\w ]*value|invalid port number|could not match \d+")


def _is_permanent(reason: str) -> bool:
    return _PERMANENT.search(reason) is not None


def failure_reason(error: BaseException) -> str:
    """The useful part of a libpq error: its first line, less the address."""
    lines = str(error).strip().splitlines()
    if not lines:
        return type(error).__name__
    reason = lines[0].rsplit(" failed: ", 1)[-1].removeprefix("connection is bad: ")
    return " ".join(reason.split())


def _conninfo(connection: str, password_env: str | None, application: str) -> str:
    try:
        params = pg_conninfo.conninfo_to_dict(connection)
    except psycopg.ProgrammingError:
        raise ConfigError(
            "[infomart] connection is not a valid libpq connection string"
        ) from None
    if "password" in params:
        logger.warning(
            "the connection string holds a password, which files and process "
            "lists can show; keep it in ~/.pgpass, PGPASSWORD or the variable "
            "that [infomart] password-env names"
        )
    if password_env:
        password = os.environ.get(password_env)
        if password is None:
            raise ConfigError(
                f"[infomart] password-env names {password_env!r}, "
                "which is not set in the environment"
            )
        params["password"] = password
    params.setdefault("application_name", application)
    return pg_conninfo.make_conninfo("", **params)


def connect(
    connection: str,
    *,
    password_env: str | None = None,
    application: str = "gimexport",
    autocommit: bool = False,
) -> psycopg.Connection[tuple[object, ...]]:
    """Open a connection with the pinned session settings.

    A failure is a :class:`DatabaseUnavailable` whose message names the
    server without its password.
    """
    conninfo = _conninfo(connection, password_env, application)
    logger.debug("connecting to %s", describe(connection))
    try:
        conn = psycopg.connect(conninfo, autocommit=True)
    except psycopg.OperationalError as error:
        reason = failure_reason(error)
        message = f"cannot connect to {describe(connection)!r}: {reason}"
        if _BAD_OPTION.search(reason):
            raise ConfigError(message) from None
        raise DatabaseUnavailable(message, permanent=_is_permanent(reason)) from None
    except psycopg.ProgrammingError as error:
        # psycopg checks some options itself ('bad value for connect_timeout').
        reason = failure_reason(error)
        raise ConfigError(
            f"cannot connect to {describe(connection)!r}: {reason}"
        ) from None
    with conn.cursor() as cursor:
        for name, value in SESSION_SETTINGS.items():
            cursor.execute("SELECT set_config(%s, %s, false)", (name, value))
    conn.autocommit = autocommit
    return conn
