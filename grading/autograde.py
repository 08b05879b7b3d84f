"""Scoring an exam submission from its answers file, in place of nbgrader's ``Execute`` step.

Nothing of the submission is ever executed: the officer's clicks are read from ``answers.json`` (plain JSON), scored
with ``questionbank.scoring.score`` against the keys of the bank on the administrator's side, and written into each
grade cell ``q-*`` as one ``execute_result`` holding the points earned, which nbgrader's ``SaveAutoGrades`` takes as
partial credit (``nbgrader.utils.determine_grade``).

Two ways to use it, giving the same gradebook:

* stock ``nbgrader autograde`` with :class:`ScoreAnswers` in place of ``Execute`` — see :func:`configure_autograde`
  and :data:`CONFIG_SNIPPET` (``nbgrader_config.py``), or :func:`run_nbgrader_autograde` in-process;
* ``grading.fast_grade.grade_exam``: every submission in one process, much faster.
"""

from __future__ import annotations

import math
import os
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Any

from nbformat.notebooknode import NotebookNode, from_dict
from nbgrader.preprocessors import (
    AssignLatePenalties,
    CheckCellMetadata,
    ClearOutput,
    DeduplicateIds,
    LimitOutput,
    NbGraderPreprocessor,
    OverwriteCells,
    OverwriteKernelspec,
    SaveAutoGrades,
)
from traitlets import List, Unicode

from grading.answers import parse_time
from grading.build import course_config
from grading.errors import GradingError
from grading.paper import Paper, case_part_points, load_paper
from grading.submission_files import SubmissionFolder, parse_json
from questionbank.loading import load_bank
from questionbank.scoring import score

ANSWERS_FILE = "answers.json"
MAX_ANSWERS_BYTES = 2_000_000  # a full 100-question answers file is ~5 kB

# --- the key: the administrator's side ---------------------------------------------------------------------


@dataclass(frozen=True)
class KeyItem:
    """One automatically graded cell: where its response is in answers.json and what it is scored against."""

    grade_id: str
    answer_key: str  # "qid" or "qid/partid"
    target: Any  # questionbank Question or Part (holds the key)
    points: float
    section: str


@dataclass(frozen=True)
class ManualItem:
    """One manually graded cell (an open part of a 案例分析 question)."""

    grade_id: str
    question: str
    part: str
    points: float
    section: str


@dataclass
class ExamKey:
    exam: str
    assignment: str
    title: str
    total: float
    pass_mark: float
    multiple_rule: str
    sections: list[tuple[str, str]]  # (id, title) in paper order
    duration_minutes: float = 0.0
    items: dict[str, KeyItem] = field(default_factory=dict)
    manual: dict[str, ManualItem] = field(default_factory=dict)
    # points text by (grade id, response): the responses to one question repeat across submissions
    _earned: dict[tuple, str] = field(default_factory=dict, repr=False, compare=False)

    def section_of(self, grade_id: str) -> str | None:
        item = self.items.get(grade_id) or self.manual.get(grade_id)
        return item.section if item else None

    def section_totals(self) -> dict[str, float]:
        out = {sid: 0.0 for sid, _ in self.sections}
        for item in list(self.items.values()) + list(self.manual.values()):
            out[item.section] += item.points
        return out

    def earned(self, grade_id: str, answers: dict[str, Any]) -> str:
        """The points earned in a grade cell, as the text written into its execute_result."""
        item = self.items[grade_id]
        response = answers.get(item.answer_key)
        memo = _response_key(grade_id, response)
        text = self._earned.get(memo) if memo is not None else None
        if text is None:
            text = points_text(item.points * score(item.target, response, self.multiple_rule).fraction)
            if memo is not None and len(self._earned) < MAX_REMEMBERED:
                self._earned[memo] = text
        return text


MAX_REMEMBERED = 100_000


def _response_key(grade_id: str, response: Any) -> tuple | None:
    """A key for a response read from JSON (None, a bool, a number, a short text or a list of short texts); None for
    anything else, which is scored every time. The type is part of the key (True == 1 == 1.0 in Python)."""
    kind = type(response)
    if response is None or kind in (bool, int, float) or (kind is str and len(response) <= 64):
        return grade_id, kind, response
    if kind is list and len(response) <= 16 and all(type(v) is str and len(v) <= 64 for v in response):
        return grade_id, list, tuple(response)
    return None


def points_text(points: float) -> str:
    """Points as written into an execute_result; ``float(text)`` is what nbgrader stores."""
    value = round(float(points), 6)
    if not math.isfinite(value) or value < 0:
        raise ValueError(f"invalid points {points!r}")
    return repr(value + 0.0)


