"""every constraint named by the models' naming convention (pk_, uq_, fk_), so batch mode can change them later

Before this revision the primary keys, the ``unique=True`` constraints and the foreign keys had no name of ours:
SQLite stores them unnamed (and Alembic's batch mode cannot drop an unnamed constraint), PostgreSQL names them
``<table>_pkey``, ``<table>_<column>_key`` and ``<table>_<column>_fkey``. On PostgreSQL each is renamed in place
(ALTER TABLE … RENAME CONSTRAINT, the old name read from the database); on SQLite each table is recreated in batch
mode with the convention applied to what is reflected. The lists below are this revision's own copy of the schema
at 0004: a migration must not change when the models do.

Downgrade: PostgreSQL gets its own default names back; on SQLite the names stay (SQLite ignores constraint names,
and the schema of the earlier revisions works unchanged with them).

Revision ID: 0005
Revises: 0004
"""
import sqlalchemy as sa
from alembic import op

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None

NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}
# parents before children (SQLite recreates them in this order)
TABLES = ["units", "import_batches", "officers", "ledger_entries", "hour_totals", "exam_results", "certificates",
          "quiz_attempts", "quiz_passes"]
UNIQUE = [("units", "name"), ("officers", "officer_no"), ("ledger_entries", "dedup_key"), ("certificates", "number")]
FOREIGN_KEYS = [("officers", "unit_id", "units"), ("ledger_entries", "officer_id", "officers"),
                ("ledger_entries", "batch_id", "import_batches"), ("ledger_entries", "reverses_id", "ledger_entries"),
                ("hour_totals", "officer_id", "officers"), ("exam_results", "officer_id", "officers"),
                ("certificates", "officer_id", "officers"), ("quiz_attempts", "officer_id", "officers"),
                ("quiz_passes", "officer_id", "officers")]


def _names() -> list[tuple[str, str, tuple, str, str]]:
    """(table, kind, columns/referred, conventional name, PostgreSQL's default name) of every constraint."""
    out = [(t, "pk", (), f"pk_{t}", f"{t}_pkey") for t in TABLES]
    out += [(t, "uq", (c,), f"uq_{t}_{c}", f"{t}_{c}_key") for t, c in UNIQUE]
    out += [(t, "fk", (c, r), f"fk_{t}_{c}_{r}", f"{t}_{c}_fkey") for t, c, r in FOREIGN_KEYS]
    return out


def _current_name(inspector, table: str, kind: str, what: tuple) -> str | None:
    if kind == "pk":
        return inspector.get_pk_constraint(table).get("name")
    if kind == "uq":
        return next((u["name"] for u in inspector.get_unique_constraints(table) if tuple(u["column_names"]) == what),
                    None)
    column, referred = what
    return next((f["name"] for f in inspector.get_foreign_keys(table)
                 if f["constrained_columns"] == [column] and f["referred_table"] == referred), None)


def _rename(to_conventional: bool) -> None:
    inspector = sa.inspect(op.get_bind())
    for table, kind, what, conventional, default in _names():
        current = _current_name(inspector, table, kind, what)
        new = conventional if to_conventional else default
        if current is not None and current != new:
            op.execute(f'ALTER TABLE "{table}" RENAME CONSTRAINT "{current}" TO "{new}"')


def upgrade() -> None:
    if op.get_bind().dialect.name == "sqlite":
        for table in TABLES:
            with op.batch_alter_table(table, recreate="always", naming_convention=NAMING_CONVENTION):
                pass
    else:
        _rename(to_conventional=True)


def downgrade() -> None:
    if op.get_bind().dialect.name != "sqlite":
        _rename(to_conventional=False)
