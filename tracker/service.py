"""Plain functions over the tracker: what the CLI, the dashboard and the course notebooks call.

Each opens one transaction on the configured database (``ACADEMY_DB_URL`` or the SQLite file in the data folder).
"""

from __future__ import annotations

import datetime as dt
import getpass
import os
from decimal import Decimal
from pathlib import Path

import pandas as pd
from sqlalchemy import select

from ground.vocabulary import CATEGORIES
from tracker import db, ledger, study
from tracker.imports import ImportSummary, import_roster, import_training
from tracker.models import FORMS, SOURCE_KINDS, LedgerEntry, Officer, Unit
from tracker.reports import by_unit, compliance, shortfall_list
from tracker.rules import Rules
from tracker.statement import Statement, statement_bytes
from tracker.statement import as_text as statement_text


def current_user() -> str:
    """Who records: the full name of the login account when the system knows it (the GECOS field), else the login.

    This is the RECORDER of an import (the staff member at the keyboard), not the officer answering a quiz; that one is
    ``ground.identity.officer_from_environment`` (with the learning page's and the quiz's own fallbacks)."""
    login = os.environ.get("JUPYTERHUB_USER") or getpass.getuser()
    try:
        import pwd

        full = pwd.getpwnam(login).pw_gecos.split(",")[0].strip()
    except (ImportError, KeyError):
        full = ""
    return full or login


def import_roster_file(path: Path, recorded_by: str | None = None, url: str | None = None) -> ImportSummary:
    with db.session(url) as s:
        return import_roster(s, Path(path), recorded_by or current_user())


def import_training_file(path: Path, recorded_by: str | None = None, url: str | None = None,
                         rules: Rules | None = None, progress: bool = True) -> ImportSummary:
    with db.session(url) as s:
        return import_training(s, Path(path), recorded_by or current_user(), rules=rules, progress=progress)


def record_entry(officer_no: str, on: dt.date, category: str, hours: float | Decimal, form: str, title: str,
                 source_kind: str = "manual", source_ref: str = "", recorded_by: str | None = None,
                 dedup_key: str | None = None, url: str | None = None) -> LedgerEntry | None:
    """Record one entry; None when an entry with the same dedup key already exists."""
    with db.session(url) as s:
        officer = ledger.officer_by_no(s, officer_no)
        return ledger.record(s, ledger.NewEntry(
            officer_id=officer.id, entry_date=on, category=category, hours=Decimal(str(hours)), form=form,
            title=title, source_kind=source_kind, source_ref=source_ref, recorded_by=recorded_by or current_user(),
            dedup_key=dedup_key))


def record_module_completion(officer_no: str, module_id: str, title: str, category: str, hours: float,
                             on: dt.date | None = None, recorded_by: str = "课程系统",
                             url: str | None = None) -> LedgerEntry | None:
    """A completed training module: its 学时 once per officer, module and year (None if already recorded)."""
    on = on or dt.date.today()
    with db.session(url) as s:
        study.ensure_officer(s, officer_no)
    return record_entry(officer_no, on, category, hours, "online", title, source_kind="module",
                        source_ref=f"课程模块 {module_id}", recorded_by=recorded_by,
                        dedup_key=f"module:{officer_no}:{module_id}:{on.year}", url=url)


def record_quiz_attempt(officer_no: str, module_id: str, quiz_id: str, question_id: str, response, correct,
                        fraction: float, at: dt.datetime, url: str | None = None) -> None:
    with db.session(url) as s:
        study.record_attempt(s, officer_no, module_id, quiz_id, question_id, response, correct, fraction, at)


def quiz_history(officer_no: str, module_id: str, quiz_id: str, year: int, url: str | None = None) -> list[dict]:
    """An officer's submissions to a quiz this year, oldest first (``study.quiz_history``)."""
    with db.session(url) as s:
        return study.quiz_history(s, officer_no, module_id, quiz_id, year)


