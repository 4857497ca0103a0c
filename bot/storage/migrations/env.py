"""Alembic environment: migrations run on the connection trustbot hands over.

trustbot never lets Alembic open its own engine: ``bot.storage.migrate``
passes a live connection (inline SQLite or asyncpg via run_sync), so there is
one way to reach the database.
"""

from __future__ import annotations

from alembic import context

from bot.storage.tables import metadata

connection = context.config.attributes.get("connection")
if connection is None:
    raise RuntimeError("run migrations through `trustbot db upgrade`, not the alembic command")

context.configure(
    connection=connection,
    target_metadata=metadata,
    render_as_batch=connection.dialect.name == "sqlite",
    compare_type=True,
)
with context.begin_transaction():
    context.run_migrations()
