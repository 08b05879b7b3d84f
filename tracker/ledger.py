"""The append-only 学时 ledger: recording entries, reversing them, and the totals kept beside them.

Nothing here updates or deletes a ledger entry. A correction is a new entry with the opposite hours that names the
entry it reverses and why. Every entry says where it came from (source kind and reference) and who recorded it.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass
from decimal import Decimal

from sqlalchemy import delete, func, insert, select
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session

from ground.vocabulary import CATEGORIES
from tracker.models import FORMS, SOURCE_KINDS, HourTotal, LedgerEntry, Officer, Unit


class LedgerError(ValueError):
    """A request the ledger refuses, with the reason in Chinese."""


@dataclass(frozen=True)
class NewEntry:
    officer_id: int
    entry_date: dt.date
    category: str
    hours: Decimal
    form: str
    title: str
    source_kind: str
    source_ref: str
    recorded_by: str
    dedup_key: str | None = None
    batch_id: int | None = None
    reverses_id: int | None = None
    reason: str = ""


def officer_by_no(session: Session, officer_no: str) -> Officer:
    officer = session.scalar(select(Officer).where(Officer.officer_no == officer_no))
    if officer is None:
        raise LedgerError(f"人员编号 {officer_no} 不在名册中")
    return officer


def unit_id(session: Session, name: str, cache: dict[str, int] | None = None) -> int:
    if cache is not None and name in cache:
        return cache[name]
    found = session.scalar(select(Unit.id).where(Unit.name == name))
    if found is None:
        found = session.execute(insert(Unit).values(name=name).returning(Unit.id)).scalar_one()
    if cache is not None:
        cache[name] = found
    return found


def _check(entry: NewEntry) -> None:
    if entry.category not in CATEGORIES:
        raise LedgerError(f"类别 {entry.category} 无效（legal 法律知识 / operations 专门业务）")
    if entry.form not in FORMS:
        raise LedgerError(f"形式 {entry.form} 无效（online 线上 / offline 线下）")
    if entry.source_kind not in SOURCE_KINDS:
        raise LedgerError(f"来源 {entry.source_kind} 无效")
    if entry.source_kind != "reversal" and not Decimal(0) < Decimal(entry.hours) <= Decimal(24):
        raise LedgerError(f"学时 {entry.hours} 无效：应大于 0 且不超过 24")
    if not entry.recorded_by:
        raise LedgerError("必须写明记录人")


def add_entries(session: Session, entries: list[NewEntry]) -> int:
    """Insert entries and update the totals in the caller's transaction. Returns how many were inserted."""
    if not entries:
        return 0
    for entry in entries:
        _check(entry)
    now = dt.datetime.now(dt.timezone.utc)
    rows = [
        {
            "officer_id": e.officer_id, "entry_date": e.entry_date, "year": e.entry_date.year, "category": e.category,
            "hours": Decimal(e.hours), "form": e.form, "title": e.title, "source_kind": e.source_kind,
            "source_ref": e.source_ref, "batch_id": e.batch_id, "reverses_id": e.reverses_id, "reason": e.reason,
            "recorded_by": e.recorded_by, "recorded_at": now, "dedup_key": e.dedup_key,
        }
        for e in entries
    ]
    session.execute(insert(LedgerEntry), rows)
    sums: dict[tuple, Decimal] = defaultdict(Decimal)
    for row in rows:
        sums[(row["officer_id"], row["year"], row["category"], row["form"])] += row["hours"]
    _add_to_totals(session, sums)
    return len(rows)


def _add_to_totals(session: Session, sums: dict[tuple, Decimal]) -> None:
    dialect = session.get_bind().dialect.name
    make = {"sqlite": sqlite.insert, "postgresql": postgresql.insert}.get(dialect)
    values = [{"officer_id": o, "year": y, "category": c, "form": f, "hours": h} for (o, y, c, f), h in sums.items()]
    if make is None:  # other databases: read-modify-write inside the transaction
        for v in values:
            row = session.get(HourTotal, (v["officer_id"], v["year"], v["category"], v["form"]))
            if row is None:
                session.add(HourTotal(**v))
            else:
                row.hours += v["hours"]
        session.flush()
        return
    statement = make(HourTotal)
    statement = statement.on_conflict_do_update(
        index_elements=["officer_id", "year", "category", "form"],
        set_={"hours": HourTotal.hours + statement.excluded.hours},
    )
    for start in range(0, len(values), 5000):
        session.execute(statement, values[start : start + 5000])


