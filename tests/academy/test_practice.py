"""The 错题本 and 模拟考试 pages under ``make run`` (the kernel does the work on the local ledger), driven through their
widgets as the browser would: options chosen, buttons clicked."""

import datetime as dt
import json
import re

import pytest
from sqlalchemy import func, select

from academy.practice import MockExamPage, WrongBookPage, mock_exam_page, wrong_book_page
from curriculum import catalog
from tests.sheets import write_csv
from tracker import db
from tracker import service as ledger_service
from tracker.models import LedgerEntry, MockExam

MODULE, QUIZ = "legal-cf-hearing", "q1"
BANK = {q.id: q for q in catalog.bank_questions()}


@pytest.fixture
def officer(tmp_path, monkeypatch):
    url = f"sqlite:///{tmp_path / 'local.sqlite3'}"
    monkeypatch.setenv("ACADEMY_DB_URL", url)
    monkeypatch.setenv("ACADEMY_OFFICER", "A0001")
    monkeypatch.delenv("ACADEMY_SERVICE_URL", raising=False)
    monkeypatch.delenv("JUPYTERHUB_USER", raising=False)
    roster = write_csv(tmp_path / "名册.csv", [["人员编号", "姓名", "单位"], ["A0001", "张伟", "某县市场监督管理局"]])
    ledger_service.import_roster_file(roster, recorded_by="测试")
    yield url
    db._engine_for(url).dispose()


def choose(view, right):
    """Answer a question on screen as clicked (right or wrong)."""
    for key, inp in view.inputs.items():
        full = BANK[view.question.id]
        item = full if not key else next(p for p in full.parts if p.id == key)
        if item.type == "single":
            inp.control.value = item.answer if right else next(k for k in item.options if k != item.answer)
        elif item.type == "multiple":
            for letter, box in inp.checkboxes.items():
                box.value = (letter in item.answer) if right else (letter not in item.answer)
        elif item.type == "judge":
            inp.control.value = bool(item.answer) if right else not item.answer
        elif item.type == "open":
            inp.control.value = "要点自查"


def wrong_quiz_answers():
    qs = [q for q in catalog.module(MODULE).quiz(QUIZ).select(list(catalog.bank_questions())) if q.type == "single"][:2]
    now = dt.datetime.now(dt.timezone.utc) - dt.timedelta(hours=1)
    for q in qs:
        ledger_service.record_quiz_attempt("A0001", MODULE, QUIZ, q.id, next(k for k in q.options if k != q.answer),
                                           False, 0.0, now)
    return qs


def test_the_book_lists_wrong_answers_and_practising_right_takes_them_out(officer):
    first, second = wrong_quiz_answers()
    page = WrongBookPage()
    text = page.widget.children[0].value + "".join(getattr(c, "value", "") for c in page.widget.children[2:])
    assert "共 <b id='wrong-count'>2</b> 道错题" in text and "行政处罚听证程序" in text
    assert "您的答案" in text and "正确答案" in text and "解析" in text and "《行政处罚法》第" in text
    again = page.widget.children[1]
    assert again.description == "再练一遍"
    again.click()
    views = {v.question.id: v for v in page.views}
    assert set(views) == {first.id, second.id}
    choose(views[first.id], right=True)
    views[first.id].submit_button.click()
    choose(views[second.id], right=False)
    views[second.id].submit_button.click()
    assert "已掌握，移出错题本" in views[first.id].feedback.value and "回答正确" in views[first.id].feedback.value
    assert "仍留在错题本中" in views[second.id].feedback.value and "正确答案" in views[second.id].feedback.value
    page.show_book()
    assert "共 <b id='wrong-count'>1</b> 道错题" in page.widget.children[0].value
    assert "已掌握 1 道" in page.widget.children[0].value


def test_an_officer_not_on_the_roster_reads_why_in_chinese(officer, monkeypatch):
    assert "名册中没有人员编号 Z9999" in WrongBookPage("Z9999").widget.children[0].value
    assert "名册中没有人员编号 Z9999" in MockExamPage("Z9999").widget.children[0].value
    monkeypatch.setenv("ACADEMY_OFFICER", "Z9999")  # not on the roster: the pages ask who is answering, show nothing
    for page in (wrong_book_page(), mock_exam_page()):
        back, bar, content = page.children
        assert "返回学习首页" in back.value and content.children == ()
        assert "请输入您的人员编号" in bar.children[0].value


def test_a_mock_exam_taken_on_the_page_is_scored_by_section_and_gives_no_hours(officer):
    page = MockExamPage()
    assert page.picker.value == "mock-daily"  # the shortest first
    assert "共 20 题，限时 20 分钟" in page.about.value and "还没有模拟考试记录" in page.widget.children[-1].value
    page.widget.children[3].click()  # 开始模拟考试
    assert len(page.views) == 20 and re.search(r"剩余时间 <b>(20:00|19:5\d)</b>", page.clock.value)
    for i, view in enumerate(page.views.values()):
        assert view.submit_button.layout.display == "none"
        choose(view, right=i < 15)
    assert "已作答 20/20 题" in page.progress.value
    page.hand_in.click()
    summary = page.outcome.value
    assert "单项选择题</td><td>40 / 40" in summary and "判断题</td><td>0 / 30" in summary
    assert "得分 <b id='mock-score'>70</b> / 100" in summary and "达到合格线" in summary and "不计学时" in summary
    assert all("正确答案" in v.feedback.value for v in page.views.values())
    with db.session(officer) as s:
        assert s.scalar(select(func.count(MockExam.id))) == 1
        assert s.scalar(select(func.count(LedgerEntry.id))) == 0
    page.widget.children[-1].click()  # 返回模拟考试
    assert "每日模拟练习" in page.widget.children[-1].value and "合格" in page.widget.children[-1].value


