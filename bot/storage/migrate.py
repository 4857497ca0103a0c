"""Schema migrations (Alembic), run on trustbot's own connection.

SQLite is upgraded automatically at start (zero set-up); PostgreSQL is
upgraded by ``trustbot db upgrade`` so that several instances never race to
migrate, and a bot that finds an old schema says so instead of failing later.
"""

from __future__ import annotations

from pathlib import Path

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy.engine import Connection

from bot.storage.database import Database, DatabaseError

MIGRATIONS = Path(__file__).resolve().parent / "migrations"


def _config(conn: Connection | None = None) -> Config:
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    if conn is not None:
        config.attributes["connection"] = conn
    return config


def head() -> str | None:
    return ScriptDirectory.from_config(_config()).get_current_head()


def current(conn: Connection) -> str | None:
    return MigrationContext.configure(conn).get_current_revision()


async def upgrade(db: Database, revision: str = "head") -> None:
    await db.run(lambda conn: command.upgrade(_config(conn), revision))


async def prepare(db: Database) -> None:
    """At start: migrate SQLite; on PostgreSQL insist the schema is current."""
    if db.is_sqlite:
        await upgrade(db)
        return
    found = await db.run(current)
    if found != head():
        raise DatabaseError(
            f"database.url: the schema is at {found or 'nothing'}, this release needs {head()}: "
            "run `trustbot db upgrade` first"
        )
