"""The question model: ``Question``, its ``Part``s and ``Review``, the vocabularies of types and statuses, and the
mapping a bank file holds (``Question.to_mapping``). Reading a question from a bank file's mapping, with every problem
found, is ``questionbank.reading``.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field
from typing import Any

from questionbank.laws import Citation

TYPES = {"single": "单选", "multiple": "多选", "judge": "判断", "numeric": "数值", "case": "案例分析"}
PART_TYPES = {"single": "单选", "multiple": "多选", "judge": "判断", "open": "简答"}
STATUSES = {"draft": "草稿", "reviewed": "已审核", "retired": "停用"}
OPTION_LETTERS = "ABCDEF"
ID_RE = re.compile(r"^[a-z0-9][a-z0-9_-]*[a-z0-9]$")


@dataclass
class RubricPoint:
    point: str
    score: float


@dataclass
class Review:
    """The review trail: who reviewed the question, when, and the fingerprint of each cited article's text then.

    ``recheck`` lists the citations whose text has changed since (written by ``check-basis``); while it is not
    empty the question is not usable in quizzes and exams.
    """

    by: str
    date: dt.date
    articles: dict[str, str] = field(default_factory=dict)  # "行政处罚法@2021#51" -> fingerprint
    recheck: list[str] = field(default_factory=list)

    def to_mapping(self) -> dict[str, Any]:
        out: dict[str, Any] = {"by": self.by, "date": self.date, "articles": dict(self.articles)}
        if self.recheck:
            out["recheck"] = list(self.recheck)
        return out


@dataclass
class Part:
    """A sub-question of a 案例分析 question."""

    id: str
    type: str
    stem: str
    options: dict[str, str] = field(default_factory=dict)
    answer: Any = None
    reference: str = ""
    rubric: list[RubricPoint] = field(default_factory=list)
    basis: list[Citation] = field(default_factory=list)
    explanation: str = ""

    @property
    def points(self) -> float:
        return sum(r.score for r in self.rubric)


@dataclass
class Question:
    id: str
    type: str
    stem: str
    topic: str
    difficulty: int
    category: str
    domains: list[str]
    status: str
    options: dict[str, str] = field(default_factory=dict)
    answer: Any = None  # single: "B"; multiple: ("A", "C"); judge: bool; numeric: float or None
    tolerance: float = 0.0
    unit: str = ""
    accepted: list[str] = field(default_factory=list)
    explanation: str = ""
    basis: list[Citation] = field(default_factory=list)
    source: str = ""
    tags: list[str] = field(default_factory=list)
    parts: list[Part] = field(default_factory=list)
    review: Review | None = None
    file: str = ""

    def usable(self, drafts: bool = False) -> bool:
        """May this question be shown in a quiz or drawn for an exam? The one place that decides it.

        Reviewed (or, when ``drafts`` is asked for explicitly, a draft), never retired, and not waiting for
        re-review because a cited article's text changed after the review.
        """
        if self.review is not None and self.review.recheck:
            return False
        return self.status == "reviewed" or (drafts and self.status == "draft")

    @property
    def laws(self) -> list[str]:
        return sorted({c.law for c in self.all_citations()})

    def all_citations(self) -> list[Citation]:
        return self.basis + [c for p in self.parts for c in p.basis]

    def key_options(self) -> list[str]:
        """The letters of the key (single and multiple)."""
        if self.type == "single":
            return [self.answer] if self.answer else []
        if self.type == "multiple":
            return list(self.answer or ())
        return []

    def to_mapping(self) -> dict[str, Any]:
        """The mapping as written in a bank file (field order as in the templates)."""
        out: dict[str, Any] = {"id": self.id, "type": self.type, "stem": self.stem}
        if self.options:
            out["options"] = dict(self.options)
        if self.type == "judge":
            out["answer"] = "正确" if self.answer else "错误"
        elif self.type == "multiple":
            out["answer"] = list(self.answer)
        elif self.type == "numeric":
            if self.answer is not None:
                out["answer"] = int(self.answer) if float(self.answer).is_integer() else self.answer
                out["tolerance"] = int(self.tolerance) if float(self.tolerance).is_integer() else self.tolerance
            if self.unit:
                out["unit"] = self.unit
            if self.accepted:
                out["accepted"] = list(self.accepted)
        elif self.answer is not None:
            out["answer"] = self.answer
        if self.parts:
            out["parts"] = [_part_mapping(p) for p in self.parts]
        out["explanation"] = self.explanation
        out["basis"] = [str(c) for c in self.basis]
        out["difficulty"] = self.difficulty
        out["category"] = self.category
        out["domains"] = list(self.domains)
        out["status"] = self.status
        out["source"] = self.source
        if self.tags:
            out["tags"] = list(self.tags)
        if self.review is not None:
            out["review"] = self.review.to_mapping()
        return out


def _part_mapping(part: Part) -> dict[str, Any]:
    out: dict[str, Any] = {"id": part.id, "type": part.type, "stem": part.stem}
    if part.options:
        out["options"] = dict(part.options)
    if part.type == "judge":
        out["answer"] = "正确" if part.answer else "错误"
    elif part.type == "multiple":
        out["answer"] = list(part.answer)
    elif part.type == "single":
        out["answer"] = part.answer
    if part.type == "open":
        out["reference"] = part.reference
        out["rubric"] = [{"point": r.point, "score": _number(r.score)} for r in part.rubric]
    if part.basis:
        out["basis"] = [str(c) for c in part.basis]
    if part.explanation:
        out["explanation"] = part.explanation
    return out


def _number(x: float) -> int | float:
    return int(x) if float(x).is_integer() else x
