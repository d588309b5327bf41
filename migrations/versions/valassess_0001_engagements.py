"""valuation engagements and sign-off

Revision ID: valassess_0001
Revises: matching_0001
Create Date: 2026-12-01 12:00:00

"""

import sqlalchemy as sa
from alembic import op

revision = "valassess_0001"
down_revision = "auctionspeed_0001"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "valuation_engagements",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("patent_id", sa.Integer(), nullable=False),
        sa.Column("listing_type", sa.String(length=20), nullable=False),
        sa.Column("status", sa.String(length=20), nullable=False),
        sa.Column("purpose", sa.String(length=30), nullable=False),
        sa.Column("basis_of_value", sa.String(length=30), nullable=False),
        sa.Column("valuation_date", sa.Date(), nullable=False),
        sa.Column("right_valued", sa.String(length=300), nullable=False),
        sa.Column("general_assumptions", sa.Text(), nullable=False),
        sa.Column("special_assumptions", sa.Text(), nullable=False),
        sa.Column("special_matters", sa.Text(), nullable=False),
        sa.Column("created_by_id", sa.Integer(), nullable=False),
        sa.Column("supersedes_id", sa.Integer(), nullable=True),
        sa.Column("signed_by_id", sa.Integer(), nullable=True),
        sa.Column("signer_name", sa.String(length=200), nullable=True),
        sa.Column("signer_qualification", sa.String(length=200), nullable=True),
        sa.Column("signed_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("figures", sa.JSON(), nullable=True),
        sa.Column("figures_hash", sa.String(length=64), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint(
            "basis_of_value IN ('market_value', 'investment_value', 'liquidation_value')",
            name=op.f("ck_valuation_engagements_basis_known"),
        ),
        sa.CheckConstraint(
            "purpose IN ('transfer', 'licence', 'pledge', 'capital_contribution', 'litigation', "
            "'financial_reporting')",
            name=op.f("ck_valuation_engagements_purpose_known"),
        ),
        sa.CheckConstraint(
            "status IN ('draft', 'signed')", name=op.f("ck_valuation_engagements_status_known")
        ),
        sa.ForeignKeyConstraint(
            ["created_by_id"], ["users.id"], name=op.f("fk_valuation_engagements_created_by_id_users")
        ),
        sa.ForeignKeyConstraint(
            ["patent_id"],
            ["patents.id"],
            name=op.f("fk_valuation_engagements_patent_id_patents"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["signed_by_id"], ["users.id"], name=op.f("fk_valuation_engagements_signed_by_id_users")
        ),
        sa.ForeignKeyConstraint(
            ["supersedes_id"],
            ["valuation_engagements.id"],
            name=op.f("fk_valuation_engagements_supersedes_id_valuation_engagements"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_valuation_engagements")),
    )
    op.create_index(
        "ix_valuation_engagements_patent_listing",
        "valuation_engagements",
        ["patent_id", "listing_type", "id"],
        unique=False,
    )


def downgrade():
    op.drop_index("ix_valuation_engagements_patent_listing", table_name="valuation_engagements")
    op.drop_table("valuation_engagements")
