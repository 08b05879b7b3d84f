"""Training-quiz records: attempts (evidence of study) and quiz passes, from which module completions follow.

The tracker takes these as plain records; which quizzes make up a module is the caller's (the course catalog's).
"""

from __future__ import annotations

import datetime as dt
import json
from decimal import Decimal

from sqlalchemy import bindparam, func, select
from sqlalchemy.orm import Session

from tracker.ledger import unit_id
from tracker.models import LedgerEntry, Officer, QuizAttempt, QuizPass

UNREGISTERED_UNIT = "（未登记单位）"


def ensure_officer(session: Session, officer_no: str, name: str = "") -> Officer:
    """The officer with this number; one not in the roster yet is added under （未登记单位） for HR to complete."""
    officer = session.scalar(select(Officer).where(Officer.officer_no == officer_no))
    if officer is None:
        officer = Officer(officer_no=officer_no, name=name or officer_no, unit_id=unit_id(session, UNREGISTERED_UNIT),
                          post="", domain="", certificate_no="", status="在职")
        session.add(officer)
        session.flush()
    return officer


def record_attempt(session: Session, officer_no: str, module_id: str, quiz_id: str, question_id: str, response,
                   correct: bool | None, fraction: float, at: dt.datetime) -> None:
    officer = ensure_officer(session, officer_no)
    session.add(QuizAttempt(officer_id=officer.id, module_id=module_id, quiz_id=quiz_id, question_id=question_id,
                            response=json.dumps(response, ensure_ascii=False), correct=correct,
                            fraction=Decimal(str(round(fraction, 4))), answered_at=at))


def record_pass(session: Session, officer_no: str, module_id: str, quiz_id: str, year: int, score: float) -> None:
    """A quiz passed this year; a second pass of the same quiz in the same year changes nothing."""
    officer = ensure_officer(session, officer_no)
    exists = session.scalar(select(QuizPass.id).where(
        QuizPass.officer_id == officer.id, QuizPass.module_id == module_id, QuizPass.quiz_id == quiz_id,
        QuizPass.year == year))
    if not exists:
        session.add(QuizPass(officer_id=officer.id, module_id=module_id, quiz_id=quiz_id, year=year,
                             score=Decimal(str(round(score, 4)))))
        session.flush()


def passed_quizzes(session: Session, officer_no: str, module_id: str, year: int) -> set[str]:
    return set(session.scalars(select(QuizPass.quiz_id).join(Officer, QuizPass.officer_id == Officer.id).where(
        Officer.officer_no == officer_no, QuizPass.module_id == module_id, QuizPass.year == year)))


def completed_modules(session: Session, officer_no: str, year: int) -> dict[str, float]:
    """Module id -> 学时 credited this year (from the ledger's module-completion entries, reversals counted)."""
    rows = session.execute(
        select(LedgerEntry.source_ref, LedgerEntry.hours, LedgerEntry.source_kind, LedgerEntry.reverses_id, LedgerEntry.id)
        .join(Officer, LedgerEntry.officer_id == Officer.id)
        .where(Officer.officer_no == officer_no, LedgerEntry.year == year,
               LedgerEntry.source_kind.in_(["module", "reversal"]))).all()
    by_id = {entry_id: ref for ref, _, kind, _, entry_id in rows if kind == "module"}
    hours: dict[str, float] = {}
    for ref, h, kind, reverses, _ in rows:
        if kind == "module":
            module = ref.removeprefix("课程模块 ")
            hours[module] = hours.get(module, 0) + float(h)
        elif reverses in by_id:
            module = by_id[reverses].removeprefix("课程模块 ")
            hours[module] = hours.get(module, 0) + float(h)
    return {m: h for m, h in hours.items() if h > 0}


def find_officer(session: Session, login: str) -> Officer | None:
    """The officer whose 人员编号 is this hub login (hub names are lower case; 人员编号 may not be)."""
    return session.scalar(select(Officer).where(func.lower(Officer.officer_no) == login.strip().lower()))


