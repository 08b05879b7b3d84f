"""Exam blueprints (``grading/blueprints/*.yaml``): what a paper must hold, read into a ``Blueprint``.

Kept whole on purpose (~570 lines): it is the whole of one file format, documentation, data classes and reader
side by side (see "Why one module" at the end of this docstring).

A blueprint file::

    exam: cert-2026-q4
    title: 2026年第四季度行政执法人员资格考试
    duration_minutes: 90
    total: 100                  # must equal the sum of count × points over the sections
    pass_mark: 60
    multiple_rule: partial_half # all_or_nothing / partial_half / per_option
    forms: 2                    # parallel forms
    max_overlap: 0              # at most this many questions shared by any two forms
    max_forms_per_item: 1       # optional: a question in at most this many forms (default 1 if max_overlap is 0)
    reviewed_only: true         # only 已审核 questions (false is refused); retired ones are never used
    exclude: [cf-hearing-001]   # optional: never use these
    sections:
      - {id: single, title: 单项选择题, type: single, count: 40, points: 1}
      - {id: case, title: 案例分析题, type: case, count: 1, points: 10, difficulty: {mean: 3.5, tolerance: 0.5}}
    constraints:                # counts per form; every key given must match (law, topic, category, domain, type)
      - {category: legal, min: 40, max: 60}
      - {law: 行政强制法, type: multiple, min: 2}
      - {topic: cf_hearing, count: 2}
    difficulty: {mean: 2.3, tolerance: 0.3, measured: true, min_responses: 30}
    history: {folder: "{data_home}/papers", last: 3, max_per_form: 0}   # 0: none of what the last 3 exams used
                                # (folder: past papers; relative to the blueprint; {data_home} = ACADEMY_HOME)
    solver: {time_limit: 30, mip_gap: 0.01}

Difficulty is on the bank's 1–5 scale. With ``measured: true`` a question's measured facility p from item
statistics (at least ``min_responses`` answers) replaces the author's difficulty, mapped by ``1 + 4 (1 − p)``.

Why one module of ~570 lines: it is the whole of one file format — the documentation above, the data classes the
assembler reads, and the reader that checks every field with a Chinese message (collecting all problems before
raising, so an administrator fixes a file in one pass). A change to the format touches all three, so they are kept
side by side; ``blueprint_from_mapping`` reads one top-level key (or group of keys) per function.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from grading.paper import EXAM_ID_RE, EXAM_TYPES, Paper, PaperError, load_paper
from ground.vocabulary import CATEGORIES
from questionbank.model import TYPES
from questionbank.scoring import MULTIPLE_RULES

BLUEPRINTS = Path(__file__).resolve().parent / "blueprints"
FIELDS = {
    "exam", "title", "duration_minutes", "total", "pass_mark", "multiple_rule", "forms", "max_overlap",
    "max_forms_per_item", "reviewed_only", "exclude", "sections", "constraints", "difficulty", "history", "solver",
}
SECTION_FIELDS = {"id", "title", "type", "count", "points", "difficulty"}
FILTER_KEYS = ("law", "topic", "category", "domain", "type")
CONSTRAINT_FIELDS = set(FILTER_KEYS) | {"section", "min", "max", "count"}
DIFFICULTY_FIELDS = {"mean", "tolerance", "measured", "min_responses"}
HISTORY_FIELDS = {"folder", "last", "max_per_form"}
SOLVER_FIELDS = {"time_limit", "mip_gap"}
SECTION_TITLES = {"single": "单项选择题", "multiple": "多项选择题", "judge": "判断题", "case": "案例分析题"}
MAX_FORMS = 26


class BlueprintError(ValueError):
    """A blueprint that cannot be used; the message is Chinese and lists every problem."""


def difficulty_from_p(p: float) -> float:
    """Measured facility p (share of points earned, 0–1) on the bank's difficulty scale 1 (easy) – 5 (hard)."""
    return round(1.0 + 4.0 * (1.0 - min(max(float(p), 0.0), 1.0)), 3)


@dataclass(frozen=True)
class DifficultyTarget:
    mean: float
    tolerance: float

    @property
    def low(self) -> float:
        return self.mean - self.tolerance

    @property
    def high(self) -> float:
        return self.mean + self.tolerance

    def describe(self) -> str:
        return f"平均难度 {self.mean:g}±{self.tolerance:g}"


@dataclass(frozen=True)
class SectionSpec:
    id: str
    title: str
    type: str
    count: int
    points: float
    difficulty: DifficultyTarget | None = None


