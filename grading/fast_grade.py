"""The fast path: grading every submission of an exam in one process (``grade_exam``).

Two paths grade an exam and write the same gradebook (tests/grading/test_grade.py compares them):

* nbgrader's own ``Autograde`` with ``ScoreAnswers`` in place of ``Execute`` (grading/autograde.py): the reference,
  one nbconvert run per notebook and one database transaction per cell — about a second a submission;
* this module, the fast one: the same steps on plain JSON, without nbconvert's per-notebook machinery, a kernel, or
  a transaction per cell — a few milliseconds a submission (bench/exam_grading.py measures both).

Per submission, nbgrader's steps and where they are here:

* read each submitted notebook once (plain JSON) and sanitize it as nbgrader's sanitize_preprocessors do
  (grading/sanitize.py: ClearOutput, DeduplicateIds, OverwriteKernelspec, OverwriteCells, CheckCellMetadata):
  locked cells restored from the source (the gradebook's source cells), points restored, edited nbgrader metadata
  refused; a deleted question cell is put back from the source;
* score the grade cells ``q-*`` from ``answers.json`` against the bank's keys (``ScoreAnswers``'s
  ``score_cells``, never executing anything) and read the points back as nbgrader's ``determine_grade`` does
  (grading/cells.py);
* write the same gradebook rows SaveAutoGrades / AssignLatePenalties write (grading/gradebook.py: Student,
  SubmittedAssignment, SubmittedNotebook, Grade.auto_score / needs_manual_grade, Comment.auto_comment), many
  submissions per transaction, and the autograded notebooks in ``autograded/<student>/<assignment>/`` for formgrader
  and feedback, as ``Autograde.init_assignment`` and its writer leave them.

A submission that cannot be graded is refused with a Chinese reason (in the summary and the log); its autograded
scores are cleared (``auto_score`` None, needs manual grading) so that no stale score stays behind.
"""

from __future__ import annotations

import json
import logging
import os
import shutil
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Iterable

from grading.autograde import ExamKey, GradingError, find_paper, load_exam_key, read_answers, score_cells
from grading.build import course_config
from grading.cells import compute_checksum, determine_grade, nbgrader_meta
from grading.gradebook import GradebookWriter, GradedNotebook, SourceNotebook, load_source
from grading.sanitize import sanitize

log = logging.getLogger(__name__)

MAX_NOTEBOOK_BYTES = 64 * 1024 * 1024
BATCH = 200  # submissions per database transaction
NO_RESPONSE = "No response."  # nbgrader's own auto comment, shown in formgrader


@dataclass
class SubmissionResult:
    student: str
    score: float | None = None  # auto-graded points (None when refused)
    max_score: float = 0.0
    needs_manual: int = 0  # cells waiting for a human grader
    error: str | None = None  # Chinese reason when refused
    seconds: float = 0.0  # reading, checking, scoring and writing the files of this submission (not the database)


@dataclass
class GradeSummary:
    assignment: str
    results: list[SubmissionResult] = field(default_factory=list)
    seconds: float = 0.0

    @property
    def graded(self) -> list[SubmissionResult]:
        return [r for r in self.results if r.error is None]

    @property
    def refused(self) -> list[SubmissionResult]:
        return [r for r in self.results if r.error is not None]

    def text(self) -> str:
        lines = [f"{self.assignment}：评分 {len(self.graded)} 份，拒绝 {len(self.refused)} 份，用时 {self.seconds:.1f} 秒"]
        lines += [f"  拒绝 {r.student}：{r.error}" for r in self.refused]
        return "\n".join(lines)


# --- one notebook -------------------------------------------------------------------------------------------


def grade_notebook(path: Path, source: SourceNotebook, key: ExamKey, answers: dict[str, Any]) -> GradedNotebook:
    """Read, sanitize and score one submitted notebook (nothing is executed)."""
    nb = _read_notebook(path)
    cells = sanitize(nb, source)
    score_cells(cells, key, answers)
    grades: dict[str, float | None] = {}
    comments: dict[str, str | None] = {}
    for cell in cells:
        meta = nbgrader_meta(cell)
        if not meta or "grade_id" not in meta:
            continue
        gid = meta["grade_id"]
        if meta.get("grade"):
            grades[gid] = determine_grade(cell)
        if meta.get("solution") or meta.get("task"):
            same = meta.get("checksum") == compute_checksum(cell)
            comments[gid] = NO_RESPONSE if same and not meta.get("task") else None
    nb["cells"] = cells
    return GradedNotebook(source.name, grades, comments, cells, nb)


