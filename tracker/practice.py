"""Practice records: an officer's stored answers read back (for the 错题本), and 模拟考试 records. Neither gives 学时.

Practice answers (「再练一遍」 in the 错题本) and the answers of a submitted mock exam are stored as quiz attempts under
the module ids ``PRACTICE`` and ``MOCK`` (one request each, like the service's quiz answers), so the 错题本 reads one
table in time order; no module of the catalog has these ids, so no quiz pass or module completion ever counts them.
"""

from __future__ import annotations

import datetime as dt
import json
from decimal import Decimal
from typing import Any

from sqlalchemy import bindparam, select
from sqlalchemy.orm import Session

from tracker.models import MockExam, QuizAttempt

PRACTICE = "practice"  # module id of the 错题本's 「再练一遍」 answers
MOCK = "mock"  # module id of the answers of a submitted 模拟考试 (quiz id: the blueprint)


_ANSWERS = select(QuizAttempt.module_id, QuizAttempt.quiz_id, QuizAttempt.question_id, QuizAttempt.response,
                  QuizAttempt.correct, QuizAttempt.answered_at).where(
    QuizAttempt.officer_id == bindparam("officer_id")).order_by(QuizAttempt.answered_at, QuizAttempt.id)


def answers_of(session: Session, officer_id: int) -> list[dict[str, Any]]:
    """Every stored answer of an officer, oldest first: module, quiz, item id (``qid`` or ``qid/part``), the
    response as stored (JSON text: ``decode`` it where needed), correct (None: not scored) and when (UTC; naive
    from SQLite, see ``aware``). Read on the connection: an officer of many years has tens of thousands."""
    rows = session.connection().execute(_ANSWERS, {"officer_id": officer_id})
    return [{"module": m, "quiz": q, "item": i, "response": r, "correct": c, "at": at} for m, q, i, r, c, at in rows]


def decode(response: str) -> Any:
    try:
        return json.loads(response)
    except ValueError:
        return response


def start_mock(session: Session, officer_id: int, blueprint: str, title: str, paper: dict[str, Any],
               started_at: dt.datetime, deadline: dt.datetime) -> MockExam:
    exam = MockExam(officer_id=officer_id, blueprint=blueprint, title=title,
                    paper=json.dumps(paper, ensure_ascii=False), started_at=started_at, deadline=deadline,
                    overtime=False)
    session.add(exam)
    session.flush()
    return exam


def mock_exam(session: Session, officer_id: int, exam_id: int, lock: bool = False) -> MockExam | None:
    """The officer's own mock exam with this id (None for another officer's); ``lock``: the row is locked until the
    transaction ends (PostgreSQL), so that a saving of answers and the 交卷 of the same exam do not cross."""
    query = select(MockExam).where(MockExam.id == exam_id, MockExam.officer_id == officer_id)
    return session.scalar(query.with_for_update() if lock else query)


def open_mocks(session: Session, officer_id: int) -> list[MockExam]:
    """The officer's mock exams neither handed in nor ended, oldest first (normally none or one)."""
    return list(session.scalars(select(MockExam).where(MockExam.officer_id == officer_id, MockExam.submitted_at.is_(None))
                                .order_by(MockExam.started_at, MockExam.id).with_for_update()))


def save_mock_answers(session: Session, exam: MockExam, answers: dict[str, Any]) -> None:
    """Keep the answers given so far of an exam not yet handed in (all of them each time: the last saving counts)."""
    exam.answers = json.dumps(answers, ensure_ascii=False)
    session.flush()


def saved_answers(exam: MockExam) -> dict[str, Any]:
    return json.loads(exam.answers) if exam.answers else {}


def abandon_mock(session: Session, exam: MockExam, at: dt.datetime) -> None:
    """End an exam the officer gave up (「放弃并重新开始」): closed, not scored, so not in his record."""
    exam.submitted_at = at
    session.flush()


def finish_mock(session: Session, exam: MockExam, answers: dict[str, Any], score: float, max_score: float,
                sections: list[dict[str, Any]], passed: bool, at: dt.datetime, overtime: bool) -> None:
    """Record the submission once (the first one counts; the caller checks ``submitted_at`` before)."""
    exam.answers = json.dumps(answers, ensure_ascii=False)
    exam.score, exam.max_score = Decimal(str(round(score, 2))), Decimal(str(round(max_score, 2)))
    exam.sections = json.dumps(sections, ensure_ascii=False)
    exam.passed, exam.submitted_at = passed, at
    exam.overtime = overtime
    session.flush()


def mock_history(session: Session, officer_id: int, limit: int = 50) -> list[dict[str, Any]]:
    """The officer's scored mock exams, newest first (an abandoned one is closed without a score: not listed)."""
    exams = session.scalars(select(MockExam).where(MockExam.officer_id == officer_id, MockExam.score.is_not(None))
                            .order_by(MockExam.submitted_at.desc(), MockExam.id.desc()).limit(limit))
    return [mock_summary(e) for e in exams]


def mock_summary(exam: MockExam) -> dict[str, Any]:
    """The record as JSON: times as ISO text in UTC."""
    return {"id": exam.id, "blueprint": exam.blueprint, "title": exam.title,
            "started_at": aware(exam.started_at).isoformat(),
            "submitted_at": aware(exam.submitted_at).isoformat() if exam.submitted_at else None,
            "score": float(exam.score) if exam.score is not None else None,
            "max_score": float(exam.max_score) if exam.max_score is not None else None,
            "sections": json.loads(exam.sections) if exam.sections else [], "passed": exam.passed,
            "overtime": bool(exam.overtime), "automatic": automatic(exam)}


def automatic(exam: MockExam) -> bool:
    """Handed in by the academy, not the officer: the time ran out with the page closed, and the saved answers were
    scored when he came back. Such an exam is recorded as handed in at its deadline and 超时; an officer's own late
    交卷 is always later than the deadline (by more than the grace), so the two are told apart without a column."""
    return bool(exam.overtime) and exam.submitted_at is not None and aware(exam.submitted_at) == aware(exam.deadline)


def aware(at: dt.datetime) -> dt.datetime:
    """SQLite gives naive datetimes back: they were stored in UTC."""
    return at if at.tzinfo else at.replace(tzinfo=dt.timezone.utc)
