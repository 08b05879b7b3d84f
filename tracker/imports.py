"""Importing the roster and offline training sheets.

A file is checked whole before anything is written: unknown officers, names that differ from the roster, bad hours
(≤ 0, or more than 24 in one day for one officer, counting what is already recorded), bad dates or categories refuse
the whole file, listing every row and reason. A good file is written in one transaction: a process killed half-way
leaves nothing of it behind.

A training row is recognised by 人员编号 + 日期 + 类别 + 学时 + 形式 + 培训名称 (after cleaning): a row already in the
ledger, from this file or any earlier sheet (HR often sends cumulative monthly exports), is skipped, so importing the
same file again changes nothing.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import sys
from collections import defaultdict
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path

from sqlalchemy import func, insert, select
from sqlalchemy.orm import Session
from tqdm import tqdm

from ground.tables import column_map, header_row, read_rows
from tracker import cleaning
from tracker.ledger import NewEntry, add_entries, unit_id
from tracker.models import ImportBatch, LedgerEntry, Officer
from tracker.rules import Rules

ROSTER_ALIASES = {
    "人员编号": ["工号", "编号", "人员代码", "职工编号"],
    "姓名": ["名字", "人员姓名"],
    "单位": ["部门", "所在单位", "执法单位", "工作单位", "单位名称"],
    "岗位": ["职务", "岗位名称"],
    "执法领域": ["领域", "执法类别"],
    "执法证号": ["执法证件号", "证件号", "执法证编号", "证号"],
    "入职日期": ["入职时间", "到岗日期"],
    "离职日期": ["离职时间", "调出日期"],
}
TRAINING_ALIASES = {
    "人员编号": ["工号", "编号", "人员代码", "职工编号"],
    "姓名": ["名字", "人员姓名"],
    "培训名称": ["课程名称", "培训内容", "培训项目", "课程"],
    "类别": ["培训类别", "类型", "培训类型"],
    "学时": ["培训学时", "课时"],
    "分钟": ["时长（分钟）", "时长(分钟)", "培训时长（分钟）"],
    "日期": ["培训日期", "培训时间", "时间"],
    "形式": ["培训形式", "方式", "培训方式"],
}


class ImportRefused(Exception):
    def __init__(self, file: Path, reasons: list[str]):
        self.file, self.reasons = file, reasons
        super().__init__(f"拒绝导入 {file.name}：共 {len(reasons)} 处问题，未写入任何内容。\n" + "\n".join(reasons))


@dataclass
class ImportSummary:
    file: Path
    rows: int
    added: int = 0
    updated: int = 0
    skipped: int = 0
    notes: list[str] = field(default_factory=list)

    def __str__(self) -> str:
        if self.added == 0 and self.updated == 0:
            text = f"{self.file.name}：{self.rows} 行全部此前已导入，未作任何更改。"
        else:
            text = f"{self.file.name}：共 {self.rows} 行，新增 {self.added} 条"
            if self.updated:
                text += f"，更新 {self.updated} 条"
            if self.skipped:
                text += f"，跳过此前已导入的 {self.skipped} 条"
            text += "。"
        return "\n".join([text, *self.notes])


def _sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def _table(path: Path, aliases: dict, required: list[str]) -> tuple[list[tuple[int, dict]], list[str]]:
    """The data rows (sheet row number, cells by canonical column) below the header row, and the columns found."""
    try:
        rows = read_rows(path)
    except (ValueError, OSError) as exc:
        raise ImportRefused(path, [str(exc)]) from exc
    if not rows:
        raise ImportRefused(path, ["文件是空的"])
    top = header_row(rows, aliases)
    columns = column_map(rows[top], aliases)
    missing = [c for c in required if c not in columns]
    if missing:
        found = "、".join(str(x) for x in rows[top] if str(x).strip())
        raise ImportRefused(path, [f"第{top + 1}行：缺少必需的列 {'、'.join(missing)}（表头为：{found}）"])
    records = []
    for number, row in enumerate(rows[top + 1 :], start=top + 2):
        cells = {name: (row[i] if i < len(row) else "") for name, i in columns.items()}
        if any(str(v).strip() for v in cells.values()):
            records.append((number, cells))
    if not records:
        raise ImportRefused(path, [f"第{top + 1}行是表头，下面没有数据行：文件里没有可导入的记录"])
    return records, list(columns)


# ---------------------------------------------------------------- roster

def import_roster(session: Session, path: Path, recorded_by: str) -> ImportSummary:
    records, _ = _table(path, ROSTER_ALIASES, ["人员编号", "姓名", "单位"])
    reasons, people, seen = [], [], {}
    for row, cells in records:
        number, name, unit = (cleaning.text(cells.get(k)) for k in ("人员编号", "姓名", "单位"))
        problems = [f"{k}为空" for k, v in (("人员编号", number), ("姓名", name), ("单位", unit)) if not v]
        person = {"officer_no": number, "name": name, "unit": unit, "post": cleaning.text(cells.get("岗位")),
                  "domain": cleaning.text(cells.get("执法领域")), "certificate_no": cleaning.text(cells.get("执法证号"))}
        for key, column in (("joined_on", "入职日期"), ("left_on", "离职日期")):
            person[key] = None
            if cleaning.text(cells.get(column)):
                try:
                    person[key] = cleaning.parse_date(cells[column])
                except ValueError as exc:
                    problems.append(f"{column}：{exc}")
        if person["joined_on"] and person["left_on"] and person["left_on"] < person["joined_on"]:
            problems.append(f"离职日期 {person['left_on'].isoformat()} 早于入职日期 {person['joined_on'].isoformat()}")
        if number in seen and seen[number] != person:
            problems.append(f"人员编号 {number} 与第{seen[number]['row']}行重复且内容不同")
        person["row"] = row
        seen.setdefault(number, person)
        if problems:
            reasons.append(f"第{row}行：" + "；".join(problems))
        else:
            people.append(person)
    if reasons:
        raise ImportRefused(path, reasons)
    existing = {o.officer_no: o for o in session.scalars(select(Officer))}
    reasons = _zeros_lost(people, existing)
    if reasons:
        raise ImportRefused(path, reasons)
    summary = ImportSummary(path, len(records))
    units: dict[str, int] = {}
    new_rows = []
    for person in {p["officer_no"]: p for p in people}.values():
        values = {k: v for k, v in person.items() if k not in ("row", "unit")}
        values["unit_id"] = unit_id(session, person["unit"], units)
        officer = existing.get(person["officer_no"])
        if officer is None:
            new_rows.append(values)
        elif any(getattr(officer, k) != v for k, v in values.items()):
            for k, v in values.items():
                setattr(officer, k, v)
            summary.updated += 1
        else:
            summary.skipped += 1
    if new_rows:
        session.execute(insert(Officer), new_rows)
    summary.added = len(new_rows)
    if summary.added or summary.updated:
        session.add(ImportBatch(kind="roster", file_name=path.name, file_sha256=_sha256(path), rows=len(records),
                                added=summary.added, skipped=summary.skipped, recorded_by=recorded_by))
    session.flush()
    return summary


def _zeros_lost(people: list[dict], existing: dict[str, Officer]) -> list[str]:
    """New numbers that are an officer's number with its leading zeros dropped (or added): Excel did it, not HR."""
    stripped: dict[str, list[str]] = defaultdict(list)
    for number in existing:
        stripped[number.lstrip("0")].append(number)
    reasons = []
    for person in people:
        number = person["officer_no"]
        if number in existing:
            continue
        twins = [n for n in stripped.get(number.lstrip("0"), []) if n != number]
        if twins:
            reasons.append(f"第{person['row']}行：人员编号 {number} 不在名册中，但名册中有 {'、'.join(twins)}：可能是 Excel 把编号当数字"
                           "去掉了开头的 0，请把人员编号列设为“文本”格式后重新填写")
    return reasons