def exam_key(paper: Paper, assignment: str, bank_paths: list[str] | tuple[str, ...] | None = None) -> ExamKey:
    """The scoring table of one form: every grade id of its notebook, its key and its points."""
    form = paper.form(assignment)
    questions = _bank(tuple(str(p) for p in bank_paths) if bank_paths else None)
    key = ExamKey(exam=paper.exam, assignment=form.assignment, title=paper.title, total=float(paper.total),
                  pass_mark=float(paper.pass_mark), multiple_rule=paper.multiple_rule,
                  sections=[(s.id, s.title) for s in form.sections], duration_minutes=float(paper.duration_minutes))
    missing = []
    for section in form.sections:
        for qid in section.questions:
            question = questions.get(qid)
            if question is None:
                missing.append(qid)
                continue
            if question.type == "case":
                for pid, (points, auto) in case_part_points(question, section.points).items():
                    part = next(p for p in question.parts if p.id == pid)
                    if auto:
                        gid = f"q-{qid}-{pid}"
                        key.items[gid] = KeyItem(gid, f"{qid}/{pid}", part, float(points), section.id)
                    else:
                        gid = f"case-{qid}-{pid}"
                        key.manual[gid] = ManualItem(gid, qid, pid, float(points), section.id)
            else:
                gid = f"q-{qid}"
                key.items[gid] = KeyItem(gid, qid, question, float(section.points), section.id)
    if missing:
        raise GradingError(f"题库中找不到试卷 {paper.exam} 的题目：{'、'.join(missing)}（题库与试卷不一致，无法评分）")
    return key


@lru_cache(maxsize=4)
def _bank(paths: tuple[str, ...] | None) -> dict[str, Any]:
    return load_bank([Path(p) for p in paths] if paths else None).by_id()


@lru_cache(maxsize=16)
def _cached_key(paper_path: str, mtime: float, assignment: str, bank: tuple[str, ...]) -> ExamKey:
    return exam_key(load_paper(paper_path), assignment, bank or None)


def load_exam_key(paper_path: str | Path, assignment: str, bank_paths: list[str] | None = None) -> ExamKey:
    path = Path(paper_path)
    try:
        mtime = path.stat().st_mtime
    except FileNotFoundError:
        raise GradingError(f"找不到试卷文件：{path}") from None
    return _cached_key(str(path.resolve()), mtime, assignment.lower(), tuple(str(p) for p in bank_paths or ()))


def find_paper(course_root: str | Path, assignment: str) -> Path:
    """The paper file of an assignment: a ``*.yaml`` in ``<course>/papers`` or ``<course>/../papers`` holding it."""
    root = Path(course_root)
    for folder in (root / "papers", root.parent / "papers", root):
        if not folder.is_dir():
            continue
        for path in sorted(folder.glob("*.yaml")):
            try:
                paper = load_paper(path)
                paper.form(assignment)
            except Exception:  # noqa: BLE001 - not this paper (or not a paper at all)
                continue
            return path
    raise GradingError(f"找不到 {assignment} 的试卷文件（在 {root / 'papers'} 或 {root.parent / 'papers'} 中），"
                       "请指定试卷文件")


# --- the answers file: the officer's side -----------------------------------------------------------------


@dataclass
class AnswerSheet:
    """What grading takes from ``answers.json``: the responses, and the 需核查 flags of its time fields."""

    answers: dict[str, Any] = field(default_factory=dict)
    flags: list[str] = field(default_factory=list)


def read_answer_sheet(folder: str | Path | SubmissionFolder, student: str, key: ExamKey) -> AnswerSheet:
    """The responses of ``answers.json`` in ``folder`` after checking whose and which exam's they are, with the
    flags of its time fields (:func:`time_flags`).

    The file is read defensively (grading/submission_files.py: no symlink followed, regular files only, bounded).
    A missing file means no click at all (every objective question unanswered). Anything else that is not a
    well-formed answers file of this officer for this exam is refused with a ``GradingError``.
    """
    if isinstance(folder, SubmissionFolder):
        raw = folder.read(ANSWERS_FILE, MAX_ANSWERS_BYTES, f"考生 {student} 的答案文件 {ANSWERS_FILE}")
    else:
        with SubmissionFolder(folder) as opened:
            raw = opened.read(ANSWERS_FILE, MAX_ANSWERS_BYTES, f"考生 {student} 的答案文件 {ANSWERS_FILE}")
    if raw is None:
        return AnswerSheet()
    data = parse_json(raw, f"考生 {student} 的答案文件")
    if not isinstance(data, dict) or not isinstance(data.get("answers", {}), dict):
        raise GradingError(f"考生 {student} 的答案文件格式无效（应为含 answers 的一组 字段: 值）")
    officer = data.get("officer")
    if type(officer) is not str or officer != student:
        raise GradingError(f"答案文件属于另一名考生（{_shown(officer)}），不是 {student}：拒绝评分")
    if data.get("exam") != key.exam:
        raise GradingError(f"考生 {student} 的答案文件属于另一场考试（{_shown(data.get('exam'))}），不是 {key.exam}：拒绝评分")
    if "assignment" in data and data["assignment"] != key.assignment:
        raise GradingError(f"考生 {student} 的答案文件属于另一套试卷（{_shown(data.get('assignment'))}），"
                           f"不是 {key.assignment}：拒绝评分")
    return AnswerSheet(data.get("answers", {}), time_flags(data, key.duration_minutes))


