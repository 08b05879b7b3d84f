"""The 错题本: an officer's wrong answers, read from the stored answers, and practising them again.

Stored answers are item records (a whole question ``qid``, or one part ``qid/part`` of a 案例分析 question) with the
module and quiz they were given in, in time order. The answers given together (same question, module, quiz and time)
make one submission; a submission is wrong when an objective item of it is wrong.

The rule of the book, for each question, replayed in time order:

- a wrong submission anywhere (a course quiz, 「再练一遍」, a 模拟考试) puts the question in the book (again);
- a right submission in practice (``PRACTICE``) or in a mock exam (``MOCK``) marks it 已掌握: it leaves the book.
  A right answer in a quiz's 「再做一次」 round does not: that round comes right after the key was shown.

Questions no longer usable (retired, waiting for re-review, gone from the bank) are left out: their key may be wrong.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any, Iterable, Mapping

from questionbank.model import Question
from questionbank.scoring import Score, score

PRACTICE = "practice"  # the tracker's module id of 「再练一遍」 answers (tracker.practice.PRACTICE)
MOCK = "mock"  # the tracker's module id of mock exam answers (tracker.practice.MOCK)
CLEARING = {PRACTICE, MOCK}


@dataclass
class WrongEntry:
    """One question in the book: the last wrong answer (by part key, ``""`` for a whole question) and where it was met."""

    question: Question
    responses: dict[str, Any]
    module: str  # where it was first answered wrong (a module id, PRACTICE or MOCK)
    quiz: str
    wrong_times: int
    last_wrong: dt.datetime
    mastered: bool = False
    mastered_at: dt.datetime | None = None

    def to_json(self) -> dict[str, Any]:
        return {"question": self.question.to_mapping(), "responses": self.responses, "module": self.module,
                "quiz": self.quiz, "wrong_times": self.wrong_times, "last_wrong": self.last_wrong.isoformat(),
                "mastered": self.mastered,
                "mastered_at": self.mastered_at.isoformat() if self.mastered_at else None}


@dataclass
class _Submission:
    question: str
    module: str
    quiz: str
    at: dt.datetime
    responses: dict[str, Any] = field(default_factory=dict)
    outcomes: list[bool] = field(default_factory=list)


def _submissions(answers: Iterable[Mapping[str, Any]]) -> list[_Submission]:
    out: dict[tuple, _Submission] = {}
    for a in answers:
        qid, _, part = str(a["item"]).partition("/")
        key = (qid, a["module"], a["quiz"], a["at"])
        sub = out.setdefault(key, _Submission(qid, a["module"], a["quiz"], a["at"]))
        sub.responses[part] = a["response"]
        if a["correct"] is not None:
            sub.outcomes.append(bool(a["correct"]))
    return list(out.values())  # dicts keep insertion order: time order when the answers are


def wrong_book(answers: Iterable[Mapping[str, Any]], questions: Mapping[str, Question]) -> list[WrongEntry]:
    """The book from stored answers (``tracker.practice.answers_of``), oldest wrong first; mastered entries included
    (``mastered`` True) so that the page can count them."""
    book: dict[str, WrongEntry] = {}
    for sub in _submissions(answers):
        question = questions.get(sub.question)
        if question is None or not question.usable() or not sub.outcomes:
            continue
        entry = book.get(sub.question)
        if not all(sub.outcomes):
            if entry is None:
                book[sub.question] = WrongEntry(question, sub.responses, sub.module, sub.quiz, 1, sub.at)
            else:
                entry.responses, entry.last_wrong = sub.responses, sub.at
                entry.wrong_times += 1
                entry.mastered, entry.mastered_at = False, None
        elif entry is not None and sub.module in CLEARING and not entry.mastered:
            entry.mastered, entry.mastered_at = True, sub.at
    return list(book.values())


def grade(question: Question, responses: Mapping[str, Any], multiple_rule: str = "all_or_nothing") -> dict[str, Score]:
    """Each item of a submission scored: by part id for a 案例分析 question, ``""`` for a whole question. The parts
    answered must be exactly the question's (``ValueError`` otherwise)."""
    items = {p.id: p for p in question.parts} if question.parts else {"": question}
    if not isinstance(responses, Mapping) or set(responses) != set(items):
        raise ValueError("答案格式无效：应答项与题目不符")
    return {key: score(item, responses[key], multiple_rule) for key, item in items.items()}


def all_right(scores: Mapping[str, Score]) -> bool | None:
    """True when every objective item is right; None when nothing is scored automatically."""
    objective = [s.correct for s in scores.values() if s.correct is not None]
    return all(objective) if objective else None


def response_text(item: Any, response: Any) -> str:
    """An officer's answer as he reads it, in the bank's letters: ``B. 五日``, ``A、C``, ``错误``, ``7日``."""
    if response is None or response == "" or response == []:
        return "未作答"
    if item.type == "single" and isinstance(response, str):
        return f"{response}. {item.options.get(response, '')}".strip()
    if item.type == "multiple" and isinstance(response, list):
        return "、".join(sorted(str(r) for r in response)) or "未作答"
    if item.type == "judge" and isinstance(response, bool):
        return "正确" if response else "错误"
    return str(response)
