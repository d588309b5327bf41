"""catalogue: open licences and uploaded patent documents

Revision ID: 5c5032282991
Revises: 5d58819f6036
Create Date: 2026-11-25 04:33:58.658152

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '5c5032282991'
down_revision = '5d58819f6036'
branch_labels = None
depends_on = None

OLD_TYPES = "licence_type IN ('exclusive', 'sole', 'non_exclusive')"
NEW_TYPES = "licence_type IN ('exclusive', 'sole', 'non_exclusive', 'open')"


def upgrade():
    with op.batch_alter_table('patent_documents', schema=None) as batch_op:
        batch_op.add_column(sa.Column('stored_name', sa.String(length=100), nullable=True))
        batch_op.add_column(sa.Column('original_filename', sa.String(length=300), nullable=True))
        batch_op.add_column(sa.Column('size_bytes', sa.Integer(), nullable=True))
        batch_op.alter_column('url',
               existing_type=sa.VARCHAR(length=500),
               nullable=True)
        batch_op.create_check_constraint(
            op.f('ck_patent_documents_url_or_file'), 'url IS NOT NULL OR stored_name IS NOT NULL'
        )
        batch_op.create_check_constraint(
            op.f('ck_patent_documents_size_bytes'), 'size_bytes IS NULL OR size_bytes >= 0'
        )
    with op.batch_alter_table('patent_licences', schema=None) as batch_op:
        batch_op.drop_constraint(op.f('ck_patent_licences_licence_type'), type_='check')
        batch_op.create_check_constraint(op.f('ck_patent_licences_licence_type'), NEW_TYPES)


def downgrade():
    op.execute("DELETE FROM patent_licences WHERE licence_type = 'open'")
    op.execute("DELETE FROM patent_documents WHERE url IS NULL")
    with op.batch_alter_table('patent_licences', schema=None) as batch_op:
        batch_op.drop_constraint(op.f('ck_patent_licences_licence_type'), type_='check')
        batch_op.create_check_constraint(op.f('ck_patent_licences_licence_type'), OLD_TYPES)
    with op.batch_alter_table('patent_documents', schema=None) as batch_op:
        batch_op.drop_constraint(op.f('ck_patent_documents_size_bytes'), type_='check')
        batch_op.drop_constraint(op.f('ck_patent_documents_url_or_file'), type_='check')
        batch_op.alter_column('url',
               existing_type=sa.VARCHAR(length=500),
               nullable=False)
        batch_op.drop_column('size_bytes')
        batch_op.drop_column('original_filename')
        batch_op.drop_column('stored_name')
