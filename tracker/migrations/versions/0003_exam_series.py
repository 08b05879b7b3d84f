"""exam results carry their series (an exam and its retakes)

Revision ID: 0003
Revises: 0002
"""
import sqlalchemy as sa
from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("exam_results") as batch_op:
        batch_op.add_column(sa.Column("series", sa.String(length=100), nullable=False, server_default=""))


def downgrade() -> None:
    with op.batch_alter_table("exam_results") as batch_op:
        batch_op.drop_column("series")
