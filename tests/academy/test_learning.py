"""Module completion: every quiz passed at the pass mark → the module's 学时 once per officer, module and year."""

import datetime as dt

import pytest
from sqlalchemy import func, select

from academy import identity, learning
from curriculum import catalog
from tests.quiz_officers import key_of
from tests.tracker.helpers import ROSTER, write_csv
from tracker import db
from tracker.imports import import_roster
from tracker.models import LedgerEntry, QuizAttempt

MODULE = "legal-cf-hearing"


pytestmark = pytest.mark.usefixtures("study_database")


def wrong_of(item):
    if item.type == "single":
        return next(k for k in item.options if k != item.answer)
    if item.type == "multiple":
        return [k for k in item.options if k not in item.answer][:1] or ["A"]
    if item.type == "judge":
        return not item.answer
    if item.type == "numeric":
        return "99999"
    return "我的回答"


def play(module_quiz, right: int):
    """Answer the first ``right`` questions correctly and the rest wrongly."""
    for n, view in enumerate(list(module_quiz.quiz.views)):
        for inp in view.inputs.values():
            value = key_of(inp.item) if n < right else wrong_of(inp.item)
            if inp.checkboxes:
                for letter, box in inp.checkboxes.items():
                    box.value = letter in value
            else:
                inp.control.value = value
        view.submit_button.click()


def entries():
    """(officer, hours, category, year) of every module-completion entry."""
    with db.session() as s:
        return [(e.officer.officer_no, float(e.hours), e.category, e.year)
                for e in s.scalars(select(LedgerEntry).where(LedgerEntry.source_kind == "module"))]


def test_passing_every_quiz_records_the_hours_once_a_year():
    spec = catalog.module(MODULE)
    module = learning.Module(MODULE, officer="T0001", today=dt.date(2026, 3, 1))
    shown = module.quiz("q1")
    play(shown, len(shown.quiz.views))
    assert f"已记入 {spec.hours:g} 学时" in module.status.value
    assert entries() == [("T0001", spec.hours, "legal", 2026)]
    with db.session() as s:
        assert s.scalar(select(func.count()).select_from(QuizAttempt)) == len(shown.quiz.views)

    again = learning.Module(MODULE, officer="T0001", today=dt.date(2026, 10, 1))
    assert "已完成本模块" in again.status.value
    play(again.quiz("q1"), len(shown.quiz.views))
    assert "不重复记录" in again.status.value and len(entries()) == 1

    next_year = learning.Module(MODULE, officer="T0001", today=dt.date(2027, 1, 4))
    assert "尚未完成" in next_year.status.value
    play(next_year.quiz("q1"), len(shown.quiz.views))
    assert len(entries()) == 2 and {e[3] for e in entries()} == {2026, 2027}


def test_below_the_pass_mark_records_nothing():
    module = learning.Module(MODULE, officer="T0002", today=dt.date(2026, 3, 1))
    shown = module.quiz("q1")
    total = len(shown.quiz.views)
    play(shown, int(total * catalog.module(MODULE).pass_mark) - 1)
    assert entries() == [] and "尚未完成" in module.status.value
    # redo only the wrong ones until every question has been answered right once: then it counts
    shown.quiz.redo()
    play(shown, len(shown.quiz.views))
    assert len(entries()) == 1


def test_the_page_asks_who_is_answering_checks_the_roster_and_remembers(tmp_path):
    with db.session() as s:
        import_roster(s, write_csv(tmp_path / "r.csv", ROSTER), "hr")
    module = learning.Module(MODULE, today=dt.date(2026, 3, 1))
    shown = module.quiz("q1")
    assert shown.quiz is None and "请先在本页上方输入人员编号" in module.status.value  # nothing to answer yet
    module.officer_bar.number.value = "ａ ０００２ "  # full width, spaces, lower case
    module.officer_bar.submit.click()
    assert "您是 李四（甲县市场监督管理局）吗？" in module.officer_bar.widget.children[0].value
    module.officer_bar.yes.click()
    assert module.officer == "A0002" and shown.quiz is not None and shown.quiz.officer == "A0002"
    play(shown, len(shown.quiz.views))
    assert entries()[0][0] == "A0002"
    assert learning.Module(MODULE).officer == "A0002"  # remembered in the data folder, for every module page

    # 切换答题人: the quiz is built again for the new officer; an unknown number is refused, nobody is created
    again = learning.Module(MODULE, today=dt.date(2026, 3, 1))
    shown = again.quiz("q1")
    again.officer_bar.switch.click()
    again.officer_bar.number.value = "Z9999"
    again.officer_bar.submit.click()
    assert "名册中没有人员编号 Z9999" in again.officer_bar.message.value and again.officer == "A0002"
    again.officer_bar.number.value = "b0001"
    again.officer_bar.submit.click()
    again.officer_bar.yes.click()
    assert again.officer == "B0001" and shown.quiz.officer == "B0001" and not any(v.submitted for v in shown.quiz.views)


def test_the_hub_user_wins(monkeypatch):
    monkeypatch.setenv("JUPYTERHUB_USER", "hubuser")
    identity.choose("someone-else")
    assert learning.Module(MODULE).officer == "hubuser"


def texts(widget) -> str:
    """Every text a widget tree shows."""
    return getattr(widget, "value", "") if not hasattr(widget, "children") else "".join(texts(c) for c in widget.children)


def test_home_shows_progress_against_the_requirement():
    spec = catalog.module(MODULE)
    module = learning.Module(MODULE, officer="T0004", today=dt.date.today())
    shown = module.quiz("q1")
    play(shown, len(shown.quiz.views))
    text = texts(learning.home("T0004"))
    assert f"<b>法律知识</b>：{spec.hours:g} / 30 学时" in text and "✔ 本年度已完成" in text
    assert f"<a href='{spec.notebook}'" in text and "target=" not in text  # the module opens in the same window
    assert "运行" not in text and "Shift" not in text


def test_a_module_page_links_back_to_the_home_page():
    assert "<a href='../index.ipynb'" in learning.Module(MODULE, officer="T0005").header.value
    assert learning.back_link("index.ipynb") == "index.ipynb"