def record(session: Session, entry: NewEntry) -> LedgerEntry | None:
    """Record one entry; None if an entry with the same dedup key is already there (nothing changes)."""
    if entry.dedup_key and session.scalar(select(LedgerEntry.id).where(LedgerEntry.dedup_key == entry.dedup_key)):
        return None
    add_entries(session, [entry])
    return session.scalar(select(LedgerEntry).where(LedgerEntry.id == select(func.max(LedgerEntry.id)).scalar_subquery()))


def reverse(session: Session, entry_id: int, reason: str, recorded_by: str) -> LedgerEntry:
    """Reverse an entry with a new entry of the opposite hours. An entry can be reversed once."""
    original = session.get(LedgerEntry, entry_id)
    if original is None:
        raise LedgerError(f"没有编号为 {entry_id} 的学时记录")
    if original.source_kind == "reversal":
        raise LedgerError(f"记录 {entry_id} 本身是冲正记录，不能再冲正；如需恢复，请重新录入")
    if not reason.strip():
        raise LedgerError("冲正必须写明原因")
    key = f"reverse:{entry_id}"
    if session.scalar(select(LedgerEntry.id).where(LedgerEntry.dedup_key == key)):
        raise LedgerError(f"记录 {entry_id} 已经冲正过")
    return record(session, NewEntry(
        officer_id=original.officer_id, entry_date=original.entry_date, category=original.category,
        hours=-original.hours, form=original.form, title=original.title, source_kind="reversal",
        source_ref=f"冲正记录 {entry_id}", recorded_by=recorded_by, dedup_key=key, reverses_id=entry_id,
        reason=reason.strip(),
    ))


def rebuild_totals(session: Session) -> None:
    """Recompute the totals cache from the ledger (the ledger is the truth)."""
    session.execute(delete(HourTotal))
    grouped = session.execute(
        select(LedgerEntry.officer_id, LedgerEntry.year, LedgerEntry.category, LedgerEntry.form,
               func.sum(LedgerEntry.hours))
        .group_by(LedgerEntry.officer_id, LedgerEntry.year, LedgerEntry.category, LedgerEntry.form)
    ).all()
    _add_to_totals(session, {(o, y, c, f): Decimal(h) for o, y, c, f, h in grouped})


def officer_entries(session: Session, officer_id: int, year: int | None = None) -> list[LedgerEntry]:
    query = select(LedgerEntry).where(LedgerEntry.officer_id == officer_id)
    if year is not None:
        query = query.where(LedgerEntry.year == year)
    return list(session.scalars(query.order_by(LedgerEntry.entry_date, LedgerEntry.id)))


def move(session: Session, entry_id: int, to_officer_no: str, reason: str, recorded_by: str) -> tuple[LedgerEntry, LedgerEntry]:
    """Merge an entry into another officer (e.g. one filed under （未登记单位））, append-only: the entry is reversed and
    the same hours are recorded for the right officer, naming the entry they came from."""
    original = session.get(LedgerEntry, entry_id)
    if original is None:
        raise LedgerError(f"没有编号为 {entry_id} 的学时记录")
    if original.source_kind == "reversal":
        raise LedgerError(f"记录 {entry_id} 是冲正记录，不能并入他人")
    if not reason.strip():
        raise LedgerError("并入必须写明原因")
    target = officer_by_no(session, to_officer_no)
    if target.id == original.officer_id:
        raise LedgerError(f"记录 {entry_id} 已经是 {to_officer_no} 的记录")
    source_no = original.officer.officer_no
    reversal = reverse(session, entry_id, f"并入 {to_officer_no}：{reason.strip()}", recorded_by)
    moved = record(session, NewEntry(
        officer_id=target.id, entry_date=original.entry_date, category=original.category, hours=original.hours,
        form=original.form, title=original.title, source_kind=original.source_kind,
        source_ref=f"由记录 {entry_id}（原人员编号 {source_no}）并入" + (f"；{original.source_ref}" if original.source_ref else ""),
        recorded_by=recorded_by, dedup_key=f"move:{entry_id}", reason=reason.strip(),
    ))
    return reversal, moved
