"""Item statistics of an exam: how hard each question was, how well it separated strong from weak officers, and
which options were chosen.

Input: one row per officer and question (``officer, question, points, max_points, chosen``; case parts as
``"<qid>/<part>"`` like the answers file) and, optionally, each officer's total score (default: the sum of the
officer's rows). For each question:

- ``p``: facility, the mean share of the points earned (0–1);
- ``point_biserial``: Pearson correlation of the question's points with the officer's score on the rest of the
  exam (total minus this question), i.e. the corrected point-biserial for a right/wrong question;
- ``discrimination``: p of the upper 27 % minus p of the lower 27 % of officers ranked by total score
  (group size ``max(1, round(0.27 N))``, ties broken by officer id);
- ``choices`` / ``upper_choices``: how often each option letter (正确/错误 for 判断, 未作答 for none) was chosen,
  by everyone and by the upper group;
- ``flags``: 太容易 (p > 0.9), 太难 (p < 0.2), 区分度低 (point-biserial < 0.1), 答案可能有误 (in the upper group
  a wrong option was chosen more often than the key; needs the keys).

Any valid JSON value may stand in ``chosen`` (the answers file is the officer's): what is not an option letter, a
list of letters or true/false is counted as 无效作答, never shown as it was given.

Which submissions count, and per form: statistics are computed per form (an officer is compared with the officers
who sat the same form, totals of the same form). ``academy exam analyze`` leaves out refused submissions and
officers who handed in two forms (grading/results.py ``form_responses``). The forms of one paper are linked: they
were assembled together from one blueprint for one sitting. An item is pooled across forms only when it is shared,
i.e. the same question id appears in more than one linked form; ``pooled()`` then weights its p by the number of
answers in each form (the only pooled figure; point-biserial and discrimination stay per form, because totals of
different forms are not on one scale).

Stored in the data folder (``ACADEMY_ITEM_STATS``, default ``<ACADEMY_HOME>/item_stats.json``; never in the source
tree or the bank's YAML), one entry per form (``record_forms``) or per exam (``record_exam``); ``pooled()`` is what
the blueprint's measured difficulty reads (grading/assembly.py, the same file).
"""

from __future__ import annotations

import json
import math
import warnings
from collections import Counter, defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import asdict, dataclass, field
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

from ground.files import write_text_atomic
from ground.settings import settings


def stats_path() -> Path:
    """ACADEMY_ITEM_STATS, default ``item_stats.json`` in the data folder."""
    return settings.item_stats_file


GROUP_SHARE = 0.27
TOO_EASY, TOO_HARD, LOW_DISCRIMINATION = 0.9, 0.2, 0.1
FLAG_EASY, FLAG_HARD, FLAG_LOW, FLAG_KEY = "太容易", "太难", "区分度低", "答案可能有误"
UNANSWERED = "未作答"
INVALID = "无效作答"
LETTERS = frozenset("ABCDEFGHIJKLMNOPQRSTUVWXYZ")
JUDGE_LABELS = {True: "正确", False: "错误"}
CHART_FONT = "WenQuanYi Micro Hei"


@dataclass(frozen=True)
class ResponseRow:
    officer: str
    question: str
    points: float
    max_points: float
    chosen: Any = None  # "B", ["A", "C"], True/False, None


@dataclass
class ItemStat:
    question: str
    n: int
    max_points: float
    p: float
    point_biserial: float | None
    discrimination: float | None
    upper_p: float | None
    lower_p: float | None
    choices: dict[str, int] = field(default_factory=dict)
    upper_choices: dict[str, int] = field(default_factory=dict)
    flags: list[str] = field(default_factory=list)
    exam: str = ""
    form: str = ""  # the form's assignment, when computed per form