def _read_notebook(path: Path) -> Any:
    """A submitted notebook as plain JSON, refused when missing, too large or not JSON."""
    try:
        size = path.stat().st_size
    except FileNotFoundError:
        raise GradingError(f"提交中没有 {path.name}") from None
    if size > MAX_NOTEBOOK_BYTES:
        raise GradingError(f"试卷文件 {path.name} 过大（{size / 1048576:.1f} MB，上限 "
                           f"{MAX_NOTEBOOK_BYTES / 1048576:.1f} MB），拒绝评分")
    try:
        return json.loads(path.read_bytes())
    except (ValueError, UnicodeDecodeError, RecursionError):
        raise GradingError(f"试卷文件 {path.name} 已损坏（不是有效的 JSON），无法评分") from None


# --- the whole exam -----------------------------------------------------------------------------------------


@dataclass
class ExamSetup:
    """What every submission of one exam is graded against: nbgrader's course folders, the key, the source."""

    coursedir: Any
    assignment: str
    key: ExamKey
    notebooks: list[SourceNotebook]
    source_dir: str
    source_files: list[str]

    def folders(self, student: str) -> tuple[Path, Path]:
        """submitted/<student>/<assignment> and autograded/<student>/<assignment>."""
        c = self.coursedir
        return (Path(c.format_path(c.submitted_directory, student, self.assignment)),
                Path(c.format_path(c.autograded_directory, student, self.assignment)))


def grade_exam(course_root: str | Path, assignment: str, students: Iterable[str] | None = None,
               progress: bool = True, paper: str | Path | None = None, bank: list[str] | None = None) -> GradeSummary:
    """Grade every submission of ``assignment`` (or only ``students``) in ``submitted/``; re-grading is safe.

    ``paper`` defaults to the paper file found beside the course (see ``grading.autograde.find_paper``);
    ``bank`` to the shipped bank.
    """
    from nbgrader.api import Gradebook
    from nbgrader.coursedir import CourseDirectory
    from nbgrader.utils import find_all_files

    started = time.perf_counter()
    coursedir = CourseDirectory(config=course_config(course_root))
    key = load_exam_key(paper or find_paper(Path(coursedir.root), assignment), assignment, bank)
    summary = GradeSummary(assignment)
    wanted = sorted(students) if students is not None else _submitted_students(coursedir, assignment)

    gb = Gradebook(coursedir.db_url, coursedir.course_id)
    try:
        asg, notebooks = load_source(gb, coursedir, assignment)
        source_dir = coursedir.format_path(coursedir.source_directory, ".", assignment)
        exam = ExamSetup(coursedir, assignment, key, notebooks, source_dir,
                         list(find_all_files(source_dir, coursedir.ignore + ["*.ipynb"])))
        writer = GradebookWriter(gb, asg, notebooks)
        bar = _progress(wanted, progress, assignment)
        for start in range(0, len(wanted), BATCH):
            rows = []
            for student in wanted[start: start + BATCH]:
                result, timestamp, graded = grade_submission(exam, student)
                rows.append((student, timestamp, graded))
                summary.results.append(result)
                bar.update(1)
            writer.write(rows)
        bar.close()
    finally:
        gb.close()
    summary.seconds = time.perf_counter() - started
    return summary


def _submitted_students(coursedir, assignment: str) -> list[str]:
    """The officers with a folder for ``assignment`` in submitted/, sorted."""
    submitted = Path(coursedir.format_path(coursedir.submitted_directory, ".", "."))
    if not submitted.is_dir():
        return []
    return sorted(p.name for p in submitted.iterdir() if (p / assignment).is_dir())