# ---------------------------------------------------------------- training sheets

def row_key(officer_no: str, date: dt.date, category: str, hours: Decimal, form: str, title: str) -> str:
    """What makes a training row the same row in any later sheet."""
    text = "\x1f".join([officer_no, date.isoformat(), category, f"{hours:.2f}", form, title])
    return "import:" + hashlib.sha256(text.encode("utf-8")).hexdigest()[:40]


def _chunks(items: list, size: int = 900):
    for start in range(0, len(items), size):
        yield items[start : start + size]


def import_training(session: Session, path: Path, recorded_by: str, rules: Rules | None = None,
                    today: dt.date | None = None, progress: bool = True) -> ImportSummary:
    """Check the whole sheet, then write its new rows in one batch (or refuse it, writing nothing)."""
    rules = rules or Rules.load()
    today = today or dt.date.today()
    records, columns = _table(path, TRAINING_ALIASES, ["人员编号", "类别", "日期"])
    if "学时" not in columns and "分钟" not in columns:
        raise ImportRefused(path, ["缺少必需的列 学时（或 分钟）"])
    roster = Roster(session)
    reasons: list[str] = []
    parsed = []
    for row, cells in records:
        values, problems = training_row(cells, roster, rules, today)
        if problems:
            reasons.append(f"第{row}行：" + "；".join(problems))
        else:
            parsed.append({"row": row, **values})
    if reasons:
        raise ImportRefused(path, reasons)
    summary = ImportSummary(path, len(records))
    fresh = _not_yet_recorded(session, parsed)
    summary.skipped = len(parsed) - len(fresh)
    reasons = _over_a_day(session, fresh)
    if reasons:
        raise ImportRefused(path, reasons)
    if fresh:
        _write_batch(session, path, fresh, len(records), summary.skipped, recorded_by, progress)
    summary.added = len(fresh)
    return summary


