"""Roster and training imports: what real sheets contain, refusals that write nothing, idempotence."""

import datetime as dt
from decimal import Decimal

import pytest
from sqlalchemy import func, select

from tests.tracker.helpers import ROSTER, training, write_csv, write_xlsx
from tracker import db
from tracker.imports import ImportRefused, import_roster, import_training
from tracker.models import HourTotal, ImportBatch, LedgerEntry, Officer, Unit

TODAY = dt.date(2026, 11, 23)


def roster(db_url, tmp_path, rows=ROSTER, encoding="utf-8"):
    with db.session(db_url) as s:
        return import_roster(s, write_csv(tmp_path / "roster.csv", rows, encoding), "hr")


def train(db_url, path, **kw):
    with db.session(db_url) as s:
        return import_training(s, path, "hr", today=TODAY, progress=False, **kw)


def count(db_url, model=LedgerEntry):
    with db.session(db_url) as s:
        return s.scalar(select(func.count()).select_from(model))


@pytest.mark.parametrize("encoding", ["utf-8", "utf-8-sig", "gbk"])
def test_roster_in_every_encoding_with_aliases(db_url, tmp_path, encoding):
    rows = [["工号", "姓名", "部门", "职务", "执法领域", "执法证件号"], *ROSTER[1:]]
    summary = roster(db_url, tmp_path, rows, encoding)
    assert (summary.added, summary.updated) == (3, 0)
    with db.session(db_url) as s:
        officer = s.scalar(select(Officer).where(Officer.officer_no == "A0002"))
        assert (officer.name, officer.unit.name, officer.post, officer.certificate_no) == (
            "李四", "甲县市场监督管理局", "法制审核员", "SC002")
        assert s.scalar(select(func.count()).select_from(Unit)) == 2


def test_roster_again_changes_nothing_and_a_change_updates(db_url, tmp_path):
    roster(db_url, tmp_path)
    again = roster(db_url, tmp_path)
    assert (again.added, again.updated, again.skipped) == (0, 0, 3) and "未作任何更改" in str(again)
    assert count(db_url, ImportBatch) == 1
    moved = [ROSTER[0], ["A0001", "张三", "乙县综合行政执法局", "执法队员", "城市管理", "SC001"]]
    assert roster(db_url, tmp_path, moved).updated == 1


def test_roster_refuses_bad_rows(db_url, tmp_path):
    rows = [ROSTER[0], ["A0009", "", "甲县", "", "", ""], ["A0010", "赵六", "甲县", "", "", ""],
            ["A0010", "赵六", "乙县", "", "", ""]]
    with pytest.raises(ImportRefused) as refused:
        roster(db_url, tmp_path, rows)
    assert "第2行：姓名为空" in str(refused.value) and "第4行：人员编号 A0010 与第3行重复且内容不同" in str(refused.value)
    assert count(db_url, Officer) == 0


def test_training_cleans_real_sheet_quirks(db_url, tmp_path):
    roster(db_url, tmp_path)
    rows = [["工号", "姓名 ", "课程名称", "培训类别", "学时", "培训日期", "培训形式"],
            ["Ａ０００１ ", "张三", "行政处罚法专题", "法律知识", "３", "2026/3/5", "线下"],
            ["A0001", "张三", "执法文书", "专门业务", "2.5学时", "2026年3月6日", "面授"],
            ["A0002", "李四", "案卷评查", "业务", "4", 46088, "线上"],          # Excel serial: 2026-03-07
            ["B0001", "王五", "现场检查", "专门业务", "6", "2026.03.08", ""],
            ["B0001", "王五", "行政强制法", "法律", "2", dt.datetime(2026, 3, 9), "网络"]]
    summary = train(db_url, write_xlsx(tmp_path / "t.xlsx", rows))
    assert summary.added == 5
    with db.session(db_url) as s:
        entries = {(e.officer.officer_no, e.entry_date, e.category, e.hours, e.form)
                   for e in s.scalars(select(LedgerEntry))}
        assert ("A0001", dt.date(2026, 3, 5), "legal", Decimal("3.00"), "offline") in entries
        assert ("A0001", dt.date(2026, 3, 6), "operations", Decimal("2.50"), "offline") in entries
        assert ("A0002", dt.date(2026, 3, 7), "operations", Decimal("4.00"), "online") in entries
        assert ("B0001", dt.date(2026, 3, 8), "operations", Decimal("6.00"), "offline") in entries
        assert ("B0001", dt.date(2026, 3, 9), "legal", Decimal("2.00"), "online") in entries
        entry = s.scalar(select(LedgerEntry).where(LedgerEntry.title == "执法文书"))
        assert entry.source_kind == "import" and entry.source_ref == "t.xlsx 第3行" and entry.batch_id
        assert entry.recorded_by == "hr"


def test_minutes_are_converted_by_the_rules(db_url, tmp_path):
    roster(db_url, tmp_path)
    rows = training(["A0001", "张三", "讲座", "法律知识", "", "2026-03-05", "线下"],
                    header=("人员编号", "姓名", "培训名称", "类别", "学时", "日期", "形式"))
    rows[0].append("分钟")
    rows[1].append("90")
    train(db_url, write_csv(tmp_path / "m.csv", rows))
    with db.session(db_url) as s:
        assert s.scalar(select(LedgerEntry.hours)) == Decimal("2.00")  # 90 min / 45 min per 学时


