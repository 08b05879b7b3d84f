"""Exam sittings and their clicks: who sits which form, the server's clock, and every click as it arrived.

Plain records: which forms an exam has and what a valid answer is are the caller's (the 学堂服务 and the exam
commands know the paper). The clock is the database's record of the server's time: the first opening fixes
``started_at`` and ``deadline`` once (a conditional UPDATE, so two openings at once cannot both start it); a click
is stored append-only with the server's time and its outcome, once per request (INSERT … ON CONFLICT DO NOTHING on
(officer, exam, request)), so a retried request is neither stored twice nor judged twice.

现在收卷: the 考试管理员 may end running sittings early (all of an exam, or named officers) at the server's time,
recorded with who and why; a sitting not yet opened is marked so that it cannot start. Conditional UPDATEs again:
a sitting that is submitted, started or closed at the same moment is changed by one of them only.
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
CLOSED = "考试管理员已收卷，答案未被记录"
CANCELLED = "考试管理员已收卷，本场考试已取消"


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
        session.execute(update(ExamSitting).where(ExamSitting.id == found.id, ExamSitting.started_at.is_(None),
                                                  ExamSitting.closed_at.is_(None))
                        .values(started_at=now, deadline=now + dt.timedelta(seconds=found.duration_seconds)))
        session.expire(found)
        if found.started_at is None:  # closed by the administrator before it was ever opened
            raise SittingRefused(f"{CANCELLED}，无法开始。如有疑问，请联系考试管理员", 409)
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


_STATE = select(ExamSitting.deadline, ExamSitting.submitted_at, ExamSitting.started_at, ExamSitting.closed_at).where(
    ExamSitting.officer_id == bindparam("officer_id"), ExamSitting.exam_id == bindparam("exam_id"))  # built once


def click(session: Session, officer_id: int, exam: str, question: str, value: Any, request_id: str,
          now: dt.datetime) -> Click:
    """Store one click with the server's time: accepted while the sitting is open (opened, before its deadline, not
    submitted, not closed by the administrator), otherwise stored as refused with the reason. A request stored before
    returns its first outcome."""
    state = session.connection().execute(_STATE, {"officer_id": officer_id, "exam_id": exam}).first()
    if state is None:
        raise SittingRefused(f"您没有参加考试 {exam} 的安排，请联系考试管理员", 403)
    deadline, submitted, started, closed = aware(state[0]), state[1], state[2], aware(state[3])
    if started is None:
        accepted, reason = False, CANCELLED if closed is not None else NOT_OPENED
    elif submitted is not None:
        accepted, reason = False, SUBMITTED
    elif closed is not None and now >= closed:
        accepted, reason = False, CLOSED
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
    """End the sitting (the first submit counts; a later one changes nothing). A sitting the administrator closed
    is refused (409): it ended at his 收卷."""
    found = sitting(session, officer_id, exam)
    if found.started_at is None:
        raise SittingRefused("试卷尚未打开，无法交卷", 409)
    if found.submitted_at is None and found.closed_at is None:
        session.execute(update(ExamSitting).where(ExamSitting.id == found.id, ExamSitting.submitted_at.is_(None),
                                                  ExamSitting.closed_at.is_(None))
                        .values(submitted_at=min(now, aware(found.deadline))))
        session.expire(found)
    if found.submitted_at is None and found.closed_at is not None:
        raise SittingRefused(f"考试管理员已于 {_beijing(found.closed_at)} 收卷，无需交卷；收卷前已记录的答案有效", 409)
    return found


def _beijing(moment: dt.datetime) -> str:
    return aware(moment).astimezone(dt.timezone(dt.timedelta(hours=8))).strftime("%H:%M:%S")


def closed_note(closed_at: dt.datetime | None, closed_by: str | None, reason: str | None) -> str:
    """Who ended a sitting early, when (Beijing time) and why, for the administrator; "" when nobody did."""
    if closed_at is None:
        return ""
    return f"{closed_by} 于 {_beijing(closed_at)} 收卷" + (f"，原因：{reason}" if reason else "")


# --- 现在收卷 (the 考试管理员) --------------------------------------------------------------------------------------


@dataclass
class Closing:
    exam: str
    closed: list[str] = field(default_factory=list)  # running sittings ended now
    cancelled: list[str] = field(default_factory=list)  # not opened yet: they cannot start now
    already: list[str] = field(default_factory=list)  # closed before (by this or an earlier 收卷): unchanged
    ended: list[str] = field(default_factory=list)  # named, but submitted or out of time already: unchanged
    at: dt.datetime | None = None

    def text(self) -> str:
        lines = [f"{self.exam}：收卷 {len(self.closed)} 人，取消未开考 {len(self.cancelled)} 人。"]
        if self.closed:
            lines.append(f"  已收卷（作答中）：{'、'.join(self.closed)}")
        if self.cancelled:
            lines.append(f"  已取消（尚未开考）：{'、'.join(self.cancelled)}")
        if self.already:
            lines.append(f"  此前已收卷，未改动：{'、'.join(self.already)}")
        if self.ended:
            names = "、".join(self.ended) if len(self.ended) <= 20 else f"{'、'.join(self.ended[:20])} 等"
            lines.append(f"  已交卷或考试时间已到，未改动 {len(self.ended)} 人：{names}")
        return "\n".join(lines)


def close(session: Session, exam: str, officer_nos: list[str] | None, closed_by: str, reason: str | None,
          now: dt.datetime) -> Closing:
    """现在收卷: end every running sitting of ``exam`` (``officer_nos`` None) or those of the named officers at
    ``now``, recording who and why; a sitting not yet opened is marked so that it cannot start. A submitted sitting,
    one out of time or one closed before is left as it is (closing again changes nothing). A named officer without a
    sitting of ``exam`` refuses the whole list, and nothing is written."""
    query = (select(ExamSitting.id, Officer.officer_no).join(Officer, ExamSitting.officer_id == Officer.id)
             .where(ExamSitting.exam_id == exam))
    if officer_nos is not None:
        wanted = list(dict.fromkeys(n.strip() for n in officer_nos if n and n.strip()))
        if not wanted:
            raise SittingRefused("没有要收卷的人员", 400)
        query = query.where(func.lower(Officer.officer_no).in_([n.lower() for n in wanted]))
    numbers = dict(session.execute(query).all())
    if officer_nos is not None:
        found = {n.lower() for n in numbers.values()}
        unknown = [n for n in wanted if n.lower() not in found]
        if unknown:
            raise SittingRefused(f"这些人员没有参加考试 {exam} 的安排，未作任何收卷：{'、'.join(unknown)}", 400)
    result = Closing(exam, at=now)
    if not numbers:
        return result
    reason = (reason or "").strip()[:500] or None
    changed = session.execute(
        update(ExamSitting).where(ExamSitting.id.in_(list(numbers)), ExamSitting.closed_at.is_(None),
                                  ExamSitting.submitted_at.is_(None),
                                  (ExamSitting.started_at.is_(None)) | (ExamSitting.deadline > now))
        .values(closed_at=now, closed_by=closed_by, close_reason=reason)
        .returning(ExamSitting.id, ExamSitting.started_at).execution_options(synchronize_session=False)).all()
    now_closed = {sid: started for sid, started in changed}
    for sid, closed_at in session.execute(select(ExamSitting.id, ExamSitting.closed_at)
                                          .where(ExamSitting.id.in_(list(numbers)))):
        number = numbers[sid]
        if sid in now_closed:
            (result.closed if now_closed[sid] is not None else result.cancelled).append(number)
        elif closed_at is not None:
            result.already.append(number)
        else:
            result.ended.append(number)
    for names in (result.closed, result.cancelled, result.already, result.ended):
        names.sort()
    return result


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
    closed_at: dt.datetime | None  # 现在收卷 (before the first opening: cancelled)
    closed_by: str | None
    close_reason: str | None
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
        end = min(filter(None, (aware(s.submitted_at), aware(s.deadline), aware(s.closed_at))), default=None)
        answers: dict[str, Any] = {}
        refused: dict[str, int] = {}
        for question, value, at, accepted, reason in clicks.get(s.officer_id, []):
            if accepted and end is not None and at <= end:
                answers[question] = json.loads(value)
            elif not accepted:
                refused[reason] = refused.get(reason, 0) + 1
        out.append(SittingRecord(number, name, s.form, s.assignment, aware(s.started_at), aware(s.deadline),
                                 aware(s.submitted_at), aware(s.closed_at), s.closed_by, s.close_reason,
                                 {k: v for k, v in answers.items() if v is not None}, refused))
    return out
