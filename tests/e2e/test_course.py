"""A module in JupyterLab, in Chromium, as an officer uses it: open it, run it, answer the quiz by clicking, press
提交, read the 解析, complete the module, and find its 学时 in the ledger."""

import os
import re
import time

from sqlalchemy import select

from academy.lab import lab_command
from curriculum import catalog
from tests.e2e.browser import browser_page, free_port, screenshot, server
from tests.e2e.quiz_clicks import answer_question
from tracker import db
from tracker.models import LedgerEntry

MODULE = "legal-cf-hearing"


def test_an_officer_completes_a_module_by_clicking(tmp_path):
    spec = catalog.module(MODULE)
    questions = spec.quiz("q1").select(list(catalog.bank_questions()))
    url = f"sqlite:///{tmp_path / 'study.sqlite3'}"
    port = free_port()
    env = {**os.environ, "ACADEMY_DB_URL": url, "ACADEMY_HOME": str(tmp_path / "home"), "ACADEMY_OFFICER": "E2E001",
           "JUPYTER_CONFIG_DIR": str(tmp_path / "config"), "JUPYTER_RUNTIME_DIR": str(tmp_path / "runtime"),
           "JUPYTER_DATA_DIR": str(tmp_path / "data")}
    token = "e2e-token"
    command = lab_command(port) + [f"--IdentityProvider.token={token}", "--LabApp.expose_app_in_browser=True"]
    with server(command, env, f"http://127.0.0.1:{port}/api/status?token={token}", tmp_path / "lab.log", timeout=180):
        with browser_page(tmp_path) as page:
            page.goto(f"http://127.0.0.1:{port}/lab/tree/{spec.notebook}?token={token}", timeout=120_000)
            page.wait_for_function("() => window.jupyterapp && window.jupyterapp.shell.currentWidget "
                                   "&& window.jupyterapp.shell.currentWidget.sessionContext "
                                   "&& window.jupyterapp.shell.currentWidget.sessionContext.session", timeout=120_000)
            page.wait_for_timeout(1500)
            page.evaluate("() => window.jupyterapp.commands.execute('notebook:run-all-cells')")
            page.get_by_text(re.compile("^第1题（")).wait_for(timeout=120_000)
            assert page.get_by_text("答题人：E2E001").count() >= 1
            for number, question in enumerate(questions, 1):
                box = answer_question(page, number, question)
                box.get_by_text("解析").first.wait_for(timeout=30_000)
                feedback = box.inner_text()
                assert "回答正确" in feedback or "客观小题答对" in feedback, feedback
                assert "《行政处罚法》第" in feedback
            page.get_by_text("恭喜完成本模块").first.wait_for(timeout=60_000)  # shown in the header and under the quiz
            screenshot(page, "course-module-completed.png")
    deadline = time.monotonic() + 10
    while True:
        with db.session(url) as s:
            rows = s.execute(select(LedgerEntry.source_ref, LedgerEntry.hours, LedgerEntry.category)
                             .where(LedgerEntry.source_kind == "module")).all()
        if rows or time.monotonic() > deadline:
            break
        time.sleep(0.5)
    assert [(ref, float(h), c) for ref, h, c in rows] == [(f"课程模块 {MODULE}", spec.hours, "legal")]
