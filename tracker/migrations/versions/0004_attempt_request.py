"""quiz attempts carry the request that sent them, so a retried request is recorded once

Revision ID: 0004
Revises: 0003
"""
import sqlalchemy as sa
from alembic import op

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("quiz_attempts") as batch_op:
        batch_op.add_column(sa.Column("request_id", sa.String(length=64), nullable=True))
        batch_op.create_unique_constraint("uq_quiz_attempt_request", ["officer_id", "request_id", "question_id"])


def downgrade() -> None:
    with op.batch_alter_table("quiz_attempts") as batch_op:
        batch_op.drop_constraint("uq_quiz_attempt_request", type_="unique")
        batch_op.drop_column("request_id")
