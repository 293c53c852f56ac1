"""A reference Info Mart, filled the way the Genesys ETL fills it.

:func:`apply_schema` creates the tables of ``sql_scripts/infomart.sql`` (or its
partitioned twin). :func:`build_infomart` then runs an initialisation batch
and days of ETL batches over simulated data time. Each batch is one
transaction that takes the next audit key from SEQ_AUDIT_KEY, loads new rows
with COPY, closes facts that earlier batches left active (set-based UPDATE,
UPDATE_AUDIT_KEY moves on) and records itself in CTL_AUDIT_LOG.

:class:`EtlSimulator` continues the ETL on such a database and produces what
makes exports hard: a batch left open while later ones commit, and a batch
that rolls back and leaves a gap in the audit keys.

Everything is derived from the seed and the simulated data time, never from
the wall clock, so the same seed gives the same rows.

How a batch accounts for itself in CTL_AUDIT_LOG:

- ROW_COUNT: rows inserted plus rows updated, over every table it wrote that
  carries audit keys. A row is updated at most once in its life and never by
  the batch that inserted it, so ROW_COUNT equals the number of rows whose
  CREATE_AUDIT_KEY or UPDATE_AUDIT_KEY is the batch's key.
- MIN/MAX_START_DATE_TIME_KEY: the span of START_DATE_TIME_KEY over the rows
  it wrote in tables that have that column; MAX_CHUNK_TS: the highest
  START_TS or END_TS among those rows. A batch without such rows uses its
  slice of data time instead.
"""

from __future__ import annotations

import datetime as dt
import importlib.resources
import logging
import math
import random
import uuid
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from itertools import pairwise
from typing import Any, NamedTuple

import psycopg
from psycopg import sql

from gim_export.db import connect
from gim_export.errors import ConfigError, GimExportError
from gim_export.progress import NoProgress, Progress

logger = logging.getLogger(__name__)

Connection = psycopg.Connection[Any]
Row = tuple[Any, ...]

SCHEMA_VERSION = "8.5.116.20"

# Interactions a day at scale 1.0 on a weekday (weekends carry 40 %). About
# 88 % reach an agent, so a weekday holds about 280 IRF rows per 1.0 of scale.
INTERACTIONS_PER_DAY = 150

INTERVAL = 900
DAY = 86400
TENANT = 1

# The DATE_TIME row that stands for "not ended yet" in active facts.
OPEN_END_KEY = 1767139200  # 2025-12-31 00:00 UTC

_EPOCH = dt.datetime(1970, 1, 1)

# Relative contact volume by hour of day (UTC), and by weekday (Monday = 0).
_HOURLY = (
    0.15, 0.1, 0.1, 0.1, 0.15, 0.3, 0.6, 1.0, 1.7, 2.0, 2.0, 1.9,
    1.6, 1.8, 1.9, 1.8, 1.6, 1.3, 1.0, 0.8, 0.6, 0.45, 0.3, 0.2,
)  # fmt: skip
_WEEKDAY = (1.0, 1.0, 1.0, 1.0, 1.0, 0.4, 0.4)

# Keys of the fixed dimension rows loaded by the initialisation batch.
_VOICE, _EMAIL, _CHAT = 1, 2, 3
_INBOUND, _OUTBOUND, _INTERNAL = 1, 2, 3
_TD_ANSWERED, _TD_DIVERTED, _TD_ABANDONED = 1, 2, 3
_READY, _NOT_READY, _BUSY, _ACW = 1, 2, 3, 4
_AGENT_GROUP, _DN_GROUP = 1, 3


# ----------------------------------------------------------------------------
# Public API


@dataclass(frozen=True)
class SampleSpec:
    """What :func:`build_infomart` generates.

    ``scale`` 1.0 is a small contact center: about 280 INTERACTION_RESOURCE_FACT
    rows on a weekday, 110 on a weekend day. Empty days (no contact at all)
    follow the first day; an outage of ``outage_days`` starts at 10:00 UTC the
    day after them, and its backlog is caught up in a burst of batches.
    """

    seed: int = 1
    start: dt.date = dt.date(2026, 11, 1)
    days: int = 5
    scale: float = 1.0
    outage_days: int = 0
    empty_days: int = 0
    partitioned: bool = False
    schema: str = "public"

    def __post_init__(self) -> None:
        if self.days < 1:
            raise ConfigError(f"days must be at least 1, not {self.days!r}")
        if not self.scale > 0:
            raise ConfigError(f"scale must be above 0, not {self.scale!r}")
        if self.outage_days < 0 or self.empty_days < 0:
            raise ConfigError("outage and empty days cannot be negative")
        needed = 1 + self.empty_days + (self.outage_days + 1 if self.outage_days else 0)
        if self.days < needed:
            raise ConfigError(
                f"{self.empty_days} empty day(s) and an outage of "
                f"{self.outage_days} day(s) need at least {needed} days, "
                f"not {self.days}"
            )


@dataclass(frozen=True)
class SampleSummary:
    """What a build produced."""

    first_audit_key: int
    last_audit_key: int
    batches: int
    rows: dict[str, int]
    data_from: dt.datetime
    data_to: dt.datetime


def apply_schema(
    conn: Connection, *, partitioned: bool = False, schema: str = "public"
) -> None:
    """Create the reference Info Mart tables in ``schema``; a no-op when present.

    The plain and the partitioned layout cannot be mixed: asking for one where
    the other exists is an error.
    """
    name = "infomart_partitioned.sql" if partitioned else "infomart.sql"
    script = importlib.resources.files("gim_export.sql_scripts") / name
    text = script.read_text(encoding="utf-8")

    with conn.transaction():
        conn.execute(
            sql.SQL("CREATE SCHEMA IF NOT EXISTS {}").format(sql.Identifier(schema))
        )
        _check_layout(conn, schema, partitioned)
        conn.execute(
            sql.SQL("SET LOCAL search_path TO {}").format(sql.Identifier(schema))
        )
        conn.execute(text)
    logger.info("applied %s to schema %s", name, schema)


def build_infomart(
    dsn: str, spec: SampleSpec, progress: Progress | None = None
) -> SampleSummary:
    """Create the schema and fill it: an initialisation batch, then the days.

    The Info Mart must not hold data yet. Every batch is committed on return.
    """
    progress = progress or NoProgress()
    start = _epoch(spec.start)
    plan = _plan(spec, start)

    with _connect(dsn, spec.schema) as conn:
        apply_schema(conn, partitioned=spec.partitioned, schema=spec.schema)
        _require_empty(conn, spec.schema)
        if spec.partitioned:
            _add_day_partitions(conn, spec.schema, start, spec.days)

        progress.start("sample batches", total=len(plan) + 1, unit="batches")
        with conn.transaction():
            first = _initialise(conn, spec, start)
        progress.advance("sample batches", 1)

        world = _World.load(conn, spec.seed, _empty_days(spec, start))
        last, analyzed = first, 0
        for piece in plan:
            with conn.transaction():
                last = _run_batch(conn, world, piece, dims=True)
            progress.advance("sample batches", 1)

            # Without statistics of the growing tables the planner picks
            # nested loops over them for the updates; refresh them as the
            # volume doubles.
            if world.written > max(20_000, 2 * analyzed):
                _analyze(conn, _UPDATED_COLUMNS)
                analyzed = world.written
        progress.finish("sample batches")

        _analyze(conn, {table: () for table in _tables(conn, spec.schema)})
        rows = _count_rows(conn, spec.schema)

    logger.info(
        "built a sample Info Mart: audit keys %d-%d, %d IRF rows",
        first,
        last,
        rows.get("interaction_resource_fact", 0),
    )
    return SampleSummary(
        first_audit_key=first,
        last_audit_key=last,
        batches=len(plan) + 1,
        rows=rows,
        data_from=_utc(start),
        data_to=_utc(start + spec.days * DAY),
    )


class OpenBatch:
    """A batch whose transaction is still open on a connection of its own.

    Its audit key is taken and its CTL_AUDIT_LOG row written, but no other
    session sees either until :meth:`commit`.
    """

    def __init__(self, conn: Connection, audit_key: int) -> None:
        self.audit_key = audit_key
        self._conn = conn

    @property
    def ended(self) -> bool:
        """Whether the batch was committed or rolled back."""
        return self._conn.closed

    def commit(self) -> None:
        """Commit the batch: its rows become visible."""
        self._end(commit=True)

    def rollback(self) -> None:
        """Roll the batch back: its audit key becomes a permanent gap."""
        self._end(commit=False)

    def _end(self, *, commit: bool) -> None:
        if self._conn.closed:
            raise GimExportError(f"the batch of audit key {self.audit_key} has ended")
        if commit:
            self._conn.commit()
        else:
            self._conn.rollback()
        self._conn.close()


