"""The paper: which questions each form of an exam holds, in which section, for how many points.

Written by ``assemble`` (``academy exam assemble``), read by the notebook builder and by grading. YAML::

    exam: cert-2026-q4
    title: 2026年第四季度行政执法人员资格考试
    duration_minutes: 90
    total: 100
    pass_mark: 60
    multiple_rule: partial_half
    seed: 7
    forms:
      - form: A
        sections:
          - {id: single, title: 单项选择题, type: single, points: 1, questions: [cf-hearing-001, ...]}

A paper holds ids only, never keys: the keys stay in the bank on the administrator's side.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from ground.files import write_text_atomic
from questionbank.model import TYPES
from questionbank.scoring import MULTIPLE_RULES

EXAM_ID_RE = re.compile(r"^[a-z0-9][a-z0-9_-]*[a-z0-9]$")
FORM_RE = re.compile(r"^[A-Za-z0-9]+$")
EXAM_TYPES = ("single", "multiple", "judge", "case")  # the types an officer answers by clicking (case: plus text)
AUTO_SHARE = 0.4  # share of a case question's points that goes to its objective parts


class PaperError(ValueError):
    """A paper file that cannot be used; the message is Chinese and names every problem."""


@dataclass
class Section:
    id: str
    title: str
    type: str
    points: float  # per question
    questions: list[str] = field(default_factory=list)

    @property
    def total(self) -> float:
        return _number(self.points * len(self.questions))


@dataclass
class Form:
    form: str
    sections: list[Section] = field(default_factory=list)
    exam: str = field(default="", repr=False, compare=False)  # filled in by the Paper; not written

    @property
    def assignment(self) -> str:
        """The nbgrader assignment name, e.g. ``cert-2026-q4-a``."""
        return f"{self.exam}-{self.form}".lower()

    @property
    def total(self) -> float:
        return _number(sum(s.points * len(s.questions) for s in self.sections))

    def question_ids(self) -> list[str]:
        return [qid for s in self.sections for qid in s.questions]

    def section(self, section_id: str) -> Section:
        for s in self.sections:
            if s.id == section_id:
                return s
        raise KeyError(f"试卷 {self.form} 卷没有部分 {section_id}")


@dataclass
class Paper:
    exam: str
    title: str
    duration_minutes: int
    total: float
    pass_mark: float
    multiple_rule: str
    seed: int | None = None
    forms: list[Form] = field(default_factory=list)
    assembled_at: str = ""  # ISO time, used to order past papers for the history rule of a blueprint

    def __post_init__(self) -> None:
        for f in self.forms:
            f.exam = self.exam

    def form(self, name: str) -> Form:
        """The form by letter (``"A"``) or by assignment name (``"cert-2026-q4-a"``), case-insensitive."""
        wanted = name.strip().lower()
        for f in self.forms:
            f.exam = self.exam
            if wanted in (f.form.lower(), f.assignment):
                return f
        raise KeyError(f"试卷 {self.exam} 没有 {name} 卷（现有：{'、'.join(f.form for f in self.forms)}）")

    def question_ids(self) -> set[str]:
        return {qid for f in self.forms for qid in f.question_ids()}

    def to_mapping(self) -> dict[str, Any]:
        out: dict[str, Any] = {
            "exam": self.exam,
            "title": self.title,
            "duration_minutes": self.duration_minutes,
            "total": _number(self.total),
            "pass_mark": _number(self.pass_mark),
            "multiple_rule": self.multiple_rule,
            "seed": self.seed,
        }
        if self.assembled_at:
            out["assembled_at"] = self.assembled_at
        out["forms"] = [
            {
                "form": f.form,
                "sections": [
                    {"id": s.id, "title": s.title, "type": s.type, "points": _number(s.points),
                     "questions": _Flow(s.questions)}
                    for s in f.sections
                ],
            }
            for f in self.forms
        ]
        return out


def case_part_points(question: Any, points: float) -> dict[str, tuple[float, bool]]:
    """How the points of a 案例分析 question are split among its parts: ``{part_id: (points, auto)}``.

    The objective parts (single/multiple/judge) share ``points * 0.4`` equally and are graded automatically;
    the open parts share the rest in proportion to their rubric scores and are graded by hand. Values are
    rounded to 0.01 and the last open part takes what rounding left over, so the parts add up to ``points``.
    A case question without objective parts gives all its points to the open parts.
    """
    parts = list(question.parts)
    objective = [p for p in parts if p.type != "open"]
    open_parts = [p for p in parts if p.type == "open"]
    if not open_parts:
        raise ValueError(f"案例分析题 {question.id} 没有主观小题，无法分配分值")
    out: dict[str, tuple[float, bool]] = {}
    auto_each = round(points * AUTO_SHARE / len(objective), 2) if objective else 0.0
    for p in objective:
        out[p.id] = (_number(auto_each), True)
    rest = round(points - auto_each * len(objective), 2)
    weights = [max(p.points, 0.0) for p in open_parts]
    if sum(weights) <= 0:
        weights = [1.0] * len(open_parts)
    given = 0.0
    for k, p in enumerate(open_parts):
        if k == len(open_parts) - 1:
            share = round(rest - given, 2)
        else:
            share = round(rest * weights[k] / sum(weights), 2)
            given += share
        out[p.id] = (_number(share), False)
    return {p.id: out[p.id] for p in parts}  # in the question's part order


def load_paper(path: str | Path) -> Paper:
    path = Path(path)
    try:
        raw = yaml.load(path.read_text(encoding="utf-8"), Loader=yaml.CSafeLoader)
    except FileNotFoundError:
        raise PaperError(f"找不到试卷文件：{path}") from None
    except (yaml.YAMLError, UnicodeDecodeError) as exc:
        raise PaperError(f"试卷文件 {path} 无法读取（YAML 格式错误）：{exc}") from None
    return paper_from_mapping(raw, str(path))


def paper_from_mapping(raw: Any, source: str = "试卷") -> Paper:
    """Build a ``Paper`` from a paper file read as YAML (the exam, then ``_forms`` and their ``_sections``); every
    problem is collected and raised at once as ``PaperError``."""
    problems: list[str] = []

    def bad(where: str, message: str) -> None:
        problems.append(f"{where}：{message}" if where else message)

    if not isinstance(raw, dict):
        raise PaperError(f"{source}：试卷文件应为一组 字段: 值")
    exam = str(raw.get("exam") or "")
    if not EXAM_ID_RE.match(exam):
        bad("exam", "考试编号必填，只能由小写英文字母、数字、- 和 _ 组成")
    rule = str(raw.get("multiple_rule") or "all_or_nothing")
    if rule not in MULTIPLE_RULES:
        bad("multiple_rule", f"多选题计分规则 {rule} 无效，应为 {'/'.join(MULTIPLE_RULES)}")
    duration = _positive(raw.get("duration_minutes"), "duration_minutes", "考试时长（分钟）", bad, integer=True)
    total = _positive(raw.get("total"), "total", "总分", bad)
    pass_mark = _positive(raw.get("pass_mark"), "pass_mark", "及格分", bad)
    if total and pass_mark and pass_mark > total:
        bad("pass_mark", f"及格分 {pass_mark} 高于总分 {total}")
    seed = raw.get("seed")
    if seed is not None and (isinstance(seed, bool) or not isinstance(seed, int)):
        bad("seed", "随机种子应为整数")
        seed = None
    forms = _forms(raw.get("forms"), bad)
    if not problems and total:
        for f in forms:
            if abs(f.total - total) > 1e-6:
                bad(f"forms[{f.form}]", f"{f.form} 卷各题分值合计 {f.total}，与总分 {_number(total)} 不符")
    if problems:
        raise PaperError(f"{source} 有 {len(problems)} 处问题：\n" + "\n".join(f"  - {p}" for p in problems))
    return Paper(exam=exam, title=str(raw.get("title") or exam), duration_minutes=int(duration),
                 total=_number(total), pass_mark=_number(pass_mark), multiple_rule=rule, seed=seed, forms=forms,
                 assembled_at=str(raw.get("assembled_at") or ""))


def _forms(raw_forms: Any, bad) -> list[Form]:
    """The ``forms`` of a paper file: each with a distinct name (``A``, ``B`` …)."""
    if not isinstance(raw_forms, list) or not raw_forms:
        bad("forms", "至少要有一套试卷（forms）")
        raw_forms = []
    forms: list[Form] = []
    seen_forms: set[str] = set()
    for i, rf in enumerate(raw_forms):
        where = f"forms[{i + 1}]"
        if not isinstance(rf, dict):
            bad(where, "应为一组 字段: 值")
            continue
        name = str(rf.get("form") or "")
        if not FORM_RE.match(name):
            bad(f"{where}.form", "卷别必填，只能用英文字母和数字（如 A）")
        elif name.lower() in seen_forms:
            bad(f"{where}.form", f"卷别 {name} 重复")
        seen_forms.add(name.lower())
        forms.append(Form(name, _sections(rf.get("sections"), where, bad)))
    return forms


def _sections(raw_sections: Any, where: str, bad) -> list[Section]:
    """The ``sections`` of one form: distinct ids, a type, points per question, no question twice in the form."""
    if not isinstance(raw_sections, list) or not raw_sections:
        bad(f"{where}.sections", "每套试卷至少要有一个部分")
        raw_sections = []
    sections = []
    seen_sections: set[str] = set()
    seen_questions: set[str] = set()
    for j, rs in enumerate(raw_sections):
        swhere = f"{where}.sections[{j + 1}]"
        if not isinstance(rs, dict):
            bad(swhere, "应为一组 字段: 值")
            continue
        sid = str(rs.get("id") or "")
        if not EXAM_ID_RE.match(sid if len(sid) > 1 else sid + "0"):
            bad(f"{swhere}.id", "部分编号必填，只能由小写英文字母、数字、- 和 _ 组成")
        elif sid in seen_sections:
            bad(f"{swhere}.id", f"部分编号 {sid} 重复")
        seen_sections.add(sid)
        stype = str(rs.get("type") or "")
        if stype not in EXAM_TYPES:
            bad(f"{swhere}.type", f"题型 {stype or '（空）'} 无效，应为 {'/'.join(EXAM_TYPES)}")
        points = _positive(rs.get("points"), f"{swhere}.points", "每题分值", bad)
        questions = rs.get("questions")
        if not isinstance(questions, list) or not all(isinstance(q, str) and q for q in questions):
            bad(f"{swhere}.questions", "应为题目编号的列表")
            questions = []
        for qid in questions:
            if qid in seen_questions:
                bad(f"{swhere}.questions", f"题目 {qid} 在本卷中出现了不止一次")
            seen_questions.add(qid)
        sections.append(Section(sid, str(rs.get("title") or TYPES.get(stype, sid)), stype, points or 0,
                                list(questions)))
    return sections


def dump_paper(paper: Paper) -> str:
    return yaml.dump(paper.to_mapping(), Dumper=_Dumper, allow_unicode=True, sort_keys=False, width=110,
                     default_flow_style=False)


def write_paper(paper: Paper, path: str | Path) -> None:
    """Write the paper atomically (temp file in the same folder, then rename)."""
    text = dump_paper(paper)
    paper_from_mapping(yaml.load(text, Loader=yaml.CSafeLoader), str(path))  # never write what cannot be read
    write_text_atomic(path, text)


class _Flow(list):
    """A list written on one (wrapped) line: the question ids of a section."""


class _Dumper(yaml.SafeDumper):
    pass


_Dumper.add_representer(_Flow, lambda d, v: d.represent_sequence("tag:yaml.org,2002:seq", list(v), flow_style=True))


def _number(x: float) -> int | float:
    x = float(x)
    return int(x) if x.is_integer() else round(x, 6)


def _positive(value: Any, where: str, label: str, bad, integer: bool = False) -> float | None:
    if value is None:
        bad(where, f"{label}必填")
        return None
    if isinstance(value, bool) or not isinstance(value, (int, float)) or value <= 0:
        bad(where, f"{label}应为正数，实际为 {value!r}")
        return None
    if integer and not float(value).is_integer():
        bad(where, f"{label}应为整数，实际为 {value!r}")
        return None
    return value
