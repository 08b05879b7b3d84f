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
    practice.abandon_mock("A0001", paper["id"], NOW)  # one running at a time
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


def paper_ids(paper):
    return [q["id"] for s in paper["sections"] for q in s["questions"]]


def no_keys(reply):
    text = json.dumps(reply, ensure_ascii=False)
    return not any(f'"{k}"' in text for k in ("answer", "explanation", "basis", "reference", "rubric", "accepted"))


def test_answers_saved_as_one_goes_come_back_with_the_same_paper_and_the_servers_clock(roster):  # noqa: F811
    paper = practice.start_mock("A0001", "mock-daily", NOW, seed=3)
    assert practice.mock_choices("A0001", NOW)["running"]["id"] == paper["id"]
    ids = paper_ids(paper)
    given = mock_answers(paper, right=lambda i: i % 2 == 0)
    first = {qid: given[qid] for qid in ids[:5]}
    saved = practice.save_mock_progress("A0001", paper["id"], first, NOW + dt.timedelta(minutes=2))
    assert saved == {"id": paper["id"], "saved": 5, "seconds_left": 18 * 60.0} and no_keys(saved)
    later = {qid: given[qid] for qid in ids[:8]}  # the whole set each time: a repeat or a late one does no harm
    for _ in range(2):
        practice.save_mock_progress("A0001", paper["id"], later, NOW + dt.timedelta(minutes=5))
    back = practice.mock_choices("A0001", NOW + dt.timedelta(minutes=7))
    running = back["running"]
    assert running["id"] == paper["id"] and running["title"] == paper["title"] and no_keys(running)
    assert paper_ids(running) == ids and running["sections"] == paper["sections"]  # the same paper, in the same order
    assert running["deadline"] == paper["deadline"] and running["seconds_left"] == 13 * 60.0
    assert running["answers"] == later and back["history"] == []
    assert practice.mock_choices("A0002", NOW)["running"] is None  # another officer has none
    result = practice.submit_mock("A0001", paper["id"], given, NOW + dt.timedelta(minutes=15))
    assert not result["overtime"] and not result["automatic"]
    assert practice.mock_choices("A0001", NOW + dt.timedelta(minutes=16))["running"] is None
    with pytest.raises(quizzes.Refused) as refused:
        practice.save_mock_progress("A0001", paper["id"], first, NOW + dt.timedelta(minutes=16))
    assert refused.value.status == 409 and "已交卷" in str(refused.value)


def test_one_running_exam_at_a_time_and_giving_it_up_leaves_no_record(roster):  # noqa: F811
    paper = practice.start_mock("A0001", "mock-daily", NOW, seed=3)
    practice.save_mock_progress("A0001", paper["id"], mock_answers(paper, right=lambda i: False), NOW)
    with pytest.raises(quizzes.Refused) as refused:
        practice.start_mock("A0001", "cert-2026-q4", NOW + dt.timedelta(minutes=1), seed=4)
    assert refused.value.status == 409 and "未交卷的模拟考试「每日模拟练习（20题，20分钟）」" in str(refused.value)
    assert "剩余约 19 分钟" in str(refused.value)
    with pytest.raises(quizzes.Refused):
        practice.abandon_mock("A0002", paper["id"], NOW)  # not his
    assert practice.abandon_mock("A0001", paper["id"], NOW + dt.timedelta(minutes=2)) == {"id": paper["id"],
                                                                                          "abandoned": True}
    assert practice.abandon_mock("A0001", paper["id"], NOW + dt.timedelta(minutes=3))["abandoned"]  # twice: once
    for call in (lambda: practice.save_mock_progress("A0001", paper["id"], {}, NOW + dt.timedelta(minutes=3)),
                 lambda: practice.submit_mock("A0001", paper["id"], {}, NOW + dt.timedelta(minutes=3))):
        with pytest.raises(quizzes.Refused) as refused:
            call()
        assert refused.value.status == 409 and "已放弃" in str(refused.value)
    choices = practice.mock_choices("A0001", NOW + dt.timedelta(minutes=3))
    assert choices["running"] is None and choices["history"] == []
    assert practice.wrong_book("A0001")["entries"] == []  # the answers of a paper given up are no 错题
    new = practice.start_mock("A0001", "cert-2026-q4", NOW + dt.timedelta(minutes=3), seed=4)
    assert practice.mock_choices("A0001", NOW + dt.timedelta(minutes=4))["running"]["id"] == new["id"]


