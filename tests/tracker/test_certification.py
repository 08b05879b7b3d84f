"""考试结果登记: passes issue or renew certificates, failures past the retakes are listed for 暂扣 review."""

import datetime as dt
from decimal import Decimal

import pytest
from sqlalchemy import func, select

from tests.tracker.helpers import ROSTER, write_csv
from tracker import db
from tracker.certification import CertificateRules, ExamRecord, certificate_of, register_results
from tracker.imports import import_roster
from tracker.models import Certificate, ExamResult

RULES = CertificateRules(validity_years=3, max_retakes=1, number_prefix="ZF")


@pytest.fixture
def people(db_url, tmp_path):
    with db.session(db_url) as s:
        import_roster(s, write_csv(tmp_path / "r.csv", ROSTER), "hr")
    return db_url


def register(url, exam, day, results, series="cert-2026"):
    records = [ExamRecord(no, Decimal(score), Decimal(100), score >= 60) for no, score in results]
    with db.session(url) as s:
        return register_results(s, exam, series, "资格考试", day, records, "admin", RULES)


def test_a_pass_issues_a_certificate_and_a_later_pass_renews_it(people):
    first = register(people, "cert-2026-q1", dt.date(2026, 3, 1), [("A0001", 85), ("A0002", 40), ("Z9", 90)])
    assert first.issued == ["A0001"] and first.retake_allowed == ["A0002"] and first.unknown == ["Z9"]
    with db.session(people) as s:
        cert = certificate_of(s, "A0001")
        assert (cert.number, cert.issued_on, cert.valid_until, cert.status) == (
            "ZF2026000001", dt.date(2026, 3, 1), dt.date(2029, 3, 1), "有效")
    renewal = register(people, "renew-2028", dt.date(2028, 12, 1), [("A0001", 70)], series="renew-2028")
    assert renewal.renewed == ["A0001"]
    with db.session(people) as s:
        assert certificate_of(s, "A0001").valid_until == dt.date(2032, 3, 1)
        assert s.scalar(select(func.count()).select_from(Certificate)) == 1


def test_failures_beyond_the_retakes_go_to_suspension_review(people):
    register(people, "cert-2026-q1", dt.date(2026, 3, 1), [("A0002", 40)])
    retake = register(people, "cert-2026-q1-retake", dt.date(2026, 4, 1), [("A0002", 50)])
    assert retake.suspension_review == ["A0002"] and "暂扣审查名单：A0002" in str(retake)
    with db.session(people) as s:
        attempts = s.scalars(select(ExamResult.attempt).order_by(ExamResult.exam_date)).all()
        assert attempts == [1, 2]


def test_registering_the_same_exam_again_changes_nothing(people):
    register(people, "cert-2026-q1", dt.date(2026, 3, 1), [("A0001", 85)])
    again = register(people, "cert-2026-q1", dt.date(2026, 3, 1), [("A0001", 85)])
    assert (again.registered, again.already, again.issued) == (0, 1, [])
    with db.session(people) as s:
        assert s.scalar(select(func.count()).select_from(ExamResult)) == 1


def test_rules_are_configuration():
    rules = CertificateRules.load()
    assert rules.validity_years >= 1 and rules.max_retakes >= 0 and rules.number_prefix
