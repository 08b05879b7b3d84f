"""A small exam course and submissions laid out as ``nbgrader collect`` leaves them: submitted/<officer>/<assignment>/
with exam.ipynb, exam.json, answers.json and timestamp.txt. Shared by the grading, tamper and feedback tests."""

from __future__ import annotations

import json
import random
import shutil
from pathlib import Path

from grading.build import build
from grading.paper import load_paper, paper_from_mapping, write_paper
from questionbank.loading import load_bank

EXAM = "cert-grade-test"
ASSIGNMENT = f"{EXAM}-a"
PAPER = {
    "exam": EXAM, "title": "评分测试考试", "duration_minutes": 90, "total": 100, "pass_mark": 60,
    "multiple_rule": "partial_half", "seed": 7,
    "forms": [{"form": "A", "sections": [
        {"id": "single", "title": "单项选择题", "type": "single", "points": 5,
         "questions": ["qz-execution-001", "qz-execution-004", "qz-execution-007", "qz-execution-009"]},
        {"id": "multiple", "title": "多项选择题", "type": "multiple", "points": 10,
         "questions": ["qz-execution-003", "qz-execution-005", "qz-execution-010"]},
        {"id": "judge", "title": "判断题", "type": "judge", "points": 5,
         "questions": ["qz-execution-002", "qz-execution-006", "qz-execution-008", "qz-execution-013"]},
        {"id": "case", "title": "案例分析题", "type": "case", "points": 30, "questions": ["qz-execution-048"]},
    ]}],
}
TIMESTAMP = "2026-11-23 09:00:00.000000 UTC"


# --- shared helpers -----------------------------------------------------------------------------------------


def make_course(base: Path, paper_mapping: dict = PAPER) -> tuple[Path, Path]:
    """A built exam course in base/course, its paper in base/papers/<exam>.yaml. Returns (course, paper path)."""
    paper_path = base / "papers" / f"{paper_mapping['exam']}.yaml"
    write_paper(paper_from_mapping(paper_mapping), paper_path)
    course = base / "course"
    build(load_paper(paper_path), load_bank().questions, course)
    return course, paper_path


def responses(key, rng: random.Random, right: float = 0.7, blank: float = 0.1) -> dict:
    """Plausible clicks for every objective item: right with probability ``right``, else wrong or partial."""
    out = {}
    for item in key.items.values():
        target = item.target
        roll = rng.random()
        if roll < blank:
            continue
        if target.type == "judge":
            out[item.answer_key] = bool(target.answer) if roll < right else not target.answer
        elif target.type == "single":
            wrong = [x for x in target.options if x != target.answer]
            out[item.answer_key] = target.answer if roll < right else rng.choice(wrong)
        else:
            keyset = sorted(target.answer)
            if roll < right:
                out[item.answer_key] = keyset
            elif roll < (right + 1) / 2:
                out[item.answer_key] = keyset[:1]  # fewer, no wrong one: partial credit
            else:
                out[item.answer_key] = sorted(target.options)  # every option: a wrong one included
    return out


def submit(course: Path, student: str, answers: dict | None, assignment: str = ASSIGNMENT, exam: str = EXAM,
           officer: str | None = None, case_text: str | None = None) -> Path:
    """submitted/<student>/<assignment>/ as nbgrader collect leaves it; returns the folder."""
    folder = course / "submitted" / student / assignment
    if folder.exists():
        shutil.rmtree(folder)
    shutil.copytree(course / "release" / assignment, folder)
    (folder / "timestamp.txt").write_text(TIMESTAMP)
    if answers is not None:
        data = {"exam": exam, "assignment": assignment, "officer": officer or student,
                "seed": "0" * 64, "started_at": "2026-11-23T08:00:00+00:00",
                "deadline": "2026-11-23T09:30:00+00:00", "updated_at": "2026-11-23T08:59:00+00:00",
                "answers": answers}
        (folder / "answers.json").write_text(json.dumps(data, ensure_ascii=False))
    if case_text is not None:
        edit_notebook(folder, lambda nb: [c.update(source=case_text) for c in nb["cells"]
                                          if c["metadata"].get("nbgrader", {}).get("grade_id", "").startswith("case-")])
    return folder


def edit_notebook(folder: Path, change) -> None:
    path = folder / "exam.ipynb"
    nb = json.loads(path.read_text(encoding="utf-8"))
    for cell in nb["cells"]:
        if isinstance(cell.get("source"), list):
            cell["source"] = "".join(cell["source"])
    change(nb)
    path.write_text(json.dumps(nb, ensure_ascii=False), encoding="utf-8")


def gradebook_state(course: Path, assignment: str = ASSIGNMENT) -> dict:
    """Everything formgrader and nbgrader export read of the submissions, by student and cell name."""
    from nbgrader.api import Gradebook
    from nbgrader.coursedir import CourseDirectory

    from grading.autograde import course_config

    coursedir = CourseDirectory(config=course_config(course))
    out = {}
    with Gradebook(coursedir.db_url, coursedir.course_id) as gb:
        for sub in gb.find_assignment(assignment).submissions:
            nb = gb.find_submission_notebook("exam", assignment, sub.student_id)
            out[sub.student_id] = {
                "timestamp": sub.timestamp,
                "score": round(nb.score, 6),
                "max_score": nb.max_score,
                "late_penalty": nb.late_submission_penalty,
                "needs_manual_grade": nb.needs_manual_grade,
                "grades": {g.name: (g.auto_score, g.manual_score, g.needs_manual_grade) for g in nb.grades},
                "comments": {c.name: (c.auto_comment, c.manual_comment) for c in nb.comments},
                "assignment_score": round(sub.score, 6),
            }
    return out


def set_manual_score(course: Path, student: str, cell: str, points: float, assignment: str = ASSIGNMENT) -> None:
    from nbgrader.api import Gradebook
    from nbgrader.coursedir import CourseDirectory

    from grading.autograde import course_config

    coursedir = CourseDirectory(config=course_config(course))
    with Gradebook(coursedir.db_url, coursedir.course_id) as gb:
        grade = gb.find_grade(cell, "exam", assignment, student)
        grade.manual_score = points
        gb.db.commit()


def fresh(built: Path, tmp_path: Path) -> tuple[Path, Path]:
    base = tmp_path / "exam"
    shutil.copytree(built, base)
    return base / "course", base / "papers" / f"{EXAM}.yaml"
