"""The period calculator (statutory holidays and 调休), the 加处罚款 calculator, and the checklists."""

import datetime as dt
import re
import shutil
from decimal import Decimal

import chinese_calendar
import pytest
import yaml

from academy.cli import main
from academy.course_tools import (
    Checklist,
    DeadlineCalculator,
    LateFeeCalculator,
    checklist_names,
    late_fee,
    period_end,
)
from academy.holidays import (
    HOLIDAYS,
    RULES_FILE,
    ArrangementError,
    CalendarNotCovered,
    HolidayCalendar,
    StatutoryRule,
    year_summary,
)

NOT_ON_FILE = "2027年的放假调休安排尚未收录"


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


def test_a_year_before_the_calendar_is_said_plainly():
    with pytest.raises(CalendarNotCovered, match="2003年的法定节假日和调休安排尚未收录"):
        period_end(dt.date(2003, 3, 2), 5, working_days=True)


def test_2027_late_fee_from_the_statutory_holidays_with_the_tiaoxiu_caveat():
    # 行政处罚法第六十七条: 15 days from receipt, the day of receipt not counted: 12-21 … 2027-01-04 (a Monday);
    # 第七十二条 and 行政强制法第四十五条: 3% of 5000 a day for 01-05 … 01-20 = 16 days = 2400, below the cap of 5000.
    fee = late_fee(5000, dt.date(2026, 12, 20), dt.date(2027, 1, 20))
    assert (fee.due, fee.overdue_days, fee.fee, fee.capped) == (dt.date(2027, 1, 4), 16, Decimal("2400.00"), False)
    assert NOT_ON_FILE in fee.notice and "全国年节及纪念日放假办法" in fee.notice
    widget = LateFeeCalculator(fine=5000, received=dt.date(2026, 12, 20), paid=dt.date(2027, 1, 20))
    assert "2,400.00 元" in widget.result.value and NOT_ON_FILE in widget.result.value
    assert late_fee(1000, dt.date(2026, 3, 2), dt.date(2026, 3, 27)).notice == ""  # 2026 is on file


def test_2027_spring_festival_is_computed_from_the_lunar_calendar():
    period = period_end(dt.date(2027, 2, 4), 3, working_days=True)  # 除夕 02-05, 初一至初三 02-06 … 02-08
    assert period.end == dt.date(2027, 2, 11)
    assert period.skipped == tuple(dt.date(2027, 2, d) for d in (5, 6, 7, 8))
    assert period.provisional_years == (2027,) and NOT_ON_FILE in period.explain()
    # a statutory holiday on a weekday moves the end of a calendar-day period (端午 2027-06-09 is a Wednesday)
    assert period_end(dt.date(2027, 5, 25), 15, working_days=False).end == dt.date(2027, 6, 10)


def test_the_statutory_rules_agree_with_the_published_arrangements():
    rules = HolidayCalendar().rules
    for year in (2025, 2026):  # the years under the 2024 revision that are on file
        for day, name in rules.holidays(year).items():
            on_holiday, english = chinese_calendar.get_holiday_detail(day)
            published = {h.chinese.removesuffix("节") for h in chinese_calendar.Holiday if h.value == english}  # 清明 / 清明节
            assert on_holiday and name.removesuffix("节") in published, (day, name)
    lunar = [StatutoryRule("春节", "lunar", 1, 1, 1), StatutoryRule("端午节", "lunar", 1, 5, 5),
             StatutoryRule("中秋节", "lunar", 1, 8, 15), StatutoryRule("清明节", "solar_term", 1, term="清明")]
    for year in range(2009, 2027):  # the lunar dates and 清明 in every year since they became holidays
        for rule in lunar:
            assert chinese_calendar.is_holiday(rule.first_day(year)), (year, rule.name)


ARRANGEMENT_2027 = {  # a made-up arrangement in the official form, for the test only
    "year": 2027,
    "source": "测试用放假安排",
    "holidays": [
        {"name": "元旦", "from": dt.date(2027, 1, 1), "to": dt.date(2027, 1, 3)},
        {"name": "春节", "from": dt.date(2027, 2, 5), "to": dt.date(2027, 2, 12)},
        {"name": "清明节", "from": dt.date(2027, 4, 3), "to": dt.date(2027, 4, 5)},
        {"name": "劳动节", "from": dt.date(2027, 5, 1), "to": dt.date(2027, 5, 5)},
        {"name": "端午节", "from": dt.date(2027, 6, 9), "to": dt.date(2027, 6, 9)},
        {"name": "中秋节", "from": dt.date(2027, 9, 15), "to": dt.date(2027, 9, 15)},
        {"name": "国庆节", "from": dt.date(2027, 10, 1), "to": dt.date(2027, 10, 7)},
    ],
    "workdays": [dt.date(2027, 1, 31), dt.date(2027, 2, 20), dt.date(2027, 4, 25), dt.date(2027, 10, 9)],
}


