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

Nothing of a submission is trusted: every file is opened by grading/submission_files.py (no symlink followed, regular
files only, bounded reads) and a submission has ``SUBMISSION_SECONDS`` of wall-clock time. Each submission is graded in
isolation: any failure refuses that one submission with a Chinese reason (``评分时出错：<type>`` for an unexpected one,
logged with its traceback), its autograded scores are cleared (``auto_score`` None, needs manual grading) so that no
stale score stays behind, and the batch goes on. The
refusals and the 需核查 flags of the answers file's times are kept in ``<course>/findings/<assignment>.json``
(grading/findings.py) for feedback, results, register and analysis. nbgrader's late-submission policy is applied as
stock ``AssignLatePenalties`` does (grading/gradebook.py).

Many submissions are read, scored and written to ``autograded/`` by forked worker processes (``workers``), while this
process writes the gradebook; ``grade_sitting`` grades every form of a paper and lists who is missing and who handed in
two forms.
"""

from __future__ import annotations

import json
import logging
import os
import re
import shutil
import signal
import stat
import threading
import time
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import datetime
from fnmatch import fnmatch
from pathlib import Path
from typing import Any, Iterable

import orjson

from grading.autograde import ExamKey, GradingError, find_paper, load_exam_key, read_answer_sheet, score_cells
from grading.build import course_config
from grading.cells import compute_checksum, determine_grade, nbgrader_meta
from grading.findings import update_findings
from grading.gradebook import GradebookWriter, GradedNotebook, SourceNotebook, load_source
from grading.sanitize import INVALID_TEXT, sanitize
from grading.submission_files import SubmissionFolder, copy_regular_files, parse_json

log = logging.getLogger(__name__)

MAX_NOTEBOOK_BYTES = 64 * 1024 * 1024
MAX_TIMESTAMP_BYTES = 1024
BATCH = 200  # submissions per database transaction
PARALLEL_FROM = 200  # submissions from which grading uses worker processes by default
CHUNK = 16  # submissions handed to a worker at a time
SUBMISSION_SECONDS = 60.0  # wall-clock limit of one submission (a 64 MB notebook takes a few seconds)
NO_RESPONSE = "No response."  # nbgrader's own auto comment, shown in formgrader


@dataclass
class SubmissionResult:
    student: str
    score: float | None = None  # auto-graded points (None when refused)
    max_score: float = 0.0
    needs_manual: int = 0  # cells waiting for a human grader
    error: str | None = None  # Chinese reason when refused
    flags: list[str] = field(default_factory=list)  # 需核查 reasons (graded all the same)
    seconds: float = 0.0  # reading, checking, scoring and writing the files of this submission (not the database)


@dataclass
class GradeSummary:
    assignment: str
    results: list[SubmissionResult] = field(default_factory=list)
    seconds: float = 0.0
    absent: list[str] = field(default_factory=list)  # officers asked for (``students``) without a submission here
    workers: int = 1

    @property
    def graded(self) -> list[SubmissionResult]:
        return [r for r in self.results if r.error is None]

    @property
    def refused(self) -> list[SubmissionResult]:
        return [r for r in self.results if r.error is not None]

    @property
    def flagged(self) -> list[SubmissionResult]:
        return [r for r in self.results if r.error is None and r.flags]

    def text(self) -> str:
        lines = [f"{self.assignment}：评分 {len(self.graded)} 份，拒绝 {len(self.refused)} 份，"
                 f"需核查 {len(self.flagged)} 份，用时 {self.seconds:.1f} 秒"]
        lines += [f"  拒绝 {r.student}：{r.error}" for r in self.refused]
        lines += [f"  需核查 {r.student}：{'；'.join(r.flags)}" for r in self.flagged]
        return "\n".join(lines)


# --- one notebook -------------------------------------------------------------------------------------------


def grade_notebook(folder: SubmissionFolder, source: SourceNotebook, key: ExamKey,
                   answers: dict[str, Any]) -> GradedNotebook:
    """Read, sanitize and score one submitted notebook of ``folder`` (nothing is executed)."""
    nb = _read_notebook(folder, f"{source.name}.ipynb")
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


def _read_notebook(folder: SubmissionFolder, name: str) -> Any:
    """A submitted notebook as plain JSON, refused when missing, not a regular file, too large or not JSON."""
    data = folder.read(name, MAX_NOTEBOOK_BYTES, f"试卷文件 {name}")
    if data is None:
        raise GradingError(f"提交中没有 {name}")
    return parse_json(data, f"试卷文件 {name}")


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
               progress: bool = True, paper: str | Path | None = None, bank: list[str] | None = None,
               workers: int | None = None) -> GradeSummary:
    """Grade every submission of ``assignment`` (or only those of ``students``) in ``submitted/``; re-grading is safe.

    Only officers with a submission folder for this assignment are graded: an officer named in ``students``
    without one is listed in ``summary.absent`` and nothing is written for him. Every submission is isolated: any
    failure refuses that one submission with a Chinese reason, the batch goes on. Refusals and 需核查 flags are kept
    in ``<course>/findings/<assignment>.json`` (grading/findings.py). nbgrader's late-submission policy is applied as
    its ``AssignLatePenalties`` does (the assignment's due date, the submission's timestamp.txt, the configured
    ``LateSubmissionPlugin``).

    ``workers``: processes reading and scoring the submissions (default: every CPU for 200 submissions or more,
    else this process); the gradebook is written by this process. ``paper`` defaults to the paper file found beside
    the course (see ``grading.autograde.find_paper``); ``bank`` to the shipped bank.
    """
    from nbgrader.api import Gradebook
    from nbgrader.coursedir import CourseDirectory
    from nbgrader.utils import find_all_files

    started = time.perf_counter()
    config = course_config(course_root)
    coursedir = CourseDirectory(config=config)
    key = load_exam_key(paper or find_paper(Path(coursedir.root), assignment), assignment, bank)
    summary = GradeSummary(assignment)
    present = _submitted_students(coursedir, assignment)
    if students is not None:
        asked = sorted(set(students))
        wanted = [s for s in asked if s in present]
        summary.absent = [s for s in asked if s not in present]
    else:
        wanted = sorted(present)

    gb = Gradebook(coursedir.db_url, coursedir.course_id)
    try:
        asg, notebooks = load_source(gb, coursedir, assignment)
        source_dir = coursedir.format_path(coursedir.source_directory, ".", assignment)
        exam = ExamSetup(coursedir, assignment, key, notebooks, source_dir,
                         list(find_all_files(source_dir, coursedir.ignore + ["*.ipynb"])))
        writer = GradebookWriter(gb, asg, notebooks, late_plugin(config))
        bar = _progress(wanted, progress, assignment)
        rows = []
        summary.workers = _workers(workers, len(wanted))
        for result, timestamp, graded in _grade_all(exam, wanted, summary.workers):
            rows.append((result.student, timestamp, graded))
            summary.results.append(result)
            bar.update(1)
            if len(rows) >= BATCH:
                writer.write(rows)
                rows = []
        if rows:
            writer.write(rows)
        bar.close()
    finally:
        gb.close()
    update_findings(coursedir.root, assignment, wanted, {r.student: r.error for r in summary.refused},
                    {r.student: r.flags for r in summary.graded})
    summary.seconds = time.perf_counter() - started
    return summary


def late_plugin(config):
    """The late-submission plugin nbgrader's ``AssignLatePenalties`` would use with this course's configuration."""
    from nbgrader.preprocessors import AssignLatePenalties

    assigner = AssignLatePenalties(config=config)
    assigner.init_plugin()
    return assigner.plugin_inst


def _submitted_students(coursedir, assignment: str) -> set[str]:
    """The officers with an entry named ``assignment`` in submitted/<officer>/ (of any kind: a symlink or a file
    there is refused when graded, never skipped silently)."""
    submitted = Path(coursedir.format_path(coursedir.submitted_directory, ".", "."))
    if not submitted.is_dir():
        return set()
    return {p.name for p in submitted.iterdir() if os.path.lexists(p / assignment)}


def _workers(workers: int | None, count: int) -> int:
    if workers is None:
        workers = (os.cpu_count() or 1) if count >= PARALLEL_FROM else 1
    return max(1, min(workers, count or 1))


_EXAM: ExamSetup | None = None  # the exam of the worker processes (inherited when they are forked)


def _grade_in_worker(student: str) -> tuple[SubmissionResult, Any, list[GradedNotebook]]:
    assert _EXAM is not None
    result, timestamp, graded = grade_submission(_EXAM, student)
    return result, timestamp, [GradedNotebook(g.notebook, g.grades, g.comments, [], {}) for g in graded]


def _grade_all(exam: ExamSetup, students: list[str], workers: int):
    """(result, timestamp, graded notebooks) of each officer, in order; in ``workers`` forked processes when more
    than one. A worker that dies takes no officer with it: what it left undone is graded in this process."""
    global _EXAM
    if workers <= 1:
        for student in students:
            yield grade_submission(exam, student)
        return
    import multiprocessing
    from concurrent.futures import ProcessPoolExecutor
    from concurrent.futures.process import BrokenProcessPool

    _EXAM = exam
    done = 0
    try:
        with ProcessPoolExecutor(workers, mp_context=multiprocessing.get_context("fork")) as pool:
            for item in pool.map(_grade_in_worker, students, chunksize=CHUNK):
                done += 1
                yield item
    except BrokenProcessPool:
        log.error("评分子进程意外退出，其余 %d 份在主进程中评分", len(students) - done)
        for student in students[done:]:
            yield grade_submission(exam, student)
    finally:
        _EXAM = None


def grade_submission(exam: ExamSetup, student: str) -> tuple[SubmissionResult, Any, list[GradedNotebook]]:
    """One officer's submission: its result, its timestamp and its graded notebooks (none when refused, and then
    its autograded folder is removed). Never raises: any failure is a refusal with its reason."""
    src, dest = exam.folders(student)
    result = SubmissionResult(student)
    tick = time.perf_counter()
    graded: list[GradedNotebook] = []
    timestamp = None
    try:
        with _time_limit():
            if not stat.S_ISDIR(os.lstat(src.parent).st_mode):
                raise GradingError(f"submitted/{student} 是符号链接或不是文件夹，拒绝评分")
            with SubmissionFolder(src) as folder:
                timestamp = _timestamp(folder)
                sheet = read_answer_sheet(folder, student, exam.key)
                for notebook in exam.notebooks:
                    graded.append(grade_notebook(folder, notebook, exam.key, sheet.answers))
                _write_autograded(folder, dest, exam.source_dir, exam.source_files, graded, exam.coursedir)
            result.score = sum(s or 0 for g in graded for s in g.grades.values())
            result.needs_manual = sum(1 for g in graded for s in g.grades.values() if s is None)
            result.flags = sheet.flags
    except Exception as exc:  # noqa: BLE001 - one submission never stops the batch
        if isinstance(exc, (GradingError, UnicodeError)):
            result.error = str(exc) if isinstance(exc, GradingError) else INVALID_TEXT
            log.error("拒绝评分 %s/%s：%s", student, exam.assignment, result.error)
        else:
            result.error = f"评分时出错：{type(exc).__name__}"
            log.exception("评分 %s/%s 时出错", student, exam.assignment)
        graded, timestamp = [], None
        try:
            if os.path.lexists(dest):
                _rmtree(dest)
        except OSError:
            log.exception("无法删除 %s", dest)
    result.max_score = sum(p for notebook in exam.notebooks for _, p in notebook.grade_cells.values())
    result.seconds = time.perf_counter() - tick
    return result, timestamp, graded


@contextmanager
def _time_limit():
    """Refuses the submission being graded when it takes longer than ``SUBMISSION_SECONDS`` of wall-clock time
    (a timer signal interrupts even a blocked read). Only in a process's main thread (a worker process, or the
    command); elsewhere no timer is set. A timer set by someone else is put back afterwards."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return

    def time_up(_signum, _frame):
        raise GradingError(f"评分超时（超过 {SUBMISSION_SECONDS:g} 秒），拒绝评分")

    previous = signal.signal(signal.SIGALRM, time_up)
    started = time.monotonic()
    delay, interval = signal.setitimer(signal.ITIMER_REAL, SUBMISSION_SECONDS)
    try:
        yield
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)
        if delay:
            signal.setitimer(signal.ITIMER_REAL, max(delay - (time.monotonic() - started), 0.001), interval)


