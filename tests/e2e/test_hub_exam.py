"""The exam day on the site, in Chromium on the real hub (``site`` of tests/e2e/test_hub.py: JupyterHub, real unix
accounts, PostgreSQL, the 学堂服务): the 考试管理员 assigns an officer on the service's page; the officer opens his exam
page (Voila, his own form only), answers by clicking; the server's deadline passes; his next click is refused by the
service and the page says so in Chinese and stops; ``academy exam collect`` lists the late click and ``academy exam
grade`` grades what the service took. The 考试管理员 ends a sitting early (现在收卷) on the page, after a
confirmation, and through the API with his hub token; the officer's click is then refused. The officer's own account
cannot load the bank's keys."""

from __future__ import annotations

import datetime as dt
import json
import os
import re
import shutil
import subprocess
import sys
import time
import urllib.error
import urllib.request

import openpyxl
import pytest
from sqlalchemy import select, update

from ground.settings import PROJECT_ROOT
from service.spawner import unix_name
from tests.e2e.browser import browser_page, free_port, screenshot, server
from tests.e2e.test_hub import login, officer_token
from tests.grading.helpers import make_course
from tests.grading.test_build import SMALL_PAPER
from tests.sheets import write_csv
from tracker import db
from tracker import service as ledger_service
from tracker.models import ExamClick, ExamSitting, Officer

EXAM = SMALL_PAPER["exam"]
SERVICE = "/services/academy"
# numbers of their own: other tests start sites with test_hub.py's people and remove their unix accounts afterwards
OFFICER, OTHER, EXAMINER = "SXA01", "SXA02", "SXK01"

pytestmark = pytest.mark.skipif(os.geteuid() != 0, reason="the site switches to officers' unix accounts: run as root")


@pytest.fixture(scope="module")
def exam_day(tmp_path_factory, postgres_server):
    """The site as tests/e2e/test_hub.py starts it (the hub, accounts synced from the roster, PostgreSQL), and the
    exam built as ``academy exam build`` leaves it: the course, and the paper in the site's data folder."""
    tmp = tmp_path_factory.mktemp("exam-day")
    tracker_url, hub_url = postgres_server.new_database(), postgres_server.new_database()
    port = free_port()
    course, paper = make_course(tmp, SMALL_PAPER)
    env = {**os.environ, "PORT": str(port), "ACADEMY_HOME": str(tmp / "home"), "ACADEMY_DB_URL": tracker_url,
           "ACADEMY_HUB_DB_URL": hub_url, "ACADEMY_EXAM_COURSE": str(course)}
    env.pop("ACADEMY_OFFICER", None)
    papers = tmp / "home" / "papers"
    papers.mkdir(parents=True)
    shutil.copy(paper, papers / paper.name)
    roster = write_csv(tmp / "名册.csv", [["人员编号", "姓名", "单位"], [OFFICER, "张伟", "某县市场监督管理局"],
                                          [OTHER, "李娜", "某县市场监督管理局"], [EXAMINER, "赵强", "某县司法局"]])
    ledger_service.import_roster_file(roster, recorded_by="测试", url=tracker_url)
    roles = tmp / "roles.yaml"
    roles.write_text(f"考试管理员: [{EXAMINER}]\n", encoding="utf-8")
    base = f"http://127.0.0.1:{port}"
    try:
        with server([sys.executable, "-m", "academy.cli", "hub", "start"], env, f"{base}/hub/login", tmp / "hub.log",
                    timeout=180):
            done = subprocess.run([sys.executable, "-m", "academy.cli", "hub", "sync-users", "--hub-url", base,
                                   "--roles", str(roles), "--passwords", str(tmp / "初始密码.xlsx")],
                                  env=env, capture_output=True, text=True, timeout=120)
            assert done.returncode == 0, done.stderr
            sheet = openpyxl.load_workbook(tmp / "初始密码.xlsx").active
            passwords = {row[0]: row[1] for row in sheet.iter_rows(min_row=2, values_only=True)}
            yield {"base": base, "tracker": tracker_url, "passwords": passwords, "env": env, "course": course, "tmp": tmp}
    finally:
        for number in (OFFICER, OTHER, EXAMINER):
            subprocess.run(["userdel", "--remove", unix_name(number)], capture_output=True)


def academy(day, *args):
    return subprocess.run([sys.executable, "-m", "academy.cli", *args], env=day["env"], capture_output=True,
                          text=True, timeout=300)


def question_box(page, label):
    return page.locator(".widget-vbox", has=page.get_by_text(re.compile(f"^第1题（{label}"))).last


