"""Tampered submissions: each is graded right or refused with a clear Chinese reason — and nothing of it ever runs.

Every tampered officer answers exactly like an honest one (``HONEST``); "graded right" means the same per-cell
grades as the honest officer's.
"""

from __future__ import annotations

import json
import random
from pathlib import Path

import pytest

from grading import fast_grade as grade_module
from grading.autograde import load_exam_key, run_nbgrader_autograde
from grading.fast_grade import grade_exam
from grading.sanitize import metadata_valid
from tests.grading.helpers import ASSIGNMENT, edit_notebook, fresh, gradebook_state, responses, submit

HONEST = "H0000"


def _cells(nb, prefix):
    return [c for c in nb["cells"] if c["metadata"].get("nbgrader", {}).get("grade_id", "").startswith(prefix)]


@pytest.fixture
def course(built, tmp_path):
    course, paper = fresh(built, tmp_path)
    key = load_exam_key(paper, ASSIGNMENT)
    answers = responses(key, random.Random(11), right=0.7, blank=0.1)
    submit(course, HONEST, answers)
    return course, key, answers, tmp_path / "pwned"


def _grades(state, student):
    return {k: v for k, v in state[student]["grades"].items()}


def _graded_like_honest(course, student):
    summary = grade_exam(course, ASSIGNMENT, progress=False)
    refused = {r.student: r.error for r in summary.refused}
    assert student not in refused, refused.get(student)
    state = gradebook_state(course)
    assert _grades(state, student) == _grades(state, HONEST)
    return state


def _refused(course, student, match):
    summary = grade_exam(course, ASSIGNMENT, progress=False)
    errors = {r.student: r.error for r in summary.refused}
    assert student in errors, "not refused"
    assert match in errors[student]
    assert HONEST not in errors
    state = gradebook_state(course)
    assert all(a is None and needs for a, _m, needs in state[student]["grades"].values())
    assert not (course / "autograded" / student / ASSIGNMENT).exists()
    return errors[student]


def _payload(marker: Path) -> str:
    return f"open({str(marker)!r}, 'w').write('ran')\n"


# --- cells --------------------------------------------------------------------------------------------------------


def test_edited_locked_cells_are_restored_and_never_run(course):
    course, key, answers, marker = course
    folder = submit(course, "T0001", answers)

    def change(nb):
        for cell in _cells(nb, "q-") + _cells(nb, "session") + _cells(nb, "section-"):
            cell["source"] = _payload(marker) + "1"
        _cells(nb, "intro")[0]["source"] = "# 我改了标题"

    edit_notebook(folder, change)
    _graded_like_honest(course, "T0001")
    assert not marker.exists()
    autograded = json.loads((course / "autograded" / "T0001" / ASSIGNMENT / "exam.ipynb").read_text())
    assert not any("open(" in "".join(c["source"]) for c in autograded["cells"])


def test_edited_points_are_restored(course):
    course, key, answers, marker = course
    folder = submit(course, "T0002", answers)
    edit_notebook(folder, lambda nb: [c["metadata"]["nbgrader"].update(points=1000)
                                      for c in _cells(nb, "q-") + _cells(nb, "case-")])
    state = _graded_like_honest(course, "T0002")
    assert state["T0002"]["max_score"] == 100


@pytest.mark.parametrize("change, reason", [
    (lambda m: m.update(grade=False), "元数据"),  # a question cell no longer graded
    (lambda m: m.update(solution=True), "元数据"),  # a question cell turned into an answer cell
    (lambda m: m.update(schema_version=2), "元数据"),
    (lambda m: m.update(points="many"), "元数据"),
    (lambda m: m.update(extra="x"), "元数据"),
    (lambda m: m.pop("grade_id"), "元数据"),
])
def test_edited_cell_metadata_is_refused(course, change, reason):
    course, key, answers, marker = course
    folder = submit(course, "T0003", answers)
    edit_notebook(folder, lambda nb: change(_cells(nb, "q-")[0]["metadata"]["nbgrader"]))
    _refused(course, "T0003", reason)


