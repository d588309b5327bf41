"""market: offers, deals, contracts and signatures

Revision ID: core_0003
Revises: core_0002
"""

import sqlalchemy as sa
from alembic import op

revision = "core_0003"
down_revision = "core_0002"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('offers',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('listing_id', sa.Integer(), nullable=False),
    sa.Column('thread_id', sa.Integer(), nullable=True),
    sa.Column('parent_id', sa.Integer(), nullable=True),
    sa.Column('buyer_id', sa.Integer(), nullable=False),
    sa.Column('made_by_id', sa.Integer(), nullable=False),
    sa.Column('made_by_side', sa.String(length=6), nullable=False),
    sa.Column('status', sa.String(length=12), nullable=False),
    sa.Column('price_amount', sa.Numeric(precision=18, scale=2), nullable=False),
    sa.Column('currency', sa.String(length=3), nullable=False),
    sa.Column('terms', sa.JSON(), nullable=False),
    sa.Column('message', sa.Text(), nullable=True),
    sa.Column('expires_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('answered_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('answer_note', sa.String(length=1000), nullable=True),
    sa.Column('second_chance', sa.Boolean(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.CheckConstraint("made_by_side IN ('buyer', 'seller')", name=op.f('ck_offers_made_by_side')),
    sa.CheckConstraint("status IN ('open', 'countered', 'accepted', 'rejected', 'withdrawn', 'expired', 'declined', 'closed')", name=op.f('ck_offers_status')),
    sa.CheckConstraint('price_amount > 0', name=op.f('ck_offers_price_amount_positive')),
    sa.ForeignKeyConstraint(['buyer_id'], ['users.id'], name=op.f('fk_offers_buyer_id_users')),
    sa.ForeignKeyConstraint(['listing_id'], ['listings.id'], name=op.f('fk_offers_listing_id_listings'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['made_by_id'], ['users.id'], name=op.f('fk_offers_made_by_id_users')),
    sa.ForeignKeyConstraint(['parent_id'], ['offers.id'], name=op.f('fk_offers_parent_id_offers')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_offers'))
    )
    with op.batch_alter_table('offers', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_offers_buyer_id'), ['buyer_id'], unique=False)
        batch_op.create_index('ix_offers_expires_at_open', ['status', 'expires_at'], unique=False)
        batch_op.create_index('ix_offers_listing_status', ['listing_id', 'status'], unique=False)
        batch_op.create_index(batch_op.f('ix_offers_thread_id'), ['thread_id'], unique=False)

    op.create_table('deals',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('reference', sa.String(length=24), nullable=False),
    sa.Column('listing_id', sa.Integer(), nullable=False),
    sa.Column('origin', sa.String(length=14), nullable=False),
    sa.Column('offer_id', sa.Integer(), nullable=True),
    sa.Column('seller_id', sa.Integer(), nullable=False),
    sa.Column('buyer_id', sa.Integer(), nullable=False),
    sa.Column('seller_organisation_id', sa.Integer(), nullable=True),
    sa.Column('buyer_organisation_id', sa.Integer(), nullable=True),
    sa.Column('parties', sa.JSON(), nullable=False),
    sa.Column('patents', sa.JSON(), nullable=False),
    sa.Column('right_type', sa.String(length=30), nullable=False),
    sa.Column('terms', sa.JSON(), nullable=False),
    sa.Column('price_amount', sa.Numeric(precision=18, scale=2), nullable=False),
    sa.Column('currency', sa.String(length=3), nullable=False),
    sa.Column('status', sa.String(length=20), nullable=False),
    sa.Column('money_status', sa.String(length=10), nullable=False),
    sa.Column('payment_reference', sa.String(length=120), nullable=True),
    sa.Column('status_before_dispute', sa.String(length=20), nullable=True),
    sa.Column('cancel_reason', sa.String(length=1000), nullable=True),
    sa.Column('agreed_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('contract_effective_on', sa.Date(), nullable=True),
    sa.Column('filing_number', sa.String(length=60), nullable=True),
    sa.Column('filed_on', sa.Date(), nullable=True),
    sa.Column('registered_on', sa.Date(), nullable=True),
    sa.Column('registration_notice', sa.String(length=200), nullable=True),
    sa.Column('completed_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('is_demo', sa.Boolean(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.CheckConstraint("money_status IN ('unpaid', 'paid', 'refunded')", name=op.f('ck_deals_money_status')),
    sa.CheckConstraint("origin IN ('offer', 'buy_now', 'open_licence', 'auction')", name=op.f('ck_deals_origin')),
    sa.CheckConstraint("status IN ('agreed', 'contract_drafted', 'signed', 'awaiting_payment', 'registration_filed', 'registered', 'completed', 'cancelled', 'disputed')", name=op.f('ck_deals_status')),
    sa.CheckConstraint('price_amount > 0', name=op.f('ck_deals_price_amount_positive')),
    sa.CheckConstraint('seller_id != buyer_id', name=op.f('ck_deals_distinct_parties')),
    sa.ForeignKeyConstraint(['buyer_id'], ['users.id'], name=op.f('fk_deals_buyer_id_users')),
    sa.ForeignKeyConstraint(['buyer_organisation_id'], ['organisations.id'], name=op.f('fk_deals_buyer_organisation_id_organisations')),
    sa.ForeignKeyConstraint(['listing_id'], ['listings.id'], name=op.f('fk_deals_listing_id_listings')),
    sa.ForeignKeyConstraint(['offer_id'], ['offers.id'], name=op.f('fk_deals_offer_id_offers')),
    sa.ForeignKeyConstraint(['seller_id'], ['users.id'], name=op.f('fk_deals_seller_id_users')),
    sa.ForeignKeyConstraint(['seller_organisation_id'], ['organisations.id'], name=op.f('fk_deals_seller_organisation_id_organisations')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_deals')),
    sa.UniqueConstraint('reference', name=op.f('uq_deals_reference'))
    )
    with op.batch_alter_table('deals', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_deals_buyer_id'), ['buyer_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_deals_listing_id'), ['listing_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_deals_seller_id'), ['seller_id'], unique=False)
        batch_op.create_index('ix_deals_status', ['status'], unique=False)

    op.create_table('contracts',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('deal_id', sa.Integer(), nullable=False),
    sa.Column('template', sa.String(length=60), nullable=False),
    sa.Column('template_sha256', sa.String(length=64), nullable=False),
    sa.Column('language', sa.String(length=2), nullable=False),
    sa.Column('text', sa.Text(), nullable=False),
    sa.Column('text_sha256', sa.String(length=64), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('created_by_id', sa.Integer(), nullable=False),
    sa.Column('superseded_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('locked_at', sa.DateTime(timezone=True), nullable=True),
    sa.CheckConstraint("language IN ('zh', 'en')", name=op.f('ck_contracts_language')),
    sa.ForeignKeyConstraint(['created_by_id'], ['users.id'], name=op.f('fk_contracts_created_by_id_users')),
    sa.ForeignKeyConstraint(['deal_id'], ['deals.id'], name=op.f('fk_contracts_deal_id_deals'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_contracts'))
    )
    with op.batch_alter_table('contracts', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_contracts_deal_id'), ['deal_id'], unique=False)

    op.create_table('contract_signatures',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('contract_id', sa.Integer(), nullable=False),
    sa.Column('side', sa.String(length=6), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('typed_name', sa.String(length=200), nullable=False),
    sa.Column('text_sha256', sa.String(length=64), nullable=False),
    sa.Column('signed_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('ip_address', sa.String(length=45), nullable=True),
    sa.CheckConstraint("side IN ('seller', 'buyer')", name=op.f('ck_contract_signatures_side')),
    sa.ForeignKeyConstraint(['contract_id'], ['contracts.id'], name=op.f('fk_contract_signatures_contract_id_contracts'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_contract_signatures_user_id_users')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_contract_signatures')),
    sa.UniqueConstraint('contract_id', 'side', name=op.f('uq_contract_signatures_contract_id_side'))
    )
    with op.batch_alter_table('contract_signatures', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_contract_signatures_contract_id'), ['contract_id'], unique=False)


def downgrade():
    op.drop_table("contract_signatures")
    op.drop_table("contracts")
    op.drop_table("deals")
    op.drop_table("offers")
