"""A module's quiz under ``make run`` keeps the officer's place in the ledger's attempts: a closed page reopened shows
the round he was in, his answers and their feedback; the verdict and the completion are each said once."""

import pytest

from academy import learning
from curriculum import catalog
from tests.quiz_officers import key_of

MODULE = "legal-cf-hearing"


pytestmark = pytest.mark.usefixtures("study_database")


def wrong_of(item):
    if item.type == "single":
        return next(k for k in item.options if k != item.answer)
    if item.type == "multiple":
        return [k for k in item.options if k not in item.answer][:1]
    if item.type == "judge":
        return not item.answer
    return "99999"


def answer(view, right: bool):
    for inp in view.inputs.values():
        value = key_of(inp.item) if right else wrong_of(inp.item)
        if inp.checkboxes:
            for letter, box in inp.checkboxes.items():
                box.value = letter in value
        else:
            inp.control.value = value
    view.submit_button.click()


def labels(view):
    control = view.inputs[""].control
    return [b.description for b in control.children] if view.inputs[""].checkboxes else list(getattr(control, "options", ()))


def verdicts(text):
    return text.count("回答正确") + text.count("回答错误")


def test_a_closed_page_reopens_where_the_officer_was():
    quiz = learning.Module(MODULE, officer="T0001").quiz("q1").quiz
    first = [v.question.id for v in quiz.views]
    answer(quiz.views[0], True)
    answer(quiz.views[1], False)
    feedback = [quiz.views[0].feedback.value, quiz.views[1].feedback.value]
    shown = [labels(v) for v in quiz.views]

    again = learning.Module(MODULE, officer="T0001").quiz("q1").quiz  # the tab closed and opened again
    assert [v.question.id for v in again.views] == first and again.round == 1
    assert [v.submitted for v in again.views[:3]] == [True, True, False]
    assert [again.views[0].feedback.value, again.views[1].feedback.value] == feedback
    assert again.views[0].inputs[""].response() == quiz.views[0].inputs[""].response()  # his answer, still selected
    assert [labels(v) for v in again.views] == shown  # the same option order for the same round
    assert "本轮已答 2/" in again.summary.value

    for view in again.views[2:]:
        answer(view, False)
    third = learning.Module(MODULE, officer="T0001").quiz("q1").quiz
    assert third.round == 2 and not any(v.submitted for v in third.views)  # the next round, with stand-ins
    assert set(v.question.id for v in third.views) - set(first)
    assert "第2轮" in third.summary.value
    other = learning.Module(MODULE, officer="T0002").quiz("q1").quiz  # another officer starts afresh
    assert other.round == 1 and not any(v.submitted for v in other.views)


def test_the_verdict_and_the_completion_are_said_once():
    module = learning.Module(MODULE, officer="T0003")
    shown = module.quiz("q1")
    quiz = shown.quiz
    for view in quiz.views:
        answer(view, True)
        assert verdicts(view.feedback.value) == 1, view.feedback.value
        assert view.feedback.value.count("正确答案：") == 1
    text = quiz.summary.value + module.status.value
    assert text.count("本测验已通过") == 1 and text.count("已记入") == 1
    assert f"已记入 {catalog.module(MODULE).hours:g} 学时" in module.status.value