class Roster:
    """The officers a training sheet may name: number -> (id, name), and a hint for numbers that lost leading zeros."""

    def __init__(self, session: Session):
        self.officers = {no: (oid, name) for oid, no, name in
                         session.execute(select(Officer.id, Officer.officer_no, Officer.name))}
        self.without_zeros: dict[str, list[str]] = defaultdict(list)
        for no in self.officers:
            self.without_zeros[no.lstrip("0")].append(no)

    def problem(self, number: str, name: str) -> str | None:
        if not number:
            return "人员编号为空"
        officer = self.officers.get(number)
        if officer is None:
            hint = ""
            twins = [n for n in self.without_zeros.get(number.lstrip("0"), []) if n != number]
            if twins:
                hint = (f"（名册中有 {'、'.join(twins)}：可能是 Excel 把编号当数字去掉了开头的 0，"
                        "请把人员编号列设为“文本”格式后重新填写）")
            return f"人员编号 {number} 不在名册中{hint}"
        if name and name != officer[1]:
            return f"姓名 {name} 与名册中的 {officer[1]} 不符"
        return None


def training_row(cells: dict, roster: Roster, rules: Rules, today: dt.date) -> tuple[dict, list[str]]:
    """One sheet row as ledger values, or the reasons it is refused (each naming its column)."""
    problems = []
    number = cleaning.text(cells.get("人员编号"))
    wrong = roster.problem(number, cleaning.text(cells.get("姓名")))
    if wrong:
        problems.append(wrong)
    values: dict = {}
    for key, parse, column in (("category", cleaning.parse_category, "类别"), ("form", cleaning.parse_form, "形式"),
                               ("date", cleaning.parse_date, "日期")):
        try:
            values[key] = parse(cells.get(column, ""))
        except ValueError as exc:
            problems.append(str(exc))
    try:
        values["hours"] = _hours(cells, rules)
        if not Decimal(0) < values["hours"] <= Decimal(24):
            problems.append(f"学时 {values['hours']} 无效：应大于 0 且一天不超过 24")
    except ValueError as exc:
        problems.append(str(exc))
    if "date" in values and values["date"] > today:
        problems.append(f"日期 {values['date'].isoformat()} 晚于今天")
    if problems:
        return {}, problems
    title = cleaning.text(cells.get("培训名称"))
    key = row_key(number, values["date"], values["category"], values["hours"], values["form"], title)
    return {"officer_id": roster.officers[number][0], "officer_no": number, "title": title, "key": key, **values}, []


