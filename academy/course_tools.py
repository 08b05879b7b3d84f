"""Tools an officer uses at work, shown in the operations modules: a period calculator with China's statutory
holidays and 调休 workdays (``academy.holidays``), a 加处罚款 calculator, and checklists.

Periods follow the texts: 行政处罚法第八十五条 and 行政强制法第六十九条 count 二日/三日/五日/七日 (行政强制法: 十日以内)
as working days without statutory holidays; other periods are calendar days, and a period whose last day falls on a
statutory holiday ends on the first working day after it (the rule of 民事诉讼法 on periods, which 行政复议法第八十八条
also applies). A period starts the day after the day of the event.
"""

from __future__ import annotations

import datetime as dt
import html
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal
from pathlib import Path

import ipywidgets as w
import yaml

from academy.holidays import CalendarNotCovered, HolidayCalendar, default_calendar, provisional_notice
from ground.settings import PROJECT_ROOT

CHECKLISTS = PROJECT_ROOT / "courses" / "checklists"

__all__ = ["CalendarNotCovered", "Checklist", "DeadlineCalculator", "LateFeeCalculator", "Period", "checklist_names",
           "is_workday", "late_fee", "period_end"]


def is_workday(day: dt.date) -> bool:
    return default_calendar.is_workday(day)


@dataclass(frozen=True)
class Period:
    start: dt.date  # the day of the event (not counted)
    days: int
    working_days: bool
    end: dt.date
    skipped: tuple[dt.date, ...]  # non-working days passed over (working-day periods) or the holiday moved past
    makeup_workdays: tuple[dt.date, ...] = ()  # Saturdays and Sundays counted as working days (调休上班日)
    provisional_years: tuple[int, ...] = ()  # years whose 调休 arrangement is not on file: holidays computed

    @property
    def notice(self) -> str:
        return provisional_notice(self.provisional_years)

    def explain(self, notice: bool = True) -> str:
        kind = "个工作日" if self.working_days else "日（自然日）"
        text = f"自 {self.start.isoformat()} 的次日起算 {self.days} {kind}，期限届满日为 {self.end.isoformat()}（{_weekday(self.end)}）。"
        if self.skipped:
            label = "其间不计算的休息日和法定节假日" if self.working_days else "最后一日为休息日或法定节假日，顺延跳过"
            text += f"{label}：{self._dates(self.skipped)}。"
        if self.makeup_workdays:
            label = "其间按工作日计算的调休上班日" if self.working_days else "届满日为调休上班日"
            text += f"{label}：{self._dates(self.makeup_workdays, weekday=True)}。"
        if notice and self.notice:
            text += self.notice
        return text

    def _dates(self, days: tuple[dt.date, ...], weekday: bool = False) -> str:
        form = "%m-%d" if self.start.year == self.end.year else "%Y-%m-%d"
        return "、".join(d.strftime(form) + (f"（{_weekday(d)}）" if weekday else "") for d in days)


def _weekday(day: dt.date) -> str:
    return "星期" + "一二三四五六日"[day.weekday()]


def period_end(start: dt.date, days: int, working_days: bool, calendar: HolidayCalendar | None = None) -> Period:
    if days <= 0:
        raise ValueError("期限天数应为正整数")
    calendar = calendar or default_calendar
    skipped: list[dt.date] = []
    consulted = []

    def look(day: dt.date):
        status = calendar.day(day)
        consulted.append(status)
        return status

    if working_days:
        day, counted = start, 0
        while counted < days:
            day += dt.timedelta(days=1)
            if look(day).workday:
                counted += 1
            else:
                skipped.append(day)
        end = day
    else:
        end = start + dt.timedelta(days=days)
        while not look(end).workday:
            skipped.append(end)
            end += dt.timedelta(days=1)
    makeup = tuple(status.date for status in consulted if status.makeup_workday)
    provisional = tuple(sorted({status.date.year for status in consulted if status.provisional}))
    return Period(start, days, working_days, end, tuple(skipped), makeup, provisional)


@dataclass(frozen=True)
class LateFee:
    fine: Decimal
    due: dt.date  # the last day to pay (收到决定书之日起十五日内)
    paid: dt.date
    overdue_days: int
    fee: Decimal  # 加处罚款
    capped: bool
    notice: str = ""  # said when the due date rests on computed holidays (the year's 调休 not on file)

    @property
    def total(self) -> Decimal:
        return self.fine + self.fee


def late_fee(fine: Decimal | float | str, received: dt.date, paid: dt.date, rate: Decimal = Decimal("0.03"),
             period_days: int = 15, calendar: HolidayCalendar | None = None) -> LateFee:
    """行政处罚法第六十七条、第七十二条：收到决定书之日起十五日内缴纳；到期不缴纳的，每日按罚款数额的百分之三加处罚款，
    加处罚款的数额不得超出罚款的数额（行政强制法第四十五条同）。"""
    fine = Decimal(str(fine))
    if fine <= 0:
        raise ValueError("罚款数额应大于零")
    if paid < received:
        raise ValueError("缴纳日期不能早于收到决定书的日期")
    period = period_end(received, period_days, working_days=False, calendar=calendar)
    due = period.end
    overdue = max(0, (paid - due).days)
    fee = (fine * rate * overdue).quantize(Decimal("0.01"), ROUND_HALF_UP)
    capped = fee > fine
    return LateFee(fine, due, paid, overdue, min(fee, fine), capped, period.notice)


