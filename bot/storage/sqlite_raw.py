"""The statements of every turn, on SQLite, as plain ``sqlite3`` calls.

Why: on SQLite a turn's SQL itself takes a few microseconds, while
SQLAlchemy's ``Connection.execute`` around it (cache key, compiled-statement
lookup, parameter processing, result wrapping) cost several times that per
statement (bench/bench_updates.py --profile). The few statements every
update runs therefore go straight to the driver connection SQLAlchemy holds,
inside the transaction ``Database.run`` opened: same connection, same
transaction, so commit and rollback cover them exactly as before. ``sqlite3``
keeps each SQL string prepared in its per-connection statement cache.

Values are converted exactly as SQLAlchemy converts them for these columns,
so a row written by either path reads the same through the other:
``DateTime`` is text ``YYYY-MM-DD HH:MM:SS.ffffff`` (tzinfo dropped, not
converted: everything stored is UTC), read back naive with
``datetime.fromisoformat``; ``JSON`` is the text of ``bot.json_codec``, the
serializer the engine is given too; ``Boolean`` is 0/1. tests/test_storage_sqlite_raw.py holds this
against SQLAlchemy's own type processors.

Errors are raised as SQLAlchemy's (``sqlalchemy.exc.IntegrityError`` ...),
without parameters, as the engine does with ``hide_parameters``.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterable, Sequence
from datetime import date, datetime
from typing import Any, cast

import sqlalchemy as sa
from sqlalchemy.dialects import sqlite
from sqlalchemy.engine import Connection
from sqlalchemy.sql.compiler import SQLCompiler

from bot import json_codec


def is_sqlite(conn: Connection) -> bool:
    """Whether ``conn`` may take the raw path (PostgreSQL keeps SQLAlchemy's)."""
    return conn.dialect.name == "sqlite"


def datetime_text(value: datetime) -> str:
    """A datetime as SQLAlchemy's SQLite ``DATETIME`` stores it (its ``_storage_format``)."""
    return (f"{value.year:04d}-{value.month:02d}-{value.day:02d} "
            f"{value.hour:02d}:{value.minute:02d}:{value.second:02d}.{value.microsecond:06d}")


def text_datetime(value: str | None) -> datetime | None:
    """The stored text back as SQLAlchemy's SQLite ``DATETIME`` reads it (naive)."""
    return None if value is None else datetime.fromisoformat(value)


def text_date(value: str | None) -> date | None:
    """A stored ``Date`` back as SQLAlchemy's SQLite ``DATE`` reads it."""
    return None if value is None else date.fromisoformat(value)


def json_text(value: Any) -> str:
    """JSON as SQLAlchemy's ``JSON`` type stores it on SQLite with the engine's serializer."""
    return json_codec.dumps(value)


def text_json(value: str | None) -> Any:
    return None if value is None else json_codec.loads(value)


def _driver(conn: Connection) -> sqlite3.Connection:
    """The ``sqlite3`` connection under ``conn``: same transaction, nothing to begin."""
    return cast(sqlite3.Connection, conn.connection.driver_connection)


def _wrapped(conn: Connection, sql: str, exc: sqlite3.Error) -> sa.exc.StatementError:
    """The error SQLAlchemy would have raised for the same failure, parameters hidden."""
    return sa.exc.DBAPIError.instance(sql, None, exc, sqlite3.Error, hide_parameters=True,
                                      dialect=conn.dialect)


def fetch_all(conn: Connection, sql: str, params: Sequence[Any]) -> list[Any]:
    """Rows of a query; fetching them all resets the statement at once (no read
    snapshot is left open on the long-lived connection)."""
    try:
        return _driver(conn).execute(sql, params).fetchall()
    except sqlite3.Error as exc:
        raise _wrapped(conn, sql, exc) from exc


def execute(conn: Connection, sql: str, params: Sequence[Any]) -> int:
    """Run one write; returns the number of rows it changed."""
    try:
        return _driver(conn).execute(sql, params).rowcount
    except sqlite3.Error as exc:
        raise _wrapped(conn, sql, exc) from exc


def execute_many(conn: Connection, sql: str, rows: Iterable[Sequence[Any]]) -> None:
    try:
        _driver(conn).executemany(sql, rows)
    except sqlite3.Error as exc:
        raise _wrapped(conn, sql, exc) from exc


def compiled(statement: sa.ClauseElement, params: Sequence[str], *, column_keys: list[str] | None = None) -> str:
    """SQLAlchemy's own SQL for ``statement`` on SQLite, compiled once at import,
    so the raw path runs the very statement the other path runs. ``params``
    names the positional parameters in order; a mismatch stops the import
    rather than binding a value to the wrong column."""
    sql, order = compiled_with_order(statement, column_keys=column_keys)
    if order != tuple(params):
        raise RuntimeError(f"raw SQLite statement takes {order}, not {tuple(params)}: {sql}")
    return sql


def compiled_with_order(statement: sa.ClauseElement, *,
                        column_keys: list[str] | None = None) -> tuple[str, tuple[str, ...]]:
    """SQLAlchemy's own SQL for ``statement`` on SQLite and the names of its
    positional parameters in order (statements built at run time bind by them)."""
    result = cast(SQLCompiler, statement.compile(dialect=_DIALECT, column_keys=column_keys))
    return str(result), tuple(result.positiontup or ())


_DIALECT = sqlite.dialect()
