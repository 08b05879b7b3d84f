"""Assembling the parallel forms of a paper from a blueprint: one 0-1 program for all forms (HiGHS via SciPy).

Kept whole on purpose (~550 lines): it is one integer program whose shared state every step reads (see "Why one
module" at the end of this docstring).

Variables: ``x[i, f] = 1`` when candidate question ``i`` is in form ``f``. A candidate is a question of the type
of one of the blueprint's sections that may be used (已审核 unless the blueprint says otherwise, never 停用,
not excluded). Constraints, for every form:

- each section holds exactly ``count`` questions of its type;
- every count constraint (law / topic / category / domain, optionally per type) is between its min and max;
- the mean difficulty of the form (and of a section, when the section sets one) is within target ± tolerance;
- at most ``max_per_form`` questions used in the last N exams (0: none);
- across forms: a question is in at most ``usage_cap`` forms; with ``max_overlap`` L > 0 and questions allowed
  in several forms, any two forms share at most L questions (``y[i,f,g] ≥ x[i,f] + x[i,g] − 1``,
  ``Σ_i y[i,f,g] ≤ L``, y continuous in [0, 1]: integral wherever x is). With L = 0 the per-question cap of one form
  replaces all pair variables, which keeps the large case small.

Balance between forms (several forms). Balancing against a mean over the forms (deviation variables tied to a
shared mean) is correct but hopeless for HiGHS at 10 × 100 from 5,000 (no solution in 60 s: the forms are
interchangeable, so the relaxation is symmetric and useless for branching). Instead the common targets are taken
from the LP relaxation with seeded random costs, averaged over the forms (it meets every constraint on average),
and the 0-1 program requires every form to lie in a band around them: the difficulty sum of each section within
±1 of its target, the count of each topic between the floor and the ceiling of its target (so topic counts differ
by at most 1 between forms, mean difficulties by about 2/section size). The bands widen (±1, ±3) when they
cannot be met, and as a last resort the forms are assembled without balance. The balanced program has no
objective (first feasible point: 1 s for 10 × 100 from 5,000); the seed enters through the random costs of the
relaxation, so different seeds give different papers and the same seed the same paper. Without balance (one
form, or the last resort) the objective is the seeded random cost.

Before solving, every constraint is checked against the supply; a short supply raises ``InfeasibleBlueprint``
naming it ("行政强制法 多选 需要 5 题，已审核的只有 3 题"). When HiGHS still finds the program infeasible, the
constraint groups are dropped one at a time (a deletion filter) to find a smallest set that cannot hold
together, and that set is named.

Why one module of ~550 lines: it is one integer program. ``_Problem`` holds the candidates, the matrix rows and the
targets that building the model, the pre-check, the balance bands, the solve and the explanation of infeasibility
all read; split across modules, that state would have to travel between them. The public part (``assemble``,
``check_paper``, ``AssemblyReport``) is the first 200 lines.
"""

from __future__ import annotations

import math
import secrets
import time
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

import numpy as np
from scipy.optimize import Bounds, LinearConstraint, milp
from scipy.sparse import coo_array

from grading.blueprint import MAX_FORMS, Blueprint, HistoryRule, difficulty_from_p, load_blueprint
from grading.paper import Form, Paper, Section

FORM_NAMES = "ABCDEFGHIJKLMNOPQRSTUVWXYZ"


class InfeasibleBlueprint(ValueError):
    """The bank cannot give what the blueprint asks; ``reasons`` are Chinese sentences naming each constraint."""

    def __init__(self, reasons: Sequence[str], header: str = "无法按蓝图组卷"):
        self.reasons = list(reasons)
        super().__init__(f"{header}：\n" + "\n".join(f"  - {r}" for r in self.reasons))


class AssemblyTimeout(RuntimeError):
    pass


@dataclass
class AssemblyReport:
    """How the last solve went (``assemble(..., report=AssemblyReport())`` fills it in)."""

    candidates: int = 0
    variables: int = 0
    rows: int = 0
    seconds: float = 0.0
    status: str = ""
    objective: float = 0.0
    spread: dict[str, float] = field(default_factory=dict)


