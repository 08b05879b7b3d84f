"""Grading every submission of an exam in one process: ``grade_exam``.

Does what ``nbgrader autograde`` does with ``ScoreAnswers`` in place of ``Execute`` (grading/autograde.py), without
nbconvert's per-notebook machinery, a kernel, or one database transaction per cell:

* read each submitted notebook once (plain JSON) and sanitize it as nbgrader's ClearOutput, DeduplicateIds,
  OverwriteKernelspec, OverwriteCells and CheckCellMetadata do: locked cells restored from the source (the
  gradebook's source cells), points restored, edited nbgrader metadata refused; a deleted question cell is put
  back from the source;
* score the grade cells ``q-*`` from ``answers.json`` against the bank's keys (never executing anything) and write
  the points as numeric ``execute_result`` outputs, as nbgrader's ``determine_grade`` reads them;
* write the same gradebook rows SaveAutoGrades / AssignLatePenalties write (Student, SubmittedAssignment,
  SubmittedNotebook, Grade.auto_score / needs_manual_grade, Comment.auto_comment), many submissions per
  transaction, and the autograded notebooks in ``autograded/<student>/<assignment>/`` for formgrader and feedback.

A submission that cannot be graded is refused with a Chinese reason (in the summary and the log); its autograded
scores are cleared (``auto_score`` None, needs manual grading) so that no stale score stays behind.
"""

from __future__ import annotations

import hashlib
import json
import logging
import os
import re
import shutil
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Iterable
from uuid import uuid4

from grading.autograde import ExamKey, GradingError, course_config, find_paper, load_exam_key, read_answers, score_cells

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


# --- the source side: read once per exam ------------------------------------------------------------------


@dataclass
class _SourceCell:
    id: str  # database id (base_cell.id) when a graded cell, else ""
    name: str
    cell_type: str
    locked: bool
    checksum: str
    source: str


@dataclass
class _NotebookInfo:
    name: str
    db_id: str
    kernelspec: Any
    order: list[str]  # grade ids of the source cells, in notebook order
    source_cells: dict[str, _SourceCell]
    grade_cells: dict[str, tuple[str, float]]  # name -> (cell id, max_score)
    solution_cells: dict[str, str]  # name -> cell id
    task_cells: dict[str, str]


def _load_source(gb, coursedir, assignment: str) -> tuple[Any, list[_NotebookInfo]]:
    from nbgrader.api import MissingEntry

    try:
        asg = gb.find_assignment(assignment)
    except MissingEntry:
        raise GradingError(f"成绩库中没有作业 {assignment}，请先生成作业（nbgrader generate_assignment）") from None
    infos = []
    for nb in asg.notebooks:
        path = Path(coursedir.format_path(coursedir.source_directory, ".", assignment)) / f"{nb.name}.ipynb"
        try:
            source_nb = json.loads(path.read_bytes())
            order = [c.get("metadata", {}).get("nbgrader", {}).get("grade_id") for c in source_nb["cells"]]
        except (OSError, ValueError, KeyError):
            order = [c.name for c in nb.source_cells]
        grade = {c.name: (c.id, float(c.max_score)) for c in nb.grade_cells}
        solution = {c.name: c.id for c in nb.solution_cells}
        task = {c.name: c.id for c in nb.task_cells}
        ids = {**solution, **task, **{k: v[0] for k, v in grade.items()}}
        cells = {c.name: _SourceCell(ids.get(c.name, ""), c.name, c.cell_type, bool(c.locked), c.checksum, c.source)
                 for c in nb.source_cells}
        infos.append(_NotebookInfo(nb.name, nb.id, json.loads(nb.kernelspec) if nb.kernelspec else None,
                                   [g for g in order if g in cells], cells, grade, solution, task))
    return asg, infos


# --- nbgrader's cell helpers, on plain dicts ----------------------------------------------------------------


def _nbg(cell: dict) -> dict | None:
    return cell["metadata"].get("nbgrader") if "nbgrader" in cell["metadata"] else None


def _is_grade(cell: dict) -> bool:
    meta = _nbg(cell)
    return bool(meta is not None and meta.get("grade", False))


