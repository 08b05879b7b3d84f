"""nbgrader's cell helpers (``nbgrader.utils``) on cells read as plain JSON dicts, for the fast path.

Same rules as ``is_grade``, ``is_solution`` and ``is_locked`` (:func:`flags`, from the metadata read once),
``compute_checksum`` and ``determine_grade`` of nbgrader 0.9, without building an nbformat ``NotebookNode`` per cell
(tests/grading/test_sanitize.py compares).
"""

from __future__ import annotations

import hashlib
from functools import lru_cache

from grading.autograde import GradingError


def nbgrader_meta(cell: dict) -> dict | None:
    """The cell's ``metadata.nbgrader`` (None when the cell has none)."""
    return cell["metadata"].get("nbgrader")


def flags(meta: dict | None) -> tuple[bool, bool, bool]:
    """(is_grade, is_solution, is_locked) of a cell from its nbgrader metadata, by nbgrader's rules."""
    if meta is None:
        return False, False, False
    grade, solution = bool(meta.get("grade", False)), bool(meta.get("solution", False))
    return grade, solution, not solution and (grade or bool(meta.get("locked", False)))


def compute_checksum(cell: dict) -> str:
    """nbgrader.utils.compute_checksum on a plain dict cell."""
    meta = cell["metadata"]["nbgrader"]
    grade, solution, locked = flags(meta)
    points = str(float(meta["points"])) if grade else None
    source = cell["source"]
    md5 = _remembered_md5 if len(source) <= REMEMBERED_SOURCE else _md5
    return md5(source, cell["cell_type"], grade, solution, locked, meta["grade_id"], points)


def _md5(source: str, cell_type: str, grade: bool, solution: bool, locked: bool, grade_id: str,
         points: str | None) -> str:
    m = hashlib.md5()
    m.update(source.encode("utf-8"))
    m.update(cell_type.encode("utf-8"))
    m.update(str(grade).encode("utf-8"))
    m.update(str(solution).encode("utf-8"))
    m.update(str(locked).encode("utf-8"))
    m.update(grade_id.encode("utf-8"))
    if points is not None:
        m.update(points.encode("utf-8"))
    return m.hexdigest()


# The cells of an exam repeat in every submission: each (short) cell is hashed once per process.
REMEMBERED_SOURCE = 16 * 1024
_remembered_md5 = lru_cache(maxsize=4096)(_md5)


def determine_grade(cell: dict) -> float | None:
    """nbgrader.utils.determine_grade for our cells (code cells carry one numeric execute_result)."""
    meta = cell["metadata"]["nbgrader"]
    max_points = float(meta["points"])
    if meta.get("solution"):
        return 0 if meta.get("checksum") == compute_checksum(cell) else None
    if cell["cell_type"] == "code":
        for output in cell["outputs"]:
            if output["output_type"] == "error" or (output["output_type"] == "stream" and output["name"] == "stderr"):
                return 0
            if output["output_type"] == "execute_result":
                grade = float(output["data"]["text/plain"])
                if grade > max_points:
                    raise GradingError(f"单元格 {meta['grade_id']} 的得分超过满分")
                return grade
        return max_points
    return None