def assemble(blueprint: Blueprint, bank_questions: Iterable[Any], forms: int | None = None, seed: int | None = None,
             history_papers: Sequence[Paper] = (), item_stats: Mapping[str, Any] | None = None,
             report: AssemblyReport | None = None) -> Paper:
    """Assemble ``forms`` parallel forms (the blueprint's number by default) meeting every constraint.

    ``history_papers``: earlier papers (oldest first); the blueprint's history rule applies to the last N of them
    (without a history rule in the blueprint, every question they hold is excluded). ``item_stats``: measured
    statistics by question id, objects or mappings with ``p`` and ``n`` (see ``grading.item_stats``), used for
    difficulty when the blueprint says ``measured: true``.
    """
    k = int(forms or blueprint.forms)
    if not 1 <= k <= MAX_FORMS:
        raise ValueError(f"平行卷套数应在 1–{MAX_FORMS} 之间，实际为 {k}")
    if seed is None:
        seed = secrets.randbelow(2**31)
    started = time.perf_counter()
    problem = _Problem.build(blueprint, list(bank_questions), k, seed, list(history_papers), item_stats)
    problem.precheck()
    res = problem.assemble()
    if res.status == 2:
        raise InfeasibleBlueprint(problem.explain_infeasible(), header="无法按蓝图组卷，以下约束不能同时满足")
    if res.x is None:
        raise AssemblyTimeout(f"在 {blueprint.time_limit:g} 秒内未找到满足蓝图的组卷方案"
                              f"（求解器状态：{res.message}）；可在蓝图 solver.time_limit 中放宽时限")
    chosen = res.x[: problem.n * k].reshape(k, problem.n) > 0.5
    paper = problem.paper(chosen)
    if report is not None:
        report.candidates, report.variables, report.rows = problem.n, problem.last_shape[1], problem.last_shape[0]
        report.seconds = time.perf_counter() - started
        report.status = str(res.message)
        report.objective = float(res.fun)
        report.spread = problem.spread(chosen)
    return paper


def assemble_file(blueprint_path: str | Path, forms: int | None = None, seed: int | None = None,
                  bank_paths: list[Path] | None = None, stats_path: Path | None = None,
                  report: AssemblyReport | None = None) -> Paper:
    """Everything ``academy exam assemble`` needs: the blueprint file, the bank, its history and item statistics."""
    from grading.item_stats import load_item_stats
    from questionbank.loading import load_bank

    blueprint = load_blueprint(blueprint_path)
    bank = load_bank(bank_paths)
    stats = load_item_stats(stats_path).pooled() if blueprint.measured_difficulty else None
    return assemble(blueprint, bank.questions, forms=forms, seed=seed, history_papers=blueprint.history_papers(),
                    item_stats=stats, report=report)


