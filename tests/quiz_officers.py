"""Simulated officers for the training quizzes: one who answers A / 错误 everywhere, one who copies every key he has
been shown into later rounds (guessing like the first where he has none), and one who knows the keys. Each answers an
item (a question or a 案例分析 part) as he would by clicking: ``seed`` is the option order's seed of the round, so
"A" is the option shown first, whatever the bank's letter."""

from __future__ import annotations

from typing import Any

from questionbank.quiz_views import shown_order


def set_answer(view, value, key: str = "") -> None:
    """Set a question view's input as a click would (checkboxes for a 多选题, the control otherwise)."""
    inp = view.inputs[key]
    if inp.checkboxes:
        for letter, box in inp.checkboxes.items():
            box.value = letter in value
    else:
        inp.control.value = value


def key_of(item) -> Any:
    """The key as a response (what an officer who knows it submits)."""
    if item.type in ("single", "judge"):
        return item.answer
    if item.type == "multiple":
        return list(item.answer)
    if item.type == "numeric":
        return str(int(item.answer)) if item.answer is not None else item.accepted[0]
    return "我的回答"


def guess(item, seed) -> Any:
    """A / 错误 everywhere: the option shown first, 错误 for a 判断题, "A" typed into a blank."""
    if item.type == "single":
        return shown_order(item, seed)[0]
    if item.type == "multiple":
        return [shown_order(item, seed)[0]]
    if item.type == "judge":
        return False
    if item.type == "numeric":
        return "A"
    return ""


class Officer:
    """``kind``: "guesser", "copier" or "knower". ``seen`` holds the keys he has been shown, by item id."""

    def __init__(self, kind: str):
        self.kind = kind
        self.seen: dict[str, Any] = {}

    def respond(self, item, seed) -> Any:
        if self.kind == "knower":
            return key_of(item)
        if self.kind == "copier" and item.id in self.seen:
            return self.seen[item.id]
        return guess(item, seed)

    def responses(self, question, seed) -> dict[str, Any]:
        items = {p.id: p for p in question.parts} if question.parts else {"": question}
        return {key: self.respond(item, seed) for key, item in items.items()}

    def shown(self, question) -> None:
        """The key of this question was on screen."""
        for item in question.parts or [question]:
            self.seen[item.id] = key_of(item)
