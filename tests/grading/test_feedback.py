"""Feedback per officer: total, pass/fail, per-section scores — and never a key, an explanation or a rubric."""

from __future__ import annotations

import random

import pytest

from grading.autograde import load_exam_key
from grading.fast_grade import grade_exam
from grading.feedback import render_markdown, reports, write_feedback
from questionbank.loading import load_bank
from questionbank.scoring import key_text
from tests.grading.helpers import ASSIGNMENT, fresh, responses, set_manual_score, submit


def _secrets(paper_path) -> list[str]:
    """Texts that would give a key away: explanations, reference answers, rubric points, single-choice keys."""
    key = load_exam_key(paper_path, ASSIGNMENT)
    by_id = load_bank().by_id()
    qids = {i.answer_key.split("/")[0] for i in key.items.values()} | {m.question for m in key.manual.values()}
    out = []
    for qid in qids:
        q = by_id[qid]
        out += [q.explanation] if q.explanation else []
        if q.type == "single":
            out.append(key_text(q))
        for p in q.parts:
            out += [p.reference] if p.reference else []
            out += [r.point for r in p.rubric]
            if p.type == "single":
                out.append(key_text(p))
    return [s for s in out if len(s) >= 4]


@pytest.fixture
def graded(built, tmp_path):
    course, paper = fresh(built, tmp_path)
    key = load_exam_key(paper, ASSIGNMENT)
    submit(course, "F0001", responses(key, random.Random(1), right=1.0, blank=0.0), case_text="程序违法。")
    submit(course, "F0002", responses(key, random.Random(2), right=0.0, blank=0.0))
    grade_exam(course, ASSIGNMENT, progress=False)
    return course, paper, key


def test_report_totals_verdict_and_sections(graded):
    course, paper, key = graded
    by = {r.officer: r for r in reports(course, ASSIGNMENT)}
    best, worst = by["F0001"], by["F0002"]
    auto_max = sum(i.points for i in key.items.values())
    assert best.total == pytest.approx(auto_max)
    assert best.max == 100 and best.pass_mark == 60
    # 82 points of 100 automatically: passed already, whatever the case answer gets
    assert best.passed is True and best.verdict == "合格"
    assert [s.id for s in best.sections] == ["single", "multiple", "judge", "case"]
    assert sum(s.max for s in best.sections) == pytest.approx(100)
    single = best.sections[0]
    assert (single.earned, single.max, single.full_marks, single.questions) == (20, 20, 4, 4)
    assert best.sections[3].pending == 1  # the written case answer waits for formgrader
    assert worst.sections[0].earned == 0 and worst.sections[0].full_marks == 0
    assert 0 < worst.total < 60  # half credit for fewer options without a wrong one (partial_half)
    assert worst.passed is False  # unanswered case part: 0 and nothing pending; cannot reach 60
    md = render_markdown(best)
    assert "总分：**82** / 100" in md and "合格" in md and "单项选择题 | 20 | 20 | 4 / 4" in md


def test_verdict_waits_for_manual_grading_when_it_matters(built, tmp_path):
    course, paper = fresh(built, tmp_path)
    key = load_exam_key(paper, ASSIGNMENT)
    answers = responses(key, random.Random(3), right=1.0, blank=0.0)
    for item in [i for i in key.items.values() if i.section in ("single", "judge")][:5]:
        answers.pop(item.answer_key)  # 5 × 5 points missed: 57 points automatically
    submit(course, "F0003", answers, case_text="处罚决定程序违法，应当撤销。")
    grade_exam(course, ASSIGNMENT, progress=False)
    (report,) = reports(course, ASSIGNMENT, ["F0003"])
    assert report.total == pytest.approx(57) and report.passed is None and "待定" in report.verdict
    case_cell = next(iter(key.manual))
    set_manual_score(course, "F0003", case_cell, 10)
    (report,) = reports(course, ASSIGNMENT, ["F0003"])
    assert report.total == pytest.approx(67) and report.passed is True


def test_feedback_files_hold_no_key(graded):
    course, paper, key = graded
    written = write_feedback(course, ASSIGNMENT)
    assert [p.parent.parent.name for p in written] == ["F0001", "F0002"]
    secrets = _secrets(paper)
    assert len(secrets) > 10
    for path in written:
        for f in (path, path.with_suffix(".md")):
            text = f.read_text(encoding="utf-8")
            assert "成绩反馈" in text
            leaked = [s for s in secrets if s in text]
            assert not leaked, f"{f} shows {leaked[:3]}"
        assert (path.parent / "timestamp.txt").exists()  # release_feedback needs it


def test_nbgrader_generate_feedback_reveals_no_key(graded):
    """nbgrader's own feedback renders the autograded notebook: there are no hidden tests or keys in it."""
    from nbgrader.apps import NbGraderAPI
    from nbgrader.coursedir import CourseDirectory

    from grading.autograde import course_config

    course, paper, key = graded
    config = course_config(course)
    api = NbGraderAPI(coursedir=CourseDirectory(config=config), config=config)
    result = api.generate_feedback(ASSIGNMENT, "F0001")
    assert result["success"], result.get("error")
    html = (course / "feedback" / "F0001" / ASSIGNMENT / "exam.html").read_text(encoding="utf-8")
    assert "status" in html and "案例分析" in html  # it is the exam notebook
    leaked = [s for s in _secrets(paper) if s in html]
    assert not leaked
    assert "HIDDEN TESTS" not in html and "assert " not in html


def test_pending_answers_that_cannot_change_the_verdict_leave_it_final(built, tmp_path):
    """待定 only when total + the pending answers' points reach the pass mark: else 不合格 is final."""
    course, paper = fresh(built, tmp_path)
    key = load_exam_key(paper, ASSIGNMENT)
    submit(course, "F0004", responses(key, random.Random(4), right=0.0, blank=0.0), case_text="不知道。")
    grade_exam(course, ASSIGNMENT, progress=False)
    (report,) = reports(course, ASSIGNMENT, ["F0004"])
    manual = sum(m.points for m in key.manual.values())
    assert report.pending == len(key.manual) and report.pending_points == pytest.approx(manual)
    assert report.total + manual < report.pass_mark
    assert report.passed is False and report.verdict == "不合格"
    assert "待定" not in render_markdown(report)
