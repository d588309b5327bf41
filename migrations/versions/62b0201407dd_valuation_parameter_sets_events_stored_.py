"""valuation: parameter sets, events, stored valuations, closed deals

Revision ID: 62b0201407dd
Revises: ac571d09f09a
Create Date: 2026-11-25 03:36:05.283249

"""
from alembic import op
import sqlalchemy as sa

# revision identifiers, used by Alembic.
revision = '62b0201407dd'
down_revision = 'ac571d09f09a'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('valuation_parameter_sets',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('model_id', sa.String(length=64), nullable=False),
    sa.Column('model_version', sa.String(length=32), nullable=True),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.Column('status', sa.String(length=20), nullable=False),
    sa.Column('params', sa.JSON(), nullable=False),
    sa.Column('reason', sa.Text(), nullable=False),
    sa.Column('created_by_id', sa.Integer(), nullable=True),
    sa.Column('submitted_by_id', sa.Integer(), nullable=True),
    sa.Column('approved_by_id', sa.Integer(), nullable=True),
    sa.Column('submitted_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('decided_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('activated_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('retired_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('predecessor_id', sa.Integer(), nullable=True),
    sa.Column('based_on_id', sa.Integer(), nullable=True),
    sa.Column('diff', sa.JSON(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.CheckConstraint("status IN ('draft', 'pending_approval', 'active', 'retired', 'rejected')", name=op.f('ck_valuation_parameter_sets_status_known')),
    sa.CheckConstraint('approved_by_id IS NULL OR (approved_by_id <> submitted_by_id AND approved_by_id <> created_by_id)', name=op.f('ck_valuation_parameter_sets_four_eyes')),
    sa.CheckConstraint('version >= 1', name=op.f('ck_valuation_parameter_sets_version_positive')),
    sa.ForeignKeyConstraint(['approved_by_id'], ['users.id'], name=op.f('fk_valuation_parameter_sets_approved_by_id_users')),
    sa.ForeignKeyConstraint(['based_on_id'], ['valuation_parameter_sets.id'], name=op.f('fk_valuation_parameter_sets_based_on_id_valuation_parameter_sets')),
    sa.ForeignKeyConstraint(['created_by_id'], ['users.id'], name=op.f('fk_valuation_parameter_sets_created_by_id_users')),
    sa.ForeignKeyConstraint(['predecessor_id'], ['valuation_parameter_sets.id'], name=op.f('fk_valuation_parameter_sets_predecessor_id_valuation_parameter_sets')),
    sa.ForeignKeyConstraint(['submitted_by_id'], ['users.id'], name=op.f('fk_valuation_parameter_sets_submitted_by_id_users')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_valuation_parameter_sets')),
    sa.UniqueConstraint('model_id', 'version', name=op.f('uq_valuation_parameter_sets_model_id_version'))
    )
    with op.batch_alter_table('valuation_parameter_sets', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_valuation_parameter_sets_model_id'), ['model_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_valuation_parameter_sets_status'), ['status'], unique=False)

    op.create_table('closed_deals',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('reference', sa.String(length=64), nullable=False),
    sa.Column('patent_id', sa.Integer(), nullable=True),
    sa.Column('price', sa.Numeric(precision=18, scale=2), nullable=False),
    sa.Column('currency', sa.String(length=3), nullable=False),
    sa.Column('closed_on', sa.Date(), nullable=False),
    sa.Column('deal_type', sa.String(length=20), nullable=False),
    sa.Column('exclusive', sa.Boolean(), nullable=False),
    sa.Column('field', sa.String(length=8), nullable=True),
    sa.Column('snapshot', sa.JSON(), nullable=False),
    sa.Column('is_generated', sa.Boolean(), nullable=False),
    sa.Column('note', sa.Text(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.CheckConstraint("deal_type IN ('assignment', 'licence')", name=op.f('ck_closed_deals_deal_type_known')),
    sa.CheckConstraint('price > 0', name=op.f('ck_closed_deals_price_positive')),
    sa.ForeignKeyConstraint(['patent_id'], ['patents.id'], name=op.f('fk_closed_deals_patent_id_patents'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_closed_deals')),
    sa.UniqueConstraint('reference', name=op.f('uq_closed_deals_reference'))
    )
    with op.batch_alter_table('closed_deals', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_closed_deals_closed_on'), ['closed_on'], unique=False)
        batch_op.create_index(batch_op.f('ix_closed_deals_field'), ['field'], unique=False)
        batch_op.create_index(batch_op.f('ix_closed_deals_patent_id'), ['patent_id'], unique=False)

    op.create_table('valuation_parameter_set_events',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('parameter_set_id', sa.Integer(), nullable=False),
    sa.Column('actor_id', sa.Integer(), nullable=True),
    sa.Column('action', sa.String(length=20), nullable=False),
    sa.Column('from_status', sa.String(length=20), nullable=True),
    sa.Column('to_status', sa.String(length=20), nullable=False),
    sa.Column('reason', sa.Text(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['actor_id'], ['users.id'], name=op.f('fk_valuation_parameter_set_events_actor_id_users')),
    sa.ForeignKeyConstraint(['parameter_set_id'], ['valuation_parameter_sets.id'], name=op.f('fk_valuation_parameter_set_events_parameter_set_id_valuation_parameter_sets'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_valuation_parameter_set_events'))
    )
    with op.batch_alter_table('valuation_parameter_set_events', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_valuation_parameter_set_events_parameter_set_id'), ['parameter_set_id'], unique=False)

    op.create_table('valuations',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('run_id', sa.String(length=32), nullable=False),
    sa.Column('patent_id', sa.Integer(), nullable=False),
    sa.Column('kind', sa.String(length=10), nullable=False),
    sa.Column('model_id', sa.String(length=64), nullable=False),
    sa.Column('model_version', sa.String(length=32), nullable=False),
    sa.Column('parameter_set_id', sa.Integer(), nullable=True),
    sa.Column('parameter_set_version', sa.Integer(), nullable=True),
    sa.Column('listing_type', sa.String(length=20), nullable=False),
    sa.Column('seed', sa.Integer(), nullable=False),
    sa.Column('input_snapshot', sa.JSON(), nullable=False),
    sa.Column('result', sa.JSON(), nullable=False),
    sa.Column('result_form', sa.String(length=10), nullable=False),
    sa.Column('code_version', sa.String(length=64), nullable=False),
    sa.Column('value', sa.Numeric(precision=24, scale=4), nullable=True),
    sa.Column('low', sa.Numeric(precision=18, scale=2), nullable=True),
    sa.Column('mid', sa.Numeric(precision=18, scale=2), nullable=True),
    sa.Column('high', sa.Numeric(precision=18, scale=2), nullable=True),
    sa.Column('currency', sa.String(length=3), nullable=True),
    sa.Column('is_current', sa.Boolean(), nullable=False),
    sa.Column('created_by_id', sa.Integer(), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.CheckConstraint("kind IN ('model', 'ensemble')", name=op.f('ck_valuations_kind_known')),
    sa.CheckConstraint("result_form IN ('full', 'batch')", name=op.f('ck_valuations_form_known')),
    sa.CheckConstraint('low IS NULL OR currency IS NOT NULL', name=op.f('ck_valuations_money_has_currency')),
    sa.CheckConstraint('low IS NULL OR low >= 0', name=op.f('ck_valuations_low_not_negative')),
    sa.CheckConstraint('low IS NULL OR mid IS NULL OR low <= mid', name=op.f('ck_valuations_low_le_mid')),
    sa.CheckConstraint('mid IS NULL OR high IS NULL OR mid <= high', name=op.f('ck_valuations_mid_le_high')),
    sa.ForeignKeyConstraint(['created_by_id'], ['users.id'], name=op.f('fk_valuations_created_by_id_users')),
    sa.ForeignKeyConstraint(['parameter_set_id'], ['valuation_parameter_sets.id'], name=op.f('fk_valuations_parameter_set_id_valuation_parameter_sets')),
    sa.ForeignKeyConstraint(['patent_id'], ['patents.id'], name=op.f('fk_valuations_patent_id_patents'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_valuations'))
    )
    with op.batch_alter_table('valuations', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_valuations_created_at'), ['created_at'], unique=False)
        batch_op.create_index('ix_valuations_patent_current', ['patent_id', 'is_current'], unique=False)
        batch_op.create_index(batch_op.f('ix_valuations_patent_id'), ['patent_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_valuations_run_id'), ['run_id'], unique=False)



def downgrade():
    with op.batch_alter_table('valuations', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_valuations_run_id'))
        batch_op.drop_index(batch_op.f('ix_valuations_patent_id'))
        batch_op.drop_index('ix_valuations_patent_current')
        batch_op.drop_index(batch_op.f('ix_valuations_created_at'))

    op.drop_table('valuations')
    with op.batch_alter_table('valuation_parameter_set_events', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_valuation_parameter_set_events_parameter_set_id'))

    op.drop_table('valuation_parameter_set_events')
    with op.batch_alter_table('closed_deals', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_closed_deals_patent_id'))
        batch_op.drop_index(batch_op.f('ix_closed_deals_field'))
        batch_op.drop_index(batch_op.f('ix_closed_deals_closed_on'))

    op.drop_table('closed_deals')
    with op.batch_alter_table('valuation_parameter_sets', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_valuation_parameter_sets_status'))
        batch_op.drop_index(batch_op.f('ix_valuation_parameter_sets_model_id'))

    op.drop_table('valuation_parameter_sets')
