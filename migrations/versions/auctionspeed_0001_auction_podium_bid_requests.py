"""auctions: the leader's and runner-up's maximums on the row; bid request idempotency keys

Revision ID: auctionspeed_0001
Revises: matching_0001
"""

import sqlalchemy as sa
from alembic import op

revision = "auctionspeed_0001"
down_revision = "payconnect_0001"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("auctions", schema=None) as batch_op:
        batch_op.add_column(sa.Column("leader_amount", sa.Numeric(precision=18, scale=2), nullable=True))
        batch_op.add_column(sa.Column("second_bidder_id", sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column("second_amount", sa.Numeric(precision=18, scale=2), nullable=True))
        batch_op.create_foreign_key(
            batch_op.f("fk_auctions_second_bidder_id_users"), "users", ["second_bidder_id"], ["id"]
        )
    op.create_table(
        "auction_bid_requests",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("key", sa.String(length=120), nullable=False),
        sa.Column("auction_id", sa.Integer(), nullable=False),
        sa.Column("fingerprint", sa.String(length=64), nullable=False),
        sa.Column("bid_id", sa.Integer(), nullable=False),
        sa.Column("response", sa.JSON(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["auction_id"],
            ["auctions.id"],
            name=op.f("fk_auction_bid_requests_auction_id_auctions"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["bid_id"],
            ["auction_bids.id"],
            name=op.f("fk_auction_bid_requests_bid_id_auction_bids"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["user_id"], ["users.id"], name=op.f("fk_auction_bid_requests_user_id_users"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_auction_bid_requests")),
        sa.UniqueConstraint("user_id", "key", name=op.f("uq_auction_bid_requests_user_id_key")),
    )
    with op.batch_alter_table("auction_bid_requests", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_auction_bid_requests_auction_id"), ["auction_id"], unique=False)


def downgrade():
    with op.batch_alter_table("auction_bid_requests", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_auction_bid_requests_auction_id"))
    op.drop_table("auction_bid_requests")
    with op.batch_alter_table("auctions", schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f("fk_auctions_second_bidder_id_users"), type_="foreignkey")
        batch_op.drop_column("second_amount")
        batch_op.drop_column("second_bidder_id")
        batch_op.drop_column("leader_amount")
