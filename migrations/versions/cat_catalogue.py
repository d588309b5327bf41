"""catalogue: patents the demo seed created and nobody changed since

Revision ID: cat_0001
Revises: search_0001
"""

import sqlalchemy as sa
from alembic import op

revision = "cat_0001"
down_revision = "val_0001"
branch_labels = None
depends_on = None


def upgrade():
    # Existing rows default to False: a seed run after the upgrade leaves every existing patent alone.
    with op.batch_alter_table("patents") as batch_op:
        batch_op.add_column(
            sa.Column("seed_untouched", sa.Boolean(), server_default=sa.false(), nullable=False)
        )


def downgrade():
    with op.batch_alter_table("patents") as batch_op:
        batch_op.drop_column("seed_untouched")
