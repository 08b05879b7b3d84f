"""`academy lab` (what `make run` starts): JupyterLab on courses/, on the port asked, with the data folder set."""

import json
import os
import re
import signal
import socket
import subprocess
import sys
import time
import urllib.request


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def test_lab_serves_the_courses_on_the_port(tmp_path):
    port = free_port()
    env = {**os.environ, "ACADEMY_HOME": str(tmp_path / "home"), "PORT": str(port),
           "JUPYTER_RUNTIME_DIR": str(tmp_path / "runtime"), "JUPYTER_CONFIG_DIR": str(tmp_path / "config")}
    log = open(tmp_path / "lab.log", "w+")
    process = subprocess.Popen([sys.executable, "-m", "academy.cli", "lab"], env=env, stdout=log,
                               stderr=subprocess.STDOUT, start_new_session=True)
    try:
        token = None
        deadline = time.monotonic() + 90
        while time.monotonic() < deadline and token is None:
            time.sleep(0.5)
            assert process.poll() is None, (tmp_path / "lab.log").read_text()
            match = re.search(rf"http://127\.0\.0\.1:{port}/lab[^\s]*\?token=(\w+)", (tmp_path / "lab.log").read_text())
            token = match and match.group(1)
        assert token, (tmp_path / "lab.log").read_text()
        text = (tmp_path / "lab.log").read_text()
        assert f"学习首页：http://127.0.0.1:{port}/lab/tree/index.ipynb" in text
        assert f"数据目录：{tmp_path / 'home'}" in text
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/api/contents/index.ipynb?token={token}") as response:
            notebook = json.load(response)
        assert notebook["type"] == "notebook" and "学习首页" in notebook["content"]["cells"][0]["source"]
        assert (tmp_path / "home").is_dir()
        settings = tmp_path / "home" / "jupyterlab-settings"
        overrides = json.loads((settings / "overrides.json").read_text())
        assert overrides["@jupyterlab/translation-extension:plugin"]["locale"] == "zh_CN"
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/lab?token={token}") as response:
            page = response.read().decode()
        assert "@jupyter/nbgrader:create-assignment" in page  # listed among the disabled plugins
        assert json.loads((settings / "page_config.json").read_text())["disabledExtensions"]["@jupyter/nbgrader:create-assignment"]
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/lab/api/translations?token={token}") as response:
            assert "zh_CN" in json.load(response)["data"]
    finally:
        os.killpg(process.pid, signal.SIGTERM)
        process.wait(timeout=30)
        log.close()
