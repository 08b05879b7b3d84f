"""quiz attempts and passes

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-23 19:30:56.150297
"""
import sqlalchemy as sa
from alembic import op

revision = '0002'
down_revision = '0001'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('quiz_attempts',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('officer_id', sa.Integer(), nullable=False),
    sa.Column('module_id', sa.String(length=100), nullable=False),
    sa.Column('quiz_id', sa.String(length=100), nullable=False),
    sa.Column('question_id', sa.String(length=100), nullable=False),
    sa.Column('response', sa.Text(), nullable=False),
    sa.Column('correct', sa.Boolean(), nullable=True),
    sa.Column('fraction', sa.Numeric(precision=5, scale=4), nullable=False),
    sa.Column('answered_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['officer_id'], ['officers.id'], ),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('quiz_attempts', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_quiz_attempts_officer_id'), ['officer_id'], unique=False)

    op.create_table('quiz_passes',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('officer_id', sa.Integer(), nullable=False),
    sa.Column('module_id', sa.String(length=100), nullable=False),
    sa.Column('quiz_id', sa.String(length=100), nullable=False),
    sa.Column('year', sa.Integer(), nullable=False),
    sa.Column('score', sa.Numeric(precision=5, scale=4), nullable=False),
    sa.Column('passed_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['officer_id'], ['officers.id'], ),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('officer_id', 'module_id', 'quiz_id', 'year', name='uq_quiz_pass')
    )
    with op.batch_alter_table('quiz_passes', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_quiz_passes_officer_id'), ['officer_id'], unique=False)



def downgrade() -> None:
    with op.batch_alter_table('quiz_passes', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_quiz_passes_officer_id'))

    op.drop_table('quiz_passes')
    with op.batch_alter_table('quiz_attempts', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_quiz_attempts_officer_id'))

    op.drop_table('quiz_attempts')
