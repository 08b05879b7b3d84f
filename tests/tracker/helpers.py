"""Roster and training sheets the way HR sends them."""

from __future__ import annotations

from tests.sheets import write_csv, write_xlsx  # noqa: F401 - re-exported for the tracker tests

ROSTER = [
    ["人员编号", "姓名", "单位", "岗位", "执法领域", "执法证号"],
    ["A0001", "张三", "甲县市场监督管理局", "执法队员", "市场监管", "SC001"],
    ["A0002", "李四", "甲县市场监督管理局", "法制审核员", "市场监管", "SC002"],
    ["B0001", "王五", "乙县综合行政执法局", "执法队员", "城市管理", "CG001"],
]


def training(*rows, header=("人员编号", "姓名", "培训名称", "类别", "学时", "日期", "形式")):
    return [list(header), *[list(r) for r in rows]]