def compute_item_stats(rows: Iterable[Any], totals: Mapping[str, float] | None = None,
                       keys: Mapping[str, Any] | None = None, exam: str = "", form: str = "") -> dict[str, ItemStat]:
    """Statistics per question id (see the module text). ``keys``: question id → key ("B", ("A", "C"), True)."""
    table = [_row(r) for r in _records(rows)]
    if totals is None:
        sums: dict[str, float] = defaultdict(float)
        for r in table:
            sums[r.officer] += r.points
        totals = dict(sums)
    totals = {str(k): float(v) for k, v in totals.items()}
    ranked = sorted(totals, key=lambda o: (-totals[o], o))
    size = max(1, round(GROUP_SHARE * len(ranked))) if ranked else 0
    upper, lower = set(ranked[:size]), set(ranked[len(ranked) - size:])
    by_question: dict[str, list[ResponseRow]] = defaultdict(list)
    for r in table:
        by_question[r.question].append(r)
    out = {}
    for qid in sorted(by_question):
        out[qid] = _item(qid, by_question[qid], totals, upper, lower, (keys or {}).get(qid), exam)
        out[qid].form = form
    return out


def _item(qid: str, rows: list[ResponseRow], totals: Mapping[str, float], upper: set[str], lower: set[str],
          key: Any, exam: str) -> ItemStat:
    max_points = max(r.max_points for r in rows)
    share = {r.officer: (r.points / r.max_points if r.max_points else 0.0) for r in rows}
    p = sum(share.values()) / len(rows)
    points = [r.points for r in rows]
    rest = [totals.get(r.officer, r.points) - r.points for r in rows]
    rpb = _pearson(points, rest)
    up = [share[o] for o in share if o in upper]
    low = [share[o] for o in share if o in lower]
    upper_p = sum(up) / len(up) if up else None
    lower_p = sum(low) / len(low) if low else None
    disc = upper_p - lower_p if up and low else None
    choices: Counter[str] = Counter()
    upper_choices: Counter[str] = Counter()
    for r in rows:
        picked = _choices(r.chosen)
        choices.update(picked)
        if r.officer in upper:
            upper_choices.update(picked)
    flags = []
    if p > TOO_EASY:
        flags.append(FLAG_EASY)
    if p < TOO_HARD:
        flags.append(FLAG_HARD)
    if rpb is not None and rpb < LOW_DISCRIMINATION:
        flags.append(FLAG_LOW)
    if key is not None and _key_suspect(key, upper_choices):
        flags.append(FLAG_KEY)
    return ItemStat(qid, len(rows), float(max_points), round(p, 6), _round(rpb), _round(disc), _round(upper_p),
                    _round(lower_p), dict(sorted(choices.items())), dict(sorted(upper_choices.items())), flags, exam)


def _key_suspect(key: Any, upper: Counter[str]) -> bool:
    if isinstance(key, bool):
        right, wrong = JUDGE_LABELS[key], JUDGE_LABELS[not key]
        return upper.get(wrong, 0) > upper.get(right, 0)
    letters = [key] if isinstance(key, str) else list(key)
    if not letters:
        return False
    least_key = min(upper.get(k, 0) for k in letters)
    return any(n > least_key for c, n in upper.items() if c not in letters and c not in (UNANSWERED, INVALID))


def _choices(chosen: Any) -> list[str]:
    """The labels counted for one response: option letters, 正确/错误, 未作答, or 无效作答 for anything else."""
    if chosen is None or (isinstance(chosen, (str, list, tuple)) and not chosen):
        return [UNANSWERED]
    if isinstance(chosen, bool):
        return [JUDGE_LABELS[chosen]]
    if isinstance(chosen, str):
        return [_letter(chosen)]
    if isinstance(chosen, (list, tuple, set, frozenset)):
        return sorted({_letter(c) for c in chosen})
    return [INVALID]


def _letter(value: Any) -> str:
    if isinstance(value, str) and len(value.strip()) == 1 and value.strip().upper() in LETTERS:
        return value.strip().upper()
    return INVALID