_SUBMISSIONS = select(QuizAttempt.question_id, QuizAttempt.request_id, QuizAttempt.correct, QuizAttempt.fraction,
                      QuizAttempt.response).where(
    QuizAttempt.officer_id == bindparam("officer_id"), QuizAttempt.module_id == bindparam("module_id"),
    QuizAttempt.quiz_id == bindparam("quiz_id"), QuizAttempt.request_id.is_not(None),
    QuizAttempt.answered_at >= bindparam("start"), QuizAttempt.answered_at < bindparam("end"),
).order_by(QuizAttempt.id)  # built once: the service runs it for every answer


def _insert_once(session: Session):
    """INSERT … ON CONFLICT DO NOTHING on the request's unique key (SQLite and PostgreSQL say it the same way)."""
    dialect = session.get_bind().dialect.name
    if dialect == "postgresql":
        from sqlalchemy.dialects.postgresql import insert as dialect_insert
    else:
        from sqlalchemy.dialects.sqlite import insert as dialect_insert
    return dialect_insert(QuizAttempt).on_conflict_do_nothing(
        index_elements=["officer_id", "request_id", "question_id"]).returning(QuizAttempt.id)


def record_submission(session: Session, officer_id: int, module_id: str, quiz_id: str, request_id: str,
                      items: list[tuple[str, object, bool | None, float]], at: dt.datetime) -> bool:
    """The attempts of one answering request (one row per question or case part), in one statement; False, and
    nothing written, when this request was recorded before (a retried or replayed request)."""
    rows = [{"officer_id": officer_id, "module_id": module_id, "quiz_id": quiz_id, "question_id": question_id,
             "response": json.dumps(response, ensure_ascii=False), "correct": correct,
             "fraction": Decimal(str(round(fraction, 4))), "answered_at": at, "request_id": request_id}
            for question_id, response, correct, fraction in items]
    inserted = session.connection().execute(_insert_once(session), rows).all()  # rowcount is not reliable for many rows
    return bool(inserted)


def submissions(session: Session, officer_id: int, module_id: str, quiz_id: str, year: int) -> list[dict]:
    """This year's answering requests of a quiz, oldest first: question id, request, correct (None: not scored)
    and fraction of each objective item, and the responses by part ("" for a question without parts), at the
    server's time."""
    rows = session.connection().execute(_SUBMISSIONS, {
        "officer_id": officer_id, "module_id": module_id, "quiz_id": quiz_id,
        "start": dt.datetime(year, 1, 1, tzinfo=dt.timezone.utc), "end": dt.datetime(year + 1, 1, 1, tzinfo=dt.timezone.utc)})
    return _grouped((request_id, question_id, correct, fraction, response)
                    for question_id, request_id, correct, fraction, response in rows)


def _grouped(rows) -> list[dict]:
    out: dict[object, dict] = {}
    for key, question_id, correct, fraction, response in rows:
        question, _, part = question_id.partition("/")
        sub = out.setdefault(key, {"question": question, "request": key, "items": [], "responses": {}})
        sub["items"].append((correct, float(fraction)))
        sub["responses"][part] = json.loads(response)
    return list(out.values())


def quiz_history(session: Session, officer_no: str, module_id: str, quiz_id: str, year: int) -> list[dict]:
    """The same as ``submissions`` for an officer by 人员编号, whoever recorded the attempts (the local recorder writes
    no request id: one submission is then the rows of a question with the same time)."""
    rows = session.execute(
        select(QuizAttempt.request_id, QuizAttempt.question_id, QuizAttempt.correct, QuizAttempt.fraction,
               QuizAttempt.response, QuizAttempt.answered_at)
        .join(Officer, QuizAttempt.officer_id == Officer.id)
        .where(Officer.officer_no == officer_no, QuizAttempt.module_id == module_id, QuizAttempt.quiz_id == quiz_id,
               QuizAttempt.answered_at >= dt.datetime(year, 1, 1, tzinfo=dt.timezone.utc),
               QuizAttempt.answered_at < dt.datetime(year + 1, 1, 1, tzinfo=dt.timezone.utc))
        .order_by(QuizAttempt.id))
    return _grouped((request_id or (question_id.split("/")[0], at), question_id, correct, fraction, response)
                    for request_id, question_id, correct, fraction, response, at in rows)
