"""Quizzes graded by the 学堂服务: keys stay on the server, each request is recorded once, the server decides 学时."""

import datetime as dt
import json

import pytest
from sqlalchemy import func, select

from curriculum import catalog
from service import quizzes
from tests.quiz_officers import key_of
from tests.sheets import write_csv
from tracker import db
from tracker import service as ledger_service
from tracker.models import LedgerEntry, QuizAttempt

MODULE, QUIZ = "legal-cf-hearing", "q1"
NOW = dt.datetime(2026, 6, 1, 8, 0, tzinfo=dt.timezone.utc)


@pytest.fixture
def roster(db_url, tmp_path):
    path = write_csv(tmp_path / "名册.csv", [["人员编号", "姓名", "单位"], ["A0001", "张伟", "某县市场监督管理局"],
                                            ["A0002", "李娜", "某县市场监督管理局"]])
    ledger_service.import_roster_file(path, recorded_by="测试")
    return db_url


def responses(question, right=True):
    items = {p.id: p for p in question.parts} if question.parts else {"": question}
    out = {}
    for key, item in items.items():
        value = key_of(item)
        if not right and item.type == "single":
            value = next(k for k in item.options if k != item.answer)
        elif not right and item.type == "judge":
            value = not item.answer
        out[key] = value
    return out


def questions():
    return catalog.module(MODULE).quiz(QUIZ).select(list(catalog.bank_questions()))


def test_the_public_quiz_holds_no_key_no_explanation_and_no_basis():
    text = json.dumps(quizzes.public_quiz(MODULE, QUIZ), ensure_ascii=False)
    for q in questions():
        assert q.explanation not in text
        for forbidden in ("answer", "explanation", "basis", "reference", "rubric", "accepted"):
            assert f'"{forbidden}"' not in text


def test_answering_every_question_right_completes_the_module_once_with_the_service_as_recorder(roster):
    result = None
    for i, q in enumerate(questions()):
        result = quizzes.answer("a0001", MODULE, QUIZ, q.id, responses(q), f"request-{i:04d}", NOW)
        assert all(s["correct"] in (True, None) for s in result.scores.values())
        assert result.question["id"] == q.id and "explanation" in result.question
    assert result.quiz_passed and result.module_completed and "已记入" in result.message
    with db.session(roster) as s:
        entries = s.scalars(select(LedgerEntry)).all()
    assert [(e.recorded_by, e.source_kind, float(e.hours)) for e in entries] == [
        ("学堂服务", "module", catalog.module(MODULE).hours)]


def test_a_retried_request_is_recorded_once_and_says_so(roster):
    q = questions()[0]
    first = quizzes.answer("A0001", MODULE, QUIZ, q.id, responses(q), "same-request-1", NOW)
    again = quizzes.answer("A0001", MODULE, QUIZ, q.id, responses(q), "same-request-1", NOW)
    assert not first.repeated and again.repeated
    with db.session(roster) as s:
        assert s.scalar(select(func.count(QuizAttempt.id))) == (len(q.parts) or 1)


def full(question_id):
    return next(q for candidates in catalog.quiz_slots(catalog.module(MODULE), QUIZ) for q in candidates
                if q.id == question_id)


def test_wrong_answers_bring_stand_ins_and_the_quiz_passes_once_each_is_answered_right(roster):
    first = [q["id"] for q in quizzes.public_quiz(MODULE, QUIZ, "A0002", NOW)["questions"]]
    assert first == [q.id for q in questions()]
    for i, qid in enumerate(first):
        result = quizzes.answer("A0002", MODULE, QUIZ, qid, responses(full(qid), right=False), f"wrong-{i:04d}", NOW)
    wrong = len(first) - result.summary["mastered"]
    assert not result.quiz_passed and result.summary["can_redo"] and wrong > 0
    shown = quizzes.public_quiz(MODULE, QUIZ, "A0002", NOW)  # the page reopened: round 2
    assert shown["summary"]["round"] == 2 and shown["answered"] == {}
    second = [q["id"] for q in shown["questions"]]
    assert len(second) == wrong and set(second) - set(first)  # stand-ins where the bank has them
    for i, qid in enumerate(second):
        result = quizzes.answer("A0002", MODULE, QUIZ, qid, responses(full(qid)), f"right-{i:04d}", NOW)
        assert result.key_shown and result.question["answer"] is not None
    mastered = result.summary["mastered"]
    while not result.quiz_passed:  # a new set, until the score counting each question at its latest answer is met
        shown = quizzes.public_quiz(MODULE, QUIZ, "A0002", NOW)
        assert shown["summary"]["can_redo"] or shown["summary"]["round"] > 2
        for i, q in enumerate(shown["questions"]):
            result = quizzes.answer("A0002", MODULE, QUIZ, q["id"], responses(full(q["id"])),
                                    f"more-{shown['summary']['round']}-{i:03d}", NOW)
    assert mastered == len(first) and result.module_completed


