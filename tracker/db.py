"""The database: an engine for the configured URL, migrated to the newest schema on first use.

SQLite (the default, a file in the data folder) runs in WAL mode with a busy timeout, so several processes can
record at once; any other SQLAlchemy URL (PostgreSQL) is set by ``ACADEMY_DB_URL``.
"""

from __future__ import annotations

from contextlib import contextmanager
from functools import cache
from pathlib import Path

from sqlalchemy import Engine, create_engine, event
from sqlalchemy.orm import Session, sessionmaker

from ground.settings import settings

MIGRATIONS = Path(__file__).resolve().parent / "migrations"
BUSY_TIMEOUT_MS = 60_000


def make_engine(url: str | None = None) -> Engine:
    url = url or settings.db_url
    if url.startswith("sqlite"):
        engine = create_engine(url, connect_args={"timeout": BUSY_TIMEOUT_MS / 1000})

        @event.listens_for(engine, "connect")
        def _sqlite_pragmas(connection, _record):
            connection.isolation_level = None  # let BEGIN below control transactions
            cursor = connection.cursor()
            cursor.execute("PRAGMA journal_mode=WAL")
            cursor.execute(f"PRAGMA busy_timeout={BUSY_TIMEOUT_MS}")
            cursor.execute("PRAGMA foreign_keys=ON")
            cursor.execute("PRAGMA synchronous=NORMAL")
            cursor.close()

        @event.listens_for(engine, "begin")
        def _begin_immediate(connection):
            # take the write lock at the start: no deadlock between readers that later write
            connection.exec_driver_sql("BEGIN IMMEDIATE")

        return engine
    return create_engine(url, pool_pre_ping=True)


def migrate(engine: Engine) -> None:
    """Bring the schema to the newest Alembic revision."""
    from alembic import command
    from alembic.config import Config

    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    with engine.begin() as connection:
        config.attributes["connection"] = connection
        command.upgrade(config, "head")


@cache
def _engine_for(url: str) -> Engine:
    engine = make_engine(url)
    migrate(engine)
    return engine


def engine(url: str | None = None) -> Engine:
    """The engine for the configured database, migrated once per process."""
    return _engine_for(url or settings.db_url)


@cache
def _factory(engine_: Engine) -> sessionmaker:
    return sessionmaker(engine_, expire_on_commit=False)


@contextmanager
def session(url: str | None = None):
    """A session in one transaction: committed at the end, rolled back on any error."""
    with _factory(engine(url))() as s:
        with s.begin():
            yield s


def session_for(engine_: Engine) -> Session:
    return sessionmaker(engine_, expire_on_commit=False)()