def read_answers(folder: str | Path | SubmissionFolder, student: str, key: ExamKey) -> dict[str, Any]:
    """The responses of ``answers.json`` (see :func:`read_answer_sheet`)."""
    return read_answer_sheet(folder, student, key).answers


def _shown(value: Any) -> str:
    """A value of the officer's file, safe to print (no lone surrogate, bounded)."""
    text = repr(value)
    text = text if len(text) <= 60 else text[:57] + "…"
    return text.encode("utf-8", "backslashreplace").decode("utf-8")


def time_flags(data: dict[str, Any], duration_minutes: float) -> list[str]:
    """需核查 reasons from the time fields of an answers file (the file-based flow, ``make run``).

    The file is written by the officer's own kernel, so grading can only flag, never prove: ``started_at`` or
    ``deadline`` missing or unreadable (deleting ``deadline`` gives a fresh clock); a deadline that is not
    ``started_at + duration`` of the paper (to the second); an answer recorded (``updated_at``) after the deadline.
    """
    started, deadline = parse_time(data.get("started_at")), parse_time(data.get("deadline"))
    own = data.get("duration_minutes")
    if data.get("source") == "学堂服务" and type(own) in (int, float) and 0 < own < 24 * 60:
        # written by collect from the service's record: the sitting's own length (the administrator may set --minutes).
        # A file-flow officer could write it too, but he could as well shift started_at: these checks only flag, the
        # site's clock (the 学堂服务) is where time is kept.
        duration_minutes = own
    flags = []
    if started is None or deadline is None:
        missing = "、".join(n for n, v in (("开考时间 started_at", started), ("截止时间 deadline", deadline)) if v is None)
        flags.append(f"答案文件缺少{missing}（可能被删改，计时无法核对）")
    elif duration_minutes and abs((deadline - started).total_seconds() - duration_minutes * 60) > 1:
        flags.append(f"答案文件的截止时间 {deadline.isoformat()} 不是开考时间 {started.isoformat()} 加考试时长 "
                     f"{duration_minutes:g} 分钟（可能被改动）")
    updated = parse_time(data.get("updated_at"))
    if deadline is not None and updated is not None and updated > deadline:
        late = (updated - deadline).total_seconds()
        flags.append(f"截止时间后仍有作答记录（最后一次记录 {updated.isoformat()}，晚于截止时间 {late:.0f} 秒）")
    return flags


# --- the nbgrader preprocessor ----------------------------------------------------------------------------


def _execute_result(text: str, node: bool) -> dict[str, Any]:
    out = {"output_type": "execute_result", "execution_count": None, "metadata": {}, "data": {"text/plain": text}}
    return from_dict(out) if node else out


def score_cells(cells: list, key: ExamKey, answers: dict[str, Any]) -> None:
    """Write the points earned into every automatically graded cell (``cells``: nbformat cells or dicts).

    Raises ``GradingError`` for a code grade cell that the key does not know, or whose points disagree with the
    paper: such a cell would otherwise get full credit from nbgrader (a code grade cell without output).
    """
    for cell in cells:
        meta = cell["metadata"].get("nbgrader") or {}
        if not meta.get("grade") or meta.get("solution") or cell["cell_type"] != "code":
            continue
        grade_id = meta.get("grade_id")
        item = key.items.get(grade_id)
        if item is None:
            raise GradingError(f"试卷 {key.assignment} 的评分单元格 {grade_id} 不在试卷中（试卷与题库/生成的作业不一致）")
        if abs(float(meta["points"]) - item.points) > 1e-6:
            raise GradingError(f"评分单元格 {grade_id} 的分值 {meta['points']} 与试卷规定的 {item.points} 不符"
                               "（请重新生成作业）")
        cell["outputs"] = [_execute_result(key.earned(grade_id, answers), isinstance(cell, NotebookNode))]
        cell["execution_count"] = None