def grade_submission(exam: ExamSetup, student: str) -> tuple[SubmissionResult, Any, list[GradedNotebook]]:
    """One officer's submission: its result, its timestamp and its graded notebooks (none when refused, and then
    its autograded folder is removed)."""
    from nbgrader.utils import parse_utc

    src, dest = exam.folders(student)
    result = SubmissionResult(student)
    tick = time.perf_counter()
    graded: list[GradedNotebook] = []
    timestamp = None
    try:
        if not src.is_dir():
            raise GradingError(f"没有 {student} 的提交（{src}）")
        timestamp = _timestamp(src, parse_utc)
        answers = read_answers(src, student, exam.key)
        for notebook in exam.notebooks:
            graded.append(grade_notebook(src / f"{notebook.name}.ipynb", notebook, exam.key, answers))
        _write_autograded(src, dest, exam.source_dir, exam.source_files, graded, exam.coursedir)
        result.score = sum(s or 0 for g in graded for s in g.grades.values())
        result.needs_manual = sum(1 for g in graded for s in g.grades.values() if s is None)
    except GradingError as exc:
        result.error = str(exc)
        graded = []
        if dest.exists():
            _rmtree(dest)
        log.error("拒绝评分 %s/%s：%s", student, exam.assignment, exc)
    result.max_score = sum(p for notebook in exam.notebooks for _, p in notebook.grade_cells.values())
    result.seconds = time.perf_counter() - tick
    return result, timestamp, graded


def _timestamp(src: Path, parse_utc):
    path = src / "timestamp.txt"
    if not path.exists():
        return None
    text = path.read_text(encoding="utf-8", errors="replace").strip()
    if not text:
        return None
    try:
        return parse_utc(text)
    except (ValueError, OverflowError):
        raise GradingError(f"提交时间文件无效：{path}") from None


def _progress(items: list, enabled: bool, assignment: str):
    from tqdm.auto import tqdm

    return tqdm(total=len(items), desc=f"评分 {assignment}", unit="份", disable=not enabled)


def _rmtree(path: Path) -> None:
    for dirname, _dirs, files in os.walk(path):
        os.chmod(dirname, 0o755)
        for name in files:
            try:
                os.chmod(os.path.join(dirname, name), 0o644)
            except OSError:
                pass
    shutil.rmtree(path)


def _write_autograded(src: Path, dest: Path, source_dir: str, source_files: list[str], graded: list[GradedNotebook],
                      coursedir) -> None:
    """autograded/<student>/<assignment>/ as nbgrader leaves it: submitted files, source files, graded notebooks."""
    from nbgrader.utils import find_all_files

    if dest.exists():
        _rmtree(dest)
    dest.mkdir(parents=True)
    copies = [(f, dest / os.path.relpath(f, src)) for f in find_all_files(str(src), coursedir.ignore + ["*.ipynb"])]
    copies += [(f, dest / os.path.relpath(f, source_dir)) for f in source_files]
    for origin, target in copies:
        target.parent.mkdir(parents=True, exist_ok=True)
        if target.exists():
            target.unlink()
        shutil.copyfile(origin, target)
    for g in graded:
        # compact: json's C encoder (indent=1 as nbformat writes takes the slow pure-Python one)
        text = json.dumps(_split_lines(g.nb), sort_keys=True, ensure_ascii=False) + "\n"
        (dest / f"{g.notebook}.ipynb").write_text(text, encoding="utf-8")
    permissions = 0o664 if coursedir.groupshared else 0o444
    for dirname, _dirs, files in os.walk(dest):
        for name in files:
            os.chmod(os.path.join(dirname, name), permissions)


def _split_lines(nb: dict) -> dict:
    """Multi-line texts as lists of lines, as nbformat writes a notebook file."""
    for cell in nb["cells"]:
        if isinstance(cell.get("source"), str):
            cell["source"] = cell["source"].splitlines(True)
        for output in cell.get("outputs", ()):
            for mime, value in output.get("data", {}).items():
                if isinstance(value, str) and (mime.startswith("text/") or mime == "image/svg+xml"):
                    output["data"][mime] = value.splitlines(True)
    return nb