def test_an_exam_left_open_past_its_time_is_scored_from_the_saved_answers_when_he_comes_back(roster):  # noqa: F811
    paper = practice.start_mock("A0001", "mock-daily", NOW, seed=3)
    ids = paper_ids(paper)
    right = {qid: responses(BANK[qid]) for qid in ids[:5]}  # five single-choice questions right (4 points each)
    practice.save_mock_progress("A0001", paper["id"], right, NOW + dt.timedelta(minutes=19))
    with pytest.raises(quizzes.Refused) as refused:
        practice.save_mock_progress("A0001", paper["id"], right | {ids[5]: responses(BANK[ids[5]])},
                                    NOW + dt.timedelta(minutes=21, seconds=1))
    assert refused.value.status == 409 and "考试时间已到" in str(refused.value)
    within = practice.mock_choices("A0001", NOW + dt.timedelta(minutes=20, seconds=30))["running"]  # the grace
    assert within["id"] == paper["id"] and within["seconds_left"] == 0
    back = practice.mock_choices("A0001", NOW + dt.timedelta(days=2))
    assert back["running"] is None
    [record] = back["history"]
    assert (record["id"], record["score"], record["overtime"], record["automatic"]) == (paper["id"], 20, True, True)
    assert record["submitted_at"] == paper["deadline"]  # handed in at its deadline, by the academy
    again = practice.submit_mock("A0001", paper["id"], mock_answers(paper, right=lambda i: True), NOW + dt.timedelta(days=2))
    assert again["repeated"] and again["score"] == 20 and again["automatic"]  # the page's late 交卷 changes nothing
    assert len(practice.mock_choices("A0001", NOW + dt.timedelta(days=3))["history"]) == 1  # recorded once
    late = practice.start_mock("A0001", "mock-daily", NOW + dt.timedelta(days=3), seed=5)  # an own late 交卷: not automatic
    own = practice.submit_mock("A0001", late["id"], {}, NOW + dt.timedelta(days=3, minutes=25))
    assert own["overtime"] and not own["automatic"]


def test_coming_back_or_starting_anew_settles_every_exam_whose_time_ran_out(roster):  # noqa: F811
    paper = practice.start_mock("A0001", "mock-daily", NOW, seed=3)
    qid = paper_ids(paper)[0]
    practice.save_mock_progress("A0001", paper["id"], {qid: responses(BANK[qid], right=False)}, NOW)
    new = practice.start_mock("A0001", "mock-daily", NOW + dt.timedelta(hours=1), seed=4)  # the old one: scored first
    choices = practice.mock_choices("A0001", NOW + dt.timedelta(hours=1))
    assert choices["running"]["id"] == new["id"] and [h["id"] for h in choices["history"]] == [paper["id"]]
    assert [e["question"]["id"] for e in practice.wrong_book("A0001")["entries"]] == [qid]  # its wrong answer: a 错题
    with db.session(roster) as s:
        assert s.scalar(select(func.count(MockExam.id)).where(MockExam.submitted_at.is_(None))) == 1


@pytest.mark.parametrize("answers, status, words", [
    ("A", 400, "answers 应为对象"),
    ({"no-such-question": {"": "A"}}, 400, "不属于这份试卷"),
    (None, 413, "答案过长"),
])
def test_bad_savings_are_refused_in_chinese_and_change_nothing(roster, answers, status, words):  # noqa: F811
    paper = practice.start_mock("A0001", "mock-daily", NOW, seed=3)
    qid = paper_ids(paper)[0]
    practice.save_mock_progress("A0001", paper["id"], {qid: {"": "A"}}, NOW)
    if answers is None:
        answers = {qid: {"": "A" * 5000}}
    with pytest.raises(quizzes.Refused) as refused:
        practice.save_mock_progress("A0001", paper["id"], answers, NOW)
    assert refused.value.status == status and words in str(refused.value)
    with pytest.raises(quizzes.Refused) as refused:
        practice.save_mock_progress("A0002", paper["id"], {}, NOW)
    assert refused.value.status == 404
    assert practice.mock_choices("A0001", NOW)["running"]["answers"] == {qid: {"": "A"}}


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
