"""Exam results from the gradebook: one row per officer (for xlsx/csv and 考试结果登记), and the per-question
responses that item statistics need (points from the gradebook, the chosen options from each answers.json)."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pandas as pd

from grading.autograde import GradingError, course_config, load_exam_key, read_answers
from grading.feedback import Report, reports
from grading.findings import load_findings
from grading.item_stats import ResponseRow
from grading.paper import Paper, load_paper

VERDICT = {True: "是", False: "否", None: "待定"}


@dataclass
class OfficerResult:
    """One officer's result of one sitting (every form of the paper): one report, or two forms to be checked."""

    officer: str
    reports: list[Report]  # one per form the officer has a submission in, in paper order

    @property
    def forms(self) -> list[str]:
        return [r.assignment for r in self.reports]

    @property
    def two_forms(self) -> bool:
        return len(self.reports) > 1

    @property
    def report(self) -> Report | None:
        """The report, when there is exactly one."""
        return self.reports[0] if len(self.reports) == 1 else None

    @property
    def refused(self) -> str | None:
        return None if self.two_forms else self.reports[0].refused

    @property
    def flags(self) -> list[str]:
        return [f for r in self.reports for f in r.flags]

    @property
    def status(self) -> str:
        """two_forms, refused, pending, passed or failed."""
        if self.two_forms:
            return "two_forms"
        report = self.reports[0]
        if report.refused is not None:
            return "refused"
        return {True: "passed", False: "failed", None: "pending"}[report.passed]

    @property
    def verdict(self) -> str:
        if self.two_forms:
            return f"提交了两套试卷（{'、'.join(self.forms)}），请核查"
        return self.reports[0].verdict


def officer_results(course_root: str | Path, paper_path: str | Path) -> list[OfficerResult]:
    """One result per officer of the sitting, sorted by officer: the forms' reports merged."""
    by_officer: dict[str, list[Report]] = {}
    for report in officer_reports(course_root, paper_path):
        by_officer.setdefault(report.officer, []).append(report)
    return [OfficerResult(officer, by_officer[officer]) for officer in sorted(by_officer)]


def officer_reports(course_root: str | Path, paper_path: str | Path) -> list[Report]:
    """Every report of every form (an officer with two forms has two)."""
    paper = load_paper(paper_path)
    return [r for form in paper.forms for r in reports(course_root, form.assignment, paper=paper_path)]


def results_table(course_root: str | Path, paper_path: str | Path) -> pd.DataFrame:
    """One row per officer: 人员编号, 试卷, 总分, 满分, 合格分, 是否通过, 结论, 需核查 and a column per section.

    A refused submission has no score and 结论 「拒绝评分：<原因>」; an officer with submissions in two forms has one
    row, no score, 是否通过 待核查 and 结论 「提交了两套试卷（…），请核查」.
    """
    rows = []
    for result in officer_results(course_root, paper_path):
        row: dict[str, Any] = {"人员编号": result.officer, "试卷": "、".join(result.forms), "结论": result.verdict,
                               "需核查": "；".join(result.flags)}
        report = result.report
        if result.status in ("two_forms", "refused"):
            row.update({"满分": round(result.reports[0].max, 2), "合格分": result.reports[0].pass_mark,
                        "是否通过": "待核查" if result.two_forms else "拒绝评分"})
        else:
            row.update({"总分": round(report.total, 2), "满分": round(report.max, 2), "合格分": report.pass_mark,
                        "是否通过": VERDICT[report.passed]})
            for section in report.sections:
                row[section.title] = round(section.earned, 2)
            if report.pending:
                row["待人工评分"] = report.pending
        rows.append(row)
    columns = ["人员编号", "试卷", "总分", "满分", "合格分", "是否通过", "结论", "需核查"]
    frame = pd.DataFrame(rows)
    if frame.empty:
        return frame
    for column in columns:
        if column not in frame.columns:
            frame[column] = None
    return frame[columns + [c for c in frame.columns if c not in columns]]


def write_results(table: pd.DataFrame, fmt: str, output: Path) -> None:
    output.parent.mkdir(parents=True, exist_ok=True)
    if fmt == "csv":
        table.to_csv(output, index=False, encoding="utf-8-sig")
    elif fmt == "xlsx":
        table.to_excel(output, index=False, sheet_name="考试成绩")
    else:
        raise ValueError(f"不支持的格式 {fmt}（xlsx / csv）")


@dataclass
class FormResponses:
    """What item statistics take of one form: each counted officer's points per automatically graded item and the
    option(s) chosen, each officer's total, and who was left out (Chinese reason)."""

    assignment: str
    rows: list[ResponseRow] = field(default_factory=list)
    totals: dict[str, float] = field(default_factory=dict)
    left_out: dict[str, str] = field(default_factory=dict)


def form_responses(course_root: str | Path, paper_path: str | Path) -> list[FormResponses]:
    """Per form of the paper, the responses of the officers whose submission counts: graded in the gradebook, not
    refused (grading/findings.py), and not one of two forms handed in by the same officer."""
    from nbgrader.api import Gradebook, MissingEntry
    from nbgrader.coursedir import CourseDirectory

    paper: Paper = load_paper(paper_path)
    coursedir = CourseDirectory(config=course_config(course_root))
    out: list[FormResponses] = []
    with Gradebook(coursedir.db_url, coursedir.course_id) as gb:
        submissions = {}
        for form in paper.forms:
            try:
                submissions[form.assignment] = list(gb.find_assignment(form.assignment).submissions)
            except MissingEntry:  # a form nobody sat (or not built)
                submissions[form.assignment] = []
        forms_of: dict[str, int] = {}
        for subs in submissions.values():
            for sub in subs:
                forms_of[sub.student.id] = forms_of.get(sub.student.id, 0) + 1
        for form in paper.forms:
            key = load_exam_key(paper_path, form.assignment)
            refused = load_findings(coursedir.root, form.assignment).refused
            result = FormResponses(form.assignment)
            for submission in submissions[form.assignment]:
                officer = submission.student.id
                if officer in refused:
                    result.left_out[officer] = "拒绝评分"
                    continue
                if forms_of[officer] > 1:
                    result.left_out[officer] = "提交了两套试卷"
                    continue
                folder = Path(coursedir.format_path(coursedir.submitted_directory, officer, form.assignment))
                try:
                    answers = read_answers(folder, officer, key)
                except GradingError:
                    answers = {}
                result.totals[officer] = float(submission.score)
                for notebook in submission.notebooks:
                    for grade in notebook.grades:
                        item = key.items.get(grade.name)
                        if item is None:
                            continue
                        result.rows.append(ResponseRow(officer, item.answer_key, float(grade.score or 0.0),
                                                       float(grade.max_score), answers.get(item.answer_key)))
            out.append(result)
    return out
