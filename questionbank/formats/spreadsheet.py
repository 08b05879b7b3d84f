"""The usual Chinese 题库 spreadsheet: 题型, 题干, 选项A…选项F, 答案, 解析, 难度, 知识点, 法律依据, 分类, 领域.

Import accepts what real banks contain (aliases of column names, .xlsx and .csv in UTF-8 with or without BOM or GBK,
full-width letters and punctuation, answers like "A、C", 判断 answers as √/×, citations like
《中华人民共和国行政处罚法》第五十一条). A file with any bad row is refused whole, listing every row and reason, and
nothing is written (this module; the columns and cell parsers are ``spreadsheet_cells``). Export
(``spreadsheet_writing``) writes the same template with a few more columns (题号, 状态, 来源, 容差, 单位, 可接受答案,
评分要点, 标签), so that export → import gives back the same questions.

A 案例分析 takes one row for the material and one row per sub-question, whose 题型 is 案例分析-单选 / 案例分析-多选 /
案例分析-判断 / 案例分析-简答 and whose 题号 is the sub-question id (p1, p2 …). Export writes on every sub-question row
its case's id (所属案例), its place in the case (小题序号), its own 法律依据 and 解析 and the case's 状态, so a sheet
sorted or filtered in Excel still imports back into the same cases. A sub-question row without 所属案例 (as other
banks write them) belongs to the case row above it.

Imported questions are drafts (a 状态 of 已审核 in someone else's sheet is not our review) unless ``keep_review``
is asked for, which re-imports our own export as it was: status and review trail (审核记录) included.
"""

from __future__ import annotations

import datetime as dt
import json
import re
from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ground.tables import column_map, header_row, read_rows
from questionbank.formats.spreadsheet_cells import (
    STATUS_WORDS,
    cell_number,
    column_aliases,
    nfkc,
    parse_basis,
    parse_category,
    parse_difficulty,
    parse_judge,
    parse_letters,
    parse_rubric,
    parse_type,
    split_items,
)
from questionbank.laws import Citation, LawRegistry, default_registry
from questionbank.loading import ITEMS, load_bank
from questionbank.model import ID_RE, OPTION_LETTERS, STATUSES, Question
from questionbank.reading import read_question
from questionbank.taxonomy import Taxonomy, default_taxonomy
from questionbank.validation import check_question
from questionbank.writing import dump_file, write_files


class ImportRefused(Exception):
    """The file was refused whole: every row and reason."""

    def __init__(self, file: Path, reasons: list[str]):
        self.file, self.reasons = file, reasons
        super().__init__(f"拒绝导入 {file}：共 {len(reasons)} 处问题，未写入任何内容。\n" + "\n".join(reasons))


@dataclass
class ImportResult:
    questions: list[Question]
    files: dict[Path, int] = field(default_factory=dict)
    tags_kept: int = 0
    dry_run: bool = False

    def summary(self) -> str:
        verb = "检查通过（试运行，未写入）" if self.dry_run else "已导入"
        lines = [f"{verb}：{len(self.questions)} 道题。"]
        for path, count in self.files.items():
            lines.append(f"  {path}：{count} 道")
        if self.tags_kept:
            lines.append(f"  其中 {self.tags_kept} 道题的知识点不在已声明的知识点中，已保留为标签，知识点按法律依据推定。")
        return "\n".join(lines)