def _is_solution(cell: dict) -> bool:
    meta = _nbg(cell)
    return bool(meta is not None and meta.get("solution", False))


def _is_task(cell: dict) -> bool:
    meta = _nbg(cell)
    return bool(meta is not None and meta.get("task", False))


def _is_locked(cell: dict) -> bool:
    meta = _nbg(cell)
    if meta is None or _is_solution(cell):
        return False
    if _is_grade(cell):
        return True
    return bool(meta.get("locked", False))


def compute_checksum(cell: dict) -> str:
    """nbgrader.utils.compute_checksum on a plain dict cell."""
    m = hashlib.md5()
    m.update(cell["source"].encode("utf-8"))
    m.update(cell["cell_type"].encode("utf-8"))
    m.update(str(_is_grade(cell)).encode("utf-8"))
    m.update(str(_is_solution(cell)).encode("utf-8"))
    m.update(str(_is_locked(cell)).encode("utf-8"))
    m.update(cell["metadata"]["nbgrader"]["grade_id"].encode("utf-8"))
    if _is_grade(cell):
        m.update(str(float(cell["metadata"]["nbgrader"]["points"])).encode("utf-8"))
    return m.hexdigest()


_META_KEYS = {"schema_version", "grade", "locked", "solution", "task", "grade_id", "points", "checksum",
              "cell_type"}
_GRADE_ID_RE = re.compile(r"^[a-zA-Z0-9_\-]*$")


def _number(x: Any) -> bool:
    return type(x) in (int, float)


def metadata_valid(meta: Any) -> bool:
    """nbgrader's cell metadata schema v3 (nbgraderformat/v3.json), checked directly (jsonschema is slow here)."""
    if not isinstance(meta, dict) or not meta.keys() <= _META_KEYS:
        return False
    if not all(k in meta for k in ("schema_version", "grade", "locked", "solution")):
        return False
    if type(meta["schema_version"]) is not int or meta["schema_version"] != 3:
        return False
    if any(k in meta and type(meta[k]) is not bool for k in ("grade", "locked", "solution", "task")):
        return False
    if "grade_id" in meta and not (type(meta["grade_id"]) is str and _GRADE_ID_RE.match(meta["grade_id"])):
        return False
    if "points" in meta and not (_number(meta["points"]) and not meta["points"] < 0):
        return False
    if "checksum" in meta and not (type(meta["checksum"]) is str and len(meta["checksum"]) == 32):
        return False
    if "cell_type" in meta and meta["cell_type"] not in ("raw", "code", "markdown"):
        return False
    return True


def _validate(cells: list[dict]) -> None:
    """nbgrader's MetadataValidatorV3.validate_nb (CheckCellMetadata), on plain dicts."""
    ids = set()
    for cell in cells:
        meta = _nbg(cell)
        if meta is None:
            continue
        if not isinstance(meta, dict) or meta.get("schema_version", 0) != 3:
            raise GradingError("单元格的 nbgrader 元数据版本不符或已被改动")
        if not metadata_valid(meta):
            raise GradingError("单元格的 nbgrader 元数据已被改动（不符合格式）")
        grade, solution, locked = meta["grade"], meta["solution"], meta["locked"]
        if grade or solution or locked:
            if not meta.get("grade_id"):
                raise GradingError("nbgrader 单元格缺少 grade_id（元数据已被改动）")
        if grade and "points" not in meta:
            raise GradingError(f"评分单元格 {meta['grade_id']} 缺少分值（元数据已被改动）")
        if not meta.get("task", False):
            if cell["cell_type"] == "markdown" and grade != solution:
                raise GradingError(f"Markdown 单元格 {meta.get('grade_id')} 的评分/作答标记已被改动")
        elif cell["cell_type"] != "markdown":
            raise GradingError("任务单元格必须是 Markdown")
        if grade or solution or locked:
            if meta["grade_id"] in ids:
                raise GradingError(f"评分单元格编号 {meta['grade_id']} 重复")
            ids.add(meta["grade_id"])