def test_a_forged_grade_cell_is_refused(course):
    course, key, answers, marker = course
    folder = submit(course, "T0004", answers)

    def forge(nb):
        cell = json.loads(json.dumps(_cells(nb, "q-")[0]))
        cell["metadata"]["nbgrader"]["grade_id"] = "q-bonus"
        cell["metadata"]["nbgrader"]["points"] = 50
        nb["cells"].append(cell)

    edit_notebook(folder, forge)
    _refused(course, "T0004", "元数据")


def test_a_duplicated_question_cell_is_refused(course):
    course, key, answers, marker = course
    folder = submit(course, "T0005", answers)
    edit_notebook(folder, lambda nb: nb["cells"].append(json.loads(json.dumps(_cells(nb, "q-")[0]))))
    _refused(course, "T0005", "元数据")


def test_deleted_cells_are_put_back_and_scored_from_the_answers(course):
    course, key, answers, marker = course
    folder = submit(course, "T0006", answers)
    # every question cell deleted, the first of each section too, and the session and section cells
    edit_notebook(folder, lambda nb: nb.update(cells=[c for c in nb["cells"] if not _cells({"cells": [c]}, "q-")
                                                      and not _cells({"cells": [c]}, "s")]))
    state = _graded_like_honest(course, "T0006")
    assert len([g for g in state["T0006"]["grades"] if g.startswith("q-")]) == len(key.items)


def test_deleted_case_answer_cell_gets_no_points(course):
    course, key, answers, marker = course
    folder = submit(course, "T0007", answers)
    edit_notebook(folder, lambda nb: nb.update(cells=[c for c in nb["cells"] if not _cells({"cells": [c]}, "case-")]))
    _graded_like_honest(course, "T0007")  # the honest officer left it blank: 0, "No response."
    state = gradebook_state(course)
    for name in key.manual:
        assert state["T0007"]["grades"][name] == (0.0, None, False)


@pytest.mark.parametrize("where", ["new code cell", "case cell as code", "raw cell", "notebook metadata"])
def test_injected_code_never_runs(course, where):
    course, key, answers, marker = course
    folder = submit(course, "T0008", answers)
    code = _payload(marker)

    def inject(nb):
        if where == "new code cell":
            nb["cells"].insert(2, {"cell_type": "code", "metadata": {}, "source": code, "outputs": [],
                                   "execution_count": None})
        elif where == "case cell as code":
            for cell in _cells(nb, "case-"):
                cell.update(cell_type="code", source=code, outputs=[], execution_count=None)
        elif where == "raw cell":
            nb["cells"].append({"cell_type": "raw", "metadata": {}, "source": code})
        else:
            nb["metadata"]["kernelspec"] = {"name": "python3", "display_name": code, "language": "python"}

    edit_notebook(folder, inject)
    summary = grade_exam(course, ASSIGNMENT, progress=False)
    assert not summary.refused
    assert not marker.exists()
    state = gradebook_state(course)
    objective = {k: v for k, v in state["T0008"]["grades"].items() if k.startswith("q-")}
    assert objective == {k: v for k, v in state[HONEST]["grades"].items() if k.startswith("q-")}
    if where == "case cell as code":  # turned back into a markdown answer cell; the text waits for a grader
        assert all(state["T0008"]["grades"][n] == (None, None, True) for n in key.manual)


def test_an_always_equal_object_in_a_cell_changes_nothing(course):
    """The classic hole: ``class S(str): __eq__ = lambda *a: True`` passes ``assert q17 == "B"`` in a kernel."""
    course, key, answers, marker = course
    folder = submit(course, "T0009", {})
    hack = ("class S(str):\n    def __eq__(self, other):\n        return True\n    __hash__ = str.__hash__\n"
            + "".join(f"q{n} = S('A')\n" for n in range(1, 30)) + _payload(marker))
    edit_notebook(folder, lambda nb: nb["cells"].insert(2, {"cell_type": "code", "metadata": {}, "source": hack,
                                                            "outputs": [], "execution_count": None}))
    summary = grade_exam(course, ASSIGNMENT, progress=False)
    assert {r.student: r.score for r in summary.results}["T0009"] == 0
    assert not marker.exists()


