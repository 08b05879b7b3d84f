"""The released exam in JupyterLab, in Chromium, as an officer sits it: run it, answer by clicking, restart the
kernel, reload the page, and find the answers still selected (they live in answers.json beside the notebook)."""

import json
import os
import re
import shutil
import time

from academy.lab import lab_command
from tests.e2e.browser import browser_page, free_port, screenshot, server
from tests.grading.test_build import built_course

ASSIGNMENT = "cert-test-q4-a"
OFFICER = "E2E001"


def question_box(page, label):
    return page.locator(".widget-vbox", has=page.get_by_text(re.compile(f"^第1题（{label}"))).last


def run_all(page, command="notebook:run-all-cells"):
    """Start a JupyterLab command without waiting for it (restart-run-all waits for its dialog)."""
    page.evaluate(f"() => {{ window.jupyterapp.commands.execute('{command}'); }}")


def wait_for_answers(folder, count, timeout=30):
    deadline = time.monotonic() + timeout
    while True:
        path = folder / "answers.json"
        data = json.loads(path.read_text(encoding="utf-8")) if path.exists() else {}
        if len(data.get("answers", {})) >= count or time.monotonic() > deadline:
            return data
        time.sleep(0.3)


def check_selected(page):
    single, multiple, judge = question_box(page, "单选"), question_box(page, "多选"), question_box(page, "判断")
    single.scroll_into_view_if_needed()
    radios = single.locator(".widget-radio-box input")
    assert [radios.nth(i).is_checked() for i in range(radios.count())][:3] == [False, True, False]
    boxes = multiple.locator(".widget-checkbox input")
    assert [boxes.nth(i).is_checked() for i in range(3)] == [True, False, True]
    assert "mod-active" in (judge.locator(".widget-toggle-button", has_text="错误").get_attribute("class") or "")


def wait_for_exam(page):
    page.get_by_text(re.compile("^第1题（单选")).wait_for(timeout=120_000)
    page.get_by_text(re.compile("剩余时间 \\d\\d:\\d\\d:\\d\\d")).first.wait_for(timeout=30_000)


def test_an_officer_sits_the_exam_and_answers_survive_a_restart(tmp_path):
    course = built_course(tmp_path)
    root = tmp_path / "lab"
    folder = root / ASSIGNMENT
    shutil.copytree(course / "release" / ASSIGNMENT, folder)
    port = free_port()
    env = {**os.environ, "ACADEMY_HOME": str(tmp_path / "home"), "ACADEMY_OFFICER": OFFICER,
           "JUPYTER_CONFIG_DIR": str(tmp_path / "config"), "JUPYTER_RUNTIME_DIR": str(tmp_path / "runtime"),
           "JUPYTER_DATA_DIR": str(tmp_path / "data")}
    env.pop("JUPYTERHUB_USER", None)
    token = "e2e-token"
    command = [f"--ServerApp.root_dir={root}" if part.startswith("--ServerApp.root_dir=") else part
               for part in lab_command(port)]
    command += [f"--IdentityProvider.token={token}", "--LabApp.expose_app_in_browser=True"]
    with server(command, env, f"http://127.0.0.1:{port}/api/status?token={token}", tmp_path / "lab.log", timeout=180):
        with browser_page(tmp_path) as page:
            url = f"http://127.0.0.1:{port}/lab/tree/{ASSIGNMENT}/exam.ipynb?token={token}"
            page.goto(url, timeout=120_000)
            page.wait_for_function("() => window.jupyterapp && window.jupyterapp.shell.currentWidget "
                                   "&& window.jupyterapp.shell.currentWidget.sessionContext "
                                   "&& window.jupyterapp.shell.currentWidget.sessionContext.session", timeout=120_000)
            page.wait_for_timeout(1500)
            run_all(page)
            wait_for_exam(page)
            assert page.get_by_text(OFFICER).count() >= 1
            clock = page.get_by_text(re.compile("剩余时间 \\d\\d:\\d\\d:\\d\\d")).first
            clock.scroll_into_view_if_needed()
            shown = clock.inner_text()
            page.wait_for_timeout(2500)
            assert clock.inner_text() != shown  # the countdown runs (a thread in the kernel updates it)
            first = json.loads((folder / "answers.json").read_text(encoding="utf-8"))
            assert first["officer"] == OFFICER and first["answers"] == {}

            single, multiple, judge = question_box(page, "单选"), question_box(page, "多选"), question_box(page, "判断")
            single.scroll_into_view_if_needed()
            single.locator(".widget-radio-box label").nth(1).click()
            multiple.scroll_into_view_if_needed()
            multiple.locator(".widget-checkbox input").nth(0).click()
            multiple.locator(".widget-checkbox input").nth(2).click()
            judge.scroll_into_view_if_needed()
            judge.locator(".widget-toggle-button", has_text="错误").click()
            data = wait_for_answers(folder, 3)
            answers = data["answers"]
            assert len(answers) == 3, answers
            assert any(v is False for v in answers.values())
            assert any(isinstance(v, list) and len(v) == 2 for v in answers.values())
            assert any(isinstance(v, str) and v in "ABCD" for v in answers.values())
            page.get_by_text("已作答").first.wait_for(timeout=30_000)

            # restart the kernel and run everything again (the dialog accepted)
            run_all(page, "notebook:restart-run-all")
            page.locator(".jp-Dialog .jp-mod-accept").click(timeout=30_000)
            page.wait_for_timeout(3000)
            wait_for_exam(page)
            check_selected(page)

            # reopen: reload the page, run all again
            page.reload(timeout=120_000)
            page.wait_for_function("() => window.jupyterapp && window.jupyterapp.shell.currentWidget "
                                   "&& window.jupyterapp.shell.currentWidget.sessionContext "
                                   "&& window.jupyterapp.shell.currentWidget.sessionContext.session", timeout=120_000)
            page.wait_for_timeout(1500)
            run_all(page)
            wait_for_exam(page)
            check_selected(page)
            again = json.loads((folder / "answers.json").read_text(encoding="utf-8"))
            assert again["answers"] == answers
            assert (again["started_at"], again["deadline"]) == (first["started_at"], first["deadline"])
            question_box(page, "单选").scroll_into_view_if_needed()
            screenshot(page, "exam-answers-after-restart.png")