def _plain_cells(nb: Any) -> list[dict]:
    """The cells of a notebook read as plain JSON, with ``source`` joined; refuses what is not a notebook."""
    if not isinstance(nb, dict) or not isinstance(nb.get("cells"), list) or not isinstance(nb.get("metadata", {}),
                                                                                          dict):
        raise GradingError("试卷文件不是有效的 Jupyter 笔记本")
    for cell in nb["cells"]:
        if not isinstance(cell, dict) or cell.get("cell_type") not in ("code", "markdown", "raw"):
            raise GradingError("试卷文件中有无效的单元格")
        source = cell.get("source", "")
        if isinstance(source, list) and all(isinstance(s, str) for s in source):
            source = "".join(source)
        if not isinstance(source, str):
            raise GradingError("试卷文件中有无效的单元格内容")
        cell["source"] = source
        metadata = cell.setdefault("metadata", {})
        if not isinstance(metadata, dict):
            raise GradingError("试卷文件中有无效的单元格元数据")
        if "nbgrader" in metadata and not isinstance(metadata["nbgrader"], dict):
            raise GradingError("单元格的 nbgrader 元数据已被改动")
    return nb["cells"]


def _as_source_cell(src: _SourceCell, max_score: float | None, solution: bool) -> dict:
    meta = {"grade": max_score is not None, "grade_id": src.name, "locked": src.locked, "schema_version": 3,
            "solution": solution, "checksum": src.checksum, "cell_type": src.cell_type}
    if max_score is not None:
        meta["points"] = max_score
    cell = {"cell_type": src.cell_type, "id": uuid4().hex[:8], "metadata": {"deletable": False, "nbgrader": meta},
            "source": src.source}
    if not solution:
        cell["metadata"]["editable"] = False
    if src.cell_type == "code":
        cell.update(outputs=[], execution_count=None)
    return cell


def sanitize(nb: dict, info: _NotebookInfo) -> list[dict]:
    """The sanitizing steps of nbgrader's Autograde, on a notebook read as plain JSON. Returns its cells."""
    cells = _plain_cells(nb)
    try:
        # ClearOutput
        for cell in cells:
            if cell["cell_type"] == "code":
                cell["outputs"] = []
                cell["execution_count"] = None
                cell["metadata"].pop("collapsed", None)
                cell["metadata"].pop("scrolled", None)
        # DeduplicateIds: the last of cells sharing a grade id keeps it
        seen = set()
        for cell in reversed(cells):
            if _is_grade(cell) or _is_solution(cell) or _is_locked(cell):
                gid = cell["metadata"]["nbgrader"]["grade_id"]
                if gid in seen:
                    cell["metadata"]["nbgrader"] = {}
                else:
                    seen.add(gid)
        # OverwriteKernelspec
        if info.kernelspec:
            nb.setdefault("metadata", {})["kernelspec"] = info.kernelspec
        # OverwriteCells
        for cell in cells:
            meta = _nbg(cell)
            gid = meta.get("grade_id") if meta else None
            if gid is None:
                continue
            src = info.source_cells.get(gid)
            if src is None:
                del meta["grade_id"]
                continue
            if cell["cell_type"] != src.cell_type:
                cell["cell_type"] = src.cell_type
                if src.cell_type == "code":
                    cell["outputs"], cell["execution_count"] = [], None
                else:
                    cell.pop("outputs", None)
                    cell.pop("execution_count", None)
            if _is_locked(cell) != src.locked:
                meta["locked"] = src.locked
            if _is_grade(cell):
                grade_cell = info.grade_cells.get(gid)
                if grade_cell is None:  # nbgrader: find_graded_cell raises
                    raise GradingError(f"单元格 {gid} 被改成了评分单元格（元数据已被改动）")
                if float(grade_cell[1]) != float(meta["points"]):
                    meta["points"] = float(grade_cell[1])
            meta["checksum"] = src.checksum
            if src.locked and compute_checksum(cell) != src.checksum:
                cell["source"] = src.source
                if compute_checksum(cell) != src.checksum:
                    raise GradingError(f"锁定单元格 {gid} 的评分元数据已被改动，无法恢复")
        # deleted grade cells are put back from the source, after the closest source cell present before them
        present = {_nbg(c).get("grade_id") for c in cells if _nbg(c)}
        missing = [g for g in info.order if g not in present and (g in info.grade_cells or g in info.task_cells)]
        for gid in missing:
            src = info.source_cells[gid]
            cell = _as_source_cell(src, info.grade_cells.get(gid, (None, None))[1], gid in info.solution_cells)
            if nb.get("nbformat", 4) == 4 and nb.get("nbformat_minor", 0) < 5:
                del cell["id"]  # cell ids came with nbformat 4.5
            position = 0
            for before in reversed(info.order[: info.order.index(gid)]):
                where = [i for i, c in enumerate(cells) if _nbg(c) and _nbg(c).get("grade_id") == before]
                if where:
                    position = where[0] + 1
                    break
            cells.insert(position, cell)
        # CheckCellMetadata
        _validate(cells)
    except GradingError:
        raise
    except (KeyError, TypeError, ValueError, AttributeError):
        raise GradingError("单元格的 nbgrader 元数据已被改动，无法评分") from None
    return cells


