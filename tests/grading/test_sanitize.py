"""Each sanitizing step of the fast path (grading/sanitize.py) beside nbgrader's preprocessor of the same name, on
the same submitted notebook: the same notebook comes out, or both refuse it.

nbgrader's side runs the class itself (``preprocess(nb, resources)``) against the course's real gradebook, as
``Autograde.sanitize_preprocessors`` does; our side runs the function on the notebook read as plain JSON.
"""

from __future__ import annotations

import copy
import json
from dataclasses import dataclass
from pathlib import Path

import nbformat
import pytest
from nbgrader.api import Gradebook, MissingEntry
from nbgrader.coursedir import CourseDirectory
from nbgrader.preprocessors import CheckCellMetadata, ClearOutput, DeduplicateIds, OverwriteCells, OverwriteKernelspec

from grading.autograde import GradingError, course_config
from grading.gradebook import SourceNotebook, load_source
from grading.sanitize import (
    add_missing_cells,
    check_cell_metadata,
    clear_output,
    deduplicate_ids,
    overwrite_cells,
    overwrite_kernelspec,
    plain_cells,
)
from tests.grading.helpers import ASSIGNMENT, fresh


@dataclass
class Exam:
    course: Path
    db_url: str
    source: SourceNotebook
    released: dict  # the notebook the officers get, read as plain JSON


@pytest.fixture(scope="module")
def exam(built, tmp_path_factory) -> Exam:
    course, _paper = fresh(built, tmp_path_factory.mktemp("sanitize"))
    coursedir = CourseDirectory(config=course_config(course))
    with Gradebook(coursedir.db_url, coursedir.course_id) as gb:
        _asg, notebooks = load_source(gb, coursedir, ASSIGNMENT)
    released = json.loads((course / "release" / ASSIGNMENT / "exam.ipynb").read_text(encoding="utf-8"))
    plain_cells(released)
    return Exam(course, coursedir.db_url, notebooks[0], released)


def tampered(exam: Exam, change) -> dict:
    nb = copy.deepcopy(exam.released)
    change(nb)
    return nb


def cells(nb: dict, prefix: str) -> list[dict]:
    return [c for c in nb["cells"] if c["metadata"].get("nbgrader", {}).get("grade_id", "").startswith(prefix)]


def grade_ids(nb: dict) -> list[str | None]:
    return [c["metadata"].get("nbgrader", {}).get("grade_id") for c in nb["cells"]]


def nbgraders(preprocessor, nb: dict, exam: Exam) -> dict:
    """nbgrader's preprocessor on a copy of ``nb``; the notebook it returns, as plain JSON."""
    resources = {"nbgrader": {"notebook": exam.source.name, "assignment": ASSIGNMENT, "db_url": exam.db_url,
                              "student": "S0001"}}
    out, _ = preprocessor.preprocess(nbformat.from_dict(copy.deepcopy(nb)), resources)
    return json.loads(json.dumps(out))


def ours(step, nb: dict, *args) -> dict:
    """Our step on a copy of ``nb`` read as plain JSON."""
    nb = copy.deepcopy(nb)
    plain_cells(nb)
    step(nb, *args)
    return nb


# --- ClearOutput ----------------------------------------------------------------------------------------------


def test_clear_output_is_nbgraders_clear_output(exam):
    def printed(nb):
        for cell in nb["cells"]:
            cell["metadata"].update(collapsed=True, scrolled=True, tags=["kept"])
            if cell["cell_type"] == "code":
                cell["execution_count"] = 7
                cell["outputs"] = [{"output_type": "stream", "name": "stdout", "text": "printed"},
                                   {"output_type": "execute_result", "execution_count": 7, "metadata": {},
                                    "data": {"text/plain": "100.0"}}]

    nb = tampered(exam, printed)
    expected = nbgraders(ClearOutput(), nb, exam)
    assert ours(clear_output, nb) == expected
    assert all(not c.get("outputs") for c in expected["cells"])  # the step did something
    assert any("collapsed" in c["metadata"] for c in expected["cells"])  # markdown cells keep theirs