def check_paper(blueprint: Blueprint, paper: Paper, bank_questions: Iterable[Any],
                history_papers: Sequence[Paper] = (), item_stats: Mapping[str, Any] | None = None) -> list[str]:
    """Every way the paper breaks the blueprint (empty when it keeps it), checked directly, without the solver."""
    by_id = {q.id: q for q in bank_questions}
    problems: list[str] = []
    rule = _history_rule(blueprint, history_papers)
    used = _used(history_papers, rule)
    diff = _difficulty_function(blueprint, item_stats)
    cap = blueprint.usage_cap(len(paper.forms))
    usage: dict[str, int] = {}
    for form in paper.forms:
        qs = []
        for spec in blueprint.sections:
            section = form.section(spec.id)
            if len(section.questions) != spec.count or section.points != spec.points:
                problems.append(f"{form.form} 卷 {spec.title} 应为 {spec.count} 题 × {spec.points:g} 分")
            sq = [by_id[qid] for qid in section.questions]
            for q in sq:
                if q.type != spec.type:
                    problems.append(f"{form.form} 卷 {spec.title} 中 {q.id} 的题型为 {q.type}")
                if not q.usable(drafts=not blueprint.reviewed_only):
                    problems.append(f"{form.form} 卷用了未审核、停用或待复核的题 {q.id}")
                if q.id in blueprint.exclude:
                    problems.append(f"{form.form} 卷用了排除的题 {q.id}")
            if spec.difficulty and sq:
                mean = sum(diff(q) for q in sq) / len(sq)
                if not spec.difficulty.low - 1e-9 <= mean <= spec.difficulty.high + 1e-9:
                    problems.append(f"{form.form} 卷 {spec.title} 平均难度 {mean:.2f} 超出 {spec.difficulty.describe()}")
            qs.extend(sq)
        for c in blueprint.constraints:
            n = sum(c.matches(q) for q in qs)
            if (c.min is not None and n < c.min) or (c.max is not None and n > c.max):
                problems.append(f"{form.form} 卷 {c.describe()}，实际 {n} 题")
        if blueprint.difficulty and qs:
            mean = sum(diff(q) for q in qs) / len(qs)
            if not blueprint.difficulty.low - 1e-9 <= mean <= blueprint.difficulty.high + 1e-9:
                problems.append(f"{form.form} 卷平均难度 {mean:.2f} 超出 {blueprint.difficulty.describe()}")
        reused = sum(q.id in used for q in qs)
        if rule and reused > rule.max_per_form:
            problems.append(f"{form.form} 卷用了 {reused} 道近期考试用过的题（{rule.describe()}）")
        for q in qs:
            usage[q.id] = usage.get(q.id, 0) + 1
    problems += [f"{qid} 出现在 {n} 套中（至多 {cap} 套）" for qid, n in usage.items() if n > cap]
    sets = [set(f.question_ids()) for f in paper.forms]
    for a in range(len(sets)):
        for b in range(a + 1, len(sets)):
            shared = len(sets[a] & sets[b])
            if shared > blueprint.max_overlap:
                problems.append(f"{paper.forms[a].form} 卷与 {paper.forms[b].form} 卷共用 {shared} 题"
                                f"（至多 {blueprint.max_overlap} 题）")
    return problems


# --- the program -------------------------------------------------------------------------------------------------


def _history_rule(blueprint: Blueprint, papers: Sequence[Paper]) -> HistoryRule | None:
    if blueprint.history is not None:
        return blueprint.history
    if papers:
        return HistoryRule(Path("."), len(papers), 0)
    return None


def _used(papers: Sequence[Paper], rule: HistoryRule | None) -> set[str]:
    if rule is None or not papers:
        return set()
    used: set[str] = set()
    for paper in list(papers)[-rule.last:]:
        used |= paper.question_ids()
    return used


def _stat(stats: Mapping[str, Any], qid: str) -> tuple[float, int] | None:
    s = stats.get(qid)
    if s is None:
        return None
    if isinstance(s, Mapping):
        return float(s["p"]), int(s.get("n", 0))
    return float(s.p), int(getattr(s, "n", 0))


def _difficulty_function(blueprint: Blueprint, item_stats: Mapping[str, Any] | None):
    stats = item_stats if (blueprint.measured_difficulty and item_stats) else {}

    def value(q: Any) -> float:
        s = _stat(stats, q.id) if stats else None
        if s is not None and s[1] >= blueprint.min_responses:
            return difficulty_from_p(s[0])
        return float(q.difficulty)

    return value


