"""royalty invoices can be refunded; forfeited auction deposits are paid out through payouts

Revision ID: qafix_0001
Revises: royalty_0001
Create Date: 2026-12-01 15:10:00

"""

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = "qafix_0001"
down_revision = "royalty_0001"
branch_labels = None
depends_on = None

OLD_INVOICE = "status IN ('open', 'paid', 'nothing_due')"
NEW_INVOICE = "status IN ('open', 'paid', 'nothing_due', 'refunded')"


def upgrade():
    with op.batch_alter_table("royalty_invoices", schema=None) as batch_op:
        batch_op.drop_constraint(op.f("ck_royalty_invoices_status"), type_="check")
        batch_op.create_check_constraint(op.f("ck_royalty_invoices_status"), NEW_INVOICE)
    with op.batch_alter_table("payouts", schema=None) as batch_op:
        batch_op.add_column(sa.Column("deposit_id", sa.Integer(), nullable=True))
        batch_op.alter_column("payment_id", existing_type=sa.Integer(), nullable=True)
        batch_op.alter_column("deal_id", existing_type=sa.Integer(), nullable=True)
        batch_op.create_foreign_key(
            op.f("fk_payouts_deposit_id_auction_deposits"), "auction_deposits", ["deposit_id"], ["id"]
        )
        batch_op.create_index(op.f("ix_payouts_deposit_id"), ["deposit_id"], unique=False)
        batch_op.create_unique_constraint(
            op.f("uq_payouts_deposit_id_recipient_id"), ["deposit_id", "recipient_id"]
        )
        batch_op.create_check_constraint(
            op.f("ck_payouts_one_source"), "(payment_id IS NULL) <> (deposit_id IS NULL)"
        )


def downgrade():
    op.execute("DELETE FROM payouts WHERE deposit_id IS NOT NULL")
    with op.batch_alter_table("payouts", schema=None) as batch_op:
        batch_op.drop_constraint(op.f("ck_payouts_one_source"), type_="check")
        batch_op.drop_constraint(op.f("uq_payouts_deposit_id_recipient_id"), type_="unique")
        batch_op.drop_index(op.f("ix_payouts_deposit_id"))
        batch_op.drop_constraint(op.f("fk_payouts_deposit_id_auction_deposits"), type_="foreignkey")
        batch_op.alter_column("deal_id", existing_type=sa.Integer(), nullable=False)
        batch_op.alter_column("payment_id", existing_type=sa.Integer(), nullable=False)
        batch_op.drop_column("deposit_id")
    op.execute("UPDATE royalty_invoices SET status = 'paid' WHERE status = 'refunded'")
    with op.batch_alter_table("royalty_invoices", schema=None) as batch_op:
        batch_op.drop_constraint(op.f("ck_royalty_invoices_status"), type_="check")
        batch_op.create_check_constraint(op.f("ck_royalty_invoices_status"), OLD_INVOICE)
