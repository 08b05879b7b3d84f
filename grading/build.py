"""``academy exam build PAPER``: the nbgrader source and release of every form of a paper.

For each form, ``source/<assignment>/`` gets

- ``exam.json``: the public paper (sections, question ids, types, stems, options by letter, points; case parts
  with their stems, options and points). Written from a whitelist of fields, so no answer, 解析, rubric or
  reference answer can reach it.
- ``exam.ipynb``: the notebook below, with nbgrader cell metadata (schema version 3).

then nbgrader's own GenerateAssignment makes ``release/<assignment>/`` (``exam.json`` goes with it as a
supplementary file). Cells of the notebook, in order:

=============================  ========  =====================================================================
cell                           type      nbgrader
=============================  ========  =====================================================================
title, rules, duration         markdown  locked, grade_id ``intro``
``exam = ExamSession()``       code      locked, grade_id ``session``
per section: ``exam.section``  code      locked, grade_id ``section-<id>``
per objective question/part    code      locked grade cell ``q-<qid>`` / ``q-<qid>-<partid>``: ``exam.status``
per open case part: label      markdown  locked, grade_id ``label-<qid>-<partid>`` (which part to answer)
per open case part: answer     markdown  answer cell ``case-<qid>-<partid>`` (graded by hand), "请在此作答："
=============================  ========  =====================================================================
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import sys
from pathlib import Path
from typing import Any, Iterable

import nbformat

from grading.paper import Paper, case_part_points
from ground.files import write_text_atomic
from questionbank.model import Question
from questionbank.scoring import MULTIPLE_RULES

COURSE_ROOT = Path(__file__).resolve().parent / "course"
COURSE_ID = "academy"
NOTEBOOK = "exam.ipynb"
EXAM_FILE = "exam.json"
ANSWER_STUB = "请在此作答："
SCHEMA_VERSION = 3

# The course's nbgrader configuration, one file: copied into every course built elsewhere (write_config), read back
# by course_config. Its paths are relative to the folder it is in, so the copy configures the course it lands in.
CONFIG_FILE = COURSE_ROOT / "nbgrader_config.py"


class BuildError(ValueError):
    """A paper that cannot be built from the bank; the message is Chinese and names every problem."""


def write_config(course_root: Path) -> Path:
    """``<course_root>/nbgrader_config.py``: a copy of :data:`CONFIG_FILE` (rewritten when it differs)."""
    path = Path(course_root) / "nbgrader_config.py"
    text = CONFIG_FILE.read_text(encoding="utf-8")
    if path.resolve() != CONFIG_FILE and (not path.exists() or path.read_text(encoding="utf-8") != text):
        write_text_atomic(path, text)
    return path


def course_config(course_root: str | Path):
    """The course's ``nbgrader_config.py`` (if any) as a traitlets Config, with the course root set."""
    from traitlets.config import Config
    from traitlets.config.loader import PyFileConfigLoader

    root = Path(course_root).resolve()
    config = Config()
    if (root / "nbgrader_config.py").exists():
        config.merge(PyFileConfigLoader("nbgrader_config.py", path=str(root)).load_config())
    config.CourseDirectory.root = str(root)
    return config


# --- the public paper ------------------------------------------------------------------------------------


def _check(paper: Paper, by_id: dict[str, Question]) -> None:
    problems = []
    for form in paper.forms:
        for section in form.sections:
            for qid in section.questions:
                q = by_id.get(qid)
                if q is None:
                    problems.append(f"{form.form} 卷 {section.title}：题库中没有题目 {qid}")
                elif q.type != section.type:
                    problems.append(f"{form.form} 卷 {section.title}：题目 {qid} 是{q.type}题，与本部分题型 {section.type} 不符")
                elif q.type == "case":
                    try:
                        case_part_points(q, section.points)
                    except ValueError as exc:
                        problems.append(f"{form.form} 卷 {section.title}：{exc}")
    if problems:
        raise BuildError(f"试卷 {paper.exam} 无法生成，有 {len(problems)} 处问题：\n"
                         + "\n".join(f"  - {p}" for p in problems))


def public_question(q: Question, points: float) -> dict[str, Any]:
    """What the officer may see of a question: id, type, stem, options, points (whitelisted, never the key)."""
    out: dict[str, Any] = {"id": q.id, "type": q.type, "stem": q.stem, "points": points}
    if q.type in ("single", "multiple"):
        out["options"] = dict(q.options)
    if q.type == "case":
        split = case_part_points(q, points)
        out["parts"] = []
        for p in q.parts:
            part: dict[str, Any] = {"id": p.id, "type": p.type, "stem": p.stem, "points": split[p.id][0],
                                    "auto": split[p.id][1]}
            if p.type in ("single", "multiple"):
                part["options"] = dict(p.options)
            out["parts"].append(part)
    return out


