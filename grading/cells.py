"""nbgrader's cell helpers (``nbgrader.utils``) on cells read as plain JSON dicts, for the fast path.

Same rules as ``is_grade``, ``is_solution``, ``is_task``, ``is_locked``, ``compute_checksum`` and ``determine_grade``
of nbgrader 0.9, without building an nbformat ``NotebookNode`` per cell (tests/grading/test_sanitize.py compares).
"""

from __future__ import annotations

import hashlib

from grading.autograde import GradingError


def nbgrader_meta(cell: dict) -> dict | None:
    """The cell's ``metadata.nbgrader`` (None when the cell has none)."""
    return cell["metadata"].get("nbgrader") if "nbgrader" in cell["metadata"] else None


def is_grade(cell: dict) -> bool:
    meta = nbgrader_meta(cell)
    return bool(meta is not None and meta.get("grade", False))


def is_solution(cell: dict) -> bool:
    meta = nbgrader_meta(cell)
    return bool(meta is not None and meta.get("solution", False))


def is_task(cell: dict) -> bool:
    meta = nbgrader_meta(cell)
    return bool(meta is not None and meta.get("task", False))


def is_locked(cell: dict) -> bool:
    meta = nbgrader_meta(cell)
    if meta is None or is_solution(cell):
        return False
    if is_grade(cell):
        return True
    return bool(meta.get("locked", False))


def compute_checksum(cell: dict) -> str:
    """nbgrader.utils.compute_checksum on a plain dict cell."""
    m = hashlib.md5()
    m.update(cell["source"].encode("utf-8"))
    m.update(cell["cell_type"].encode("utf-8"))
    m.update(str(is_grade(cell)).encode("utf-8"))
    m.update(str(is_solution(cell)).encode("utf-8"))
    m.update(str(is_locked(cell)).encode("utf-8"))
    m.update(cell["metadata"]["nbgrader"]["grade_id"].encode("utf-8"))
    if is_grade(cell):
        m.update(str(float(cell["metadata"]["nbgrader"]["points"])).encode("utf-8"))
    return m.hexdigest()


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
