"""考试结果登记 and certificates: a pass issues or renews the 执法证; failures beyond the allowed retakes put the
officer on the list for 暂扣 review. The rules are configuration (``tracker/rules/certificates.yaml``).

The tracker takes plain result records; it knows nothing of nbgrader.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path

import yaml
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from ground.settings import settings
from tracker.models import Certificate, ExamResult, Officer, utcnow


@dataclass(frozen=True)
class CertificateRules:
    validity_years: int
    max_retakes: int
    number_prefix: str

    @classmethod
    def load(cls, path: Path | str | None = None) -> "CertificateRules":
        path = Path(path or settings.cert_rules_file)
        raw = yaml.safe_load(path.read_text(encoding="utf-8"))
        return cls(int(raw.get("validity_years", 3)), int(raw.get("max_retakes", 1)), str(raw.get("number_prefix", "ZF")))


@dataclass(frozen=True)
class ExamRecord:
    officer_no: str
    score: Decimal
    max_score: Decimal
    passed: bool


@dataclass
class Registration:
    registered: int = 0
    already: int = 0
    issued: list[str] = field(default_factory=list)  # officer numbers with a new certificate
    renewed: list[str] = field(default_factory=list)
    retake_allowed: list[str] = field(default_factory=list)
    suspension_review: list[str] = field(default_factory=list)  # 暂扣审查名单
    unknown: list[str] = field(default_factory=list)
    number_conflicts: list[str] = field(default_factory=list)  # roster's 执法证号 already held by another officer

    def __str__(self) -> str:
        lines = [f"登记 {self.registered} 人（此前已登记 {self.already} 人）：新发证 {len(self.issued)}，换证 {len(self.renewed)}，"
                 f"可补考 {len(self.retake_allowed)}，列入暂扣审查 {len(self.suspension_review)}。"]
        if self.suspension_review:
            lines.append("暂扣审查名单：" + "、".join(self.suspension_review))
        if self.unknown:
            lines.append("不在名册中、未登记：" + "、".join(self.unknown))
        if self.number_conflicts:
            lines.append("名册中的执法证号已属于另一人、未换证（请核对名册）：" + "、".join(self.number_conflicts))
        return "\n".join(lines)


def _add_years(day: dt.date, years: int) -> dt.date:
    try:
        return day.replace(year=day.year + years)
    except ValueError:  # 29 February
        return day.replace(year=day.year + years, day=28)


def _next_number(session: Session, rules: CertificateRules, year: int) -> str:
    prefix = f"{rules.number_prefix}{year}"
    last = session.scalar(select(func.max(Certificate.number)).where(Certificate.number.like(f"{prefix}%")))
    sequence = int(last[len(prefix):]) + 1 if last else 1
    return f"{prefix}{sequence:06d}"


def register_results(session: Session, exam_id: str, series: str, title: str, exam_date: dt.date,
                     records: list[ExamRecord], recorded_by: str, rules: CertificateRules | None = None) -> Registration:
    """Record each officer's result once; issue or renew certificates for passes; list failures past the retakes."""
    rules = rules or CertificateRules.load()
    outcome = Registration()
    officers = {o.officer_no: o for o in session.scalars(select(Officer).where(
        Officer.officer_no.in_([r.officer_no for r in records])))}
    for record in records:
        officer = officers.get(record.officer_no)
        if officer is None:
            outcome.unknown.append(record.officer_no)
            continue
        if session.scalar(select(ExamResult.id).where(ExamResult.officer_id == officer.id, ExamResult.exam_id == exam_id)):
            outcome.already += 1
            continue
        earlier = session.scalar(select(func.count()).select_from(ExamResult).where(
            ExamResult.officer_id == officer.id, ExamResult.series == series)) or 0
        session.add(ExamResult(officer_id=officer.id, exam_id=exam_id, series=series, exam_title=title,
                               exam_date=exam_date, score=record.score, max_score=record.max_score,
                               passed=record.passed, attempt=earlier + 1, recorded_by=recorded_by))
        session.flush()
        outcome.registered += 1
        if record.passed:
            _certify(session, officer, exam_date, title, rules, outcome)
        else:
            failures = session.scalar(select(func.count()).select_from(ExamResult).where(
                ExamResult.officer_id == officer.id, ExamResult.series == series, ExamResult.passed.is_(False))) or 0
            if failures > rules.max_retakes:
                outcome.suspension_review.append(officer.officer_no)
            else:
                outcome.retake_allowed.append(officer.officer_no)
    session.flush()
    return outcome


def _certify(session: Session, officer: Officer, exam_date: dt.date, title: str, rules: CertificateRules,
             outcome: Registration) -> None:
    """A pass: renew the officer's certificate — the one with the roster's 执法证号 when the roster has one (also a
    certificate issued before this system kept certificates: it is taken over with its number) — or issue a new
    one, whose number the roster then holds."""
    roster_no = (officer.certificate_no or "").strip()
    current = None
    if roster_no:
        current = session.scalar(select(Certificate).where(Certificate.number == roster_no))
        if current is not None and current.officer_id != officer.id:
            outcome.number_conflicts.append(officer.officer_no)
            return
    if current is None and not roster_no:
        current = session.scalar(select(Certificate).where(Certificate.officer_id == officer.id,
                                                           Certificate.status != "注销")
                                 .order_by(Certificate.valid_until.desc()))
    if current is not None:
        current.valid_until = _add_years(max(current.valid_until, exam_date), rules.validity_years)
        current.reason = f"{title}合格，换证延续有效期"
        current.updated_at = utcnow()
        officer.certificate_no = current.number
        outcome.renewed.append(officer.officer_no)
    elif roster_no:
        session.add(Certificate(officer_id=officer.id, number=roster_no, issued_on=exam_date,
                                valid_until=_add_years(exam_date, rules.validity_years), status="有效",
                                reason=f"{title}合格，换证（沿用名册中的执法证号）"))
        outcome.renewed.append(officer.officer_no)
    else:
        number = _next_number(session, rules, exam_date.year)
        session.add(Certificate(officer_id=officer.id, number=number, issued_on=exam_date,
                                valid_until=_add_years(exam_date, rules.validity_years), status="有效",
                                reason=f"{title}合格"))
        officer.certificate_no = number
        outcome.issued.append(officer.officer_no)
    session.flush()


def certificate_of(session: Session, officer_no: str) -> Certificate | None:
    return session.scalar(select(Certificate).join(Officer, Certificate.officer_id == Officer.id)
                          .where(Officer.officer_no == officer_no).order_by(Certificate.valid_until.desc()))
