"""The 错题本 and the 模拟考试 on the server: plain functions of the login, tested directly.

On the site the 学堂服务 calls them for the hub user (the kernel never holds a mock exam's keys, and practice answers
are graded here); under ``make run`` the learning pages call the same functions in the kernel on the local ledger.

- 错题本: ``wrong_book`` reads the officer's stored answers (``tracker.practice.answers_of``) and applies
  ``questionbank.practice.wrong_book``; ``practise`` grades one 「再练一遍」 answer and stores it, so a question
  answered right leaves the book. Only questions of the officer's own book may be practised: any other id is refused,
  else the reply (which holds the key and 解析) would be a key oracle.
- 模拟考试: ``start_mock`` draws one form from a blueprint (``grading.mock_exam``), stores what was drawn with the
  server's time and the deadline, and returns the questions without keys; ``submit_mock`` scores the answers once,
  records the score and the sections (no 学时: nothing is written to the ledger) and returns the keys and 解析 with
  the breakdown. A submission after the deadline (plus ``GRACE`` for the network) is scored and marked 超时.
  The answers are kept as the officer goes (``save_mock_progress``: the answers only, never a key back), so a closed
  tab loses nothing: ``mock_choices`` gives the running exam back (same paper, saved answers, the server's deadline),
  ``abandon_mock`` ends it unscored (「放弃并重新开始」), and one whose time ran out is scored from the saved answers
  when he comes back (超时, 自动交卷) rather than staying open.
"""

from __future__ import annotations

import datetime as dt
import json
from functools import cache
from typing import Any

from curriculum import catalog
from grading import mock_exam
from grading.assembly import InfeasibleBlueprint
from questionbank import practice
from questionbank.model import Question
from questionbank.quiz import public_mapping
from questionbank.taxonomy import default_taxonomy
from service.quizzes import MAX_RESPONSE_CHARS, REQUEST_ID, Refused
from tracker import db, study
from tracker import practice as records
from tracker.models import Officer

GRACE = dt.timedelta(seconds=60)
SOURCES = {practice.PRACTICE: "错题本练习", practice.MOCK: "模拟考试"}


@cache
def _questions() -> dict[str, Question]:
    return {q.id: q for q in catalog.bank_questions()}


def _officer_id(session, login: str) -> int:
    officer = study.find_officer(session, login)
    if officer is None:
        raise Refused(f"名册中没有人员编号 {login}，请联系人事部门", 403)
    return officer.id


def _now(now: dt.datetime | None) -> dt.datetime:
    return now or dt.datetime.now(dt.timezone.utc)


# --- 错题本 ------------------------------------------------------------------------------------------------------


def _book(session, officer_id: int) -> list[practice.WrongEntry]:
    """The officer's book; the stored answers are decoded only for the entries (not for every answer ever given)."""
    entries = practice.wrong_book(records.answers_of(session, officer_id), _questions())
    for e in entries:
        e.responses = {k: records.decode(v) for k, v in e.responses.items()}
        e.last_wrong = records.aware(e.last_wrong)
        e.mastered_at = records.aware(e.mastered_at) if e.mastered_at else None
    return entries


def source_title(module_id: str) -> str:
    if module_id in SOURCES:
        return SOURCES[module_id]
    try:
        return catalog.module(module_id).title
    except KeyError:
        return module_id


def topic_title(topic: str) -> str:
    found = default_taxonomy().topics.get(topic)
    return found.title if found else topic


def wrong_book(login: str, url: str | None = None) -> dict[str, Any]:
    """The officer's book: every entry (full question with key and 解析: the officer has seen them), grouped by the
    page; mastered entries are counted, not listed."""
    with db.session(url) as s:
        entries = _book(s, _officer_id(s, login))
    open_entries = [e for e in entries if not e.mastered]
    return {"entries": [e.to_json() | {"topic": e.question.topic, "topic_title": topic_title(e.question.topic),
                                       "source": source_title(e.module)} for e in open_entries],
            "mastered": len(entries) - len(open_entries)}


