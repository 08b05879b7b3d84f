"""Alembic environment: runs on the connection handed over by ``tracker.db.migrate``.

On SQLite, batch mode changes a table by creating a new one, copying the rows and dropping the old one; with foreign
keys enforced, dropping a table that others refer to fails. So the migrations run as SQLite's own procedure for
schema changes says (https://www.sqlite.org/lang_altertable.html, "Making Other Kinds Of Table Schema Changes"):
foreign keys off outside the transaction, the changes and ``PRAGMA foreign_key_check`` inside it, foreign keys back
on after it. ``tracker.db`` runs SQLite without the driver's own transaction handling (``isolation_level = None``),
which is what lets this environment end the empty transaction it is handed and open its own.
"""

from alembic import context

from tracker.models import Base

connection = context.config.attributes["connection"]
context.configure(connection=connection, target_metadata=Base.metadata, render_as_batch=True)

_sqlite_own_transactions = (connection.dialect.name == "sqlite"
                            and getattr(connection.connection.dbapi_connection, "isolation_level", "") is None)


def _foreign_keys(on: bool) -> None:
    """End the current transaction, switch enforcement, open the next one (PRAGMA foreign_keys is a no-op inside a
    transaction)."""
    connection.exec_driver_sql("COMMIT")
    connection.exec_driver_sql(f"PRAGMA foreign_keys={'ON' if on else 'OFF'}")
    connection.exec_driver_sql("BEGIN IMMEDIATE")


if _sqlite_own_transactions:
    _foreign_keys(on=False)
    try:
        with context.begin_transaction():
            context.run_migrations()
        broken = connection.exec_driver_sql("PRAGMA foreign_key_check").all()
        if broken:
            raise RuntimeError(f"迁移后有 {len(broken)} 行违反外键约束（如 {broken[0]}），已回滚")
    except BaseException:
        connection.exec_driver_sql("ROLLBACK")
        connection.exec_driver_sql("PRAGMA foreign_keys=ON")
        connection.exec_driver_sql("BEGIN IMMEDIATE")
        raise
    _foreign_keys(on=True)
else:
    with context.begin_transaction():
        context.run_migrations()
