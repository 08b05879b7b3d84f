"""The sanitizing steps of nbgrader's Autograde, one function each, on a notebook read as plain JSON.

nbgrader's ``Autograde.sanitize_preprocessors`` (``nbgrader/converters/autograde.py``) runs, in this order:

==========================  =========================================================  ==========================
nbgrader preprocessor       what it does to a submitted notebook                       here
==========================  =========================================================  ==========================
``ClearOutput``             code cells lose outputs, execution count, collapsed/scrolled  :func:`clear_output`
``DeduplicateIds``          of cells sharing a grade id, the last keeps it             :func:`deduplicate_ids`
``OverwriteKernelspec``     the kernelspec of the source notebook                      :func:`overwrite_kernelspec`
``OverwriteCells``          cell type, locked flag, points and checksum from the       :func:`overwrite_cells`
                            source; a locked cell's edited source restored
``OverwriteCells``          (``add_missing_cells``) deleted grade and task cells put   :func:`add_missing_cells`
                            back from the source
``CheckCellMetadata``       the nbgrader metadata schema v3, grade ids unique          :func:`check_cell_metadata`
==========================  =========================================================  ==========================

Each function changes the notebook in place as its namesake does; tests/grading/test_sanitize.py runs each beside
nbgrader's class on the same notebook. Two deliberate differences: a refusal is a ``GradingError`` with a Chinese
reason (nbgrader raises ``MissingEntry``, ``RuntimeError`` or ``ValidationError``); and :func:`add_missing_cells`
puts a deleted cell back unchanged after the closest source cell still present before it (nbgrader prefixes a
notice to its source and places it after the previous source cell, which fails when that one is not a grade or
solution cell). The source side (kernelspec, source cells, points) is read once per exam from the gradebook
(``grading.gradebook.load_source``) instead of once per cell.
"""

from __future__ import annotations

import re
from typing import Any
from uuid import uuid4

from grading.autograde import GradingError
from grading.cells import compute_checksum, flags, nbgrader_meta
from grading.gradebook import SourceCell, SourceNotebook

INVALID_TEXT = "试卷文件中有无法保存的字符（不成对的 Unicode 代理码位，正常作答不会产生），拒绝评分"


def sanitize(nb: dict, source: SourceNotebook) -> list[dict]:
    """The sanitizing steps of nbgrader's Autograde, in its order, on a notebook read as plain JSON. Returns its
    cells; a notebook that cannot be made gradable is refused with a ``GradingError``."""
    cells = plain_cells(nb)
    try:
        clear_output(nb)
        deduplicate_ids(nb)
        overwrite_kernelspec(nb, source)
        overwrite_cells(nb, source)
        add_missing_cells(nb, source)
        check_cell_metadata(nb)
    except GradingError:
        raise
    except UnicodeError:
        raise GradingError(INVALID_TEXT) from None
    except (KeyError, TypeError, ValueError, AttributeError):
        raise GradingError("单元格的 nbgrader 元数据已被改动，无法评分") from None
    return cells


def plain_cells(nb: Any) -> list[dict]:
    """The cells of a notebook read as plain JSON, with ``source`` joined (as ``nbformat.reads`` leaves it);
    refuses what is not a notebook."""
    if not isinstance(nb, dict) or not isinstance(nb.get("cells"), list) or not isinstance(nb.get("metadata", {}),
                                                                                          dict):
        raise GradingError("试卷文件不是有效的 Jupyter 笔记本")
    for cell in nb["cells"]:
        if not isinstance(cell, dict) or cell.get("cell_type") not in ("code", "markdown", "raw"):
            raise GradingError("试卷文件中有无效的单元格")
        source = cell.get("source", "")
        if type(source) is list:
            try:
                source = "".join(source)
            except TypeError:  # an item that is not text
                pass
        if not isinstance(source, str):
            raise GradingError("试卷文件中有无效的单元格内容")
        cell["source"] = source
        metadata = cell.setdefault("metadata", {})
        if not isinstance(metadata, dict):
            raise GradingError("试卷文件中有无效的单元格元数据")
        if "nbgrader" in metadata and not isinstance(metadata["nbgrader"], dict):
            raise GradingError("单元格的 nbgrader 元数据已被改动")
    return nb["cells"]