def practise(login: str, question_id: str, responses: Any, request_id: Any, now: dt.datetime | None = None,
             url: str | None = None) -> dict[str, Any]:
    """Grade one 「再练一遍」 answer of a question in the officer's book, store it (once per request)."""
    if not isinstance(request_id, str) or not REQUEST_ID.match(request_id):
        raise Refused("请求编号无效")
    _check_size(responses)
    now = _now(now)
    with db.session(url) as s:
        officer_id = _officer_id(s, login)
        in_book = {e.question.id for e in _book(s, officer_id)}
        if question_id not in in_book:
            raise Refused(f"错题本中没有题目 {question_id}", 404)
        question = _questions()[question_id]
        try:
            scores = practice.grade(question, responses)
        except ValueError as exc:
            raise Refused(str(exc)) from None
        rows = [(f"{question.id}/{k}" if k else question.id, responses[k], sc.correct, sc.fraction)
                for k, sc in scores.items()]
        fresh = study.record_submission(s, officer_id, records.PRACTICE, "wrong-book", request_id, rows, now)
        right = practice.all_right(scores)
    return {"scores": {k: {"correct": v.correct, "fraction": v.fraction, "detail": v.detail} for k, v in scores.items()},
            "question": question.to_mapping(), "mastered": bool(right), "repeated": not fresh}


def _check_size(responses: Any) -> None:
    """Each answer of a question at most as long as a quiz answer may be (``service.quizzes``)."""
    if isinstance(responses, dict) and any(len(repr(v)) > MAX_RESPONSE_CHARS for v in responses.values()):
        raise Refused("答案过长", 413)


# --- 模拟考试 ----------------------------------------------------------------------------------------------------


def mock_choices(login: str, now: dt.datetime | None = None, url: str | None = None) -> dict[str, Any]:
    """The mock exams on offer (one per blueprint), the officer's own record of earlier ones, and the one he has
    running (``running``: its paper, his saved answers and the time left by the server's clock; None if none). An
    exam whose time ran out while the page was closed is scored now from its saved answers (超时, 自动交卷)."""
    now = _now(now)
    with db.session(url) as s:
        officer_id = _officer_id(s, login)
        running = _settle(s, officer_id, now)
        resume = _resume(running, now) if running else None
        history = records.mock_history(s, officer_id)
    return {"blueprints": [mock_exam.describe(bp) for bp in mock_exam.blueprints()], "history": history,
            "running": resume}


def _expired(exam, now: dt.datetime) -> bool:
    return now > records.aware(exam.deadline) + GRACE


def _settle(session, officer_id: int, now: dt.datetime):
    """Close the officer's open exams that cannot go on: one whose time ran out is scored from the answers saved
    before it (handed in at its deadline, 超时); one whose blueprint was withdrawn, and any older than the newest
    running one, are ended unscored. The running exam (or None) is returned."""
    running = None
    for exam in records.open_mocks(session, officer_id):
        try:
            bp = mock_exam.blueprint(exam.blueprint)
        except KeyError:
            records.abandon_mock(session, exam, now)
            continue
        if _expired(exam, now):
            _score(session, officer_id, exam, bp, records.saved_answers(exam), records.aware(exam.deadline), True)
            continue
        if running is not None:
            records.abandon_mock(session, running, now)
        running = exam
    return running


def _resume(exam, now: dt.datetime) -> dict[str, Any]:
    deadline = records.aware(exam.deadline)
    paper = _public_paper(exam.id, mock_exam.blueprint(exam.blueprint), json.loads(exam.paper),
                          records.aware(exam.started_at), deadline)
    return paper | {"answers": records.saved_answers(exam), "seconds_left": max(0.0, (deadline - now).total_seconds())}


