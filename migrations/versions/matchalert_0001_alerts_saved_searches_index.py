"""matching alerts, saved searches and the matching index documents

Revision ID: matchalert_0001
Revises: matching_0001
Create Date: 2026-12-01 11:50:00

"""

import sqlalchemy as sa
from alembic import op

revision = "matchalert_0001"
down_revision = "valassess_0001"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("needs", schema=None) as batch_op:
        batch_op.add_column(sa.Column("alert_min_score", sa.Integer(), server_default="50", nullable=False))
        batch_op.add_column(
            sa.Column("alert_frequency", sa.String(length=10), server_default="immediate", nullable=False)
        )

    op.create_table(
        "need_alerts",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("need_id", sa.Integer(), nullable=False),
        sa.Column("listing_id", sa.Integer(), nullable=False),
        sa.Column("buyer_id", sa.Integer(), nullable=False),
        sa.Column("score", sa.Integer(), nullable=False),
        sa.Column("reasons", sa.JSON(), nullable=False),
        sa.Column("frequency", sa.String(length=10), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("sent_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("digest_week", sa.String(length=8), nullable=True),
        sa.ForeignKeyConstraint(
            ["buyer_id"], ["users.id"], name=op.f("fk_need_alerts_buyer_id_users"), ondelete="CASCADE"
        ),
        sa.ForeignKeyConstraint(
            ["listing_id"],
            ["listings.id"],
            name=op.f("fk_need_alerts_listing_id_listings"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["need_id"], ["needs.id"], name=op.f("fk_need_alerts_need_id_needs"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_need_alerts")),
        sa.UniqueConstraint("need_id", "listing_id", name=op.f("uq_need_alerts_need_id_listing_id")),
    )
    with op.batch_alter_table("need_alerts", schema=None) as batch_op:
        batch_op.create_index("ix_need_alerts_pending_digest", ["buyer_id", "sent_at"], unique=False)
        batch_op.create_index(batch_op.f("ix_need_alerts_listing_id"), ["listing_id"], unique=False)

    op.create_table(
        "saved_searches",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=100), nullable=False),
        sa.Column("args", sa.JSON(), nullable=False),
        sa.Column("notify", sa.Boolean(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("checked_at", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["user_id"], ["users.id"], name=op.f("fk_saved_searches_user_id_users"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_saved_searches")),
        sa.UniqueConstraint("user_id", "name", name=op.f("uq_saved_searches_user_id_name")),
    )
    with op.batch_alter_table("saved_searches", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_saved_searches_user_id"), ["user_id"], unique=False)

    op.create_table(
        "saved_search_hits",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("saved_search_id", sa.Integer(), nullable=False),
        sa.Column("doc_type", sa.String(length=20), nullable=False),
        sa.Column("record_id", sa.Integer(), nullable=False),
        sa.Column("baseline", sa.Boolean(), nullable=False),
        sa.Column("found_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["saved_search_id"],
            ["saved_searches.id"],
            name=op.f("fk_saved_search_hits_saved_search_id_saved_searches"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_saved_search_hits")),
        sa.UniqueConstraint(
            "saved_search_id",
            "doc_type",
            "record_id",
            name=op.f("uq_saved_search_hits_saved_search_id_doc_type_record_id"),
        ),
    )

    op.create_table(
        "matching_documents",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=10), nullable=False),
        sa.Column("record_id", sa.Integer(), nullable=False),
        sa.Column("active", sa.Boolean(), nullable=False),
        sa.Column("terms", sa.JSON(), nullable=False),
        sa.Column("length", sa.Integer(), nullable=False),
        sa.Column("codes", sa.JSON(), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_matching_documents")),
        sa.UniqueConstraint("kind", "record_id", name=op.f("uq_matching_documents_kind_record_id")),
    )
    with op.batch_alter_table("matching_documents", schema=None) as batch_op:
        batch_op.create_index("ix_matching_documents_changed", ["kind", "updated_at"], unique=False)


def downgrade():
    op.drop_table("matching_documents")
    op.drop_table("saved_search_hits")
    op.drop_table("saved_searches")
    op.drop_table("need_alerts")
    with op.batch_alter_table("needs", schema=None) as batch_op:
        batch_op.drop_column("alert_frequency")
        batch_op.drop_column("alert_min_score")