def wait_for_clicks(url, count, timeout=30):
    deadline = time.monotonic() + timeout
    while True:
        with db.session(url) as s:
            rows = s.execute(select(ExamClick.question, ExamClick.accepted, ExamClick.reason)
                             .order_by(ExamClick.id)).all()
        if len(rows) >= count or time.monotonic() > deadline:
            return rows
        time.sleep(0.3)


def test_an_officer_sits_the_exam_on_the_site_until_the_server_says_time_is_up(exam_day, tmp_path):
    day = exam_day
    with browser_page(tmp_path) as page:  # the 考试管理员 assigns the officer on the service's page
        login(page, day, EXAMINER)
        page.goto(f"{day['base']}{SERVICE}/exams")
        page.fill("textarea[name=officers]", OFFICER)
        page.select_option("select[name=form]", "A")
        page.click("#assign")
        assert "新分配 1 人" in page.inner_text("#result")
        assert OFFICER in page.inner_text("#sittings") and "未打开" in page.inner_text("#sittings")
        screenshot(page, "hub-exam-assign.png")
        # the JSON API changes sittings only with a token: the administrator's own cookie is not enough
        forged = page.request.post(f"{day['base']}{SERVICE}/api/exams/{EXAM}/sittings",
                                   data=json.dumps({"officers": [OTHER]}), headers={"Content-Type": "text/plain"})
        assert forged.status == 403 and "须带令牌" in forged.json()["message"]
        assert OTHER not in page.inner_text("#sittings")
    with browser_page(tmp_path) as page:
        login(page, day, OTHER)  # an officer is refused the administrator's page
        page.goto(f"{day['base']}{SERVICE}/exams")
        assert json.loads(page.inner_text("body"))["message"] == "只有考试管理员可以安排考试"

    with browser_page(tmp_path) as page:
        login(page, day, OFFICER)
        page.goto(f"{day['base']}/user/{OFFICER.lower()}/voila/render/exam.ipynb", timeout=180_000)
        page.get_by_role("button", name="开始考试").click(timeout=180_000)
        page.get_by_text(re.compile("^第1题（单选")).wait_for(timeout=60_000)
        page.get_by_text(re.compile("剩余时间 \\d\\d:\\d\\d:\\d\\d")).first.wait_for(timeout=30_000)
        text = page.inner_text("body")
        assert f"考生：{OFFICER}" in text and "A 卷" in text and "Traceback" not in text and "import " not in text
        form_b = {q for s in SMALL_PAPER["forms"][1]["sections"] for q in s["questions"]} - {
            q for s in SMALL_PAPER["forms"][0]["sections"] for q in s["questions"]}
        assert not any(q in page.content() for q in form_b)

        single, multiple = question_box(page, "单选"), question_box(page, "多选")
        single.scroll_into_view_if_needed()
        single.locator(".widget-radio-box label").nth(1).click()
        multiple.scroll_into_view_if_needed()
        multiple.locator(".widget-checkbox input").nth(0).click()
        page.get_by_text("已保存").first.wait_for(timeout=30_000)
        assert [(accepted, reason) for _, accepted, reason in wait_for_clicks(day["tracker"], 2)] == [(True, "")] * 2

        # the server's clock reaches the deadline while the page still counts down (we bring the deadline to now
        # rather than wait out the paper's minutes): the next click is the service's to refuse
        with db.session(day["tracker"]) as s:
            officer_id = s.scalar(select(Officer.id).where(Officer.officer_no == OFFICER))
            s.execute(update(ExamSitting).where(ExamSitting.officer_id == officer_id)
                      .values(deadline=dt.datetime.now(dt.timezone.utc)))
        judge = question_box(page, "判断")
        judge.scroll_into_view_if_needed()
        judge.locator(".widget-toggle-button", has_text="错误").click()
        page.get_by_text(re.compile("本次作答未被记录：考试时间已到")).first.wait_for(timeout=30_000)
        page.get_by_text(re.compile("答题已停止")).first.wait_for(timeout=30_000)
        assert judge.locator(".widget-toggle-button", has_text="错误").is_disabled()
        screenshot(page, "hub-exam-time-up.png")
        # asking the service for another form is refused, in Chinese (his browser, logged in to the service)
        page.goto(f"{day['base']}{SERVICE}/")
        page.goto(f"{day['base']}{SERVICE}/api/exams/{EXAM}?form=B")
        assert json.loads(page.inner_text("body")) == {"status": 403, "message": "您的考试安排是 A 卷，不能打开其他试卷"}
        forged = page.request.post(f"{day['base']}{SERVICE}/api/exams/{EXAM}/clicks",  # his cookie, no token
                                   data={"question": "x", "value": "A", "request_id": "forged-000001"})
        assert (forged.status, forged.json()["message"]) == (403, "答案须由考试页面提交（缺少令牌）")
    rows = wait_for_clicks(day["tracker"], 3)
    assert [(accepted, reason) for _, accepted, reason in rows][-1] == (False, "考试时间已到，答案未被记录")

    collected = academy(day, "exam", "collect", EXAM)
    assert collected.returncode == 0, collected.stderr
    assert f"{OFFICER}（1 次）" in collected.stdout and "未交卷" in collected.stdout, collected.stdout
    answers = json.loads((day["course"] / "submitted" / OFFICER / f"{EXAM}-a" / "answers.json").read_text())
    assert len(answers["answers"]) == 2 and answers["officer"] == OFFICER
    graded = academy(day, "exam", "grade", EXAM)
    assert graded.returncode == 0, graded.stdout + graded.stderr
    assert f"{EXAM}-a：评分 1 份，拒绝 0 份" in graded.stdout, graded.stdout


