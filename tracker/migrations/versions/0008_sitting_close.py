"""现在收卷: a sitting ended early (or cancelled before it was opened) by the 考试管理员 — when, by whom, why

Revision ID: 0008
Revises: 0007
"""
import sqlalchemy as sa
from alembic import op

revision = "0008"
down_revision = "0007"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column("exam_sittings", sa.Column("closed_at", sa.DateTime(timezone=True), nullable=True))
    op.add_column("exam_sittings", sa.Column("closed_by", sa.String(length=100), nullable=True))
    op.add_column("exam_sittings", sa.Column("close_reason", sa.String(length=500), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("exam_sittings") as batch:
        batch.drop_column("close_reason")
        batch.drop_column("closed_by")
        batch.drop_column("closed_at")