def _hours(cells: dict, rules: Rules) -> Decimal:
    """学时 from the 学时 column, or from the 分钟 column by the rules' minutes per 学时."""
    if cleaning.text(cells.get("学时")):
        return cleaning.parse_hours(cells["学时"])
    minutes = cleaning.parse_minutes(cells.get("分钟", ""))
    return Decimal(str(rules.hours_from_minutes(float(minutes)))).quantize(Decimal("0.01"))


def _not_yet_recorded(session: Session, parsed: list[dict]) -> list[dict]:
    """The rows not in the ledger yet (a row repeated within the file counts once)."""
    known: set[str] = set()
    for chunk in _chunks([p["key"] for p in parsed]):
        known.update(session.scalars(select(LedgerEntry.dedup_key).where(LedgerEntry.dedup_key.in_(chunk))))
    fresh, seen = [], set()
    for p in parsed:
        if p["key"] not in known and p["key"] not in seen:
            seen.add(p["key"])
            fresh.append(p)
    return fresh


def _over_a_day(session: Session, fresh: list[dict]) -> list[str]:
    """Rows that would give an officer more than 24 学时 in one day, counting what is already recorded."""
    day_hours: dict[tuple[int, dt.date], Decimal] = defaultdict(Decimal)
    for p in fresh:
        day_hours[(p["officer_id"], p["date"])] += p["hours"]
    if not fresh:
        return []
    first, last = min(p["date"] for p in fresh), max(p["date"] for p in fresh)
    for chunk in _chunks(sorted({p["officer_id"] for p in fresh})):
        recorded = session.execute(
            select(LedgerEntry.officer_id, LedgerEntry.entry_date, func.sum(LedgerEntry.hours))
            .where(LedgerEntry.officer_id.in_(chunk), LedgerEntry.entry_date.between(first, last))
            .group_by(LedgerEntry.officer_id, LedgerEntry.entry_date)
        )
        for oid, day, hours in recorded:
            if (oid, day) in day_hours:
                day_hours[(oid, day)] += Decimal(hours)
    reasons = []
    for p in fresh:
        total = day_hours[(p["officer_id"], p["date"])]
        if total > 24:
            reasons.append(f"第{p['row']}行：人员 {p['officer_no']} 在 {p['date'].isoformat()} 共 {total} 学时，超过一天 24 学时")
    return reasons


def _write_batch(session: Session, path: Path, fresh: list[dict], rows: int, skipped: int, recorded_by: str,
                 progress: bool) -> None:
    batch = ImportBatch(kind="training", file_name=path.name, file_sha256=_sha256(path), rows=rows,
                        added=len(fresh), skipped=skipped, recorded_by=recorded_by)
    session.add(batch)
    session.flush()
    bar = tqdm(total=len(fresh), desc=f"导入 {path.name}", unit="行", file=sys.stderr, disable=not progress,
               mininterval=0.2)
    for chunk in _chunks(fresh, 2000):
        add_entries(session, [
            NewEntry(officer_id=p["officer_id"], entry_date=p["date"], category=p["category"], hours=p["hours"],
                     form=p["form"], title=p["title"], source_kind="import",
                     source_ref=f"{path.name} 第{p['row']}行", recorded_by=recorded_by, dedup_key=p["key"],
                     batch_id=batch.id)
            for p in chunk
        ])
        bar.update(len(chunk))
    bar.close()
