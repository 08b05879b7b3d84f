"""Report files (xlsx, csv, html with charts in a Chinese font), the per-unit summary, and the 学时证明."""

import datetime as dt

import pandas as pd
import pytest
from openpyxl import load_workbook

from academy.cli import main
from tests.tracker.helpers import ROSTER, write_csv
from tracker import db, service
from tracker.charts import chinese_font
from tracker.imports import import_roster
from tracker.reports import by_unit


@pytest.fixture
def filled(db_url, tmp_path):
    with db.session(db_url) as s:
        import_roster(s, write_csv(tmp_path / "r.csv", ROSTER), "hr")
    for day in (1, 2):
        service.record_entry("A0001", dt.date(2026, 3, day), "legal", 15, "offline", "法律知识培训")
        service.record_entry("A0001", dt.date(2026, 4, day), "operations", 15, "offline", "业务培训")
    service.record_entry("A0002", dt.date(2026, 3, 1), "legal", 10, "online", "网络学法")
    return db_url


def test_columns_and_unit_summary(filled):
    table = service.compliance_table(2026, as_of=dt.date(2026, 12, 31))
    for column in ("人员编号", "姓名", "单位", "法律知识", "专门业务", "法律知识缺口", "专门业务缺口", "状态"):
        assert column in table.columns
    units = by_unit(table).set_index("单位")
    assert units.loc["甲县市场监督管理局", "人数"] == 2 and units.loc["甲县市场监督管理局", "达标人数"] == 1
    assert units.loc["甲县市场监督管理局", "达标率"] == 0.5 and units.loc["乙县综合行政执法局", "达标率"] == 0
    only = service.compliance_table(2026, unit="乙县综合行政执法局")
    assert list(only["人员编号"]) == ["B0001"]


def test_a_chinese_font_is_installed_for_charts():
    assert chinese_font() in ("WenQuanYi Micro Hei", "WenQuanYi Zen Hei", "Noto Sans CJK SC", "Noto Sans SC",
                              "Source Han Sans SC")


@pytest.mark.parametrize("fmt", ["xlsx", "csv", "html"])
def test_report_command_writes_each_format(filled, tmp_path, fmt, capsys):
    output = tmp_path / f"report.{fmt}"
    assert main(["hours", "report", "--year", "2026", "--format", fmt, "-o", str(output)]) == 0
    assert "3 人" in capsys.readouterr().out
    if fmt == "xlsx":
        workbook = load_workbook(output)
        assert workbook.sheetnames == ["人员明细", "单位汇总"]
        people = pd.read_excel(output, sheet_name="人员明细")
        assert sorted(people["人员编号"]) == ["A0001", "A0002", "B0001"]
        assert len(workbook["单位汇总"]._images) == 1  # the chart
    elif fmt == "csv":
        raw = output.read_bytes()
        assert raw.startswith(b"\xef\xbb\xbf")  # Excel opens UTF-8 with BOM correctly
        frame = pd.read_csv(output, encoding="utf-8-sig").set_index("人员编号")
        assert frame.loc["A0001", "状态"] == "达标" and frame.loc["A0002", "法律知识"] == 10
    else:
        text = output.read_text(encoding="utf-8")
        assert "单位汇总" in text and "甲县市场监督管理局" in text and text.count("data:image/png;base64,") == 2


def test_officer_statement_lists_every_entry_with_its_source(filled, capsys):
    entry = service.record_entry("A0002", dt.date(2026, 5, 1), "operations", 3, "offline", "录错的培训")
    service.reverse_entry(entry.id, "录错人员")
    assert main(["hours", "officer", "A0002", "--year", "2026"]) == 0
    out = capsys.readouterr().out
    assert "学时证明（2026年度）" in out and "李四" in out and "网络学法" in out
    assert "手工录入" in out and f"冲正记录 {entry.id}：录错人员" in out and "-3 学时" in out
    assert "法律知识还差 20 学时" in out
    assert main(["hours", "officer", "Z0000"]) == 1
    assert "不在名册中" in capsys.readouterr().err


def test_record_and_reverse_commands(filled, capsys):
    assert main(["hours", "record", "B0001", "--date", "2026-06-01", "--category", "legal", "--hours", "2",
                 "--title", "专题讲座"]) == 0
    number = int(capsys.readouterr().out.split("记录号 ")[1].split("，")[0])
    assert main(["hours", "reverse", str(number), "--reason", "重复"]) == 0
    assert main(["hours", "reverse", str(number), "--reason", "重复"]) == 1
    assert "已经冲正过" in capsys.readouterr().err


def test_import_commands(db_url, tmp_path, capsys):
    assert main(["hours", "import-roster", str(write_csv(tmp_path / "r.csv", ROSTER))]) == 0
    bad = write_csv(tmp_path / "t.csv", [["人员编号", "姓名", "培训名称", "类别", "学时", "日期", "形式"],
                                         ["Z1", "x", "y", "法律知识", "2", "2026-01-05", "线下"]])
    assert main(["hours", "import-training", str(bad)]) == 1
    assert "人员编号 Z1 不在名册中" in capsys.readouterr().err


@pytest.mark.parametrize("command", ["import-roster", "import-training", "report", "officer", "record", "reverse"])
def test_every_hours_command_has_help_with_an_example(command, capsys):
    with pytest.raises(SystemExit):
        main(["hours", command, "--help"])
    assert "示例：" in capsys.readouterr().out
