"""The fast path's two dealings with nbgrader's gradebook (``gradebook.db``): what it reads of the source notebooks
once per exam (:func:`load_source`, what OverwriteKernelspec and OverwriteCells look up per cell), and the rows it
writes for many submissions in one transaction (:class:`GradebookWriter`, what SaveAutoGrades and AssignLatePenalties
write one cell at a time).
"""

from __future__ import annotations

import itertools
import json
import os
import time
from dataclasses import dataclass
from operator import itemgetter
from pathlib import Path
from typing import Any

from grading.autograde import GradingError

# --- the source side: read once per exam ------------------------------------------------------------------


@dataclass
class SourceCell:
    """A source cell of the gradebook (``nbgrader.api.SourceCell``)."""

    id: str  # database id (base_cell.id) when a graded cell, else ""
    name: str
    cell_type: str
    locked: bool
    checksum: str
    source: str


@dataclass
class SourceNotebook:
    """A notebook of the assignment as the gradebook holds it: its source cells, grade, solution and task cells."""

    name: str
    db_id: str
    kernelspec: Any
    order: list[str]  # grade ids of the source cells, in notebook order
    source_cells: dict[str, SourceCell]
    grade_cells: dict[str, tuple[str, float]]  # name -> (cell id, max_score)
    solution_cells: dict[str, str]  # name -> cell id
    task_cells: dict[str, str]


def load_source(gb, coursedir, assignment: str) -> tuple[Any, list[SourceNotebook]]:
    """The gradebook's assignment and its notebooks (``Gradebook`` ``gb``, nbgrader ``CourseDirectory``)."""
    from nbgrader.api import MissingEntry

    try:
        asg = gb.find_assignment(assignment)
    except MissingEntry:
        raise GradingError(f"成绩库中没有作业 {assignment}，请先生成作业（nbgrader generate_assignment）") from None
    notebooks = []
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
        cells = {c.name: SourceCell(ids.get(c.name, ""), c.name, c.cell_type, bool(c.locked), c.checksum, c.source)
                 for c in nb.source_cells}
        notebooks.append(SourceNotebook(nb.name, nb.id, json.loads(nb.kernelspec) if nb.kernelspec else None,
                                        [g for g in order if g in cells], cells, grade, solution, task))
    return asg, notebooks


# --- the submission side: written many submissions per transaction -----------------------------------------


@dataclass
class GradedNotebook:
    """One submitted notebook after sanitizing and scoring: what the gradebook and ``autograded/`` get of it."""

    notebook: str
    grades: dict[str, float | None]  # grade cell name -> auto_score
    comments: dict[str, str | None]  # solution/task cell name -> auto_comment
    cells: list[dict]
    nb: dict


@dataclass
class _Changes:
    """The rows to insert and to update (``_id`` names the row) in each gradebook table."""

    students: list[dict]
    inserts: dict[str, list[dict]]
    updates: dict[str, list[dict]]


