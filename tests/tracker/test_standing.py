"""Statuses that read right (达标 / 进度正常 / 有风险 / 未达标), with a legend and 统计截至 on every report."""

import datetime as dt

import pandas as pd
import pytest
from openpyxl import load_workbook
from sqlalchemy import update

from academy.cli import main
from tests.tracker.helpers import ROSTER, write_csv
from tracker import db, service
from tracker.imports import import_roster
from tracker.models import Officer
from tracker.reports import shortfall_list
from tracker.standing import FILLS, LEGEND, STATUSES


@pytest.fixture
def people(db_url, tmp_path):
    with db.session(db_url) as s:
        import_roster(s, write_csv(tmp_path / "r.csv", ROSTER), "hr")
    return db_url


def status(table, officer):
    return table.set_index("人员编号").loc[officer]


def test_each_status_means_what_it_says(people):
    service.record_entry("A0001", dt.date(2026, 1, 10), "legal", 16, "offline", "a")  # on pace in June
    service.record_entry("A0001", dt.date(2026, 1, 11), "operations", 16, "offline", "b")
    service.record_entry("A0002", dt.date(2026, 1, 10), "legal", 2, "offline", "c")  # left in May, short
    service.record_entry("B0001", dt.date(2026, 6, 25), "legal", 1, "offline", "d")  # joins in June: a start
    service.record_entry("B0001", dt.date(2026, 6, 26), "operations", 1, "offline", "e")
    with db.session(people) as s:
        s.execute(update(Officer).where(Officer.officer_no == "A0002").values(left_on=dt.date(2026, 5, 20)))
        s.execute(update(Officer).where(Officer.officer_no == "B0001").values(joined_on=dt.date(2026, 6, 20)))
    june = service.compliance_table(2026, as_of=dt.date(2026, 6, 30))
    assert status(june, "A0001")["状态"] == "进度正常"
    assert status(june, "A0002")["状态"] == "未达标"  # final: the officer has left
    assert status(june, "B0001")["状态"] == "进度正常"  # ten days into a new post, 1 + 1 done
    assert status(june, "B0001")["入职日期"] == "2026-06-20" and status(june, "B0001")["折算说明"] == "按在岗 7 个月折算"
    assert status(june, "A0002")["离职日期"] == "2026-05-20" and status(june, "A0002")["要求法律知识"] == 12.5
    assert june.attrs["as_of"] == dt.date(2026, 6, 30)
    december = service.compliance_table(2026, as_of=dt.date(2026, 11, 30))
    assert status(december, "A0001")["状态"] == "有风险"  # 16 of 30 with a month to go
    assert status(december, "B0001")["状态"] == "有风险" and status(december, "A0002")["状态"] == "未达标"
    over = service.compliance_table(2026, as_of=dt.date(2027, 2, 1))
    assert set(over["状态"]) == {"未达标"} and over.attrs["as_of"] == dt.date(2026, 12, 31)
    short = shortfall_list(over)
    assert list(short["人员编号"]) == ["B0001", "A0001", "A0002"]  # 33 (7 months, 2 done), 28, 23 (5 months, 2 done)
    assert list(short["缺口合计"]) == sorted(short["缺口合计"], reverse=True)


def test_reports_carry_the_date_the_legend_and_coloured_statuses(people, tmp_path, capsys):
    service.record_entry("A0001", dt.date(2026, 1, 10), "legal", 20, "offline", "a")
    for fmt in ("xlsx", "html", "csv"):
        output = tmp_path / f"r.{fmt}"
        service.write_compliance_report(2026, fmt, output, as_of=dt.date(2026, 12, 31))
        if fmt == "html":
            text = output.read_text(encoding="utf-8")
            assert "统计截至 2026-12-31" in text and all(meaning in text for meaning in LEGEND.values())
            assert f"background:#{FILLS['未达标']}" in text
        elif fmt == "csv":
            frame = pd.read_csv(output, encoding="utf-8-sig")
            assert set(frame["统计截至"]) == {"2026-12-31"}
        else:
            workbook = load_workbook(output)
            people_sheet, summary = workbook["人员明细"], workbook["单位汇总"]
            header = [c.value for c in people_sheet[1]]
            status_cells = [people_sheet.cell(r, header.index("状态") + 1) for r in range(2, 5)]
            assert {c.fill.fgColor.rgb[-6:] for c in status_cells} == {FILLS["未达标"]}
            notes = [c.value for c in summary["A"] if c.value]
            assert "统计截至 2026-12-31" in notes and set(STATUSES) <= set(notes)
            assert people_sheet.page_setup.orientation == "landscape" and people_sheet.print_title_rows == "$1:$1"
            assert "2026年度" in people_sheet.oddHeader.center.text and "统计截至 2026-12-31" in people_sheet.oddHeader.center.text
    assert main(["hours", "officer", "A0001", "--year", "2026"]) == 0
    out = capsys.readouterr().out
    assert "统计截至 2026-" in out and "状态说明" in out and LEGEND["有风险"] in out
