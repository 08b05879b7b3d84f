"""The 错题本 and 模拟考试 pages in Chromium, served by Voila from courses/ as officers see them (``make run`` mode: the
kernel works on the local ledger). An officer with two wrong quiz answers opens the 错题本, practises them by clicking,
and the book empties; then takes the daily mock exam, watches the clock run, answers by clicking, hands it in and reads
the score by section. No English on screen, no code; desktop and phone-width screenshots; no 学时 from the mock exam."""

import datetime as dt
import json
import os
import re
import sys
from urllib.parse import quote

from sqlalchemy import func, select

from curriculum import catalog
from ground.settings import PROJECT_ROOT
from tests.e2e.browser import browser_page, free_port, screenshot, server
from tests.e2e.quiz_clicks import answer_question
from tests.sheets import write_csv
from tracker import db
from tracker import service as ledger_service
from tracker.models import LedgerEntry, MockExam

OFFICER = "E2EP01"
MODULE, QUIZ = "legal-cf-hearing", "q1"
BANK = {q.id: q for q in catalog.bank_questions()}
ENGLISH = re.compile(r"[A-Za-z]{4,}")


def no_english_or_code(page):
    text = page.inner_text("body")
    assert not ENGLISH.search(text), ENGLISH.findall(text)
    assert "import " not in text and "Traceback" not in text
    return text


def phone_fits(page, name):
    page.set_viewport_size({"width": 390, "height": 844})
    page.wait_for_timeout(500)
    assert page.evaluate("() => document.documentElement.scrollWidth") <= 392
    screenshot(page, name)
    page.set_viewport_size({"width": 1280, "height": 1000})


def test_an_officer_practises_his_wrong_answers_and_takes_a_mock_exam(tmp_path):
    url = f"sqlite:///{tmp_path / 'practice.sqlite3'}"
    roster = write_csv(tmp_path / "名册.csv", [["人员编号", "姓名", "单位"], [OFFICER, "张伟", "某县市场监督管理局"]])
    ledger_service.import_roster_file(roster, recorded_by="测试", url=url)
    wrong = [q for q in catalog.module(MODULE).quiz(QUIZ).select(list(catalog.bank_questions()))
             if q.type in ("single", "judge")][:2]
    an_hour_ago = dt.datetime.now(dt.timezone.utc) - dt.timedelta(hours=1)
    for q in wrong:
        response = next(k for k in q.options if k != q.answer) if q.type == "single" else not q.answer
        ledger_service.record_quiz_attempt(OFFICER, MODULE, QUIZ, q.id, response, False, 0.0, an_hour_ago, url=url)
    port = free_port()
    env = {**os.environ, "ACADEMY_DB_URL": url, "ACADEMY_HOME": str(tmp_path / "home"), "ACADEMY_OFFICER": OFFICER,
           "PYTHONPATH": os.pathsep.join(filter(None, [str(PROJECT_ROOT), os.environ.get("PYTHONPATH")])),
           "JUPYTER_RUNTIME_DIR": str(tmp_path / "runtime"), "JUPYTER_CONFIG_DIR": str(tmp_path / "config")}
    env.pop("ACADEMY_SERVICE_URL", None)
    command = [sys.executable, "-m", "voila", str(PROJECT_ROOT / "courses"), "--no-browser", f"--port={port}",
               "--Voila.ip=127.0.0.1"]
    base = f"http://127.0.0.1:{port}/voila/render/"
    with server(command, env, f"http://127.0.0.1:{port}/", tmp_path / "voila.log", timeout=180):
        with browser_page(tmp_path) as page:
            page.goto(base + quote("错题本.ipynb"), timeout=180_000)
            page.get_by_text("我的错题本").wait_for(timeout=180_000)
            assert page.inner_text("#wrong-count") == "2"
            text = no_english_or_code(page)
            assert "您的答案" in text and "行政处罚听证程序" in text and "正确答案：" not in text  # folded: recall first
            page.locator("summary", has_text="看正确答案和解析").first.click()
            text = page.inner_text(".wrong-entry >> nth=0")
            assert "正确答案：" in text and "解析：" in text and "《行政处罚法》第" in text
            screenshot(page, "practice-wrong-book.png")
            phone_fits(page, "practice-wrong-book-phone.png")
            page.get_by_role("button", name="再练一遍").click()
            page.get_by_text(re.compile("^第1题（")).wait_for(timeout=60_000)
            shown = page.inner_text("body")
            order = sorted(wrong, key=lambda q: shown.index(q.stem[:20]))
            for number, question in enumerate(order, 1):
                box = answer_question(page, number, question)
                box.get_by_text("已掌握，移出错题本").wait_for(timeout=60_000)
            page.get_by_role("button", name="返回错题本").click()
            page.get_by_text("错题本是空的").wait_for(timeout=60_000)
            assert "已掌握 2 道" in no_english_or_code(page)

            page.goto(base + quote("模拟考试.ipynb"), timeout=180_000)
            page.get_by_role("button", name="开始模拟考试").wait_for(timeout=180_000)
            assert "每日模拟练习（20题，20分钟）" in no_english_or_code(page)
            page.get_by_role("button", name="开始模拟考试").click()
            clock = page.locator("#mock-clock")
            clock.wait_for(timeout=60_000)
            first = clock.inner_text()
            page.wait_for_timeout(2500)
            assert clock.inner_text() != first and "剩余时间" in first  # the clock runs in the kernel
            screenshot(page, "practice-mock-exam.png")
            phone_fits(page, "practice-mock-exam-phone.png")
            body = page.inner_text("body")
            numbered = sorted(((int(m.group(1)), m.start()) for m in re.finditer(r"第(\d+)题（", body)))
            assert [n for n, _ in numbered] == list(range(1, 21))
            for number, question in enumerate(_paper_questions(url), 1):
                answer_question(page, number, question, submit=False, right=number <= 15)
            page.get_by_text("已作答 20/20 题").wait_for(timeout=30_000)
            page.get_by_role("button", name="交卷").click()
            page.locator(".mock-sections").wait_for(timeout=60_000)
            result = no_english_or_code(page)
            assert re.search(r"单项选择题\s*40 / 40", result) and re.search(r"判断题\s*0 / 30", result), result
            assert page.inner_text("#mock-score") == "70" and "达到合格线" in result and "不计学时" in result
            page.locator(".mock-result").scroll_into_view_if_needed()
            screenshot(page, "practice-mock-result.png")
    with db.session(url) as s:
        exams = s.execute(select(MockExam.blueprint, MockExam.score, MockExam.passed)).all()
        hours = s.scalar(select(func.count(LedgerEntry.id)))
    assert [(b, float(score), passed) for b, score, passed in exams] == [("mock-daily", 70.0, True)]
    assert hours == 0


def _paper_questions(url):
    """The questions of the mock exam just drawn, in the order shown (the paper the ledger stored)."""
    with db.session(url) as s:
        paper = json.loads(s.scalar(select(MockExam.paper)))
    return [BANK[qid] for section in paper["sections"] for qid in section["questions"]]