_NBGRADER_TIMESTAMP = re.compile(r"\d{4}-\d\d-\d\d \d\d:\d\d:\d\d(\.\d{6})? UTC\Z")


def _timestamp(folder: SubmissionFolder):
    """timestamp.txt as nbgrader's ``CourseDirectory.get_existing_timestamp`` reads it (None when missing or empty)."""
    from nbgrader.utils import parse_utc

    data = folder.read("timestamp.txt", MAX_TIMESTAMP_BYTES, "提交时间文件 timestamp.txt")
    if data is None:
        return None
    text = data.decode("utf-8", errors="replace").strip()
    if not text:
        return None
    try:
        if _NBGRADER_TIMESTAMP.match(text):  # as nbgrader writes it: read without dateutil's parser (same result)
            return datetime.fromisoformat(text[:-4])
        return parse_utc(text)
    except (ValueError, OverflowError):
        raise GradingError("提交时间文件 timestamp.txt 无效") from None


def _progress(items: list, enabled: bool, assignment: str):
    from tqdm.auto import tqdm

    return tqdm(total=len(items), desc=f"评分 {assignment}", unit="份", disable=not enabled)


def _rmtree(path: Path) -> None:
    if path.is_symlink() or not path.is_dir():
        path.unlink()
        return
    for dirname, _dirs, files in os.walk(path):
        os.chmod(dirname, 0o755)
        for name in files:
            try:
                os.chmod(os.path.join(dirname, name), 0o644, follow_symlinks=False)
            except (OSError, NotImplementedError):
                pass
    shutil.rmtree(path)


