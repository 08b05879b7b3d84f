"""The 错题本's rule over stored answers: a wrong answer anywhere puts a question in; a right one in practice or in a
mock exam takes it out (已掌握); a right one in a quiz's redo round, right after the key was shown, does not."""

import dataclasses
import datetime as dt

import pytest

from curriculum import catalog
from questionbank.practice import MOCK, PRACTICE, all_right, grade, response_text, wrong_book

T0 = dt.datetime(2026, 6, 1, 8, 0, tzinfo=dt.timezone.utc)
BANK = {q.id: q for q in catalog.bank_questions()}
SINGLE = next(q for q in BANK.values() if q.usable() and q.type == "single")
JUDGE = next(q for q in BANK.values() if q.usable() and q.type == "judge")
CASE = next(q for q in BANK.values() if q.usable() and q.type == "case" and {p.type for p in q.parts} >= {"single", "open"})


def wrong_letter(q):
    return next(k for k in q.options if k != q.answer)


def answer(item, response, correct, minutes, module="legal-cf-hearing", quiz="q1"):
    return {"module": module, "quiz": quiz, "item": item, "response": response, "correct": correct,
            "at": T0 + dt.timedelta(minutes=minutes)}


def test_a_wrong_answer_enters_the_book_with_the_answer_given_and_where():
    book = wrong_book([answer(SINGLE.id, wrong_letter(SINGLE), False, 0), answer(JUDGE.id, JUDGE.answer, True, 1)], BANK)
    assert [(e.question.id, e.responses, e.module, e.wrong_times, e.mastered) for e in book] == [
        (SINGLE.id, {"": wrong_letter(SINGLE)}, "legal-cf-hearing", 1, False)]


def test_right_in_the_quiz_redo_round_stays_right_in_practice_leaves_wrong_again_returns():
    history = [answer(SINGLE.id, wrong_letter(SINGLE), False, 0),
               answer(SINGLE.id, SINGLE.answer, True, 1)]  # 再做一次 in the quiz, just after the key was shown
    assert not wrong_book(history, BANK)[0].mastered
    history.append(answer(SINGLE.id, SINGLE.answer, True, 60, module=PRACTICE, quiz="wrong-book"))
    entry = wrong_book(history, BANK)[0]
    assert entry.mastered and entry.mastered_at == T0 + dt.timedelta(minutes=60)
    history.append(answer(SINGLE.id, wrong_letter(SINGLE), False, 90, module=MOCK, quiz="mock-daily"))
    entry = wrong_book(history, BANK)[0]
    assert not entry.mastered and entry.wrong_times == 2 and entry.module == "legal-cf-hearing"
    history.append(answer(SINGLE.id, SINGLE.answer, True, 120, module=MOCK, quiz="mock-daily"))
    assert wrong_book(history, BANK)[0].mastered


def test_a_case_question_is_wrong_when_one_objective_part_is_and_open_parts_do_not_count():
    objective = next(p for p in CASE.parts if p.type == "single")
    opened = next(p for p in CASE.parts if p.type == "open")
    history = [answer(f"{CASE.id}/{objective.id}", wrong_letter(objective), False, 0),
               answer(f"{CASE.id}/{opened.id}", "我的回答", None, 0)]
    entry = wrong_book(history, BANK)[0]
    assert entry.question.id == CASE.id and entry.responses == {objective.id: wrong_letter(objective), opened.id: "我的回答"}


def test_questions_no_longer_usable_or_gone_are_left_out():
    retired = dataclasses.replace(SINGLE, status="retired")
    history = [answer(SINGLE.id, wrong_letter(SINGLE), False, 0), answer("no-such-question", "A", False, 1)]
    assert wrong_book(history, {SINGLE.id: retired}) == []


def test_grading_a_practice_answer_scores_every_item_and_refuses_other_items():
    assert all_right(grade(SINGLE, {"": SINGLE.answer})) is True
    assert all_right(grade(SINGLE, {"": wrong_letter(SINGLE)})) is False
    with pytest.raises(ValueError, match="应答项与题目不符"):
        grade(SINGLE, {"x": "A"})
    scores = grade(CASE, {p.id: (p.answer if p.type != "open" else "要点") for p in CASE.parts})
    assert all_right(scores) is True and any(s.correct is None for s in scores.values())


def test_the_answer_given_reads_as_the_officer_wrote_it():
    assert response_text(SINGLE, "A") == f"A. {SINGLE.options['A']}"
    assert response_text(JUDGE, False) == "错误"
    assert response_text(JUDGE, None) == "未作答"
