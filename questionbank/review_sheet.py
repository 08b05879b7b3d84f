"""The review sheet: how draft items (imported ones above all) become reviewed, retired or corrected.

``write_review_sheet`` puts every draft item in a row: its stem, options and key, the text of the articles it cites
beside it, the key check's verdict, and empty columns for the reviewer: 审核决定 (通过 / 修改 / 停用), 审核人,
审核日期, and the corrected 答案 / 题干 / 解析 for 修改. ``apply_review_sheet`` reads it back: 通过 and 修改 make the
item reviewed with the reviewer's name and date and the fingerprints of the cited articles (the review trail);
停用 retires it; a row without a decision leaves the item a draft. A sheet with any bad row is refused whole,
with every row number and reason, and nothing is written. A row whose item changed after the sheet was made is bad:
the reviewer must see what he signs.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import re
import unicodedata
from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ground.tables import column_map, header_row, read_rows
from questionbank.editing import Edit, edit_files, set_key
from questionbank.key_check import check_item
from questionbank.laws import LawRegistry, default_registry
from questionbank.loading import Bank
from questionbank.model import OPTION_LETTERS, TYPES, Question, Review
from questionbank.reading import read_question
from questionbank.review import NO_TEXT, ArticleTexts, cited
from questionbank.taxonomy import default_taxonomy
from questionbank.validation import check_question

DECISIONS = {"通过": "accept", "修改": "correct", "停用": "retire"}
COLUMNS = ["题号", "题型", "题干", "选项", "答案", "解析", "法律依据", "条文原文", "核对结论", "核对说明",
           "审核决定", "审核人", "审核日期", "修改后答案", "修改后题干", "修改后解析", "审核意见", "内容指纹"]
CORRECTIONS = {"修改后答案": "answer", "修改后题干": "stem", "修改后解析": "explanation"}
DATE_RE = re.compile(r"^(\d{4})\s*[-/.年]\s*(\d{1,2})\s*[-/.月]\s*(\d{1,2})\s*日?$")
JUDGE_WORDS = {"正确": "正确", "对": "正确", "√": "正确", "错误": "错误", "错": "错误", "×": "错误"}


class SheetRefused(Exception):
    def __init__(self, file: Path, reasons: list[str]):
        self.file, self.reasons = file, reasons
        super().__init__(f"拒绝应用审核表 {file}：共 {len(reasons)} 处问题，未改动任何题目。\n" + "\n".join(reasons))


def content_print(q: Question) -> str:
    """A fingerprint of what the reviewer reads (everything but status and trail)."""
    mapping = q.to_mapping()
    mapping.pop("status", None)
    mapping.pop("review", None)
    text = json.dumps(mapping, ensure_ascii=False, sort_keys=True, default=str)
    return hashlib.sha256(text.encode("utf-8")).hexdigest()[:12]


def _key(q: Question) -> str:
    if q.type == "judge":
        return "正确" if q.answer else "错误"
    if q.type == "multiple":
        return "".join(q.answer or ())
    if q.type == "numeric":
        value = "" if q.answer is None else (int(q.answer) if float(q.answer).is_integer() else q.answer)
        return f"{value}{q.unit}" + (f"（可接受：{'、'.join(q.accepted)}）" if q.accepted else "")
    if q.type == "case":
        return "；".join(f"{p.id}：{_part_key(p)}" for p in q.parts)
    return str(q.answer or "")


def _part_key(part) -> str:
    if part.type == "judge":
        return "正确" if part.answer else "错误"
    if part.type == "multiple":
        return "".join(part.answer or ())
    if part.type == "open":
        return "（主观题）" + part.reference
    return str(part.answer or "")


def _stem(q: Question) -> str:
    if q.type != "case":
        return q.stem
    parts = [f"【{p.id}】{p.stem}" + "".join(f"\n  {x}. {t}" for x, t in p.options.items()) for p in q.parts]
    return q.stem + "\n" + "\n".join(parts)


def sheet_rows(bank: Bank, laws_dir: Path, statuses: tuple[str, ...] = ("draft",),
               registry: LawRegistry | None = None) -> list[dict[str, Any]]:
    texts = ArticleTexts(laws_dir, registry)
    rows: list[dict[str, Any]] = []
    cache: dict = {}
    for q in sorted(bank.questions, key=lambda q: q.id):
        if q.status not in statuses:
            continue
        articles = []
        for citation in cited(q):
            text = texts.text(citation)
            articles.append(f"【{citation}】{text}" if text else f"【{citation}】（条文目录中没有此条文本）")
        check = check_item(q, texts, cache)
        rows.append({
            "题号": q.id, "题型": TYPES.get(q.type, q.type), "题干": _stem(q),
            "选项": "\n".join(f"{x}. {t}" for x, t in q.options.items()), "答案": _key(q), "解析": q.explanation,
            "法律依据": "；".join(str(c) for c in q.all_citations()), "条文原文": "\n".join(articles) or "（未引用条文）",
            "核对结论": check.verdict, "核对说明": check.detail, "内容指纹": content_print(q),
        })
    return rows


def write_review_sheet(bank: Bank, laws_dir: Path, output: Path, statuses: tuple[str, ...] = ("draft",),
                       registry: LawRegistry | None = None) -> int:
    from openpyxl import Workbook
    from openpyxl.styles import Alignment, Font, PatternFill
    from openpyxl.worksheet.datavalidation import DataValidation

    rows = sheet_rows(bank, laws_dir, statuses, registry)
    workbook = Workbook()
    sheet = workbook.active
    sheet.title = "审核表"
    sheet.append(COLUMNS)
    for row in rows:
        sheet.append([_safe(row.get(c, "")) for c in COLUMNS])
    widths = {"题干": 50, "选项": 36, "解析": 36, "条文原文": 60, "核对说明": 36, "法律依据": 22, "审核决定": 10,
              "修改后题干": 30, "修改后解析": 30, "审核意见": 24}
    for i, name in enumerate(COLUMNS, start=1):
        letter = sheet.cell(1, i).column_letter
        sheet.column_dimensions[letter].width = widths.get(name, 12)
        sheet.cell(1, i).font = Font(bold=True)
        if name in ("审核决定", "审核人", "审核日期", *CORRECTIONS, "审核意见"):
            sheet.cell(1, i).fill = PatternFill("solid", fgColor="FFF2CC")  # the reviewer's columns
    for row in sheet.iter_rows(min_row=2):
        for cell in row:
            cell.alignment = Alignment(wrap_text=True, vertical="top")
    decision = sheet.cell(1, COLUMNS.index("审核决定") + 1).column_letter
    choices = DataValidation(type="list", formula1='"通过,修改,停用"', allow_blank=True)
    sheet.add_data_validation(choices)
    choices.add(f"{decision}2:{decision}{max(2, len(rows) + 1)}")
    sheet.freeze_panes = "C2"
    output.parent.mkdir(parents=True, exist_ok=True)
    workbook.save(output)
    return len(rows)


def _safe(value: Any) -> Any:
    if isinstance(value, str) and value.startswith("="):
        return "'" + value
    return value


# ---------------------------------------------------------------- applying a filled sheet

@dataclass
class ApplyResult:
    accepted: list[str] = field(default_factory=list)
    corrected: list[str] = field(default_factory=list)
    retired: list[str] = field(default_factory=list)
    undecided: list[str] = field(default_factory=list)

    def summary(self) -> str:
        return (f"已应用审核表：通过 {len(self.accepted)} 道，修改后通过 {len(self.corrected)} 道，停用 {len(self.retired)} 道，"
                f"未作决定（仍为草稿）{len(self.undecided)} 道。")


def _date(value: Any) -> dt.date | None:
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    match = DATE_RE.match(unicodedata.normalize("NFKC", str(value)).strip())
    if not match:
        return None
    try:
        return dt.date(*map(int, match.groups()))
    except ValueError:
        return None


def _corrected_answer(q: Question, text: str) -> Any:
    """The corrected key as a bank file writes it; ValueError with the reason when it cannot be one."""
    t = unicodedata.normalize("NFKC", text).strip().upper()
    if q.type == "judge":
        if t not in JUDGE_WORDS:
            raise ValueError(f"判断题的修改后答案应为 正确 或 错误，实际为 {text}")
        return JUDGE_WORDS[t]
    if q.type in ("single", "multiple"):
        letters = re.sub(r"[\s,，、;；]", "", t)
        if not letters or any(x not in OPTION_LETTERS for x in letters):
            raise ValueError(f"修改后答案 {text} 应为选项字母")
        return letters if q.type == "single" else sorted(set(letters))
    if q.type == "numeric":
        try:
            value = float(t)
        except ValueError:
            raise ValueError(f"数值题的修改后答案应为数值，实际为 {text}") from None
        return int(value) if value.is_integer() else value
    raise ValueError("案例分析题的答案请在题库文件中逐小题修改，审核表只改题干和解析")


def apply_review_sheet(file: Path, bank: Bank, laws_dir: Path, registry: LawRegistry | None = None,
                       dry_run: bool = False) -> ApplyResult:
    registry = registry or default_registry()
    taxonomy = default_taxonomy()
    try:
        rows = read_rows(file)
    except (ValueError, OSError) as exc:
        raise SheetRefused(file, [str(exc)]) from exc
    reasons: list[str] = []
    if not rows:
        raise SheetRefused(file, ["第1行：表格是空的"])
    head = header_row(rows)
    columns = column_map(rows[head], {c: [] for c in COLUMNS})
    missing = [c for c in ("题号", "审核决定", "审核人", "审核日期", "内容指纹") if c not in columns]
    if missing:
        raise SheetRefused(file, [f"第{head + 1}行：缺少审核表的列：{'、'.join(missing)}（请用 academy bank review sheet 生成的表）"])
    by_id = bank.by_id()
    texts = ArticleTexts(laws_dir, registry)
    result = ApplyResult()
    edits: dict[Path, dict[str, Edit]] = defaultdict(dict)
    seen: dict[str, int] = {}
    for number, row in enumerate(rows[head + 1 :], start=head + 2):
        cells = {name: (row[i] if i < len(row) else "") for name, i in columns.items()}
        if not any(str(v).strip() for v in cells.values()):
            continue
        qid = str(cells["题号"]).strip()

        def fail(message: str, number=number) -> None:
            reasons.append(f"第{number}行：{message}")

        if qid in seen:
            fail(f"题号 {qid} 与第{seen[qid]}行重复")
            continue
        seen[qid] = number
        q = by_id.get(qid)
        if q is None:
            fail(f"题库中没有题号 {qid}")
            continue
        word = unicodedata.normalize("NFKC", str(cells["审核决定"])).strip()
        if not word:
            result.undecided.append(qid)
            continue
        if word not in DECISIONS:
            fail(f"审核决定 {word} 无效，应为 通过、修改 或 停用")
            continue
        if q.status != "draft":
            fail(f"题目 {qid} 已是{'已审核' if q.status == 'reviewed' else '停用'}状态，不是待审核的草稿")
            continue
        if str(cells["内容指纹"]).strip() != content_print(q):
            fail(f"题目 {qid} 在生成审核表后已被改动，请重新生成审核表再审核")
            continue
        by = str(cells["审核人"]).strip()
        on = _date(cells["审核日期"])
        if not by:
            fail("没有填写审核人")
        if on is None:
            fail(f"审核日期 {cells['审核日期'] or '（空）'} 无法识别（如 2026-11-29）")
        corrections = {fld: str(cells.get(col, "")).strip() for col, fld in CORRECTIONS.items() if str(cells.get(col, "")).strip()}
        decision = DECISIONS[word]
        if decision != "correct" and corrections:
            fail(f"填写了修改内容，审核决定却是 {word}（要修改请选 修改）")
            continue
        if decision == "correct" and not corrections:
            fail("审核决定为 修改，但修改后答案、题干、解析都没有填写")
            continue
        if not by or on is None:
            continue
        if decision == "retire":
            edits[Path(q.file)][qid] = _set({"status": "retired"})
            result.retired.append(qid)
            continue
        changes: dict[str, Any] = {}
        try:
            if "answer" in corrections:
                changes["answer"] = _corrected_answer(q, corrections["answer"])
        except ValueError as exc:
            fail(str(exc))
            continue
        for fld in ("stem", "explanation"):
            if fld in corrections:
                changes[fld] = corrections[fld]
        mapping = {**q.to_mapping(), **changes, "status": "reviewed"}
        mapping.pop("review", None)
        new, problems = read_question(mapping, q.file, q.topic, 0)
        problems += list(check_question(new, registry, taxonomy, None)) if new else []
        errors = [p for p in problems if p.level == "error"]
        if errors:
            fail("修改后的题目有错误：" + "；".join(f"{p.field}：{p.message}" if p.field else p.message for p in errors))
            continue
        prints = {str(c): texts.fingerprint(c) or NO_TEXT for c in cited(new)}
        review = Review(by, on, prints)
        edits[Path(q.file)][qid] = _set({**changes, "status": "reviewed", "review": review.to_mapping()})
        (result.corrected if decision == "correct" else result.accepted).append(qid)
    if reasons:
        raise SheetRefused(file, reasons)
    edit_files(dict(edits), dry_run=dry_run)
    return result


def _set(values: dict[str, Any]) -> Edit:
    def edit(item) -> None:
        for key, value in values.items():
            if key == "answer" and isinstance(value, list) and hasattr(item.get("answer"), "append"):
                item["answer"][:] = value
            else:
                set_key(item, key, value)
    return edit