def _calendar_with(tmp_path, arrangement, file_year: int = 2027) -> HolidayCalendar:
    shutil.copy(HOLIDAYS / RULES_FILE, tmp_path / RULES_FILE)
    (tmp_path / f"{file_year}.yaml").write_text(yaml.safe_dump(arrangement, allow_unicode=True), encoding="utf-8")
    return HolidayCalendar(tmp_path)


def test_an_official_arrangement_on_file_wins(tmp_path):
    calendar = _calendar_with(tmp_path, ARRANGEMENT_2027)
    period = period_end(dt.date(2027, 1, 28), 7, working_days=True, calendar=calendar)
    # 01-29 (1), 01-31 Sunday 调休上班 (2), 02-01 … 02-04 (3–6), 02-05 … 02-14 off, 02-15 (7)
    assert period.end == dt.date(2027, 2, 15) and period.makeup_workdays == (dt.date(2027, 1, 31),)
    assert dt.date(2027, 2, 12) in period.skipped and period.provisional_years == ()
    explained = period.explain()
    assert "调休上班日：01-31（星期日）" in explained and "尚未收录" not in explained
    fee = late_fee(5000, dt.date(2026, 12, 20), dt.date(2027, 1, 20), calendar=calendar)
    assert (fee.due, fee.overdue_days, fee.fee, fee.notice) == (dt.date(2027, 1, 4), 16, Decimal("2400.00"), "")
    # a calendar-day period ending on a weekend 调休上班日 ends there, and says so
    saturday = period_end(dt.date(2027, 2, 5), 15, working_days=False, calendar=calendar)
    assert saturday.end == dt.date(2027, 2, 20) and "届满日为调休上班日：02-20（星期六）" in saturday.explain()


@pytest.mark.parametrize(("change", "reason"), [
    ({"year": 2028}, "year 应为 2027"),
    ({"workdays": [dt.date(2027, 2, 17)]}, "2027-02-17 不是周六或周日"),
    ({"workdays": [dt.date(2027, 2, 6)]}, "既是放假日又是调休上班日"),
    ({"holidays": ARRANGEMENT_2027["holidays"][:6]}, "未包含法定节假日 国庆节（2027-10-01）、国庆节（2027-10-02）"),
    ({"holidays": [{"name": "元旦", "from": "1月1日", "to": dt.date(2027, 1, 1)}]}, "元旦 的 from 应为日期"),
])
def test_a_wrong_arrangement_file_is_refused_with_the_reason(tmp_path, change, reason):
    calendar = _calendar_with(tmp_path, {**ARRANGEMENT_2027, **change})
    with pytest.raises(ArrangementError, match=re.escape(reason)):
        calendar.is_workday(dt.date(2027, 3, 1))


def test_an_administrator_sees_a_year_and_where_it_comes_from(tmp_path, capsys):
    computed = year_summary(2027)
    assert "尚未收录" in computed[0] and "  春节：02-05 至 02-08（4 天）" in computed and computed[-1] == "  调休上班日：无"
    on_file = year_summary(2027, _calendar_with(tmp_path, ARRANGEMENT_2027))
    assert "测试用放假安排" in on_file[0] and "  春节：02-05 至 02-12（8 天）" in on_file
    assert on_file[-1] == "  调休上班日：01-31、02-20、04-25、10-09"
    assert "  国庆节：10-01 至 10-07（7 天）" in year_summary(2026)
    assert main(["courses", "holidays", "2003"]) == 1
    assert "2003年的法定节假日和调休安排尚未收录" in capsys.readouterr().out


def test_the_shipped_holiday_files_load():
    calendar = HolidayCalendar()
    assert calendar.rules.effective_from == 2025 and len(calendar.rules.rules) == 7
    assert all(arrangement.holidays for arrangement in calendar.arrangements.values())


def test_an_officer_reads_no_package_name():
    texts = [DeadlineCalculator(start=dt.date(2003, 3, 2)).result.value,
             DeadlineCalculator(start=dt.date(2027, 2, 4), days=3).result.value,
             LateFeeCalculator(fine=5000, received=dt.date(2026, 12, 20), paid=dt.date(2027, 1, 20)).result.value]
    for text in texts:
        assert not re.search(r"[A-Za-z]", re.sub(r"<[^>]+>", "", text)), text


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