def record_quiz_pass(officer_no: str, module_id: str, quiz_id: str, score: float, on: dt.date | None = None,
                     url: str | None = None) -> set[str]:
    """Record a passed quiz; the set of this module's quizzes the officer has passed this year."""
    year = (on or dt.date.today()).year
    with db.session(url) as s:
        study.record_pass(s, officer_no, module_id, quiz_id, year, score)
        return study.passed_quizzes(s, officer_no, module_id, year)


def study_progress(officer_no: str, year: int, url: str | None = None) -> dict:
    """What the 学习首页 shows: credited modules and the officer's hours by category this year."""
    with db.session(url) as s:
        modules = study.completed_modules(s, officer_no, year)
        officer = s.scalar(select(Officer).where(Officer.officer_no == officer_no))
        row = {}
        if officer is not None:
            table = compliance(s, year, None, officer.unit.name)
            row = table[table["人员编号"] == officer_no].iloc[0].to_dict()
    return {"modules": modules, "standing": row}


def reverse_entry(entry_id: int, reason: str, recorded_by: str | None = None, url: str | None = None) -> LedgerEntry:
    with db.session(url) as s:
        return ledger.reverse(s, entry_id, reason, recorded_by or current_user())


def compliance_table(year: int, unit: str | None = None, rules: Rules | None = None, as_of: dt.date | None = None,
                     url: str | None = None) -> pd.DataFrame:
    with db.session(url) as s:
        return compliance(s, year, rules, unit, as_of)


def write_compliance_report(year: int, fmt: str, output: Path, unit: str | None = None, rules: Rules | None = None,
                            as_of: dt.date | None = None, url: str | None = None) -> pd.DataFrame:
    rules = rules or Rules.load()
    table = compliance_table(year, unit, rules, as_of, url)
    title = f"{year}年度执法人员学时达标情况" + (f"（{unit}）" if unit else "")
    from tracker.export import write_report  # the writers bring matplotlib: not loaded for the learning pages

    write_report(table, by_unit(table), fmt, Path(output), title, rules.required(), rules_text=rules.describe())
    return table


def officer_statement(officer_no: str, year: int, rules: Rules | None = None, as_of: dt.date | None = None,
                      url: str | None = None) -> Statement:
    rules = rules or Rules.load()
    with db.session(url) as s:
        officer = ledger.officer_by_no(s, officer_no)
        entries = ledger.officer_entries(s, officer.id, year)
        info = {"人员编号": officer.officer_no, "姓名": officer.name, "单位": officer.unit.name, "岗位": officer.post,
                "执法领域": officer.domain, "执法证号": officer.certificate_no}
        table = compliance(s, year, rules, officer.unit.name, as_of)
    rows = [{"记录号": e.id, "日期": e.entry_date, "类别": CATEGORIES[e.category], "学时": float(e.hours),
             "形式": FORMS[e.form], "培训名称": e.title, "来源": SOURCE_KINDS[e.source_kind], "来源说明": e.source_ref,
             "冲正记录": e.reverses_id or "", "原因": e.reason, "记录人": e.recorded_by,
             "记录时间": e.recorded_at.strftime("%Y-%m-%d %H:%M")} for e in entries]
    standing = table[table["人员编号"] == officer_no].iloc[0].to_dict()
    return Statement(info, pd.DataFrame(rows), standing, table.attrs["as_of"], year)


def format_statement(statement: Statement, year: int, rules: Rules) -> str:
    return statement_text(statement, rules)


def write_statement(statement: Statement, fmt: str, output: Path, rules: Rules | None = None) -> None:
    output = Path(output)
    output.parent.mkdir(parents=True, exist_ok=True)
    output.write_bytes(statement_bytes(statement, fmt, rules or Rules.load()))


def unit_names(url: str | None = None) -> list[str]:
    with db.session(url) as s:
        return list(s.scalars(select(Unit.name).order_by(Unit.name)))


def write_unit_workbook(year: int, output: Path, rules: Rules | None = None, as_of: dt.date | None = None,
                        url: str | None = None) -> pd.DataFrame:
    """All units in one run: one sheet per unit (and the unit summary first)."""
    rules = rules or Rules.load()
    table = compliance_table(year, None, rules, as_of, url)
    output = Path(output)
    output.parent.mkdir(parents=True, exist_ok=True)
    from tracker.export import unit_workbook_bytes

    output.write_bytes(unit_workbook_bytes(table, f"{year}年度执法人员学时达标情况", rules.describe()))
    return table