def start_mock(login: str, blueprint_id: Any, now: dt.datetime | None = None, url: str | None = None,
               seed: int | None = None) -> dict[str, Any]:
    """Draw a mock exam for the officer and start its clock; the questions come without keys.

    One exam runs at a time: while one is running (its time not yet up), a new one is refused (409) and the page
    offers 「继续未交卷的模拟考试」 or 「放弃并重新开始」 (``abandon_mock``). Ending it silently would throw away the
    paper an officer may still be answering in another tab; he decides."""
    try:
        bp = mock_exam.blueprint(str(blueprint_id))
    except KeyError as exc:
        raise Refused(str(exc.args[0]), 404) from None
    with db.session(url) as s:
        officer_id = _officer_id(s, login)
    try:
        paper = mock_exam.draw(bp, _questions().values(), seed=seed)
    except InfeasibleBlueprint as exc:
        raise Refused(f"题库暂时无法组成这份模拟试卷：{'；'.join(exc.reasons)}", 409) from None
    now = _now(now)
    deadline = now + dt.timedelta(minutes=bp.duration_minutes)
    with db.session(url) as s:
        s.get(Officer, officer_id, with_for_update=True)  # two starts at once: one after the other
        running = _settle(s, officer_id, now)
        if running is not None:
            left = max(0, int((records.aware(running.deadline) - now).total_seconds()) // 60)
            raise Refused(f"您还有一份未交卷的模拟考试「{running.title}」（剩余约 {left} 分钟）："
                          "请继续作答并交卷，或先选择「放弃并重新开始」", 409)
        exam = records.start_mock(s, officer_id, bp.exam, bp.title, paper, now, deadline)
        exam_id = exam.id
    return _public_paper(exam_id, bp, paper, now, deadline) | {"answers": {}, "seconds_left": (deadline - now).total_seconds()}


def _public_paper(exam_id: int, bp, paper: dict[str, Any], started: dt.datetime, deadline: dt.datetime) -> dict:
    questions = _questions()
    return {"id": exam_id, "blueprint": bp.exam, "title": bp.title, "duration_minutes": bp.duration_minutes,
            "total": bp.total, "pass_mark": bp.pass_mark, "started_at": started.isoformat(),
            "deadline": deadline.isoformat(),
            "sections": [{"id": sec["id"], "title": sec["title"], "type": sec["type"], "points": sec["points"],
                          "questions": [public_mapping(questions[q]) for q in sec["questions"]]}
                         for sec in paper["sections"]]}


def _paper_ids(exam) -> list[str]:
    return [q for sec in json.loads(exam.paper)["sections"] for q in sec["questions"]]


def _checked(answers: Any) -> dict[str, Any]:
    if not isinstance(answers, dict):
        raise Refused("答案格式无效：answers 应为对象")
    for given in answers.values():
        _check_size(given)
    return answers


def _own_exam(session, officer_id: int, exam_id: int):
    """The officer's exam ``exam_id``, locked; 404 (Chinese) when he has none of that number."""
    exam = records.mock_exam(session, officer_id, exam_id, lock=True)
    if exam is None:
        raise Refused(f"没有这次模拟考试：{exam_id}", 404)
    return exam


def _open_exam(session, login: str, exam_id: int, what: str):
    """The officer's exam ``exam_id``, locked, refused (Chinese) when it is not his or has ended."""
    exam = _own_exam(session, _officer_id(session, login), exam_id)
    if exam.submitted_at is not None:
        ended = "已交卷" if exam.score is not None else "已放弃"
        raise Refused(f"这次模拟考试{ended}，{what}", 409)
    return exam


def save_mock_progress(login: str, exam_id: int, answers: Any, now: dt.datetime | None = None,
                       url: str | None = None) -> dict[str, Any]:
    """Keep the officer's answers so far of his running exam (the whole set each time, so a repeated or late-arriving
    saving does no harm; only the questions of his paper, each no longer than a quiz answer). Refused (409) after
    交卷, after 放弃, and once the time is up (plus ``GRACE``): the keys are never in the reply."""
    answers = _checked(answers)
    now = _now(now)
    questions = _questions()
    with db.session(url) as s:
        exam = _open_exam(s, login, exam_id, "答案不再保存")
        if _expired(exam, now):
            raise Refused("考试时间已到，答案不再保存；重新打开模拟考试页面即可看到按已保存的答案评出的成绩", 409)
        ids = _paper_ids(exam)
        strangers = set(answers) - set(ids)
        if strangers:
            raise Refused(f"答案中有不属于这份试卷的题目：{'、'.join(sorted(strangers)[:3])}")
        kept = {qid: _clean(questions[qid], answers[qid]) for qid in ids if qid in answers}
        records.save_mock_answers(s, exam, kept)
        left = (records.aware(exam.deadline) - now).total_seconds()
    return {"id": exam_id, "saved": sum(1 for a in kept.values() if any(_answered(v) for v in a.values())),
            "seconds_left": max(0.0, left)}


def abandon_mock(login: str, exam_id: int, now: dt.datetime | None = None, url: str | None = None) -> dict[str, Any]:
    """「放弃并重新开始」: end the officer's running exam without a score (it leaves no record and no 错题). Giving up
    twice is the same as once; an exam whose time is already up is scored from its saved answers instead."""
    now = _now(now)
    with db.session(url) as s:
        officer_id = _officer_id(s, login)
        exam = _own_exam(s, officer_id, exam_id)
        if exam.submitted_at is None:
            if _expired(exam, now):
                _settle(s, officer_id, now)
            else:
                records.abandon_mock(s, exam, now)
        return {"id": exam_id, "abandoned": exam.score is None}


def submit_mock(login: str, exam_id: int, answers: Any, now: dt.datetime | None = None,
                url: str | None = None) -> dict[str, Any]:
    """Score the officer's answers of his mock exam ``exam_id`` once; a second submission returns the first result."""
    answers = _checked(answers)
    now = _now(now)
    questions = _questions()
    with db.session(url) as s:
        officer_id = _officer_id(s, login)
        exam = _own_exam(s, officer_id, exam_id)
        if exam.submitted_at is not None and exam.score is None:
            raise Refused("这次模拟考试已放弃，不能再交卷", 409)
        try:
            bp = mock_exam.blueprint(exam.blueprint)
        except KeyError:
            raise Refused(f"这次模拟考试的组卷蓝图 {exam.blueprint} 已撤下，无法评分", 409) from None
        repeated = exam.submitted_at is not None
        if repeated:
            answers = json.loads(exam.answers or "{}")
        ids = _paper_ids(exam)
        answers = {qid: _clean(questions[qid], answers.get(qid)) for qid in ids}
        if repeated:
            result = mock_exam.score_mock(bp, json.loads(exam.paper), answers, questions)
        else:
            result = _score(s, officer_id, exam, bp, answers, now, _expired(exam, now))
        summary = records.mock_summary(exam)
    return result.to_json() | {"id": exam_id, "title": summary["title"], "overtime": summary["overtime"],
                               "automatic": summary["automatic"],
                               "submitted_at": summary["submitted_at"], "total": bp.total, "pass_mark": bp.pass_mark,
                               "questions": {qid: questions[qid].to_mapping() for qid in ids},
                               "answers": answers, "repeated": repeated}


def _score(session, officer_id: int, exam, bp, answers: dict[str, Any], at: dt.datetime, late: bool):
    """Score an exam once and record it: the score by section on the exam, the answers given as attempts (so the
    wrong ones are in the 错题本); nothing in the 学时 ledger."""
    questions = _questions()
    ids = _paper_ids(exam)
    answers = {qid: _clean(questions[qid], answers.get(qid)) for qid in ids}
    result = mock_exam.score_mock(bp, json.loads(exam.paper), answers, questions)
    records.finish_mock(session, exam, answers, result.earned, result.max, result.sections, result.passed, at, late)
    rows = [(f"{qid}/{k}" if k else qid, answers[qid].get(k), sc.correct, sc.fraction)
            for qid in ids for k, sc in result.items[qid].items() if _answered(answers[qid].get(k))]
    if rows:
        study.record_submission(session, officer_id, records.MOCK, bp.exam, f"mock-{exam.id}", rows, at)
    return result


def _clean(question: Question, given: Any) -> dict[str, Any]:
    """The answer of one question as stored: exactly its items, None where not answered."""
    keys = [p.id for p in question.parts] if question.parts else [""]
    given = given if isinstance(given, dict) else {}
    return {k: given.get(k) for k in keys}


def _answered(value: Any) -> bool:
    return value not in (None, "", [])
