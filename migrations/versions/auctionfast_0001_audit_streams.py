"""audit streams: an auction's bids chain per auction; the auction row keeps its stream's head

Revision ID: auctionfast_0001
Revises: royalty_0001
Create Date: 2026-12-01 15:10:00

"""

from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = "auctionfast_0001"
down_revision = "qafix_0001"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("audit_log", schema=None) as batch_op:
        batch_op.add_column(sa.Column("stream", sa.String(length=80), server_default="", nullable=False))
        batch_op.drop_constraint("uq_audit_log_seq", type_="unique")
        batch_op.create_unique_constraint(batch_op.f("uq_audit_log_stream_seq"), ["stream", "seq"])
    with op.batch_alter_table("auctions", schema=None) as batch_op:
        batch_op.add_column(sa.Column("audit_seq", sa.Integer(), server_default="0", nullable=False))
        batch_op.add_column(sa.Column("audit_head", sa.String(length=64), nullable=True))


def downgrade():
    # Stream entries cannot rejoin the global chain's numbering: refuse rather than lose them.
    bind = op.get_bind()
    if bind.execute(sa.text("SELECT count(*) FROM audit_log WHERE stream <> ''")).scalar():
        raise RuntimeError("audit_log holds stream entries; they cannot be folded back into one chain")
    with op.batch_alter_table("auctions", schema=None) as batch_op:
        batch_op.drop_column("audit_head")
        batch_op.drop_column("audit_seq")
    with op.batch_alter_table("audit_log", schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f("uq_audit_log_stream_seq"), type_="unique")
        batch_op.create_unique_constraint(batch_op.f("uq_audit_log_seq"), ["seq"])
        batch_op.drop_column("stream")
