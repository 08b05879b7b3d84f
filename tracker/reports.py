"""Compliance of every officer against the year's requirement: the table, per-unit totals, and an officer's 学时证明.

The status is decided in ``tracker.standing`` (达标 / 进度正常 / 有风险 / 未达标, the last only once the year is over or the
officer has left). The table carries the date it was counted to in ``table.attrs["as_of"]``.
"""

from __future__ import annotations

import datetime as dt

import numpy as np
import pandas as pd
from sqlalchemy import select
from sqlalchemy.orm import Session

from ground.vocabulary import CATEGORIES
from tracker.models import HourTotal, Officer, Unit
from tracker.rules import Rules
from tracker.standing import STATUSES, decide

__all__ = ["STATUSES", "by_unit", "compliance", "shortfall_list"]


def _officers(session: Session, unit: str | None) -> pd.DataFrame:
    query = select(Officer.id, Officer.officer_no, Officer.name, Unit.name, Officer.post, Officer.domain,
                   Officer.joined_on, Officer.left_on).join(Unit, Officer.unit_id == Unit.id)
    if unit:
        query = query.where(Unit.name == unit)
    return _frame(session, query, ["officer_id", "人员编号", "姓名", "单位", "岗位", "执法领域", "joined", "left"])


def _frame(session: Session, query, columns: list[str]) -> pd.DataFrame:
    """A query's rows as a DataFrame, read through Core (ORM row objects cost seconds at 100,000 rows)."""
    rows = session.connection().execute(query).fetchall()
    return pd.DataFrame.from_records([tuple(r) for r in rows], columns=columns)


def _totals(session: Session, years: list[int]) -> pd.DataFrame:
    query = select(HourTotal.officer_id, HourTotal.year, HourTotal.category, HourTotal.form,
                   HourTotal.hours).where(HourTotal.year.in_(years))
    frame = _frame(session, query, ["officer_id", "year", "category", "form", "hours"])
    frame["hours"] = frame["hours"].astype(float)
    return frame


def _pivot(totals: pd.DataFrame, year: int, index: pd.Index) -> dict[str, pd.Series]:
    """Hours of the year by category and form, aligned to the officers."""
    out = {}
    part = totals[totals["year"] == year]
    for category in CATEGORIES:
        for form in ("online", "offline"):
            sel = part[(part["category"] == category) & (part["form"] == form)].set_index("officer_id")["hours"]
            out[f"{category}_{form}"] = sel.reindex(index, fill_value=0.0).astype(float)
    return out


def _share(frame: pd.DataFrame, year: int, rules: Rules) -> np.ndarray:
    """Part of the year each officer served (1 for most: only those with a joining or leaving date are computed)."""
    share = np.ones(len(frame))
    if not rules.proration or frame.empty:
        return share
    dated = (frame["joined"].notna() | frame["left"].notna()).to_numpy()
    for i in np.flatnonzero(dated):
        joined, left = frame["joined"].iat[i], frame["left"].iat[i]
        share[i] = rules.share_of_year(year, joined if pd.notna(joined) else None, left if pd.notna(left) else None)
    return share


def _counted(hours: dict[str, pd.Series], rules: Rules) -> dict[str, pd.Series]:
    online = {c: hours[f"{c}_online"] for c in CATEGORIES}
    offline = {c: hours[f"{c}_offline"] for c in CATEGORIES}
    if rules.online_cap is None:
        return {c: online[c] + offline[c] for c in CATEGORIES}
    if rules.mode == "split":
        return {c: online[c].clip(upper=rules.online_cap) + offline[c] for c in CATEGORIES}
    total_online = online["legal"] + online["operations"]
    factor = (rules.online_cap / total_online.where(total_online > 0, 1)).clip(upper=1.0)
    return {c: online[c] * factor + offline[c] for c in CATEGORIES}


