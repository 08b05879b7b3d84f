"""The course catalog (``courses/catalog.yaml``): modules, their 学时 and quizzes, and its validation.

Validation (``academy courses validate`` and a test): every notebook exists and shows each of its quizzes, every quiz
references reviewed questions of the bank, and the catalog offers at least the year's requirement in each category,
so an officer can meet it from the notebooks alone. The citations in the course text are checked against the statute
texts by ``academy.course_citations``.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path

import yaml

from ground.settings import PROJECT_ROOT
from ground.vocabulary import CATEGORIES
from questionbank.loading import load_bank
from questionbank.model import Question
from questionbank.quiz import draw
from questionbank.quiz_rounds import Slots, build_slots

COURSES = PROJECT_ROOT / "courses"
LEVELS = ("基础", "进阶")


@dataclass(frozen=True)
class QuizSpec:
    id: str
    title: str
    questions: tuple[str, ...] = ()
    topic: str | None = None
    n: int = 0
    seed: int = 0

    def select(self, bank: list[Question]) -> list[Question]:
        if self.questions:
            return draw(bank, ids=list(self.questions))
        return draw(bank, topic=self.topic, n=self.n, seed=self.seed)


@dataclass(frozen=True)
class ModuleSpec:
    id: str
    title: str
    category: str
    hours: float
    domain: str
    level: str
    posts: tuple[str, ...]
    pass_mark: float
    notebook: str
    quizzes: tuple[QuizSpec, ...] = field(default_factory=tuple)
    summary: str = ""
    review: dict | None = field(default=None, compare=False)
    law: str | None = None   # the law a bare 第X条 in the module's text refers to when its paragraph names none


    @property
    def path(self) -> Path:
        return COURSES / self.notebook

    def quiz(self, quiz_id: str) -> QuizSpec:
        for quiz in self.quizzes:
            if quiz.id == quiz_id:
                return quiz
        raise KeyError(f"模块 {self.id} 没有测验 {quiz_id}")


def _quiz(raw: dict) -> QuizSpec:
    draw_spec = raw.get("draw") or {}
    return QuizSpec(id=str(raw["id"]), title=str(raw.get("title", "随堂测验")),
                    questions=tuple(raw.get("questions") or ()), topic=draw_spec.get("topic"),
                    n=int(draw_spec.get("n", 0)), seed=int(draw_spec.get("seed", 0)))


def load_catalog(path: Path | None = None) -> list[ModuleSpec]:
    raw = yaml.safe_load((path or COURSES / "catalog.yaml").read_text(encoding="utf-8"))
    return [
        ModuleSpec(id=str(m["id"]), title=str(m["title"]), category=str(m["category"]), hours=float(m["hours"]),
                   domain=str(m.get("domain", "通用")), level=str(m.get("level", "基础")),
                   posts=tuple(m.get("posts") or ()), pass_mark=float(m.get("pass_mark", 0.6)),
                   notebook=str(m["notebook"]), quizzes=tuple(_quiz(q) for q in m.get("quizzes") or ()),
                   summary=str(m.get("summary", "")), review=m.get("review"), law=m.get("law"))
        for m in raw["modules"]
    ]


@cache
def catalog() -> tuple[ModuleSpec, ...]:
    return tuple(load_catalog())


def module(module_id: str) -> ModuleSpec:
    for spec in catalog():
        if spec.id == module_id:
            return spec
    raise KeyError(f"课程目录中没有模块 {module_id}")


@cache
def bank_questions() -> tuple[Question, ...]:
    return tuple(load_bank().questions)


def quiz_slots(module: ModuleSpec, quiz_id: str, bank: list[Question] | None = None) -> Slots:
    """A quiz's questions, each with its stand-ins for later rounds: the bank's questions of the same topic and type
    citing an article the module's text (its review record) or its listed questions cite (``questionbank.quiz_rounds``)."""
    bank = list(bank if bank is not None else bank_questions())
    listed = module.quiz(quiz_id).select(bank)
    return build_slots(listed, bank, ((module.review or {}).get("articles") or {}))


def validate_catalog(modules: list[ModuleSpec], bank: list[Question], required: dict[str, float]) -> list[str]:
    """Every problem of the catalog, in Chinese; empty when it is good."""
    problems = []
    seen = set()
    for m in modules:
        where = f"模块 {m.id}"
        if m.id in seen:
            problems.append(f"{where}：编号重复")
        seen.add(m.id)
        if m.category not in CATEGORIES:
            problems.append(f"{where}：分类 {m.category} 无效（legal / operations）")
        if m.level not in LEVELS:
            problems.append(f"{where}：层级 {m.level} 无效（基础 / 进阶）")
        if not 0 < m.hours <= 24:
            problems.append(f"{where}：学时 {m.hours} 无效")
        if not 0 < m.pass_mark <= 1:
            problems.append(f"{where}：合格线 {m.pass_mark} 应在 0 到 1 之间")
        if not m.quizzes:
            problems.append(f"{where}：没有测验，无法判定完成")
        if not m.path.is_file():
            problems.append(f"{where}：笔记本 {m.notebook} 不存在")
            continue
        source = "\n".join("".join(c["source"]) for c in json.loads(m.path.read_text(encoding="utf-8"))["cells"]
                           if c["cell_type"] == "code")
        if f'Module("{m.id}")' not in source:
            problems.append(f"{where}：笔记本 {m.notebook} 没有打开本模块（Module(\"{m.id}\")）")
        for quiz in m.quizzes:
            if f'.quiz("{quiz.id}")' not in source:
                problems.append(f"{where}：笔记本 {m.notebook} 没有显示测验 {quiz.id}")
            try:
                chosen = quiz.select(bank)
            except ValueError as exc:
                problems.append(f"{where} 测验 {quiz.id}：{exc}")
                continue
            if len(chosen) < 3:
                problems.append(f"{where} 测验 {quiz.id}：题目太少（{len(chosen)} 道）")
    for category, label in CATEGORIES.items():
        offered = sum(m.hours for m in modules if m.category == category)
        if offered < required.get(category, 0):
            problems.append(f"{label}课程共 {offered:g} 学时，少于年度要求 {required[category]:g} 学时")
    return problems