def test_a_reopened_quiz_shows_the_answers_given_and_hides_the_keys_of_questions_that_come_back(roster):
    qs = questions()
    right = quizzes.answer("A0001", MODULE, QUIZ, qs[0].id, responses(qs[0]), "reopen-0001", NOW)
    assert right.key_shown and right.summary["round"] == 1
    shown = quizzes.public_quiz(MODULE, QUIZ, "A0001", NOW)
    assert [q["id"] for q in shown["questions"]] == [q.id for q in qs] and list(shown["answered"]) == [qs[0].id]
    done = shown["answered"][qs[0].id]
    assert done["responses"] == responses(qs[0]) and done["key_shown"] and done["question"]["explanation"]
    # a question asked in another round than the current one is refused
    later = next(q for c in catalog.quiz_slots(catalog.module(MODULE), QUIZ) for q in c[1:])
    with pytest.raises(quizzes.Refused) as refused:
        quizzes.answer("A0001", MODULE, QUIZ, later.id, responses(later), "reopen-0002", NOW)
    assert refused.value.status == 409
    # a question without a stand-in left, answered wrong: no key, no 解析, only the articles to reread
    slots = catalog.quiz_slots(catalog.module(MODULE), QUIZ)
    alone = next((c[0] for c in slots if len(c) == 1 and c[0].type in ("single", "judge")), None)
    if alone is not None:
        result = quizzes.answer("A0001", MODULE, QUIZ, alone.id, responses(alone, right=False), "reopen-0003", NOW)
        text = json.dumps(result.to_json(), ensure_ascii=False, default=str)
        assert not result.key_shown and '"answer"' not in text and '"explanation"' not in text
        assert result.question["basis"] and alone.explanation not in text


@pytest.mark.parametrize("bad, status, words", [
    ({"question": "no-such-question"}, 404, "没有题目"),
    ({"responses": "A"}, 400, "答案格式无效"),
    ({"responses": {"": "A", "x": "B"}}, 400, "应答项与题目不符"),
    ({"responses": {"": "A" * 5000}}, 413, "答案过长"),
    ({"request_id": "短"}, 400, "请求编号无效"),
])
def test_malformed_answers_are_refused_with_a_reason_and_nothing_is_recorded(roster, bad, status, words):
    q = next(q for q in questions() if not q.parts)
    call = {"question": q.id, "responses": {"": q.answer}, "request_id": "request-ok-1"} | bad
    with pytest.raises(quizzes.Refused) as refused:
        quizzes.answer("A0001", MODULE, QUIZ, call["question"], call["responses"], call["request_id"], NOW)
    assert refused.value.status == status and words in str(refused.value)
    with db.session(roster) as s:
        assert s.scalar(select(func.count(QuizAttempt.id))) == 0


def test_someone_not_on_the_roster_is_refused_and_not_created(roster):
    q = questions()[0]
    with pytest.raises(quizzes.Refused) as refused:
        quizzes.answer("Z9999", MODULE, QUIZ, q.id, responses(q), "request-zz-1", NOW)
    assert refused.value.status == 403 and "名册中没有" in str(refused.value)


def test_an_unknown_quiz_is_refused():
    with pytest.raises(quizzes.Refused) as refused:
        quizzes.public_quiz("no-such-module", "q1")
    assert refused.value.status == 404