def clear_output(nb: dict) -> None:
    """nbgrader's ClearOutput (nbconvert's ClearOutputPreprocessor): nothing a code cell printed survives."""
    for cell in nb["cells"]:
        if cell["cell_type"] == "code":
            cell["outputs"] = []
            cell["execution_count"] = None
            cell["metadata"].pop("collapsed", None)
            cell["metadata"].pop("scrolled", None)


def deduplicate_ids(nb: dict) -> None:
    """nbgrader's DeduplicateIds: of the cells sharing a grade id, the last keeps it, the others lose their nbgrader
    metadata."""
    seen = set()
    for cell in reversed(nb["cells"]):
        meta = nbgrader_meta(cell)
        if any(flags(meta)):
            gid = meta["grade_id"]
            if gid in seen:
                cell["metadata"]["nbgrader"] = {}
            else:
                seen.add(gid)


def overwrite_kernelspec(nb: dict, source: SourceNotebook) -> None:
    """nbgrader's OverwriteKernelspec: the kernelspec of the source notebook, when it has one."""
    if source.kernelspec:
        nb.setdefault("metadata", {})["kernelspec"] = source.kernelspec


def overwrite_cells(nb: dict, source: SourceNotebook) -> None:
    """nbgrader's OverwriteCells (its ``preprocess_cell``): every cell with a grade id gets the source's cell type,
    locked flag, points and checksum; a locked cell whose text was edited gets the source's text back."""
    for cell in nb["cells"]:
        meta = nbgrader_meta(cell)
        gid = meta.get("grade_id") if meta else None
        if gid is None:
            continue
        src = source.source_cells.get(gid)
        if src is None:
            del meta["grade_id"]
            continue
        _update_cell_type(cell, src.cell_type)
        grade, _solution, locked = flags(meta)
        if locked != src.locked:
            meta["locked"] = src.locked
        if grade:
            grade_cell = source.grade_cells.get(gid)
            if grade_cell is None:  # nbgrader: find_graded_cell raises
                raise GradingError(f"单元格 {gid} 被改成了评分单元格（元数据已被改动）")
            if float(grade_cell[1]) != float(meta["points"]):
                meta["points"] = float(grade_cell[1])
        meta["checksum"] = src.checksum
        if src.locked and compute_checksum(cell) != src.checksum:
            cell["source"] = src.source
            if compute_checksum(cell) != src.checksum:
                raise GradingError(f"锁定单元格 {gid} 的评分元数据已被改动，无法恢复")


def _update_cell_type(cell: dict, cell_type: str) -> None:
    """OverwriteCells.update_cell_type."""
    if cell["cell_type"] == cell_type:
        return
    cell["cell_type"] = cell_type
    if cell_type == "code":
        cell["outputs"], cell["execution_count"] = [], None
    else:
        cell.pop("outputs", None)
        cell.pop("execution_count", None)


def add_missing_cells(nb: dict, source: SourceNotebook) -> None:
    """nbgrader's OverwriteCells with ``add_missing_cells``: deleted grade and task cells are put back from the
    source, each after the closest source cell still present before it (see the module docstring)."""
    cells = nb["cells"]
    present = {nbgrader_meta(c).get("grade_id") for c in cells if nbgrader_meta(c)}
    missing = [g for g in source.order if g not in present and (g in source.grade_cells or g in source.task_cells)]
    for gid in missing:
        cell = _missing_cell(source.source_cells[gid], source.grade_cells.get(gid, (None, None))[1],
                             gid in source.solution_cells)
        if nb.get("nbformat", 4) == 4 and nb.get("nbformat_minor", 0) < 5:
            del cell["id"]  # cell ids came with nbformat 4.5
        position = 0
        for before in reversed(source.order[: source.order.index(gid)]):
            where = [i for i, c in enumerate(cells) if nbgrader_meta(c) and nbgrader_meta(c).get("grade_id") == before]
            if where:
                position = where[0] + 1
                break
        cells.insert(position, cell)


