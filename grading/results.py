"""Exam results from the gradebook: one row per officer (for xlsx/csv and 考试结果登记), and the per-question
responses that item statistics need (points from the gradebook, the chosen options from each answers.json)."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pandas as pd

from grading.autograde import GradingError, course_config, load_exam_key, read_answers
from grading.feedback import Report, reports
from grading.item_stats import ResponseRow
from grading.paper import Paper, load_paper

VERDICT = {True: "是", False: "否", None: "待定"}


@dataclass(frozen=True)
class OfficerResult:
    officer: str
    assignment: str
    score: float
    max_score: float
    passed: bool | None


def officer_reports(course_root: str | Path, paper_path: str | Path) -> list[Report]:
    paper = load_paper(paper_path)
    return [r for form in paper.forms for r in reports(course_root, form.assignment, paper=paper_path)]


def results_table(course_root: str | Path, paper_path: str | Path) -> pd.DataFrame:
    """人员编号, 试卷, 总分, 满分, 是否通过, 结论 and a column per section."""
    rows = []
    for report in officer_reports(course_root, paper_path):
        row: dict[str, Any] = {"人员编号": report.officer, "试卷": report.assignment, "总分": round(report.total, 2),
                               "满分": round(report.max, 2), "合格分": report.pass_mark,
                               "是否通过": VERDICT[report.passed], "结论": report.verdict}
        for section in report.sections:
            row[section.title] = round(section.earned, 2)
        if report.pending:
            row["待人工评分"] = report.pending
        rows.append(row)
    columns = ["人员编号", "试卷", "总分", "满分", "合格分", "是否通过", "结论"]
    frame = pd.DataFrame(rows)
    return frame if frame.empty else frame[columns + [c for c in frame.columns if c not in columns]]


def write_results(table: pd.DataFrame, fmt: str, output: Path) -> None:
    output.parent.mkdir(parents=True, exist_ok=True)
    if fmt == "csv":
        table.to_csv(output, index=False, encoding="utf-8-sig")
    elif fmt == "xlsx":
        table.to_excel(output, index=False, sheet_name="考试成绩")
    else:
        raise ValueError(f"不支持的格式 {fmt}（xlsx / csv）")


def response_rows(course_root: str | Path, paper_path: str | Path) -> tuple[list[ResponseRow], dict[str, float]]:
    """Every officer's points per automatically graded item and the option(s) chosen, with each officer's total."""
    from nbgrader.api import Gradebook
    from nbgrader.coursedir import CourseDirectory

    paper: Paper = load_paper(paper_path)
    coursedir = CourseDirectory(config=course_config(course_root))
    rows: list[ResponseRow] = []
    totals: dict[str, float] = {}
    with Gradebook(coursedir.db_url, coursedir.course_id) as gb:
        for form in paper.forms:
            key = load_exam_key(paper_path, form.assignment)
            try:
                assignment = gb.find_assignment(form.assignment)
            except Exception:  # noqa: BLE001 - a form nobody sat
                continue
            for submission in assignment.submissions:
                officer = submission.student.id
                folder = Path(coursedir.format_path(coursedir.submitted_directory, officer, form.assignment))
                try:
                    answers = read_answers(folder, officer, key)
                except GradingError:
                    answers = {}
                totals[officer] = float(submission.score)
                for notebook in submission.notebooks:
                    for grade in notebook.grades:
                        item = key.items.get(grade.name)
                        if item is None:
                            continue
                        rows.append(ResponseRow(officer, item.answer_key, float(grade.score or 0.0),
                                                float(grade.max_score), answers.get(item.answer_key)))
    return rows, totals
