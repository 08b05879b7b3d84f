"""A mock exam's paper from a blueprint and its score: the same seed the same paper, reviewed questions only, the
blueprint's multiple-choice rule, the points of the open parts of a 案例分析 question set apart."""

from curriculum import catalog
from grading import mock_exam

BANK = {q.id: q for q in catalog.bank_questions()}


def ids(paper):
    return [q for s in paper["sections"] for q in s["questions"]]


def test_every_blueprint_is_offered_and_described():
    described = {b["blueprint"]: b for b in map(mock_exam.describe, mock_exam.blueprints())}
    assert described["mock-daily"]["questions"] == 20 and described["mock-daily"]["duration_minutes"] == 20
    assert described["cert-2026-q4"]["total"] == 100


def test_the_same_seed_draws_the_same_paper_of_usable_questions_and_another_seed_another():
    bp = mock_exam.blueprint("mock-daily")
    first = mock_exam.draw(bp, BANK.values(), seed=11)
    assert ids(first) == ids(mock_exam.draw(bp, BANK.values(), seed=11))
    assert ids(first) != ids(mock_exam.draw(bp, BANK.values(), seed=12))
    assert all(BANK[q].usable() and BANK[q].type == s["type"] for s in first["sections"] for q in s["questions"])


def test_a_multiple_choice_answer_missing_an_option_earns_half_under_partial_half():
    bp = mock_exam.blueprint("mock-daily")
    paper = mock_exam.draw(bp, BANK.values(), seed=11)
    qid = next(q for s in paper["sections"] if s["type"] == "multiple" for q in s["questions"])
    key = list(BANK[qid].answer)
    result = mock_exam.score_mock(bp, paper, {qid: {"": key[:-1]}}, BANK)
    multiple = next(s for s in result.sections if s["id"] == "multiple")
    assert (multiple["earned"], multiple["max"]) == (3, 30) and result.earned == 3 and not result.passed
    assert result.items[qid][""].fraction == 0.5