# --- one submission ----------------------------------------------------------------------------------------


@dataclass
class _Graded:
    notebook: str
    grades: dict[str, float | None]  # grade cell name -> auto_score
    comments: dict[str, str | None]  # solution/task cell name -> auto_comment
    cells: list[dict]
    nb: dict


def grade_notebook(path: Path, info: _NotebookInfo, key: ExamKey, answers: dict[str, Any]) -> _Graded:
    """Read, sanitize and score one submitted notebook (nothing is executed)."""
    try:
        size = path.stat().st_size
    except FileNotFoundError:
        raise GradingError(f"提交中没有 {path.name}") from None
    if size > MAX_NOTEBOOK_BYTES:
        raise GradingError(f"试卷文件 {path.name} 过大（{size / 1048576:.1f} MB，上限 "
                           f"{MAX_NOTEBOOK_BYTES / 1048576:.1f} MB），拒绝评分")
    try:
        nb = json.loads(path.read_bytes())
    except (ValueError, UnicodeDecodeError, RecursionError):
        raise GradingError(f"试卷文件 {path.name} 已损坏（不是有效的 JSON），无法评分") from None
    cells = sanitize(nb, info)
    score_cells(cells, key, answers)
    grades: dict[str, float | None] = {}
    comments: dict[str, str | None] = {}
    for cell in cells:
        meta = _nbg(cell)
        if not meta or "grade_id" not in meta:
            continue
        gid = meta["grade_id"]
        if meta.get("grade"):
            grades[gid] = _determine_grade(cell)
        if meta.get("solution") or meta.get("task"):
            same = meta.get("checksum") == compute_checksum(cell)
            comments[gid] = NO_RESPONSE if same and not meta.get("task") else None
    nb["cells"] = cells
    return _Graded(info.name, grades, comments, cells, nb)


def _determine_grade(cell: dict) -> float | None:
    """nbgrader.utils.determine_grade for our cells (code cells carry one numeric execute_result)."""
    meta = cell["metadata"]["nbgrader"]
    max_points = float(meta["points"])
    if meta.get("solution"):
        return 0 if meta.get("checksum") == compute_checksum(cell) else None
    if cell["cell_type"] == "code":
        for output in cell["outputs"]:
            if output["output_type"] == "error" or (output["output_type"] == "stream" and output["name"] == "stderr"):
                return 0
            if output["output_type"] == "execute_result":
                grade = float(output["data"]["text/plain"])
                if grade > max_points:
                    raise GradingError(f"单元格 {meta['grade_id']} 的得分超过满分")
                return grade
        return max_points
    return None


# --- the whole exam -----------------------------------------------------------------------------------------