def _pearson(xs: list[float], ys: list[float]) -> float | None:
    n = len(xs)
    if n < 2:
        return None
    mx, my = sum(xs) / n, sum(ys) / n
    sxy = sum((x - mx) * (y - my) for x, y in zip(xs, ys))
    sxx = sum((x - mx) ** 2 for x in xs)
    syy = sum((y - my) ** 2 for y in ys)
    if sxx <= 0 or syy <= 0:
        return None
    return sxy / math.sqrt(sxx * syy)


def _round(x: float | None) -> float | None:
    return None if x is None else round(x, 6)


def _records(rows: Any) -> Iterable[Any]:
    if hasattr(rows, "to_dict") and hasattr(rows, "columns"):  # a pandas DataFrame
        return rows.to_dict("records")
    return rows


def _row(raw: Any) -> ResponseRow:
    if isinstance(raw, ResponseRow):
        return raw
    if isinstance(raw, Mapping):
        return ResponseRow(str(raw["officer"]), str(raw["question"]), float(raw["points"]),
                           float(raw["max_points"]), raw.get("chosen"))
    officer, question, points, max_points, *rest = raw
    return ResponseRow(str(officer), str(question), float(points), float(max_points), rest[0] if rest else None)


def keys_from_questions(questions: Iterable[Any]) -> dict[str, Any]:
    """The keys by answer id (``qid``, and ``qid/part`` for the objective parts of a case question)."""
    keys: dict[str, Any] = {}
    for q in questions:
        if q.type in ("single", "multiple", "judge") and q.answer is not None:
            keys[q.id] = q.answer
        for part in getattr(q, "parts", []) or []:
            if part.type in ("single", "multiple", "judge") and part.answer is not None:
                keys[f"{q.id}/{part.id}"] = part.answer
    return keys


# --- storage -----------------------------------------------------------------------------------------------------


@dataclass
class PooledStat:
    question: str
    p: float
    n: int
    exams: int


@dataclass
class ItemStatsStore:
    exams: dict[str, dict[str, ItemStat]] = field(default_factory=dict)
    updated_at: str = ""

    def add(self, exam: str, stats: Mapping[str, ItemStat]) -> None:
        """Put (or replace) the statistics of one exam."""
        self.exams[exam] = {qid: s for qid, s in stats.items()}
        self.updated_at = datetime.now(timezone.utc).replace(microsecond=0).isoformat()

    def add_forms(self, exam: str, forms: Mapping[str, Mapping[str, ItemStat]]) -> None:
        """Put (or replace) the statistics of every form of one exam, one entry per form; earlier entries of the
        exam (per form or the whole exam) are dropped."""
        for name in [n for n, stats in self.exams.items()
                     if n == exam or any(s.exam == exam for s in stats.values())]:
            del self.exams[name]
        for assignment, stats in forms.items():
            if stats:
                self.exams[assignment] = dict(stats)
        self.updated_at = datetime.now(timezone.utc).replace(microsecond=0).isoformat()

    def pooled(self) -> dict[str, PooledStat]:
        """p per question over every stored entry (exams, and the forms of an exam: a question shared by linked
        forms is pooled over them), weighted by the number of answers."""
        acc: dict[str, list[float]] = defaultdict(lambda: [0.0, 0, 0])
        for stats in self.exams.values():
            for qid, s in stats.items():
                a = acc[qid]
                a[0] += s.p * s.n
                a[1] += s.n
                a[2] += 1
        return {qid: PooledStat(qid, round(a[0] / a[1], 6) if a[1] else 0.0, int(a[1]), int(a[2]))
                for qid, a in sorted(acc.items())}

    def to_json(self) -> dict[str, Any]:
        return {"updated_at": self.updated_at,
                "exams": {e: {q: asdict(s) for q, s in stats.items()} for e, stats in sorted(self.exams.items())}}