# --- the answers file ---------------------------------------------------------------------------------------------


def test_weird_values_in_the_answers_file_score_nothing_and_break_nothing(course):
    course, key, answers, marker = course
    weird = [{"__eq__": True}, [{"A": 1}], 1, 0, 1.0, True, None, "A" * 1_000_000, ["A" * 5000], [["A"]],
             {"A": True}, "", [], "NaN", float("nan"), -1, "正确", "ＡＢ", [1, 2]]
    items = list(key.items.values())
    bad = {item.answer_key: weird[n % len(weird)] for n, item in enumerate(items)}
    submit(course, "T0010", bad)
    summary = grade_exam(course, ASSIGNMENT, progress=False)
    result = {r.student: r for r in summary.results}["T0010"]
    assert result.error is None
    state = gradebook_state(course)
    scores = {k: v[0] for k, v in state["T0010"]["grades"].items() if k.startswith("q-")}
    # nothing here is a right answer, except what happens to match a key by type: a judge True/False
    for item in items:
        value = bad[item.answer_key]
        if item.target.type == "judge" and type(value) is bool:
            continue
        assert scores[item.grade_id] == 0, (item.grade_id, value)


def test_answers_for_unknown_questions_are_ignored(course):
    course, key, answers, marker = course
    submit(course, "T0011", {**answers, "no-such-question": "A", "q-fake": ["A"]})
    _graded_like_honest(course, "T0011")


def test_a_forged_answers_file_for_another_officer_is_refused(course):
    course, key, answers, marker = course
    submit(course, "T0012", answers, officer=HONEST)  # T0012 hands in H0000's answers file
    assert "答案文件属于另一名考生" in _refused(course, "T0012", "H0000")


@pytest.mark.parametrize("officer", [None, ["T0013"], {"id": "T0013"}, 13, "t0013", "T0013 "])
def test_an_answers_file_without_this_officer_is_refused(course, officer):
    course, key, answers, marker = course
    folder = submit(course, "T0013", answers)
    data = json.loads((folder / "answers.json").read_text())
    data["officer"] = officer
    (folder / "answers.json").write_text(json.dumps(data))
    _refused(course, "T0013", "答案文件属于另一名考生")


def test_an_answers_file_of_another_exam_is_refused(course):
    course, key, answers, marker = course
    submit(course, "T0014", answers, exam="cert-2025-q1")
    _refused(course, "T0014", "另一场考试")


@pytest.mark.parametrize("content, reason", [
    (b"{not json", "已损坏"),
    (b"\xff\xfe\x00garbage", "已损坏"),
    (b"[1, 2, 3]", "格式无效"),
    (b'{"answers": [1]}', "格式无效"),
    (b"[" * 100_000 + b"]" * 100_000, "已损坏"),
])
def test_a_broken_answers_file_is_refused(course, content, reason):
    course, key, answers, marker = course
    folder = submit(course, "T0015", answers)
    (folder / "answers.json").write_bytes(content)
    _refused(course, "T0015", reason)


def test_a_huge_answers_file_is_refused(course):
    course, key, answers, marker = course
    submit(course, "T0016", {**answers, "padding": "x" * 3_000_000})
    _refused(course, "T0016", "过大")


# --- the notebook file ----------------------------------------------------------------------------------------


@pytest.mark.parametrize("content, reason", [
    (b'{"cells": [', "已损坏"),
    (b"\x00\x01binary", "已损坏"),
    (b'{"cells": "none"}', "不是有效的 Jupyter 笔记本"),
    (b"[]", "不是有效的 Jupyter 笔记本"),
    (b'{"cells": [{"cell_type": "code", "source": 5, "metadata": {}}]}', "无效的单元格"),
    (b'{"cells": [{"cell_type": "evil"}]}', "无效的单元格"),
    (b'{"cells": [{"cell_type": "code", "source": "", "metadata": {"nbgrader": []}}]}', "元数据"),
])
def test_a_broken_notebook_is_refused(course, content, reason):
    course, key, answers, marker = course
    folder = submit(course, "T0017", answers)
    (folder / "exam.ipynb").write_bytes(content)
    _refused(course, "T0017", reason)


