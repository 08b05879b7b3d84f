"""The requirement as configuration, and the status of each officer."""

import datetime as dt

import pytest
import yaml
from sqlalchemy import update

from tests.tracker.helpers import ROSTER, write_csv
from tracker import db, service
from tracker.imports import import_roster
from tracker.models import Officer
from tracker.rules import RULES_DIR, Rules


@pytest.fixture
def people(db_url, tmp_path):
    with db.session(db_url) as s:
        import_roster(s, write_csv(tmp_path / "r.csv", ROSTER), "hr")
    return db_url


def add(officer, day, category, hours, form="offline"):
    service.record_entry(officer, day, category, hours, form, f"{category}{day}")


def rules_file(tmp_path, **changes) -> Rules:
    raw = yaml.safe_load((RULES_DIR / "default.yaml").read_text(encoding="utf-8"))
    for key, value in changes.items():
        target = raw
        *path, last = key.split(".")
        for part in path:
            target = target[part]
        target[last] = value
    path = tmp_path / "rules.yaml"
    path.write_text(yaml.safe_dump(raw, allow_unicode=True), encoding="utf-8")
    return Rules.load(path)


def status(table, officer):
    return table.set_index("人员编号").loc[officer]


def test_default_is_30_plus_30(people):
    rules = Rules.load()
    assert (rules.mode, rules.legal, rules.operations) == ("split", 30, 30)
    add("A0001", dt.date(2026, 2, 1), "legal", 20)
    add("A0001", dt.date(2026, 3, 1), "legal", 10)
    add("A0001", dt.date(2026, 4, 1), "operations", 24)
    add("A0001", dt.date(2026, 5, 1), "operations", 6)
    add("A0002", dt.date(2026, 2, 1), "legal", 24)
    add("A0002", dt.date(2026, 2, 2), "legal", 24)  # 48 法律知识 but no 专门业务
    table = service.compliance_table(2026, as_of=dt.date(2026, 12, 31))
    assert status(table, "A0001")["状态"] == "达标"
    assert status(table, "A0002")["状态"] == "未达标" and status(table, "A0002")["专门业务缺口"] == 30
    assert status(table, "B0001")["法律知识缺口"] == 30


def test_at_risk_is_judged_on_the_pace_so_far(people):
    add("A0001", dt.date(2026, 1, 10), "legal", 16)        # on pace in mid-June for 30
    add("A0001", dt.date(2026, 1, 11), "operations", 16)
    add("A0002", dt.date(2026, 1, 10), "legal", 5)         # behind
    add("A0002", dt.date(2026, 1, 11), "operations", 20)
    mid_year = service.compliance_table(2026, as_of=dt.date(2026, 6, 30))
    assert status(mid_year, "A0001")["状态"] == "进度正常"
    assert status(mid_year, "A0002")["状态"] == "有风险"
    assert status(mid_year, "B0001")["状态"] == "有风险"
    year_end = service.compliance_table(2026, as_of=dt.date(2026, 12, 31))
    assert set(year_end["状态"]) == {"未达标"}


def test_year_boundary(people):
    add("A0001", dt.date(2025, 12, 31), "legal", 24)
    add("A0001", dt.date(2026, 1, 1), "legal", 6)
    assert status(service.compliance_table(2025, as_of=dt.date(2025, 12, 31)), "A0001")["法律知识"] == 24
    assert status(service.compliance_table(2026, as_of=dt.date(2026, 12, 31)), "A0001")["法律知识"] == 6


def test_total_mode_with_online_cap(people, tmp_path):
    rules = Rules.load(RULES_DIR / "total60_online_cap.yaml")
    assert rules.mode == "total" and rules.online_cap == 20
    add("A0001", dt.date(2026, 3, 1), "legal", 20, "online")
    add("A0001", dt.date(2026, 3, 2), "operations", 20, "online")  # 40 online, 20 count
    add("A0001", dt.date(2026, 3, 3), "operations", 24, "offline")
    add("A0001", dt.date(2026, 3, 4), "legal", 16, "offline")
    row = status(service.compliance_table(2026, rules=rules, as_of=dt.date(2026, 12, 31)), "A0001")
    assert row["合计"] == 60 and row["要求合计"] == 60 and row["状态"] == "达标"
    add("A0002", dt.date(2026, 3, 1), "legal", 24, "online")
    add("A0002", dt.date(2026, 3, 2), "legal", 24, "online")
    add("A0002", dt.date(2026, 3, 3), "legal", 24, "offline")
    row = status(service.compliance_table(2026, rules=rules, as_of=dt.date(2026, 12, 31)), "A0002")
    assert row["合计"] == 44 and row["合计缺口"] == 16  # 48 online capped at 20, plus 24 offline


def test_split_online_cap_per_category(people, tmp_path):
    rules = rules_file(tmp_path, online_cap=10)
    add("A0001", dt.date(2026, 3, 1), "legal", 24, "online")
    add("A0001", dt.date(2026, 3, 2), "legal", 5, "offline")
    row = status(service.compliance_table(2026, rules=rules, as_of=dt.date(2026, 12, 31)), "A0001")
    assert row["法律知识"] == 15 and row["法律知识缺口"] == 15


def test_carry_over_of_last_years_surplus(people, tmp_path):
    rules = rules_file(tmp_path, **{"carry_over.enabled": True, "carry_over.max": 5})
    for day in (1, 2):
        add("A0001", dt.date(2025, 3, day), "legal", 20)  # 40: 10 over, 5 carried
    add("A0001", dt.date(2026, 3, 1), "legal", 24)
    row = status(service.compliance_table(2026, rules=rules, as_of=dt.date(2026, 12, 31)), "A0001")
    assert row["结转法律知识"] == 5 and row["法律知识缺口"] == 1


def test_officers_who_joined_during_the_year_need_less(people):
    with db.session(people) as s:
        s.execute(update(Officer).where(Officer.officer_no == "A0001").values(joined_on=dt.date(2026, 7, 15)))
        s.execute(update(Officer).where(Officer.officer_no == "A0002").values(left_on=dt.date(2026, 3, 31)))
    table = service.compliance_table(2026, as_of=dt.date(2026, 12, 31))
    assert status(table, "A0001")["要求法律知识"] == 15   # July–December: 6 months
    assert status(table, "A0002")["要求专门业务"] == 7.5  # January–March
    assert status(table, "B0001")["要求法律知识"] == 30


def test_rules_file_errors_are_clear(tmp_path):
    path = tmp_path / "bad.yaml"
    path.write_text("requirement: {mode: weekly}\n", encoding="utf-8")
    with pytest.raises(ValueError, match="requirement.mode 应为 split 或 total"):
        Rules.load(path)
