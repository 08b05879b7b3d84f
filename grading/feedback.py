"""Feedback for each officer: total, pass or fail, and the score of each section — never a key, never 解析.

Read from the nbgrader gradebook (autograde scores, and formgrader's manual scores of 案例分析 answers), so it is
written after grading and again after manual grading. Files go where nbgrader's own ``generate_feedback`` puts
them, ``feedback/<officer>/<assignment>/exam.html``, with what stock ``nbgrader release_feedback`` reads beside it
(``timestamp.txt``, and ``submission_secret.txt``, under whose hash it files the page in the exchange, copied from the
autograded or submitted folder as nbgrader's own generate_feedback does), so that ``nbgrader release_feedback`` /
``fetch_feedback`` hand them out as they are; a Markdown twin ``exam.md`` is written beside it.

What a report holds is built from the gradebook's numbers and the paper's section titles only: no question text,
no option, no key, no explanation or rubric can reach it.
"""

from __future__ import annotations

import html
from dataclasses import dataclass, field
from pathlib import Path
from typing import Iterable

from grading.autograde import ExamKey, course_config, find_paper, load_exam_key
from grading.findings import load_findings


@dataclass
class SectionResult:
    id: str
    title: str
    earned: float = 0.0
    max: float = 0.0
    questions: int = 0  # automatically graded items
    full_marks: int = 0  # items with every point
    pending: int = 0  # answers still waiting for a human grader
    pending_points: float = 0.0  # the most those answers can still add


@dataclass
class Report:
    officer: str
    assignment: str
    title: str
    total: float
    max: float
    pass_mark: float
    penalty: float = 0.0
    sections: list[SectionResult] = field(default_factory=list)
    refused: str | None = None  # the reason, when grading refused the submission (grading/findings.py)
    flags: list[str] = field(default_factory=list)  # 需核查 reasons found when grading

    @property
    def pending(self) -> int:
        return sum(s.pending for s in self.sections)

    @property
    def pending_points(self) -> float:
        return sum(s.pending_points for s in self.sections)

    @property
    def passed(self) -> bool | None:
        """None when refused, or while manual grading is not finished and its points could still change the outcome
        (total below the pass mark, total plus the pending answers' points reaching it)."""
        if self.refused is not None:
            return None
        if self.total >= self.pass_mark - 1e-9:
            return True
        if self.pending and self.total + self.pending_points >= self.pass_mark - 1e-9:
            return None
        return False

    @property
    def verdict(self) -> str:
        if self.refused is not None:
            return f"拒绝评分：{self.refused}"
        return {True: "合格", False: "不合格", None: "待定（案例分析题尚待人工评分）"}[self.passed]


def _num(x: float) -> str:
    x = round(float(x), 2)
    return str(int(x)) if x.is_integer() else f"{x:g}"


def reports(course_root: str | Path, assignment: str, students: Iterable[str] | None = None,
            paper: str | Path | None = None, bank: list[str] | None = None) -> list[Report]:
    """The report of every graded submission of ``assignment`` (or of ``students``), from the gradebook."""
    from nbgrader.api import Assignment, BaseCell, Grade, Gradebook, SubmittedAssignment, SubmittedNotebook
    from nbgrader.coursedir import CourseDirectory
    from sqlalchemy import select

    coursedir = CourseDirectory(config=course_config(course_root))
    key = load_exam_key(paper or find_paper(coursedir.root, assignment), assignment, bank)
    wanted = set(students) if students is not None else None
    rows: dict[str, list] = {}
    penalties: dict[str, dict[str, float]] = {}  # officer -> submitted notebook -> late penalty
    with Gradebook(coursedir.db_url, coursedir.course_id) as gb:
        query = (select(SubmittedAssignment.student_id, SubmittedNotebook.id, BaseCell.name, Grade.auto_score, Grade.manual_score,
                        Grade.extra_credit, Grade.needs_manual_grade, SubmittedNotebook.late_submission_penalty)
                 .join(SubmittedNotebook, Grade.notebook_id == SubmittedNotebook.id)
                 .join(SubmittedAssignment, SubmittedNotebook.assignment_id == SubmittedAssignment.id)
                 .join(Assignment, SubmittedAssignment.assignment_id == Assignment.id)
                 .join(BaseCell, Grade.cell_id == BaseCell.id)
                 .where(Assignment.name == assignment))
        for student, notebook, name, auto, manual, extra, needs, penalty in gb.db.execute(query):
            if wanted is not None and student not in wanted:
                continue
            rows.setdefault(student, []).append((notebook, name, auto, manual, extra, needs))
            penalties.setdefault(student, {})[notebook] = penalty or 0.0
    findings = load_findings(coursedir.root, assignment)
    out = []
    for student in sorted(rows):
        report = _report(student, [r[1:] for r in rows[student]], sum(penalties[student].values()), key)
        report.refused = findings.refused.get(student)
        report.flags = findings.flags.get(student, [])
        out.append(report)
    return out


def _report(student: str, grades: list, penalty: float, key: ExamKey) -> Report:
    totals = key.section_totals()
    sections = {sid: SectionResult(sid, title, max=totals[sid]) for sid, title in key.sections}
    for name, auto, manual, extra, needs in grades:
        sid = key.section_of(name)
        if sid is None:
            continue
        item = key.items.get(name) or key.manual.get(name)
        earned = (manual if manual is not None else auto or 0.0) + (extra or 0.0)
        s = sections[sid]
        s.earned += earned
        if name in key.items:
            s.questions += 1
            s.full_marks += earned >= item.points - 1e-9
        # waiting for a grader: no manual score yet (a re-grade marks graded answers for review, as stock nbgrader
        # does, but a manual score given stands)
        if manual is None and (needs or (name in key.manual and auto is None)):
            s.pending += 1
            s.pending_points += max(0.0, item.points - earned)
    total = max(0.0, sum(s.earned for s in sections.values()) - penalty)
    return Report(student, key.assignment, key.title, round(total, 6), key.total, key.pass_mark, penalty,
                  list(sections.values()))


