"""Who is answering on one machine: the 人员编号 as people type it, checked against the roster, never created by typing."""

import datetime as dt

import pytest

from academy import identity
from tests.tracker.helpers import ROSTER, write_csv
from tracker import db
from tracker.imports import import_roster
from tracker.models import Officer


@pytest.fixture
def roster(db_url, tmp_path):
    rows = [*ROSTER, ["C0001", "赵六", "丙县应急管理局", "执法队员", "应急管理", "YJ001"]]
    with db.session(db_url) as s:
        import_roster(s, write_csv(tmp_path / "r.csv", rows), "hr")
        s.query(Officer).filter_by(officer_no="C0001").update({"status": "离职", "left_on": dt.date(2026, 1, 31)})
    return db_url


@pytest.mark.parametrize("typed", ["A0001", " A0001 ", "a0001", "Ａ０００１", "Ａ　０００１", "A 00 01\t"])
def test_the_number_is_found_however_it_is_typed(roster, typed):
    found = identity.look_up(typed)
    assert found == identity.RosterOfficer("A0001", "张三", "甲县市场监督管理局")
    assert found.question() == "您是 张三（甲县市场监督管理局）吗？"


def test_numbers_not_on_the_roster_are_refused_and_nobody_is_created(roster):
    for typed, said in [("A0009", "名册中没有人员编号 A0009"), ("", "请输入人员编号"), ("C0001", "已不在职"),
                        ("X" * 65, "太长")]:
        with pytest.raises(identity.NotOnRoster, match=said):
            identity.look_up(typed)
    with db.session(roster) as s:
        assert s.query(Officer).count() == len(ROSTER)  # 3 on the roster + the one who left


def test_an_officer_recorded_outside_the_roster_is_not_on_it(roster):
    from tracker import service

    service.record_quiz_attempt("U0001", "m", "q1", "x", "A", True, 1.0, dt.datetime.now(dt.timezone.utc))
    with pytest.raises(identity.NotOnRoster, match="名册中没有"):
        identity.look_up("U0001")  # added under （未登记单位） for HR to complete: not on the roster


def test_the_choice_is_kept_in_the_data_folder_while_the_roster_has_it(roster, monkeypatch):
    monkeypatch.delenv("ACADEMY_OFFICER", raising=False)
    monkeypatch.delenv("JUPYTERHUB_USER", raising=False)
    assert identity.page_officer() == (None, False)
    identity.choose("A0002")
    assert identity.page_officer() == ("A0002", False) and identity.describe("A0002") == "李四（甲县市场监督管理局）"
    identity.choose("C0001")  # has left since
    assert identity.page_officer() == (None, False)
    identity.forget()
    assert identity.chosen_officer() is None


def test_the_configured_officer_is_fixed_when_on_the_roster(roster, monkeypatch):
    monkeypatch.delenv("JUPYTERHUB_USER", raising=False)
    monkeypatch.setenv("ACADEMY_OFFICER", "b0001")
    assert identity.page_officer() == ("B0001", True)
    monkeypatch.setenv("ACADEMY_OFFICER", "NOBODY")  # not on the roster: not used, the page asks
    assert identity.page_officer() == (None, False)
    assert identity.page_officer("T0009") == ("T0009", True)  # a caller's own argument is taken as given
