"""``academy pages`` (what ``make run`` starts) and ``academy lab`` (``make lab``): each serves on the port asked, with the
data folder set, and the link it prints works as printed. The pages serve officers rendered pages and nothing else."""

import html
import json
import os
import re
import signal
import subprocess
import sys
import time
import urllib.error
import urllib.request
from contextlib import contextmanager

import pytest

from tests.e2e.browser import free_port


@contextmanager
def started(area: str, tmp_path, pattern: str):
    """Run ``academy <area>`` like make does; yield the link it printed (the first group of ``pattern``) once it answers."""
    port = free_port()
    env = {**os.environ, "ACADEMY_HOME": str(tmp_path / "home"), "PORT": str(port),
           "ACADEMY_DB_URL": f"sqlite:///{tmp_path / 'db.sqlite3'}",
           "JUPYTER_RUNTIME_DIR": str(tmp_path / "runtime"), "JUPYTER_CONFIG_DIR": str(tmp_path / "config")}
    log_path = tmp_path / f"{area}.log"
    log = open(log_path, "w+")
    process = subprocess.Popen([sys.executable, "-m", "academy.cli", area], env=env, stdout=log,
                               stderr=subprocess.STDOUT, start_new_session=True)
    try:
        deadline = time.monotonic() + 120
        link = None
        while True:
            assert process.poll() is None, log_path.read_text()
            match = re.search(pattern.format(port=port), log_path.read_text())
            if match:
                link = match.group(1)
                try:
                    with urllib.request.urlopen(link, timeout=60) as response:
                        assert response.status == 200
                    break
                except urllib.error.URLError:
                    pass
            assert time.monotonic() < deadline, log_path.read_text()
            time.sleep(0.5)
        assert f"数据目录：{tmp_path / 'home'}" in log_path.read_text()
        yield link, port
    finally:
        os.killpg(process.pid, signal.SIGTERM)
        process.wait(timeout=30)
        log.close()


def get(url: str, method: str = "GET") -> tuple[int, str]:
    request = urllib.request.Request(url, method=method, data=b"{}" if method != "GET" else None)
    try:
        with urllib.request.urlopen(request, timeout=60) as response:
            return response.status, html.unescape(response.read().decode())
    except urllib.error.HTTPError as exc:
        return exc.code, exc.read().decode()


def test_the_pages_serve_the_home_page_by_the_printed_link_and_nothing_else(tmp_path):
    with started("pages", tmp_path, r"学习首页：(http://127\.0\.0\.1:{port}/voila/render/index\.ipynb)\n") as (link, port):
        status, page = get(link)
        assert status == 200 and "执法学堂 · 学习首页" in page and 'documentElement.lang = "zh-CN"' in page
        assert "from academy" not in page and "home()" not in page  # no code in the page
        assert "正在打开页面" in page and "Running" not in page  # the loading text is Chinese
        assert "cdn.jsdelivr.net" not in page and "cdnjs" not in page  # nothing fetched from outside
        root = f"http://127.0.0.1:{port}"
        status, start = get(f"{root}/")
        assert status == 200 and "url=/voila/render/index.ipynb" in start and "<li" not in start  # no file listing
        status, missing = get(f"{root}/voila/render/nothing.ipynb")
        assert status == 404 and "没有找到这个页面" in missing
        for path in ("/api/contents/index.ipynb", "/lab", "/tree", "/formgrader", "/terminals/1"):
            assert get(f"{root}{path}")[0] == 404, path  # no editor, file browser, nbgrader or terminal
        assert get(f"{root}/api/contents/index.ipynb", "PUT")[0] == 404  # nothing can save into courses/
        status, script = get(f"{root}/voila/templates/academy/static/mermaid.mjs")
        assert status == 200 and "mermaid.min.js" in script
        if get(f"{root}/voila/templates/academy/static/mermaid.min.js")[0] != 200:
            pytest.fail("流程图组件没有安装：运行 sh scripts/ensure-mermaid（make run、make test 会自动运行）")


def test_the_authors_lab_opens_by_the_printed_link(tmp_path):
    pattern = r"课程编写（JupyterLab）：(http://127\.0\.0\.1:{port}/lab/tree/index\.ipynb\?token=\w+)\n"
    with started("lab", tmp_path, pattern) as (link, port):
        token = link.rsplit("=", 1)[1]
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/api/contents/index.ipynb?token={token}") as response:
            notebook = json.load(response)
        assert notebook["type"] == "notebook" and "学习首页" in notebook["content"]["cells"][0]["source"]
        overrides = json.loads((tmp_path / "home" / "jupyterlab-settings" / "overrides.json").read_text())
        assert overrides["@jupyterlab/translation-extension:plugin"]["locale"] == "zh_CN"
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/lab/api/translations?token={token}") as response:
            assert "zh_CN" in json.load(response)["data"]
