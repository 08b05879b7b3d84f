"""mock exams (模拟考试): what was drawn for an officer, when, and the score by section; no 学时

Revision ID: 0007
Revises: 0006
"""
import sqlalchemy as sa
from alembic import op

revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "mock_exams",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("officer_id", sa.Integer(), nullable=False),
        sa.Column("blueprint", sa.String(length=100), nullable=False),
        sa.Column("title", sa.String(length=300), nullable=False),
        sa.Column("paper", sa.Text(), nullable=False),
        sa.Column("started_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("deadline", sa.DateTime(timezone=True), nullable=False),
        sa.Column("submitted_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("answers", sa.Text(), nullable=True),
        sa.Column("score", sa.Numeric(precision=6, scale=2), nullable=True),
        sa.Column("max_score", sa.Numeric(precision=6, scale=2), nullable=True),
        sa.Column("sections", sa.Text(), nullable=True),
        sa.Column("passed", sa.Boolean(), nullable=True),
        sa.Column("overtime", sa.Boolean(), nullable=False),
        sa.ForeignKeyConstraint(["officer_id"], ["officers.id"], name="fk_mock_exams_officer_id_officers"),
        sa.PrimaryKeyConstraint("id", name="pk_mock_exams"),
    )
    op.create_index("ix_mock_exams_officer_id", "mock_exams", ["officer_id"])


def downgrade() -> None:
    op.drop_index("ix_mock_exams_officer_id", table_name="mock_exams")
    op.drop_table("mock_exams")
