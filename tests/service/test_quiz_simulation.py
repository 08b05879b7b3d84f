"""Measure the quizzes on the 学堂服务 (its grading, rounds and records in a real database): for EVERY module of the
catalog, an officer who answers A / 错误 everywhere, or who copies into later rounds every key the service showed him,
does not pass, however many rounds he tries (up to ROUNDS); one who knows the keys passes in the first round."""

from __future__ import annotations

import datetime as dt

import pytest

from curriculum import catalog
from service import quizzes
from tests.quiz_officers import Officer
from tests.sheets import write_csv
from tracker import service as ledger_service

ROUNDS = 12
NOW = dt.datetime(2026, 6, 1, 8, 0, tzinfo=dt.timezone.utc)
QUIZZES = [(m.id, q.id) for m in catalog.catalog() for q in m.quizzes]
KINDS = {"SIM0001": "guesser", "SIM0002": "copier", "SIM0003": "knower"}


@pytest.fixture
def roster(db_url, tmp_path):
    rows = [["人员编号", "姓名", "单位"]] + [[no, f"模拟{kind}", "某县市场监督管理局"] for no, kind in KINDS.items()]
    ledger_service.import_roster_file(write_csv(tmp_path / "名册.csv", rows), recorded_by="测试")
    return db_url


def play(module_id: str, quiz_id: str, login: str) -> tuple[bool, int]:
    """Round after round as the learning page offers them (each opened afresh from the service); (passed, rounds)."""
    module = catalog.module(module_id)
    full = {q.id: q for candidates in catalog.quiz_slots(module, quiz_id) for q in candidates}
    officer = Officer(KINDS[login])
    seed = f"{login.lower()}/{module_id}/{quiz_id}"  # the option order the officer's page shows (academy.learning)
    for _ in range(ROUNDS):
        shown = quizzes.public_quiz(module_id, quiz_id, login, NOW)
        summary = shown["summary"]
        if summary["passed"] or (summary["round_complete"] and not summary["can_redo"]):
            break
        for q in shown["questions"]:
            question = full[q["id"]]
            result = quizzes.answer(login, module_id, quiz_id, question.id,
                                    officer.responses(question, f"{seed}/{summary['round']}"),
                                    f"{login}-{summary['round']:02d}-{question.id}"[:64], NOW)
            if result.key_shown:
                assert result.question.get("answer") is not None
                officer.shown(question)
            else:
                assert "answer" not in result.question and "explanation" not in result.question
        if result.quiz_passed:
            return True, summary["round"]
    return False, summary["round"]


@pytest.mark.parametrize("db_url", ["sqlite"], indirect=True)
@pytest.mark.parametrize("module_id, quiz_id", QUIZZES)
def test_guessing_or_copying_keys_passes_no_module_and_knowing_them_does(roster, module_id, quiz_id):
    guessed, copied = play(module_id, quiz_id, "SIM0001"), play(module_id, quiz_id, "SIM0002")
    assert not guessed[0] and not copied[0], (guessed, copied)
    assert guessed[1] > 3 and copied[1] > 3  # they kept trying
    assert play(module_id, quiz_id, "SIM0003") == (True, 1)
