"""Sheets the way they really arrive: title rows, .xls and WPS .et, tab-separated text, renamed, encrypted or damaged
files, impossible values. Each bad file is refused with a Chinese message naming the row and column; nothing written."""

import datetime as dt
import io
from decimal import Decimal

import pytest
import xlwt
from msoffcrypto.format.ooxml import OOXMLFile
from openpyxl import Workbook
from sqlalchemy import func, select

from tests.tracker.helpers import ROSTER, training, write_csv, write_xlsx
from tracker import db
from tracker.imports import ImportRefused, import_roster, import_training
from tracker.models import ImportBatch, LedgerEntry, Officer

TODAY = dt.date(2026, 11, 23)
GOOD = ["A0002", "李四", "许可法", "法律知识", "2", "2026-03-10", "线下"]


@pytest.fixture
def roster(db_url, tmp_path):
    with db.session(db_url) as s:
        import_roster(s, write_csv(tmp_path / "roster.csv", ROSTER), "hr")
    return db_url


def train(db_url, path):
    with db.session(db_url) as s:
        return import_training(s, path, "hr", today=TODAY, progress=False)


def count(db_url, model=LedgerEntry):
    with db.session(db_url) as s:
        return s.scalar(select(func.count()).select_from(model))


def refused(db_url, path) -> str:
    """The refusal message; and that nothing was written (no entry, no batch beyond the roster's)."""
    batches = count(db_url, ImportBatch)
    with pytest.raises(ImportRefused) as caught:
        train(db_url, path)
    assert count(db_url) == 0 and count(db_url, ImportBatch) == batches
    message = str(caught.value)
    assert "未写入任何内容" in message and "Traceback" not in message and "Errno" not in message
    return message


def write_xls(path, rows):
    workbook = xlwt.Workbook(encoding="utf-8")
    sheet = workbook.add_sheet("培训记录")
    dates = xlwt.easyxf(num_format_str="YYYY-MM-DD")
    for r, row in enumerate(rows):
        for c, value in enumerate(row):
            sheet.write(r, c, value, dates) if isinstance(value, dt.date) else sheet.write(r, c, value)
    workbook.save(str(path))
    return path


def test_header_found_below_a_merged_title_and_a_date_line(roster, tmp_path):
    workbook = Workbook()
    sheet = workbook.active
    sheet.append(["2026年3月执法人员培训登记表"])
    sheet.merge_cells("A1:G1")
    sheet.append([])
    sheet.append(["填表单位：甲县司法局", None, None, None, "填表日期：2026-04-01"])
    for row in training(GOOD, ["A0001", "张三", "处罚法", "法律知识", 3, dt.datetime(2026, 3, 5), "线下"]):
        sheet.append(row)
    workbook.save(tmp_path / "titled.xlsx")
    assert train(roster, tmp_path / "titled.xlsx").added == 2
    with db.session(roster) as s:
        assert s.scalar(select(LedgerEntry.source_ref).where(LedgerEntry.title == "处罚法")) == "titled.xlsx 第6行"


@pytest.mark.parametrize("suffix", [".xls", ".et"])
def test_old_excel_and_wps_files_are_read(roster, tmp_path, suffix):
    rows = training(["A0001", "张三", "处罚法", "法律知识", 1.5, dt.date(2026, 3, 5), "线下"], GOOD)
    path = write_xls(tmp_path / "old.xls", rows).rename(tmp_path / f"old{suffix}")
    assert train(roster, path).added == 2
    with db.session(roster) as s:
        assert s.scalar(select(LedgerEntry.hours).where(LedgerEntry.title == "处罚法")) == Decimal("1.50")


@pytest.mark.parametrize("name", ["tabs.txt", "tabs.csv", "tabs.tsv"])
def test_tab_separated_text_is_detected(roster, tmp_path, name):
    text = "\n".join("\t".join(str(c) for c in row) for row in training(GOOD, ["A0001", "张三", "处罚法, 第二讲", "法律知识",
                                                                                 "3", "2026-03-05", "线下"]))
    (tmp_path / name).write_bytes(text.encode("gbk"))
    assert train(roster, tmp_path / name).added == 2
    with db.session(roster) as s:
        assert s.scalar(select(func.count()).where(LedgerEntry.title == "处罚法, 第二讲")) == 1


def test_minutes_written_with_their_unit(roster, tmp_path):
    rows = [["人员编号", "姓名", "培训名称", "类别", "分钟", "日期"], ["A0001", "张三", "讲座", "法律知识", "45分钟", "2026-03-05"]]
    assert train(roster, write_csv(tmp_path / "m.csv", rows)).added == 1
    with db.session(roster) as s:
        assert s.scalar(select(LedgerEntry.hours)) == Decimal("1.00")


