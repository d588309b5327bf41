"""royalty invoices can be refunded; forfeited auction deposits are paid out through payouts

Revision ID: qafix_0001
Revises: royalty_0001
Create Date: 2026-12-01 15:10:00

"""

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


def downgrade():
    op.execute("UPDATE royalty_invoices SET status = 'paid' WHERE status = 'refunded'")
    with op.batch_alter_table("royalty_invoices", schema=None) as batch_op:
        batch_op.drop_constraint(op.f("ck_royalty_invoices_status"), type_="check")
        batch_op.create_check_constraint(op.f("ck_royalty_invoices_status"), OLD_INVOICE)