@dataclass
class _Problem:
    blueprint: Blueprint
    k: int
    seed: int
    items: list[Any]
    section_of: np.ndarray  # section index per candidate
    difficulty: np.ndarray
    topic_of: np.ndarray
    topics: list[str]
    matches: list[np.ndarray]  # candidate indices per count constraint
    used: np.ndarray  # candidate indices used in recent exams
    rule: HistoryRule | None
    qualifier: str
    groups: dict[str, str] = field(default_factory=dict)  # group id -> Chinese description
    last_shape: tuple[int, int] = (0, 0)

    @property
    def n(self) -> int:
        return len(self.items)

    @classmethod
    def build(cls, bp: Blueprint, questions: list[Any], k: int, seed: int, history: list[Paper],
              item_stats: Mapping[str, Any] | None) -> "_Problem":
        rule = _history_rule(bp, history)
        used_ids = _used(history, rule)
        exclude_used = rule is not None and rule.max_per_form == 0
        types = {s.type: j for j, s in enumerate(bp.sections)}
        seen: set[str] = set()
        items: list[Any] = []
        for q in sorted(questions, key=lambda q: q.id):
            if q.id in seen or q.type not in types or q.id in bp.exclude or not q.usable(drafts=not bp.reviewed_only):
                continue
            if exclude_used and q.id in used_ids:
                continue
            seen.add(q.id)
            items.append(q)
        diff = _difficulty_function(bp, item_stats)
        topics = sorted({q.topic for q in items})
        topic_index = {t: j for j, t in enumerate(topics)}
        qualifier = "已审核" if bp.reviewed_only else "可用"
        if exclude_used and used_ids:
            qualifier += f"且近 {rule.last} 次考试未用过"
        problem = cls(
            blueprint=bp, k=k, seed=seed, items=items,
            section_of=np.array([types[q.type] for q in items], dtype=np.int64),
            difficulty=np.array([diff(q) for q in items], dtype=float),
            topic_of=np.array([topic_index[q.topic] for q in items], dtype=np.int64),
            topics=topics,
            matches=[np.array([i for i, q in enumerate(items) if c.matches(q)], dtype=np.int64)
                     for c in bp.constraints],
            used=np.array([i for i, q in enumerate(items) if q.id in used_ids], dtype=np.int64),
            rule=rule, qualifier=qualifier + "的",
        )
        for j, c in enumerate(bp.constraints):
            problem.groups[f"count:{j}"] = c.describe()
        if bp.difficulty:
            problem.groups["difficulty"] = f"每套{bp.difficulty.describe()}"
        for j, s in enumerate(bp.sections):
            if s.difficulty:
                problem.groups[f"difficulty:{j}"] = f"{s.title} {s.difficulty.describe()}"
        if k > 1:
            cap = bp.usage_cap(k)
            text = "各套不共用题目" if bp.max_overlap == 0 else f"任意两套至多共用 {bp.max_overlap} 题"
            if cap > 1 and cap < k:
                text += f"、每题至多用于 {cap} 套"
            problem.groups["overlap"] = text
        if rule is not None and rule.max_per_form > 0 and len(problem.used):
            problem.groups["history"] = rule.describe()
        return problem

    # -- supply checks ----------------------------------------------------------------------------------------

    def _need(self, per_form: int, cap: int) -> int:
        return max(per_form, math.ceil(per_form * self.k / cap))

    def _shortage(self, label: str, per_form: int, supply: int, cap: int) -> str | None:
        need = self._need(per_form, cap)
        if supply >= need:
            return None
        if need == per_form:
            return f"{label} 需要 {per_form} 题，{self.qualifier}只有 {supply} 题"
        spread = "且各套不得重复" if cap == 1 else f"且每题至多用于 {cap} 套"
        return f"{label} 每套需要 {per_form} 题，共 {self.k} 套{spread}，需要 {need} 题，{self.qualifier}只有 {supply} 题"

    def precheck(self) -> None:
        bp, reasons = self.blueprint, []
        cap = bp.usage_cap(self.k) if self.k > 1 else 1
        for j, s in enumerate(bp.sections):
            idx = np.flatnonzero(self.section_of == j)
            short = self._shortage(s.title, s.count, len(idx), cap)
            if short:
                reasons.append(short)
                continue
            if s.difficulty:
                reasons += self._difficulty_reach(s.title, s.difficulty, [(s.count, self.difficulty[idx])])
        for j, c in enumerate(bp.constraints):
            m = self.matches[j]
            if c.min:
                short = self._shortage(c.label, c.min, len(m), cap)
                if short:
                    reasons.append(short)
            if c.max is not None:
                for t, s in enumerate(bp.sections):
                    if c.type not in (None, s.type) or (c.type is None and len(bp.sections) > 1):
                        continue
                    others = int(np.sum(self.section_of == t)) - int(np.sum(self.section_of[m] == t))
                    if s.count - c.max > 0 and self._need(s.count - c.max, cap) > others:
                        reasons.append(f"{s.title} 每套 {s.count} 题，其中{c.label}至多 {c.max} 题，"
                                       f"其余{self.qualifier}题只有 {others} 题")
        if bp.difficulty and not reasons:
            blocks = [(s.count, self.difficulty[self.section_of == j]) for j, s in enumerate(bp.sections)]
            reasons += self._difficulty_reach("每套", bp.difficulty, blocks)
        if reasons:
            raise InfeasibleBlueprint(reasons)

    def _difficulty_reach(self, label: str, target, blocks) -> list[str]:
        total = sum(count for count, _ in blocks)
        easiest = sum(np.sort(d)[:count].sum() for count, d in blocks) / total
        hardest = sum(np.sort(d)[::-1][:count].sum() for count, d in blocks) / total
        if easiest > target.high + 1e-9:
            return [f"{label} {target.describe()}，但{self.qualifier}题中最容易的组合平均难度也有 {easiest:.2f}"]
        if hardest < target.low - 1e-9:
            return [f"{label} {target.describe()}，但{self.qualifier}题中最难的组合平均难度只有 {hardest:.2f}"]
        return []

    # -- the model ---------------------------------------------------------------------------------------------

    def model(self, groups: set[str], balance=None, random_cost: bool = False):
        bp, n, k = self.blueprint, self.n, self.k
        nx = n * k
        rows = _Rows()
        cap = bp.usage_cap(k) if "overlap" in groups else k
        overlap = "overlap" in groups and k > 1 and cap > 1 and bp.max_overlap < bp.items_per_form
        n_pairs = k * (k - 1) // 2 if overlap else 0
        ny = n * n_pairs
        x_of = lambda f, idx: f * n + idx  # noqa: E731
        # sections
        for f in range(k):
            for j, s in enumerate(bp.sections):
                rows.add(x_of(f, np.flatnonzero(self.section_of == j)), 1.0, s.count, s.count)
        # count constraints
        for j, c in enumerate(bp.constraints):
            if f"count:{j}" not in groups:
                continue
            for f in range(k):
                rows.add(x_of(f, self.matches[j]), 1.0, -np.inf if c.min is None else c.min,
                         np.inf if c.max is None else c.max)
        # difficulty
        if "difficulty" in groups:
            size = bp.items_per_form
            for f in range(k):
                rows.add(x_of(f, np.arange(n)), self.difficulty, bp.difficulty.low * size - 1e-9,
                         bp.difficulty.high * size + 1e-9)
        for j, s in enumerate(bp.sections):
            if f"difficulty:{j}" in groups:
                idx = np.flatnonzero(self.section_of == j)
                for f in range(k):
                    rows.add(x_of(f, idx), self.difficulty[idx], s.difficulty.low * s.count - 1e-9,
                             s.difficulty.high * s.count + 1e-9)
        # history
        if "history" in groups:
            for f in range(k):
                rows.add(x_of(f, self.used), 1.0, -np.inf, self.rule.max_per_form)
        # usage per question across forms
        if k > 1 and cap < k:
            item = np.arange(n)
            rows.block(np.repeat(item, k), np.tile(np.arange(k), n) * n + np.repeat(item, k), 1.0,
                       np.full(n, -np.inf), np.full(n, float(cap)))
        # pairwise overlap: y[p, i] >= x[i, f] + x[i, g] - 1, sum_i y[p, i] <= L
        if overlap:
            item = np.arange(n)
            for p, (f, g) in enumerate((f, g) for f in range(k) for g in range(f + 1, k)):
                y = nx + p * n + item
                rows.block(np.concatenate([item, item, item]),
                           np.concatenate([y, x_of(f, item), x_of(g, item)]),
                           np.concatenate([np.ones(n), -np.ones(n), -np.ones(n)]),
                           np.full(n, -1.0), np.full(n, np.inf))
                rows.add(y, 1.0, -np.inf, bp.max_overlap)
        nvar = nx + ny
        c = np.zeros(nvar)
        if random_cost:
            c[:nx] = self.random_costs()
        if balance is not None:  # every form within its band around the common target of each block
            for (idx, weight), (low, high) in zip(self.blocks(), balance):
                if len(idx) == 0:
                    continue
                for f in range(k):
                    rows.add(x_of(f, idx), weight[idx], low, high)
        integrality = np.concatenate([np.ones(nx), np.zeros(ny)])
        A, lo, hi = rows.matrix(nvar)
        self.last_shape = A.shape
        return c, integrality, Bounds(np.zeros(nvar), np.ones(nvar)), LinearConstraint(A, lo, hi)

    def random_costs(self) -> np.ndarray:
        return np.random.default_rng(self.seed).random(self.n * self.k)

    def blocks(self) -> list[tuple[np.ndarray, np.ndarray]]:
        """What the forms are balanced on: difficulty sum per section, count per topic."""
        ones = np.ones(self.n)
        return ([(np.flatnonzero(self.section_of == j), self.difficulty) for j in range(len(self.blueprint.sections))]
                + [(np.flatnonzero(self.topic_of == t), ones) for t in range(len(self.topics))])

    def targets(self, groups: set[str]) -> list[float] | None:
        """The common target of each balance block: the LP relaxation (seeded random costs) averaged over forms."""
        c, _integrality, bounds, constraint = self.model(groups, random_cost=True)
        res = milp(c, integrality=np.zeros_like(c), bounds=bounds, constraints=[constraint],
                   options={"time_limit": float(self.blueprint.time_limit), "presolve": False})
        if res.x is None:
            return None
        mean = res.x[: self.n * self.k].reshape(self.k, self.n).mean(axis=0)
        return [float(np.dot(w[idx], mean[idx])) for idx, w in self.blocks()]

    def bands(self, targets: list[float], widen: int) -> list[tuple[float, float]]:
        """Difficulty sums within ±(1 + 2·widen) of the target; topic counts between floor and ceil (± widen)."""
        out = []
        n_sections = len(self.blueprint.sections)
        for j, t in enumerate(targets):
            if j < n_sections:
                out.append((t - 1.0 - 2 * widen, t + 1.0 + 2 * widen))
            else:
                out.append((math.floor(t + 1e-6) - widen, math.ceil(t - 1e-6) + widen))
        return out

    def solve(self, groups: set[str], time_limit: float, mip_gap: float, balance=None, random_cost: bool = False):
        c, integrality, bounds, constraint = self.model(groups, balance=balance, random_cost=random_cost)
        return milp(c, integrality=integrality, bounds=bounds, constraints=[constraint],
                    options={"time_limit": float(time_limit), "mip_rel_gap": float(mip_gap), "presolve": False,
                             "disp": False})

    def assemble(self) -> Any:
        """Solve: balanced bands first, widened if they cannot be met, then without balance (random choice)."""
        bp, groups = self.blueprint, set(self.groups)
        deadline = time.perf_counter() + bp.time_limit
        if self.k > 1:
            targets = self.targets(groups)
            if targets is None:
                return self.solve(groups, max(1.0, deadline - time.perf_counter()), bp.mip_gap)
            for widen in (0, 1, 3):
                left = deadline - time.perf_counter()
                if left <= 0:
                    break
                res = self.solve(groups, left, 1.0, balance=self.bands(targets, widen))
                if res.x is not None:
                    return res
        return self.solve(groups, max(1.0, deadline - time.perf_counter()), bp.mip_gap, random_cost=True)

    def explain_infeasible(self) -> list[str]:
        """A smallest set of constraint groups that cannot hold together (deletion filter)."""
        limit = min(10.0, self.blueprint.time_limit)
        keep = set(self.groups)
        for g in list(self.groups):
            trial = keep - {g}
            res = self.solve(trial, time_limit=limit, mip_gap=1.0)
            if res.status == 2:  # still infeasible without g: g is not needed to explain it
                keep = trial
        names = [self.groups[g] for g in self.groups if g in keep]
        sections = "、".join(f"{s.title} {s.count} 题" for s in self.blueprint.sections)
        if not names:
            return [f"题库无法凑出每套 {sections}（{self.k} 套）"]
        return [f"每套 {sections}（共 {self.k} 套）"] + names

    # -- the result --------------------------------------------------------------------------------------------

    def paper(self, chosen: np.ndarray) -> Paper:
        bp = self.blueprint
        forms = []
        for f in range(self.k):
            sections = []
            for j, s in enumerate(bp.sections):
                idx = np.flatnonzero(chosen[f] & (self.section_of == j))
                sections.append(Section(s.id, s.title, s.type, s.points, sorted(self.items[i].id for i in idx)))
            forms.append(Form(FORM_NAMES[f], sections))
        return Paper(exam=bp.exam, title=bp.title, duration_minutes=bp.duration_minutes, total=bp.total,
                     pass_mark=bp.pass_mark, multiple_rule=bp.multiple_rule, seed=self.seed, forms=forms,
                     assembled_at=datetime.now(timezone.utc).replace(microsecond=0).isoformat())

    def spread(self, chosen: np.ndarray) -> dict[str, float]:
        """Largest minus smallest over the forms: mean difficulty, and count per topic (worst topic)."""
        means = [float(self.difficulty[chosen[f]].mean()) for f in range(self.k)]
        topic_gap = 0
        for t in range(len(self.topics)):
            counts = [int(np.sum(chosen[f] & (self.topic_of == t))) for f in range(self.k)]
            topic_gap = max(topic_gap, max(counts) - min(counts))
        return {"difficulty_mean": max(means) - min(means), "topic_count": float(topic_gap)}


