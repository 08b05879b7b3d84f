"""Quizzes graded on the server: questions without keys out, answers in, passes and 学时 decided here.

The pass rule is ``questionbank.quiz.pass_rule`` over what the database holds (server time, one record per request):
the first submission of each question is its first-round answer; a question is answered correctly when every
objective item of it is right.
"""

from __future__ import annotations

import datetime as dt
import re
import time
from dataclasses import dataclass
from functools import cache
from typing import Any

from curriculum import catalog
from ground.vocabulary import CATEGORIES
from questionbank.model import Question
from questionbank.quiz import pass_rule, public_mapping
from questionbank.scoring import score
from tracker import db, study
from tracker import service as ledger_service

RECORDED_BY = "学堂服务"
REQUEST_ID = re.compile(r"^[A-Za-z0-9_-]{8,64}$")
MAX_RESPONSE_CHARS = 2000


class Refused(Exception):
    """A request the service will not take; ``status`` is the HTTP status, the message is Chinese."""

    def __init__(self, message: str, status: int = 400):
        super().__init__(message)
        self.status = status


@dataclass(frozen=True)
class Answered:
    scores: dict[str, Any]
    question: dict[str, Any]
    quiz_passed: bool
    module_completed: bool
    message: str
    repeated: bool  # the same request had been recorded before: nothing was written this time

    def to_json(self) -> dict[str, Any]:
        return {"scores": self.scores, "question": self.question, "quiz_passed": self.quiz_passed,
                "module_completed": self.module_completed, "message": self.message, "repeated": self.repeated}


@cache
def _quiz(module_id: str, quiz_id: str) -> tuple[catalog.ModuleSpec, list[Question]]:
    """A quiz's questions, chosen once per process (the catalog and the bank do not change while it runs)."""
    try:
        module = catalog.module(module_id)
        spec = module.quiz(quiz_id)
    except KeyError:
        raise Refused(f"没有这个测验：{module_id}/{quiz_id}", 404) from None
    return module, spec.select(list(catalog.bank_questions()))


def public_quiz(module_id: str, quiz_id: str) -> dict[str, Any]:
    """The quiz as an officer's kernel may hold it: titles, pass mark and questions without keys."""
    module, questions = _quiz(module_id, quiz_id)
    return {"module": module.id, "quiz": quiz_id, "title": module.title, "pass_mark": module.pass_mark,
            "questions": [public_mapping(q) for q in questions]}


def _check_responses(question: Question, responses: Any) -> dict[str, Any]:
    if not isinstance(responses, dict):
        raise Refused("答案格式无效：responses 应为对象")
    keys = [p.id for p in question.parts] if question.parts else [""]
    if set(responses) != set(keys):
        raise Refused("答案格式无效：应答项与题目不符")
    for value in responses.values():
        if len(repr(value)) > MAX_RESPONSE_CHARS:
            raise Refused("答案过长", 413)
    return responses


def answer(login: str, module_id: str, quiz_id: str, question_id: str, responses: Any, request_id: str,
           now: dt.datetime | None = None, url: str | None = None) -> Answered:
    """Grade one submission of ``login`` (the hub user), record it once, and decide the quiz and the module."""
    if not isinstance(request_id, str) or not REQUEST_ID.match(request_id):
        raise Refused("请求编号无效")
    module, questions = _quiz(module_id, quiz_id)
    question = next((q for q in questions if q.id == question_id), None)
    if question is None:
        raise Refused(f"测验 {module_id}/{quiz_id} 中没有题目 {question_id}", 404)
    responses = _check_responses(question, responses)
    now = now or dt.datetime.now(dt.timezone.utc)
    items = question.parts if question.parts else [question]
    scores = {}
    rows = []
    for item in items:
        key = item.id if question.parts else ""
        result = score(item, responses[key])
        scores[key] = {"correct": result.correct, "fraction": result.fraction, "detail": result.detail}
        rows.append((f"{question.id}/{key}" if key else question.id, responses[key], result.correct, result.fraction))
    officer_id, officer_no = _officer(login, url)
    with db.session(url) as s:
        fresh = study.record_submission(s, officer_id, module_id, quiz_id, request_id, rows, now)
        history = study.submissions(s, officer_id, module_id, quiz_id, now.year)
    passed = _passed(questions, history, module.pass_mark)
    completed, message = False, ""
    if passed:
        completed, message = _complete(officer_no, module, quiz_id, _first_score(questions, history), now.date(), url)
    return Answered(scores, question.to_mapping(), passed, completed, message, not fresh)


