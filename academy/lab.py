"""``academy lab`` (``make lab``): JupyterLab on ``courses/`` for course authors and administrators, in Chinese.

Officers do not use it: ``make run`` serves them the learning pages (``academy.pages``).
"""

from __future__ import annotations

import argparse
import json
import os
import secrets
import sys
from pathlib import Path

from ground.files import write_text_atomic
from ground.settings import PROJECT_ROOT, settings

LAB_SETTINGS = {
    "@jupyterlab/translation-extension:plugin": {"locale": "zh_CN"},
    "@jupyterlab/apputils-extension:notification": {"fetchNews": "false"},  # no news pop-up
}


def lab_settings() -> Path:
    """JupyterLab's application settings, in the data folder: Chinese as the language (jupyterlab-language-pack-zh-CN),
    no news pop-up."""
    folder = settings.home / "jupyterlab-settings"
    folder.mkdir(parents=True, exist_ok=True)
    write_text_atomic(folder / "overrides.json", json.dumps(LAB_SETTINGS, ensure_ascii=False, indent=2))
    return folder


def lab_command(port: int, open_browser: bool = False, token: str | None = None) -> list[str]:
    """The JupyterLab command line for the courses (see ``lab_settings``); ``token``: the login token to use."""
    command = [
        sys.executable, "-m", "jupyterlab",
        f"--ServerApp.root_dir={PROJECT_ROOT / 'courses'}",
        f"--ServerApp.port={port}",
        "--ServerApp.ip=127.0.0.1",
        "--ServerApp.port_retries=0",
        f"--ServerApp.open_browser={open_browser}",
        "--LabApp.default_url=/lab/tree/index.ipynb",
        f"--LabApp.app_settings_dir={lab_settings()}",
    ]
    if token:
        command.append(f"--IdentityProvider.token={token}")
    if hasattr(os, "geteuid") and os.geteuid() == 0:
        command.append("--allow-root")
    return command


def cmd_lab(args) -> int:
    home = settings.home
    os.environ.setdefault("ACADEMY_HOME", str(home))
    token = secrets.token_hex(16)
    print(f"数据目录：{home}")
    print(f"课程编写（JupyterLab）：http://127.0.0.1:{args.port}/lab/tree/index.ipynb?token={token}")
    print("执法人员的学习页面请用 make run（academy pages）。")
    sys.stdout.flush()
    os.execv(sys.executable, lab_command(args.port, args.browser, token))
    return 0


def register(subparsers) -> None:
    p = subparsers.add_parser("lab", help="启动 JupyterLab（课程编写人员、管理员用）",
                              description="在 courses/ 上启动 JupyterLab，供课程编写人员和管理员使用；执法人员学习请用 academy pages。",
                              epilog="示例：\n  PORT=9000 academy lab\n  academy lab --port 9000",
                              formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--port", type=int, default=int(os.environ.get("PORT", "8888")), help="端口（默认取 PORT，否则 8888）")
    p.add_argument("--browser", action="store_true", help="同时打开浏览器")
    p.set_defaults(func=cmd_lab)


def dashboard_command(port: int) -> list[str]:
    return [
        sys.executable, "-m", "voila", str(PROJECT_ROOT / "dashboards" / "hours.ipynb"),
        f"--port={port}", "--no-browser", "--Voila.ip=127.0.0.1",
    ]


def cmd_dashboard(args) -> int:
    home = settings.home
    os.environ.setdefault("ACADEMY_HOME", str(home))
    print(f"学时看板：http://127.0.0.1:{args.port}/  （数据目录：{home}）")
    sys.stdout.flush()
    os.execv(sys.executable, dashboard_command(args.port))
    return 0


def register_dashboard(subparsers) -> None:
    p = subparsers.add_parser("dashboard", help="启动学时达标看板（Voila）", description="用 Voila 提供人事学时看板。",
                              epilog="示例：\n  academy dashboard --port 8866",
                              formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--port", type=int, default=8866, help="端口（默认 8866）")
    p.set_defaults(func=cmd_dashboard)
