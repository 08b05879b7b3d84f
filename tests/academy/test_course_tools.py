"""The period calculator (statutory holidays and 调休 from chinese-calendar) and the 加处罚款 calculator."""

import datetime as dt
from decimal import Decimal

import pytest

from academy.course_tools import (
    CalendarNotCovered,
    Checklist,
    DeadlineCalculator,
    LateFeeCalculator,
    checklist_names,
    late_fee,
    period_end,
)


def test_working_days_skip_weekends_and_the_national_day_holiday():
    period = period_end(dt.date(2026, 9, 30), 5, working_days=True)
    # 10-01 … 10-07 National Day, 10-11 Sunday; 10-10 (Saturday) is a 调休 workday
    assert period.end == dt.date(2026, 10, 13)
    assert dt.date(2026, 10, 1) in period.skipped and dt.date(2026, 10, 10) not in period.skipped


def test_working_days_in_an_ordinary_week():
    assert period_end(dt.date(2026, 3, 6), 3, working_days=True).end == dt.date(2026, 3, 11)  # Fri + 3 → Wed


def test_calendar_days_end_on_a_working_day():
    assert period_end(dt.date(2026, 3, 2), 15, working_days=False).end == dt.date(2026, 3, 17)
    moved = period_end(dt.date(2026, 9, 16), 15, working_days=False)  # 10-01 is a holiday
    assert moved.end == dt.date(2026, 10, 8) and len(moved.skipped) == 7
    assert "顺延" in moved.explain() and "2026-10-08" in moved.explain()


def test_a_year_the_calendar_does_not_cover_is_said_plainly():
    with pytest.raises(CalendarNotCovered, match="2031年的法定节假日和调休安排尚未收录"):
        period_end(dt.date(2031, 3, 2), 5, working_days=True)


def test_late_fee_three_percent_a_day_capped_at_the_fine():
    fee = late_fee(1000, dt.date(2026, 3, 2), dt.date(2026, 3, 27))  # due 03-17, 10 days late
    assert (fee.due, fee.overdue_days, fee.fee, fee.capped) == (dt.date(2026, 3, 17), 10, Decimal("300.00"), False)
    assert fee.total == Decimal("1300.00")
    capped = late_fee(1000, dt.date(2026, 3, 2), dt.date(2026, 6, 30))
    assert capped.fee == Decimal("1000") and capped.capped
    on_time = late_fee(1000, dt.date(2026, 3, 2), dt.date(2026, 3, 17))
    assert on_time.fee == 0 and on_time.overdue_days == 0
    with pytest.raises(ValueError, match="罚款数额应大于零"):
        late_fee(0, dt.date(2026, 3, 2), dt.date(2026, 3, 3))


def test_widgets_show_results_and_errors():
    calc = DeadlineCalculator(start=dt.date(2026, 9, 30), days=5)
    assert "2026-10-13" in calc.result.value
    calc.kind.value = False
    assert "2026-10-08" in calc.result.value
    fees = LateFeeCalculator(fine=1000, received=dt.date(2026, 3, 2), paid=dt.date(2026, 3, 27))
    assert "300.00 元" in fees.result.value
    fees.paid.value = dt.date(2026, 3, 1)
    assert "不能早于" in fees.result.value


def test_every_shipped_checklist_loads_and_checks():
    names = checklist_names()
    for name in names:
        checklist = Checklist(name)
        assert checklist.items and all(item.get("basis") for item in checklist.items), name
        checklist.evaluate()
        assert f"还有 {len(checklist.items)} 项未满足" in checklist.result.value
        for box in checklist.boxes:
            box.value = True
        checklist.evaluate()
        assert "全部要求均已满足" in checklist.result.value
