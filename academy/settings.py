"""Where runtime state lives.

All runtime state (SQLite files, logs, answers caches) goes into one data folder, outside the source tree.
It is set by ``ACADEMY_HOME``; by default ``$XDG_DATA_HOME/zhifa-xuetang`` (``~/.local/share/zhifa-xuetang``).
"""

from __future__ import annotations

import os
from pathlib import Path

PROJECT_ROOT = Path(__file__).resolve().parent.parent


def data_home() -> Path:
    """The data folder, created on first use."""
    configured = os.environ.get("ACADEMY_HOME")
    if configured:
        home = Path(configured).expanduser()
    else:
        xdg = os.environ.get("XDG_DATA_HOME") or str(Path.home() / ".local" / "share")
        home = Path(xdg) / "zhifa-xuetang"
    home = home.resolve()
    if _inside(home, PROJECT_ROOT / "academy") or any(
        _inside(home, PROJECT_ROOT / pkg) for pkg in ("questionbank", "grading", "tracker")
    ):
        raise ValueError(f"数据目录不能放在程序包目录内：{home}")
    home.mkdir(parents=True, exist_ok=True)
    return home


def database_url() -> str:
    """``ACADEMY_DB_URL`` if set, otherwise the embedded SQLite file in the data folder."""
    return os.environ.get("ACADEMY_DB_URL") or f"sqlite:///{data_home() / 'academy.sqlite3'}"


def laws_dir() -> Path:
    """The folder of statute texts: ``ACADEMY_LAWS_DIR`` or ``../shared/laws`` beside the checkout."""
    configured = os.environ.get("ACADEMY_LAWS_DIR")
    return Path(configured) if configured else PROJECT_ROOT.parent / "shared" / "laws"


def _inside(path: Path, folder: Path) -> bool:
    try:
        path.relative_to(folder.resolve())
    except ValueError:
        return False
    return True
