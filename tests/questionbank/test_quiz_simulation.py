"""Measure the quizzes, in the kernel as under ``make run``: for EVERY module of the catalog, an officer who answers
A / 错误 everywhere, or who copies into later rounds every key he was shown, does not pass, however many rounds he
tries (up to ROUNDS); one who knows the keys passes in the first round (so the check can fail). The kernel's grader
(``LocalGrader``: rounds, keys shown, pass rule) is driven for every module; the quiz widget itself, clicked as on the
page, for the modules guessing did best on before. The same on the service: tests/service/test_quiz_simulation.py."""

from __future__ import annotations

import pytest

from curriculum import catalog
from questionbank.quiz import LocalGrader, MemoryRecorder, Quiz
from questionbank.quiz_rounds import Progress
from tests.quiz_officers import Officer, set_answer

ROUNDS = 12
QUIZZES = [(m.id, q.id) for m in catalog.catalog() for q in m.quizzes]
OFFICERS = ("SIM0001", "SIM0002", "SIM0003")


def seed_of(officer_no: str, module_id: str, quiz_id: str) -> str:
    return f"{officer_no.lower()}/{module_id}/{quiz_id}"  # as academy.learning.Module gives it


def play_grader(module_id: str, quiz_id: str, officer_no: str, kind: str) -> tuple[bool, int]:
    """Round after round through the kernel's grader; (passed, rounds answered)."""
    module = catalog.module(module_id)
    seed = seed_of(officer_no, module_id, quiz_id)
    grader = LocalGrader(Progress(catalog.quiz_slots(module, quiz_id), seed, module.pass_mark), officer_no,
                         f"{module_id}/{quiz_id}", MemoryRecorder())
    officer = Officer(kind)
    for _ in range(ROUNDS):
        view = grader.open()
        for question in view.questions:
            full = grader.progress.by_id[question.id]
            graded = grader.grade(question, officer.responses(full, f"{seed}/{view.summary.round}"))
            if graded.key_shown:
                officer.shown(full)
        summary = grader.progress.summary()
        if summary.passed or not summary.can_redo:
            break
    return grader.progress.passed, grader.progress.round


def play_widget(module_id: str, quiz_id: str, officer_no: str, kind: str) -> tuple[bool, int]:
    """The same, clicking the quiz widget; the keys copied are those the feedback shows on screen."""
    module = catalog.module(module_id)
    slots = catalog.quiz_slots(module, quiz_id)
    full = {q.id: q for candidates in slots for q in candidates}
    quiz = Quiz([s[0] for s in slots], MemoryRecorder(), officer=officer_no, quiz_id=f"{module_id}/{quiz_id}",
                pass_mark=module.pass_mark, shuffle_seed=seed_of(officer_no, module_id, quiz_id),
                alternates={s[0].id: s[1:] for s in slots})
    officer = Officer(kind)
    for _ in range(ROUNDS):
        for view in quiz.views:
            question = full[view.question.id]
            for key, value in officer.responses(question, f"{quiz.shuffle_seed}/{quiz.round}").items():
                set_answer(view, value, key)
            view.submit_button.click()
            assert view.submitted, view.feedback.value
            if "正确答案：" in view.feedback.value:
                officer.shown(question)
        if quiz.passed or quiz.redo_button.layout.display == "none":
            break
        quiz.redo_button.click()
    return quiz.passed, quiz.round


@pytest.mark.parametrize("module_id, quiz_id", QUIZZES)
def test_guessing_or_copying_keys_passes_no_module_and_knowing_them_does(module_id, quiz_id):
    for officer_no in OFFICERS:
        for kind in ("guesser", "copier"):
            passed, rounds = play_grader(module_id, quiz_id, officer_no, kind)
            assert not passed, (kind, officer_no, rounds)
        assert play_grader(module_id, quiz_id, officer_no, "knower") == (True, 1)


@pytest.mark.parametrize("module_id", ["legal-cf-enforcement", "ops-decision-service", "legal-cf-hearing"])
def test_the_same_clicking_the_widget(module_id):
    for kind in ("guesser", "copier"):
        passed, rounds = play_widget(module_id, "q1", "SIM0001", kind)
        assert not passed and rounds > 3, (kind, rounds)
    assert play_widget(module_id, "q1", "SIM0001", "knower") == (True, 1)