# --- DeduplicateIds -------------------------------------------------------------------------------------------


def test_deduplicate_ids_is_nbgraders_deduplicate_ids(exam):
    def duplicated(nb):
        question, answer = cells(nb, "q-")[0], cells(nb, "case-")[0]
        nb["cells"].append(dict(copy.deepcopy(question), source="print('mine')"))
        nb["cells"].insert(0, dict(copy.deepcopy(answer), source="我的答案"))
        nb["cells"].insert(1, copy.deepcopy(cells(nb, "intro")[0]))

    nb = tampered(exam, duplicated)
    expected = nbgraders(DeduplicateIds(), nb, exam)
    assert ours(deduplicate_ids, nb) == expected
    assert sum(1 for c in expected["cells"] if c["metadata"].get("nbgrader") == {}) == 3


# --- OverwriteKernelspec --------------------------------------------------------------------------------------


def test_overwrite_kernelspec_is_nbgraders_overwrite_kernelspec(exam):
    evil = {"name": "evil", "display_name": "open('x', 'w')", "language": "python"}
    nb = tampered(exam, lambda nb: nb["metadata"].update(kernelspec=evil))
    expected = nbgraders(OverwriteKernelspec(), nb, exam)
    assert ours(overwrite_kernelspec, nb, exam.source) == expected
    assert expected["metadata"]["kernelspec"] == exam.source.kernelspec != evil


# --- OverwriteCells -------------------------------------------------------------------------------------------


def _edited(nb):
    questions = cells(nb, "q-")
    questions[0]["source"] = "open('x', 'w').write('ran')"  # a locked grade cell rewritten
    questions[1]["metadata"]["nbgrader"]["points"] = 99  # points raised
    questions[2]["metadata"]["nbgrader"]["locked"] = False  # unlocked
    questions[2]["source"] = "1"
    answer = cells(nb, "case-")[0]  # the answer cell turned into code
    answer.update(cell_type="code", source="我的答案", outputs=[], execution_count=None)
    cells(nb, "intro")[0]["metadata"]["nbgrader"]["checksum"] = "0" * 32  # a checksum forged
    cells(nb, "section-")[0]["source"] = "exam.section('evil')"
    stranger = copy.deepcopy(cells(nb, "label-")[0])  # a locked cell the source does not have
    stranger["metadata"]["nbgrader"]["grade_id"] = "no-such-cell"
    nb["cells"].append(stranger)


def test_overwrite_cells_is_nbgraders_overwrite_cells(exam):
    nb = tampered(exam, _edited)
    expected = nbgraders(OverwriteCells(), nb, exam)
    assert ours(overwrite_cells, nb, exam.source) == expected
    assert expected["cells"] != nb["cells"]
    assert cells(expected, "q-")[0]["source"] == exam.source.source_cells[cells(nb, "q-")[0]["metadata"]["nbgrader"][
        "grade_id"]].source


def test_overwrite_cells_refuses_a_forged_grade_cell_like_nbgrader(exam):
    def forged(nb):
        intro = cells(nb, "intro")[0]["metadata"]["nbgrader"]
        intro.update(grade=True, points=50.0)

    nb = tampered(exam, forged)
    with pytest.raises(MissingEntry):
        nbgraders(OverwriteCells(), nb, exam)
    with pytest.raises(GradingError, match="元数据"):
        ours(overwrite_cells, nb, exam.source)


def test_add_missing_cells_puts_back_what_nbgrader_puts_back(exam):
    """The same cells come back at the same places with the same nbgrader metadata; nbgrader also prefixes a notice
    to their text ("This cell ... was missing"), which we leave out (see grading/sanitize.py)."""
    gone = [g for g in exam.source.order if g.startswith("q-")][1:3]  # the 2nd and 3rd question: after a grade cell
    nb = tampered(exam, lambda nb: nb.update(cells=[c for c in nb["cells"] if grade_ids({"cells": [c]})[0] not in gone]))

    def both(nb):
        overwrite_cells(nb, exam.source)
        add_missing_cells(nb, exam.source)

    expected = nbgraders(OverwriteCells(add_missing_cells=True), nb, exam)
    got = ours(both, nb)
    assert grade_ids(got) == grade_ids(expected) == grade_ids(exam.released)
    for mine, theirs in zip(got["cells"], expected["cells"]):
        assert mine["metadata"] == theirs["metadata"]
        assert mine["cell_type"] == theirs["cell_type"]
        assert theirs["source"].endswith(mine["source"])
        if grade_ids({"cells": [mine]})[0] in gone:
            assert "missing" in theirs["source"] and "missing" not in mine["source"]
        else:
            assert mine["source"] == theirs["source"]