@dataclass(frozen=True)
class CountConstraint:
    """Each form holds between ``min`` and ``max`` questions matching every filter (values: any of)."""

    filters: tuple[tuple[str, tuple[str, ...]], ...]
    min: int | None
    max: int | None
    label: str  # Chinese, e.g. "行政强制法 多选"

    def matches(self, question: Any) -> bool:
        for key, values in self.filters:
            if key == "law":
                if not set(values) & set(question.laws):
                    return False
            elif key == "domain":
                if not set(values) & set(question.domains):
                    return False
            elif getattr(question, key) not in values:
                return False
        return True

    @property
    def type(self) -> str | None:
        for key, values in self.filters:
            if key == "type" and len(values) == 1:
                return values[0]
        return None

    def describe(self) -> str:
        if self.min is not None and self.max is not None:
            bound = f"恰好 {self.min} 题" if self.min == self.max else f"{self.min}–{self.max} 题"
        elif self.min is not None:
            bound = f"至少 {self.min} 题"
        else:
            bound = f"至多 {self.max} 题"
        return f"{self.label} 每套{bound}"


@dataclass(frozen=True)
class HistoryRule:
    folder: Path
    last: int
    max_per_form: int  # 0: exclude every question used in the last ``last`` exams

    def describe(self) -> str:
        if self.max_per_form == 0:
            return f"不用近 {self.last} 次考试用过的题"
        return f"近 {self.last} 次考试用过的题每套至多 {self.max_per_form} 题"


@dataclass
class Blueprint:
    exam: str
    title: str
    duration_minutes: int
    total: float
    pass_mark: float
    multiple_rule: str
    sections: list[SectionSpec]
    constraints: list[CountConstraint] = field(default_factory=list)
    difficulty: DifficultyTarget | None = None
    measured_difficulty: bool = False
    min_responses: int = 30
    history: HistoryRule | None = None
    forms: int = 1
    max_overlap: int = 0
    max_forms_per_item: int | None = None  # None: 1 when max_overlap is 0, else the number of forms
    reviewed_only: bool = True
    exclude: frozenset[str] = frozenset()
    time_limit: float = 30.0
    mip_gap: float = 0.01
    source: str = ""

    @property
    def items_per_form(self) -> int:
        return sum(s.count for s in self.sections)

    def usage_cap(self, forms: int) -> int:
        """How many forms one question may appear in."""
        if self.max_forms_per_item is not None:
            return min(self.max_forms_per_item, forms)
        return 1 if self.max_overlap == 0 else forms

    def history_papers(self) -> list[Paper]:
        """The papers of the last ``history.last`` exams in the history folder (this exam's own excluded)."""
        if self.history is None:
            return []
        return load_history(self.history.folder, self.history.last, exclude_exam=self.exam)


def load_history(folder: Path, last: int, exclude_exam: str = "") -> list[Paper]:
    """Past papers in ``folder`` (``*.yaml``), newest ``last`` ones, ordered by assembled_at then file time."""
    folder = Path(folder)
    if not folder.exists():
        return []  # no exam held yet
    if not folder.is_dir():
        raise BlueprintError(f"历史试卷目录不是目录：{folder}")
    found: list[tuple[str, float, Paper]] = []
    for path in sorted(folder.glob("*.y*ml")):
        try:
            paper = load_paper(path)
        except PaperError as exc:
            raise BlueprintError(f"历史试卷目录中有无法读取的文件：\n{exc}") from None
        if paper.exam == exclude_exam:
            continue
        found.append((paper.assembled_at, os.path.getmtime(path), paper))
    found.sort(key=lambda t: (t[0], t[1]))
    by_exam: dict[str, Paper] = {}
    for _a, _m, paper in found:  # one paper per exam: the newest file wins
        by_exam.pop(paper.exam, None)
        by_exam[paper.exam] = paper
    return list(by_exam.values())[-last:] if last > 0 else []


def load_blueprint(path: str | Path) -> Blueprint:
    """Read a blueprint file; a name without a folder is looked up in ``grading/blueprints``."""
    path = Path(path)
    if not path.exists() and not path.is_absolute() and len(path.parts) == 1:
        for candidate in (BLUEPRINTS / path, BLUEPRINTS / f"{path}.yaml"):
            if candidate.exists():
                path = candidate
                break
    try:
        raw = yaml.load(path.read_text(encoding="utf-8"), Loader=yaml.CSafeLoader)
    except FileNotFoundError:
        raise BlueprintError(f"找不到蓝图文件：{path}") from None
    except (yaml.YAMLError, UnicodeDecodeError) as exc:
        raise BlueprintError(f"蓝图文件 {path} 无法读取（YAML 格式错误）：{exc}") from None
    return blueprint_from_mapping(raw, source=str(path), base=path.parent)