class GradebookWriter:
    """The gradebook rows of many submissions in one transaction (SQLAlchemy core executemany).

    Per submission: Student, SubmittedAssignment (timestamp), SubmittedNotebook (late penalty), one Grade per
    grade and task cell (auto_score, needs_manual_grade) and one Comment per solution and task cell (auto_comment).
    A refused submission (no :class:`GradedNotebook`) gets its autograded scores cleared.

    The late penalty is nbgrader's ``AssignLatePenalties``: none unless the submission's timestamp (the new one, or
    the one the gradebook kept) is after the assignment's due date plus the submission's extension; then
    ``late_plugin.late_submission_penalty(student, notebook score, seconds late)`` (the notebook score counts manual
    grades and extra credit already given), kept between 0 and the notebook score.
    """

    def __init__(self, gb, asg, notebooks: list[SourceNotebook], late_plugin=None):
        from nbgrader.api import Comment, Grade, Student, SubmittedAssignment, SubmittedNotebook

        self.gb, self.asg, self.notebooks, self.late_plugin = gb, asg, notebooks, late_plugin
        self.duedate = asg.duedate
        self.tables = {"student": Student.__table__, "submission": SubmittedAssignment.__table__,
                       "notebook": SubmittedNotebook.__table__, "grade": Grade.__table__, "comment": Comment.__table__}

    def write(self, rows: list[tuple[str, Any, list[GradedNotebook]]]) -> None:
        """Write ``(student, timestamp, graded notebooks)`` rows; an empty list of notebooks means refused."""
        changes = self._changes(rows)
        self._execute(changes)

    def _changes(self, rows: list[tuple[str, Any, list[GradedNotebook]]]) -> _Changes:
        from sqlalchemy import select

        t_student = self.tables["student"]
        students = [r[0] for r in rows]
        known = set(self.gb.db.execute(select(t_student.c.id).where(t_student.c.id.in_(students))).scalars())
        changes = _Changes([{"id": s} for s in students if s not in known],
                           {name: [] for name in ("submission", "notebook", "grade", "comment")},
                           {name: [] for name in ("submission", "notebook", "grade", "comment")})
        existing = self._existing(students)
        for student, timestamp, graded in rows:
            if student in existing:
                sub_id, nbs, kept_timestamp, extension = existing[student]
                if timestamp is not None:
                    changes.updates["submission"].append({"_id": sub_id, "timestamp": timestamp})
                else:
                    timestamp = kept_timestamp
            else:
                sub_id, nbs, extension = _new_id(), {}, None
                changes.inserts["submission"].append({"id": sub_id, "assignment_id": self.asg.id, "student_id": student,
                                                      "timestamp": timestamp, "extension": None})
            late = self._seconds_late(timestamp, extension) if graded else 0
            by_name = {g.notebook: g for g in graded}
            for notebook in self.notebooks:
                self._notebook_changes(changes, sub_id, notebook, nbs.get(notebook.db_id), by_name.get(notebook.name),
                                       student, late)
        return changes

    def _seconds_late(self, timestamp, extension) -> float:
        """``SubmittedAssignment.total_seconds_late``."""
        if timestamp is None or self.duedate is None:
            return 0
        duedate = self.duedate + extension if extension is not None else self.duedate
        return max(0, (timestamp - duedate).total_seconds())

    def _penalty(self, student: str, score: float, late: float) -> float | None:
        """``AssignLatePenalties.preprocess`` for one notebook."""
        if late <= 0 or self.late_plugin is None:
            return None
        penalty = self.late_plugin.late_submission_penalty(student, score, late)
        if penalty is None:
            return None
        return 0 if penalty < 0 else score if penalty > score else penalty

    def _notebook_changes(self, changes: _Changes, sub_id: str, notebook: SourceNotebook, entry, g, student: str,
                          late: float) -> None:
        """The SubmittedNotebook, Grade and Comment rows of one notebook of one submission (``g`` None: refused)."""
        if entry is None:
            snb_id = _new_id()
            notebook_row = {"id": snb_id, "assignment_id": sub_id, "notebook_id": notebook.db_id,
                            "flagged": False, "late_submission_penalty": None}
            changes.inserts["notebook"].append(notebook_row)
            grades_db, comments_db = {}, {}
        else:
            snb_id, grades_db, comments_db = entry
            notebook_row = {"_id": snb_id, "late_submission_penalty": None}
            changes.updates["notebook"].append(notebook_row)
        score = 0.0  # Grade.score summed, as the gradebook will hold it after this write
        graded = list(notebook.grade_cells.items()) + [(k, (v, 0)) for k, v in notebook.task_cells.items()]
        for name, (cell_id, _max) in graded:
            if g is None:  # refused: no autograde score survives
                auto, touched = None, True
            else:
                touched = name in g.grades
                auto = g.grades.get(name)
            _gid, manual, extra, old_auto = grades_db.get(cell_id, (None, None, None, None))
            base = manual if manual is not None else auto if touched else old_auto
            if base is not None:
                score += base + (extra or 0.0)
            if cell_id in grades_db:
                grade_id = grades_db[cell_id][0]
                if touched:
                    changes.updates["grade"].append({"_id": grade_id, "auto_score": auto,
                                                     "needs_manual_grade": manual is not None or auto is None})
            else:
                changes.inserts["grade"].append({"id": _new_id(), "notebook_id": snb_id, "cell_id": cell_id,
                                                 "auto_score": auto if touched else None, "manual_score": None,
                                                 "extra_credit": None,
                                                 "needs_manual_grade": (auto is None) if touched else True})
        for name, cell_id in list(notebook.solution_cells.items()) + list(notebook.task_cells.items()):
            if g is None:
                text, touched = None, True
            else:
                touched = name in g.comments
                text = g.comments.get(name)
            if cell_id in comments_db:
                if touched:
                    changes.updates["comment"].append({"_id": comments_db[cell_id], "auto_comment": text})
            else:
                changes.inserts["comment"].append({"id": _new_id(), "notebook_id": snb_id, "cell_id": cell_id,
                                                   "auto_comment": text if touched else None, "manual_comment": None})
        if g is not None:
            notebook_row["late_submission_penalty"] = self._penalty(student, score, late)

    def _execute(self, changes: _Changes) -> None:
        from sqlalchemy import bindparam, insert, update

        conn = self.gb.db.connection()
        if conn.dialect.name == "sqlite":  # the gradebook of 10,000 submissions is ~300 MB; the default cache is 2 MB
            conn.exec_driver_sql(f"PRAGMA cache_size = -{SQLITE_CACHE_KIB}")
        if changes.students:
            conn.execute(insert(self.tables["student"]), changes.students)
        for name, values in changes.inserts.items():
            if values:
                _many(conn, insert(self.tables[name]), values, raw=name in _PLAIN_TABLES)
        for name, values in changes.updates.items():
            if values:
                table = self.tables[name]
                cols = {k: bindparam(k) for k in values[0] if k != "_id"}
                _many(conn, update(table).where(table.c.id == bindparam("_id")).values(**cols), values,
                      raw=name in _PLAIN_TABLES)
        self.gb.db.commit()

    def _existing(self, students: list[str]):
        """{student: (submission id, {notebook db id: (submitted nb id, {cell id: (grade id, manual, extra credit,
        auto)}, {cell id: comment id})}, timestamp, extension)} for the submissions already in the gradebook."""
        from sqlalchemy import select

        s, n, g, c = (self.tables[k] for k in ("submission", "notebook", "grade", "comment"))
        found = self.gb.db.execute(select(s.c.student_id, s.c.id, s.c.timestamp, s.c.extension).where(
            s.c.assignment_id == self.asg.id, s.c.student_id.in_(students))).all()
        subs = {student: sid for student, sid, _t, _e in found}
        out = {student: (sid, {}, timestamp, extension) for student, sid, timestamp, extension in found}
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
            for gid, nb_id, cell_id, manual, extra, auto in self.gb.db.execute(select(
                    g.c.id, g.c.notebook_id, g.c.cell_id, g.c.manual_score, g.c.extra_credit, g.c.auto_score).where(
                    g.c.notebook_id.in_(list(by_nb)))).all():
                by_nb[nb_id][1][cell_id] = (gid, manual, extra, auto)
            for cid, nb_id, cell_id in self.gb.db.execute(select(c.c.id, c.c.notebook_id, c.c.cell_id).where(
                    c.c.notebook_id.in_(list(by_nb)))).all():
                by_nb[nb_id][2][cell_id] = cid
        return out


