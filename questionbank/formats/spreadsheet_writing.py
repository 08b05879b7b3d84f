"""Exporting questions to the 题库 spreadsheet (.xlsx): the template's columns plus 题号, 状态, 来源, 容差, 单位,
可接受答案, 评分要点, 标签 and 审核记录, so that export → import (``questionbank.formats.spreadsheet``) gives back the
same questions. A 案例分析 is one row for the material and one row per sub-question.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from ground.vocabulary import CATEGORIES
from questionbank.formats.spreadsheet_cells import COLUMNS, PART_TYPE_WORDS
from questionbank.model import STATUSES, TYPES, Question
from questionbank.taxonomy import Taxonomy, default_taxonomy


def question_rows(q: Question, taxonomy: Taxonomy) -> list[dict[str, Any]]:
    topic = taxonomy.topics.get(q.topic)
    row: dict[str, Any] = {
        "题号": q.id, "题型": TYPES[q.type], "题干": q.stem, "解析": q.explanation, "难度": q.difficulty,
        "知识点": topic.title if topic else q.topic, "法律依据": "；".join(map(str, q.basis)),
        "分类": CATEGORIES[q.category], "领域": "、".join(q.domains), "状态": STATUSES[q.status], "来源": q.source,
        "标签": "、".join(q.tags),
        "审核记录": json.dumps(q.review.to_mapping(), ensure_ascii=False, default=str) if q.review else "",
    }
    _choice_cells(q, row)
    if q.type == "numeric":
        if q.answer is not None:
            row["答案"] = int(q.answer) if float(q.answer).is_integer() else q.answer
            row["容差"] = int(q.tolerance) if float(q.tolerance).is_integer() else q.tolerance
        row["单位"] = q.unit
        row["可接受答案"] = "|".join(q.accepted)
    rows = [row]
    for order, part in enumerate(q.parts, start=1):
        prow: dict[str, Any] = {"题号": part.id, "所属案例": q.id, "小题序号": order,
                                "题型": f"案例分析-{PART_TYPE_WORDS[part.type]}", "题干": part.stem,
                                "法律依据": "；".join(map(str, part.basis)), "解析": part.explanation,
                                "状态": STATUSES[q.status]}
        _choice_cells(part, prow)
        if part.type == "open":
            prow["答案"] = part.reference
            prow["评分要点"] = "\n".join(
                f"{r.point}（{int(r.score) if r.score.is_integer() else r.score}分）" for r in part.rubric)
        rows.append(prow)
    return rows


def _choice_cells(item, row: dict[str, Any]) -> None:
    """选项A… and 答案 of a single, multiple or judge question or 案例 part (others are left to the caller)."""
    for letter, text in item.options.items():
        row[f"选项{letter}"] = text
    if item.type == "single":
        row["答案"] = item.answer
    elif item.type == "multiple":
        row["答案"] = "".join(item.answer)
    elif item.type == "judge":
        row["答案"] = "正确" if item.answer else "错误"


def write_xlsx(questions: list[Question], output: Path, taxonomy: Taxonomy | None = None) -> None:
    from openpyxl import Workbook
    from openpyxl.styles import Alignment, Font

    taxonomy = taxonomy or default_taxonomy()
    workbook = Workbook()
    sheet = workbook.active
    sheet.title = "题库"
    sheet.append(COLUMNS)
    for cell in sheet[1]:
        cell.font = Font(bold=True)
    for q in questions:
        for row in question_rows(q, taxonomy):
            sheet.append([_safe_cell(row.get(c, "")) for c in COLUMNS])
    widths = {"题干": 60, "解析": 50, "法律依据": 28, "知识点": 24}
    for i, name in enumerate(COLUMNS, start=1):
        sheet.column_dimensions[sheet.cell(1, i).column_letter].width = widths.get(name, 14 if "选项" in name else 10)
    for row in sheet.iter_rows(min_row=2):
        for cell in row:
            cell.alignment = Alignment(wrap_text=True, vertical="top")
    sheet.freeze_panes = "A2"
    output.parent.mkdir(parents=True, exist_ok=True)
    workbook.save(output)


def _safe_cell(value: Any) -> Any:
    # a text starting with "=" would be stored as a formula
    if isinstance(value, str) and value.startswith("="):
        return "'" + value
    return value
