"""valuation exchange rates: the dated FX table administrators maintain

Revision ID: valfx_0001
Revises: matching_0001
Create Date: 2026-12-01 12:00:00

"""

import sqlalchemy as sa
from alembic import op

revision = "valfx_0001"
down_revision = "matching_0001"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "valuation_fx_rates",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("currency", sa.String(length=3), nullable=False),
        sa.Column("rate_to_cny", sa.Numeric(precision=18, scale=8), nullable=False),
        sa.Column("effective_on", sa.Date(), nullable=False),
        sa.Column("source", sa.String(length=200), nullable=False),
        sa.Column("entered_by_id", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint("rate_to_cny > 0", name=op.f("ck_valuation_fx_rates_rate_positive")),
        sa.CheckConstraint("currency <> 'CNY'", name=op.f("ck_valuation_fx_rates_not_cny")),
        sa.ForeignKeyConstraint(
            ["entered_by_id"], ["users.id"], name=op.f("fk_valuation_fx_rates_entered_by_id_users")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_valuation_fx_rates")),
        sa.UniqueConstraint(
            "currency", "effective_on", name=op.f("uq_valuation_fx_rates_currency_effective_on")
        ),
    )
    with op.batch_alter_table("valuation_fx_rates", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_valuation_fx_rates_currency"), ["currency"], unique=False)
        batch_op.create_index(batch_op.f("ix_valuation_fx_rates_effective_on"), ["effective_on"], unique=False)


def downgrade():
    with op.batch_alter_table("valuation_fx_rates", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_valuation_fx_rates_effective_on"))
        batch_op.drop_index(batch_op.f("ix_valuation_fx_rates_currency"))
    op.drop_table("valuation_fx_rates")
