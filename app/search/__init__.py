"""Search across the rounds and comments a reader may see (SQLite FTS5, PostgreSQL FTS)."""
