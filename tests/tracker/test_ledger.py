"""The append-only ledger: recording, module completion once a year, reversals, totals that match the ledger."""

import datetime as dt
from decimal import Decimal

import pytest
from sqlalchemy import func, select

from tests.tracker.helpers import ROSTER, write_csv
from tracker import db, ledger, service
from tracker.imports import import_roster
from tracker.ledger import LedgerError
from tracker.models import HourTotal, LedgerEntry


@pytest.fixture
def people(db_url, tmp_path):
    with db.session(db_url) as s:
        import_roster(s, write_csv(tmp_path / "r.csv", ROSTER), "hr")
    return db_url


def totals(url):
    with db.session(url) as s:
        cached = {(o, y, c, f): h for o, y, c, f, h in s.execute(select(HourTotal.officer_id, HourTotal.year,
                  HourTotal.category, HourTotal.form, HourTotal.hours)) if h != 0}
        summed = {(o, y, c, f): h for o, y, c, f, h in s.execute(
            select(LedgerEntry.officer_id, LedgerEntry.year, LedgerEntry.category, LedgerEntry.form,
                   func.sum(LedgerEntry.hours)).group_by(LedgerEntry.officer_id, LedgerEntry.year,
                                                         LedgerEntry.category, LedgerEntry.form)) if h != 0}
    return cached, summed


def test_module_completion_counts_once_a_year_and_again_next_year(people):
    first = service.record_module_completion("A0001", "cf-hearing", "行政处罚听证", "legal", 2, on=dt.date(2026, 3, 1))
    again = service.record_module_completion("A0001", "cf-hearing", "行政处罚听证", "legal", 2, on=dt.date(2026, 9, 1))
    next_year = service.record_module_completion("A0001", "cf-hearing", "行政处罚听证", "legal", 2, on=dt.date(2027, 1, 2))
    other = service.record_module_completion("A0002", "cf-hearing", "行政处罚听证", "legal", 2, on=dt.date(2026, 3, 1))
    assert first is not None and again is None and next_year is not None and other is not None
    assert first.source_kind == "module" and first.source_ref == "课程模块 cf-hearing" and first.form == "online"
    table = service.compliance_table(2026, as_of=dt.date(2026, 12, 31))
    assert table.set_index("人员编号").loc["A0001", "法律知识"] == 2


def test_reversal_is_a_new_entry_and_the_original_stays(people):
    entry = service.record_entry("A0001", dt.date(2026, 3, 5), "legal", 3, "offline", "专题培训", recorded_by="hr")
    reversal = service.reverse_entry(entry.id, "重复录入", recorded_by="hr2")
    assert reversal.hours == Decimal("-3.00") and reversal.reverses_id == entry.id and reversal.reason == "重复录入"
    assert reversal.source_kind == "reversal" and reversal.recorded_by == "hr2"
    with db.session(people) as s:
        original = s.get(LedgerEntry, entry.id)
        assert original.hours == Decimal("3.00") and original.recorded_by == "hr"
        assert s.scalar(select(func.count()).select_from(LedgerEntry)) == 2
    assert service.compliance_table(2026).set_index("人员编号").loc["A0001", "法律知识"] == 0
    with pytest.raises(LedgerError, match="已经冲正过"):
        service.reverse_entry(entry.id, "再冲一次")
    with pytest.raises(LedgerError, match="本身是冲正记录"):
        service.reverse_entry(reversal.id, "冲正的冲正")
    with pytest.raises(LedgerError, match="必须写明原因"):
        service.reverse_entry(service.record_entry("A0002", dt.date(2026, 3, 5), "legal", 1, "offline", "x").id, " ")
    with pytest.raises(LedgerError, match="没有编号为 999999"):
        service.reverse_entry(999999, "x")


@pytest.mark.parametrize("kwargs, words", [
    ({"hours": 0}, "学时 0 无效"), ({"hours": 30}, "学时 30 无效"), ({"category": "x"}, "类别 x 无效"),
    ({"form": "x"}, "形式 x 无效"), ({"officer_no": "Z1"}, "人员编号 Z1 不在名册中"),
])
def test_manual_entries_are_checked(people, kwargs, words):
    args = {"officer_no": "A0001", "on": dt.date(2026, 3, 5), "category": "legal", "hours": 2, "form": "offline",
            "title": "t"} | kwargs
    with pytest.raises(LedgerError, match=words):
        service.record_entry(**args)
    with db.session(people) as s:
        assert s.scalar(select(func.count()).select_from(LedgerEntry)) == 0


def test_totals_always_match_the_ledger(people):
    for day in range(1, 11):
        service.record_entry("A0001", dt.date(2026, 3, day), "legal" if day % 2 else "operations", 1.5,
                             "online" if day % 3 else "offline", f"第{day}课")
    entry = service.record_entry("A0002", dt.date(2025, 12, 31), "legal", 4, "offline", "跨年")
    service.reverse_entry(entry.id, "日期录错")
    cached, summed = totals(people)
    assert cached == summed and cached
    with db.session(people) as s:
        ledger.rebuild_totals(s)
    assert totals(people)[0] == summed