def blueprint_from_mapping(raw: Any, source: str = "蓝图", base: Path | None = None) -> Blueprint:
    """Build a ``Blueprint``; every problem is collected and raised at once as ``BlueprintError``.

    Read in the order of the file: the exam (``_exam``), the forms (``_forms``), ``sections``, ``constraints``,
    ``difficulty``, ``history`` and ``solver``, each by the function of that name."""
    r = _Reader()
    if not isinstance(raw, dict):
        raise BlueprintError(f"蓝图 {source}：文件应为一组 字段: 值（exam、title、sections …）")
    r.unknown(raw, FIELDS, "")
    exam, title, duration, total, pass_mark, rule = _exam(r, raw)
    forms, max_overlap, cap, reviewed_only, exclude = _forms(r, raw)
    sections = _sections(r, raw.get("sections"))
    _check_total(r, sections, total)
    constraints = _constraints(r, raw.get("constraints"), {s.type: s for s in sections}, {s.id: s for s in sections},
                               sum(s.count for s in sections))
    difficulty, measured, min_responses = _difficulty(r, raw.get("difficulty"))
    history = _history(r, raw.get("history"), base)
    time_limit, mip_gap = _solver(r, raw.get("solver"))
    if r.problems:
        raise BlueprintError(f"蓝图 {source} 有 {len(r.problems)} 处问题：\n"
                             + "\n".join(f"  - {p}" for p in r.problems))
    return Blueprint(
        exam=exam, title=title, duration_minutes=int(duration), total=total, pass_mark=pass_mark,
        multiple_rule=rule, sections=sections, constraints=constraints, difficulty=difficulty,
        measured_difficulty=measured, min_responses=int(min_responses), history=history, forms=int(forms),
        max_overlap=int(max_overlap), max_forms_per_item=int(cap) if cap else None,
        reviewed_only=reviewed_only, exclude=frozenset(exclude), time_limit=float(time_limit),
        mip_gap=float(mip_gap), source=source,
    )


def _exam(r: "_Reader", raw: dict) -> tuple:
    """exam, title, duration_minutes, total, pass_mark, multiple_rule."""
    exam = str(raw.get("exam") or "")
    if not EXAM_ID_RE.match(exam):
        r.bad("exam", "考试编号必填，只能由小写英文字母、数字、- 和 _ 组成（如 cert-2026-q4）")
    title = str(raw.get("title") or "").strip()
    if not title:
        r.bad("title", "考试名称必填")
    duration = r.number(raw, "duration_minutes", "考试时长（分钟）", integer=True)
    total = r.number(raw, "total", "总分")
    pass_mark = r.number(raw, "pass_mark", "及格分")
    if total and pass_mark and pass_mark > total:
        r.bad("pass_mark", f"及格分 {pass_mark:g} 高于总分 {total:g}")
    rule = str(raw.get("multiple_rule") or "all_or_nothing")
    if rule not in MULTIPLE_RULES:
        r.bad("multiple_rule", f"多选题计分规则 {rule} 无效，应为 "
              + "、".join(f"{k}（{v}）" for k, v in MULTIPLE_RULES.items()))
    return exam, title, duration, total, pass_mark, rule


def _forms(r: "_Reader", raw: dict) -> tuple:
    """forms, max_overlap, max_forms_per_item, reviewed_only, exclude: which questions the forms may hold."""
    forms = r.number(raw, "forms", "平行卷套数", integer=True, required=False, default=1)
    if forms and forms > MAX_FORMS:
        r.bad("forms", f"平行卷至多 {MAX_FORMS} 套（A–Z）")
    max_overlap = r.number(raw, "max_overlap", "两套之间最多共用题数", integer=True, required=False, default=0,
                           allow_zero=True)
    cap = r.number(raw, "max_forms_per_item", "每题最多出现的套数", integer=True, required=False)
    if cap and forms and cap > forms:
        r.bad("max_forms_per_item", f"每题最多出现 {cap} 套，但只有 {forms} 套")
    if cap and cap > 1 and max_overlap == 0:
        r.bad("max_forms_per_item", "max_overlap 为 0（各套不共用题目）时，每题只能出现在 1 套中")
    reviewed_only = raw.get("reviewed_only", True)
    if not isinstance(reviewed_only, bool):
        r.bad("reviewed_only", "应为 true 或 false")
        reviewed_only = True
    elif not reviewed_only:  # nothing reaches an exam unreviewed (imported items are drafts until the review sheet)
        r.bad("reviewed_only", "资格考试只用已审核的题：导入的题须先经审核表审核，reviewed_only 不能为 false")
        reviewed_only = True
    exclude = raw.get("exclude") or []
    if not isinstance(exclude, list) or not all(isinstance(x, str) for x in exclude):
        r.bad("exclude", "应为题目编号的列表")
        exclude = []
    return forms, max_overlap, cap, reviewed_only, exclude


