"""exam sittings (one officer, one exam, one form; the server's clock) and exam clicks (append-only, with server time)

Revision ID: 0006
Revises: 0005
"""
import sqlalchemy as sa
from alembic import op

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "exam_sittings",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("exam_id", sa.String(length=100), nullable=False),
        sa.Column("assignment", sa.String(length=100), nullable=False),
        sa.Column("form", sa.String(length=20), nullable=False),
        sa.Column("officer_id", sa.Integer(), nullable=False),
        sa.Column("assigned_by", sa.String(length=100), nullable=False),
        sa.Column("assigned_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("duration_seconds", sa.Integer(), nullable=False),
        sa.Column("started_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("deadline", sa.DateTime(timezone=True), nullable=True),
        sa.Column("submitted_at", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(["officer_id"], ["officers.id"], name="fk_exam_sittings_officer_id_officers"),
        sa.PrimaryKeyConstraint("id", name="pk_exam_sittings"),
        sa.UniqueConstraint("officer_id", "exam_id", name="uq_exam_sitting"),
    )
    op.create_index("ix_exam_sittings_exam", "exam_sittings", ["exam_id"])
    op.create_table(
        "exam_clicks",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("officer_id", sa.Integer(), nullable=False),
        sa.Column("exam_id", sa.String(length=100), nullable=False),
        sa.Column("question", sa.String(length=200), nullable=False),
        sa.Column("value", sa.Text(), nullable=False),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("request_id", sa.String(length=64), nullable=False),
        sa.Column("accepted", sa.Boolean(), nullable=False),
        sa.Column("reason", sa.String(length=200), nullable=False),
        sa.ForeignKeyConstraint(["officer_id"], ["officers.id"], name="fk_exam_clicks_officer_id_officers"),
        sa.PrimaryKeyConstraint("id", name="pk_exam_clicks"),
        sa.UniqueConstraint("officer_id", "exam_id", "request_id", name="uq_exam_click_request"),
    )
    op.create_index("ix_exam_clicks_exam_officer", "exam_clicks", ["exam_id", "officer_id"])


def downgrade() -> None:
    op.drop_index("ix_exam_clicks_exam_officer", table_name="exam_clicks")
    op.drop_table("exam_clicks")
    op.drop_index("ix_exam_sittings_exam", table_name="exam_sittings")
    op.drop_table("exam_sittings")
