"""The 错题本 and the 模拟考试 on the server (SQLite and PostgreSQL): wrong answers from the stored attempts, practice
that takes a question out of the book, a mock exam drawn from a blueprint without keys, scored by section once,
recorded, and giving no 学时."""

import datetime as dt
import json

import pytest
from sqlalchemy import func, select

from curriculum import catalog
from grading import mock_exam
from service import practice, quizzes
from tests.service.test_quizzes import MODULE, NOW, QUIZ, questions, responses, roster  # noqa: F401  (roster: fixture)
from tracker import db
from tracker.models import HourTotal, LedgerEntry, MockExam, QuizAttempt

BANK = {q.id: q for q in catalog.bank_questions()}


def answer_quiz(login, wrong_ids):
    for i, q in enumerate(questions()):
        quizzes.answer(login, MODULE, QUIZ, q.id, responses(q, right=q.id not in wrong_ids), f"quiz-{login}-{i:04d}", NOW)


def wrong_ids():
    return [q.id for q in questions() if q.type in ("single", "judge")][:2]


def test_the_book_holds_the_quiz_questions_answered_wrong_with_key_explanation_and_source(roster):  # noqa: F811
    answer_quiz("A0001", wrong_ids())
    book = practice.wrong_book("a0001")
    assert [e["question"]["id"] for e in book["entries"]] == wrong_ids() and book["mastered"] == 0
    entry = book["entries"][0]
    question = BANK[entry["question"]["id"]]
    assert entry["responses"] == responses(question, right=False)
    assert entry["question"]["answer"] == question.to_mapping()["answer"] and entry["question"]["explanation"]
    assert entry["source"] == catalog.module(MODULE).title and entry["topic_title"] == "行政处罚听证程序"
    assert practice.wrong_book("A0002")["entries"] == []  # another officer's book is his own


def test_practising_right_takes_a_question_out_wrong_keeps_it_and_a_retry_is_recorded_once(roster):  # noqa: F811
    answer_quiz("A0001", wrong_ids())
    first, second = (BANK[i] for i in wrong_ids())
    later = NOW + dt.timedelta(hours=1)
    kept = practice.practise("A0001", first.id, responses(first, right=False), "practice-0001", later)
    assert kept["mastered"] is False and kept["scores"][""]["correct"] is False
    done = practice.practise("A0001", second.id, responses(second), "practice-0002", later)
    again = practice.practise("A0001", second.id, responses(second), "practice-0002", later)
    assert done["mastered"] and done["question"]["explanation"] and not done["repeated"] and again["repeated"]
    book = practice.wrong_book("A0001")
    assert [e["question"]["id"] for e in book["entries"]] == [first.id] and book["mastered"] == 1
    assert book["entries"][0]["wrong_times"] == 2


def test_only_questions_of_ones_own_book_can_be_practised_and_nothing_is_recorded_otherwise(roster):  # noqa: F811
    answer_quiz("A0001", wrong_ids())
    stranger = next(q for q in BANK.values() if q.usable() and q.type == "single" and q.id not in wrong_ids())
    with db.session(roster) as s:
        before = s.scalar(select(func.count(QuizAttempt.id)))
    for login, qid in (("A0001", stranger.id), ("A0002", wrong_ids()[0])):  # a key oracle, or another's book
        with pytest.raises(quizzes.Refused) as refused:
            practice.practise(login, qid, {"": "A"}, "practice-oracle-1", NOW)
        assert refused.value.status == 404 and "错题本中没有题目" in str(refused.value)
    with pytest.raises(quizzes.Refused) as refused:
        practice.practise("Z9999", wrong_ids()[0], {"": "A"}, "practice-oracle-2", NOW)
    assert refused.value.status == 403
    with db.session(roster) as s:
        assert s.scalar(select(func.count(QuizAttempt.id))) == before


def test_a_mock_exam_is_drawn_from_the_blueprint_of_reviewed_questions_without_keys(roster):  # noqa: F811
    bp = mock_exam.blueprint("cert-2026-q4")
    paper = practice.start_mock("A0001", "cert-2026-q4", NOW, seed=7)
    assert [(s["title"], len(s["questions"])) for s in paper["sections"]] == [(s.title, s.count) for s in bp.sections]
    ids = [q["id"] for s in paper["sections"] for q in s["questions"]]
    assert len(set(ids)) == bp.items_per_form and all(BANK[i].usable() for i in ids)
    text = json.dumps(paper, ensure_ascii=False)
    for forbidden in ("answer", "explanation", "basis", "reference", "rubric", "accepted"):
        assert f'"{forbidden}"' not in text
    assert dt.datetime.fromisoformat(paper["deadline"]) == NOW + dt.timedelta(minutes=90)
    other = practice.start_mock("A0001", "cert-2026-q4", NOW, seed=8)
    assert {q["id"] for s in other["sections"] for q in s["questions"]} != set(ids)  # a new paper each time