class _Importer:
    def __init__(self, file: Path, existing_ids: set[str], registry: LawRegistry, taxonomy: Taxonomy, today: dt.date,
                 keep_review: bool = False):
        self.file, self.registry, self.taxonomy, self.today = file, registry, taxonomy, today
        self.keep_review = keep_review
        self.sheet_status: dict[str, str] = {}  # case id -> status as the sheet gives it
        self.used_ids = set(existing_ids)
        self.next_number: dict[str, int] = defaultdict(int)
        for qid in existing_ids:
            match = re.match(r"^(.*)-(\d+)$", qid)
            if match:
                self.next_number[match[1]] = max(self.next_number[match[1]], int(match[2]))
        self.reasons: list[str] = []
        self.tags_kept = 0

    def fail(self, row: int, message: str) -> None:
        self.reasons.append(f"第{row}行：{message}")

    def run(self, rows: list[list[str]]) -> list[tuple[int, dict, str]]:
        if not rows:
            self.fail(1, "文件是空的")
            return []
        header_index = header_row(rows, column_aliases())
        columns = column_map(rows[header_index], column_aliases())
        missing = [c for c in ("题型", "题干", "答案") if c not in columns]
        if missing:
            self.fail(header_index + 1, f"缺少必需的列：{'、'.join(missing)}（表头为：{'、'.join(x for x in rows[header_index] if x)}）")
            return []
        items: list[tuple[int, dict, str]] = []  # (row number, mapping, topic)
        current_case: dict | None = None
        linked: list[tuple[int, str, int, str, dict]] = []  # sub-question rows naming their case
        case_rows: set[str] = set()  # ids of case rows, read or refused
        for offset, row in enumerate(rows[header_index + 1 :], start=header_index + 2):
            cells = {name: (str(row[i]) if i < len(row) else "") for name, i in columns.items()}
            if not any(cells.values()):
                continue
            try:
                qtype, ptype = parse_type(cells["题型"])
            except ValueError as exc:
                self.fail(offset, str(exc))
                continue
            parent = nfkc(cells.get("所属案例", ""))
            if ptype and parent:
                order = nfkc(cells.get("小题序号", ""))
                if order and not order.isdigit():
                    self.fail(offset, f"小题序号 {order} 应为正整数")
                part = self._part(offset, cells, ptype, 0)
                if part:
                    linked.append((offset, parent, int(order) if order.isdigit() else 0, nfkc(cells.get("状态", "")), part))
                continue
            if ptype:
                if current_case is None:
                    self.fail(offset, "案例小题之前没有案例分析题的材料行，也没有写明所属案例")
                    continue
                part = self._part(offset, cells, ptype, len(current_case["parts"]))
                if part:
                    current_case["parts"].append(part)
                continue
            if qtype == "case" and nfkc(cells.get("题号", "")):
                case_rows.add(nfkc(cells["题号"]))
            mapping, topic = self._question(offset, cells, qtype)
            current_case = mapping if (mapping and qtype == "case") else None
            if mapping:
                items.append((offset, mapping, topic))
        self._attach(items, linked, case_rows)
        return items

    def _attach(self, items: list[tuple[int, dict, str]], linked: list, case_rows: set[str]) -> None:
        """Sub-question rows that name their case go into it, in the order of 小题序号 (then of the rows)."""
        cases = {m["id"]: m for _, m, _ in items if m["type"] == "case"}
        for row, parent, _order, status, part in sorted(linked, key=lambda x: (x[1], x[2], x[0])):
            case = cases.get(parent)
            if case is None:
                if parent not in case_rows:  # a refused case row has its own reason already
                    self.fail(row, f"所属案例 {parent} 不在表中（找不到题号为 {parent} 的案例分析题）")
                continue
            if status and STATUS_WORDS.get(status) != self.sheet_status.get(parent):
                shown = STATUSES.get(self.sheet_status.get(parent, ""), "（空）")
                self.fail(row, f"小题的状态 {status} 与所属案例 {parent} 的状态 {shown} 不一致")
                continue
            if any(p["id"] == part["id"] for p in case["parts"]):
                self.fail(row, f"案例 {parent} 中小题编号 {part['id']} 重复")
                continue
            case["parts"].append(part)

    def _part(self, row: int, cells: dict, ptype: str, index: int) -> dict | None:
        part: dict[str, Any] = {"id": nfkc(cells.get("题号", "")).lower() or f"p{index + 1}", "type": ptype,
                                "stem": cells["题干"]}
        try:
            if ptype in ("single", "multiple"):
                part["options"] = {x: cells[f"选项{x}"] for x in OPTION_LETTERS if cells.get(f"选项{x}")}
                letters = parse_letters(cells["答案"])
                part["answer"] = letters[0] if ptype == "single" and len(letters) == 1 else letters
            elif ptype == "judge":
                part["answer"] = parse_judge(cells["答案"])
            else:
                part["reference"] = cells["答案"]
                part["rubric"] = parse_rubric(cells.get("评分要点", ""))
            if cells.get("法律依据"):
                part["basis"] = parse_basis(cells["法律依据"], self.registry, self.today)
            if cells.get("解析", "").strip():
                part["explanation"] = cells["解析"].strip()
        except ValueError as exc:
            self.fail(row, str(exc))
            return None
        return part

    def _question(self, row: int, cells: dict, qtype: str) -> tuple[dict | None, str]:
        errors_before = len(self.reasons)
        mapping: dict[str, Any] = {"type": qtype, "stem": cells["题干"]}

        def attempt(func, *args):
            try:
                return func(*args)
            except ValueError as exc:
                self.fail(row, str(exc))
                return None

        options = {x: cells[f"选项{x}"] for x in OPTION_LETTERS if cells.get(f"选项{x}")}
        if options and qtype in ("single", "multiple"):
            mapping["options"] = options
        if qtype in ("single", "multiple"):
            letters = attempt(parse_letters, cells["答案"])
            if letters is not None:
                mapping["answer"] = letters[0] if qtype == "single" and len(letters) == 1 else letters
        elif qtype == "judge":
            mapping["answer"] = attempt(parse_judge, cells["答案"])
        elif qtype == "numeric":
            answer = cells["答案"]
            accepted = [a.strip() for a in cells.get("可接受答案", "").split("|") if a.strip()]
            if answer:
                try:
                    mapping["answer"] = cell_number(answer)
                except ValueError:
                    accepted = [a.strip() for a in answer.split("|") if a.strip()] + accepted
            if accepted:
                mapping["accepted"] = accepted
            if cells.get("容差"):
                mapping["tolerance"] = attempt(cell_number, cells["容差"])
            if cells.get("单位"):
                mapping["unit"] = cells["单位"]
        elif qtype == "case":
            mapping["parts"] = []
        mapping["explanation"] = cells.get("解析", "")
        basis = attempt(parse_basis, cells.get("法律依据", ""), self.registry, self.today)
        mapping["basis"] = basis or []
        mapping["difficulty"] = attempt(parse_difficulty, cells.get("难度", ""))
        mapping["category"] = attempt(parse_category, cells.get("分类", ""))
        mapping["domains"] = split_items(cells.get("领域", "")) or ["通用"]
        status = nfkc(cells.get("状态", "")) or "draft"
        if status not in STATUS_WORDS:
            self.fail(row, f"状态 {status} 无法识别（草稿/已审核/停用）")
        mapping["status"] = STATUS_WORDS.get(status, "draft")
        sheet_status = mapping["status"]
        if not self.keep_review and mapping["status"] == "reviewed":
            mapping["status"] = "draft"  # someone else's 已审核 is not our review: a reviewer accepts it here
        if self.keep_review and cells.get("审核记录", "").strip():
            try:
                mapping["review"] = json.loads(cells["审核记录"])
            except json.JSONDecodeError:
                self.fail(row, "审核记录 无法读取（应为本系统导出的原样内容）")
        mapping["source"] = cells.get("来源", "") or f"导入：{self.file.name} 第{row}行"
        tags = split_items(cells.get("标签", "")) if cells.get("标签") else []
        topic = self._topic(row, cells.get("知识点", ""), mapping["basis"], tags)
        if tags:
            mapping["tags"] = tags
        if len(self.reasons) > errors_before or topic is None:
            return None, ""
        mapping["id"] = self._id(row, cells.get("题号", ""), topic)
        self.sheet_status[mapping["id"]] = sheet_status
        return mapping, topic

    def _topic(self, row: int, text: str, basis: list[str], tags: list[str]) -> str | None:
        declared = self.taxonomy.topic_by_title(text) if text else None
        if declared:
            return declared.id
        if text:
            tags.append(text.strip())
            self.tags_kept += 1
        for cited in basis:
            citation = Citation.parse(cited)
            topic = self.taxonomy.topic_for(citation.law, citation.article)
            if topic:
                return topic.id
        self.fail(row, f"无法确定知识点：知识点 {text or '（空）'} 未声明，法律依据也对应不到已声明的知识点")
        return None

    def _id(self, row: int, given: str, topic: str) -> str:
        given = nfkc(given)
        if given:
            if not ID_RE.match(given):
                self.fail(row, f"题号 {given} 只能由小写英文字母、数字、- 和 _ 组成")
            elif given in self.used_ids:
                self.fail(row, f"题号 {given} 已被使用")
            self.used_ids.add(given)
            return given
        prefix = self.taxonomy.topics[topic].id_prefix
        while True:
            self.next_number[prefix] += 1
            qid = f"{prefix}-{self.next_number[prefix]:03d}"
            if qid not in self.used_ids:
                self.used_ids.add(qid)
                return qid