def _missing_cell(src: SourceCell, max_score: float | None, solution: bool) -> dict:
    """OverwriteCells.missing_cell_transform, without the notice."""
    meta = {"grade": max_score is not None, "grade_id": src.name, "locked": src.locked, "schema_version": 3,
            "solution": solution, "checksum": src.checksum, "cell_type": src.cell_type}
    if max_score is not None:
        meta["points"] = max_score
    cell = {"cell_type": src.cell_type, "id": uuid4().hex[:8], "metadata": {"deletable": False, "nbgrader": meta},
            "source": src.source}
    if not solution:
        cell["metadata"]["editable"] = False
    if src.cell_type == "code":
        cell.update(outputs=[], execution_count=None)
    return cell


# --- CheckCellMetadata --------------------------------------------------------------------------------------

_META_KEYS = {"schema_version", "grade", "locked", "solution", "task", "grade_id", "points", "checksum",
              "cell_type"}
_GRADE_ID_RE = re.compile(r"^[a-zA-Z0-9_\-]*$")


def _number(x: Any) -> bool:
    return type(x) in (int, float)


def metadata_valid(meta: Any) -> bool:
    """nbgrader's cell metadata schema v3 (nbgraderformat/v3.json), checked directly (jsonschema is slow here; this
    runs for every cell of every submission, hence no generators)."""
    if type(meta) is not dict or not meta.keys() <= _META_KEYS:
        return False
    get = meta.get
    # the required flags present and booleans; schema_version present and exactly the int 3
    if type(get("grade")) is not bool or type(get("locked")) is not bool or type(get("solution")) is not bool:
        return False
    if type(get("schema_version")) is not int or meta["schema_version"] != 3:
        return False
    if "task" in meta and type(meta["task"]) is not bool:
        return False
    if "grade_id" in meta and not (type(meta["grade_id"]) is str and _GRADE_ID_RE.match(meta["grade_id"])):
        return False
    if "points" in meta and not (_number(meta["points"]) and not meta["points"] < 0):
        return False
    if "checksum" in meta and not (type(meta["checksum"]) is str and len(meta["checksum"]) == 32):
        return False
    if "cell_type" in meta and meta["cell_type"] not in ("raw", "code", "markdown"):
        return False
    return True


def check_cell_metadata(nb: dict) -> None:
    """nbgrader's CheckCellMetadata (``MetadataValidatorV3.validate_nb``): refuses edited nbgrader metadata."""
    ids = set()
    for cell in nb["cells"]:
        meta = nbgrader_meta(cell)
        if meta is None:
            continue
        if not isinstance(meta, dict) or meta.get("schema_version", 0) != 3:
            raise GradingError("单元格的 nbgrader 元数据版本不符或已被改动")
        if not metadata_valid(meta):
            raise GradingError("单元格的 nbgrader 元数据已被改动（不符合格式）")
        grade, solution, locked = meta["grade"], meta["solution"], meta["locked"]
        if grade or solution or locked:
            if not meta.get("grade_id"):
                raise GradingError("nbgrader 单元格缺少 grade_id（元数据已被改动）")
        if grade and "points" not in meta:
            raise GradingError(f"评分单元格 {meta['grade_id']} 缺少分值（元数据已被改动）")
        if not meta.get("task", False):
            if cell["cell_type"] == "markdown" and grade != solution:
                raise GradingError(f"Markdown 单元格 {meta.get('grade_id')} 的评分/作答标记已被改动")
        elif cell["cell_type"] != "markdown":
            raise GradingError("任务单元格必须是 Markdown")
        if grade or solution or locked:
            if meta["grade_id"] in ids:
                raise GradingError(f"评分单元格编号 {meta['grade_id']} 重复")
            ids.add(meta["grade_id"])