def _write_autograded(folder: SubmissionFolder, dest: Path, source_dir: str, source_files: list[str],
                      graded: list[GradedNotebook], coursedir) -> None:
    """autograded/<student>/<assignment>/ as nbgrader leaves it: submitted files (regular files only, no symlink
    followed), source files, graded notebooks."""
    if os.path.lexists(dest):
        _rmtree(dest)
    dest.mkdir(parents=True)
    copy_regular_files(folder, dest, lambda rel: any(fnmatch(os.path.basename(rel), g) for g in coursedir.ignore))
    for origin in source_files:
        target = dest / os.path.relpath(origin, source_dir)
        target.parent.mkdir(parents=True, exist_ok=True)
        if os.path.lexists(target):
            target.unlink()
        shutil.copyfile(origin, target)
    for g in graded:
        (dest / f"{g.notebook}.ipynb").write_bytes(notebook_bytes(g.nb))
    permissions = 0o664 if coursedir.groupshared else 0o444
    for dirname, _dirs, files in os.walk(dest):
        for name in files:
            os.chmod(os.path.join(dirname, name), permissions)


def notebook_bytes(nb: dict) -> bytes:
    """A graded notebook as its file holds it: keys sorted, compact, texts as single strings (nbformat reads both
    that and lists of lines; splitting them as nbformat writes cost more than the rest of the writing). orjson writes
    it; what orjson declines (a lone surrogate, a number beyond 64 bits) the standard library writes, escaped."""
    try:
        return orjson.dumps(nb, option=orjson.OPT_SORT_KEYS | orjson.OPT_APPEND_NEWLINE)
    except orjson.JSONEncodeError:
        text = json.dumps(nb, sort_keys=True, ensure_ascii=False) + "\n"
        return text.encode("utf-8", "backslashreplace")