def grade_exam(course_root: str | Path, assignment: str, students: Iterable[str] | None = None,
               progress: bool = True, paper: str | Path | None = None, bank: list[str] | None = None) -> GradeSummary:
    """Grade every submission of ``assignment`` (or only ``students``) in ``submitted/``; re-grading is safe.

    ``paper`` defaults to the paper file found beside the course (see ``grading.autograde.find_paper``);
    ``bank`` to the shipped bank.
    """
    from nbgrader.api import Gradebook
    from nbgrader.coursedir import CourseDirectory
    from nbgrader.utils import find_all_files, parse_utc

    started = time.perf_counter()
    config = course_config(course_root)
    coursedir = CourseDirectory(config=config)
    root = Path(coursedir.root)
    key = load_exam_key(paper or find_paper(root, assignment), assignment, bank)
    summary = GradeSummary(assignment)

    submitted = Path(coursedir.format_path(coursedir.submitted_directory, ".", "."))
    wanted = sorted(students) if students is not None else sorted(
        p.name for p in submitted.iterdir() if (p / assignment).is_dir()) if submitted.is_dir() else []

    gb = Gradebook(coursedir.db_url, coursedir.course_id)
    try:
        asg, infos = _load_source(gb, coursedir, assignment)
        source_dir = coursedir.format_path(coursedir.source_directory, ".", assignment)
        source_files = [f for f in find_all_files(source_dir, coursedir.ignore + ["*.ipynb"])]
        writer = _Writer(gb, asg, infos)
        bar = _progress(wanted, progress, assignment)
        for start in range(0, len(wanted), BATCH):
            batch = wanted[start: start + BATCH]
            rows = []
            for student in batch:
                src = Path(coursedir.format_path(coursedir.submitted_directory, student, assignment))
                dest = Path(coursedir.format_path(coursedir.autograded_directory, student, assignment))
                result = SubmissionResult(student)
                tick = time.perf_counter()
                graded: list[_Graded] = []
                timestamp = None
                try:
                    if not src.is_dir():
                        raise GradingError(f"没有 {student} 的提交（{src}）")
                    timestamp = _timestamp(src, parse_utc)
                    answers = read_answers(src, student, key)
                    for info in infos:
                        graded.append(grade_notebook(src / f"{info.name}.ipynb", info, key, answers))
                    _write_autograded(src, dest, source_dir, source_files, graded, coursedir)
                    result.score = sum(s or 0 for g in graded for s in g.grades.values())
                    result.needs_manual = sum(1 for g in graded for s in g.grades.values() if s is None)
                except GradingError as exc:
                    result.error = str(exc)
                    graded = []
                    if dest.exists():
                        _rmtree(dest)
                    log.error("拒绝评分 %s/%s：%s", student, assignment, exc)
                result.max_score = sum(p for info in infos for _, p in info.grade_cells.values())
                result.seconds = time.perf_counter() - tick
                rows.append((student, timestamp, graded))
                summary.results.append(result)
                bar.update(1)
            writer.write(rows)
        bar.close()
    finally:
        gb.close()
    summary.seconds = time.perf_counter() - started
    return summary


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