def mock_answers(paper, right):
    return {q["id"]: responses(BANK[q["id"]], right=right(i)) for s in paper["sections"]
            for i, q in enumerate(s["questions"])}


def ledger(url):
    with db.session(url) as s:
        entries = s.execute(select(LedgerEntry.officer_id, LedgerEntry.hours, LedgerEntry.source_kind)).all()
        totals = s.execute(select(HourTotal.officer_id, HourTotal.year, HourTotal.category, HourTotal.hours)).all()
    return sorted(entries), sorted(totals)


def test_a_mock_exam_is_scored_by_section_recorded_once_and_gives_no_hours(roster):  # noqa: F811
    answer_quiz("A0001", [])  # the module completed: its 学时 are in the ledger
    ledger_before, standing_before = ledger(roster), quizzes.progress("A0001", NOW.year)
    assert len(ledger_before[0]) == 1
    paper = practice.start_mock("A0001", "mock-daily", NOW, seed=3)
    answers = mock_answers(paper, right=lambda i: i % 2 == 0)
    result = practice.submit_mock("A0001", paper["id"], answers, NOW + dt.timedelta(minutes=15))
    single = next(s for s in result["sections"] if s["id"] == "single")
    assert (single["title"], single["earned"], single["max"]) == ("单项选择题", 20, 40)  # 5 of 10 right × 4 points
    assert result["score"] == sum(s["earned"] for s in result["sections"]) and result["max_score"] == 100
    assert result["passed"] == (result["score"] >= 60) and not result["overtime"] and not result["repeated"]
    assert all(result["questions"][qid]["explanation"] for qid in answers)  # the keys and 解析 come after submitting
    again = practice.submit_mock("A0001", paper["id"], mock_answers(paper, right=lambda i: True), NOW)
    assert again["repeated"] and again["score"] == result["score"]  # the first submission counts
    with db.session(roster) as s:
        exams = s.scalars(select(MockExam)).all()
    assert ledger(roster) == ledger_before and quizzes.progress("A0001", NOW.year) == standing_before
    assert [(e.blueprint, float(e.score), json.loads(e.sections)[0]["earned"], e.passed) for e in exams] == [
        ("mock-daily", result["score"], 20, result["passed"])]
    history = practice.mock_choices("A0001")["history"]
    assert [(h["blueprint"], h["score"], h["submitted_at"][:16]) for h in history] == [
        ("mock-daily", result["score"], "2026-06-01T08:15")]
    wrong = {qid for i, (qid, a) in enumerate(answers.items()) if result["items"][qid][""]["correct"] is False}
    assert {e["question"]["id"] for e in practice.wrong_book("A0001")["entries"]} == wrong  # wrong answers: in the book


def test_a_case_questions_open_parts_are_not_scored_and_said_so(roster):  # noqa: F811
    paper = practice.start_mock("A0001", "cert-2026-q4", NOW, seed=7)
    result = practice.submit_mock("A0001", paper["id"], mock_answers(paper, right=lambda i: True),
                                  NOW + dt.timedelta(minutes=60))
    case = next(s for s in result["sections"] if s["id"] == "case")
    assert case["earned"] == case["max"] and case["max"] + case["unscored"] == pytest.approx(10)
    assert result["score"] == result["max_score"] and result["passed"]


def test_a_late_submission_is_marked_overtime_and_another_officer_cannot_submit(roster):  # noqa: F811
    paper = practice.start_mock("A0001", "mock-daily", NOW, seed=5)
    with pytest.raises(quizzes.Refused) as refused:
        practice.submit_mock("A0002", paper["id"], {}, NOW)
    assert refused.value.status == 404
    result = practice.submit_mock("A0001", paper["id"], {}, NOW + dt.timedelta(minutes=25))
    assert result["overtime"] and result["score"] == 0 and not result["passed"]


@pytest.mark.parametrize("call, status", [
    (lambda: practice.start_mock("A0001", "no-such-blueprint", NOW), 404),
    (lambda: practice.submit_mock("A0001", 999, {}, NOW), 404),
    (lambda: practice.submit_mock("A0001", 1, "A", NOW), 400),
    (lambda: practice.start_mock("Z9999", "mock-daily", NOW), 403),
    (lambda: practice.submit_mock("A0001", practice.start_mock("A0001", "mock-daily", NOW)["id"],
                                  {"x": {"": "A" * 5000}}, NOW), 413),
])
def test_bad_mock_requests_are_refused_in_chinese(roster, call, status):  # noqa: F811
    with pytest.raises(quizzes.Refused) as refused:
        call()
    assert refused.value.status == status and any("\u4e00" <= c <= "\u9fff" for c in str(refused.value))
