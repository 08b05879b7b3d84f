"""Quizzes graded on the server: questions without keys out, answers in, rounds, passes and 学时 decided here.

The rounds, the keys shown and the pass rule are ``questionbank.quiz_rounds``, rebuilt for every request from what the
database holds of this officer's answers this year (server time, one record per request), so the officer's page can be
closed and reopened anywhere. A question is answered right when every objective item of it is right.
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
from questionbank.quiz import answer_of, grade_items, keyless_mapping, public_mapping
from questionbank.quiz_rounds import Progress, Slots, Summary, answers_from_records
from questionbank.scoring import Score
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
    question: dict[str, Any]  # with key and 解析 when key_shown, else keyless (the question comes back)
    key_shown: bool
    summary: dict[str, Any]
    quiz_passed: bool
    module_completed: bool
    message: str
    repeated: bool  # the same request had been recorded before: nothing was written this time

    def to_json(self) -> dict[str, Any]:
        return {"scores": self.scores, "question": self.question, "key_shown": self.key_shown, "summary": self.summary,
                "quiz_passed": self.quiz_passed, "module_completed": self.module_completed, "message": self.message,
                "repeated": self.repeated}


@cache
def _quiz(module_id: str, quiz_id: str) -> tuple[catalog.ModuleSpec, Slots]:
    """A quiz's slots (listed questions and their stand-ins), built once per process (the catalog and the bank do not
    change while it runs)."""
    try:
        module = catalog.module(module_id)
        module.quiz(quiz_id)
    except KeyError:
        raise Refused(f"没有这个测验：{module_id}/{quiz_id}", 404) from None
    return module, catalog.quiz_slots(module, quiz_id)


def _seed(officer_no: str, module_id: str, quiz_id: str) -> str:
    return f"{officer_no.lower()}/{module_id}/{quiz_id}"


def _summary_json(summary: Summary) -> dict[str, Any]:
    return {"round": summary.round, "passed": summary.passed, "score": summary.score, "mastered": summary.mastered,
            "slots": summary.slots, "round_complete": summary.round_complete, "can_redo": summary.can_redo,
            "retry_kind": summary.retry_kind}


def _scores_json(scores: dict[str, Score]) -> dict[str, Any]:
    return {k: {"correct": s.correct, "fraction": s.fraction, "detail": s.detail} for k, s in scores.items()}


def _feedback(question: Question, key_shown: bool) -> dict[str, Any]:
    return question.to_mapping() if key_shown else keyless_mapping(question)


def _progress(module: catalog.ModuleSpec, quiz_id: str, slots: Slots, officer_no: str, history: list[dict]) -> Progress:
    return Progress(slots, _seed(officer_no, module.id, quiz_id), module.pass_mark, answers_from_records(history))


def public_quiz(module_id: str, quiz_id: str, login: str | None = None, now: dt.datetime | None = None,
                url: str | None = None) -> dict[str, Any]:
    """The round an officer's page shows now, as his kernel may hold it: titles, pass mark, the round's questions
    without keys, and those he has answered in it with their feedback (his progress survives a closed tab). Without a
    login: the first round."""
    module, slots = _quiz(module_id, quiz_id)
    out = {"module": module.id, "quiz": quiz_id, "title": module.title, "pass_mark": module.pass_mark}
    if login is None:
        progress = Progress(slots, "", module.pass_mark)
    else:
        now = now or dt.datetime.now(dt.timezone.utc)
        officer_id, officer_no = _officer(login, url)
        with db.session(url) as s:
            history = study.submissions(s, officer_id, module_id, quiz_id, now.year)
        progress = _progress(module, quiz_id, slots, officer_no, history)
        if progress.round_complete and not progress.passed:
            progress.next_round()
    answered = {}
    for qid, answer in progress.answered.items():
        question = progress.by_id[qid]
        shown = progress.shown_keys.get(qid, True)
        answered[qid] = {"responses": answer.response, "scores": _scores_json(grade_items(question, answer.response)),
                         "key_shown": shown, "question": _feedback(question, shown)}
    return out | {"questions": [public_mapping(q) for q in progress.questions], "answered": answered,
                  "summary": _summary_json(progress.summary())}


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
    """Grade one submission of ``login`` (the hub user) to a question of his current (or next) round, record it once,
    and decide the quiz and the module."""
    if not isinstance(request_id, str) or not REQUEST_ID.match(request_id):
        raise Refused("请求编号无效")
    module, slots = _quiz(module_id, quiz_id)
    question = next((q for candidates in slots for q in candidates if q.id == question_id), None)
    if question is None:
        raise Refused(f"测验 {module_id}/{quiz_id} 中没有题目 {question_id}", 404)
    responses = _check_responses(question, responses)
    now = now or dt.datetime.now(dt.timezone.utc)
    officer_id, officer_no = _officer(login, url)
    with db.session(url) as s:
        history = study.submissions(s, officer_id, module_id, quiz_id, now.year)
    earlier = next((i for i, sub in enumerate(history) if sub["request"] == request_id), None)
    if earlier is not None:  # a retried request: the reply it had, nothing written
        progress = _progress(module, quiz_id, slots, officer_no, history[:earlier])
        responses = history[earlier].get("responses") or responses
        return _reply(progress, question, responses, grade_items(question, responses), officer_no, module, quiz_id,
                      now, url, repeated=True)
    progress = _progress(module, quiz_id, slots, officer_no, history)
    if not _askable(progress, question_id):
        raise Refused("这道题不在您本轮的测验中，请刷新页面", 409)
    scores = grade_items(question, responses)
    rows = [(f"{question.id}/{key}" if key else question.id, responses[key], result.correct, result.fraction)
            for key, result in scores.items()]
    with db.session(url) as s:
        fresh = study.record_submission(s, officer_id, module_id, quiz_id, request_id, rows, now)
    return _reply(progress, question, responses, scores, officer_no, module, quiz_id, now, url, repeated=not fresh)


def _askable(progress: Progress, question_id: str) -> bool:
    if progress.slot_of(question_id) is not None and question_id not in progress.answered:
        return True
    return progress.round_complete and not progress.passed and progress.next_round() and \
        progress.slot_of(question_id) is not None


def _reply(progress: Progress, question: Question, responses: dict[str, Any], scores: dict[str, Score], officer_no: str,
           module: catalog.ModuleSpec, quiz_id: str, now: dt.datetime, url: str | None, repeated: bool) -> Answered:
    shown = progress.record(answer_of(question.id, scores, responses))
    summary = progress.summary()
    completed, message = False, ""
    if summary.passed:
        completed, message = _complete(officer_no, module, quiz_id, summary.score, now.date(), url)
    return Answered(_scores_json(scores), _feedback(question, shown), shown, _summary_json(summary), summary.passed,
                    completed, message, repeated)


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


def _complete(officer_no: str, module: catalog.ModuleSpec, quiz_id: str, score: float | None, on: dt.date,
              url: str | None) -> tuple[bool, str]:
    passed = ledger_service.record_quiz_pass(officer_no, module.id, quiz_id, score if score is not None else 1.0,
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
