"""考试结果登记: passes issue or renew certificates, failures past the retakes are listed for 暂扣 review."""

import datetime as dt
from decimal import Decimal

import pytest
from sqlalchemy import func, select

from tests.tracker.helpers import ROSTER, write_csv
from tracker import db
from tracker.certification import CertificateRules, ExamRecord, certificate_of, register_results
from tracker.imports import import_roster
from tracker.models import Certificate, ExamResult, Officer

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


def test_a_pass_issues_a_certificate_and_a_later_pass_renews_it(people, tmp_path):
    newcomer = [["人员编号", "姓名", "单位"], ["N0001", "赵六", "甲县市场监督管理局"]]  # no 执法证号 on the roster
    with db.session(people) as s:
        import_roster(s, write_csv(tmp_path / "n.csv", newcomer), "hr")
    first = register(people, "cert-2026-q1", dt.date(2026, 3, 1), [("N0001", 85), ("A0002", 40), ("Z9", 90)])
    assert first.issued == ["N0001"] and first.retake_allowed == ["A0002"] and first.unknown == ["Z9"]
    with db.session(people) as s:
        cert = certificate_of(s, "N0001")
        assert (cert.number, cert.issued_on, cert.valid_until, cert.status) == (
            "ZF2026000001", dt.date(2026, 3, 1), dt.date(2029, 3, 1), "有效")
        assert s.scalar(select(Officer.certificate_no).where(Officer.officer_no == "N0001")) == "ZF2026000001"
    renewal = register(people, "renew-2028", dt.date(2028, 12, 1), [("N0001", 70)], series="renew-2028")
    assert renewal.renewed == ["N0001"]
    with db.session(people) as s:
        assert certificate_of(s, "N0001").valid_until == dt.date(2032, 3, 1)
        assert s.scalar(select(func.count()).select_from(Certificate)) == 1


def test_a_renewal_keeps_the_rosters_certificate_number(people):
    """A0001 holds 执法证 SC001 (on the roster, issued before the tracker kept certificates): a pass renews it."""
    outcome = register(people, "renew-2026", dt.date(2026, 6, 1), [("A0001", 80)], series="renew-2026")
    assert outcome.renewed == ["A0001"] and outcome.issued == []
    with db.session(people) as s:
        cert = certificate_of(s, "A0001")
        assert (cert.number, cert.valid_until) == ("SC001", dt.date(2029, 6, 1))
    again = register(people, "renew-2029", dt.date(2029, 5, 1), [("A0001", 90)], series="renew-2029")
    assert again.renewed == ["A0001"]
    with db.session(people) as s:
        assert certificate_of(s, "A0001").valid_until == dt.date(2032, 6, 1)
        assert s.scalars(select(Certificate.number)).all() == ["SC001"]


def test_a_roster_number_held_by_another_officer_is_not_taken(people):
    register(people, "renew-2026", dt.date(2026, 6, 1), [("A0001", 80)], series="renew-2026")
    with db.session(people) as s:
        s.scalars(select(Officer).where(Officer.officer_no == "A0002")).one().certificate_no = "SC001"
    outcome = register(people, "renew-2026b", dt.date(2026, 7, 1), [("A0002", 80)], series="renew-2026b")
    assert outcome.number_conflicts == ["A0002"] and not outcome.renewed and "执法证号已属于另一人" in str(outcome)
    with db.session(people) as s:
        assert certificate_of(s, "A0001").valid_until == dt.date(2029, 6, 1)


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
