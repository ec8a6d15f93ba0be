"""Search across the clauses of every root template version and every school's published version
(govkit.documents.clause_index keeps their text): PostgreSQL full-text search, SQLite FTS5."""
