"""search: narrow PostgreSQL index table (search_index); tsvector leaves search_documents

Revision ID: search_0001
Revises: 83ae9f891df2
Create Date: 2026-12-01 08:55:00

The index's tokens changed too (patent numbers, owners' organisation names, title and CJK trigram
lexemes on PostgreSQL): run `flask catalogue reindex` after upgrading a database that has records.
"""

from alembic import op
import sqlalchemy as sa
from sqlalchemy.dialects import postgresql

# revision identifiers, used by Alembic.
revision = "search_0001"
down_revision = "core_0004"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "search_index",
        sa.Column("fts_rowid", sa.BigInteger(), autoincrement=False, nullable=False),
        sa.Column("sort_key", sa.Integer(), nullable=True),
        sa.Column("tsv", sa.Text().with_variant(postgresql.TSVECTOR(), "postgresql"), nullable=False),
        sa.PrimaryKeyConstraint("fts_rowid", name=op.f("pk_search_index")),
    )
    with op.batch_alter_table("search_index", schema=None) as batch_op:
        batch_op.create_index("ix_search_index_newest", ["sort_key", "fts_rowid"], unique=False)
        # GIN on PostgreSQL; on SQLite an always-empty partial index (search_fts does the work there).
        batch_op.create_index(
            "ix_search_index_tsv",
            ["tsv"],
            unique=False,
            postgresql_using="gin",
            sqlite_where=sa.text("tsv IS NOT NULL"),
        )
    with op.batch_alter_table("search_documents", schema=None) as batch_op:
        batch_op.drop_index("ix_search_documents_tsv")
        batch_op.drop_column("tsv")


def downgrade():
    with op.batch_alter_table("search_documents", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("tsv", sa.Text().with_variant(postgresql.TSVECTOR(), "postgresql"), nullable=True)
        )
        batch_op.create_index(
            "ix_search_documents_tsv",
            ["tsv"],
            unique=False,
            postgresql_using="gin",
            sqlite_where=sa.text("tsv IS NOT NULL"),
        )
    with op.batch_alter_table("search_index", schema=None) as batch_op:
        batch_op.drop_index("ix_search_index_tsv")
        batch_op.drop_index("ix_search_index_newest")
    op.drop_table("search_index")
    # Documents written since have no tsvector: `flask catalogue reindex` after downgrading.
