"""Fast exam grading (grade_exam) writes the same gradebook as nbgrader's own Autograde with ScoreAnswers.

The course is built with grading.build (nbgrader generate_assignment); submissions are laid out as
``nbgrader collect`` leaves them: submitted/<officer>/<assignment>/ with exam.ipynb, exam.json, answers.json and
timestamp.txt. The course and submission helpers are in tests/grading/helpers.py.
"""

from __future__ import annotations

import json
import random
import shutil
from pathlib import Path

import nbformat
import pytest

from grading.autograde import GradingError, load_exam_key, run_nbgrader_autograde
from grading.fast_grade import grade_exam
from tests.grading.helpers import ASSIGNMENT, edit_notebook, fresh, gradebook_state, responses, set_manual_score, submit

# --- tests ----------------------------------------------------------------------------------------------------


def _class(course: Path, paper: Path) -> dict[str, dict]:
    key = load_exam_key(paper, ASSIGNMENT)
    rng = random.Random(5)
    given = {}
    for n, quality in enumerate([1.0, 0.8, 0.5, 0.2, 0.0]):
        student = f"A{n + 1:04d}"
        given[student] = responses(key, rng, right=quality, blank={1.0: 0.0, 0.0: 1.0}.get(quality, 0.1))
        submit(course, student, given[student], case_text="当事人未被告知陈述申辩权利，程序违法。" if n % 2 else None)
    submit(course, "A0006", None)  # never clicked: no answers file at all
    return given


def test_fast_path_writes_what_nbgrader_autograde_writes(built, tmp_path):
    course, paper = fresh(built, tmp_path)
    _class(course, paper)
    # a tampered one too: locked question cell rewritten, points raised — both restored by both paths
    edit_notebook(course / "submitted" / "A0002" / ASSIGNMENT, lambda nb: [
        c.update(source="print('hacked')") or c["metadata"]["nbgrader"].update(points=99)
        for c in nb["cells"] if c["metadata"].get("nbgrader", {}).get("grade_id") == "q-qz-execution-001"])
    # and one with a question cell deleted (put back from the source by both paths, scored from answers.json)
    edit_notebook(course / "submitted" / "A0003" / ASSIGNMENT, lambda nb: nb.update(cells=[
        c for c in nb["cells"] if c["metadata"].get("nbgrader", {}).get("grade_id") != "q-qz-execution-004"]))
    stock_base = tmp_path / "stock"
    shutil.copytree(course.parent, stock_base)
    stock = stock_base / "course"

    run_nbgrader_autograde(stock, ASSIGNMENT)
    summary = grade_exam(course, ASSIGNMENT, progress=False)

    assert not summary.refused
    fast_state, stock_state = gradebook_state(course), gradebook_state(stock)
    assert set(fast_state) == {f"A{n:04d}" for n in range(1, 7)}
    assert fast_state == stock_state
    # the scores are real: the perfect officer has every objective point, the blank one none
    perfect = fast_state["A0001"]
    key = load_exam_key(paper, ASSIGNMENT)
    assert perfect["score"] == pytest.approx(sum(i.points for i in key.items.values()))
    assert fast_state["A0005"]["score"] == 0 and fast_state["A0006"]["score"] == 0
    assert 0 < fast_state["A0003"]["score"] < perfect["score"]
    # the case cells wait for a human grader when answered, and are 0 with "No response." when not
    case_cells = [n for n in perfect["grades"] if n.startswith("case-")]
    assert case_cells
    for name in case_cells:
        assert fast_state["A0002"]["grades"][name] == (None, None, True)
        assert fast_state["A0001"]["grades"][name] == (0.0, None, False)
        assert fast_state["A0001"]["comments"][name][0] == "No response."
    # the autograded notebooks carry the scores as execute_results, as nbgrader's own do (read as formgrader reads
    # them: nbformat joins texts stored as lists of lines, as nbgrader writes them, or as single strings, as we do)
    fast_nb = nbformat.read(course / "autograded" / "A0002" / ASSIGNMENT / "exam.ipynb", as_version=4)
    stock_nb = nbformat.read(stock / "autograded" / "A0002" / ASSIGNMENT / "exam.ipynb", as_version=4)

    def outputs(nb):
        return {c["metadata"]["nbgrader"]["grade_id"]: (c["source"], [o.get("data") for o in c.get("outputs", [])])
                for c in nb["cells"] if c["metadata"].get("nbgrader", {}).get("grade_id")}

    assert outputs(fast_nb) == outputs(stock_nb)
    assert outputs(fast_nb)["q-qz-execution-001"][0] == 'exam.status("qz-execution-001")'


def test_regrading_gives_the_same_result_and_keeps_manual_grades(built, tmp_path):
    course, paper = fresh(built, tmp_path)
    _class(course, paper)
    grade_exam(course, ASSIGNMENT, progress=False)
    first = gradebook_state(course)
    grade_exam(course, ASSIGNMENT, progress=False)
    assert gradebook_state(course) == first

    stock_base = tmp_path / "stock"
    shutil.copytree(course.parent, stock_base)
    stock = stock_base / "course"
    case_cell = next(n for n in first["A0002"]["grades"] if n.startswith("case-"))
    for root in (course, stock):
        set_manual_score(root, "A0002", case_cell, 5.0)
    grade_exam(course, ASSIGNMENT, progress=False)
    run_nbgrader_autograde(stock, ASSIGNMENT)
    after = gradebook_state(course)
    assert after == gradebook_state(stock)
    assert after["A0002"]["grades"][case_cell] == (None, 5.0, True)
    assert after["A0002"]["score"] == pytest.approx(first["A0002"]["score"] + 5.0)