def _write_autograded(src: Path, dest: Path, source_dir: str, source_files: list[str], graded: list[_Graded],
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


class _Writer:
    """The gradebook rows of many submissions in one transaction (SQLAlchemy core executemany)."""

    def __init__(self, gb, asg, infos: list[_NotebookInfo]):
        from nbgrader.api import Comment, Grade, Student, SubmittedAssignment, SubmittedNotebook

        self.gb, self.asg, self.infos = gb, asg, infos
        self.t_student, self.t_sub = Student.__table__, SubmittedAssignment.__table__
        self.t_nb, self.t_grade, self.t_comment = SubmittedNotebook.__table__, Grade.__table__, Comment.__table__

    def _existing(self, students: list[str]):
        """{student: (submission id, {notebook db id: (submitted nb id, {cell id: (grade id, manual)}, {cell id:
        comment id})})} for the submissions already in the gradebook."""
        from sqlalchemy import select

        s, n, g, c = self.t_sub, self.t_nb, self.t_grade, self.t_comment
        subs = dict(self.gb.db.execute(select(s.c.student_id, s.c.id).where(
            s.c.assignment_id == self.asg.id, s.c.student_id.in_(students))).all())
        out = {student: (sid, {}) for student, sid in subs.items()}
        if not subs:
            return out
        by_sub = {sid: student for student, sid in subs.items()}
        nbs = self.gb.db.execute(select(n.c.assignment_id, n.c.notebook_id, n.c.id).where(
            n.c.assignment_id.in_(list(by_sub)))).all()
        by_nb = {}
        for sub_id, notebook_id, snb_id in nbs:
            entry = (snb_id, {}, {})
            out[by_sub[sub_id]][1][notebook_id] = entry
            by_nb[snb_id] = entry
        if by_nb:
            for gid, nb_id, cell_id, manual in self.gb.db.execute(select(g.c.id, g.c.notebook_id, g.c.cell_id,
                                                                          g.c.manual_score).where(
                    g.c.notebook_id.in_(list(by_nb)))).all():
                by_nb[nb_id][1][cell_id] = (gid, manual)
            for cid, nb_id, cell_id in self.gb.db.execute(select(c.c.id, c.c.notebook_id, c.c.cell_id).where(
                    c.c.notebook_id.in_(list(by_nb)))).all():
                by_nb[nb_id][2][cell_id] = cid
        return out

    def write(self, rows: list[tuple[str, Any, list[_Graded]]]) -> None:
        from sqlalchemy import bindparam, insert, select, update

        db = self.gb.db
        students = [r[0] for r in rows]
        known = set(db.execute(select(self.t_student.c.id).where(self.t_student.c.id.in_(students))).scalars())
        new_students = [{"id": s} for s in students if s not in known]
        existing = self._existing(students)
        ins_sub, ins_nb, ins_grade, ins_comment = [], [], [], []
        upd_ts, upd_nb, upd_grade, upd_comment = [], [], [], []
        for student, timestamp, graded in rows:
            by_name = {g.notebook: g for g in graded}
            if student in existing:
                sub_id, nbs = existing[student]
                if timestamp is not None:
                    upd_ts.append({"_id": sub_id, "timestamp": timestamp})
            else:
                sub_id, nbs = uuid4().hex, {}
                ins_sub.append({"id": sub_id, "assignment_id": self.asg.id, "student_id": student,
                                "timestamp": timestamp, "extension": None})
            for info in self.infos:
                g = by_name.get(info.name)
                entry = nbs.get(info.db_id)
                if entry is None:
                    snb_id = uuid4().hex
                    ins_nb.append({"id": snb_id, "assignment_id": sub_id, "notebook_id": info.db_id,
                                   "flagged": False, "late_submission_penalty": None})
                    grades_db, comments_db = {}, {}
                else:
                    snb_id, grades_db, comments_db = entry
                    upd_nb.append({"_id": snb_id, "late_submission_penalty": None})
                for name, (cell_id, _max) in list(info.grade_cells.items()) + [(k, (v, 0)) for k, v in
                                                                               info.task_cells.items()]:
                    if g is None:  # refused: no autograde score survives
                        auto, touched = None, True
                    else:
                        touched = name in g.grades
                        auto = g.grades.get(name)
                    if cell_id in grades_db:
                        grade_id, manual = grades_db[cell_id]
                        if touched:
                            upd_grade.append({"_id": grade_id, "auto_score": auto,
                                              "needs_manual_grade": manual is not None or auto is None})
                    else:
                        ins_grade.append({"id": uuid4().hex, "notebook_id": snb_id, "cell_id": cell_id,
                                          "auto_score": auto if touched else None, "manual_score": None,
                                          "extra_credit": None,
                                          "needs_manual_grade": (auto is None) if touched else True})
                for name, cell_id in list(info.solution_cells.items()) + list(info.task_cells.items()):
                    if g is None:
                        text, touched = None, True
                    else:
                        touched = name in g.comments
                        text = g.comments.get(name)
                    if cell_id in comments_db:
                        if touched:
                            upd_comment.append({"_id": comments_db[cell_id], "auto_comment": text})
                    else:
                        ins_comment.append({"id": uuid4().hex, "notebook_id": snb_id, "cell_id": cell_id,
                                            "auto_comment": text if touched else None, "manual_comment": None})
        conn = db.connection()
        for table, values in ((self.t_student, new_students), (self.t_sub, ins_sub), (self.t_nb, ins_nb),
                              (self.t_grade, ins_grade), (self.t_comment, ins_comment)):
            if values:
                conn.execute(insert(table), values)
        for table, values in ((self.t_sub, upd_ts), (self.t_nb, upd_nb), (self.t_grade, upd_grade),
                              (self.t_comment, upd_comment)):
            if values:
                cols = {k: bindparam(k) for k in values[0] if k != "_id"}
                conn.execute(update(table).where(table.c.id == bindparam("_id")).values(**cols), values)
        db.commit()
