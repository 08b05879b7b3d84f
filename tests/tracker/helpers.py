"""Writing roster and training sheets the way HR sends them."""

from __future__ import annotations

import csv
import io
from pathlib import Path

from openpyxl import Workbook

ROSTER = [
    ["人员编号", "姓名", "单位", "岗位", "执法领域", "执法证号"],
    ["A0001", "张三", "甲县市场监督管理局", "执法队员", "市场监管", "SC001"],
    ["A0002", "李四", "甲县市场监督管理局", "法制审核员", "市场监管", "SC002"],
    ["B0001", "王五", "乙县综合行政执法局", "执法队员", "城市管理", "CG001"],
]


def write_csv(path: Path, rows, encoding="utf-8") -> Path:
    buffer = io.StringIO()
    csv.writer(buffer).writerows(rows)
    path.write_bytes(buffer.getvalue().encode(encoding))
    return path


def write_xlsx(path: Path, rows) -> Path:
    workbook = Workbook()
    for row in rows:
        workbook.active.append(row)
    workbook.save(path)
    return path


def training(*rows, header=("人员编号", "姓名", "培训名称", "类别", "学时", "日期", "形式")):
    return [list(header), *[list(r) for r in rows]]