def test_only_named_students_and_summary(built, tmp_path):
    course, paper = fresh(built, tmp_path)
    _class(course, paper)
    summary = grade_exam(course, ASSIGNMENT, students=["A0001", "A0003"], progress=False)
    assert [r.student for r in summary.results] == ["A0001", "A0003"]
    assert set(gradebook_state(course)) == {"A0001", "A0003"}
    assert all(r.error is None and r.score is not None for r in summary.results)
    assert "评分 2 份" in summary.text()


def test_answers_are_scored_by_option_id_not_position(built, tmp_path):
    """Every officer sees their own order; the file holds the bank's letters, so the same letters score the same."""
    course, paper = fresh(built, tmp_path)
    key = load_exam_key(paper, ASSIGNMENT)
    right = responses(key, random.Random(1), right=1.0, blank=0.0)
    for student in ("B0001", "B0002", "B0003"):
        submit(course, student, right)
    summary = grade_exam(course, ASSIGNMENT, progress=False)
    scores = {r.student: r.score for r in summary.results}
    assert len(set(scores.values())) == 1
    assert scores["B0001"] == pytest.approx(sum(i.points for i in key.items.values()))


def test_multiple_rule_of_the_paper_is_used(built, tmp_path):
    course, paper = fresh(built, tmp_path)
    key = load_exam_key(paper, ASSIGNMENT)
    multiple = [i for i in key.items.values() if i.section == "multiple"]
    partial = {i.answer_key: sorted(i.target.answer)[:1] for i in multiple}
    submit(course, "C0001", partial)
    summary = grade_exam(course, ASSIGNMENT, progress=False)
    assert summary.results[0].score == pytest.approx(sum(i.points for i in multiple) / 2)  # partial_half


def test_nbgrader_autograde_command_with_the_config_snippet(built, tmp_path):
    """The real ``nbgrader autograde`` command, configured by CONFIG_SNIPPET in nbgrader_config.py."""
    import os
    import subprocess
    import sys

    from grading.autograde import CONFIG_SNIPPET

    course, paper = fresh(built, tmp_path)
    key = load_exam_key(paper, ASSIGNMENT)
    marker = tmp_path / "ran"
    submit(course, "K0001", responses(key, random.Random(9), right=0.6))
    edit_notebook(course / "submitted" / "K0001" / ASSIGNMENT, lambda nb: nb["cells"].insert(
        3, {"cell_type": "code", "metadata": {}, "outputs": [], "execution_count": None,
            "source": f"open({str(marker)!r}, 'w').write('ran')"}))
    fast_copy = tmp_path / "fast"
    shutil.copytree(course.parent, fast_copy)
    with open(course / "nbgrader_config.py", "a", encoding="utf-8") as handle:
        handle.write("\n" + CONFIG_SNIPPET)
    bin_dir = Path(sys.executable).parent
    env = {**os.environ, "PYTHONPATH": str(Path(__file__).resolve().parents[2]),
           "PATH": f"{bin_dir}{os.pathsep}{os.environ.get('PATH', '')}"}
    proc = subprocess.run([str(bin_dir / "nbgrader"), "autograde", ASSIGNMENT, "--force"], cwd=course, env=env,
                          capture_output=True, text=True, timeout=300)
    assert proc.returncode == 0, proc.stderr[-2000:]
    assert "Executing notebook" not in proc.stderr  # no kernel was started
    assert not marker.exists()
    grade_exam(fast_copy / "course", ASSIGNMENT, progress=False)
    assert gradebook_state(course) == gradebook_state(fast_copy / "course")


def test_missing_paper_is_a_clear_error(built, tmp_path):
    course, paper = fresh(built, tmp_path)
    paper.unlink()
    with pytest.raises(GradingError, match="找不到"):
        grade_exam(course, ASSIGNMENT, progress=False)


def test_worker_processes_write_what_one_process_writes(built, tmp_path):
    """Reading and scoring in forked workers (the gradebook written by the main process) changes nothing."""
    course, paper = fresh(built, tmp_path)
    _class(course, paper)
    bad = submit(course, "A0007", {})
    (bad / "answers.json").unlink()
    (bad / "answers.json").mkdir()
    other_base = tmp_path / "one"
    shutil.copytree(course.parent, other_base)
    many = grade_exam(course, ASSIGNMENT, progress=False, workers=2)
    one = grade_exam(other_base / "course", ASSIGNMENT, progress=False, workers=1)
    assert many.workers == 2 and one.workers == 1
    assert [(r.student, r.score, r.error) for r in many.results] == [(r.student, r.score, r.error) for r in one.results]
    assert [r.student for r in many.refused] == ["A0007"] and "是一个文件夹" in many.refused[0].error
    assert gradebook_state(course) == gradebook_state(other_base / "course")
    for student in ("A0001", "A0002"):
        a = json.loads((course / "autograded" / student / ASSIGNMENT / "exam.ipynb").read_text())
        b = json.loads((other_base / "course" / "autograded" / student / ASSIGNMENT / "exam.ipynb").read_text())
        strip = [{k: v for k, v in c.items() if k != "id"} for c in a["cells"]]
        assert strip == [{k: v for k, v in c.items() if k != "id"} for c in b["cells"]]