class EtlSimulator:
    """Continues the ETL on a database build_infomart filled.

    Its state comes from the database itself: the data time reached, the
    simulated clock, the dimensions and the facts still active.
    """

    def __init__(self, dsn: str, seed: int = 1, schema: str = "public") -> None:
        self._dsn = dsn
        self._schema = schema
        self._conn = _connect(dsn, schema)
        self._world = _World.load(self._conn, seed)
        cursor, clock = self._conn.execute(
            """
            SELECT (SELECT max(data_to_ts) FROM ctl_etl_history),
                   (SELECT max(created) FROM ctl_audit_log)
            """
        ).fetchone() or (None, None)
        if cursor is None or clock is None:
            self._conn.close()
            raise GimExportError(
                f"schema {schema!r} holds no ETL history to continue; "
                "fill it with build_infomart first"
            )
        self._cursor = int(cursor)
        self._clock_ms = _milliseconds(clock)
        self._open: list[OpenBatch] = []

    def __enter__(self) -> EtlSimulator:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()

    def run_batches(self, count: int = 1, hours: float = 4.0) -> list[int]:
        """Commit ``count`` batches that advance data time by ``hours`` in all."""
        if count < 1:
            raise ValueError(f"count must be at least 1, not {count!r}")
        total = max(count, _seconds(hours))
        bounds = [self._cursor + total * i // count for i in range(count + 1)]

        keys = []
        for begin, end in pairwise(bounds):
            piece = self._next_slice(begin, end)
            with self._conn.transaction():
                keys.append(_run_batch(self._conn, self._world, piece, dims=True))
            self._cursor = end
        return keys

    def open_batch(self, hours: float = 1.0) -> OpenBatch:
        """Write the next batch inside a transaction left open, and return it.

        Later batches take later data time; they skip the rows this one holds
        locked, so they commit while it stays open.
        """
        piece = self._next_slice(self._cursor, self._cursor + _seconds(hours))
        conn = _connect(self._dsn, self._schema, autocommit=False)
        try:
            key = _run_batch(conn, self._world, piece, dims=False)
        except BaseException:
            conn.close()
            raise
        self._cursor = piece.end
        batch = OpenBatch(conn, key)
        self._open.append(batch)
        logger.debug("audit key %d left open", key)
        return batch

    def rolled_back_batch(self, hours: float = 1.0) -> int:
        """Write a batch and roll it back; return its audit key, lost for good.

        Data time does not advance: the next batch loads the same slice again,
        as the ETL does after a failed transaction.
        """
        piece = self._next_slice(self._cursor, self._cursor + _seconds(hours))
        with self._conn.transaction(force_rollback=True):
            key = _run_batch(self._conn, self._world, piece, dims=False)
        logger.debug("audit key %d rolled back", key)
        return key

    def close(self) -> None:
        """Roll back batches still open and close the connections."""
        for batch in self._open:
            if not batch.ended:
                logger.warning("rolling back audit key %d left open", batch.audit_key)
                batch.rollback()
        self._conn.close()

    def _next_slice(self, begin: int, end: int) -> _Slice:
        rng = random.Random(f"{self._world.seed}/clock/{begin}/{end}")
        created = max(
            end * 1000 + rng.randrange(60_000, 240_000), self._clock_ms + 1000
        )
        self._clock_ms = created
        return _Slice(begin, end, created)


# ----------------------------------------------------------------------------
# Time, connections and the catalog


def _epoch(day: dt.date) -> int:
    return int(dt.datetime(day.year, day.month, day.day, tzinfo=dt.UTC).timestamp())


def _utc(ts: int) -> dt.datetime:
    return dt.datetime.fromtimestamp(ts, dt.UTC)


def _moment(ms: int) -> dt.datetime:
    """The naive UTC timestamp of epoch milliseconds, as timestamp(3) holds it."""
    return _EPOCH + dt.timedelta(milliseconds=ms)


def _milliseconds(moment: dt.datetime) -> int:
    return (moment.replace(tzinfo=None) - _EPOCH) // dt.timedelta(milliseconds=1)


def _key(ts: int) -> int:
    """The DATE_TIME_KEY of the 15-minute interval that holds epoch second ts."""
    return ts - ts % INTERVAL


def _seconds(hours: float) -> int:
    if not hours > 0:
        raise ValueError(f"hours must be above 0, not {hours!r}")
    return max(1, round(hours * 3600))


def _connect(dsn: str, schema: str, *, autocommit: bool = True) -> Connection:
    conn = connect(dsn, application="gimexport-sample", autocommit=True)
    conn.execute(sql.SQL("SET search_path TO {}").format(sql.Identifier(schema)))
    conn.autocommit = autocommit
    return conn


def _check_layout(conn: Connection, schema: str, partitioned: bool) -> None:
    row = conn.execute(
        """
        SELECT c.relkind FROM pg_class c
        JOIN pg_namespace n ON n.oid = c.relnamespace
        WHERE n.nspname = %s AND c.relname = 'interaction_resource_fact'
        """,
        (schema,),
    ).fetchone()
    if row is None or (row[0] == "p") == partitioned:
        return
    have, want = ("plain", "partitioned") if partitioned else ("partitioned", "plain")
    raise GimExportError(
        f"schema {schema!r} already holds the {have} Info Mart layout, "
        f"not the {want} one"
    )


def _require_empty(conn: Connection, schema: str) -> None:
    row = conn.execute("SELECT count(*) FROM ctl_audit_log").fetchone()
    if row and row[0]:
        raise GimExportError(
            f"schema {schema!r} already holds an Info Mart with {row[0]} audit "
            "keys; build into an empty database, or continue it with EtlSimulator"
        )


def _add_day_partitions(conn: Connection, schema: str, start: int, days: int) -> None:
    """Add a partition per day of the span to every partitioned table."""
    parents = conn.execute(
        """
        SELECT c.relname FROM pg_partitioned_table p
        JOIN pg_class c ON c.oid = p.partrelid
        JOIN pg_namespace n ON n.oid = c.relnamespace
        WHERE n.nspname = %s ORDER BY c.relname
        """,
        (schema,),
    ).fetchall()
    with conn.transaction():
        for (parent,) in parents:
            for day in range(days):
                low = start + day * DAY
                name = f"{parent.rstrip('_')}_p{_utc(low):%Y%m%d}"
                conn.execute(
                    sql.SQL(
                        "CREATE TABLE IF NOT EXISTS {} PARTITION OF {} "
                        "FOR VALUES FROM ({}) TO ({})"
                    ).format(
                        sql.Identifier(name),
                        sql.Identifier(parent),
                        sql.Literal(low),
                        sql.Literal(low + DAY),
                    )
                )
    logger.debug("added %d daily partitions to %d tables", days, len(parents))


def _tables(conn: Connection, schema: str) -> list[str]:
    """The tables of the schema, partitions left out."""
    rows = conn.execute(
        """
        SELECT c.relname FROM pg_class c
        JOIN pg_namespace n ON n.oid = c.relnamespace
        WHERE n.nspname = %s AND c.relkind IN ('r', 'p') AND NOT c.relispartition
        ORDER BY c.relname
        """,
        (schema,),
    ).fetchall()
    return [str(row[0]) for row in rows]


# The columns by which batches find the rows they update.
_UPDATED_COLUMNS = {
    "interaction_resource_fact": (
        "interaction_resource_id",
        "start_date_time_key",
        "active_flag",
        "start_ts",
    ),
    "interaction_fact": ("interaction_id", "start_date_time_key", "active_flag"),
    "irf_user_data_cust_1": ("interaction_resource_id", "start_date_time_key"),
    "sm_res_session_fact": ("sm_res_session_fact_key", "active_flag", "start_ts"),
}


def _analyze(conn: Connection, tables: dict[str, tuple[str, ...]]) -> None:
    """Refresh planner statistics of some columns of tables (all when none)."""
    for table, columns in tables.items():
        statement = sql.SQL("ANALYZE {}").format(sql.Identifier(table))
        if columns:
            names = sql.SQL(", ").join(map(sql.Identifier, columns))
            statement += sql.SQL(" ({})").format(names)
        conn.execute(statement)


def _count_rows(conn: Connection, schema: str) -> dict[str, int]:
    counts = {}
    for table in _tables(conn, schema):
        query = sql.SQL("SELECT count(*) FROM {}").format(sql.Identifier(table))
        row = conn.execute(query).fetchone()
        counts[str(table)] = int(row[0]) if row else 0
    return counts


def _reserve(conn: Connection, sequence: str, count: int) -> int:
    """Take ``count`` consecutive values of a sequence; return the first.

    setval is not atomic with nextval: two sessions reserving at the same
    moment could overlap. The simulator reserves from one thread only.
    """
    if count <= 0:
        return 0
    row = conn.execute("SELECT nextval(%s)", (sequence,)).fetchone()
    first = int(row[0]) if row else 0
    if count > 1:
        conn.execute("SELECT setval(%s, %s)", (sequence, first + count - 1))
    return first


# ----------------------------------------------------------------------------
# The plan of batches over data time


@dataclass(frozen=True)
class _Slice:
    """The data time [start, end) one batch loads, and when it was created."""

    start: int
    end: int
    created_ms: int


def _empty_days(spec: SampleSpec, start: int) -> frozenset[int]:
    return frozenset(start + (1 + n) * DAY for n in range(spec.empty_days))


def _outage(spec: SampleSpec, start: int) -> tuple[int, int] | None:
    if not spec.outage_days:
        return None
    begin = start + (1 + spec.empty_days) * DAY + 10 * 3600
    return begin, begin + spec.outage_days * DAY


def _plan(spec: SampleSpec, start: int) -> list[_Slice]:
    """Slices of data time in the order the ETL commits them."""
    rng = random.Random(f"{spec.seed}/timeline")
    end = start + spec.days * DAY
    empty = _empty_days(spec, start)
    outage = _outage(spec, start)

    plan: list[_Slice] = []
    cursor = start
    while cursor < end:
        piece_end = min(cursor + _slice_length(rng, cursor, empty), end)
        created = piece_end * 1000 + rng.randrange(60_000, 240_000)
        if outage and outage[0] <= created // 1000 < outage[1]:
            burst, cursor = _catch_up(rng, cursor, outage[1], end)
            plan.extend(burst)
            continue
        plan.append(_Slice(cursor, piece_end, created))
        cursor = piece_end
    return plan


def _slice_length(rng: random.Random, cursor: int, empty: frozenset[int]) -> int:
    hour = cursor % DAY // 3600
    if cursor - cursor % DAY in empty:
        return rng.choice((10800, 14400, 21600))
    if 8 <= hour < 20:
        return rng.choice((1800, 2700, 3600, 5400))
    return rng.choice((3600, 7200, 10800))


def _catch_up(
    rng: random.Random, cursor: int, outage_end: int, end: int
) -> tuple[list[_Slice], int]:
    """The burst after an outage: backlog in 4-hour slices, and between them
    the 15-minute slices of new data as they come due."""
    burst = []
    clock = outage_end * 1000 + rng.randrange(30_000, 90_000)
    live = outage_end
    while cursor < outage_end:
        piece_end = min(cursor + 4 * 3600, outage_end)
        burst.append(_Slice(cursor, piece_end, clock))
        cursor = piece_end
        clock += rng.randrange(90_000, 270_000)
        while (live + INTERVAL + 30) * 1000 <= clock and live + INTERVAL <= end:
            burst.append(_Slice(live, live + INTERVAL, clock))
            live += INTERVAL
            clock += rng.randrange(20_000, 60_000)
    return burst, live


# ----------------------------------------------------------------------------
# Content: names and texts chosen to trouble CSV writers and encoders

# The first twelve (a center at scale 1.0) already hold every script, quotes
# and an empty first name.
_FIRST_NAMES = (
    "Anna", "Zoë", "Владимир", "", "伟", "Μαρία", "محمد", "יעל",
    'Robert "Bob"', "さくら", "प्रियंका", "민준", "Łukasz", "Søren", "Ngọc Anh",
    "José", "Jean-Luc", "Ayşe", "Siobhán", "Björk",
)  # fmt: skip
_LAST_NAMES = (
    "Müller", "O'Brien", "Петров", "Żółć", "Ærø", "王", "Παπαδοπούλου",
    "العلي", "כהן", "Trần", "García, Jr.", "Smith", "山田", "शर्मा",
    "Nakamura; Sato", "Dupont", "Yılmaz", "김", "Ó Súilleabháin", "Guðmundsdóttir",
)  # fmt: skip
_NEW_LAST_NAMES = ("Schmidt", "Иванова", "Ng", "Lefèvre", "d'Arc", "鈴木")

_QUEUES = (
    ("VQ_Billing, Tier 2", "7001"),
    ("VQ_Поддержка; VIP", "7002"),
    ("VQ_サポート", "7003"),
    ('VQ_"Premium" Sales', "7004"),
    ("VQ_Ventas_España", "7005"),
    ("VQ_الدعم_الفني", "7006"),
    ("VQ_Default", "7007"),
    ("VQ_Überlauf (overflow)", "7008"),
)

_SUBJECTS = (
    'Re: Invoice 2026-114, "urgent"',
    "Заказ №5417; доставка",
    "Line one\nLine two",
    "Question about plan A, B; or C?",
    "日本語の件名です",
    "Trailing space ",
    "Café crème ☕",
    "Call me back 📞",
    "Backslash in C:\\temp\\new",
    "Tab\tseparated",
)

_NOTES = (
    'Customer said "call me back", then hung up; twice.',
    "Многострочная\nзаметка агента",
    "Line 1\r\nLine 2 (CRLF)",
    'a,b;c"d',
    "   leading and trailing   ",
    "C:\\temp\\report.csv",
    "Ünïcödé ✓ – ok",
    "注文番号: 12345、配送済み",
)

_CUSTOMERS = (
    "Müller GmbH & Co. KG",
    "ООО «Ромашка»",
    "O'Reilly, Ltd.",
    "株式会社サンプル",
    '"Quoted" Corp',
    "Søndergaard; A/S",
    "",
)

# CUSTOM_DATA_2 of IRF_USER_DATA_CUST_1, set when the agent's part ends.
_DISPOSITIONS = (
    "Resolved",
    "Callback; requested",
    'Escalated, "urgent"',
    "Решено",
    "Line\nbreak",
)

_LANGUAGES = ("de-DE", "ru-RU", "ja-JP", "en-US", "ar-SA", "")

_SEGMENTS = ("Gold", "Silber", "Бронза", 'VIP; "Platinum"')
_SERVICES = ("Billing", "Техподдержка", "Sales, new", "サポート")
_RESULTS = ("Resolved", "Escalated", "Sale", "No sale; follow-up")

_GROUPS: tuple[tuple[int, str, int, int | None, str | None], ...] = (
    (101, "Agents — Support", _AGENT_GROUP, None, None),
    (102, "Группа продаж", _AGENT_GROUP, None, ""),
    (103, 'Billing, "East"', _AGENT_GROUP, None, None),
    (104, "販売チーム", _AGENT_GROUP, None, "routing;\nscript"),
    (105, "Tier 2; Escalations", _AGENT_GROUP, None, None),
    (201, "Queues, all", _DN_GROUP, 2, ""),
)

_ANNEX: tuple[tuple[str, str, str | None], ...] = (
    ("htcc", "roles", "Agent, Supervisor"),
    ("htcc", "language", "ru"),
    ("custom", "note", 'Line "one"; two'),
    ("custom", "empty", ""),
    ("custom", "unset", None),
)


# ----------------------------------------------------------------------------
# Columns the generator loads; columns left out take their default (NULL)

_AUDIT = ("create_audit_key", "update_audit_key")

_DATE_TIME_COLUMNS = (
    "date_time_key", "cal_date", "cal_year_num", "cal_month_num",
    "cal_day_num_in_month", "cal_day_num_in_week", "cal_day_name",
    "cal_hour_24_num", "cal_minute_num", "label_yyyy", "label_yyyy_mm",
    "label_yyyy_mm_dd", "label_yyyy_mm_dd_hh24", "label_yyyy_mm_dd_hh24_mi",
    "label_yyyy_mm_dd_hh24_15int", "label_hh24", "label_tz", "start_ts", *_AUDIT,
)  # fmt: skip
_RESOURCE_COLUMNS = (
    "resource_key", "tenant_key", "resource_type", "resource_type_code",
    "resource_subtype", "resource_name", "agent_first_name", "agent_last_name",
    "agent_name", "employee_id", "external_resource_id", "resource_cfg_dbid",
    "resource_cfg_type_id", "start_ts", "end_ts", "purge_flag", *_AUDIT,
)  # fmt: skip
_CONFIG_COLUMNS = (
    "created", "deleted", "lastchange", "created_ts", "deleted_ts",
    "lastchange_ts", "gsys_domain", "gsys_sys_id", "data_source_key", *_AUDIT,
)  # fmt: skip
_GROUP_COLUMNS = (
    "id", "name", "tenantid", "type", "dngrouptype", "state", "script", "status",
    *_CONFIG_COLUMNS,
)  # fmt: skip
_ANNEX_COLUMNS = (
    "id", "cfgobjectid", "cfgobjecttype", "sectionname", "keyname", "tenantid",
    "value", "status", *_CONFIG_COLUMNS,
)  # fmt: skip
_RGF_COLUMNS = (
    "resource_group_fact_key", "start_date_time_key", "end_date_time_key",
    "tenant_key", "resource_key", "group_key", "start_ts", "end_ts",
    "active_flag", "purge_flag", *_AUDIT,
)  # fmt: skip
_STG_COLUMNS = (
    "interaction_resource_id", "interaction_id", "resource_key", "start_ts",
    "end_ts", "create_audit_key",
)  # fmt: skip
_IF_COLUMNS = (
    "interaction_id", "tenant_key", "interaction_type_key", "media_type_key",
    "media_server_root_ixn_id", "media_server_ixn_id",
    "media_server_root_ixn_guid", "media_server_ixn_guid", "source_address",
    "target_address", "subject", "status", "start_ts", "end_ts",
    "start_date_time_key", "end_date_time_key", "active_flag", "purge_flag",
    *_AUDIT,
)  # fmt: skip
# The measures of an agent's part, zero while it is active.
_MEASURES = (
    "ring_count", "ring_duration", "talk_count", "talk_duration", "hold_count",
    "hold_duration", "after_call_work_count", "after_call_work_duration",
    "handle_count", "customer_ring_count", "customer_ring_duration",
    "customer_talk_count", "customer_talk_duration", "customer_hold_duration",
    "customer_acw_duration", "customer_handle_count",
)  # fmt: skip
# Measures of consultations and conferences, which the sample never has.
_UNUSED_MEASURES = (
    "customer_dial_count", "customer_dial_duration",
    "conference_initiated_count", "conf_join_talk_count",
    "conf_join_talk_duration", "cons_init_talk_count", "cons_init_talk_duration",
    "cons_rcv_talk_count", "cons_rcv_talk_duration", "post_cons_xfer_talk_count",
    "post_cons_xfer_talk_duration", "agent_to_agent_cons_duration",
)  # fmt: skip
_IRF_COLUMNS = (
    "interaction_resource_id", "tenant_key", "interaction_id",
    "interaction_sdt_key", "interaction_type_key", "media_type_key",
    "resource_key", "media_resource_key", "resource_group_combination_key",
    "technical_descriptor_key", "anchor_flags_key", "routing_target_key",
    "requested_skill_key", "last_vqueue_resource_key", "mediation_resource_key",
    "mediation_segment_id", "mediation_segment_sdt_key",
    "mediation_start_date_time_key", "res_previous_sm_state_key", "partyguid",
    "target_address", "start_date_time_key", "end_date_time_key", "start_ts",
    "end_ts", "irf_anchor", "last_interaction_resource", "stop_action",
    "met_service_objective_flag", *_MEASURES, *_UNUSED_MEASURES, "active_flag",
    "purge_flag", *_AUDIT,
)  # fmt: skip
_MSF_COLUMNS = (
    "mediation_segment_id", "tenant_key", "interaction_id",
    "interaction_type_key", "media_type_key", "resource_key",
    "resource_group_combination_key", "technical_descriptor_key",
    "ixn_resource_id", "target_ixn_resource_id", "target_ixn_resource_sdt_key",
    "media_server_ixn_guid", "orssessionid", "start_date_time_key",
    "end_date_time_key", "start_ts", "end_ts", "mediation_duration",
    "userdata_flag", "active_flag", "purge_flag", *_AUDIT,
)  # fmt: skip
_USER_DATA = ("interaction_resource_id", "start_date_time_key", "tenant_key", *_AUDIT)
_GEN_COLUMNS = (
    *_USER_DATA, "case_id", "customer_id", "gsw_call_attempt_guid",
    "gsw_call_type", "gvp_session_id", "revenue", "satisfaction",
)  # fmt: skip
_KEYS_COLUMNS = (
    *_USER_DATA, "interaction_descriptor_key", "user_data_gen_dim_key_1",
    "user_data_gen_dim_key_2", "custom_key_1", "custom_key_2",
)  # fmt: skip
_CUST_COLUMNS = (
    *_USER_DATA, "custom_data_1", "custom_data_2", "custom_data_3", "custom_data_4",
)  # fmt: skip
_SESSION_COLUMNS = (
    "sm_res_session_fact_key", "tenant_key", "media_type_key", "resource_key",
    "resource_group_combination_key", "agent_location_key",
    "start_date_time_key", "end_date_time_key", "start_ts", "end_ts",
    "total_duration", "active_flag", "purge_flag", *_AUDIT,
)  # fmt: skip
_STATE_COLUMNS = (
    "sm_res_state_fact_key", "sm_res_session_fact_key", "tenant_key",
    "media_type_key", "resource_key", "resource_state_key",
    "resource_group_combination_key", "start_date_time_key",
    "end_date_time_key", "start_ts", "end_ts", "total_duration", "active_flag",
    "purge_flag", *_AUDIT,
)  # fmt: skip
_CALL_COLUMNS = (
    "id", "callid", "connid", "calltype", "state", "created", "terminated",
    "created_ts", "terminated_ts", "gsys_domain", *_AUDIT,
)  # fmt: skip
_AG2_COLUMNS = (
    "date_time_key", "tenant_key", "resource_key", "media_type_key", "accepted",
    "engage_time", "hold_time", "wrap_time", *_AUDIT,
)  # fmt: skip


# ----------------------------------------------------------------------------
# Loading rows and accounting for them


@dataclass
class _Stats:
    """What one batch wrote, for its CTL_AUDIT_LOG row."""

    rows: int = 0
    min_key: int | None = None
    max_key: int | None = None
    max_ts: int | None = None

    def add(self, rows: int, low: int | None, high: int | None, ts: int | None) -> None:
        """Count ``rows`` with START_DATE_TIME_KEY in [low, high], latest ts."""
        self.rows += rows
        if low is not None:
            self.min_key = low if self.min_key is None else min(self.min_key, low)
        if high is not None:
            self.max_key = high if self.max_key is None else max(self.max_key, high)
        if ts is not None:
            self.max_ts = ts if self.max_ts is None else max(self.max_ts, ts)

    def loaded(self, columns: Sequence[str], rows: Sequence[Row]) -> None:
        """Count rows just loaded into a table with these columns."""
        if "start_date_time_key" not in columns:
            self.add(len(rows), None, None, None)
            return
        at = columns.index("start_date_time_key")
        keys = [row[at] for row in rows]
        places = [
            columns.index(name) for name in ("start_ts", "end_ts") if name in columns
        ]
        times = [row[at] for at in places for row in rows if row[at] is not None]
        self.add(len(rows), min(keys), max(keys), max(times, default=None))


def _copy(
    conn: Connection,
    table: str,
    columns: Sequence[str],
    rows: Iterable[Row],
    stats: _Stats,
) -> None:
    """Load rows with binary COPY (a quarter faster than text) and count them.

    Given a generator, the rows are made while the server parses those sent.
    """
    if isinstance(rows, Sequence) and not rows:
        return
    statement = sql.SQL("COPY {} ({}) FROM STDIN (FORMAT BINARY)").format(
        sql.Identifier(table), sql.SQL(", ").join(map(sql.Identifier, columns))
    )
    types = _column_types(conn, table)
    written = []
    with conn.cursor() as cursor, cursor.copy(statement) as copy:
        copy.set_types([types[name] for name in columns])
        for row in rows:
            copy.write_row(row)
            written.append(row)
    if written:
        stats.loaded(columns, written)


# Type oids of the columns of each table, the same in every schema built from
# our scripts: built-in types have fixed oids.
_TYPES: dict[str, dict[str, int]] = {}


def _column_types(conn: Connection, table: str) -> dict[str, int]:
    if table not in _TYPES:
        rows = conn.execute(
            """
            SELECT attname, atttypid::integer FROM pg_attribute
            WHERE attrelid = %s::regclass AND attnum > 0 AND NOT attisdropped
            """,
            (table,),
        ).fetchall()
        _TYPES[table] = {str(name): int(oid) for name, oid in rows}
    return _TYPES[table]


def _next_audit_key(conn: Connection) -> int:
    row = conn.execute("SELECT nextval('seq_audit_key')").fetchone()
    return int(row[0]) if row else 0


def _record(conn: Connection, key: int, piece: _Slice, stats: _Stats, job: str) -> None:
    """Write the batch's CTL_AUDIT_LOG row and its job history."""
    rng = random.Random(f"job/{key}/{piece.created_ms}")
    job_id = str(uuid.UUID(int=rng.getrandbits(128), version=4))
    low = stats.min_key if stats.min_key is not None else _key(piece.start)
    high = stats.max_key
    if high is None:
        high = _key(max(piece.start, piece.end - 1))
    max_ts = stats.max_ts if stats.max_ts is not None else piece.end
    inserted_ms = piece.created_ms + 300 + stats.rows // 20 + rng.randrange(700)
    etl = None if job == "Job_InitializeGIM" else 1

    conn.execute(
        """
        INSERT INTO ctl_audit_log (
            audit_key, job_id, created, inserted, processing_status_key,
            min_start_date_time_key, max_start_date_time_key, max_chunk_ts,
            data_source_key, row_count, created_ts, producer_info_key)
        VALUES (%s, %s, %s, %s, 1, %s, %s, %s, %s, %s, %s, %s)
        """,
        (
            key,
            job_id,
            _moment(piece.created_ms),
            _moment(inserted_ms),
            low,
            high,
            max_ts,
            etl,
            stats.rows,
            piece.created_ms // 1000,
            etl,
        ),
    )
    conn.execute(
        """
        INSERT INTO ctl_etl_history VALUES (%s, %s, %s, %s, %s, %s, 'COMPLETE', %s, %s)
        """,
        (
            job_id,
            job,
            SCHEMA_VERSION,
            key,
            _moment(piece.created_ms - 5000),
            _moment(inserted_ms),
            piece.start,
            piece.end,
        ),
    )
    conn.execute(
        "INSERT INTO ctl_extract_history VALUES (%s, %s, %s, %s, %s), "
        "(%s, %s, %s, %s, %s)",
        (job_id, "G_IR", piece.end, piece.end, stats.rows)
        + (job_id, "GX_SESSION_ENDPOINT", piece.end, piece.end, 0),
    )


# ----------------------------------------------------------------------------
# What the generator knows of the Info Mart between batches


@dataclass
class _World:
    """Dimensions and parameters a batch draws on, read from the database."""

    seed: int
    scale: float
    agents: list[int]
    queues: list[int]
    descriptors: list[int]
    cust_dims: list[int]
    calendar_end: int
    empty_days: frozenset[int] = frozenset()
    shifts: dict[int, list[tuple[int, int]]] = field(default_factory=dict)
    written: int = 0

    @classmethod
    def load(
        cls, conn: Connection, seed: int, empty_days: frozenset[int] = frozenset()
    ) -> _World:
        """Read the world of a filled Info Mart."""

        def numbers(query: str) -> list[int]:
            return [int(row[0]) for row in conn.execute(query).fetchall()]

        scale = conn.execute("SELECT scale FROM ctl_sample_spec LIMIT 1").fetchone()
        end = conn.execute(
            "SELECT max(date_time_key) FROM date_time WHERE date_time_key <> %s",
            (OPEN_END_KEY,),
        ).fetchone()
        return cls(
            seed=seed,
            scale=float(scale[0]) if scale else 1.0,
            agents=numbers(
                "SELECT resource_key FROM resource_ "
                "WHERE resource_type_code = 'AGENT' ORDER BY 1"
            ),
            queues=numbers(
                "SELECT resource_key FROM resource_ "
                "WHERE resource_type_code = 'QUEUE' ORDER BY 1"
            ),
            descriptors=numbers(
                "SELECT interaction_descriptor_key FROM interaction_descriptor "
                "WHERE interaction_descriptor_key > 0 ORDER BY 1"
            ),
            cust_dims=numbers(
                "SELECT id FROM user_data_cust_dim_1 WHERE id > 0 ORDER BY 1"
            ),
            calendar_end=int(end[0]) + INTERVAL if end and end[0] else 0,
            empty_days=empty_days,
        )

    def expected_contacts(self, interval: int) -> float:
        """Mean number of interactions starting in a 15-minute interval."""
        day = interval - interval % DAY
        if day in self.empty_days:
            return 0.0
        share = _HOURLY[interval % DAY // 3600] / sum(_HOURLY) / 4
        weekday = _WEEKDAY[_utc(day).weekday()]
        return INTERACTIONS_PER_DAY * self.scale * share * weekday

    def logins(self, day: int) -> list[tuple[int, int]]:
        """(login time, agent) of the agents who work on this day."""
        if day in self.empty_days:
            return []
        if day not in self.shifts:
            share = 0.85 if _utc(day).weekday() < 5 else 0.35
            shifts = []
            for agent in self.agents:
                rng = random.Random(f"{self.seed}/shift/{day}/{agent}")
                if rng.random() < share:
                    shifts.append((day + 6 * 3600 + rng.randrange(8 * 3600), agent))
            self.shifts[day] = sorted(shifts)
        return self.shifts[day]


# ----------------------------------------------------------------------------
# The initialisation batch


def _initialise(conn: Connection, spec: SampleSpec, start: int) -> int:
    """The first batch: every dimension, with placeholders -1 and -2."""
    key = _next_audit_key(conn)
    rng = random.Random(f"{spec.seed}/init")
    stats = _Stats()

    calendar = _calendar_rows(start - DAY, start + (spec.days + 14) * DAY, key)
    calendar += _calendar_rows(OPEN_END_KEY, OPEN_END_KEY + INTERVAL, key)
    _copy(conn, "date_time", _DATE_TIME_COLUMNS, _unique(calendar), stats)
    for table, columns, rows in _fixed_dimensions():
        update = table not in ("interaction_descriptor", "user_data_cust_dim_1")
        audit = _AUDIT if update else _AUDIT[:1]
        rows = [(*row, key, key) if update else (*row, key) for row in rows]
        _copy(conn, table, (*columns, *audit), rows, stats)

    agents = max(8, round(12 * spec.scale**0.75))
    resources = [_placeholder_resource(-2, key), _placeholder_resource(-1, key)]
    resources += [_queue_row(101 + i, q[0], key) for i, q in enumerate(_QUEUES)]
    resources += [_agent_row(1001 + i, start - 90 * DAY, key) for i in range(agents)]
    _copy(conn, "resource_", _RESOURCE_COLUMNS, resources, stats)

    groups = [_group_row(rng, *group, start - 30 * DAY, key) for group in _GROUPS]
    _copy(conn, "gidb_gc_group", _GROUP_COLUMNS, groups, stats)
    annex = [
        _annex_row(rng, number, 1000 + number % agents, start - 20 * DAY, key)
        for number in range(1, 2 * len(_ANNEX) + 1)
    ]
    _copy(conn, "gidb_gc_annex", _ANNEX_COLUMNS, annex, stats)

    first = _reserve(conn, "seq_resource_group_fact", agents)
    members = [
        _membership_row(first + i, 1001 + i, _agent_group(rng), start, key)
        for i in range(agents)
    ]
    _copy(conn, "resource_group_fact_", _RGF_COLUMNS, members, stats)

    # What the transformation job left in its staging table.
    leftovers = [(6999999999999990 + n, None, -1, start, None, key) for n in range(3)]
    _copy(conn, "stg_irf", _STG_COLUMNS, leftovers, stats)

    conn.execute(
        "INSERT INTO ctl_sample_spec VALUES (%s, %s, %s, %s, %s, %s)",
        (spec.seed, spec.start, spec.days, spec.scale)
        + (spec.outage_days, spec.empty_days),
    )
    created = (start - 3600) * 1000 + rng.randrange(1000)
    _record(conn, key, _Slice(start, start, created), stats, "Job_InitializeGIM")
    return key


def _unique(rows: list[Row]) -> list[Row]:
    """Rows without repeats of the first column, in order."""
    firsts = {row[0]: row for row in reversed(rows)}
    return [row for row in rows if firsts.get(row[0]) is row]


def _fixed_dimensions() -> Iterator[tuple[str, tuple[str, ...], list[Row]]]:
    """The small dimensions, without audit keys."""
    yield (
        "media_type",
        ("media_type_key", "media_name", "media_name_code", "is_online"),
        [
            (-2, "No Value", "NO_VALUE", 0),
            (-1, "Unknown", "UNKNOWN", 0),
            (_VOICE, "Voice", "VOICE", 1),
            (_EMAIL, "E-mail", "EMAIL", 0),
            (_CHAT, "Chat", "CHAT", 1),
        ],
    )
    yield (
        "interaction_type",
        (
            "interaction_type_key",
            "interaction_type",
            "interaction_type_code",
            "interaction_subtype",
            "interaction_subtype_code",
            "ignore",
        ),
        [
            (-2, "No Value", "NO_VALUE", "No Value", "NO_VALUE", 0),
            (-1, "Unknown", "UNKNOWN", "Unknown", "UNKNOWN", 0),
            (_INBOUND, "Inbound", "INBOUND", "InboundNew", "INBOUNDNEW", 0),
            (_OUTBOUND, "Outbound", "OUTBOUND", "OutboundNew", "OUTBOUNDNEW", 0),
            (_INTERNAL, "Internal", "INTERNAL", "InternalCollaborationInvite", "", 0),
        ],
    )
    received = ("Received", "RECEIVED", "Unspecified", "UNSPECIFIED")
    yield (
        "technical_descriptor",
        (
            "technical_descriptor_key",
            "technical_result",
            "technical_result_code",
            "result_reason",
            "result_reason_code",
            "resource_role",
            "resource_role_code",
            "role_reason",
            "role_reason_code",
        ),
        [
            (-2, *("No Value", "NO_VALUE") * 4),
            (-1, *("Unknown", "UNKNOWN") * 4),
            (_TD_ANSWERED, "Completed", "COMPLETED")
            + ("AnsweredByAgent", "ANSWEREDBYAGENT", *received),
            (_TD_DIVERTED, "Diverted", "DIVERTED", "Unspecified", "UNSPECIFIED")
            + received,
            (_TD_ABANDONED, "Abandoned", "ABANDONED")
            + ("AbandonedWhileQueued", "ABANDONEDWHILEQUEUED", *received),
        ],
    )
    yield (
        "resource_state",
        (
            "resource_state_key",
            "state_type",
            "state_type_code",
            "state_name",
            "state_name_code",
        ),
        [
            (-2, "No Value", "NO_VALUE", "No Value", "NO_VALUE"),
            (-1, "Unknown", "UNKNOWN", "Unknown", "UNKNOWN"),
            (_READY, "Agent State", "AGENT_STATE", "Ready", "READY"),
            (_NOT_READY, "Agent State", "AGENT_STATE", "NotReady", "NOTREADY"),
            (_BUSY, "Agent State", "AGENT_STATE", "Busy", "BUSY"),
            (_ACW, "Agent State", "AGENT_STATE", "AfterCallWork", "AFTERCALLWORK"),
        ],
    )
    yield (
        "interaction_descriptor",
        _DESCRIPTOR_COLUMNS,
        [
            (-2, TENANT, *("NO_VALUE",) * 4, 0),
            (-1, TENANT, *("UNKNOWN",) * 4, 0),
            (1, TENANT, "DEFAULT_CUSTOMER_SEGMENT", "DEFAULT_SERVICE_TYPE")
            + ("DEFAULT_SERVICE_SUBTYPE", "DEFAULT_BUSINESS_RESULT", 0),
        ]
        + [_descriptor_row(2 + n) for n in range(4)],
    )
    yield (
        "user_data_cust_dim_1",
        _CUST_DIM_COLUMNS,
        [
            (-2, TENANT, "NO_VALUE", "NO_VALUE", "NO_VALUE"),
            (-1, TENANT, "UNKNOWN", "UNKNOWN", "UNKNOWN"),
        ]
        + [_cust_dim_row(1 + n) for n in range(4)],
    )


_DESCRIPTOR_COLUMNS = (
    "interaction_descriptor_key", "tenant_key", "customer_segment",
    "service_type", "service_subtype", "business_result", "purge_flag",
)  # fmt: skip
_CUST_DIM_COLUMNS = (
    "id", "tenant_key", "dim_attribute_1", "dim_attribute_2", "dim_attribute_3",
)  # fmt: skip


def _descriptor_row(number: int) -> Row:
    return (
        number,
        TENANT,
        _SEGMENTS[number % len(_SEGMENTS)],
        _SERVICES[number // 2 % len(_SERVICES)],
        "" if number % 3 == 0 else f"Sub-{number}",
        _RESULTS[number // 3 % len(_RESULTS)],
        0,
    )


def _cust_dim_row(number: int) -> Row:
    region = ("Nord", "Süd", "Восток", "西")[number % 4]
    product = ("Café", 'Plan "Basic"', "", None)[number // 2 % 4]
    return (number, TENANT, region, product, None if number % 2 else "")


def _placeholder_resource(number: int, key: int) -> Row:
    code = "NO_VALUE" if number == -2 else "UNKNOWN"
    label = "No Value" if number == -2 else "Unknown"
    return (number, TENANT, label, code, label, code, *(None,) * 9, 0, key, key)


def _queue_row(number: int, name: str, key: int) -> Row:
    return (number, TENANT, "Queue", "QUEUE", "VirtualQueue", name) + (
        None,
        None,
        None,
        None,
        None,
        5000 + number,
        5,
        None,
        None,
        0,
        key,
        key,
    )


def _agent_row(number: int, since: int, key: int) -> Row:
    index = number - 1001
    first = _FIRST_NAMES[index % len(_FIRST_NAMES)]
    last = _LAST_NAMES[(index + index // len(_FIRST_NAMES)) % len(_LAST_NAMES)]
    login = (first or last).split()[0].strip('"').lower()
    return (
        (number, TENANT, "Agent", "AGENT", "Agent", f"{login}.{index + 1}")
        + (first, last, f"{first} {last}".strip(), f"E{index + 1:05d}")
        + (None if index % 3 else "", 1000 + index, 3, since, None, 0, key, key)
    )


def _config_times(created_ms: int, key: int) -> Row:
    moment = _moment(created_ms)
    second = created_ms // 1000
    return (moment, None, moment, second, None, second, 1, 1, 1, key, key)


def _group_row(
    rng: random.Random,
    number: int,
    name: str,
    kind: int,
    dn_type: int | None,
    script: str | None,
    since: int,
    key: int,
) -> Row:
    created = since * 1000 + rng.randrange(DAY * 1000)
    return (number, name, TENANT, kind, dn_type, 1, script, 1) + _config_times(
        created, key
    )


def _annex_row(
    rng: random.Random, number: int, person: int, since: int, key: int
) -> Row:
    section, name, value = _ANNEX[number % len(_ANNEX)]
    created = since * 1000 + rng.randrange(DAY * 1000)
    return (number, person, 3, section, name, TENANT, value, 1) + _config_times(
        created, key
    )


def _agent_group(rng: random.Random) -> int:
    return rng.choice([number for number, _, kind, _, _ in _GROUPS if kind == 1])


def _membership_row(number: int, agent: int, group: int, since: int, key: int) -> Row:
    return (number, _key(since), OPEN_END_KEY, TENANT, agent, group) + (
        since,
        None,
        1,
        0,
        key,
        key,
    )


def _calendar_rows(first: int, last: int, key: int) -> list[Row]:
    """DATE_TIME rows of the 15-minute intervals that start in [first, last)."""
    rows = []
    for number in range(_key(first), last, INTERVAL):
        moment = _EPOCH + dt.timedelta(seconds=number)
        until = moment + dt.timedelta(seconds=INTERVAL)
        rows.append(
            (number, moment, moment.year, moment.month, moment.day)
            + (moment.isoweekday() % 7 + 1, f"{moment:%A}", moment.hour)
            + (moment.minute, f"{moment:%Y}", f"{moment:%Y-%m}")
            + (f"{moment:%Y-%m-%d}", f"{moment:%Y-%m-%d %H}")
            + (f"{moment:%Y-%m-%d %H:%M}", f"{moment:%Y-%m-%d %H:%M}-{until:%H:%M}")
            + (f"{moment:%H}", "GMT", number, key, key)
        )
    return rows


# ----------------------------------------------------------------------------
# One ETL batch


def _run_batch(conn: Connection, world: _World, piece: _Slice, *, dims: bool) -> int:
    """Take an audit key and write one slice of data time; the caller commits.

    ``dims`` allows dimension and configuration changes. Batches that may run
    beside an open one do without them: their new keys are taken as max + 1.
    """
    key = _next_audit_key(conn)
    stats = _Stats()
    seed = f"{world.seed}/{piece.start}/{piece.end}"

    if dims:
        _change_dimensions(
            conn, world, random.Random(f"dims/{seed}"), key, piece, stats
        )
    _close_facts(conn, key, piece, stats)
    _load_contacts(conn, world, random.Random(f"contacts/{seed}"), key, piece, stats)
    _load_agent_states(conn, world, random.Random(f"agents/{seed}"), key, piece, stats)
    _record(conn, key, piece, stats, "Job_TransformGIM")
    world.written += stats.rows

    logger.debug(
        "audit key %d: data %s to %s, %d rows",
        key,
        _utc(piece.start),
        _utc(piece.end),
        stats.rows,
    )
    return key


# Durations of an agent's part of an interaction, derived from its
# INTERACTION_RESOURCE_ID so that a later batch can close it from the row
# alone. _irf_measures and _MEASURES_SQL must compute the same values.


def _handle_time(irf: int) -> int:
    return 120 + irf * 7919 % 1380


def _irf_measures(irf: int) -> Row:
    ring = 2 + irf % 13
    hold = 10 + irf % 31 if irf % 5 == 0 else 0
    wrap = 5 + irf % 31
    talk = _handle_time(irf) - ring - hold - wrap
    held = 1 if hold else 0
    return (1, ring, 1, talk, held, hold, 1, wrap, 1, 1, ring, 1, talk, hold, wrap, 1)


def _measures_sql(x: str) -> list[str]:
    handle = f"(120 + mod({x} * 7919, 1380))::integer"
    ring = f"(2 + mod({x}, 13))::integer"
    held = f"(CASE WHEN mod({x}, 5) = 0 THEN 1 ELSE 0 END)"
    hold = f"(CASE WHEN mod({x}, 5) = 0 THEN 10 + mod({x}, 31) ELSE 0 END)::integer"
    wrap = f"(5 + mod({x}, 31))::integer"
    talk = f"({handle} - {ring} - {hold} - {wrap})"
    return ["1", ring, "1", talk, held, hold, "1", wrap, "1"] + [
        "1",
        ring,
        "1",
        talk,
        hold,
        wrap,
        "1",
    ]


def _session_length(session: int) -> int:
    return 25200 + session * 7919 % 7200


_IRF_END = "f.start_ts + (120 + mod(f.interaction_resource_id * 7919, 1380))::integer"
_SESSION_END = "s.start_ts + (25200 + mod(s.sm_res_session_fact_key * 7919, 7200))"

_CLOSE_CONTACTS = f"""
WITH due AS (
    SELECT f.interaction_resource_id AS id, f.start_date_time_key AS sdt
    FROM interaction_resource_fact f
    WHERE f.active_flag = 1 AND f.start_ts <= %(end)s - 120
      AND {_IRF_END} <= %(end)s
    FOR UPDATE SKIP LOCKED
), irf AS (
    UPDATE interaction_resource_fact f
    SET end_ts = {_IRF_END},
        end_date_time_key = {_IRF_END} - mod({_IRF_END}, {INTERVAL}),
        {
    ", ".join(
        f"{name} = {value}"
        for name, value in zip(
            _MEASURES, _measures_sql("f.interaction_resource_id"), strict=True
        )
    )
},
        active_flag = 0,
        update_audit_key = %(key)s
    FROM due
    WHERE f.interaction_resource_id = due.id AND f.start_date_time_key = due.sdt
    RETURNING f.interaction_resource_id AS id, f.start_date_time_key AS sdt,
              f.interaction_id, f.interaction_sdt_key, f.end_ts
), ixn AS (
    UPDATE interaction_fact i
    SET end_ts = irf.end_ts,
        end_date_time_key = irf.end_ts - mod(irf.end_ts, {INTERVAL}),
        active_flag = 0,
        update_audit_key = %(key)s
    FROM irf
    WHERE i.interaction_id = irf.interaction_id
      AND i.start_date_time_key = irf.interaction_sdt_key
      AND i.active_flag = 1
    RETURNING i.start_date_time_key AS sdt, i.end_ts AS ts
), cust AS (
    UPDATE irf_user_data_cust_1 c
    SET custom_data_2 =
            (%(dispositions)s::text[])
                [1 + mod(c.interaction_resource_id, %(n)s)::integer],
        update_audit_key = %(key)s
    FROM irf
    WHERE c.interaction_resource_id = irf.id AND c.start_date_time_key = irf.sdt
    RETURNING c.start_date_time_key AS sdt
)
SELECT count(*), min(sdt), max(sdt), max(ts) FROM (
    SELECT sdt, end_ts AS ts FROM irf
    UNION ALL SELECT sdt, ts FROM ixn
    UNION ALL SELECT sdt, NULL FROM cust
) AS written
"""

_CLOSE_SESSIONS = f"""
WITH due AS (
    SELECT s.sm_res_session_fact_key AS id, s.start_date_time_key AS sdt
    FROM sm_res_session_fact s
    WHERE s.active_flag = 1 AND s.start_ts <= %(end)s - 25200
      AND {_SESSION_END} <= %(end)s
    FOR UPDATE SKIP LOCKED
), done AS (
    UPDATE sm_res_session_fact s
    SET end_ts = {_SESSION_END},
        end_date_time_key = {_SESSION_END} - mod({_SESSION_END}, {INTERVAL}),
        total_duration = {_SESSION_END} - s.start_ts,
        active_flag = 0,
        update_audit_key = %(key)s
    FROM due
    WHERE s.sm_res_session_fact_key = due.id AND s.start_date_time_key = due.sdt
    RETURNING s.start_date_time_key AS sdt, s.end_ts AS ts
)
SELECT count(*), min(sdt), max(sdt), max(ts) FROM done
"""


def _close_facts(conn: Connection, key: int, piece: _Slice, stats: _Stats) -> None:
    """End the facts whose end falls in data time already loaded.

    Rows another open transaction holds are skipped; a later batch ends them.
    """
    params = {
        "end": piece.end,
        "key": key,
        "dispositions": list(_DISPOSITIONS),
        "n": len(_DISPOSITIONS),
    }
    for statement in (_CLOSE_CONTACTS, _CLOSE_SESSIONS):
        row = conn.execute(statement, params).fetchone()
        if row and row[0]:
            stats.add(int(row[0]), row[1], row[2], row[3])


# ----------------------------------------------------------------------------
# New facts of one slice: interactions and agent activity


def _poisson(rng: random.Random, mean: float) -> int:
    if mean <= 0:
        return 0
    if mean > 50:
        return max(0, round(rng.gauss(mean, math.sqrt(mean))))
    limit, count, product = math.exp(-mean), 0, rng.random()
    while product > limit:
        count += 1
        product *= rng.random()
    return count


class _Contact(NamedTuple):
    """One interaction: it waits in a queue, then an agent takes it or not."""

    begin: int
    wait: int
    media: int
    kind: int
    queue: int
    agent: int | None


# The generator draws floats and indexes with them: Random.choice, randrange
# and choices cost ten times as much, and a million rows need millions of draws.


def _contacts(rng: random.Random, world: _World, piece: _Slice) -> list[_Contact]:
    """The interactions that start in the slice; each leaves its queue in it."""
    draw = rng.random
    queues, agents = world.queues, world.agents
    contacts = []
    for interval in range(_key(piece.start), piece.end, INTERVAL):
        low, high = max(interval, piece.start), min(interval + INTERVAL, piece.end)
        mean = world.expected_contacts(interval) * (high - low) / INTERVAL
        for _ in range(_poisson(rng, mean)):
            begin = low + int(draw() * (high - low))
            wait = min(3 + int(draw() * 238), piece.end - 1 - begin)
            chance = draw()
            media = _VOICE if chance < 0.7 else _EMAIL if chance < 0.85 else _CHAT
            kind, chance = _INBOUND, draw()
            if media == _VOICE and chance >= 0.85:
                kind = _OUTBOUND if chance < 0.95 else _INTERNAL
            queue = queues[int(draw() * len(queues))]
            agent = None
            if agents and draw() < 0.88:
                agent = agents[int(draw() * len(agents))]
            contacts.append(_Contact(begin, wait, media, kind, queue, agent))
    return contacts


class _Planned(NamedTuple):
    """An interaction with its ids and when its agent part ends."""

    contact: _Contact
    interaction: int
    segment: int
    queued: int
    agent_irf: int | None
    call: int | None
    finish: int
    closed: bool


def _load_contacts(
    conn: Connection,
    world: _World,
    rng: random.Random,
    key: int,
    piece: _Slice,
    stats: _Stats,
) -> None:
    """Load the interactions of the slice with their IRF, MSF and user data."""
    contacts = _contacts(rng, world, piece)
    if not contacts:
        return
    taken = sum(1 for contact in contacts if contact.agent is not None)
    voice = sum(1 for contact in contacts if contact.media == _VOICE)
    interaction = _reserve(conn, "seq_interaction_id", len(contacts))
    segment = _reserve(conn, "seq_mediation_segment_id", len(contacts))
    resource = _reserve(conn, "seq_interaction_resource_id", len(contacts) + taken)
    call = _reserve(conn, "seq_gidb_g_call", voice)

    planned = []
    for n, contact in enumerate(contacts):
        queued, agent_irf, call_id = resource, None, None
        resource += 1
        if contact.agent is not None:
            agent_irf = resource
            resource += 1
        if contact.media == _VOICE:
            call_id = call
            call += 1
        finish = contact.begin + contact.wait
        if agent_irf is not None:
            finish += _handle_time(agent_irf)
        planned.append(
            _Planned(
                contact,
                interaction + n,
                segment + n,
                queued,
                agent_irf,
                call_id,
                finish,
                finish <= piece.end,
            )
        )

    # Each table draws from its own generator, so that its rows can be made
    # while the COPY before them streams.
    seeds = [rng.getrandbits(64) for _ in range(5)]
    rows = _interaction_rows(planned, random.Random(seeds[0]), key)
    _copy(conn, "interaction_fact", _IF_COLUMNS, rows, stats)
    rows = _resource_rows(planned, key)
    _copy(conn, "interaction_resource_fact", _IRF_COLUMNS, rows, stats)
    rows = _segment_rows(planned, random.Random(seeds[1]), key)
    _copy(conn, "mediation_segment_fact", _MSF_COLUMNS, rows, stats)
    taken_rows = [plan for plan in planned if plan.agent_irf is not None]
    rows = _general_rows(taken_rows, random.Random(seeds[2]), key)
    _copy(conn, "irf_user_data_gen_1", _GEN_COLUMNS, rows, stats)
    rows = _keys_rows(taken_rows, random.Random(seeds[3]), world, key)
    _copy(conn, "irf_user_data_keys", _KEYS_COLUMNS, rows, stats)
    rows = _custom_rows(taken_rows, random.Random(seeds[4]), key)
    _copy(conn, "irf_user_data_cust_1", _CUST_COLUMNS, rows, stats)
    _copy(conn, "gidb_g_call", _CALL_COLUMNS, _call_rows(planned, key), stats)
    _copy(conn, "ag2_agent_hour", _AG2_COLUMNS, _agent_hours(planned, key), stats)


_ZERO_MEASURES = (0,) * len(_MEASURES)
_ZERO_UNUSED = (0,) * len(_UNUSED_MEASURES)
_GOLDEN = 0x9E3779B97F4A7C15


def _guid(number: int) -> str:
    """A 16-hex-digit id derived from a number, as media servers write them."""
    return f"{number * _GOLDEN % 2**64:016X}"


def _dn(queue: int) -> str:
    return _QUEUES[(queue - 101) % len(_QUEUES)][1]


def _interaction_rows(
    planned: list[_Planned], rng: random.Random, key: int
) -> Iterator[Row]:
    """INTERACTION_FACT: active while an agent still handles the interaction."""
    for contact, interaction, _, _, _, _, finish, closed in planned:
        guid = _guid(interaction)
        source, subject, server_id = _addresses(rng, contact, interaction)
        yield (
            interaction, TENANT, contact.kind, contact.media, server_id, server_id,
            guid, guid, source, _dn(contact.queue), subject, 0, contact.begin,
            finish if closed else None, _key(contact.begin),
            _key(finish) if closed else OPEN_END_KEY, 0 if closed else 1, 0, key, key,
        )  # fmt: skip


def _resource_rows(planned: list[_Planned], key: int) -> Iterator[Row]:
    """INTERACTION_RESOURCE_FACT: the queue's part, then the agent's if any."""
    for contact, interaction, segment, queued, agent_irf, _, finish, closed in planned:
        begin, left = contact.begin, contact.begin + contact.wait
        sdt, left_sdt = _key(begin), _key(left)
        queue, dn = contact.queue, _dn(contact.queue)
        met = 1 if contact.wait <= 20 else 0
        last = 1 if agent_irf is None else 0
        descriptor = _TD_ABANDONED if agent_irf is None else _TD_DIVERTED
        yield (
            queued, TENANT, interaction, sdt, contact.kind, contact.media, queue,
            queue, -2, descriptor, -2, -2, -2, queue, queue, segment, sdt, sdt, -2,
            _guid(queued), dn, sdt, left_sdt, begin, left, last, last, 0, met,
            *_ZERO_MEASURES, *_ZERO_UNUSED, 0, 0, key, key,
        )  # fmt: skip
        if agent_irf is None or contact.agent is None:
            continue
        measures = _irf_measures(agent_irf) if closed else _ZERO_MEASURES
        agent = contact.agent
        yield (
            agent_irf, TENANT, interaction, sdt, contact.kind, contact.media, agent,
            agent, -2, _TD_ANSWERED, 1, -2, -2, queue, queue, segment, sdt, sdt,
            _READY, _guid(agent_irf), str(agent + 6000), left_sdt,
            _key(finish) if closed else OPEN_END_KEY, left,
            finish if closed else None, 1, 1, 0, met, *measures, *_ZERO_UNUSED,
            0 if closed else 1, 0, key, key,
        )  # fmt: skip


def _segment_rows(
    planned: list[_Planned], rng: random.Random, key: int
) -> Iterator[Row]:
    """MEDIATION_SEGMENT_FACT: the wait in the queue, always complete."""
    for contact, interaction, segment, queued, agent_irf, _, _, _ in planned:
        begin, left = contact.begin, contact.begin + contact.wait
        left_sdt = _key(left)
        session = f"{rng.getrandbits(96):024x}" if rng.random() < 0.5 else None
        taken = agent_irf is not None
        yield (
            segment, TENANT, interaction, contact.kind, contact.media, contact.queue,
            -2, _TD_DIVERTED if taken else _TD_ABANDONED, queued, agent_irf,
            left_sdt if taken else None, _guid(interaction), session, _key(begin),
            left_sdt, begin, left, contact.wait, 1 if taken else 0, 0, 0, key, key,
        )  # fmt: skip


def _call_rows(planned: list[_Planned], key: int) -> Iterator[Row]:
    """GIDB_G_CALL: a voice interaction as Interaction Database holds it."""
    for contact, interaction, _, _, _, call, finish, closed in planned:
        if call is None:
            continue
        guid = _guid(interaction)
        ended = _moment(finish * 1000 + call % 997) if closed else None
        yield (
            call, guid, guid[8:], contact.kind + 1, 2 if closed else 1,
            _moment(contact.begin * 1000 + call % 991), ended, contact.begin,
            finish if closed else None, 1, key, key,
        )  # fmt: skip


def _agent_hours(planned: list[_Planned], key: int) -> list[Row]:
    """AG2_AGENT_HOUR: the batch's finished agent parts summed by hour."""
    hours: dict[tuple[int, int, int, int], list[int]] = {}
    for contact, _, _, _, agent_irf, _, _, closed in planned:
        if agent_irf is None or contact.agent is None or not closed:
            continue
        left = contact.begin + contact.wait
        group = (left - left % 3600, TENANT, contact.agent, contact.media)
        measures = _irf_measures(agent_irf)
        sums = hours.setdefault(group, [0, 0, 0, 0])
        sums[0] += 1
        sums[1] += measures[3]
        sums[2] += measures[5]
        sums[3] += measures[7]
    return [(*group, *sums, key, key) for group, sums in hours.items()]


def _addresses(
    rng: random.Random, contact: _Contact, interaction: int
) -> tuple[str | None, str | None, int | None]:
    """Source address, subject and media-server id of an interaction."""
    chance = rng.random()
    if contact.media == _VOICE:
        return f"+49 30 {int(chance * 10**7):07d}", None, None
    # Multimedia ids do not fit a bigint: numeric(20) above 2**63.
    server_id = 10**19 + interaction % 10**12
    if contact.media == _EMAIL:
        subject = _SUBJECTS[int(chance * len(_SUBJECTS))]
        return f"kunde{interaction % 99991}@example.org", subject, server_id
    return (None, "", "web-visitor")[int(chance * 3)], "", server_id


# The user data of an agent's part; of the three tables only CUST_1 is ever
# updated (when the part ends).


def _general_rows(
    planned: list[_Planned], rng: random.Random, key: int
) -> Iterator[Row]:
    draw = rng.random
    for contact, _, _, _, irf, _, _, _ in planned:
        outbound = contact.kind == _OUTBOUND
        chance = draw()
        case = f"CASE-{int(chance * 10**7):07d}" if chance < 0.6 else None
        chance = draw()
        revenue = None
        if chance >= 0.5:
            revenue = Decimal(0 if chance < 0.6 else int(draw() * 10**6)) / 100
        chance = draw()
        satisfaction = None if chance < 0.4 else (10 + int(draw() * 41)) / 10
        attempt = None
        if outbound:
            attempt = str(uuid.UUID(int=rng.getrandbits(128), version=4))
        yield (
            irf, _key(contact.begin + contact.wait), TENANT, key, 0, case,
            f"C{int(draw() * 10**8):08d}", attempt, "Regular" if outbound else None,
            None, revenue, satisfaction,
        )  # fmt: skip


def _keys_rows(
    planned: list[_Planned], rng: random.Random, world: _World, key: int
) -> Iterator[Row]:
    draw = rng.random
    descriptors, dims = world.descriptors, (*world.cust_dims, -1, -2)
    for contact, _, _, _, irf, _, _, _ in planned:
        dim = dims[int(draw() * len(dims))]
        descriptor = descriptors[int(draw() * len(descriptors))]
        sdt = _key(contact.begin + contact.wait)
        yield (irf, sdt, TENANT, key, 0, descriptor, -2, -2, dim, None)


def _custom_rows(
    planned: list[_Planned], rng: random.Random, key: int
) -> Iterator[Row]:
    draw = rng.random
    for contact, _, _, _, irf, _, _, closed in planned:
        if irf is None:
            continue
        chance = draw()
        note = None if chance < 1 / 3 else "" if chance < 2 / 3 else _pick(draw, _NOTES)
        disposition = _DISPOSITIONS[irf % len(_DISPOSITIONS)] if closed else None
        yield (
            irf, _key(contact.begin + contact.wait), TENANT, key, 0,
            _pick(draw, _CUSTOMERS), disposition, note, _pick(draw, _LANGUAGES),
        )  # fmt: skip


def _pick(draw: Callable[[], float], choices: Sequence[str]) -> str:
    return choices[int(draw() * len(choices))]


def _load_agent_states(
    conn: Connection,
    world: _World,
    rng: random.Random,
    key: int,
    piece: _Slice,
    stats: _Stats,
) -> None:
    """Log agents in as their shifts start, and load their states of the slice."""
    logins = [
        (login, agent)
        for day in range(piece.start - piece.start % DAY, piece.end, DAY)
        for login, agent in world.logins(day)
        if piece.start <= login < piece.end
    ]
    first = _reserve(conn, "seq_sm_res_session_fact", len(logins))
    new = [(first + n, agent, login) for n, (login, agent) in enumerate(logins)]

    # Sessions that overlap the slice: those begun before it, and the new ones.
    earlier = conn.execute(
        """
        SELECT sm_res_session_fact_key, resource_key, start_ts
        FROM sm_res_session_fact
        WHERE start_ts < %s AND start_ts > %s
        ORDER BY sm_res_session_fact_key
        """,
        (piece.start, piece.start - 9 * 3600),
    ).fetchall()
    sessions = [(int(s), int(a), int(t)) for s, a, t in earlier] + new

    states = []
    for session, agent, login in sessions:
        low = max(login, piece.start)
        high = min(login + _session_length(session), piece.end)
        while low < high:
            state = rng.choices((_READY, _NOT_READY, _BUSY, _ACW), (45, 20, 20, 15))[0]
            until = min(high, low + rng.randrange(300, 2400))
            states.append(
                (session, TENANT, _VOICE, agent, state, -2, _key(low), _key(until))
                + (low, until, until - low, 0, 0, key, key)
            )
            low = until
    first = _reserve(conn, "seq_sm_res_state_fact", len(states))

    session_rows = [
        (session, TENANT, _VOICE, agent, -2, -2, _key(login), OPEN_END_KEY, login)
        + (None, None, 1, 0, key, key)
        for session, agent, login in new
    ]
    _copy(conn, "sm_res_session_fact", _SESSION_COLUMNS, session_rows, stats)
    state_rows = [(first + n, *row) for n, row in enumerate(states)]
    _copy(conn, "sm_res_state_fact", _STATE_COLUMNS, state_rows, stats)


# ----------------------------------------------------------------------------
# Changes to dimensions and configuration


def _change_dimensions(
    conn: Connection,
    world: _World,
    rng: random.Random,
    key: int,
    piece: _Slice,
    stats: _Stats,
) -> None:
    """Now and then: a new agent, a renamed one, a move between groups, ...

    Each row is updated at most once in its life, never by the batch that
    inserted it, so that every batch's ROW_COUNT can be checked from the rows.
    """
    at = piece.start + rng.randrange(max(1, piece.end - piece.start))
    if piece.end + 2 * DAY > world.calendar_end:
        calendar = _calendar_rows(
            world.calendar_end, world.calendar_end + 30 * DAY, key
        )
        calendar = [row for row in calendar if row[0] != OPEN_END_KEY]
        _copy(conn, "date_time", _DATE_TIME_COLUMNS, calendar, stats)
        world.calendar_end += 30 * DAY

    changes = (
        (0.04, _hire_agent),
        (0.06, _rename_agent),
        (0.06, _move_agent),
        (0.04, _add_descriptor),
        (0.04, _add_cust_dim),
        (0.05, _add_annex),
        (0.05, _change_annex),
        (0.03, _change_group),
    )
    for chance, change in changes:
        if rng.random() < chance:
            change(conn, world, rng, key, at, stats)


def _max_plus_one(conn: Connection, table: str, column: str) -> int:
    query = sql.SQL("SELECT coalesce(max({}), 0) + 1 FROM {}").format(
        sql.Identifier(column), sql.Identifier(table)
    )
    row = conn.execute(query).fetchone()
    return int(row[0]) if row else 1


def _hire_agent(
    conn: Connection,
    world: _World,
    rng: random.Random,
    key: int,
    at: int,
    stats: _Stats,
) -> None:
    number = max(1001, _max_plus_one(conn, "resource_", "resource_key"))
    _copy(conn, "resource_", _RESOURCE_COLUMNS, [_agent_row(number, at, key)], stats)
    member = _reserve(conn, "seq_resource_group_fact", 1)
    row = _membership_row(member, number, _agent_group(rng), at, key)
    _copy(conn, "resource_group_fact_", _RGF_COLUMNS, [row], stats)
    world.agents.append(number)


def _rename_agent(
    conn: Connection,
    world: _World,
    rng: random.Random,
    key: int,
    at: int,
    stats: _Stats,
) -> None:
    name = rng.choice(_NEW_LAST_NAMES)
    cursor = conn.execute(
        """
        UPDATE resource_ r
        SET agent_last_name = %(name)s::varchar,
            agent_name = trim(
                coalesce(r.agent_first_name, '') || ' ' || %(name)s::varchar),
            update_audit_key = %(key)s
        WHERE r.resource_key = (
            SELECT resource_key FROM resource_
            WHERE resource_type_code = 'AGENT'
              AND update_audit_key = create_audit_key AND create_audit_key < %(key)s
            ORDER BY resource_key LIMIT 1 OFFSET %(skip)s
            FOR UPDATE SKIP LOCKED)
        """,
        {"name": name, "key": key, "skip": rng.randrange(5)},
    )
    stats.add(cursor.rowcount, None, None, None)


def _move_agent(
    conn: Connection,
    world: _World,
    rng: random.Random,
    key: int,
    at: int,
    stats: _Stats,
) -> None:
    """End one group membership and start the agent in another group."""
    row = conn.execute(
        f"""
        WITH old AS (
            SELECT resource_group_fact_key AS id, start_date_time_key AS sdt
            FROM resource_group_fact_
            WHERE active_flag = 1 AND start_ts < %(at)s
              AND update_audit_key = create_audit_key AND create_audit_key < %(key)s
            ORDER BY resource_group_fact_key LIMIT 1 OFFSET %(skip)s
            FOR UPDATE SKIP LOCKED
        )
        UPDATE resource_group_fact_ g
        SET end_ts = %(at)s, end_date_time_key = %(at)s - mod(%(at)s, {INTERVAL}),
            active_flag = 0, update_audit_key = %(key)s
        FROM old
        WHERE g.resource_group_fact_key = old.id AND g.start_date_time_key = old.sdt
        RETURNING g.resource_key, g.group_key, g.start_date_time_key
        """,
        {"at": at, "key": key, "skip": rng.randrange(5)},
    ).fetchone()
    if row is None:
        return
    stats.add(1, row[2], row[2], at)

    agent, group = int(row[0]), int(row[1])
    others = [number for number, _, kind, _, _ in _GROUPS if kind == 1]
    group = rng.choice([number for number in others if number != group])
    member = _reserve(conn, "seq_resource_group_fact", 1)
    new = _membership_row(member, agent, group, at, key)
    _copy(conn, "resource_group_fact_", _RGF_COLUMNS, [new], stats)


def _add_descriptor(
    conn: Connection,
    world: _World,
    rng: random.Random,
    key: int,
    at: int,
    stats: _Stats,
) -> None:
    table, column = "interaction_descriptor", "interaction_descriptor_key"
    number = _max_plus_one(conn, table, column)
    row = (*_descriptor_row(number), key)
    _copy(conn, table, (*_DESCRIPTOR_COLUMNS, "create_audit_key"), [row], stats)
    world.descriptors.append(number)


def _add_cust_dim(
    conn: Connection,
    world: _World,
    rng: random.Random,
    key: int,
    at: int,
    stats: _Stats,
) -> None:
    number = _max_plus_one(conn, "user_data_cust_dim_1", "id")
    row = (*_cust_dim_row(number), key)
    columns = (*_CUST_DIM_COLUMNS, "create_audit_key")
    _copy(conn, "user_data_cust_dim_1", columns, [row], stats)
    world.cust_dims.append(number)


def _add_annex(
    conn: Connection,
    world: _World,
    rng: random.Random,
    key: int,
    at: int,
    stats: _Stats,
) -> None:
    number = _max_plus_one(conn, "gidb_gc_annex", "id")
    person = 1000 + rng.randrange(max(1, len(world.agents)))
    row = _annex_row(rng, number, person, at - at % DAY, key)
    _copy(conn, "gidb_gc_annex", _ANNEX_COLUMNS, [row], stats)


def _change_config(
    conn: Connection, table: str, change: str, params: dict[str, Any]
) -> int:
    """Apply ``change`` to one row of a GIDB table that was never updated."""
    query = sql.SQL(
        """
        UPDATE {table} SET {change},
            lastchange = %(moment)s, lastchange_ts = %(at)s,
            update_audit_key = %(key)s
        WHERE id = (
            SELECT id FROM {table}
            WHERE update_audit_key = create_audit_key AND create_audit_key < %(key)s
            ORDER BY id LIMIT 1 OFFSET %(skip)s
            FOR UPDATE SKIP LOCKED)
        """
    ).format(table=sql.Identifier(table), change=sql.SQL(change))
    return conn.execute(query, params).rowcount


def _change_annex(
    conn: Connection,
    world: _World,
    rng: random.Random,
    key: int,
    at: int,
    stats: _Stats,
) -> None:
    moment = _moment(at * 1000 + rng.randrange(1000))
    params = {"moment": moment, "at": at, "key": key, "skip": rng.randrange(4)}
    params["value"] = rng.choice(('changed, "again"', "", "новое значение"))
    changed = _change_config(conn, "gidb_gc_annex", "value = %(value)s", params)
    stats.add(changed, None, None, None)


def _change_group(
    conn: Connection,
    world: _World,
    rng: random.Random,
    key: int,
    at: int,
    stats: _Stats,
) -> None:
    moment = _moment(at * 1000 + rng.randrange(1000))
    params = {"moment": moment, "at": at, "key": key, "skip": rng.randrange(3)}
    params["script"] = rng.choice(("", "target=skill; priority=2", None))
    changed = _change_config(conn, "gidb_gc_group", "script = %(script)s", params)
    stats.add(changed, None, None, None)