def public_paper(paper: Paper, form_name: str, by_id: dict[str, Question]) -> dict[str, Any]:
    form = paper.form(form_name)
    return {
        "exam": paper.exam,
        "assignment": form.assignment,
        "form": form.form,
        "title": paper.title,
        "duration_minutes": paper.duration_minutes,
        "total": paper.total,
        "pass_mark": paper.pass_mark,
        "multiple_rule": paper.multiple_rule,
        "sections": [
            {"id": s.id, "title": s.title, "type": s.type, "points": s.points,
             "questions": [public_question(by_id[qid], s.points) for qid in s.questions]}
            for s in form.sections
        ],
    }


# --- the notebook ----------------------------------------------------------------------------------------


def _meta(grade_id: str, *, grade: bool = False, solution: bool = False, locked: bool = True,
          points: float | None = None) -> dict[str, Any]:
    meta: dict[str, Any] = {"grade": grade, "grade_id": grade_id, "locked": locked, "schema_version": SCHEMA_VERSION,
                            "solution": solution}
    if grade:
        meta["points"] = points
    return {"nbgrader": meta}


def _num(x: float) -> str:
    return str(int(x)) if float(x).is_integer() else f"{x:g}"


def intro_text(public: dict[str, Any]) -> str:
    sections = "；".join(
        f"{s['title']} {len(s['questions'])} 题，每题 {_num(s['points'])} 分" for s in public["sections"])
    return "\n".join([
        f"# {public['title']}",
        "",
        f"**{public['form']} 卷**　考试时长 **{public['duration_minutes']} 分钟**　满分 {_num(public['total'])} 分，"
        f"{_num(public['pass_mark'])} 分及格。",
        "",
        f"本卷：{sections}。",
        "",
        "**考试须知**",
        "",
        "1. 打开试卷后，先点击工具栏上的 ▶▶（运行全部单元格），题目随即显示。",
        "2. 全部客观题用鼠标点选作答，不需要输入任何代码。每次点选都会立即自动保存；"
        "重启内核或重新打开试卷后，再次运行全部单元格，已选的答案会重新显示。",
        "3. 每位考生的题目顺序和选项顺序各不相同，请以自己屏幕上的题号和选项字母为准。",
        f"4. 倒计时从您第一次打开试卷时开始，共 {public['duration_minutes']} 分钟；时间到后答题区自动锁定。",
        "5. 案例分析题的简答小题，请在试卷下方对应的答题框中用文字作答（双击答题框进入编辑，完成后按 Shift+Enter）。",
        f"6. 多选题计分规则：{MULTIPLE_RULES.get(public['multiple_rule'], public['multiple_rule'])}。",
        "7. 请勿修改或删除试卷中的其他单元格。作答完毕后保存试卷，并按监考人员的要求提交。",
    ])


def exam_notebook(public: dict[str, Any]) -> nbformat.NotebookNode:
    nb = nbformat.v4.new_notebook()
    nb.metadata["kernelspec"] = {"display_name": "Python 3 (ipykernel)", "language": "python", "name": "python3"}
    nb.metadata["language_info"] = {"name": "python"}
    cells = [
        nbformat.v4.new_markdown_cell(intro_text(public), metadata=_meta("intro")),
        nbformat.v4.new_code_cell("from grading.exam_widget import ExamSession\n\nexam = ExamSession()\nexam",
                                  metadata=_meta("session")),
    ]
    for s in public["sections"]:
        cells.append(nbformat.v4.new_code_cell(f'exam.section("{s["id"]}")', metadata=_meta(f"section-{s['id']}")))
        for q in s["questions"]:
            if q["type"] != "case":
                cells.append(nbformat.v4.new_code_cell(
                    f'exam.status("{q["id"]}")', metadata=_meta(f"q-{q['id']}", grade=True, points=q["points"])))
                continue
            for k, part in enumerate(q["parts"], 1):
                if part["type"] != "open":
                    cells.append(nbformat.v4.new_code_cell(
                        f'exam.status("{q["id"]}/{part["id"]}")',
                        metadata=_meta(f"q-{q['id']}-{part['id']}", grade=True, points=part["points"])))
                    continue
                cells.append(nbformat.v4.new_markdown_cell(
                    f"**{s['title']} {q['id']}（{k}）**（{_num(part['points'])}分）{part['stem']}",
                    metadata=_meta(f"label-{q['id']}-{part['id']}")))
                cells.append(nbformat.v4.new_markdown_cell(
                    ANSWER_STUB, metadata=_meta(f"case-{q['id']}-{part['id']}", grade=True, solution=True,
                                                locked=False, points=part["points"])))
    for cell in cells:  # stable cell ids: a rebuilt notebook is byte for byte the same
        grade_id = cell.metadata["nbgrader"]["grade_id"]
        cell.id = grade_id if len(grade_id) <= 64 else hashlib.sha256(grade_id.encode()).hexdigest()[:32]
    nb.cells = cells
    return nb


