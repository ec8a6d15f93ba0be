"""clause search: the text of every clause of every version, with a full-text index

Revision ID: 0021
Revises: 0020

- indexed_clause: one clause of a root template version (``root_template_version_id``) or of a
  school's published document version (``document_version_id``, its ``organisation_id``): the
  version's ``kind``, ``language`` and ``version_number``, the clause's ``position`` in the
  document, ``clause_key``, ``title`` (the catalogue's, in the document's language) and ``body``
  (its paragraphs joined by newlines). Exactly one of the two versions is set. Rows are written in
  the transaction of the upload or publication that creates the version (govkit.documents.clause_index);
  the .docx in ``blob`` stays the reference.
- The full-text index, the database's own (no model declares it; alembic/env.py leaves it alone):
  on PostgreSQL the generated column ``search_vector`` — title (weight A) and body (weight B) with
  the French text search configuration (stemming) for French rows, the English one otherwise —
  and its GIN index ``ix_indexed_clause_search_vector``; on SQLite the external-content FTS5 table
  ``indexed_clause_fts`` (title, body; tokenizer ``unicode61 remove_diacritics 2``: accents folded)
  with triggers that follow every insert, delete and update of ``indexed_clause``.

Up: the table starts empty; the data already stored is indexed by `govkit search reindex`.
Down: the index and the table are dropped (derived data only: nothing is lost that `govkit search
reindex` cannot rebuild after upgrading again).
"""

from __future__ import annotations

import sqlalchemy as sa
import sqlmodel

from alembic import op

revision = "0021"
down_revision = "0020"
branch_labels = None
depends_on = None

FTS = "indexed_clause_fts"
_VECTOR = (
    "CASE WHEN language = 'fr' THEN "
    "setweight(to_tsvector('french'::regconfig, title), 'A') || setweight(to_tsvector('french'::regconfig, body), 'B') "
    "ELSE "
    "setweight(to_tsvector('english'::regconfig, title), 'A') || setweight(to_tsvector('english'::regconfig, body), 'B') "
    "END"
)


def _full_text_index() -> None:
    if op.get_bind().dialect.name == "sqlite":
        op.execute(
            f"CREATE VIRTUAL TABLE {FTS} USING fts5(title, body, content='indexed_clause', content_rowid='id', "
            "tokenize='unicode61 remove_diacritics 2')"
        )
        op.execute(
            f"CREATE TRIGGER {FTS}_insert AFTER INSERT ON indexed_clause BEGIN "
            f"INSERT INTO {FTS}(rowid, title, body) VALUES (new.id, new.title, new.body); END"
        )
        op.execute(
            f"CREATE TRIGGER {FTS}_delete AFTER DELETE ON indexed_clause BEGIN "
            f"INSERT INTO {FTS}({FTS}, rowid, title, body) VALUES ('delete', old.id, old.title, old.body); END"
        )
        op.execute(
            f"CREATE TRIGGER {FTS}_update AFTER UPDATE ON indexed_clause BEGIN "
            f"INSERT INTO {FTS}({FTS}, rowid, title, body) VALUES ('delete', old.id, old.title, old.body); "
            f"INSERT INTO {FTS}(rowid, title, body) VALUES (new.id, new.title, new.body); END"
        )
        return
    op.execute(f"ALTER TABLE indexed_clause ADD COLUMN search_vector tsvector GENERATED ALWAYS AS ({_VECTOR}) STORED")
    op.execute("CREATE INDEX ix_indexed_clause_search_vector ON indexed_clause USING gin (search_vector)")


def _drop_full_text_index() -> None:
    if op.get_bind().dialect.name == "sqlite":
        for trigger in ("insert", "delete", "update"):
            op.execute(f"DROP TRIGGER IF EXISTS {FTS}_{trigger}")
        op.execute(f"DROP TABLE IF EXISTS {FTS}")
    else:
        op.execute("DROP INDEX IF EXISTS ix_indexed_clause_search_vector")


def upgrade() -> None:
    op.create_table(
        "indexed_clause",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("root_template_version_id", sa.Integer(), nullable=True),
        sa.Column("document_version_id", sa.Integer(), nullable=True),
        sa.Column("organisation_id", sa.Integer(), nullable=True),
        sa.Column("kind", sqlmodel.sql.sqltypes.AutoString(length=60), nullable=False),
        sa.Column("language", sqlmodel.sql.sqltypes.AutoString(length=2), nullable=False),
        sa.Column("version_number", sa.Integer(), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("clause_key", sqlmodel.sql.sqltypes.AutoString(length=120), nullable=False),
        sa.Column("title", sqlmodel.sql.sqltypes.AutoString(length=300), nullable=False),
        sa.Column("body", sa.Text(), nullable=False),
        sa.CheckConstraint(
            "(root_template_version_id IS NULL) <> (document_version_id IS NULL)",
            name=op.f("ck_indexed_clause_one_version"),
        ),
        sa.ForeignKeyConstraint(
            ["document_version_id"],
            ["document_version.id"],
            name=op.f("fk_indexed_clause_document_version_id_document_version"),
        ),
        sa.ForeignKeyConstraint(
            ["organisation_id"], ["organisation.id"], name=op.f("fk_indexed_clause_organisation_id_organisation")
        ),
        sa.ForeignKeyConstraint(
            ["root_template_version_id"],
            ["root_template_version.id"],
            name=op.f("fk_indexed_clause_root_template_version_id_root_template_version"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_indexed_clause")),
        sa.UniqueConstraint(
            "document_version_id", "position", name=op.f("uq_indexed_clause_document_version_id_position")
        ),
        sa.UniqueConstraint(
            "root_template_version_id", "position", name=op.f("uq_indexed_clause_root_template_version_id_position")
        ),
    )
    with op.batch_alter_table("indexed_clause", schema=None) as batch_op:
        batch_op.create_index("ix_indexed_clause_filters", ["kind", "language"], unique=False)
    _full_text_index()


def downgrade() -> None:
    _drop_full_text_index()
    with op.batch_alter_table("indexed_clause", schema=None) as batch_op:
        batch_op.drop_index("ix_indexed_clause_filters")
    op.drop_table("indexed_clause")
