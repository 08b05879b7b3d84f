"""The 错题本 and 模拟考试 API of the 学堂服务 on the real site (JupyterHub, proxy, PostgreSQL; ``tests/e2e/test_hub.py``'s
site), called as a kernel does: ``academy.service_client.ServiceClient`` with the officer's own hub token.

A wrong quiz answer enters the officer's book; practising it right takes it out; a question outside his book is refused
(the reply would carry the key); the mock exam comes without keys, is scored by section on the server, is the
officer's own (another officer cannot submit it), and writes nothing to the ledger.
"""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
import time
from urllib.parse import quote

import pytest
from sqlalchemy import func, select

from academy.service_client import ServiceClient, ServiceError
from curriculum import catalog
from ground.settings import PROJECT_ROOT
from tests.e2e.browser import browser_page, screenshot
from tests.e2e.quiz_clicks import answer_question
from tests.e2e.test_hub import MODULE, OFFICER, OTHER, login, site  # noqa: F401  (site: the fixture)
from tests.service.test_quizzes import responses
from tracker import db
from tracker.models import LedgerEntry, MockExam

pytestmark = pytest.mark.skipif(os.geteuid() != 0, reason="the site switches to officers' unix accounts: run as root")
BANK = {q.id: q for q in catalog.bank_questions()}


def client_of(site, number):  # noqa: F811  (site: the fixture's value)
    token = subprocess.run([sys.executable, "-m", "jupyterhub", "token", number.lower(), "-f",
                            str(PROJECT_ROOT / "deploy" / "jupyterhub_config.py")], env=site["env"], cwd=site["tmp"],
                           capture_output=True, text=True, timeout=60).stdout.strip().splitlines()[-1]
    return ServiceClient(url=f"{site['base']}/services/academy/", token=token, retries=1)


def test_the_wrong_book_and_the_mock_exam_through_the_service(site):  # noqa: F811
    officer, other = client_of(site, OFFICER), client_of(site, OTHER)
    question = next(q for q in catalog.module(MODULE).quiz("q1").select(list(catalog.bank_questions()))
                    if q.type == "single")
    officer.call("POST", f"api/quizzes/{MODULE}/q1/answers",
                 {"question": question.id, "responses": responses(question, right=False), "request_id": "practice-hub-1"})
    book = officer.wrong_book()
    assert [e["question"]["id"] for e in book["entries"]] == [question.id]
    assert book["entries"][0]["question"]["explanation"] == question.explanation
    assert other.wrong_book()["entries"] == []
    with pytest.raises(ServiceError, match="错题本中没有题目"):
        other.practise(question.id, {"": question.answer})  # not in his book: no key comes back
    reply = officer.practise(question.id, {"": question.answer})
    assert reply["mastered"] and reply["scores"][""]["correct"]
    assert officer.wrong_book() == {"entries": [], "mastered": 1}

    choices = officer.mock_choices()
    assert {b["blueprint"] for b in choices["blueprints"]} >= {"mock-daily", "cert-2026-q4"} and choices["history"] == []
    paper = officer.start_mock("mock-daily")
    text = json.dumps(paper, ensure_ascii=False)
    for forbidden in ("answer", "explanation", "basis", "accepted"):
        assert f'"{forbidden}"' not in text
    ids = [q["id"] for s in paper["sections"] for q in s["questions"]]
    answers = {qid: responses(BANK[qid]) for qid in ids}
    with pytest.raises(ServiceError, match="没有这次模拟考试"):
        other.submit_mock(paper["id"], answers)
    so_far = {qid: answers[qid] for qid in ids[:4]}
    saved = officer.save_mock_progress(paper["id"], so_far)  # kept as he goes; nothing but a count comes back
    assert saved["saved"] == 4 and "answer" not in json.dumps(saved)
    with pytest.raises(ServiceError, match="没有这次模拟考试"):
        other.save_mock_progress(paper["id"], so_far)
    running = officer.mock_choices()["running"]  # the tab closed and opened again
    assert running["id"] == paper["id"] and running["sections"] == paper["sections"] and running["answers"] == so_far
    with pytest.raises(ServiceError, match="未交卷的模拟考试"):
        officer.start_mock("mock-daily")
    result = officer.submit_mock(paper["id"], answers)
    assert result["score"] == result["max_score"] == 100 and result["passed"]
    assert [(s["title"], s["earned"]) for s in result["sections"]] == [("单项选择题", 40), ("多项选择题", 30), ("判断题", 30)]
    assert [h["score"] for h in officer.mock_choices()["history"]] == [100]
    with pytest.raises(ServiceError, match="已交卷"):
        officer.save_mock_progress(paper["id"], so_far)
    anew = officer.start_mock("mock-daily")
    assert officer.abandon_mock(anew["id"]) == {"id": anew["id"], "abandoned": True}  # 放弃并重新开始
    assert officer.mock_choices()["running"] is None and len(officer.mock_choices()["history"]) == 1
    with pytest.raises(ServiceError, match="已放弃") as refused:
        officer.submit_mock(anew["id"], {})
    assert refused.value.status == 409  # the page shows no 「再点一次交卷」 for it
    with pytest.raises(ServiceError, match="没有这个模拟考试"):
        officer.start_mock("no-such-blueprint")
    with db.session(site["tracker"]) as s:
        assert s.scalar(select(func.count(MockExam.id)).where(MockExam.score.is_not(None))) == 1
        assert s.scalar(select(func.count(LedgerEntry.id))) == 0