# --- build -----------------------------------------------------------------------------------------------


def write_source(paper: Paper, bank_questions: Iterable[Question], course_root: str | Path = COURSE_ROOT) -> list[str]:
    """Write ``source/<assignment>/exam.ipynb`` and ``exam.json`` for every form; returns the assignment names."""
    by_id = {q.id: q for q in bank_questions}
    _check(paper, by_id)
    course_root = Path(course_root)
    names = []
    for form in paper.forms:
        form.exam = paper.exam
        public = public_paper(paper, form.form, by_id)
        folder = course_root / "source" / form.assignment
        folder.mkdir(parents=True, exist_ok=True)
        write_text_atomic(folder / EXAM_FILE, json.dumps(public, ensure_ascii=False, indent=1) + "\n")
        write_text_atomic(folder / NOTEBOOK, nbformat.writes(exam_notebook(public)) + "\n")
        write_text_atomic(course_root / "rubrics" / f"{form.assignment}.md", grader_guide(paper, form.form, by_id))
        names.append(form.assignment)
    return names


def grader_guide(paper: Paper, form_name: str, by_id: dict[str, Question]) -> str:
    """The 案例分析 reference answers and 评分要点 for the human graders (Markdown), points scaled to the paper.

    Kept in ``<course>/rubrics/`` — outside ``source/`` and ``release/``, so it never reaches the officers."""
    form = paper.form(form_name)
    lines = [f"# {paper.title}（{form.assignment}）案例分析评分指引", "",
             "仅供阅卷人员使用，不得发给考生。在 formgrader 中按答题框的编号（case-题号-小题）逐题评分。", ""]
    for section in form.sections:
        for qid in section.questions:
            question = by_id[qid]
            if question.type != "case":
                continue
            lines += [f"## {section.title}：{qid}", "", question.stem.strip(), ""]
            for pid, (points, auto) in case_part_points(question, section.points).items():
                if auto:
                    continue
                part = next(p for p in question.parts if p.id == pid)
                scale = points / part.points if part.points else 0
                lines += [f"### 答题框 case-{qid}-{pid}（{_num(points)} 分）：{part.stem}", "",
                          f"参考答案：{part.reference}", "", "评分要点："]
                lines += [f"- {r.point}（{_num(round(r.score * scale, 2))} 分）" for r in part.rubric]
                lines.append("")
    return "\n".join(lines)


def alembic_on_path() -> None:
    """nbgrader's Gradebook runs the ``alembic`` command: put this environment's scripts folder on PATH when the
    interpreter was started without activating it (``.venv/bin/python -m pytest``)."""
    scripts = Path(sys.executable).parent
    if shutil.which("alembic") is None and (scripts / "alembic").exists():
        os.environ["PATH"] = str(scripts) + os.pathsep + os.environ.get("PATH", "")


def generate(course_root: str | Path, assignment: str) -> None:
    """nbgrader's GenerateAssignment (source → release, assignment added to the gradebook)."""
    alembic_on_path()
    from nbgrader.converters import GenerateAssignment
    from nbgrader.converters.base import NbGraderException
    from nbgrader.coursedir import CourseDirectory

    config = course_config(course_root)
    coursedir = CourseDirectory(config=config)
    coursedir.assignment_id = assignment
    app = GenerateAssignment(coursedir=coursedir, config=config)
    app.force = True
    app.create_assignment = True
    try:
        app.start()
    except NbGraderException as exc:
        raise BuildError(f"nbgrader 生成试卷 {assignment} 失败：{exc}") from exc


def build(paper: Paper, bank_questions: Iterable[Question], course_root: str | Path = COURSE_ROOT) -> list[str]:
    """Source and release of every form of ``paper`` in the nbgrader course ``course_root``."""
    course_root = Path(course_root)
    course_root.mkdir(parents=True, exist_ok=True)
    write_config(course_root)
    names = write_source(paper, list(bank_questions), course_root)
    for name in names:
        generate(course_root, name)
        release = course_root / "release" / name
        found = sorted(str(p.relative_to(release)) for p in release.rglob("*"))
        if found != sorted([EXAM_FILE, NOTEBOOK]):  # nothing else may reach the officers (no key in any file)
            shutil.rmtree(release)
            raise BuildError(f"nbgrader 生成的 {release} 应只有 {NOTEBOOK} 和 {EXAM_FILE}，实际为：{'、'.join(found)}"
                             f"（请清理 source/{name} 中的其他文件）")
    return names