def test_a_missing_notebook_is_refused(course):
    course, key, answers, marker = course
    folder = submit(course, "T0018", answers)
    (folder / "exam.ipynb").unlink()
    _refused(course, "T0018", "没有 exam.ipynb")


def test_a_50_mb_notebook_is_graded_right(course):
    course, key, answers, marker = course
    folder = submit(course, "T0019", answers)
    edit_notebook(folder, lambda nb: nb["cells"].append({"cell_type": "code", "metadata": {}, "execution_count": 1,
                                                         "source": "1", "outputs": [
        {"output_type": "stream", "name": "stdout", "text": "x" * 50_000_000}]}))
    assert (folder / "exam.ipynb").stat().st_size > 50_000_000
    _graded_like_honest(course, "T0019")
    size = (course / "autograded" / "T0019" / ASSIGNMENT / "exam.ipynb").stat().st_size
    assert size < 1_000_000  # outputs cleared, as nbgrader's ClearOutput does


def test_a_notebook_over_the_limit_is_refused(course, monkeypatch):
    course, key, answers, marker = course
    folder = submit(course, "T0020", answers)
    edit_notebook(folder, lambda nb: nb["cells"].append({"cell_type": "raw", "metadata": {}, "source": "x" * 10000}))
    honest = course / "submitted" / HONEST / ASSIGNMENT / "exam.ipynb"
    monkeypatch.setattr(grade_module, "MAX_NOTEBOOK_BYTES", honest.stat().st_size + 1000)
    error = _refused(course, "T0020", "过大")
    assert "exam.ipynb" in error


def test_refusing_a_regraded_submission_leaves_no_stale_score(course):
    course, key, answers, marker = course
    folder = submit(course, "T0021", answers)
    grade_exam(course, ASSIGNMENT, progress=False)
    assert gradebook_state(course)["T0021"]["score"] > 0
    (folder / "exam.ipynb").write_bytes(b"broken")
    _refused(course, "T0021", "已损坏")
    assert gradebook_state(course)["T0021"]["score"] == 0


# --- nbgrader's own path with ScoreAnswers refuses the same way -------------------------------------------------


def test_nbgrader_autograde_with_score_answers_refuses_a_forged_answers_file(course, caplog):
    from nbgrader.converters.base import NbGraderException

    course, key, answers, marker = course
    folder = submit(course, "T0022", answers, officer=HONEST)
    edit_notebook(folder, lambda nb: nb["cells"].insert(2, {"cell_type": "code", "metadata": {},
                                                            "source": _payload(marker), "outputs": [],
                                                            "execution_count": None}))
    with pytest.raises(NbGraderException):
        run_nbgrader_autograde(course, ASSIGNMENT, student="T0022")
    assert "答案文件属于另一名考生" in caplog.text
    assert not marker.exists()
    run_nbgrader_autograde(course, ASSIGNMENT, student=HONEST)
    assert not marker.exists()


# --- our metadata check is nbgrader's schema -----------------------------------------------------------------


def test_metadata_check_agrees_with_nbgraders_json_schema():
    import jsonschema
    import nbgrader.nbgraderformat as fmt

    schema = json.loads((Path(fmt.__file__).parent / "v3.json").read_text())
    validator = jsonschema.validators.validator_for(schema)(schema)
    base = {"grade": True, "grade_id": "q-x", "locked": True, "schema_version": 3, "solution": False,
            "points": 1.0, "checksum": "a" * 32, "cell_type": "code"}
    values = [None, True, False, 0, 1, 3, 3.0, -1, 1.5, float("nan"), float("inf"), "3", "x", "q-x", "q x", "",
              [], {}, "a" * 32, "markdown", "raw", "code"]
    cases = [base]
    for k in list(base) + ["task", "extra"]:
        cases += [{**base, k: v} for v in values]
        cases.append({kk: vv for kk, vv in base.items() if kk != k})
    for meta in cases:
        assert metadata_valid(meta) == validator.is_valid(meta), meta
