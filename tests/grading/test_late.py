"""nbgrader's late-submission policy in the fast grader, exactly as stock nbgrader's Autograde applies it: the
assignment's due date in the gradebook, the submission's timestamp.txt (or extension), the configured plugin."""

from __future__ import annotations

import random
import shutil

import pytest
from nbgrader.plugins import LateSubmissionPlugin

from grading.autograde import load_exam_key, run_nbgrader_autograde
from grading.fast_grade import grade_exam
from grading.feedback import render_markdown, reports
from tests.grading.helpers import ASSIGNMENT, fresh, gradebook_state, responses, submit


class FivePointsAnHour(LateSubmissionPlugin):
    """A site's own plugin: 5 points per started hour late (nbgrader keeps it between 0 and the score)."""

    def late_submission_penalty(self, student_id, score, total_seconds_late):
        return 5.0 * (int(total_seconds_late // 3600) + 1)


def _course(built, tmp_path, config: str):
    from nbgrader.api import Gradebook

    course, paper = fresh(built, tmp_path)
    key = load_exam_key(paper, ASSIGNMENT)
    rng = random.Random(4)
    stamps = {"L0001": "2026-11-23 09:00:00.000000 UTC",  # before the due date
              "L0002": "2026-11-23 09:30:00.000000 UTC",  # on it
              "L0003": "2026-11-23 09:40:00.000000 UTC",  # 10 minutes late
              "L0004": "2026-11-23 13:00:00.000000 UTC",  # hours late
              "L0005": "2026-11-23 10:00:00.000000 UTC"}  # late, but within his extension
    for officer, stamp in stamps.items():
        folder = submit(course, officer, responses(key, rng, right=0.8), case_text="程序违法。")
        (folder / "timestamp.txt").write_text(stamp)
    submit(course, "L0006", {})  # late with nothing right: penalty capped at a score of 0
    (course / "submitted" / "L0006" / ASSIGNMENT / "timestamp.txt").write_text("2026-11-24 09:00:00 UTC")
    with Gradebook(f"sqlite:///{course / 'gradebook.db'}", "academy") as gb:
        gb.update_or_create_assignment(ASSIGNMENT, duedate="2026-11-23 09:30:00 UTC")
        gb.update_or_create_student("L0005")
        gb.add_submission(ASSIGNMENT, "L0005")
        sub = gb.find_submission(ASSIGNMENT, "L0005")
        import datetime as dt

        sub.extension = dt.timedelta(hours=1)
        gb.db.commit()
    with open(course / "nbgrader_config.py", "a", encoding="utf-8") as handle:
        handle.write("\n" + config + "\n")
    stock = tmp_path / "stock"
    shutil.copytree(course.parent, stock)
    return course, stock / "course"


@pytest.mark.parametrize("config, late", [
    ('c.LateSubmissionPlugin.penalty_method = "zero"', {"L0003", "L0004", "L0006"}),
    (f'c.AssignLatePenalties.plugin_class = "{__name__}.FivePointsAnHour"', {"L0003", "L0004", "L0006"}),
    ("", set()),  # nbgrader's default: no penalty
])
def test_late_penalties_are_stock_nbgraders(built, tmp_path, config, late):
    course, stock = _course(built, tmp_path, config)
    run_nbgrader_autograde(stock, ASSIGNMENT)
    summary = grade_exam(course, ASSIGNMENT, progress=False)
    assert not summary.refused
    fast, expected = gradebook_state(course), gradebook_state(stock)
    assert fast == expected
    penalised = {o for o, s in fast.items() if s["late_penalty"]}
    assert penalised == (late - {"L0006"})  # L0006 scored 0: a penalty of 0
    if "zero" in config:
        assert all(fast[o]["late_penalty"] == pytest.approx(fast[o]["score"]) for o in late)
    if "FivePoints" in config:
        assert fast["L0003"]["late_penalty"] == 5.0 and fast["L0004"]["late_penalty"] == 20.0
    by = {r.officer: r for r in reports(course, ASSIGNMENT)}
    for officer in late - {"L0006"}:
        assert by[officer].penalty == pytest.approx(fast[officer]["late_penalty"])
        assert "迟交扣分" in render_markdown(by[officer])
    # re-grading (manual scores kept) gives stock's answer again
    grade_exam(course, ASSIGNMENT, progress=False)
    run_nbgrader_autograde(stock, ASSIGNMENT)
    assert gradebook_state(course) == gradebook_state(stock)


@pytest.mark.parametrize("text", ["2026-11-23 09:00:00.000000 UTC", "2026-11-23 09:00:00 UTC",
                                  "2026-02-28 23:59:59.999999 UTC", "2026-11-23 17:00:00.000000 +0800",
                                  "2026-11-23T09:00:00", " 2026-11-23 09:00:00.5 UTC\n", "2026-13-45 09:00:00 UTC",
                                  "tomorrow"])
def test_timestamps_are_read_as_nbgrader_reads_them(tmp_path, text):
    """timestamp.txt read by the fast grader (which skips dateutil for nbgrader's own format) gives nbgrader's
    ``parse_utc`` value, or a refusal where nbgrader cannot read it either."""
    from nbgrader.utils import parse_utc

    from grading.autograde import GradingError
    from grading.fast_grade import _timestamp
    from grading.submission_files import SubmissionFolder

    (tmp_path / "timestamp.txt").write_text(text)
    try:
        expected = parse_utc(text.strip())
    except (ValueError, OverflowError):
        expected = None
    with SubmissionFolder(tmp_path) as folder:
        if expected is None:
            with pytest.raises(GradingError, match="timestamp.txt 无效"):
                _timestamp(folder)
        else:
            assert _timestamp(folder) == expected