# Grades and comments hold only texts, numbers, booleans and NULLs, which every database driver takes as they are:
# their rows go to the driver's executemany directly (SQLAlchemy's per-row parameter processing was most of the
# gradebook's time: ~100 grade rows per submission). The other tables (dates) keep SQLAlchemy's processing.
_PLAIN_TABLES = ("grade", "comment")


def _many(conn, statement, rows: list[dict], raw: bool) -> None:
    """``conn.execute(statement, rows)``; with ``raw``, the statement compiled once and the rows handed to the
    driver's executemany."""
    if not raw:
        conn.execute(statement, rows)
        return
    compiled = statement.compile(dialect=conn.dialect, column_keys=list(rows[0]))
    if compiled.positional:
        names = compiled.positiontup
        row_tuple = itemgetter(*names) if len(names) > 1 else (lambda row: (row[names[0]],))
        conn.exec_driver_sql(str(compiled), list(map(row_tuple, rows)))
    else:
        conn.exec_driver_sql(str(compiled), rows)


SQLITE_CACHE_KIB = 256 * 1024

_ids = itertools.count()


def _new_id() -> str:
    """A new row id: 32 hex digits like nbgrader's ``uuid4().hex``, but rising (time, counter, this process's random
    tail), so that thousands of new rows are appended to the id index instead of scattered over it — with random ids
    inserting the rows of 10,000 submissions (a million grades) took most of the grading time. Unique: the time in
    nanoseconds and a counter within this process; the process id and two random bytes between processes."""
    return f"{time.time_ns():016x}{next(_ids) & 0xFFFFFFFF:08x}{os.getpid() & 0xFFFF:04x}{_RANDOM}"


_RANDOM = os.urandom(2).hex()