REFUSED_NOTE = "本次提交未能评分，没有成绩。如有疑问，请联系考试管理员。"


def render_markdown(report: Report) -> str:
    if report.refused is not None:
        return "\n".join([f"# {report.title} 成绩反馈", "", f"- 考生：{report.officer}",
                          f"- 结论：**{report.verdict}**", "", REFUSED_NOTE]) + "\n"
    lines = [f"# {report.title} 成绩反馈", "",
             f"- 考生：{report.officer}",
             f"- 总分：**{_num(report.total)}** / {_num(report.max)}（及格分 {_num(report.pass_mark)}）",
             f"- 结论：**{report.verdict}**"]
    if report.penalty:
        lines.append(f"- 迟交扣分：{_num(report.penalty)}")
    lines += ["", "| 部分 | 得分 | 满分 | 得满分的题 | 待人工评分 |", "|---|---|---|---|---|"]
    for s in report.sections:
        full = f"{s.full_marks} / {s.questions}" if s.questions else "—"
        lines.append(f"| {s.title} | {_num(s.earned)} | {_num(s.max)} | {full} | {s.pending or '—'} |")
    lines += ["", "本反馈只列出各部分得分，不提供标准答案与解析。"]
    return "\n".join(lines) + "\n"


def render_html(report: Report) -> str:
    e = html.escape
    if report.refused is not None:
        return f"""<!DOCTYPE html>
<html lang="zh-CN"><head><meta charset="utf-8"><title>{e(report.title)} 成绩反馈</title></head>
<body style="font-family:sans-serif;max-width:42em;margin:2em auto">
<h1>{e(report.title)} 成绩反馈</h1>
<p>考生：{e(report.officer)}</p>
<p>结论：<strong style="color:#cf222e">{e(report.verdict)}</strong></p>
<p>{REFUSED_NOTE}</p>
</body></html>
"""
    rows = "\n".join(
        f"<tr><td>{e(s.title)}</td><td>{_num(s.earned)}</td><td>{_num(s.max)}</td>"
        f"<td>{f'{s.full_marks} / {s.questions}' if s.questions else '—'}</td><td>{s.pending or '—'}</td></tr>"
        for s in report.sections)
    colour = {True: "#1a7f37", False: "#cf222e", None: "#9a6700"}[report.passed]
    penalty = f"<p>迟交扣分：{_num(report.penalty)}</p>" if report.penalty else ""
    return f"""<!DOCTYPE html>
<html lang="zh-CN"><head><meta charset="utf-8"><title>{e(report.title)} 成绩反馈</title>
<style>body{{font-family:sans-serif;max-width:42em;margin:2em auto}}table{{border-collapse:collapse}}
td,th{{border:1px solid #ccc;padding:.3em .8em;text-align:center}}</style></head>
<body>
<h1>{e(report.title)} 成绩反馈</h1>
<p>考生：{e(report.officer)}</p>
<p>总分：<strong>{_num(report.total)}</strong> / {_num(report.max)}（及格分 {_num(report.pass_mark)}）</p>
<p>结论：<strong style="color:{colour}">{e(report.verdict)}</strong></p>
{penalty}<table>
<tr><th>部分</th><th>得分</th><th>满分</th><th>得满分的题</th><th>待人工评分</th></tr>
{rows}
</table>
<p>本反馈只列出各部分得分，不提供标准答案与解析。</p>
</body></html>
"""


def write_feedback(course_root: str | Path, assignment: str, students: Iterable[str] | None = None,
                   paper: str | Path | None = None, bank: list[str] | None = None) -> list[Path]:
    """feedback/<officer>/<assignment>/exam.html (+ exam.md, timestamp.txt, submission_secret.txt) for each graded
    officer. A submission that did not come through the exchange (collected from the 学堂服务) has no secret: its
    feedback is read where it is written, nbgrader's release_feedback has nothing to file it under."""
    from nbgrader.coursedir import CourseDirectory

    coursedir = CourseDirectory(config=course_config(course_root))
    written = []
    for report in reports(course_root, assignment, students, paper, bank):
        folder = Path(coursedir.format_path(coursedir.feedback_directory, report.officer, assignment))
        folder.mkdir(parents=True, exist_ok=True)
        (folder / "exam.html").write_bytes(render_html(report).encode("utf-8", "backslashreplace"))
        (folder / "exam.md").write_bytes(render_markdown(report).encode("utf-8", "backslashreplace"))
        submitted = Path(coursedir.format_path(coursedir.submitted_directory, report.officer, assignment))
        autograded = Path(coursedir.format_path(coursedir.autograded_directory, report.officer, assignment))
        for name in ("timestamp.txt", "submission_secret.txt"):
            data = _submission_file(autograded, name) or _submission_file(submitted, name)
            if data is not None:
                (folder / name).write_bytes(data)
            elif (folder / name).is_file():  # left from an earlier submission: it would file this one wrongly
                (folder / name).unlink()
        written.append(folder / "exam.html")
    return written


def _submission_file(folder: Path, name: str) -> bytes | None:
    """A small file of the submission, read as grading reads it (never following a symlink, a regular file only);
    None when there is none usable."""
    from grading.errors import GradingError
    from grading.submission_files import SubmissionFolder

    try:
        with SubmissionFolder(folder) as opened:
            return opened.read(name, 1024, name)
    except GradingError:
        return None