# ---------------------------------------------------------------- widgets

class DeadlineCalculator:
    """期限计算器."""

    def __init__(self, start: dt.date | None = None, days: int = 5, working_days: bool = True):
        self.start = w.DatePicker(description="起算事件日", value=start or dt.date.today())
        self.days = w.BoundedIntText(description="期限（日）", value=days, min=1, max=3650)
        self.kind = w.ToggleButtons(options=[("工作日", True), ("自然日", False)], value=working_days,
                                    description="计算方式")
        self.result = w.HTML()
        for control in (self.start, self.days, self.kind):
            control.observe(lambda _: self.update(), names="value")
        self.widget = w.VBox([w.HTML("<b>期限计算器</b>（行政处罚法第八十五条、行政强制法第六十九条：二日、三日、五日、七日等"
                                     "按工作日计算，不含法定节假日）"), self.start, self.days, self.kind, self.result])
        self.update()

    def update(self) -> None:
        try:
            period = period_end(self.start.value, self.days.value, self.kind.value)
            notice = f"<p style='color:#e65100'>{html.escape(period.notice)}</p>" if period.notice else ""
            self.result.value = f"<p style='color:#1565c0'>{html.escape(period.explain(notice=False))}</p>{notice}"
        except (ValueError, TypeError) as exc:
            self.result.value = f"<p style='color:#c62828'>{html.escape(str(exc) if self.start.value else '请选择日期')}</p>"

    def _ipython_display_(self):
        from IPython.display import display

        display(self.widget)


class LateFeeCalculator:
    """加处罚款计算器."""

    def __init__(self, fine: float = 5000, received: dt.date | None = None, paid: dt.date | None = None):
        today = dt.date.today()
        self.fine = w.BoundedFloatText(description="罚款（元）", value=fine, min=0, max=1e10)
        self.received = w.DatePicker(description="收到决定书", value=received or today - dt.timedelta(days=40))
        self.paid = w.DatePicker(description="实际缴纳", value=paid or today)
        self.result = w.HTML()
        for control in (self.fine, self.received, self.paid):
            control.observe(lambda _: self.update(), names="value")
        self.widget = w.VBox([w.HTML("<b>加处罚款计算器</b>（行政处罚法第六十七条、第七十二条）"), self.fine,
                              self.received, self.paid, self.result])
        self.update()

    def update(self) -> None:
        try:
            r = late_fee(self.fine.value, self.received.value, self.paid.value)
        except (ValueError, TypeError) as exc:
            message = str(exc) if self.received.value and self.paid.value else "请选择日期"
            self.result.value = f"<p style='color:#c62828'>{html.escape(message)}</p>"
            return
        cap = "（已达罚款数额，按罚款数额封顶）" if r.capped else ""
        notice = f"<p style='color:#e65100'>{html.escape(r.notice)}</p>" if r.notice else ""
        self.result.value = (f"<p>缴纳期限届满日：{r.due.isoformat()}；逾期 {r.overdue_days} 日。<br>"
                             f"加处罚款：<b>{r.fee:,.2f} 元</b>{cap}；合计应缴：<b>{r.total:,.2f} 元</b>。</p>{notice}")

    def _ipython_display_(self):
        from IPython.display import display

        display(self.widget)


class Checklist:
    """A checklist from ``courses/checklists/<name>.yaml`` (title, intro, items with the article behind each)."""

    def __init__(self, name: str):
        raw = yaml.safe_load((CHECKLISTS / f"{name}.yaml").read_text(encoding="utf-8"))
        self.title, self.items = raw["title"], raw["items"]
        self.boxes = [w.Checkbox(description=item["text"], indent=False, layout=w.Layout(width="auto"))
                      for item in self.items]
        self.check = w.Button(description="检查", button_style="primary")
        self.result = w.HTML()
        self.check.on_click(lambda _: self.evaluate())
        rows = [w.HBox([box, w.HTML(f"<span style='color:#666'>{html.escape(item.get('basis', ''))}</span>")])
                for box, item in zip(self.boxes, self.items)]
        intro = f"<p>{html.escape(raw['intro'])}</p>" if raw.get("intro") else ""
        self.widget = w.VBox([w.HTML(f"<b>{html.escape(self.title)}</b>{intro}"), *rows, self.check, self.result])

    def missing(self) -> list[dict]:
        return [item for box, item in zip(self.boxes, self.items) if not box.value]

    def evaluate(self) -> None:
        missing = self.missing()
        if not missing:
            self.result.value = "<p style='color:#2e7d32'><b>全部要求均已满足。</b></p>"
        else:
            lines = "".join(f"<li>{html.escape(i['text'])}（{html.escape(i.get('basis', ''))}）</li>" for i in missing)
            self.result.value = f"<p style='color:#c62828'><b>还有 {len(missing)} 项未满足：</b></p><ul>{lines}</ul>"

    def _ipython_display_(self):
        from IPython.display import display

        display(self.widget)


def checklist_names() -> list[str]:
    return sorted(p.stem for p in Path(CHECKLISTS).glob("*.yaml"))
