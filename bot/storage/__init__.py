"""Storage adapter: SQLAlchemy 2 tables and the unit-of-work runner."""
