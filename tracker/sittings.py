"""Exam sittings and their clicks: who sits which form, the server's clock, and every click as it arrived.

Plain records: which forms an exam has and what a valid answer is are the caller's (the 学堂服务 and the exam
commands know the paper). The clock is the database's record of the server's time: the first opening fixes
``started_at`` and ``deadline`` once (a conditional UPDATE, so two openings at once cannot both start it); a click
is stored append-only with the server's time and its outcome, once per request (INSERT … ON CONFLICT DO NOTHING on
(officer, exam, request)), so a retried request is neither stored twice nor judged twice.
"""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import bindparam, func, select, update
from sqlalchemy.orm import Session

from tracker.models import ExamClick, ExamSitting, Officer, Unit

TIME_UP = "考试时间已到，答案未被记录"
SUBMITTED = "已交卷，答案未被记录"
NOT_OPENED = "试卷尚未打开，答案未被记录"


class SittingRefused(Exception):
    """A request about a sitting that is refused; ``status`` is the HTTP status, the message is Chinese."""

    def __init__(self, message: str, status: int = 403):
        super().__init__(message)
        self.status = status


def aware(moment: dt.datetime | None) -> dt.datetime | None:
    """A time read back from the database as UTC-aware (SQLite hands back naive UTC)."""
    if moment is None or moment.tzinfo is not None:
        return moment
    return moment.replace(tzinfo=dt.timezone.utc)


# --- assignment (the 考试管理员) -------------------------------------------------------------------------------


@dataclass
class Assignment:
    exam: str
    added: dict[str, str] = field(default_factory=dict)  # officer_no -> form
    kept: dict[str, str] = field(default_factory=dict)  # already assigned before: officer_no -> form (unchanged)

    def text(self) -> str:
        lines = [f"{self.exam}：新分配 {len(self.added)} 人，已有安排未改动 {len(self.kept)} 人。"]
        forms: dict[str, int] = {}
        for form in [*self.added.values(), *self.kept.values()]:
            forms[form] = forms.get(form, 0) + 1
        lines += [f"  {form} 卷：{n} 人" for form, n in sorted(forms.items())]
        return "\n".join(lines)


def officers_of_unit(session: Session, unit: str) -> list[str]:
    """The 人员编号 of the officers in service in ``unit``."""
    return list(session.scalars(select(Officer.officer_no).join(Unit, Officer.unit_id == Unit.id)
                                .where(Unit.name == unit, Officer.status == "在职").order_by(Officer.officer_no)))


def assign(session: Session, exam: str, forms: dict[str, str], officer_nos: list[str], duration_seconds: int,
           assigned_by: str, form: str | None = None, now: dt.datetime | None = None) -> Assignment:
    """Give each officer a sitting of ``exam``: in ``form`` when given, otherwise the form with the fewest sittings
    (balanced over ``forms``, form → assignment, in the paper's order). An officer who has a sitting keeps it (one
    sitting per officer and exam). Anyone not on the roster refuses the whole list, and nothing is written."""
    if not forms:
        raise SittingRefused(f"考试 {exam} 没有试卷", 400)
    if form is not None and form not in forms:
        raise SittingRefused(f"考试 {exam} 没有 {form} 卷（现有：{'、'.join(forms)}）", 400)
    wanted = list(dict.fromkeys(n.strip() for n in officer_nos if n and n.strip()))
    if not wanted:
        raise SittingRefused("没有要安排的人员", 400)
    by_lower = {o.officer_no.lower(): o for o in session.scalars(
        select(Officer).where(func.lower(Officer.officer_no).in_([n.lower() for n in wanted])))}
    unknown = [n for n in wanted if n.lower() not in by_lower]
    if unknown:
        raise SittingRefused(f"名册中没有这些人员编号，未作任何安排：{'、'.join(unknown)}", 400)
    existing = {s.officer_id: s for s in session.scalars(select(ExamSitting).where(ExamSitting.exam_id == exam))}
    counts = {name: 0 for name in forms}
    for s in existing.values():
        counts[s.form] = counts.get(s.form, 0) + 1
    result = Assignment(exam)
    now = now or dt.datetime.now(dt.timezone.utc)
    for number in wanted:
        officer = by_lower[number.lower()]
        if officer.id in existing:
            result.kept[officer.officer_no] = existing[officer.id].form
            continue
        chosen = form or min(forms, key=lambda name: counts[name])  # min keeps the paper's order on ties
        counts[chosen] += 1
        session.add(ExamSitting(exam_id=exam, assignment=forms[chosen], form=chosen, officer_id=officer.id,
                                assigned_by=assigned_by, assigned_at=now, duration_seconds=int(duration_seconds)))
        result.added[officer.officer_no] = chosen
    session.flush()
    return result


# --- the officer's side (the 学堂服务) ------------------------------------------------------------------------


def officer_sittings(session: Session, officer_id: int) -> list[ExamSitting]:
    return list(session.scalars(select(ExamSitting).where(ExamSitting.officer_id == officer_id)
                                .order_by(ExamSitting.assigned_at, ExamSitting.id)))


def sitting(session: Session, officer_id: int, exam: str) -> ExamSitting:
    found = session.scalar(select(ExamSitting).where(ExamSitting.officer_id == officer_id, ExamSitting.exam_id == exam))
    if found is None:
        raise SittingRefused(f"您没有参加考试 {exam} 的安排，请联系考试管理员", 403)
    return found


def open_sitting(session: Session, officer_id: int, exam: str, now: dt.datetime) -> ExamSitting:
    """The officer's sitting; the first opening fixes ``started_at`` = now and ``deadline`` = now + duration."""
    found = sitting(session, officer_id, exam)
    if found.started_at is None:
        session.execute(update(ExamSitting).where(ExamSitting.id == found.id, ExamSitting.started_at.is_(None))
                        .values(started_at=now, deadline=now + dt.timedelta(seconds=found.duration_seconds)))
        session.expire(found)
    return found


