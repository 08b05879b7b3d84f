"""Options shown in an order drawn per officer and attempt, labelled A, B, C … as shown, graded by the bank's letters;
option labels that wrap instead of being cut."""

from __future__ import annotations

from collections import Counter
from pathlib import Path

import ipywidgets as widgets
import pytest

import questionbank.quiz as quiz_module
from ground.identity import OFFICER_ENV
from questionbank.loading import load_bank
from questionbank.quiz import MemoryRecorder, Quiz
from questionbank.quiz_views import OPTIONS_CLASS, AnswerInput

TEMPLATES = Path(__file__).resolve().parents[2] / "questionbank" / "templates"


@pytest.fixture(autouse=True)
def _nobody(monkeypatch):
    for name in OFFICER_ENV:
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setattr(quiz_module, "_session_officer", None)


@pytest.fixture(scope="module")
def bank():
    loaded = load_bank([TEMPLATES])
    assert not loaded.problems
    return loaded.by_id()


def shown_labels(inp: AnswerInput) -> list[str]:
    if inp.checkboxes:
        return [box.description for box in inp.control.children]
    return [label for label, _ in inp.control.options]


def test_two_seeds_two_orders_and_the_bank_letters_grade_right(bank):
    single = bank["cf-hearing-901"]  # A 三日, B 五日 (key), C 七日, D 十日
    first, second = AnswerInput(single, "E2E001/q1/1"), AnswerInput(single, "E2E001/q1/2")
    assert shown_labels(first) == ["A. 七日", "B. 五日", "C. 十日", "D. 三日"]
    assert shown_labels(second) == ["A. 三日", "B. 七日", "C. 十日", "D. 五日"]
    assert [value for _, value in first.control.options] == ["C", "B", "D", "A"]  # the values stay the bank's
    assert AnswerInput(single, "E2E001/q1/1").order == first.order  # the same seed, the same order
    assert shown_labels(AnswerInput(single)) == ["A. 三日", "B. 五日", "C. 七日", "D. 十日"]  # no seed: the bank's order
    for inp, shown_key in ((first, "B. 五日"), (second, "D. 五日")):
        inp.control.label = shown_key  # the officer clicks the label that reads 五日
        assert inp.response() == "B"
        assert inp.key_text() == shown_key


def test_multiple_choice_is_shown_shuffled_and_answered_by_the_bank_letters(bank):
    multiple = bank["cf-general-901"]  # A 通报批评, B 限制从业, C 责令改正, D 降低资质等级; key A, B, D
    inp = AnswerInput(multiple, "E2E001/q1/2")
    assert shown_labels(inp) == ["A. 降低资质等级", "B. 责令改正", "C. 通报批评", "D. 限制从业"]
    for box in inp.control.children:
        box.value = "责令改正" not in box.description
    assert inp.response() == ["A", "B", "D"]
    assert inp.key_text() == "A、C、D"


def test_a_quiz_reshuffles_each_round_and_grades_the_same(bank):
    single = bank["cf-hearing-901"]
    recorder = MemoryRecorder()
    quiz = Quiz([single], recorder, officer="E2E001", quiz_id="q1", shuffle_seed="E2E001/q1")
    view = quiz.views[0]
    round_one = shown_labels(view.inputs[""])
    view.inputs[""].control.value = "A"  # 三日: wrong, and no stand-in: the key stays hidden, the question comes back
    view.submit_button.click()
    assert "正确答案" not in view.feedback.value
    quiz.redo()
    again = quiz.views[0].inputs[""]
    assert shown_labels(again) != round_one
    again.control.value = "B"
    quiz.views[0].submit_button.click()
    assert [(a.response, a.correct) for a in recorder.attempts] == [("A", False), ("B", True)]
    other = Quiz([single], officer="A0002", quiz_id="q1", shuffle_seed="A0002/q1")
    assert [shown_labels(v.inputs[""]) for v in other.views] != [round_one]


def test_the_key_lands_on_every_shown_letter(bank):
    """Answering A everywhere is no strategy: over many officers the key is shown under each letter about as often."""
    single = bank["cf-hearing-901"]
    shown = Counter(AnswerInput(single, f"officer{i}/q1/1").shown["B"] for i in range(400))
    assert set(shown) == {"A", "B", "C", "D"} and max(shown.values()) < 0.35 * 400, shown


def test_option_labels_wrap(bank):
    for qid in ("cf-hearing-901", "cf-general-901"):
        inp = AnswerInput(bank[qid], "s")
        assert OPTIONS_CLASS in inp.control._dom_classes
        style = inp.widget.children[0]
        assert isinstance(style, widgets.HTML) and "white-space: normal" in style.value
        assert style.layout.display == "none"
