"""What a clerk gets from the command line: values typed as on the sheets, the format from the file name, a printable
学时证明, all units in one workbook, the 未达标/有风险 list, and the （未登记单位） records merged into the right officer."""

import datetime as dt

import pandas as pd
import pytest
from openpyxl import load_workbook
from sqlalchemy import select

from academy.cli import main
from tests.tracker.helpers import ROSTER, write_csv
from tracker import db, service
from tracker.models import LedgerEntry

YEAR = dt.date.today().year - 1  # a year that is over: the statuses are final, the dates in the past


@pytest.fixture
def filled(db_url, tmp_path, capsys):
    assert main(["hours", "import-roster", str(write_csv(tmp_path / "r.csv", ROSTER)), "--by", "王小明"]) == 0
    for day in (1, 2):
        service.record_entry("A0001", dt.date(YEAR, 1, day), "legal", 15, "offline", "法律知识培训", recorded_by="王小明")
        service.record_entry("A0001", dt.date(YEAR, 1, day + 2), "operations", 15, "offline", "业务培训", recorded_by="王小明")
    service.record_entry("A0002", dt.date(YEAR, 1, 5), "legal", 10, "online", "网络学法", recorded_by="王小明")
    capsys.readouterr()
    return db_url


def test_record_takes_values_as_the_sheets_write_them(filled, capsys):
    assert main(["hours", "record", "B0001", "--date", f"{YEAR}.1.5", "--category", "法律知识", "--hours", "1.5学时",
                 "--form", "线上", "--title", "专题讲座", "--by", "王小明"]) == 0
    with db.session(filled) as s:
        entry = s.scalar(select(LedgerEntry).where(LedgerEntry.title == "专题讲座"))
        assert (entry.entry_date, entry.category, float(entry.hours), entry.form, entry.recorded_by) == (
            dt.date(YEAR, 1, 5), "legal", 1.5, "online", "王小明")
        assert entry.source_ref == ""  # no 「手工录入：手工录入」


@pytest.mark.parametrize("name, check", [
    ("报表.html", lambda p: p.read_text(encoding="utf-8").startswith("<!doctype html>")),
    ("报表.csv", lambda p: p.read_bytes().startswith(b"\xef\xbb\xbf")),
    ("报表.xlsx", lambda p: load_workbook(p).sheetnames == ["人员明细", "单位汇总"]),
])
def test_the_format_follows_the_file_name(filled, tmp_path, name, check):
    assert main(["hours", "report", "-o", str(tmp_path / name)]) == 0
    assert check(tmp_path / name)


def test_all_units_in_one_workbook(filled, tmp_path, capsys):
    output = tmp_path / "各单位.xlsx"
    assert main(["hours", "report", "--year", str(YEAR), "--each-unit", "-o", str(output)]) == 0
    workbook = load_workbook(output)
    assert workbook.sheetnames == ["单位汇总", "乙县综合行政执法局", "甲县市场监督管理局"]
    unit = pd.read_excel(output, sheet_name="甲县市场监督管理局", engine="openpyxl")
    assert sorted(unit["人员编号"]) == ["A0001", "A0002"]
    sheet = workbook["甲县市场监督管理局"]
    assert sheet.page_setup.orientation == "landscape" and sheet.print_title_rows == "$1:$1"
    assert "甲县市场监督管理局" in sheet.oddHeader.center.text and "统计截至" in sheet.oddHeader.center.text


def test_the_shortfall_list_is_sorted(filled, tmp_path, capsys):
    output = tmp_path / "督促名单.xlsx"
    assert main(["hours", "shortfall", "--year", str(YEAR), "-o", str(output)]) == 0
    assert "共 2 人" in capsys.readouterr().out
    frame = pd.read_excel(output, engine="openpyxl").dropna(subset=["人员编号"])
    assert list(frame["人员编号"]) == ["B0001", "A0002"] and list(frame["缺口合计"]) == [60, 50]
    assert set(frame["状态"]) == {"未达标"}


@pytest.mark.parametrize("fmt", ["html", "xlsx"])
def test_a_printable_statement(filled, tmp_path, capsys, fmt):
    output = tmp_path / f"学时证明-A0002.{fmt}"
    assert main(["hours", "officer", "A0002", "--year", str(YEAR), "-o", str(output)]) == 0
    if fmt == "html":
        text = output.read_text(encoding="utf-8")
    else:
        sheet = load_workbook(output)["学时证明"]
        text = "\n".join(str(c.value) for row in sheet.iter_rows() for c in row if c.value is not None)
        assert sheet.page_setup.orientation == "landscape"
    for words in ("甲县市场监督管理局", "学时证明", f"{YEAR}-01-01 至 {YEAR}-12-31", "统计截至", "网络学法",
                  "手工录入", "王小明", "经办人（签字）", "审核人（签字）", "盖章", "未达标", "状态说明"):
        assert words in text, words


def test_unregistered_records_are_merged_append_only(filled, capsys):
    service.record_module_completion("X9", "m-admin-law", "行政处罚法", "legal", 2, on=dt.date(YEAR, 1, 8))
    assert main(["hours", "unregistered", "--year", str(YEAR)]) == 0
    out = capsys.readouterr().out
    assert "X9" in out and "行政处罚法" in out
    number = int(out.split("[")[1].split("]")[0])
    assert main(["hours", "move", str(number), "--to", "B0001", "--reason", "工号登记错误", "--by", "王小明"]) == 0
    assert main(["hours", "unregistered", "--year", str(YEAR)]) == 0
    assert "没有（未登记单位）人员的学时记录" in capsys.readouterr().out
    with db.session(filled) as s:
        original = s.get(LedgerEntry, number)
        assert original is not None and float(original.hours) == 2  # kept, reversed by a new entry
        moved = s.scalar(select(LedgerEntry).where(LedgerEntry.dedup_key == f"move:{number}"))
        assert moved.officer.officer_no == "B0001" and f"由记录 {number}（原人员编号 X9）并入" in moved.source_ref
    table = service.compliance_table(YEAR).set_index("人员编号")
    assert table.loc["B0001", "法律知识"] == 2 and table.loc["X9", "法律知识"] == 0
    assert main(["hours", "move", str(number), "--to", "B0001", "--reason", "再来"]) == 1
    assert "已经冲正过" in capsys.readouterr().err


@pytest.mark.parametrize("command", ["shortfall", "unregistered", "move"])
def test_the_new_commands_have_help_with_an_example(command, capsys):
    with pytest.raises(SystemExit):
        main(["hours", command, "--help"])
    assert "示例：" in capsys.readouterr().out