@dataclass(frozen=True)
class Click:
    accepted: bool
    reason: str
    repeated: bool  # the same request had been stored before: its first outcome is returned, nothing written
    at: dt.datetime
    deadline: dt.datetime | None


def _insert_once(session: Session):
    if session.get_bind().dialect.name == "postgresql":
        from sqlalchemy.dialects.postgresql import insert as dialect_insert
    else:
        from sqlalchemy.dialects.sqlite import insert as dialect_insert
    return dialect_insert(ExamClick).on_conflict_do_nothing(
        index_elements=["officer_id", "exam_id", "request_id"]).returning(ExamClick.id)


_STATE = select(ExamSitting.deadline, ExamSitting.submitted_at, ExamSitting.started_at).where(
    ExamSitting.officer_id == bindparam("officer_id"), ExamSitting.exam_id == bindparam("exam_id"))  # built once


def click(session: Session, officer_id: int, exam: str, question: str, value: Any, request_id: str,
          now: dt.datetime) -> Click:
    """Store one click with the server's time: accepted while the sitting is open (opened, before its deadline, not
    submitted), otherwise stored as refused with the reason. A request stored before returns its first outcome."""
    state = session.connection().execute(_STATE, {"officer_id": officer_id, "exam_id": exam}).first()
    if state is None:
        raise SittingRefused(f"您没有参加考试 {exam} 的安排，请联系考试管理员", 403)
    deadline, submitted, started = aware(state[0]), state[1], state[2]
    if started is None:
        accepted, reason = False, NOT_OPENED
    elif submitted is not None:
        accepted, reason = False, SUBMITTED
    elif now >= deadline:
        accepted, reason = False, TIME_UP
    else:
        accepted, reason = True, ""
    row = {"officer_id": officer_id, "exam_id": exam, "question": question,
           "value": json.dumps(value, ensure_ascii=False), "at": now, "request_id": request_id,
           "accepted": accepted, "reason": reason}
    if session.connection().execute(_insert_once(session), [row]).all():
        return Click(accepted, reason, False, now, deadline)
    first = session.execute(select(ExamClick.accepted, ExamClick.reason, ExamClick.at).where(
        ExamClick.officer_id == officer_id, ExamClick.exam_id == exam, ExamClick.request_id == request_id)).one()
    return Click(first[0], first[1], True, aware(first[2]), deadline)


def submit(session: Session, officer_id: int, exam: str, now: dt.datetime) -> ExamSitting:
    """End the sitting (the first submit counts; a later one changes nothing)."""
    found = sitting(session, officer_id, exam)
    if found.started_at is None:
        raise SittingRefused("试卷尚未打开，无法交卷", 409)
    if found.submitted_at is None:
        session.execute(update(ExamSitting).where(ExamSitting.id == found.id, ExamSitting.submitted_at.is_(None))
                        .values(submitted_at=min(now, aware(found.deadline))))
        session.expire(found)
    return found


def last_answers(session: Session, officer_id: int, exam: str) -> dict[str, Any]:
    """The officer's answers so far: the last accepted click of each question (None values dropped)."""
    rows = session.execute(select(ExamClick.question, ExamClick.value).where(
        ExamClick.officer_id == officer_id, ExamClick.exam_id == exam, ExamClick.accepted.is_(True))
        .order_by(ExamClick.at, ExamClick.id))
    answers: dict[str, Any] = {}
    for question, value in rows:
        answers[question] = json.loads(value)
    return {k: v for k, v in answers.items() if v is not None}


# --- the record of an exam (collect) -------------------------------------------------------------------------


@dataclass
class SittingRecord:
    officer_no: str
    name: str
    form: str
    assignment: str
    started_at: dt.datetime | None
    deadline: dt.datetime | None
    submitted_at: dt.datetime | None
    answers: dict[str, Any]  # the last accepted click per question, taken before the end (None values dropped)
    refused: dict[str, int]  # reason -> how many clicks were refused


def exam_record(session: Session, exam: str) -> list[SittingRecord]:
    """Every sitting of ``exam`` with the answers the service accepted, in order of 人员编号."""
    sittings = session.execute(select(ExamSitting, Officer.officer_no, Officer.name)
                               .join(Officer, ExamSitting.officer_id == Officer.id)
                               .where(ExamSitting.exam_id == exam).order_by(Officer.officer_no)).all()
    clicks: dict[int, list[tuple]] = {}
    for officer_id, question, value, at, accepted, reason in session.execute(
            select(ExamClick.officer_id, ExamClick.question, ExamClick.value, ExamClick.at, ExamClick.accepted,
                   ExamClick.reason).where(ExamClick.exam_id == exam).order_by(ExamClick.at, ExamClick.id)):
        clicks.setdefault(officer_id, []).append((question, value, aware(at), accepted, reason))
    out = []
    for s, number, name in sittings:
        end = min(filter(None, (aware(s.submitted_at), aware(s.deadline))), default=None)
        answers: dict[str, Any] = {}
        refused: dict[str, int] = {}
        for question, value, at, accepted, reason in clicks.get(s.officer_id, []):
            if accepted and end is not None and at <= end:
                answers[question] = json.loads(value)
            elif not accepted:
                refused[reason] = refused.get(reason, 0) + 1
        out.append(SittingRecord(number, name, s.form, s.assignment, aware(s.started_at), aware(s.deadline),
                                 aware(s.submitted_at), {k: v for k, v in answers.items() if v is not None}, refused))
    return out