def test_when_the_time_is_up_the_paper_is_handed_in_by_itself(officer):
    now = [dt.datetime.now(dt.timezone.utc)]
    page = MockExamPage(clock=lambda: now[0])
    page.widget.children[3].click()
    choose(next(iter(page.views.values())), right=True)
    assert page._tick() and page.result is None
    now[0] += dt.timedelta(minutes=20, seconds=1)
    assert not page._tick()
    assert page.result is not None and not page.result["overtime"] and page.result["score"] == 4
    assert "已交卷" in page.clock.value


def saved_answers(url):
    """The questions whose answers the ledger keeps so far."""
    with db.session(url) as s:
        kept = json.loads(s.scalar(select(MockExam.answers)) or "{}")
    return {qid for qid, answer in kept.items() if any(v not in (None, "", []) for v in answer.values())}


def test_a_closed_page_comes_back_with_the_same_paper_the_saved_answers_and_the_clock_running(officer):
    page = MockExamPage()
    page.widget.children[3].click()  # 开始模拟考试
    views = list(page.views.values())
    for view in views[:3]:
        choose(view, right=True)
    assert saved_answers(officer) == {v.question.id for v in views[:3]}  # saved at each change, no 交卷 needed
    assert "答案已自动保存" in page.saving.value
    shown = [(v.question.id, [inp.order for inp in v.inputs.values()]) for v in views]
    chosen = page.answers()

    again = MockExamPage()  # the tab closed and opened again
    offer, buttons = again.widget.children[:2]
    assert "您有一份未交卷的模拟考试" in offer.value and "每日模拟练习" in offer.value and "已作答 3/20 题" in offer.value
    assert re.search(r"剩余时间 <b>(20:00|19:5\d)</b>", offer.value)
    go_on, anew = buttons.children
    assert (go_on.description, anew.description) == ("继续未交卷的模拟考试", "放弃并重新开始")
    go_on.click()
    assert [(v.question.id, [inp.order for inp in v.inputs.values()]) for v in again.views.values()] == shown
    assert again.answers() == chosen and "已作答 3/20 题" in again.progress.value
    assert abs(again.seconds_left() - page.seconds_left()) < 5  # the same deadline, not a new 20 minutes
    for view in list(again.views.values())[3:]:
        choose(view, right=False)
    again.hand_in.click()
    assert "得分 <b id='mock-score'>12</b> / 100" in again.outcome.value  # 3 single-choice questions right
    assert MockExamPage().picker.value == "mock-daily"  # handed in: nothing to go on with


def test_giving_up_a_running_exam_starts_anew_and_leaves_no_record(officer):
    page = MockExamPage()
    page.widget.children[3].click()
    choose(next(iter(page.views.values())), right=False)
    again = MockExamPage()
    again.widget.children[1].children[1].click()  # 放弃并重新开始
    assert again.widget.children[0].value == "<h3>选择模拟试卷</h3>" and "还没有模拟考试记录" in again.widget.children[-1].value
    again.widget.children[3].click()
    assert len(again.views) == 20 and again.paper["id"] != page.paper["id"]
    page.hand_in.click()  # the old tab's 交卷: refused, in Chinese, and no button to try again
    assert "这次模拟考试已放弃，不能再交卷" in page.outcome.value and page.result is None
    assert page.hand_in.layout.display == "none" and page.widget.children[-1].description == "返回模拟考试"


def test_an_exam_whose_time_ran_out_with_the_page_closed_is_scored_from_the_saved_answers(officer):
    page = MockExamPage()
    page.widget.children[3].click()
    for view in list(page.views.values())[:2]:
        choose(view, right=True)
    with db.session(officer) as s:  # the officer comes back a day later
        exam = s.scalar(select(MockExam))
        exam.started_at -= dt.timedelta(days=1)
        exam.deadline -= dt.timedelta(days=1)
    back = MockExamPage()
    record = back.widget.children[-1].value
    assert back.picker.value == "mock-daily" and "8 / 100" in record and "未合格（超时，自动交卷）" in record
    choose(next(iter(page.views.values())), right=False)  # the old tab still open: its answer is no longer kept
    assert "答案未保存：这次模拟考试已交卷，答案不再保存" in page.saving.value
    assert saved_answers(officer) == {v.question.id for v in list(page.views.values())[:2]}


def test_typed_answers_are_saved_by_the_clock_not_at_every_key(officer):
    page = MockExamPage()
    page.picker.value = "cert-2026-q4"
    page.widget.children[3].click()
    view, inp = next((v, i) for v in page.views.values() for i in v.inputs.values() if i.item.type == "open")
    inp.control.value = "先调查取证"
    assert view.question.id not in saved_answers(officer)  # typing: not sent at each key
    page._tick()
    assert view.question.id in saved_answers(officer) and "答案已自动保存" in page.saving.value
    assert MockExamPage().running["answers"][view.question.id][inp.item.id] == "先调查取证"