class _Rows:
    """Rows of a sparse constraint matrix, gathered as COO pieces."""

    def __init__(self) -> None:
        self.r: list[np.ndarray] = []
        self.c: list[np.ndarray] = []
        self.v: list[np.ndarray] = []
        self.lo: list[np.ndarray] = []
        self.hi: list[np.ndarray] = []
        self.count = 0

    def add(self, cols, vals, lo: float, hi: float) -> None:
        cols = np.asarray(cols, dtype=np.int64)
        self.r.append(np.full(len(cols), self.count, dtype=np.int64))
        self.c.append(cols)
        self.v.append(np.broadcast_to(np.asarray(vals, dtype=float), cols.shape).copy())
        self.lo.append(np.array([lo], dtype=float))
        self.hi.append(np.array([hi], dtype=float))
        self.count += 1

    def block(self, local_rows, cols, vals, lo, hi) -> None:
        """Several rows at once: ``local_rows`` numbers them from 0; ``lo``/``hi`` per row."""
        cols = np.asarray(cols, dtype=np.int64)
        self.r.append(np.asarray(local_rows, dtype=np.int64) + self.count)
        self.c.append(cols)
        self.v.append(np.broadcast_to(np.asarray(vals, dtype=float), cols.shape).copy())
        self.lo.append(np.asarray(lo, dtype=float))
        self.hi.append(np.asarray(hi, dtype=float))
        self.count += len(lo)

    def matrix(self, ncols: int):
        if not self.r:
            return coo_array((1, ncols)).tocsr(), np.array([-np.inf]), np.array([np.inf])
        A = coo_array((np.concatenate(self.v), (np.concatenate(self.r), np.concatenate(self.c))),
                      shape=(self.count, ncols)).tocsr()
        return A, np.concatenate(self.lo), np.concatenate(self.hi)