def _check_total(r: "_Reader", sections: list[SectionSpec], total: float | None) -> None:
    """The sections' count × points add up to the total (checked only when nothing else is wrong yet)."""
    if sections and total and not r.problems:
        points = sum(s.count * s.points for s in sections)
        if abs(points - total) > 1e-6:
            detail = " + ".join(f"{s.title} {s.count}×{s.points:g}" for s in sections)
            r.bad("sections", f"各部分合计 {points:g} 分（{detail}），与总分 {total:g} 不符")


def _difficulty(r: "_Reader", rd: Any) -> tuple[DifficultyTarget | None, bool, Any]:
    """difficulty: the target, whether measured facility replaces the author's difficulty, and from how many
    responses."""
    difficulty, measured, min_responses = None, False, 30
    if rd is None:
        return difficulty, measured, min_responses
    if not isinstance(rd, dict):
        r.bad("difficulty", "应写成 {mean: 平均难度, tolerance: 允许偏差}")
        return difficulty, measured, min_responses
    r.unknown(rd, DIFFICULTY_FIELDS, "difficulty")
    difficulty = _target(r, rd, "difficulty")
    measured = rd.get("measured", False)
    if not isinstance(measured, bool):
        r.bad("difficulty.measured", "应为 true 或 false（是否用实测通过率代替命题难度）")
        measured = False
    min_responses = r.number(rd, "min_responses", "实测难度所需最少作答人数", integer=True,
                             required=False, default=30, where="difficulty.min_responses")
    return difficulty, measured, min_responses


def _history(r: "_Reader", rh: Any, base: Path | None) -> HistoryRule | None:
    """history: which past papers' questions may not come back (folder relative to the blueprint's)."""
    if rh is None:
        return None
    if not isinstance(rh, dict):
        r.bad("history", "应写成 {folder: 历史试卷目录, last: 最近几次, max_per_form: 每套最多复用题数}")
        return None
    r.unknown(rh, HISTORY_FIELDS, "history")
    folder = rh.get("folder")
    if not isinstance(folder, str) or not folder.strip():
        r.bad("history.folder", "历史试卷目录必填")
        folder = "."
    last = r.number(rh, "last", "最近几次考试", integer=True, where="history.last")
    max_per_form = r.number(rh, "max_per_form", "每套最多复用题数", integer=True, required=False,
                            default=0, allow_zero=True, where="history.max_per_form")
    path = _history_folder(folder)
    if not path.is_absolute() and base is not None:
        path = base / path
    return HistoryRule(path, int(last or 1), int(max_per_form or 0))


def _solver(r: "_Reader", rs: Any) -> tuple[Any, Any]:
    """solver: time limit (seconds) and relative MIP gap."""
    time_limit, mip_gap = 30.0, 0.01
    if rs is None:
        return time_limit, mip_gap
    if not isinstance(rs, dict):
        r.bad("solver", "应写成 {time_limit: 秒, mip_gap: 相对间隙}")
        return time_limit, mip_gap
    r.unknown(rs, SOLVER_FIELDS, "solver")
    time_limit = r.number(rs, "time_limit", "求解时限（秒）", required=False, default=30.0,
                          where="solver.time_limit")
    mip_gap = r.number(rs, "mip_gap", "相对间隙", required=False, default=0.01, allow_zero=True,
                       where="solver.mip_gap")
    return time_limit, mip_gap


def _history_folder(folder: str) -> Path:
    """``{data_home}`` stands for the data folder (``ACADEMY_HOME``); ``~`` and ``$VARS`` are expanded."""
    if "{data_home}" in folder:
        from ground.settings import settings

        folder = folder.replace("{data_home}", str(settings.home))
    return Path(os.path.expandvars(folder)).expanduser()


