"""auctions: auctions, participants (aliases, standing bids), bids, soft-close extensions, retractions

Revision ID: core_0004
Revises: core_0003
"""

import sqlalchemy as sa
from alembic import op

revision = "core_0004"
down_revision = "core_0003"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "auctions",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("listing_id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=10), nullable=False),
        sa.Column("status", sa.String(length=20), nullable=False),
        sa.Column("currency", sa.String(length=3), nullable=False),
        sa.Column("start_price", sa.Numeric(precision=18, scale=2), nullable=False),
        sa.Column("reserve_price", sa.Numeric(precision=18, scale=2), nullable=True),
        sa.Column("reserve_disclosed", sa.Boolean(), nullable=False),
        sa.Column("increments", sa.JSON(), nullable=False),
        sa.Column("starts_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("ends_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("hard_end_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("soft_close_minutes", sa.Integer(), nullable=False),
        sa.Column("last_seq", sa.Integer(), nullable=False),
        sa.Column("bid_count", sa.Integer(), nullable=False),
        sa.Column("bidder_count", sa.Integer(), nullable=False),
        sa.Column("current_price", sa.Numeric(precision=18, scale=2), nullable=True),
        sa.Column("leader_id", sa.Integer(), nullable=True),
        sa.Column("reserve_met", sa.Boolean(), nullable=False),
        sa.Column("closed_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("winner_id", sa.Integer(), nullable=True),
        sa.Column("hammer_price", sa.Numeric(precision=18, scale=2), nullable=True),
        sa.Column("deal_id", sa.Integer(), nullable=True),
        sa.Column("ending_soon_sent_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint("kind IN ('english', 'sealed')", name=op.f("ck_auctions_kind")),
        sa.CheckConstraint(
            "status IN ('scheduled', 'open', 'awarded', 'reserve_not_met', 'no_bids', 'second_chance', 'cancelled')",
            name=op.f("ck_auctions_status"),
        ),
        sa.CheckConstraint(
            "bid_count >= 0 AND bidder_count >= 0 AND last_seq >= 0", name=op.f("ck_auctions_counts")
        ),
        sa.CheckConstraint(
            "current_price IS NULL OR current_price > 0", name=op.f("ck_auctions_current_price_positive")
        ),
        sa.CheckConstraint(
            "hammer_price IS NULL OR hammer_price > 0", name=op.f("ck_auctions_hammer_price_positive")
        ),
        sa.CheckConstraint(
            "reserve_price IS NULL OR reserve_price > 0", name=op.f("ck_auctions_reserve_price_positive")
        ),
        sa.CheckConstraint("soft_close_minutes >= 0", name=op.f("ck_auctions_soft_close")),
        sa.CheckConstraint("start_price > 0", name=op.f("ck_auctions_start_price_positive")),
        sa.CheckConstraint("starts_at < ends_at AND ends_at <= hard_end_at", name=op.f("ck_auctions_times")),
        sa.ForeignKeyConstraint(["leader_id"], ["users.id"], name=op.f("fk_auctions_leader_id_users")),
        sa.ForeignKeyConstraint(
            ["listing_id"], ["listings.id"], name=op.f("fk_auctions_listing_id_listings"), ondelete="CASCADE"
        ),
        sa.ForeignKeyConstraint(["winner_id"], ["users.id"], name=op.f("fk_auctions_winner_id_users")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_auctions")),
        sa.UniqueConstraint("listing_id", name=op.f("uq_auctions_listing_id")),
    )
    with op.batch_alter_table("auctions", schema=None) as batch_op:
        batch_op.create_index("ix_auctions_status_ends_at", ["status", "ends_at"], unique=False)

    op.create_table(
        "auction_bids",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("auction_id", sa.Integer(), nullable=False),
        sa.Column("bidder_id", sa.Integer(), nullable=False),
        sa.Column("seq", sa.Integer(), nullable=False),
        sa.Column("amount", sa.Numeric(precision=18, scale=2), nullable=False),
        sa.Column("price_after", sa.Numeric(precision=18, scale=2), nullable=True),
        sa.Column("leader_after_id", sa.Integer(), nullable=True),
        sa.Column("placed_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("retracted_at", sa.DateTime(timezone=True), nullable=True),
        sa.CheckConstraint("amount > 0", name=op.f("ck_auction_bids_amount_positive")),
        sa.CheckConstraint(
            "price_after IS NULL OR price_after > 0", name=op.f("ck_auction_bids_price_after_positive")
        ),
        sa.ForeignKeyConstraint(
            ["auction_id"],
            ["auctions.id"],
            name=op.f("fk_auction_bids_auction_id_auctions"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(["bidder_id"], ["users.id"], name=op.f("fk_auction_bids_bidder_id_users")),
        sa.ForeignKeyConstraint(
            ["leader_after_id"], ["users.id"], name=op.f("fk_auction_bids_leader_after_id_users")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_auction_bids")),
        sa.UniqueConstraint("auction_id", "seq", name=op.f("uq_auction_bids_auction_id_seq")),
    )
    with op.batch_alter_table("auction_bids", schema=None) as batch_op:
        batch_op.create_index("ix_auction_bids_bidder", ["auction_id", "bidder_id", "seq"], unique=False)
        batch_op.create_index(batch_op.f("ix_auction_bids_bidder_id"), ["bidder_id"], unique=False)

    op.create_table(
        "auction_participants",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("auction_id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("alias_index", sa.Integer(), nullable=False),
        sa.Column("standing_amount", sa.Numeric(precision=18, scale=2), nullable=True),
        sa.Column("standing_seq", sa.Integer(), nullable=True),
        sa.Column("first_bid_at", sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint(
            "standing_amount IS NULL OR standing_amount > 0",
            name=op.f("ck_auction_participants_standing_amount_positive"),
        ),
        sa.ForeignKeyConstraint(
            ["auction_id"],
            ["auctions.id"],
            name=op.f("fk_auction_participants_auction_id_auctions"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["user_id"], ["users.id"], name=op.f("fk_auction_participants_user_id_users")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_auction_participants")),
        sa.UniqueConstraint(
            "auction_id", "alias_index", name=op.f("uq_auction_participants_auction_id_alias_index")
        ),
        sa.UniqueConstraint("auction_id", "user_id", name=op.f("uq_auction_participants_auction_id_user_id")),
    )
    with op.batch_alter_table("auction_participants", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_auction_participants_auction_id"), ["auction_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_auction_participants_user_id"), ["user_id"], unique=False)

    op.create_table(
        "auction_extensions",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("auction_id", sa.Integer(), nullable=False),
        sa.Column("bid_id", sa.Integer(), nullable=False),
        sa.Column("old_ends_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("new_ends_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["auction_id"],
            ["auctions.id"],
            name=op.f("fk_auction_extensions_auction_id_auctions"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["bid_id"],
            ["auction_bids.id"],
            name=op.f("fk_auction_extensions_bid_id_auction_bids"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_auction_extensions")),
    )
    with op.batch_alter_table("auction_extensions", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_auction_extensions_auction_id"), ["auction_id"], unique=False)

    op.create_table(
        "auction_retractions",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("auction_id", sa.Integer(), nullable=False),
        sa.Column("bid_id", sa.Integer(), nullable=False),
        sa.Column("admin_id", sa.Integer(), nullable=False),
        sa.Column("reason", sa.String(length=1000), nullable=False),
        sa.Column("price_before", sa.Numeric(precision=18, scale=2), nullable=True),
        sa.Column("price_after", sa.Numeric(precision=18, scale=2), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["admin_id"], ["users.id"], name=op.f("fk_auction_retractions_admin_id_users")
        ),
        sa.ForeignKeyConstraint(
            ["auction_id"],
            ["auctions.id"],
            name=op.f("fk_auction_retractions_auction_id_auctions"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["bid_id"],
            ["auction_bids.id"],
            name=op.f("fk_auction_retractions_bid_id_auction_bids"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_auction_retractions")),
        sa.UniqueConstraint("bid_id", name=op.f("uq_auction_retractions_bid_id")),
    )
    with op.batch_alter_table("auction_retractions", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_auction_retractions_auction_id"), ["auction_id"], unique=False)


def downgrade():
    with op.batch_alter_table("auction_retractions", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_auction_retractions_auction_id"))

    op.drop_table("auction_retractions")
    with op.batch_alter_table("auction_extensions", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_auction_extensions_auction_id"))

    op.drop_table("auction_extensions")
    with op.batch_alter_table("auction_participants", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_auction_participants_user_id"))
        batch_op.drop_index(batch_op.f("ix_auction_participants_auction_id"))

    op.drop_table("auction_participants")
    with op.batch_alter_table("auction_bids", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_auction_bids_bidder_id"))
        batch_op.drop_index("ix_auction_bids_bidder")

    op.drop_table("auction_bids")
    with op.batch_alter_table("auctions", schema=None) as batch_op:
        batch_op.drop_index("ix_auctions_status_ends_at")

    op.drop_table("auctions")