_OFFICERS: dict[tuple[str, str | None], tuple[float, int, str]] = {}
OFFICER_CACHE_SECONDS = 300


def _officer(login: str, url: str | None) -> tuple[int, str]:
    """The roster's id and 人员编号 of a hub login, remembered five minutes (one query per officer, not per answer)."""
    key = (login.lower(), url)
    hit = _OFFICERS.get(key)
    if hit and time.monotonic() - hit[0] < OFFICER_CACHE_SECONDS:
        return hit[1], hit[2]
    with db.session(url) as s:
        officer = study.find_officer(s, login)
        if officer is None:
            raise Refused(f"名册中没有人员编号 {login}，请联系人事部门", 403)
        _OFFICERS[key] = (time.monotonic(), officer.id, officer.officer_no)
        return officer.id, officer.officer_no


def _outcomes(history: list[dict]) -> list[tuple[str, bool | None, float | None]]:
    out = []
    for sub in history:
        objective = [(c, f) for c, f in sub["items"] if c is not None]
        if not objective:
            out.append((sub["question"], None, None))
        else:
            out.append((sub["question"], all(c for c, _ in objective), sum(f for _, f in objective) / len(objective)))
    return out


def _first_score(questions: list[Question], history: list[dict]) -> float | None:
    first: dict[str, float | None] = {}
    for question, _, fraction in _outcomes(history):
        first.setdefault(question, fraction)
    scored = [first[q.id] for q in questions if first.get(q.id) is not None]
    return sum(scored) / len(scored) if scored else None


def _passed(questions: list[Question], history: list[dict], pass_mark: float) -> bool:
    outcomes = _outcomes(history)
    answered = {q for q, _, _ in outcomes}
    scored_ids = {q.id for q in questions if q.type != "case" or any(p.type != "open" for p in q.parts)}
    ever_correct = {q for q, correct, _ in outcomes if correct}
    done = {q.id for q in questions} <= answered
    return pass_rule(done, _first_score(questions, history), scored_ids, ever_correct, pass_mark)


def _complete(officer_no: str, module: catalog.ModuleSpec, quiz_id: str, first: float | None, on: dt.date,
              url: str | None) -> tuple[bool, str]:
    passed = ledger_service.record_quiz_pass(officer_no, module.id, quiz_id, first if first is not None else 1.0,
                                             on, url=url)
    missing = [q.title for q in module.quizzes if q.id not in passed]
    if missing:
        return False, f"测验已通过。本模块还有未通过的测验：{'、'.join(missing)}。"
    entry = ledger_service.record_module_completion(officer_no, module.id, module.title, module.category,
                                                    module.hours, on, recorded_by=RECORDED_BY, url=url)
    label = CATEGORIES[module.category]
    if entry is None:
        return True, f"本模块{on.year}年度的学时此前已记入，不重复记录。"
    return True, f"恭喜完成本模块！已记入 {module.hours:g} 学时（{label}，{on.year}年度）。"


def progress(login: str, year: int, url: str | None = None) -> dict[str, Any]:
    """My progress: completed modules and hours by category this year."""
    with db.session(url) as s:
        officer = study.find_officer(s, login)
        if officer is None:
            raise Refused(f"名册中没有人员编号 {login}，请联系人事部门", 403)
        officer_no, name, unit = officer.officer_no, officer.name, officer.unit.name
    data = ledger_service.study_progress(officer_no, year, url=url)
    standing = {k: (float(v) if isinstance(v, (int, float)) or hasattr(v, "as_integer_ratio") else str(v))
                for k, v in data["standing"].items()}
    return {"officer": officer_no, "name": name, "unit": unit, "year": year, "modules": data["modules"],
            "standing": standing}
