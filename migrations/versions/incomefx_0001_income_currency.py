"""valuation: income inputs carry the currency their amounts were entered in

Revision ID: incomefx_0001
Revises: auctionfast_0001
Create Date: 2026-12-01 16:40:00

"""

import sqlalchemy as sa
from alembic import op

revision = "incomefx_0001"
down_revision = "auctionfast_0001"
branch_labels = None
depends_on = None

CURRENCIES = "currency IN ('CNY', 'USD', 'EUR', 'JPY')"


def upgrade():
    with op.batch_alter_table("valuation_income_inputs", schema=None) as batch_op:
        batch_op.add_column(sa.Column("currency", sa.String(length=3), server_default="CNY", nullable=False))
        batch_op.create_check_constraint(op.f("ck_valuation_income_inputs_currency_known"), CURRENCIES)


def downgrade():
    with op.batch_alter_table("valuation_income_inputs", schema=None) as batch_op:
        batch_op.drop_constraint(op.f("ck_valuation_income_inputs_currency_known"), type_="check")
        batch_op.drop_column("currency")