def _sections(r: "_Reader", raw: Any) -> list[SectionSpec]:
    if not isinstance(raw, list) or not raw:
        r.bad("sections", "至少要有一个部分，如 {id: single, type: single, count: 40, points: 1}")
        return []
    out: list[SectionSpec] = []
    ids: set[str] = set()
    types: set[str] = set()
    for i, rs in enumerate(raw):
        where = f"sections[{i + 1}]"
        if not isinstance(rs, dict):
            r.bad(where, "应为一组 字段: 值")
            continue
        r.unknown(rs, SECTION_FIELDS, where)
        stype = _type(rs.get("type"))
        if stype not in EXAM_TYPES:
            hint = "（数值题需要键入答案，考试只用点选作答的题型）" if stype == "numeric" else ""
            r.bad(f"{where}.type", f"题型 {rs.get('type') or '（空）'} 不能用于考试{hint}，应为 "
                  + "/".join(EXAM_TYPES))
            continue
        if stype in types:
            r.bad(f"{where}.type", f"题型 {TYPES[stype]} 出现在两个部分中，每种题型只设一个部分")
        types.add(stype)
        sid = str(rs.get("id") or stype)
        if not EXAM_ID_RE.match(sid if len(sid) > 1 else sid + "0"):
            r.bad(f"{where}.id", "部分编号只能由小写英文字母、数字、- 和 _ 组成")
        elif sid in ids:
            r.bad(f"{where}.id", f"部分编号 {sid} 重复")
        ids.add(sid)
        count = r.number(rs, "count", "题数", integer=True, where=f"{where}.count")
        points = r.number(rs, "points", "每题分值", where=f"{where}.points")
        target = None
        if rs.get("difficulty") is not None:
            if isinstance(rs["difficulty"], dict):
                r.unknown(rs["difficulty"], {"mean", "tolerance"}, f"{where}.difficulty")
                target = _target(r, rs["difficulty"], f"{where}.difficulty")
            else:
                r.bad(f"{where}.difficulty", "应写成 {mean: 平均难度, tolerance: 允许偏差}")
        title = str(rs.get("title") or SECTION_TITLES[stype])
        out.append(SectionSpec(sid, title, stype, int(count or 0), float(points or 0), target))
    return out


def _constraints(r: "_Reader", raw: Any, by_type: dict[str, SectionSpec], by_id: dict[str, SectionSpec],
                 per_form: int) -> list[CountConstraint]:
    if raw is None:
        return []
    if not isinstance(raw, list):
        r.bad("constraints", "应为约束的列表，如 - {law: 行政强制法, type: multiple, min: 2}")
        return []
    out = []
    for i, rc in enumerate(raw):
        where = f"constraints[{i + 1}]"
        if not isinstance(rc, dict):
            r.bad(where, "应为一组 字段: 值，如 {law: 行政强制法, type: multiple, min: 2}")
            continue
        r.unknown(rc, CONSTRAINT_FIELDS, where)
        filters: dict[str, tuple[str, ...]] = {}
        for key in FILTER_KEYS:
            if rc.get(key) is None:
                continue
            values = rc[key] if isinstance(rc[key], list) else [rc[key]]
            if not values or not all(isinstance(v, str) and v.strip() for v in values):
                r.bad(f"{where}.{key}", "应为文字或文字的列表")
                continue
            values = [v.strip() for v in values]
            if key == "type":
                values = [_type(v) for v in values]
                missing = [v for v in values if v not in by_type]
                if missing:
                    r.bad(f"{where}.type", f"蓝图中没有题型为 {'、'.join(missing)} 的部分")
            elif key == "category":
                values = [_category(v) for v in values]
                missing = [v for v in values if v not in CATEGORIES]
                if missing:
                    r.bad(f"{where}.category", f"分类 {'、'.join(missing)} 无效，应为 legal（法律知识）或 "
                          "operations（专门业务）")
            filters[key] = tuple(values)
        if rc.get("section") is not None:
            sid = str(rc["section"])
            if sid not in by_id:
                r.bad(f"{where}.section", f"蓝图中没有部分 {sid}")
            elif "type" in filters and filters["type"] != (by_id[sid].type,):
                r.bad(f"{where}.section", "section 与 type 不一致")
            else:
                filters["type"] = (by_id[sid].type,)
        if not set(filters) - {"type"}:
            r.bad(where, "约束至少要指定 law、topic、category、domain 之一")
            continue
        low = r.number(rc, "min", "最少题数", integer=True, required=False, allow_zero=True, where=f"{where}.min")
        high = r.number(rc, "max", "最多题数", integer=True, required=False, allow_zero=True, where=f"{where}.max")
        exact = r.number(rc, "count", "题数", integer=True, required=False, allow_zero=True,
                         where=f"{where}.count")
        if exact is not None:
            if low is not None or high is not None:
                r.bad(where, "count 与 min/max 不能同时使用")
            low = high = exact
        if low is None and high is None:
            r.bad(where, "要写 min、max 或 count")
            continue
        if low is not None and high is not None and low > high:
            r.bad(where, f"最少 {low} 题大于最多 {high} 题")
        label = _label(filters)
        room = sum(by_type[t].count for t in filters.get("type", by_type) if t in by_type) or per_form
        if low is not None and low > room:
            r.bad(where, f"{label} 至少 {low} 题，但相应部分每套只有 {room} 题")
        out.append(CountConstraint(tuple(sorted(filters.items(), key=lambda kv: FILTER_KEYS.index(kv[0]))),
                                   None if low is None else int(low), None if high is None else int(high), label))
    return out


