import os
from pathlib import Path

import pytest

from academy.settings import laws_dir


@pytest.fixture(autouse=True)
def _data_home(tmp_path, monkeypatch):
    """Every test gets its own data folder; nothing is written to the user's."""
    monkeypatch.setenv("ACADEMY_HOME", str(tmp_path / "academy-home"))


@pytest.fixture(scope="session")
def shared_laws() -> Path:
    path = laws_dir()
    if not path.is_dir():
        pytest.fail(f"条文目录不存在：{path}（设置 ACADEMY_LAWS_DIR 或在检出目录旁放 shared/laws）")
    return path
