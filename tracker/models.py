"""The tracker's tables (SQLAlchemy 2). Schema changes go through Alembic migrations in ``tracker/migrations``.

The ledger (``ledger_entries``) is append-only: a correction is a new entry that reverses an old one.
``hour_totals`` is a cache of the ledger per officer, year, category and form, kept in the same transaction as
every ledger insert, so that a year's report for 100,000 officers reads a few hundred thousand rows, not millions.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from sqlalchemy import (
    Boolean,
    Date,
    DateTime,
    ForeignKey,
    Index,
    Integer,
    MetaData,
    Numeric,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, relationship

FORMS = {"online": "线上", "offline": "线下"}
SOURCE_KINDS = {"module": "课程完成", "session": "培训班", "exam": "考试", "manual": "手工录入", "import": "导入",
                "reversal": "冲正"}
CERTIFICATE_STATUSES = ("有效", "暂扣", "注销")
HOURS = Numeric(8, 2)


def utcnow() -> dt.datetime:
    return dt.datetime.now(dt.timezone.utc)


# Every constraint gets a name (Alembic's batch mode on SQLite can only drop or change a named one); the names of
# constraints created before this convention were given by migration 0005_named_constraints.
NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING_CONVENTION)


class Unit(Base):
    __tablename__ = "units"
    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(200), unique=True)


class Officer(Base):
    __tablename__ = "officers"
    id: Mapped[int] = mapped_column(primary_key=True)
    officer_no: Mapped[str] = mapped_column(String(64), unique=True)  # 人员编号
    name: Mapped[str] = mapped_column(String(100))
    unit_id: Mapped[int] = mapped_column(ForeignKey("units.id"), index=True)
    post: Mapped[str] = mapped_column(String(100), default="")  # 岗位
    domain: Mapped[str] = mapped_column(String(100), default="")  # 执法领域
    certificate_no: Mapped[str] = mapped_column(String(64), default="")  # 执法证号
    status: Mapped[str] = mapped_column(String(20), default="在职")
    joined_on: Mapped[dt.date | None] = mapped_column(Date)
    left_on: Mapped[dt.date | None] = mapped_column(Date)
    unit: Mapped[Unit] = relationship()


class ImportBatch(Base):
    __tablename__ = "import_batches"
    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[str] = mapped_column(String(20))  # roster | training
    file_name: Mapped[str] = mapped_column(String(500))
    file_sha256: Mapped[str] = mapped_column(String(64), index=True)
    rows: Mapped[int] = mapped_column(Integer)
    added: Mapped[int] = mapped_column(Integer)
    skipped: Mapped[int] = mapped_column(Integer)
    recorded_by: Mapped[str] = mapped_column(String(100))
    recorded_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), default=utcnow)


class LedgerEntry(Base):
    __tablename__ = "ledger_entries"
    id: Mapped[int] = mapped_column(primary_key=True)
    officer_id: Mapped[int] = mapped_column(ForeignKey("officers.id"))
    entry_date: Mapped[dt.date] = mapped_column(Date)
    year: Mapped[int] = mapped_column(Integer)
    category: Mapped[str] = mapped_column(String(20))  # legal | operations
    hours: Mapped[Decimal] = mapped_column(HOURS)  # negative for a reversal
    form: Mapped[str] = mapped_column(String(20))  # online | offline
    title: Mapped[str] = mapped_column(String(300), default="")  # 培训名称 / 课程名称
    source_kind: Mapped[str] = mapped_column(String(20))
    source_ref: Mapped[str] = mapped_column(String(500), default="")  # module id, file + row, exam id …
    batch_id: Mapped[int | None] = mapped_column(ForeignKey("import_batches.id"))
    reverses_id: Mapped[int | None] = mapped_column(ForeignKey("ledger_entries.id"))
    reason: Mapped[str] = mapped_column(Text, default="")
    recorded_by: Mapped[str] = mapped_column(String(100))
    recorded_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    # what makes an entry "the same" (import row, module completion of a year, reversal of an entry): unique
    dedup_key: Mapped[str | None] = mapped_column(String(200), unique=True)
    officer: Mapped[Officer] = relationship()

    __table_args__ = (Index("ix_ledger_officer_year", "officer_id", "year"),)


class HourTotal(Base):
    __tablename__ = "hour_totals"
    officer_id: Mapped[int] = mapped_column(ForeignKey("officers.id"), primary_key=True)
    year: Mapped[int] = mapped_column(Integer, primary_key=True)
    category: Mapped[str] = mapped_column(String(20), primary_key=True)
    form: Mapped[str] = mapped_column(String(20), primary_key=True)
    hours: Mapped[Decimal] = mapped_column(HOURS)

    __table_args__ = (Index("ix_totals_year", "year"),)


class ExamResult(Base):
    """考试结果登记."""

    __tablename__ = "exam_results"
    id: Mapped[int] = mapped_column(primary_key=True)
    officer_id: Mapped[int] = mapped_column(ForeignKey("officers.id"), index=True)
    exam_id: Mapped[str] = mapped_column(String(100))
    series: Mapped[str] = mapped_column(String(100), default="")  # 考试系列: an exam and its retakes
    exam_title: Mapped[str] = mapped_column(String(300), default="")
    exam_date: Mapped[dt.date] = mapped_column(Date)
    score: Mapped[Decimal] = mapped_column(Numeric(6, 2))
    max_score: Mapped[Decimal] = mapped_column(Numeric(6, 2))
    passed: Mapped[bool] = mapped_column(Boolean)
    attempt: Mapped[int] = mapped_column(Integer, default=1)
    recorded_by: Mapped[str] = mapped_column(String(100))
    recorded_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), default=utcnow)

    __table_args__ = (UniqueConstraint("officer_id", "exam_id", name="uq_exam_result"),)


class Certificate(Base):
    __tablename__ = "certificates"
    id: Mapped[int] = mapped_column(primary_key=True)
    officer_id: Mapped[int] = mapped_column(ForeignKey("officers.id"), index=True)
    number: Mapped[str] = mapped_column(String(64), unique=True)
    issued_on: Mapped[dt.date] = mapped_column(Date)
    valid_until: Mapped[dt.date] = mapped_column(Date)
    status: Mapped[str] = mapped_column(String(10), default="有效")  # 有效 / 暂扣 / 注销
    reason: Mapped[str] = mapped_column(Text, default="")
    updated_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), default=utcnow)


class QuizAttempt(Base):
    """One answer submitted in a training quiz (evidence of study; not a ledger entry). Answers of the 错题本's
    「再练一遍」 and of a submitted 模拟考试 are stored here too, under module ids no module has (``tracker.practice``)."""

    __tablename__ = "quiz_attempts"
    id: Mapped[int] = mapped_column(primary_key=True)
    officer_id: Mapped[int] = mapped_column(ForeignKey("officers.id"), index=True)
    module_id: Mapped[str] = mapped_column(String(100))
    quiz_id: Mapped[str] = mapped_column(String(100))
    question_id: Mapped[str] = mapped_column(String(100))
    response: Mapped[str] = mapped_column(Text)  # JSON
    correct: Mapped[bool | None] = mapped_column(Boolean)
    fraction: Mapped[Decimal] = mapped_column(Numeric(5, 4))
    answered_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True))
    request_id: Mapped[str | None] = mapped_column(String(64))  # the answering request (the service: one record each)

    __table_args__ = (UniqueConstraint("officer_id", "request_id", "question_id", name="uq_quiz_attempt_request"),)


class QuizPass(Base):
    """A quiz of a module passed by an officer in a year (the module completes when all its quizzes are passed)."""

    __tablename__ = "quiz_passes"
    id: Mapped[int] = mapped_column(primary_key=True)
    officer_id: Mapped[int] = mapped_column(ForeignKey("officers.id"), index=True)
    module_id: Mapped[str] = mapped_column(String(100))
    quiz_id: Mapped[str] = mapped_column(String(100))
    year: Mapped[int] = mapped_column(Integer)
    score: Mapped[Decimal] = mapped_column(Numeric(5, 4))
    passed_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), default=utcnow)

    __table_args__ = (UniqueConstraint("officer_id", "module_id", "quiz_id", "year", name="uq_quiz_pass"),)


class MockExam(Base):
    """A 模拟考试: drawn from a blueprint for one officer, scored at once, kept for the officer's own record.

    It gives no 学时 (it is not a ledger entry). ``paper`` is what was drawn (sections with question ids and points;
    the keys stay in the bank); ``sections`` the breakdown once submitted (JSON: id, title, earned, max, unscored).
    """

    __tablename__ = "mock_exams"
    id: Mapped[int] = mapped_column(primary_key=True)
    officer_id: Mapped[int] = mapped_column(ForeignKey("officers.id"), index=True)
    blueprint: Mapped[str] = mapped_column(String(100))  # the blueprint's exam id
    title: Mapped[str] = mapped_column(String(300))
    paper: Mapped[str] = mapped_column(Text)  # JSON
    started_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True))
    deadline: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True))
    submitted_at: Mapped[dt.datetime | None] = mapped_column(DateTime(timezone=True))
    answers: Mapped[str | None] = mapped_column(Text)  # JSON, by question id and part ("" for a whole question)
    score: Mapped[Decimal | None] = mapped_column(Numeric(6, 2))
    max_score: Mapped[Decimal | None] = mapped_column(Numeric(6, 2))  # the points scored automatically
    sections: Mapped[str | None] = mapped_column(Text)  # JSON
    passed: Mapped[bool | None] = mapped_column(Boolean)
    overtime: Mapped[bool] = mapped_column(Boolean, default=False)  # submitted after the time allowed


class ExamSitting(Base):
    """One officer's sitting of one exam in one form, as the 考试管理员 assigned it. The clock is the server's:
    ``started_at`` and ``deadline`` are fixed at the first opening (never again), ``submitted_at`` ends it, or the
    administrator's ``closed_at`` (现在收卷; before the first opening it keeps the sitting from starting)."""

    __tablename__ = "exam_sittings"
    id: Mapped[int] = mapped_column(primary_key=True)
    exam_id: Mapped[str] = mapped_column(String(100))
    assignment: Mapped[str] = mapped_column(String(100))  # the form's nbgrader assignment, e.g. cert-2026-q4-a
    form: Mapped[str] = mapped_column(String(20))  # A, B …
    officer_id: Mapped[int] = mapped_column(ForeignKey("officers.id"))
    assigned_by: Mapped[str] = mapped_column(String(100))
    assigned_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    duration_seconds: Mapped[int] = mapped_column(Integer)
    started_at: Mapped[dt.datetime | None] = mapped_column(DateTime(timezone=True))
    deadline: Mapped[dt.datetime | None] = mapped_column(DateTime(timezone=True))
    submitted_at: Mapped[dt.datetime | None] = mapped_column(DateTime(timezone=True))
    # 现在收卷: the 考试管理员 ended the sitting early (or, before it was opened, cancelled it), at the server's time
    closed_at: Mapped[dt.datetime | None] = mapped_column(DateTime(timezone=True))
    closed_by: Mapped[str | None] = mapped_column(String(100))
    close_reason: Mapped[str | None] = mapped_column(String(500))

    __table_args__ = (UniqueConstraint("officer_id", "exam_id", name="uq_exam_sitting"),
                      Index("ix_exam_sittings_exam", "exam_id"))


class ExamClick(Base):
    """Every click of an exam page as the service received it (append-only): the value, the server's time, and
    whether it was taken (``accepted``) or refused, with the reason. One row per (officer, exam, request)."""

    __tablename__ = "exam_clicks"
    id: Mapped[int] = mapped_column(primary_key=True)
    officer_id: Mapped[int] = mapped_column(ForeignKey("officers.id"))
    exam_id: Mapped[str] = mapped_column(String(100))
    question: Mapped[str] = mapped_column(String(200))  # qid or qid/partid
    value: Mapped[str] = mapped_column(Text)  # JSON
    at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True))
    request_id: Mapped[str] = mapped_column(String(64))
    accepted: Mapped[bool] = mapped_column(Boolean)
    reason: Mapped[str] = mapped_column(String(200), default="")

    __table_args__ = (UniqueConstraint("officer_id", "exam_id", "request_id", name="uq_exam_click_request"),
                      Index("ix_exam_clicks_exam_officer", "exam_id", "officer_id"))
