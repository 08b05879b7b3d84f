"""Which days are working days in China, and how sure we are of it.

Sources, the first that knows a day wins:

1. an official 放假调休 arrangement an administrator adds when the State Council's notice is published:
   ``courses/holidays/<year>.yaml`` (days off by holiday, and the weekend days that are 调休上班日);
2. the arrangements of 2004 to its last year that the ``chinese-calendar`` package ships;
3. for a later year: the statutory holidays of 《全国年节及纪念日放假办法》 (``courses/holidays/rules.yaml``, the 2024
   revision), lunar dates (春节, 端午, 中秋) and the solar term 清明 from ``lunar-python``; Saturdays and Sundays are rest
   days and no 调休 is known, so such a day is *provisional* and whoever shows a result says so.

Nothing here names a package to the officer: messages speak of the arrangement being on file or not.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from functools import cache, cached_property
from pathlib import Path
from typing import NoReturn

import chinese_calendar
import yaml
from lunar_python import Lunar

from ground.settings import PROJECT_ROOT

HOLIDAYS = PROJECT_ROOT / "courses" / "holidays"
RULES_FILE = "rules.yaml"

_PACKAGE_NAMES = {holiday.value: holiday.chinese for holiday in chinese_calendar.Holiday}


class CalendarNotCovered(ValueError):
    pass


class ArrangementError(ValueError):
    pass


@dataclass(frozen=True)
class Day:
    date: dt.date
    workday: bool
    holiday: str | None = None  # the holiday a day off belongs to (or that a 调休上班日 makes up for, where known)
    provisional: bool = False  # computed from the statutory rules: the year's 调休 arrangement is not on file

    @property
    def makeup_workday(self) -> bool:
        """A Saturday or Sunday that is a working day (调休上班日)."""
        return self.workday and self.date.weekday() >= 5


@dataclass(frozen=True)
class Arrangement:
    year: int
    source: str
    holidays: dict[dt.date, str]
    workdays: frozenset[dt.date]


@dataclass(frozen=True)
class StatutoryRule:
    name: str
    calendar: str  # gregorian | lunar | solar_term
    days: int
    month: int = 0
    day: int = 0
    offset: int = 0
    term: str = ""

    def first_day(self, year: int) -> dt.date:
        if self.calendar == "gregorian":
            return dt.date(year, self.month, self.day) + dt.timedelta(days=self.offset)
        if self.calendar == "lunar":
            solar = Lunar.fromYmd(year, self.month, self.day).getSolar()
        elif self.calendar == "solar_term":
            solar = Lunar.fromYmd(year, 1, 1).getJieQiTable()[self.term]
        else:
            raise ValueError(f"未知的历法：{self.calendar}")
        return dt.date(solar.getYear(), solar.getMonth(), solar.getDay()) + dt.timedelta(days=self.offset)

    def dates(self, year: int) -> list[dt.date]:
        first = self.first_day(year)
        return [first + dt.timedelta(days=i) for i in range(self.days)]


@dataclass(frozen=True)
class StatutoryRules:
    source: str
    effective_from: int
    rules: tuple[StatutoryRule, ...]

    @classmethod
    def load(cls, path: Path) -> StatutoryRules:
        raw = yaml.safe_load(path.read_text(encoding="utf-8"))
        return cls(raw["source"], int(raw["effective_from"]), tuple(StatutoryRule(**rule) for rule in raw["holidays"]))

    def holidays(self, year: int) -> dict[dt.date, str]:
        days: dict[dt.date, str] = {}
        for rule in self.rules:
            for day in rule.dates(year):
                days[day] = f"{days[day]}、{rule.name}" if day in days else rule.name
        return days


def load_arrangement(path: Path, rules: StatutoryRules | None = None) -> Arrangement:
    """One official arrangement file, checked; ``ArrangementError`` names the file and what is wrong."""

    def fail(reason: str) -> NoReturn:
        raise ArrangementError(f"放假安排文件 {path.name} 有误：{reason}。请联系管理员更正")

    try:
        raw = yaml.safe_load(path.read_text(encoding="utf-8"))
    except yaml.YAMLError as exc:
        fail(f"不是有效的 YAML（{exc.__class__.__name__}）")
    if not isinstance(raw, dict):
        fail("应包含 year、source、holidays、workdays 四项")
    year = raw.get("year")
    if year != _stem_year(path):
        fail(f"year 应为 {path.stem}，与文件名一致")

    def date(value, what: str) -> dt.date:
        if not isinstance(value, dt.date) or isinstance(value, dt.datetime):
            fail(f"{what} 应为日期（如 {year}-01-01），实为 {value!r}")
        if abs(value.year - year) > 1:
            fail(f"{what} {value.isoformat()} 不在 {year} 年或相邻年份")
        return value

    holidays: dict[dt.date, str] = {}
    for entry in raw.get("holidays") or []:
        if not isinstance(entry, dict) or not entry.get("name"):
            fail(f"holidays 中的每一项应有 name、from、to：{entry!r}")
        first, last = date(entry.get("from"), f"{entry['name']} 的 from"), date(entry.get("to"), f"{entry['name']} 的 to")
        if last < first:
            fail(f"{entry['name']} 的 to 早于 from")
        day = first
        while day <= last:
            holidays[day] = str(entry["name"])
            day += dt.timedelta(days=1)
    workdays = frozenset(date(value, "调休上班日") for value in raw.get("workdays") or [])
    for day in sorted(workdays):
        if day.weekday() < 5:
            fail(f"调休上班日 {day.isoformat()} 不是周六或周日")
        if day in holidays:
            fail(f"{day.isoformat()} 既是放假日又是调休上班日")
    if rules is not None and year >= rules.effective_from:
        missing = [f"{name}（{day.isoformat()}）" for day, name in rules.holidays(year).items() if day not in holidays]
        if missing:
            fail(f"未包含法定节假日 {'、'.join(missing)}")
    return Arrangement(year, str(raw.get("source") or ""), holidays, workdays)


def _stem_year(path: Path) -> int | None:
    return int(path.stem) if path.stem.isdigit() else None


class HolidayCalendar:
    """Working days from the sources above; ``directory`` holds ``rules.yaml`` and the arrangement files."""

    def __init__(self, directory: Path = HOLIDAYS):
        self.directory = Path(directory)

    @cached_property
    def rules(self) -> StatutoryRules:
        return StatutoryRules.load(self.directory / RULES_FILE)

    @cached_property
    def arrangements(self) -> dict[int, Arrangement]:
        files = sorted(p for p in self.directory.glob("*.yaml") if _stem_year(p) is not None)
        return {arrangement.year: arrangement for arrangement in (load_arrangement(p, self.rules) for p in files)}

    def day(self, day: dt.date) -> Day:
        for arrangement in self.arrangements.values():
            if day in arrangement.holidays:
                return Day(day, False, arrangement.holidays[day])
            if day in arrangement.workdays:
                return Day(day, True)
        if day.year in self.arrangements:
            return Day(day, day.weekday() < 5)
        try:
            on_holiday, name = chinese_calendar.get_holiday_detail(day)
        except NotImplementedError:
            pass
        else:
            return Day(day, not on_holiday, _PACKAGE_NAMES.get(name))
        if day.year < self.rules.effective_from:
            raise CalendarNotCovered(f"{day.year}年的法定节假日和调休安排尚未收录，请人工核对")
        name = self._statutory(day.year).get(day)
        return Day(day, name is None and day.weekday() < 5, name, provisional=True)

    def _statutory(self, year: int) -> dict[dt.date, str]:
        return _statutory_holidays(self.rules, year)

    def is_workday(self, day: dt.date) -> bool:
        return self.day(day).workday


@cache
def _statutory_holidays(rules: StatutoryRules, year: int) -> dict[dt.date, str]:
    return rules.holidays(year)


def year_summary(year: int, calendar: HolidayCalendar | None = None) -> list[str]:
    """The days off and 调休上班日 of ``year`` and where they come from, for an administrator to check."""
    calendar = calendar or default_calendar
    days = [calendar.day(dt.date(year, 1, 1) + dt.timedelta(days=i)) for i in range((dt.date(year + 1, 1, 1) - dt.date(year, 1, 1)).days)]
    if year in calendar.arrangements:
        head = f"{year}年：按已添加的放假安排文件（{calendar.arrangements[year].source or f'{year}.yaml'}）"
    elif days[0].provisional:
        head = f"{year}年：放假调休安排尚未收录，以下按{calendar.rules.source}推算的法定节假日（不含调休）"
    else:
        head = f"{year}年：按已收录的国务院办公厅放假安排"
    lines = [head]
    runs: list[list[Day]] = []
    for day in days:
        if day.workday or not day.holiday:
            continue
        if runs and runs[-1][-1].holiday == day.holiday and (day.date - runs[-1][-1].date).days == 1:
            runs[-1].append(day)
        else:
            runs.append([day])
    for run in runs:
        span = run[0].date.strftime("%m-%d") + (f" 至 {run[-1].date.strftime('%m-%d')}" if len(run) > 1 else "")
        lines.append(f"  {run[0].holiday}：{span}（{len(run)} 天）")
    makeup = [d.date.strftime("%m-%d") for d in days if d.makeup_workday]
    lines.append(f"  调休上班日：{'、'.join(makeup) if makeup else '无'}")
    return lines


def provisional_notice(years) -> str:
    """What an officer reads when a result rests on computed holidays for ``years``."""
    years = sorted(set(years))
    if not years:
        return ""
    named = "、".join(f"{year}年" for year in years)
    return (f"注意：{named}的放假调休安排尚未收录。本结果按《全国年节及纪念日放假办法》推算法定节假日"
            "（元旦、春节、清明节、劳动节、端午节、中秋节、国庆节），周六、周日按休息日计算，未计入调休，"
            "请以国务院办公厅公布的放假安排为准核对。")


default_calendar = HolidayCalendar()