# --- CheckCellMetadata ----------------------------------------------------------------------------------------


def _first(prefix, change):
    return lambda nb: change(cells(nb, prefix)[0]["metadata"]["nbgrader"], nb)


CHANGES = {
    "untouched": lambda nb: None,
    "question no longer graded": _first("q-", lambda m, nb: m.update(grade=False)),
    "question made an answer cell": _first("q-", lambda m, nb: m.update(solution=True)),
    "schema version 2": _first("q-", lambda m, nb: m.update(schema_version=2)),
    "schema version 4": _first("q-", lambda m, nb: m.update(schema_version=4)),
    "points not a number": _first("q-", lambda m, nb: m.update(points="many")),
    "negative points": _first("q-", lambda m, nb: m.update(points=-5)),
    "points removed": _first("q-", lambda m, nb: m.pop("points")),
    "an extra key": _first("q-", lambda m, nb: m.update(extra="x")),
    "grade id removed": _first("q-", lambda m, nb: m.pop("grade_id")),
    "grade id empty": _first("intro", lambda m, nb: m.update(grade_id="")),
    "grade id with a space": _first("intro", lambda m, nb: m.update(grade_id="a b")),
    "short checksum": _first("intro", lambda m, nb: m.update(checksum="abc")),
    "markdown answer no longer graded": _first("case-", lambda m, nb: m.update(grade=False)),
    "markdown answer no longer an answer": _first("case-", lambda m, nb: m.update(solution=False)),
    "code task cell": _first("q-", lambda m, nb: m.update(task=True, grade=False)),
    "markdown task cell": _first("intro", lambda m, nb: m.update(task=True)),
    "duplicate grade id": lambda nb: nb["cells"].append(copy.deepcopy(cells(nb, "q-")[0])),
    "duplicate unlocked plain cell": lambda nb: nb["cells"].append(
        {"cell_type": "code", "source": "", "outputs": [], "execution_count": None, "metadata": {"nbgrader": {
            "grade": False, "solution": False, "locked": False, "schema_version": 3, "grade_id": "intro"}}}),
}


@pytest.mark.parametrize("change", CHANGES.values(), ids=CHANGES.keys())
def test_check_cell_metadata_refuses_what_nbgraders_check_cell_metadata_refuses(exam, change):
    nb = tampered(exam, change)
    try:
        nbgraders(CheckCellMetadata(), nb, exam)
        nbgrader_refuses = False
    except Exception:  # noqa: BLE001 - ValidationError, SchemaTooOldError, ...: any of them fails the notebook
        nbgrader_refuses = True
    try:
        ours(check_cell_metadata, nb)
        we_refuse = False
    except GradingError:
        we_refuse = True
    assert we_refuse == nbgrader_refuses


def test_add_missing_cells_puts_back_a_cell_nbgrader_cannot(exam):
    """The first question of a section follows a locked section cell, not a grade or solution cell: nbgrader's
    add_missing_grade_cells looks the previous cell up among those and fails; ours puts it back in its place."""
    first = next(g for g in exam.source.order if g.startswith("q-"))
    nb = tampered(exam, lambda nb: nb.update(cells=[c for c in nb["cells"] if grade_ids({"cells": [c]})[0] != first]))
    with pytest.raises(KeyError):
        nbgraders(OverwriteCells(add_missing_cells=True), nb, exam)
    assert grade_ids(ours(add_missing_cells, nb, exam.source)) == grade_ids(exam.released)