def test_a_csv_renamed_xlsx(roster, tmp_path):
    path = write_csv(tmp_path / "renamed.csv", training(GOOD)).rename(tmp_path / "renamed.xlsx")
    message = refused(roster, path)
    assert "扩展名是 .xlsx，内容却是文本" in message and "改回 .csv" in message


def test_an_encrypted_workbook(roster, tmp_path):
    plain = io.BytesIO(write_xlsx(tmp_path / "plain.xlsx", training(GOOD)).read_bytes())
    with open(tmp_path / "locked.xlsx", "wb") as out:
        OOXMLFile(plain).encrypt("mima", out)
    assert "设有打开密码" in refused(roster, tmp_path / "locked.xlsx")


def test_a_damaged_workbook(roster, tmp_path):
    data = write_xlsx(tmp_path / "whole.xlsx", training(GOOD)).read_bytes()
    (tmp_path / "cut.xlsx").write_bytes(data[: len(data) // 2])
    assert "不是有效的 Excel 工作簿" in refused(roster, tmp_path / "cut.xlsx")


def test_a_missing_file_and_a_header_only_file(roster, tmp_path):
    assert f"找不到文件 {tmp_path / 'nowhere.csv'}" in refused(roster, tmp_path / "nowhere.csv")
    message = refused(roster, write_csv(tmp_path / "header.csv", training()))
    assert "第1行是表头，下面没有数据行" in message and "已导入" not in message


@pytest.mark.parametrize("column, value, words", [
    ("学时", "NaN", "学时 'NaN' 不是有效的数字"),
    ("学时", "Infinity", "学时 'Infinity' 不是有效的数字"),
    ("学时", "-inf", "学时 '-inf' 不是有效的数字"),
    ("日期", "2026/13/01", "日期 '2026/13/01' 不存在：月份应为 1 到 12"),
    ("日期", "2026-02-30", "日期 '2026-02-30' 不存在：2026年2月只有 28 天"),
])
def test_impossible_values(roster, tmp_path, column, value, words):
    row = ["A0001", "张三", "处罚法", "法律知识", "3", "2026-03-05", "线下"]
    row[training()[0].index(column)] = value
    message = refused(roster, write_csv(tmp_path / "bad.csv", training(GOOD, row)))
    assert f"第3行：{words}" in message and "第2行" not in message


def test_leaving_before_joining(db_url, tmp_path):
    rows = [[*ROSTER[0], "入职日期", "离职日期"], [*ROSTER[1], "2020-05-01", "2019-03-01"]]
    with pytest.raises(ImportRefused) as caught, db.session(db_url) as s:
        import_roster(s, write_csv(tmp_path / "r.csv", rows), "hr")
    assert "第2行：离职日期 2019-03-01 早于入职日期 2020-05-01" in str(caught.value)
    assert count(db_url, Officer) == 0


def test_leading_zeros_lost_by_excel_get_a_hint(db_url, tmp_path):
    with db.session(db_url) as s:
        import_roster(s, write_csv(tmp_path / "r.csv", [ROSTER[0], ["001234", "赵六", "甲县", "", "", ""]]), "hr")
    path = write_xlsx(tmp_path / "t.xlsx", training([1234, "赵六", "处罚法", "法律知识", 3, "2026-03-05", "线下"]))
    message = refused(db_url, path)
    assert "第2行：人员编号 1234 不在名册中（名册中有 001234：可能是 Excel" in message
    with pytest.raises(ImportRefused) as caught, db.session(db_url) as s:  # the roster sent again, through Excel
        import_roster(s, write_xlsx(tmp_path / "r2.xlsx", [ROSTER[0], [1234, "赵六", "甲县", "", "", ""]]), "hr")
    assert "第2行：人员编号 1234 不在名册中，但名册中有 001234" in str(caught.value)
    assert count(db_url, Officer) == 1


def test_the_bank_import_reads_files_the_same_way(tmp_path):
    from questionbank.formats.spreadsheet import ImportRefused as BankRefused
    from questionbank.formats.spreadsheet import import_file

    path = write_csv(tmp_path / "题库.csv", [["题型", "题干", "答案"], ["判断", "x", "对"]]).rename(tmp_path / "题库.xlsx")
    with pytest.raises(BankRefused) as caught:
        import_file(path, tmp_path / "items")
    assert "内容却是文本" in str(caught.value) and not (tmp_path / "items").exists()
    with pytest.raises(BankRefused) as caught:
        import_file(tmp_path / "无此文件.xlsx", tmp_path / "items")
    assert "找不到文件" in str(caught.value)
