"""``academy pages`` (what ``make run`` starts): the officers' learning pages on one machine — Voilà serving courses/.

Why standalone Voilà, and not JupyterLab or a Jupyter server with Voilà's extension: it serves rendered pages and
the kernels behind their widgets, and nothing else — no contents API (nothing can save into ``courses/``; Voilà never
writes a notebook), no file browser (the start page redirects to the 学习首页), no editor, terminal or nbgrader. The
page addresses are the hub's (``/voila/render/index.ipynb``, modules at ``/voila/render/legal/…``), so the 学习首页's
relative links work on both. Every page is rendered when it is opened, so the 学习首页 shows progress as it is now.
It listens on 127.0.0.1 without a token: this is the single-user mode of one machine (the site is ``make hub``),
and the link printed is the one to open. The pages use the Voilà template in ``academy/page_theme`` (Chinese loading
and error pages, flow charts drawn by a local mermaid that ``scripts/ensure-mermaid`` installs).
Course authors and administrators keep JupyterLab: ``academy lab`` (``make lab``).
"""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path

from ground.settings import PROJECT_ROOT, settings

PAGE_THEME = Path(__file__).resolve().parent / "page_theme"  # a Jupyter data folder: voila/templates/academy
HOME_PAGE = "voila/render/index.ipynb"
# JupyterLab extensions the pages do not load (nbgrader's menus and the notebook's would only fail in a page)
HIDDEN_EXTENSIONS = ("@jupyter/nbgrader", "@jupyter-notebook/lab-extension", "@voila-dashboards/jupyterlab-preview")


def home_url(port: int) -> str:
    return f"http://127.0.0.1:{port}/{HOME_PAGE}"


def voila_arguments() -> list[str]:
    """How Voila shows a page, here and on the hub (deploy/jupyterhub_config.py): our template, no source, no
    traceback, none of the extensions that only fail in a page. The template is found through ``JUPYTER_PATH``
    (``PAGE_THEME``)."""
    return ["--VoilaConfiguration.template=academy", "--VoilaConfiguration.strip_sources=True",
            "--VoilaConfiguration.show_tracebacks=False",
            *(f"--VoilaConfiguration.extension_denylist={name}" for name in HIDDEN_EXTENSIONS)]


def pages_command(port: int) -> list[str]:
    return [
        sys.executable, "-m", "voila", str(PROJECT_ROOT / "courses"),
        f"--port={port}", "--no-browser", "--Voila.ip=127.0.0.1", "--Voila.port_retries=0",
        *voila_arguments(),
    ]


def pages_environment(environ: dict[str, str] | None = None) -> dict[str, str]:
    """The environment of the pages' server: the data folder fixed, the pages' template found, Chinese for the kernels."""
    env = dict(os.environ if environ is None else environ)
    env.setdefault("ACADEMY_HOME", str(settings.home))
    env["JUPYTER_PATH"] = os.pathsep.join(filter(None, [str(PAGE_THEME), env.get("JUPYTER_PATH")]))
    env.setdefault("LANG", "zh_CN.UTF-8")
    return env


def cmd_pages(args) -> int:
    env = pages_environment()
    print(f"数据目录：{env['ACADEMY_HOME']}")
    print(f"学习首页：{home_url(args.port)}")
    sys.stdout.flush()
    os.execve(sys.executable, pages_command(args.port), env)
    return 0


def register(subparsers) -> None:
    p = subparsers.add_parser("pages", help="启动执法人员的学习页面（单机）",
                              description="在本机启动执法人员的学习页面：学习首页和各课程模块，不显示代码。",
                              epilog="示例：\n  academy pages\n  PORT=9000 academy pages\n  academy pages --port 9000",
                              formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--port", type=int, default=int(os.environ.get("PORT", "8888")), help="端口（默认取 PORT，否则 8888）")
    p.set_defaults(func=cmd_pages)
