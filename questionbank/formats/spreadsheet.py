"""The usual Chinese 题库 spreadsheet: 题型, 题干, 选项A…选项F, 答案, 解析, 难度, 知识点, 法律依据, 分类, 领域.

Import accepts what real banks contain (aliases of column names, .xlsx and .csv in UTF-8 with or without BOM or GBK,
full-width letters and punctuation, answers like "A、C", 判断 answers as √/×, citations like
《中华人民共和国行政处罚法》第五十一条). A file with any bad row is refused whole, listing every row and reason, and
nothing is written. Export writes the same template with a few more columns (题号, 状态, 来源, 容差, 单位, 可接受答案,
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
import unicodedata
from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ground.tables import column_map, header_row, read_rows
from ground.vocabulary import CATEGORIES
from questionbank import numerals
from questionbank.laws import Citation, LawRegistry, default_registry
from questionbank.loading import ITEMS, load_bank
from questionbank.model import ID_RE, OPTION_LETTERS, STATUSES, TYPES, Question
from questionbank.reading import read_question
from questionbank.taxonomy import Taxonomy, default_taxonomy
from questionbank.validation import check_question
from questionbank.writing import dump_file, write_files

COLUMNS = ["题号", "所属案例", "小题序号", "题型", "题干", *(f"选项{x}" for x in OPTION_LETTERS), "答案", "解析", "难度",
           "知识点", "法律依据", "分类", "领域", "状态", "来源", "容差", "单位", "可接受答案", "评分要点", "标签", "审核记录"]
ALIASES = {
    "题号": ["编号", "试题编号", "题目编号", "id"],
    "题型": ["题目类型", "试题类型", "类型", "题类"],
    "题干": ["试题内容", "题目内容", "题目", "内容", "问题", "试题"],
    "答案": ["正确答案", "标准答案", "参考答案"],
    "解析": ["答案解析", "试题解析", "解释", "说明"],
    "难度": ["难易程度", "难易度", "难度等级"],
    "知识点": ["考点", "章节", "知识点名称"],
    "法律依据": ["依据", "法条", "法律法规依据", "出处", "依据条款"],
    "分类": ["类别", "题目分类", "培训类别", "试题分类"],
    "领域": ["执法领域", "适用领域", "行业"],
    "状态": ["审核状态"],
    "评分要点": ["评分标准", "得分要点"],
    "可接受答案": ["备选答案"],
    "所属案例": ["案例编号", "所属案例编号"],
    "小题序号": ["小题顺序"],
}
TYPE_WORDS = {
    "single": ["单选", "单选题", "单项选择", "单项选择题", "单项"],
    "multiple": ["多选", "多选题", "多项选择", "多项选择题", "多项", "不定项", "不定项选择题"],
    "judge": ["判断", "判断题", "是非题"],
    "numeric": ["数值", "数值题", "填空", "填空题", "计算题"],
    "case": ["案例分析", "案例分析题", "案例", "案例题"],
}
PART_TYPE_WORDS = {"single": "单选", "multiple": "多选", "judge": "判断", "open": "简答"}
JUDGE_TRUE = {"正确", "对", "√", "✓", "✔", "T", "TRUE", "是", "Y", "YES", "1"}
JUDGE_FALSE = {"错误", "错", "×", "✗", "✘", "X", "F", "FALSE", "否", "N", "NO", "0"}
DIFFICULTY_WORDS = {"易": 1, "容易": 1, "简单": 1, "较易": 2, "中等": 3, "中": 3, "一般": 3, "适中": 3, "较难": 4, "难": 5,
                    "困难": 5}
CATEGORY_WORDS = {"法律知识": "legal", "法律": "legal", "legal": "legal", "专门业务": "operations", "业务": "operations",
                  "业务知识": "operations", "operations": "operations"}
STATUS_WORDS = {**{v: k for k, v in STATUSES.items()}, **{k: k for k in STATUSES}, "待审核": "draft"}
CITATION_TEXT_RE = re.compile(
    rf"(?:《(?P<law>[^》]+)》|(?P<bare>[\u4e00-\u9fff]{{2,30}}?(?:法|条例|规定|办法|细则)))?\s*"
    rf"第(?P<article>[{numerals.CHARS}\d]+)条"
)
OUR_CITATION_RE = re.compile(r"[^\s;；,，、@#]+@[0-9A-Za-z._-]+#\d+")
RUBRIC_RE = re.compile(r"^(?P<point>.+?)[（(](?P<score>[\d０-９]+(?:[.．][\d０-９]+)?)分[)）]$")


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


# ---------------------------------------------------------------- reading the file

def _aliases() -> dict[str, list[str]]:
    aliases = {c: list(ALIASES.get(c, [])) for c in COLUMNS}
    for letter in OPTION_LETTERS:
        aliases[f"选项{letter}"] += [letter, f"{letter}选项", f"选项{letter.lower()}"]
    return aliases


# ---------------------------------------------------------------- cell parsers (each raises ValueError with a reason)

def _nfkc(text: str) -> str:
    return unicodedata.normalize("NFKC", text).strip()


def parse_type(text: str) -> tuple[str, str | None]:
    """(question type, part type or None) from 题型."""
    t = _nfkc(text).replace(" ", "")
    if t.startswith("案例分析-") or t.startswith("案例-"):
        sub = t.split("-", 1)[1]
        for ptype, word in PART_TYPE_WORDS.items():
            if sub in (word, word + "题") or sub in TYPE_WORDS.get(ptype, []):
                return "case", ptype
        if sub in ("主观", "问答", "简答题", "论述"):
            return "case", "open"
        raise ValueError(f"案例小题题型 {text} 无法识别（单选/多选/判断/简答）")
    for qtype, words in TYPE_WORDS.items():
        if t in words or t == qtype:
            return qtype, None
    raise ValueError(f"题型 {text or '（空）'} 无法识别")


def parse_letters(text: str) -> list[str]:
    t = _nfkc(text).upper()
    letters = re.sub(r"[\s,，、;；/|.。和及]", "", t)
    if not letters or any(ch not in OPTION_LETTERS for ch in letters):
        raise ValueError(f"答案 {text or '（空）'} 应为选项字母，如 B 或 A、C")
    return list(letters)


def parse_judge(text: str) -> str:
    t = _nfkc(text).upper().rstrip("。.")
    if t in JUDGE_TRUE:
        return "正确"
    if t in JUDGE_FALSE:
        return "错误"
    raise ValueError(f"判断题答案 {text or '（空）'} 无法识别（正确/错误/对/错/√/×/T/F）")


def parse_difficulty(text: str) -> int:
    t = _nfkc(text)
    if not t:
        return 3
    if t in DIFFICULTY_WORDS:
        return DIFFICULTY_WORDS[t]
    if re.fullmatch(r"[1-5](\.0)?", t):
        return int(float(t))
    raise ValueError(f"难度 {text} 无法识别（易/较易/中等/较难/难 或 1–5）")


def parse_category(text: str) -> str:
    t = _nfkc(text)
    if not t:
        return "legal"
    if t in CATEGORY_WORDS:
        return CATEGORY_WORDS[t]
    raise ValueError(f"分类 {text} 无法识别（法律知识 或 专门业务）")


def _split(text: str) -> list[str]:
    return [p.strip() for p in re.split(r"[、,，;；\n]", _nfkc(text)) if p.strip()]


def parse_basis(text: str, registry: LawRegistry, on: dt.date) -> list[str]:
    """Citations in our form (行政处罚法@2021#51) or as written (《中华人民共和国行政处罚法》第五十一条、第五十二条)."""
    t = text.strip()
    if not t:
        return []
    ours = OUR_CITATION_RE.findall(t)
    rest = OUR_CITATION_RE.sub(" ", t)
    out = list(ours)
    law = None
    found_any = bool(ours)
    for match in CITATION_TEXT_RE.finditer(rest):
        name = match["law"] or match["bare"]
        if name:
            law = registry.resolve_name(name)
            if law is None:
                raise ValueError(f"法律依据中的 {name} 不在法律登记表中")
        if law is None:
            raise ValueError(f"法律依据 {text} 没有写明法律名称")
        raw_article = _nfkc(match["article"])
        article = int(raw_article) if raw_article.isdigit() else numerals.parse(raw_article)
        version = law.in_force(on)
        if version is None:
            raise ValueError(f"{law.name} 在 {on.isoformat()} 尚未施行")
        out.append(f"{law.name}@{version.id}#{article}")
        found_any = True
    if not found_any:
        raise ValueError(f"法律依据 {text} 无法识别（应如 《中华人民共和国行政处罚法》第五十一条 或 行政处罚法第51条）")
    return list(dict.fromkeys(out))


def parse_rubric(text: str) -> list[dict]:
    points = []
    separator = r"\n" if "\n" in text else r"[；;]"  # one point a line, or a line of points joined by ；
    for line in [x.strip() for x in re.split(separator, text) if x.strip()]:
        match = RUBRIC_RE.match(line)
        if not match:
            raise ValueError(f"评分要点 {line} 应写成 要点（3分）")
        score = float(_nfkc(match["score"]))
        points.append({"point": match["point"].strip(), "score": int(score) if score.is_integer() else score})
    return points


def _number(text: str) -> float | int:
    t = _nfkc(text)
    value = float(t)
    return int(value) if value.is_integer() else value


# ---------------------------------------------------------------- rows to questions

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
        header_index = header_row(rows, _aliases())
        columns = column_map(rows[header_index], _aliases())
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
            parent = _nfkc(cells.get("所属案例", ""))
            if ptype and parent:
                order = _nfkc(cells.get("小题序号", ""))
                if order and not order.isdigit():
                    self.fail(offset, f"小题序号 {order} 应为正整数")
                part = self._part(offset, cells, ptype, 0)
                if part:
                    linked.append((offset, parent, int(order) if order.isdigit() else 0, _nfkc(cells.get("状态", "")), part))
                continue
            if ptype:
                if current_case is None:
                    self.fail(offset, "案例小题之前没有案例分析题的材料行，也没有写明所属案例")
                    continue
                part = self._part(offset, cells, ptype, len(current_case["parts"]))
                if part:
                    current_case["parts"].append(part)
                continue
            if qtype == "case" and _nfkc(cells.get("题号", "")):
                case_rows.add(_nfkc(cells["题号"]))
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
        part: dict[str, Any] = {"id": _nfkc(cells.get("题号", "")).lower() or f"p{index + 1}", "type": ptype,
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
                    mapping["answer"] = _number(answer)
                except ValueError:
                    accepted = [a.strip() for a in answer.split("|") if a.strip()] + accepted
            if accepted:
                mapping["accepted"] = accepted
            if cells.get("容差"):
                mapping["tolerance"] = attempt(_number, cells["容差"])
            if cells.get("单位"):
                mapping["unit"] = cells["单位"]
        elif qtype == "case":
            mapping["parts"] = []
        mapping["explanation"] = cells.get("解析", "")
        basis = attempt(parse_basis, cells.get("法律依据", ""), self.registry, self.today)
        mapping["basis"] = basis or []
        mapping["difficulty"] = attempt(parse_difficulty, cells.get("难度", ""))
        mapping["category"] = attempt(parse_category, cells.get("分类", ""))
        mapping["domains"] = _split(cells.get("领域", "")) or ["通用"]
        status = _nfkc(cells.get("状态", "")) or "draft"
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
        tags = _split(cells.get("标签", "")) if cells.get("标签") else []
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
        given = _nfkc(given)
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


# ---------------------------------------------------------------- export

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