def load_item_stats(path: str | Path | None = None) -> ItemStatsStore:
    """The stored statistics (an empty store when there is no file yet)."""
    path = Path(path or stats_path())
    if not path.exists():
        return ItemStatsStore()
    try:
        raw = json.loads(path.read_text(encoding="utf-8"))
        exams = {e: {q: ItemStat(**s) for q, s in stats.items()} for e, stats in raw.get("exams", {}).items()}
    except (ValueError, TypeError, AttributeError) as exc:
        raise ValueError(f"题目统计文件 {path} 无法读取：{exc}") from None
    return ItemStatsStore(exams, str(raw.get("updated_at") or ""))


def save_item_stats(store: ItemStatsStore, path: str | Path | None = None) -> Path:
    """Write the store atomically; returns the path."""
    return write_text_atomic(path or stats_path(), json.dumps(store.to_json(), ensure_ascii=False, indent=1) + "\n")


def record_forms(exam: str, forms: Mapping[str, Mapping[str, ItemStat]], path: str | Path | None = None) -> Path:
    """Store one exam's statistics per form (replacing an earlier run for the same exam)."""
    store = load_item_stats(path)
    store.add_forms(exam, forms)
    return save_item_stats(store, path)


def record_exam(exam: str, stats: Mapping[str, ItemStat], path: str | Path | None = None) -> Path:
    """Add one exam's statistics to the stored file (replacing an earlier run for the same exam)."""
    store = load_item_stats(path)
    store.add(exam, stats)
    return save_item_stats(store, path)


# --- chart -------------------------------------------------------------------------------------------------------


def plot_item_stats(stats: Mapping[str, ItemStat], path: str | Path, title: str = "") -> Path:
    """A PNG per exam: facility against point-biserial per question (flagged ones in red, labelled), and the
    distribution of p."""
    import matplotlib
    from matplotlib import font_manager
    from matplotlib.figure import Figure  # no pyplot: the backend of a running notebook is left alone

    rc: dict[str, Any] = {"axes.unicode_minus": False}
    if any(f.name == CHART_FONT for f in font_manager.fontManager.ttflist):
        rc["font.family"] = [CHART_FONT]
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    items = list(stats.values())
    with matplotlib.rc_context(rc), warnings.catch_warnings():
        warnings.simplefilter("ignore")  # missing CJK glyphs when no font was found: fall back silently
        fig = Figure(figsize=(12, 5))
        ax, hist = fig.subplots(1, 2, gridspec_kw={"width_ratios": [3, 2]})
        ok = [s for s in items if not s.flags and s.point_biserial is not None]
        bad = [s for s in items if s.flags]
        ax.scatter([s.p for s in ok], [s.point_biserial for s in ok], s=18, color="#3a7bd5", label="正常")
        ax.scatter([s.p for s in bad], [s.point_biserial or 0.0 for s in bad], s=24, color="#d9534f",
                   label="需复核")
        for s in bad[:40]:
            ax.annotate(f"{s.question}（{'、'.join(s.flags)}）", (s.p, s.point_biserial or 0.0), fontsize=7,
                        xytext=(3, 3), textcoords="offset points")
        for x in (TOO_HARD, TOO_EASY):
            ax.axvline(x, color="#999", linestyle="--", linewidth=0.8)
        ax.axhline(LOW_DISCRIMINATION, color="#999", linestyle="--", linewidth=0.8)
        ax.set_xlim(-0.02, 1.02)
        ax.set_xlabel("通过率 p")
        ax.set_ylabel("点二列相关（区分度）")
        ax.set_title("题目难度与区分度")
        ax.legend(loc="lower left")
        hist.hist([s.p for s in items], bins=10, range=(0, 1), color="#3a7bd5", edgecolor="white")
        hist.set_xlabel("通过率 p")
        hist.set_ylabel("题数")
        hist.set_title(f"通过率分布（{len(items)} 题，{len(bad)} 题需复核）")
        if title:
            fig.suptitle(title)
        fig.tight_layout()
        fig.savefig(path, dpi=120)
    return path