def import_file(file: Path, into: Path, dry_run: bool = False, bank_paths: list[Path] | None = None,
                registry: LawRegistry | None = None, taxonomy: Taxonomy | None = None,
                today: dt.date | None = None, keep_review: bool = False) -> ImportResult:
    """Check every row of the file; write the questions into ``into`` (one file per topic) only if all are good.

    The questions come in as drafts, unless ``keep_review`` (our own export coming back): then status and trail stay.
    """
    registry, taxonomy = registry or default_registry(), taxonomy or default_taxonomy()
    today = today or dt.date.today()
    try:
        rows = read_rows(file)
    except (ValueError, OSError) as exc:
        raise ImportRefused(file, [str(exc)]) from exc
    known = [p for p in ([ITEMS] if bank_paths is None else bank_paths) + [into] if Path(p).exists()]
    existing = load_bank(known) if known else None
    existing_ids = {q.id for q in existing.questions} if existing else set()
    importer = _Importer(file, existing_ids, registry, taxonomy, today, keep_review)
    items = importer.run(rows)
    questions: list[Question] = []
    for row, mapping, topic in items:
        question, problems = read_question(mapping, str(file), topic, 0)
        problems += list(check_question(question, registry, taxonomy, today)) if question else []
        for problem in problems:
            if problem.level == "error":
                importer.fail(row, f"{problem.field}：{problem.message}" if problem.field else problem.message)
        if question is not None:
            questions.append(question)
    if importer.reasons:
        raise ImportRefused(file, importer.reasons)
    result = ImportResult(questions, tags_kept=importer.tags_kept, dry_run=dry_run)
    by_topic: dict[str, list[Question]] = defaultdict(list)
    for q in questions:
        by_topic[q.topic].append(q)
    contents = {}
    for topic, new in by_topic.items():
        path = into / f"{topic}.yaml"
        old = load_bank([path]).questions if path.exists() else []
        contents[path] = dump_file(topic, old + new)
        result.files[path] = len(new)
    if not dry_run:
        write_files(contents)
    return result
