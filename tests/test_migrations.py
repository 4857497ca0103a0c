"""The Alembic migrations build exactly the schema the code uses, on both databases."""

from __future__ import annotations

import pytest
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext

from bot.storage import migrate
from bot.storage.database import Database, DatabaseError
from bot.storage.tables import metadata


async def test_migrations_match_the_tables_in_code(db: Database) -> None:
    """Fails when a table or column changes without a migration."""
    diff = await db.run(lambda conn: compare_metadata(MigrationContext.configure(conn), metadata))
    assert diff == []
    assert await db.run(migrate.current) == migrate.head()


async def test_sqlite_is_migrated_at_start_and_postgresql_must_be_upgraded_first(database_url: str) -> None:
    db = Database(database_url)
    try:
        if db.is_sqlite:
            await migrate.prepare(db)
            assert await db.run(migrate.current) == migrate.head()
        else:
            with pytest.raises(DatabaseError, match="trustbot db upgrade"):  # an empty schema is refused
                await migrate.prepare(db)
            await migrate.upgrade(db)
            await migrate.prepare(db)
    finally:
        await db.dispose()