def wait_saved(site, count, timeout=60):  # noqa: F811
    """Until the service keeps ``count`` answered questions of the running mock exam (each change is sent at once)."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        with db.session(site["tracker"]) as s:
            kept = json.loads(s.scalars(select(MockExam.answers).order_by(MockExam.id.desc())).first() or "{}")
        if sum(1 for a in kept.values() if any(v not in (None, "", []) for v in a.values())) >= count:
            return
        time.sleep(0.5)
    raise AssertionError(f"the service did not keep {count} answers: {kept}")


def test_both_pages_on_the_site_are_served_by_the_service(site, tmp_path):  # noqa: F811
    """The officer's kernel cannot read the bank here: the book, the practice, the draw and the score all come from
    the 学堂服务."""
    officer = client_of(site, OTHER)
    question = [q for q in catalog.module(MODULE).quiz("q1").select(list(catalog.bank_questions())) if q.type == "single"][1]
    officer.call("POST", f"api/quizzes/{MODULE}/q1/answers",
                 {"question": question.id, "responses": responses(question, right=False), "request_id": "practice-hub-2"})
    pages = f"{site['base']}/user/{OTHER.lower()}/voila/render/"
    with browser_page(tmp_path) as page:
        login(page, site, OTHER)
        page.goto(pages + quote("错题本.ipynb"), timeout=180_000)
        page.get_by_text("我的错题本").wait_for(timeout=180_000)
        assert page.inner_text("#wrong-count") == "1"
        page.locator("summary", has_text="看正确答案和解析").first.click()
        assert question.explanation[:20] in page.inner_text(".wrong-entry")
        page.get_by_role("button", name="再练一遍").click()
        answer_question(page, 1, question).get_by_text("已掌握，移出错题本").wait_for(timeout=60_000)
        screenshot(page, "hub-practice-wrong-book.png")
        page.goto(pages + quote("模拟考试.ipynb"), timeout=180_000)
        page.get_by_role("button", name="开始模拟考试").click(timeout=180_000)
        page.locator("#mock-clock").wait_for(timeout=60_000)
        with db.session(site["tracker"]) as s:
            paper = json.loads(s.scalars(select(MockExam.paper).order_by(MockExam.id.desc())).first())
        ids = [q for sec in paper["sections"] for q in sec["questions"]]
        for number, qid in enumerate(ids[:5], 1):
            answer_question(page, number, BANK[qid], submit=False)
        wait_saved(site, 5)
        page.reload(timeout=180_000)  # the tab reloaded mid-exam: the paper comes back, with its answers
        page.get_by_text("您有一份未交卷的模拟考试").wait_for(timeout=180_000)
        assert "已作答 5/20 题" in page.inner_text(".mock-running")
        screenshot(page, "hub-practice-mock-resume.png")
        page.get_by_role("button", name="继续未交卷的模拟考试").click()
        page.locator("#mock-clock").wait_for(timeout=60_000)
        for number, qid in enumerate(ids[5:], 6):  # only the rest: the first five are answered already
            answer_question(page, number, BANK[qid], submit=False)
        page.get_by_role("button", name="交卷").click()
        page.locator(".mock-sections").wait_for(timeout=60_000)
        assert page.inner_text("#mock-score") == "100"
        text = page.inner_text("body")
        assert re.search(r"多项选择题\s*30 / 30", text) and "Traceback" not in text
        page.locator(".mock-result").scroll_into_view_if_needed()
        screenshot(page, "hub-practice-mock-result.png")
    with db.session(site["tracker"]) as s:
        assert s.scalar(select(func.count(LedgerEntry.id))) == 0
