import os
from pathlib import Path

import pytest

from ground.settings import settings


@pytest.fixture(autouse=True)
def _data_home(tmp_path, monkeypatch):
    """Every test gets its own data folder; nothing is written to the user's."""
    monkeypatch.setenv("ACADEMY_HOME", str(tmp_path / "academy-home"))


@pytest.fixture(scope="session")
def shared_laws() -> Path:
    path = settings.laws_dir
    if not path.is_dir():
        pytest.fail(f"条文目录不存在：{path}（设置 ACADEMY_LAWS_DIR 或在检出目录旁放 shared/laws）")
    return path


@pytest.fixture(scope="session")
def postgres_server():
    from tests.postgres import PostgresServer

    server = PostgresServer().start()
    yield server
    server.stop()


@pytest.fixture(params=["sqlite", "postgresql"])
def db_url(request, tmp_path, monkeypatch):
    """An empty tracker database of each kind; ACADEMY_DB_URL points at it."""
    if request.param == "sqlite":
        url = f"sqlite:///{tmp_path / 'tracker.sqlite3'}"
    else:
        url = request.getfixturevalue("postgres_server").new_database()
    monkeypatch.setenv("ACADEMY_DB_URL", url)
    yield url
    from tracker import db

    db._engine_for(url).dispose()


def pytest_configure(config):
    """Notebooks run by nbval start kernels from this process's environment: give them a data folder of their own
    and an officer, so that no test writes into the user's data folder or waits for someone to type a number."""
    import tempfile

    os.environ.setdefault("ACADEMY_HOME", tempfile.mkdtemp(prefix="academy-test-home-"))
    os.environ.setdefault("ACADEMY_OFFICER", "NB0001")
    os.environ.setdefault("ACADEMY_ITEM_STATS", os.path.join(os.environ["ACADEMY_HOME"], "item_stats.json"))
