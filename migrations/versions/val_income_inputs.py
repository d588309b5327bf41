"""valuation: patent-specific income inputs, parameter-set edit events with their diff

Revision ID: val_0001
Revises: search_0001
Create Date: 2026-12-01 08:55:00

"""

from alembic import op
import sqlalchemy as sa


revision = "val_0001"
down_revision = "search_0001"
branch_labels = None
depends_on = None

RATE = sa.Numeric(precision=7, scale=6)


def upgrade():
    op.create_table(
        "valuation_income_inputs",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("patent_id", sa.Integer(), nullable=False),
        sa.Column("listing_type", sa.String(length=20), nullable=False),
        sa.Column("field_of_use", sa.String(length=200), nullable=True),
        sa.Column("territory", sa.String(length=200), nullable=True),
        sa.Column("revenue_forecast", sa.JSON(), nullable=True),
        sa.Column("market_size", sa.Numeric(precision=20, scale=2), nullable=True),
        sa.Column("market_share", RATE, nullable=True),
        sa.Column("attribution", RATE, nullable=True),
        sa.Column("royalty_rate", RATE, nullable=True),
        sa.Column("royalty_evidence_kind", sa.String(length=30), nullable=True),
        sa.Column("royalty_evidence", sa.Text(), nullable=True),
        sa.Column("economic_life_years", sa.Numeric(precision=5, scale=2), nullable=True),
        sa.Column("discount_method", sa.String(length=10), nullable=False),
        sa.Column("risk_free_rate", RATE, nullable=True),
        sa.Column("technology_premium", RATE, nullable=True),
        sa.Column("market_premium", RATE, nullable=True),
        sa.Column("financial_premium", RATE, nullable=True),
        sa.Column("management_premium", RATE, nullable=True),
        sa.Column("wacc", RATE, nullable=True),
        sa.Column("ip_premium", RATE, nullable=True),
        sa.Column("probability_of_grant", RATE, nullable=True),
        sa.Column("entered_by_id", sa.Integer(), nullable=True),
        sa.Column("entered_as", sa.String(length=10), nullable=False),
        sa.Column("note", sa.Text(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint(
            "attribution IS NULL OR (attribution > 0 AND attribution <= 1)",
            name=op.f("ck_valuation_income_inputs_attribution_share"),
        ),
        sa.CheckConstraint(
            "royalty_rate IS NULL OR (royalty_rate > 0 AND royalty_rate < 1)",
            name=op.f("ck_valuation_income_inputs_royalty_share"),
        ),
        sa.CheckConstraint(
            "probability_of_grant IS NULL OR (probability_of_grant >= 0 AND probability_of_grant <= 1)",
            name=op.f("ck_valuation_income_inputs_grant_probability"),
        ),
        sa.CheckConstraint(
            "economic_life_years IS NULL OR economic_life_years > 0",
            name=op.f("ck_valuation_income_inputs_life_positive"),
        ),
        sa.CheckConstraint(
            "discount_method IN ('build_up', 'wacc')",
            name=op.f("ck_valuation_income_inputs_discount_method_known"),
        ),
        sa.ForeignKeyConstraint(
            ["entered_by_id"], ["users.id"], name=op.f("fk_valuation_income_inputs_entered_by_id_users")
        ),
        sa.ForeignKeyConstraint(
            ["patent_id"],
            ["patents.id"],
            name=op.f("fk_valuation_income_inputs_patent_id_patents"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_valuation_income_inputs")),
        sa.UniqueConstraint(
            "patent_id", "listing_type", name=op.f("uq_valuation_income_inputs_patent_id_listing_type")
        ),
    )
    with op.batch_alter_table("valuation_income_inputs", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_valuation_income_inputs_patent_id"), ["patent_id"], unique=False)
    with op.batch_alter_table("valuation_parameter_set_events", schema=None) as batch_op:
        batch_op.add_column(sa.Column("details", sa.JSON(), nullable=True))


def downgrade():
    with op.batch_alter_table("valuation_parameter_set_events", schema=None) as batch_op:
        batch_op.drop_column("details")
    with op.batch_alter_table("valuation_income_inputs", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_valuation_income_inputs_patent_id"))
    op.drop_table("valuation_income_inputs")