class ScoreAnswers(NbGraderPreprocessor):
    """Scores the stored answers in place of ``Execute``; never runs a cell.

    Reads ``answers.json`` beside the notebook being graded, refuses it when it belongs to another officer or
    exam, and writes one numeric ``execute_result`` into every grade cell ``q-*``.
    """

    paper = Unicode("", help="The paper file (YAML); found in <course>/papers or <course>/../papers if empty.").tag(
        config=True)
    bank = List(Unicode(), [], help="Bank files or folders holding the keys (the shipped bank if empty).").tag(
        config=True)

    def preprocess(self, nb, resources):
        student = resources["nbgrader"]["student"]
        assignment = resources["nbgrader"]["assignment"]
        folder = resources.get("metadata", {}).get("path") or "."
        paper = self.paper or str(find_paper(_course_root(self), assignment))
        key = load_exam_key(paper, assignment, list(self.bank))
        try:
            answers = read_answers(folder, student, key)
            score_cells(nb.cells, key, answers)
        except GradingError as exc:
            self.log.error("%s", exc)
            raise
        return nb, resources


def _course_root(pp: NbGraderPreprocessor) -> str:
    parent = pp.parent
    while parent is not None:
        coursedir = getattr(parent, "coursedir", None)
        if coursedir is not None:
            return coursedir.root
        parent = getattr(parent, "parent", None)
    return os.getcwd()


# --- configuring nbgrader -----------------------------------------------------------------------------------

SANITIZE_PREPROCESSORS = [ClearOutput, DeduplicateIds, OverwriteKernelspec, OverwriteCells, CheckCellMetadata]
AUTOGRADE_PREPROCESSORS = [ScoreAnswers, LimitOutput, SaveAutoGrades, AssignLatePenalties, CheckCellMetadata]

CONFIG_SNIPPET = '''\
# Exams: score answers.json in place of executing the notebook (grading/autograde.py).
c.Autograde.sanitize_preprocessors = [
    "nbgrader.preprocessors.ClearOutput", "nbgrader.preprocessors.DeduplicateIds",
    "nbgrader.preprocessors.OverwriteKernelspec", "nbgrader.preprocessors.OverwriteCells",
    "nbgrader.preprocessors.CheckCellMetadata",
]
c.Autograde.autograde_preprocessors = [
    "grading.autograde.ScoreAnswers", "nbgrader.preprocessors.LimitOutput",
    "nbgrader.preprocessors.SaveAutoGrades", "nbgrader.preprocessors.AssignLatePenalties",
    "nbgrader.preprocessors.CheckCellMetadata",
]
c.OverwriteCells.add_missing_cells = True  # a deleted question cell is put back and scored from answers.json
# c.ScoreAnswers.paper = "../papers/cert-2026-q4.yaml"   # default: found in <course>/papers or ../papers
'''


def configure_autograde(config, paper: str | Path | None = None, bank: list[str] | None = None):
    """Set up nbgrader's Autograde on a traitlets ``Config``: sanitizing kept, ``Execute`` replaced."""
    config.Autograde.sanitize_preprocessors = list(SANITIZE_PREPROCESSORS)
    config.Autograde.autograde_preprocessors = list(AUTOGRADE_PREPROCESSORS)
    config.OverwriteCells.add_missing_cells = True
    if paper:
        config.ScoreAnswers.paper = str(paper)
    if bank:
        config.ScoreAnswers.bank = [str(b) for b in bank]
    return config


def run_nbgrader_autograde(course_root: str | Path, assignment: str, student: str | None = None,
                           paper: str | Path | None = None, bank: list[str] | None = None, force: bool = True):
    """nbgrader's own Autograde (the code ``nbgrader autograde`` runs), in this process, with ScoreAnswers.

    Returns the converter; raises nbgrader's ``NbGraderException`` when a submission failed.
    """
    from nbgrader.converters import Autograde
    from nbgrader.coursedir import CourseDirectory

    config = configure_autograde(course_config(course_root), paper, bank)
    config.CourseDirectory.assignment_id = assignment
    if student:
        config.CourseDirectory.student_id = student
    config.Autograde.force = force
    coursedir = CourseDirectory(config=config)
    converter = Autograde(coursedir=coursedir, config=config)
    converter.start()
    return converter