# --- one sitting: every form of a paper -------------------------------------------------------------------------


@dataclass
class SittingSummary:
    """Grading every form of a paper: per form, plus who was expected and handed in nothing, and who handed in two
    forms (each graded, flagged for the administrator, never dropped)."""

    forms: list[GradeSummary] = field(default_factory=list)
    missing: list[str] = field(default_factory=list)
    two_forms: dict[str, list[str]] = field(default_factory=dict)
    feedback: int = 0

    @property
    def refused(self) -> list[SubmissionResult]:
        return [r for f in self.forms for r in f.refused]

    @property
    def needs_attention(self) -> bool:
        return bool(self.refused or self.missing or self.two_forms)

    def text(self) -> str:
        lines = [f.text() for f in self.forms]
        graded = sum(len(f.graded) for f in self.forms)
        flagged = sum(len(f.flagged) for f in self.forms)
        lines.append(f"合计：评分 {graded} 份，拒绝 {len(self.refused)} 份，需核查 {flagged} 份，"
                     f"未提交 {len(self.missing)} 人，提交两套试卷 {len(self.two_forms)} 人；已生成成绩反馈 {self.feedback} 份。")
        if self.missing:
            lines.append("  未提交（应考而没有提交）：" + "、".join(self.missing))
        for officer, forms in sorted(self.two_forms.items()):
            lines.append(f"  提交了两套试卷 {officer}：{'、'.join(forms)}（均已评分，结论待核查，不登记）")
        return "\n".join(lines)


def grade_sitting(course_root: str | Path, paper_path: str | Path, students: Iterable[str] | None = None,
                  expected: Iterable[str] | None = None, progress: bool = True, workers: int | None = None,
                  feedback: bool = True) -> SittingSummary:
    """Grade every form of the paper (only ``students`` when given) and write each graded or refused officer's
    feedback. ``missing``: the officers in ``students`` or ``expected`` (e.g. assigned to the sitting) with no
    submission in any form."""
    from nbgrader.coursedir import CourseDirectory

    from grading.feedback import write_feedback
    from grading.paper import load_paper

    paper = load_paper(paper_path)
    coursedir = CourseDirectory(config=course_config(course_root))
    asked = sorted(set(students)) if students is not None else None
    out = SittingSummary()
    present: dict[str, list[str]] = {}
    for form in paper.forms:
        for officer in _submitted_students(coursedir, form.assignment):
            present.setdefault(officer, []).append(form.assignment)
        summary = grade_exam(course_root, form.assignment, students=asked, progress=progress, paper=paper_path,
                             workers=workers)
        out.forms.append(summary)
        if feedback:
            done = [r.student for r in summary.results]
            out.feedback += len(write_feedback(course_root, form.assignment, students=done, paper=paper_path))
    wanted = set(asked or ()) | set(expected or ())
    out.missing = sorted(o for o in wanted if o not in present)
    scope = set(asked) if asked is not None else None
    out.two_forms = {o: forms for o, forms in present.items() if len(forms) > 1 and (scope is None or o in scope)}
    return out