def compliance(session: Session, year: int, rules: Rules | None = None, unit: str | None = None,
               as_of: dt.date | None = None) -> pd.DataFrame:
    """One row per officer: hours by category, requirement, shortfall, forecast and status."""
    rules = rules or Rules.load()
    as_of = min(as_of or dt.date.today(), dt.date(year, 12, 31))
    people = _officers(session, unit)
    index = pd.Index(people["officer_id"])
    years = [year, year - 1] if rules.carry_over else [year]
    totals = _totals(session, years)
    counted = _counted(_pivot(totals, year, index), rules)
    share = _share(people, year, rules)
    if rules.carry_over:
        previous = _counted(_pivot(totals, year - 1, index), rules)
        previous_share = _share(people, year - 1, rules)
    frame = people[["人员编号", "姓名", "单位", "岗位", "执法领域"]].copy()
    frame["法律知识"] = counted["legal"].to_numpy().round(2)
    frame["专门业务"] = counted["operations"].to_numpy().round(2)
    frame["合计"] = (frame["法律知识"] + frame["专门业务"]).round(2)
    needs = {"total": ["total"], "split": ["legal", "operations"]}[rules.mode]
    have = {"legal": frame["法律知识"].to_numpy(), "operations": frame["专门业务"].to_numpy(),
            "total": frame["合计"].to_numpy()}
    if rules.carry_over:
        prev_have = {"legal": previous["legal"].to_numpy(), "operations": previous["operations"].to_numpy()}
        prev_have["total"] = prev_have["legal"] + prev_have["operations"]
    # the part of the officer's service period in the year that has elapsed, for the forecast
    start, end, left = _service_period(people, year)
    as_of_day = np.datetime64(as_of, "D")
    elapsed = (as_of_day - start).astype(int) + 1
    length = (end - start).astype(int) + 1
    progress = np.clip(elapsed / np.maximum(length, 1), 1e-9, 1.0)
    met = np.ones(len(frame), dtype=bool)
    behind = np.zeros(len(frame), dtype=bool)
    labels = {"legal": "法律知识", "operations": "专门业务", "total": "合计"}
    for need in needs:
        base = {"legal": rules.legal, "operations": rules.operations, "total": rules.total}[need]
        required = np.ceil(base * share * 2) / 2
        got = have[need].copy()
        if rules.carry_over:
            prev_required = np.ceil(base * previous_share * 2) / 2
            carried = np.clip(prev_have[need] - prev_required, 0, rules.carry_over_max)
            frame[f"结转{labels[need]}"] = carried.round(2)
            got = got + carried
        frame[f"要求{labels[need]}"] = required
        shortfall = np.clip(required - got, 0, None).round(2)
        frame[f"{labels[need]}缺口"] = shortfall
        met &= shortfall <= 0
        forecast = got / progress
        behind |= (shortfall > 0) & (forecast < required)
        frame[f"预计年底{labels[need]}"] = forecast.round(1)
    final = np.full(len(frame), as_of >= dt.date(year, 12, 31)) | (left <= as_of_day)
    frame["状态"] = decide(met, behind, final)
    frame["入职日期"] = people["joined"].map(_day).to_numpy()
    frame["离职日期"] = people["left"].map(_day).to_numpy()
    frame["折算说明"] = [_proration_note(x) for x in share]
    frame = frame.sort_values(["单位", "人员编号"], kind="stable").reset_index(drop=True)
    frame.attrs["as_of"] = as_of
    return frame


def _day(value) -> str:
    return value.isoformat() if isinstance(value, dt.date) else ""


def _proration_note(share: float) -> str:
    if share >= 1:
        return ""
    if share <= 0:
        return "本年度不在岗，不作要求"
    return f"按在岗 {round(share * 12)} 个月折算"


def _service_period(people: pd.DataFrame, year: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """First and last day in post within the year, and the leaving day (far in the future when none), per officer."""
    first, last = np.datetime64(dt.date(year, 1, 1), "D"), np.datetime64(dt.date(year, 12, 31), "D")
    never = np.datetime64("9999-12-31", "D")

    def days(column: str, default) -> np.ndarray:
        return np.array([np.datetime64(v, "D") if isinstance(v, dt.date) else default for v in people[column]],
                        dtype="datetime64[D]")

    joined, left = days("joined", first), days("left", never)
    start = np.maximum(joined, first)
    end = np.maximum(np.minimum(left, last), start)
    return start, end, left


def shortfall_list(table: pd.DataFrame) -> pd.DataFrame:
    """Officers who are 未达标 or 有风险, the largest shortfall first (then unit and number)."""
    gaps = [c for c in table.columns if c.endswith("缺口")]
    short = table[table["状态"].isin(["未达标", "有风险"])].copy()
    short.insert(0, "缺口合计", short[gaps].sum(axis=1).round(2) if gaps else 0.0)
    keep = ["缺口合计", "状态", "人员编号", "姓名", "单位", "岗位", *gaps,
            *[c for c in table.columns if c.startswith("要求")], "法律知识", "专门业务", "入职日期", "离职日期", "折算说明"]
    short = short[[c for c in keep if c in short.columns]]
    short = short.sort_values(["缺口合计", "单位", "人员编号"], ascending=[False, True, True], kind="stable")
    short = short.reset_index(drop=True)
    short.attrs = dict(table.attrs)
    return short


def by_unit(table: pd.DataFrame) -> pd.DataFrame:
    """Per unit: officers, how many meet the requirement, compliance rate, at risk, average hours."""
    if table.empty:
        return pd.DataFrame(columns=["单位", "人数", "达标人数", "达标率", "进度正常人数", "有风险人数", "未达标人数", "人均法律知识",
                                     "人均专门业务"])
    grouped = table.groupby("单位", sort=True)
    out = pd.DataFrame({
        "人数": grouped.size(),
        "达标人数": grouped["状态"].apply(lambda s: int((s == "达标").sum())),
        "进度正常人数": grouped["状态"].apply(lambda s: int((s == "进度正常").sum())),
        "有风险人数": grouped["状态"].apply(lambda s: int((s == "有风险").sum())),
        "未达标人数": grouped["状态"].apply(lambda s: int((s == "未达标").sum())),
        "人均法律知识": grouped["法律知识"].mean().round(1),
        "人均专门业务": grouped["专门业务"].mean().round(1),
    })
    out.insert(2, "达标率", (out["达标人数"] / out["人数"]).round(4))
    return out.reset_index()
