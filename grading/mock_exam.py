"""模拟考试: one form drawn from an exam blueprint (the assembler, reviewed questions only, as for a real exam),
scored at once with a per-section breakdown. It gives no 学时 and leaves no paper in the exam history.

Scoring follows the real exam: a question earns ``points × fraction`` (multiple choice by the blueprint's
``multiple_rule``); a 案例分析 question's points are split by ``grading.paper.case_part_points``, its objective parts
scored automatically, its open parts not (in a real exam a grader scores them): their points are reported as
``unscored`` and left out of ``max``. The pass verdict compares the share earned of what was scored with the
blueprint's pass mark as a share of its total.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Iterable, Mapping

from grading.assembly import assemble
from grading.blueprint import BLUEPRINTS, Blueprint, load_blueprint
from grading.paper import case_part_points
from questionbank.model import Question
from questionbank.scoring import Score, score


def blueprints(folder: Path = BLUEPRINTS) -> list[Blueprint]:
    """Every blueprint an officer may take as a mock exam (``grading/blueprints/*.yaml``), by file name."""
    return [load_blueprint(path) for path in sorted(folder.glob("*.yaml"))]


def blueprint(exam_id: str, folder: Path = BLUEPRINTS) -> Blueprint:
    for bp in blueprints(folder):
        if bp.exam == exam_id:
            return bp
    raise KeyError(f"没有这个模拟考试：{exam_id}")


def describe(bp: Blueprint) -> dict[str, Any]:
    """What the page shows before starting: title, time, points, pass mark and the sections."""
    return {"blueprint": bp.exam, "title": bp.title, "duration_minutes": bp.duration_minutes, "total": bp.total,
            "pass_mark": bp.pass_mark, "questions": bp.items_per_form,
            "sections": [{"id": s.id, "title": s.title, "type": s.type, "count": s.count, "points": s.points}
                         for s in bp.sections]}


def draw(bp: Blueprint, bank_questions: Iterable[Question], seed: int | None = None,
         item_stats: Mapping[str, Any] | None = None) -> dict[str, Any]:
    """One form of ``bp`` (a new one for each seed): ``{"sections": [{id, title, type, points, questions}]}``.
    No history rule applies (a mock exam is not an exam), and the form is not written to the papers folder. With
    ``measured: true`` the stored item statistics give the difficulty, as for ``academy exam assemble``."""
    seed = secrets.randbelow(2**31) if seed is None else seed
    if item_stats is None and bp.measured_difficulty:
        from grading.item_stats import load_item_stats

        item_stats = load_item_stats().pooled()
    paper = assemble(bp, bank_questions, forms=1, seed=seed, history_papers=(), item_stats=item_stats)
    form = paper.forms[0]
    return {"seed": seed, "sections": [{"id": s.id, "title": s.title, "type": s.type, "points": s.points,
                                        "questions": list(s.questions)} for s in form.sections]}


@dataclass(frozen=True)
class MockScore:
    earned: float
    max: float  # the points scored automatically
    unscored: float  # open parts of 案例分析 questions: to check against the reference answer
    passed: bool
    sections: list[dict[str, Any]]  # id, title, earned, max, unscored
    items: dict[str, dict[str, Score]]  # by question id, then part id ("" for a whole question)

    def to_json(self) -> dict[str, Any]:
        return {"score": self.earned, "max_score": self.max, "unscored": self.unscored, "passed": self.passed,
                "sections": self.sections,
                "items": {qid: {k: {"correct": s.correct, "fraction": s.fraction, "detail": s.detail}
                                for k, s in scores.items()} for qid, scores in self.items.items()}}


def score_mock(bp: Blueprint, paper: Mapping[str, Any], answers: Mapping[str, Any],
               questions: Mapping[str, Question]) -> MockScore:
    """Score ``answers`` (by question id: by part id, ``""`` for a whole question; missing means 未作答)."""
    sections, items = [], {}
    earned_all = max_all = unscored_all = 0.0
    for section in paper["sections"]:
        earned = most = unscored = 0.0
        points = float(section["points"])
        for qid in section["questions"]:
            question = questions[qid]
            given = answers.get(qid) if isinstance(answers.get(qid), Mapping) else {}
            if question.parts:
                shares = case_part_points(question, points)
                scores = {p.id: score(p, given.get(p.id), bp.multiple_rule) for p in question.parts}
                for part_id, (share, auto) in shares.items():
                    if auto:
                        earned += share * scores[part_id].fraction
                        most += share
                    else:
                        unscored += share
            else:
                scores = {"": score(question, given.get(""), bp.multiple_rule)}
                earned += points * scores[""].fraction
                most += points
            items[qid] = scores
        sections.append({"id": section["id"], "title": section["title"], "earned": _round(earned), "max": _round(most),
                         "unscored": _round(unscored)})
        earned_all, max_all, unscored_all = earned_all + earned, max_all + most, unscored_all + unscored
    passed = max_all > 0 and earned_all / max_all + 1e-9 >= bp.pass_mark / bp.total
    return MockScore(_round(earned_all), _round(max_all), _round(unscored_all), passed, sections, items)


def _round(x: float) -> float:
    value = round(x, 2)
    return int(value) if value.is_integer() else value