def shortfall_table(year: int, unit: str | None = None, rules: Rules | None = None, as_of: dt.date | None = None,
                    url: str | None = None) -> pd.DataFrame:
    return shortfall_list(compliance_table(year, unit, rules, as_of, url))


def write_shortfall_list(year: int, fmt: str, output: Path, unit: str | None = None, rules: Rules | None = None,
                         as_of: dt.date | None = None, url: str | None = None) -> pd.DataFrame:
    rules = rules or Rules.load()
    short = shortfall_table(year, unit, rules, as_of, url)
    title = f"{year}年度学时未达标、有风险人员名单" + (f"（{unit}）" if unit else "")
    output = Path(output)
    output.parent.mkdir(parents=True, exist_ok=True)
    from tracker.export import list_bytes

    output.write_bytes(list_bytes(short, fmt, title, rules.describe()))
    return short


def unregistered_entries(year: int | None = None, url: str | None = None) -> pd.DataFrame:
    """Entries of officers filed under （未登记单位） (not in the roster when they studied), not yet moved or reversed."""
    with db.session(url) as s:
        query = (select(LedgerEntry, Officer).join(Officer, LedgerEntry.officer_id == Officer.id)
                 .join(Unit, Officer.unit_id == Unit.id).where(Unit.name == study.UNREGISTERED_UNIT,
                                                                LedgerEntry.source_kind != "reversal"))
        if year is not None:
            query = query.where(LedgerEntry.year == year)
        reversed_ids = set(s.scalars(select(LedgerEntry.reverses_id).where(LedgerEntry.reverses_id.is_not(None))))
        rows = [{"记录号": e.id, "人员编号": o.officer_no, "姓名": o.name, "日期": e.entry_date,
                 "类别": CATEGORIES[e.category], "学时": float(e.hours), "形式": FORMS[e.form], "培训名称": e.title,
                 "来源": SOURCE_KINDS[e.source_kind] + (f"：{e.source_ref}" if e.source_ref else "")}
                for e, o in s.execute(query.order_by(LedgerEntry.entry_date, LedgerEntry.id)) if e.id not in reversed_ids]
    return pd.DataFrame(rows, columns=["记录号", "人员编号", "姓名", "日期", "类别", "学时", "形式", "培训名称", "来源"])


def move_entry(entry_id: int, to_officer_no: str, reason: str, recorded_by: str | None = None,
               url: str | None = None) -> tuple[LedgerEntry, LedgerEntry]:
    """Merge a record into the right officer, append-only: reverse it and record the same hours for that officer."""
    with db.session(url) as s:
        return ledger.move(s, entry_id, to_officer_no, reason, recorded_by or current_user())


def officer_ids(url: str | None = None) -> list[str]:
    with db.session(url) as s:
        return list(s.scalars(select(Officer.officer_no).order_by(Officer.officer_no)))


def roster_accounts(on: dt.date | None = None, url: str | None = None) -> list[tuple[str, bool]]:
    """Everyone on the roster as (人员编号, in service on ``on``): the site's accounts follow this list. Records under
    （未登记单位） are not on the roster (HR has to register them first)."""
    on = on or dt.date.today()
    with db.session(url) as s:
        rows = s.execute(select(Officer.officer_no, Officer.status, Officer.left_on, Unit.name)
                         .join(Unit, Officer.unit_id == Unit.id)).all()
    return [(number, status == "在职" and (left is None or left > on)) for number, status, left, unit in rows
            if unit != study.UNREGISTERED_UNIT]


def officer_by_login(login: str, url: str | None = None) -> tuple[str, str] | None:
    """(人员编号, 姓名) of the officer whose 人员编号 is this hub login (case aside), or None."""
    with db.session(url) as s:
        officer = study.find_officer(s, login)
        return (officer.officer_no, officer.name) if officer else None