def test_same_file_twice_and_cumulative_sheets_change_nothing(db_url, tmp_path):
    roster(db_url, tmp_path)
    march = training(["A0001", "张三", "处罚法", "法律知识", "3", "2026-03-05", "线下"],
                     ["A0002", "李四", "许可法", "法律知识", "2", "2026-03-10", "线下"])
    path = write_csv(tmp_path / "march.csv", march)
    assert train(db_url, path).added == 2
    again = train(db_url, path)
    assert (again.added, again.skipped) == (0, 2) and "未作任何更改" in str(again)
    april = march + [["B0001", "王五", "强制法", "法律知识", "4", "2026-04-02", "线下"]]
    cumulative = train(db_url, write_csv(tmp_path / "april.csv", april, "gbk"))
    assert (cumulative.added, cumulative.skipped) == (1, 2)
    assert count(db_url) == 3 and count(db_url, ImportBatch) == 3  # roster + march + april
    with db.session(db_url) as s:
        assert s.scalar(select(func.sum(HourTotal.hours))) == Decimal("9.00")


@pytest.mark.parametrize("row, words", [
    (["Z9999", "无名", "处罚法", "法律知识", "3", "2026-03-05", "线下"], "人员编号 Z9999 不在名册中"),
    (["A0001", "张叁", "处罚法", "法律知识", "3", "2026-03-05", "线下"], "姓名 张叁 与名册中的 张三 不符"),
    (["A0001", "张三", "处罚法", "法律知识", "0", "2026-03-05", "线下"], "学时 0.00 无效"),
    (["A0001", "张三", "处罚法", "法律知识", "-2", "2026-03-05", "线下"], "学时 -2.00 无效"),
    (["A0001", "张三", "处罚法", "法律知识", "25", "2026-03-05", "线下"], "学时 25.00 无效"),
    (["A0001", "张三", "处罚法", "法律知识", "三", "2026-03-05", "线下"], "不是数字"),
    (["A0001", "张三", "处罚法", "法律知识", "3", "2026-13-45", "线下"], "日期 '2026-13-45' 不存在：月份应为 1 到 12"),
    (["A0001", "张三", "处罚法", "法律知识", "3", "昨天", "线下"], "日期 '昨天' 无法识别"),
    (["A0001", "张三", "处罚法", "党史", "3", "2026-03-05", "线下"], "类别 '党史' 无法识别"),
    (["A0001", "张三", "处罚法", "法律知识", "3", "2026-03-05", "自学"], "形式 '自学' 无法识别"),
    (["A0001", "张三", "处罚法", "法律知识", "3", "2027-01-05", "线下"], "晚于今天"),
])
def test_every_bad_row_refuses_the_whole_file(db_url, tmp_path, row, words):
    roster(db_url, tmp_path)
    good = ["A0002", "李四", "许可法", "法律知识", "2", "2026-03-10", "线下"]
    with pytest.raises(ImportRefused) as refused:
        train(db_url, write_csv(tmp_path / "bad.csv", training(good, row)))
    message = str(refused.value)
    assert "第3行" in message and words in message and "第2行" not in message and "未写入任何内容" in message
    assert count(db_url) == 0 and count(db_url, HourTotal) == 0 and count(db_url, ImportBatch) == 1


def test_more_than_24_hours_a_day_counts_what_is_recorded(db_url, tmp_path):
    roster(db_url, tmp_path)
    train(db_url, write_csv(tmp_path / "a.csv", training(["A0001", "张三", "上午", "法律知识", "20", "2026-03-05", "线下"])))
    with pytest.raises(ImportRefused) as refused:
        train(db_url, write_csv(tmp_path / "b.csv", training(["A0001", "张三", "下午", "专门业务", "5", "2026-03-05", "线下"])))
    assert "第2行：人员 A0001 在 2026-03-05 共 25.00 学时，超过一天 24 学时" in str(refused.value)
    assert count(db_url) == 1


def test_every_reason_is_listed(db_url, tmp_path):
    roster(db_url, tmp_path)
    rows = training(["Z1", "x", "a", "法律知识", "3", "2026-03-05", ""], ["A0001", "张三", "b", "x", "0", "bad", ""])
    with pytest.raises(ImportRefused) as refused:
        train(db_url, write_csv(tmp_path / "bad.csv", rows))
    assert len(refused.value.reasons) == 2
    assert "类别" in refused.value.reasons[1] and "学时" in refused.value.reasons[1] and "日期" in refused.value.reasons[1]


def test_missing_columns_and_unknown_file_types(db_url, tmp_path):
    with pytest.raises(ImportRefused) as refused:
        train(db_url, write_csv(tmp_path / "x.csv", [["人员编号", "名称"], ["A", "B"]]))
    assert "缺少必需的列 类别、日期" in str(refused.value)
    (tmp_path / "x.pdf").write_text("x")
    with pytest.raises(ImportRefused) as refused:
        train(db_url, tmp_path / "x.pdf")
    assert "不支持的文件类型 .pdf" in str(refused.value)
