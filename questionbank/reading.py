"""Reading a question from the mapping of a bank file (``read_question``), checking every field.

Reading never raises on bad content: it returns what it could read together with the problems found,
so that ``academy bank validate`` can report every problem of every file at once. The model read into is
``questionbank.model``.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from ground.vocabulary import CATEGORIES
from questionbank.laws import Citation
from questionbank.model import ID_RE, OPTION_LETTERS, PART_TYPES, STATUSES, TYPES, Part, Question, Review, RubricPoint
from questionbank.problems import Problem

JUDGE_WORDS = {"正确": True, "错误": False, True: True, False: False}
QUESTION_FIELDS = {
    "id", "type", "stem", "options", "answer", "explanation", "basis", "difficulty", "category", "domains",
    "status", "source", "tolerance", "unit", "accepted", "parts", "tags", "topic", "review",
}
PART_FIELDS = {"id", "type", "stem", "options", "answer", "reference", "rubric", "basis", "explanation"}
REVIEW_FIELDS = {"by", "date", "articles", "recheck"}
REQUIRED = ("id", "type", "stem", "difficulty", "category", "domains", "status")


class _Reader:
    """Collects problems while reading one question."""

    def __init__(self, file: str, qid: str):
        self.file, self.qid, self.problems = file, qid, []

    def error(self, fld: str, message: str) -> None:
        self.problems.append(Problem("error", self.file, self.qid, fld, message))

    def text(self, raw: dict, key: str, fld: str | None = None, required: bool = True) -> str:
        value = raw.get(key)
        if value is None or (isinstance(value, str) and not value.strip()):
            if required:
                self.error(fld or key, "必填字段缺失或为空")
            return ""
        if not isinstance(value, (str, int, float)) or isinstance(value, bool):
            self.error(fld or key, f"应为文字，实际为 {type(value).__name__}")
            return ""
        return str(value).strip()

    def options(self, raw: dict, fld: str) -> dict[str, str]:
        value = raw.get("options")
        if value is None:
            return {}
        if not isinstance(value, dict):
            self.error(fld, "选项应写成 A: …、B: … 的形式")
            return {}
        out = {}
        for letter, text in value.items():
            letter = str(letter).strip().upper()
            if letter not in OPTION_LETTERS:
                self.error(fld, f"选项字母 {letter} 无效，只能用 A–F")
                continue
            if text is None or not str(text).strip():
                self.error(fld, f"选项 {letter} 内容为空")
                continue
            out[letter] = str(text).strip()
        letters = sorted(out)
        if letters and "".join(letters) != OPTION_LETTERS[: len(letters)]:
            self.error(fld, f"选项字母应从 A 起连续排列，实际为 {'、'.join(letters)}")
        return out

    def choice_answer(self, qtype: str, answer: Any, options: dict[str, str], fld: str) -> Any:
        if qtype == "judge":
            if answer not in JUDGE_WORDS:
                self.error(fld, f"判断题答案应为 正确 或 错误，实际为 {answer!r}")
                return None
            if options:
                self.error(fld.replace("answer", "options"), "判断题不设选项")
            return JUDGE_WORDS[answer]
        if len(options) < 2:
            self.error(fld.replace("answer", "options"), "选择题至少要有两个选项")
        keys = answer if isinstance(answer, list) else ([] if answer is None else [answer])
        keys = [str(k).strip().upper() for k in keys]
        for key in keys:
            if key not in options:
                self.error(fld, f"答案 {key} 不在选项中")
        if len(set(keys)) != len(keys):
            self.error(fld, "答案中有重复的选项")
        if qtype == "single":
            if len(keys) != 1:
                self.error(fld, f"单选题必须恰有一个答案，实际有 {len(keys)} 个")
            return keys[0] if keys else None
        if len(set(keys)) < 2:
            self.error(fld, f"多选题至少要有两个答案，实际有 {len(set(keys))} 个")
        return tuple(sorted(set(keys)))

    def basis(self, raw: dict, fld: str) -> list[Citation]:
        value = raw.get("basis")
        if value is None:
            return []
        if isinstance(value, str):
            value = [value]
        if not isinstance(value, list):
            self.error(fld, "法律依据应为列表，如 [行政处罚法@2021#51]")
            return []
        out = []
        for item in value:
            try:
                out.append(Citation.parse(item))
            except ValueError as exc:
                self.error(fld, str(exc))
        return out

    def review(self, raw: dict) -> Review | None:
        value = raw.get("review")
        if value is None:
            return None
        if not isinstance(value, dict):
            self.error("review", "审核记录应写成 {by: 审核人, date: 日期, articles: {依据: 条文指纹}}")
            return None
        for key in value:
            if key not in REVIEW_FIELDS:
                self.error(f"review.{key}", "未知字段（拼写错误？）")
        by = str(value.get("by") or "").strip()
        if not by:
            self.error("review.by", "审核记录必须写明审核人")
        date = value.get("date")
        if isinstance(date, str):
            try:
                date = dt.date.fromisoformat(date.strip())
            except ValueError:
                date = None
        if not isinstance(date, dt.date) or isinstance(date, dt.datetime):
            self.error("review.date", f"审核日期应写成 2026-11-29 的形式，实际为 {value.get('date')!r}")
            date = None
        articles = value.get("articles") or {}
        if not isinstance(articles, dict):
            self.error("review.articles", "条文指纹应写成 {行政处罚法@2021#51: 指纹}")
            articles = {}
        recheck = value.get("recheck") or []
        if not isinstance(recheck, list):
            recheck = [recheck]
        return Review(by, date or dt.date.min, {str(k): str(v) for k, v in articles.items()}, [str(c) for c in recheck])


def read_question(raw: Any, file: str, topic: str, index: int) -> tuple[Question | None, list[Problem]]:
    """Read one question mapping from a bank file; the question is None when it cannot be read at all."""
    if not isinstance(raw, dict):
        return None, [Problem("error", file, f"第{index + 1}题", "", "题目应为一组 字段: 值")]
    qid = str(raw.get("id") or f"第{index + 1}题")
    r = _Reader(file, qid)
    for key in raw:
        if key not in QUESTION_FIELDS:
            r.error(str(key), "未知字段（拼写错误？）")
    for key in REQUIRED:
        if raw.get(key) in (None, "", []):
            r.error(key, "必填字段缺失或为空")
    if raw.get("id") is not None and not ID_RE.match(str(raw["id"])):
        r.error("id", "编号只能由小写英文字母、数字、- 和 _ 组成")
    qtype = str(raw.get("type") or "")
    if qtype and qtype not in TYPES:
        r.error("type", f"题型 {qtype} 无效，应为 {'/'.join(TYPES)}")
    category = str(raw.get("category") or "")
    if category and category not in CATEGORIES:
        r.error("category", f"分类 {category} 无效，应为 legal（法律知识）或 operations（专门业务）")
    status = str(raw.get("status") or "")
    if status and status not in STATUSES:
        r.error("status", f"状态 {status} 无效，应为 draft / reviewed / retired")
    difficulty = raw.get("difficulty")
    if difficulty is not None and (isinstance(difficulty, bool) or difficulty not in (1, 2, 3, 4, 5)):
        r.error("difficulty", f"难度应为 1–5 的整数，实际为 {difficulty!r}")
        difficulty = None
    domains = raw.get("domains") or []
    if isinstance(domains, str):
        domains = [domains]
    if not isinstance(domains, list):
        r.error("domains", "执法领域应为列表")
        domains = []
    tags = raw.get("tags") or []
    q = Question(
        id=qid,
        type=qtype,
        stem=r.text(raw, "stem"),
        topic=str(raw.get("topic") or topic or ""),
        difficulty=difficulty or 0,
        category=category,
        domains=[str(d) for d in domains],
        status=status,
        options=r.options(raw, "options"),
        explanation=r.text(raw, "explanation", required=False),
        basis=r.basis(raw, "basis"),
        source=r.text(raw, "source", required=False),
        tags=[str(t) for t in tags] if isinstance(tags, list) else [str(tags)],
        review=r.review(raw),
        file=file,
    )
    if qtype in ("single", "multiple", "judge"):
        q.answer = r.choice_answer(qtype, raw.get("answer"), q.options, "answer")
    elif qtype == "numeric":
        _read_numeric(r, raw, q)
    elif qtype == "case":
        _read_case(r, raw, q)
    if qtype != "case" and raw.get("parts") is not None:
        r.error("parts", "只有案例分析题有小题")
    return q, r.problems


def _read_numeric(r: _Reader, raw: dict, q: Question) -> None:
    answer, accepted = raw.get("answer"), raw.get("accepted")
    if q.options:
        r.error("options", "数值/填空题不设选项")
    if answer is None and not accepted:
        r.error("answer", "数值题要写 answer（数值）或 accepted（可接受答案列表）")
    if answer is not None:
        if isinstance(answer, bool) or not isinstance(answer, (int, float)):
            r.error("answer", f"数值题答案应为数值，实际为 {answer!r}（文字答案请写在 accepted 中）")
        else:
            q.answer = float(answer)
    tolerance = raw.get("tolerance", 0)
    if isinstance(tolerance, bool) or not isinstance(tolerance, (int, float)) or tolerance < 0:
        r.error("tolerance", f"容差应为非负数，实际为 {tolerance!r}")
    else:
        q.tolerance = float(tolerance)
    if accepted is not None:
        if not isinstance(accepted, list) or not all(str(a).strip() for a in accepted):
            r.error("accepted", "可接受答案应为非空文字的列表")
        else:
            q.accepted = [str(a).strip() for a in accepted]
    q.unit = str(raw.get("unit") or "")


def _read_case(r: _Reader, raw: dict, q: Question) -> None:
    if raw.get("answer") is not None:
        r.error("answer", "案例分析题的答案写在各小题中")
    parts = raw.get("parts")
    if not isinstance(parts, list) or not parts:
        r.error("parts", "案例分析题至少要有一个小题")
        return
    seen = set()
    for i, praw in enumerate(parts):
        fld = f"parts[{i + 1}]"
        if not isinstance(praw, dict):
            r.error(fld, "小题应为一组 字段: 值")
            continue
        for key in praw:
            if key not in PART_FIELDS:
                r.error(f"{fld}.{key}", "未知字段（拼写错误？）")
        pid = str(praw.get("id") or "")
        if not pid or not ID_RE.match(pid if len(pid) > 1 else pid + "0"):
            r.error(f"{fld}.id", "小题编号必填，只能用小写英文字母和数字（如 p1）")
        elif pid in seen:
            r.error(f"{fld}.id", f"小题编号 {pid} 重复")
        seen.add(pid)
        ptype = str(praw.get("type") or "")
        if ptype not in PART_TYPES:
            r.error(f"{fld}.type", f"小题题型 {ptype or '（空）'} 无效，应为 {'/'.join(PART_TYPES)}")
        part = Part(id=pid, type=ptype, stem=r.text(praw, "stem", f"{fld}.stem"), options={}, basis=r.basis(praw, f"{fld}.basis"),
                    explanation=r.text(praw, "explanation", f"{fld}.explanation", required=False))
        if ptype in ("single", "multiple", "judge"):
            part.options = r.options(praw, f"{fld}.options")
            part.answer = r.choice_answer(ptype, praw.get("answer"), part.options, f"{fld}.answer")
        elif ptype == "open":
            part.reference = r.text(praw, "reference", f"{fld}.reference")
            rubric = praw.get("rubric")
            if not isinstance(rubric, list) or not rubric:
                r.error(f"{fld}.rubric", "主观小题必须有评分要点（rubric）")
            else:
                for j, point in enumerate(rubric):
                    score = point.get("score") if isinstance(point, dict) else None
                    text = point.get("point") if isinstance(point, dict) else None
                    if not text or isinstance(score, bool) or not isinstance(score, (int, float)) or score <= 0:
                        r.error(f"{fld}.rubric[{j + 1}]", "评分要点应写成 {point: 要点, score: 正数分值}")
                        continue
                    part.rubric.append(RubricPoint(str(text).strip(), float(score)))
        q.parts.append(part)
    if not any(p.type == "open" for p in q.parts):
        r.error("parts", "案例分析题至少要有一个主观小题（open），供人工评分")