def _label(filters: dict[str, tuple[str, ...]]) -> str:
    words = []
    for key in FILTER_KEYS:
        values = filters.get(key)
        if not values:
            continue
        if key == "law":
            words.append("或".join(values))
        elif key == "topic":
            words.append("知识点 " + "或".join(_topic_title(v) for v in values))
        elif key == "category":
            words.append("或".join(CATEGORIES.get(v, v) for v in values))
        elif key == "domain":
            words.append("或".join(values) + "领域")
        else:
            words.append("或".join(TYPES.get(v, v) for v in values))
    return " ".join(words)


def _topic_title(topic: str) -> str:
    try:
        from questionbank.taxonomy import default_taxonomy

        t = default_taxonomy().topics.get(topic)
    except Exception:  # the taxonomy is a nicety for the message only
        t = None
    return f"「{t.title}」" if t else topic


def _type(value: Any) -> str:
    text = str(value or "").strip()
    names = {v: k for k, v in TYPES.items()}
    names.update({"单选题": "single", "多选题": "multiple", "判断题": "judge", "案例分析题": "case", "案例": "case"})
    return names.get(text, text)


def _category(value: str) -> str:
    return {v: k for k, v in CATEGORIES.items()}.get(value, value)


def _target(r: "_Reader", raw: dict, where: str) -> DifficultyTarget | None:
    mean = r.number(raw, "mean", "平均难度", where=f"{where}.mean")
    tolerance = r.number(raw, "tolerance", "允许偏差", required=False, default=0.5, allow_zero=True,
                         where=f"{where}.tolerance")
    if mean is not None and not 1 <= mean <= 5:
        r.bad(f"{where}.mean", f"平均难度应在 1–5 之间，实际为 {mean:g}")
        return None
    if mean is None or tolerance is None:
        return None
    return DifficultyTarget(float(mean), float(tolerance))


class _Reader:
    def __init__(self) -> None:
        self.problems: list[str] = []

    def bad(self, where: str, message: str) -> None:
        self.problems.append(f"{where}：{message}" if where else message)

    def unknown(self, raw: dict, allowed: set[str], where: str) -> None:
        for key in raw:
            if key not in allowed:
                near = f"（可用：{'、'.join(sorted(allowed))}）"
                self.bad(f"{where}.{key}" if where else str(key), f"未知字段（拼写错误？）{near}")

    def number(self, raw: dict, key: str, label: str, integer: bool = False, required: bool = True,
               default: Any = None, allow_zero: bool = False, where: str | None = None) -> Any:
        where = where or key
        value = raw.get(key)
        if value is None:
            if required:
                self.bad(where, f"{label}必填")
            return default
        if isinstance(value, bool) or not isinstance(value, (int, float)):
            self.bad(where, f"{label}应为数字，实际为 {value!r}")
            return default
        if value < 0 or (value == 0 and not allow_zero):
            self.bad(where, f"{label}应为{'非负数' if allow_zero else '正数'}，实际为 {value!r}")
            return default
        if integer and not float(value).is_integer():
            self.bad(where, f"{label}应为整数，实际为 {value!r}")
            return default
        return int(value) if integer else float(value)

