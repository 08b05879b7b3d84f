"""The rounds of a quiz (``questionbank.quiz_rounds``): which stand-ins a slot has, and, answering at random through
every module's quiz, that a shown key's question never comes back and a slot not yet answered right is always asked."""

from __future__ import annotations

import dataclasses
import random

import pytest

from curriculum import catalog
from questionbank.quiz_rounds import Answer, Progress, build_slots


def test_stand_ins_are_as_hard_to_guess_cite_what_is_taught_and_belong_to_one_slot():
    for module in catalog.catalog():
        for quiz in module.quizzes:
            slots = catalog.quiz_slots(module, quiz.id)
            listed = {c[0].id for c in slots}
            taught = set((module.review or {}).get("articles") or {}) | {str(c) for c in slots_basis(slots)}
            seen = set()
            for first, *others in slots:
                for other in others:
                    assert other.id not in listed and other.id not in seen and other.usable()
                    assert (other.topic, other.type) == (first.topic, first.type)
                    assert len(other.options) == len(first.options)
                    if first.type == "judge":
                        assert other.answer == first.answer
                    if first.type == "multiple":
                        assert len(other.answer) == len(first.answer)
                    assert any(str(c) in taught for c in other.basis)
                    seen.add(other.id)
    assert sum(len(c) - 1 for c in catalog.quiz_slots(catalog.module("legal-cf-setting"), "q1")) > 10


def slots_basis(slots):
    return [c for candidates in slots for c in candidates[0].basis]


def test_a_draft_or_a_question_of_another_topic_never_stands_in():
    bank = list(catalog.bank_questions())
    listed = [next(q for q in bank if q.usable() and q.type == "single")]
    twin = dataclasses.replace(listed[0], id="twin-001")
    draft = dataclasses.replace(listed[0], id="draft-001", status="draft")
    elsewhere = dataclasses.replace(listed[0], id="other-001", topic="another_topic")
    [(first, *others)] = build_slots(listed, [listed[0], twin, draft, elsewhere])
    assert first is listed[0] and [q.id for q in others] == ["twin-001"]


@pytest.mark.parametrize("module_id", [m.id for m in catalog.catalog()])
def test_answering_at_random_a_shown_key_never_returns_and_every_open_slot_is_asked(module_id):
    module = catalog.module(module_id)
    slots = catalog.quiz_slots(module, "q1")
    rng = random.Random(module_id)
    progress = Progress(slots, f"r/{module_id}", module.pass_mark)
    shown: set[str] = set()
    for _ in range(15):
        for question in progress.questions:
            assert question.id not in shown
            right = rng.random() < 0.5
            if progress.record(Answer(question.id, right, 1.0 if right else 0.0)):
                shown.add(question.id)
        if progress.passed or not progress.next_round():
            break
        assert progress.scored_slots - progress.mastered <= set(progress.current)  # no slot left without a question
    # the same answers replayed give the same state (what a reopened page and the service rebuild)
    replay = Progress(slots, f"r/{module_id}", module.pass_mark, progress.log)
    assert (replay.round, replay.passed, replay.score(), replay.key_shown) == \
        (progress.round, progress.passed, progress.score(), progress.key_shown)