def post(day, path, data, token):
    """POST JSON to the service with a hub token: (status, reply)."""
    request = urllib.request.Request(f"{day['base']}{SERVICE}/{path}", data=json.dumps(data).encode(), method="POST",
                                     headers={"Authorization": f"token {token}", "Content-Type": "application/json"})
    try:
        with urllib.request.urlopen(request, timeout=30) as response:
            return response.status, json.loads(response.read())
    except urllib.error.HTTPError as exc:
        return exc.code, json.loads(exc.read())


def test_the_administrator_ends_a_sitting_early_on_the_page_and_through_the_api(exam_day, tmp_path):
    day = exam_day
    with browser_page(tmp_path) as page:
        login(page, day, EXAMINER)
        page.goto(f"{day['base']}{SERVICE}/exams")
        page.fill("textarea[name=officers]", OTHER)
        page.select_option("select[name=form]", "A")
        page.click("#assign")
        assert "新分配 1 人" in page.inner_text("#result")
        page.locator("#sittings tr", has_text=OTHER).locator("a.close").click()  # asks first
        assert OTHER in page.inner_text("#close-question") and "确认" in page.inner_text("#close-question")
        assert "未打开" in page.locator("#sittings tr", has_text=OTHER).inner_text()  # nothing done yet
        page.fill("#confirm-close-form input[name=reason]", "考场临时关闭")
        page.click("#confirm-close")
        assert "取消未开考 1 人" in page.inner_text("#result")
        row = page.locator("#sittings tr", has_text=OTHER).inner_text()
        assert "已取消" in row and "收卷，原因：考场临时关闭" in row and "赵强" in row
        screenshot(page, "hub-exam-close.png")
    examiner, officer = officer_token(day, EXAMINER), officer_token(day, OTHER)
    assert post(day, f"api/exams/{EXAM}/close", {"reason": "x"}, examiner)[0] == 400  # neither officers nor all
    assert post(day, f"api/exams/{EXAM}/close", {"all": True}, officer) == (403, {"status": 403,
                                                                                "message": "只有考试管理员可以收卷"})
    status, reply = post(day, f"api/exams/{EXAM}/close", {"all": True, "reason": "考试结束"}, examiner)
    assert status == 200 and reply["already"] == [OTHER] and reply["closed"] == reply["cancelled"] == []
    mine = json.loads((day["course"] / "release" / f"{EXAM}-a" / "exam.json").read_text(encoding="utf-8"))
    question = next(q for s in mine["sections"] for q in s["questions"] if q["type"] == "single")
    status, reply = post(day, f"api/exams/{EXAM}/clicks",
                         {"question": question["id"], "value": "A", "request_id": "after-close-1"}, officer)
    assert status == 409 and "考试管理员已收卷，本场考试已取消" in reply["message"]


def test_the_officers_own_account_cannot_load_the_bank_keys(exam_day):
    probe = ("from questionbank.loading import load_bank\n"
             "try:\n    print(len(load_bank().questions))\nexcept OSError as exc:\n    print(type(exc).__name__)\n")
    done = subprocess.run(["runuser", "-u", unix_name(OFFICER), "--", sys.executable, "-c", probe],
                          capture_output=True, text=True, timeout=120, cwd="/tmp",
                          env={"PATH": os.environ["PATH"], "HOME": f"/home/{unix_name(OFFICER)}",
                               "PYTHONPATH": str(PROJECT_ROOT)})  # the code the site runs, as his kernel imports it
    assert done.stdout.strip() == "PermissionError", done.stdout + done.stderr
