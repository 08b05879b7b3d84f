"""The whole exam in a temporary course, as it happens: assemble → build (generate) → release → fetch → answer by
driving the widgets in a real kernel → submit → collect → grade → manual grading of 案例分析 through the gradebook
API → feedback → results → register in the tracker → item analysis. Scores are checked against an independent
calculation from the paper and the bank's keys."""

import csv
import json
import os
import subprocess
import sys
from pathlib import Path

import nbformat
import pytest
import yaml
from nbclient import NotebookClient
from sqlalchemy import select

from academy.cli import main
from grading.paper import case_part_points, load_paper
from questionbank.loading import load_bank
from tests.tracker.helpers import write_csv
from tracker import db
from tracker.imports import import_roster
from tracker.models import Certificate, ExamResult, Officer

EXAM = "e2e-2026"
OFFICERS = ["A0001", "A0002", "A0003"]
BLUEPRINT = {
    "exam": EXAM, "title": "端到端测试考试", "duration_minutes": 60, "total": 20, "pass_mark": 12,
    "multiple_rule": "partial_half", "forms": 1, "reviewed_only": True,
    "sections": [
        {"id": "single", "title": "单项选择题", "type": "single", "count": 6, "points": 1},
        {"id": "multiple", "title": "多项选择题", "type": "multiple", "count": 2, "points": 2},
        {"id": "judge", "title": "判断题", "type": "judge", "count": 2, "points": 1},
        {"id": "case", "title": "案例分析题", "type": "case", "count": 1, "points": 8},
    ],
}


def nbgrader(*args, cwd, env):
    command = [sys.executable, "-m", "nbgrader", *args]
    done = subprocess.run(command, cwd=cwd, env=env, capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stdout + done.stderr
    return done


def plan_for(officer, items):
    """What each officer clicks: A0001 all right, A0002 wrong single + half multiple, A0003 mostly wrong."""
    plan = {}
    for n, (key, item) in enumerate(items):
        right = item.answer if item.type != "multiple" else list(item.answer)
        if item.type == "single":
            wrong = next(k for k in item.options if k != item.answer)
        elif item.type == "judge":
            wrong = not item.answer
        else:
            wrong = [next(k for k in item.options if k not in item.answer)]
        if officer == "A0001":
            plan[key] = right
        elif officer == "A0002":
            plan[key] = wrong if item.type == "single" and n % 2 == 0 else (right[:1] if item.type == "multiple" else right)
        else:
            plan[key] = wrong
    return plan


def expected_points(item, points, response):
    """The scoring rule written out independently: single/judge exact; 多选 partial_half."""
    if item.type in ("single", "judge"):
        return points if response == item.answer else 0.0
    chosen, key = set(response), set(item.answer)
    if chosen == key:
        return points
    if chosen and chosen < key:
        return points / 2
    return 0.0


def click_code(plan):
    lines = ["import json"]
    for key, value in plan.items():
        lines.append(f"inp = exam.inputs[{key!r}][0]")
        if isinstance(value, list):
            lines.append(f"for letter in {value!r}: inp.checkboxes[letter].value = True")
        else:
            lines.append(f"inp.control.value = {value!r}")
    lines.append("print(json.dumps(sorted(json.load(open('answers.json'))['answers'])))")
    return "\n".join(lines)


@pytest.fixture
def setting(tmp_path, monkeypatch):
    home, course, exchange = tmp_path / "home", tmp_path / "course", tmp_path / "exchange"
    exchange.mkdir(mode=0o777)
    os.chmod(exchange, 0o777)
    monkeypatch.setenv("ACADEMY_HOME", str(home))
    monkeypatch.setenv("ACADEMY_EXAM_COURSE", str(course))
    monkeypatch.setenv("ACADEMY_DB_URL", f"sqlite:///{tmp_path / 'tracker.sqlite3'}")
    monkeypatch.setenv("ACADEMY_ITEM_STATS", str(tmp_path / "item_stats.json"))
    monkeypatch.setenv("PATH", str(Path(sys.executable).parent) + os.pathsep + os.environ["PATH"])
    return tmp_path, course, exchange


def test_an_exam_from_blueprint_to_certificate(setting, capsys):
    tmp_path, course, exchange = setting
    blueprint = tmp_path / "blueprint.yaml"
    blueprint.write_text(yaml.safe_dump(BLUEPRINT, allow_unicode=True), encoding="utf-8")
    paper_file = tmp_path / "paper.yaml"
    assert main(["exam", "assemble", str(blueprint), "--seed", "3", "-o", str(paper_file)]) == 0
    assert main(["exam", "build", str(paper_file)]) == 0
    paper = load_paper(paper_file)
    assignment = paper.forms[0].assignment
    with open(course / "nbgrader_config.py", "a", encoding="utf-8") as config:
        config.write(f"\nc.Exchange.root = {str(exchange)!r}\n")
    env = {**os.environ, "PATH": os.environ["PATH"]}
    nbgrader("release_assignment", assignment, cwd=course, env=env)

    bank = load_bank().by_id()
    items, case_manual = [], []  # (answer key, item, points)
    for section in paper.forms[0].sections:
        for qid in section.questions:
            question = bank[qid]
            if question.type == "case":
                for pid, (points, auto) in case_part_points(question, section.points).items():
                    part = next(p for p in question.parts if p.id == pid)
                    (items if auto else case_manual).append((f"{qid}/{pid}", part, points))
            else:
                items.append((qid, question, section.points))
    expected = {}
    for officer in OFFICERS:
        desk = tmp_path / "desks" / officer
        desk.mkdir(parents=True)
        officer_env = {**env, "USER": officer, "LOGNAME": officer, "ACADEMY_OFFICER": officer}
        nbgrader("fetch_assignment", assignment, "--course", "academy", f"--Exchange.root={exchange}", cwd=desk,
                 env=officer_env)
        folder = desk / assignment
        notebook = nbformat.read(folder / "exam.ipynb", as_version=4)
        client = NotebookClient(notebook, timeout=120, kernel_name="python3", resources={"metadata": {"path": str(folder)}})
        plan = plan_for(officer, [(k, i) for k, i, _ in items])
        with client.setup_kernel(env={**officer_env, "PYTHONPATH": str(Path(__file__).resolve().parents[2])}):
            for index, cell in enumerate(notebook.cells):
                client.execute_cell(cell, index)
            notebook.cells.append(nbformat.v4.new_code_cell(click_code(plan)))  # the officer's clicks
            client.execute_cell(notebook.cells[-1], len(notebook.cells) - 1)
            notebook.cells.pop()
        stored = json.loads((folder / "answers.json").read_text(encoding="utf-8"))
        assert stored["officer"] == officer and sorted(stored["answers"]) == sorted(plan)
        for cell in notebook.cells:  # the 案例分析 answers are typed into their answer cells
            if cell.metadata.get("nbgrader", {}).get("grade_id", "").startswith("case-"):
                cell.source = "违反法定程序，应当告知听证权利。"
        nbformat.write(notebook, folder / "exam.ipynb")
        nbgrader("submit", assignment, "--course", "academy", f"--student={officer}", f"--Exchange.root={exchange}",
                 cwd=desk, env=officer_env)  # on JupyterHub the officer is the unix user; here we name them
        expected[officer] = sum(expected_points(item, points, plan[key]) for key, item, points in items)
    nbgrader("collect", assignment, cwd=course, env=env)
    assert sorted(p.name for p in (course / "submitted").iterdir()) == OFFICERS

    assert main(["exam", "grade", EXAM]) == 0
    # manual grading of the 案例分析 answers through the gradebook API (what formgrader does)
    from nbgrader.api import Gradebook

    manual = {"A0001": 1.0, "A0002": 0.5, "A0003": 0.0}  # share of the manual points each officer gets
    manual_points = sum(points for _, _, points in case_manual)
    with Gradebook(f"sqlite:///{course / 'gradebook.db'}", "academy") as gb:
        for officer in OFFICERS:
            for key, _part, points in case_manual:
                qid, pid = key.split("/")
                grade = gb.find_grade(f"case-{qid}-{pid}", "exam", assignment, officer)
                grade.manual_score = points * manual[officer]
                grade.needs_manual_grade = False  # as formgrader does when a score is entered
            gb.db.commit()
        for officer in OFFICERS:
            total = gb.find_submission_notebook("exam", assignment, officer).score
            assert total == pytest.approx(expected[officer] + manual_points * manual[officer], abs=0.011)
    capsys.readouterr()

    # feedback: score and sections, never the keys
    from grading.feedback import write_feedback

    written = write_feedback(course, assignment, paper=paper_file)
    assert len(written) == 3
    text = written[0].read_text(encoding="utf-8")
    assert "合格" in text and "单项选择题" in text
    for _key, item, _ in items:
        if item.type == "single":
            assert item.options[item.answer] not in text

    results = tmp_path / "results.csv"
    assert main(["exam", "results", EXAM, "--format", "csv", "-o", str(results)]) == 0
    with open(results, encoding="utf-8-sig") as handle:
        rows = {r["人员编号"]: r for r in csv.DictReader(handle)}
    for officer in OFFICERS:
        want = expected[officer] + manual_points * manual[officer]
        assert float(rows[officer]["总分"]) == pytest.approx(want, abs=0.011)
        assert rows[officer]["是否通过"] == ("是" if want >= 12 else "否")
        assert "单项选择题" in rows[officer] and "案例分析题" in rows[officer]

    roster = [["人员编号", "姓名", "单位"]] + [[o, f"考生{o}", "甲县市场监督管理局"] for o in OFFICERS]
    with db.session() as s:
        import_roster(s, write_csv(tmp_path / "roster.csv", roster), "hr")
    assert main(["exam", "register", EXAM, "--date", "2026-11-20"]) == 0
    with db.session() as s:
        registered = dict(s.execute(select(Officer.officer_no, ExamResult.passed).join(ExamResult)).all())
        certified = set(s.scalars(select(Officer.officer_no).join(Certificate, Certificate.officer_id == Officer.id)))
    assert registered == {o: expected[o] + manual_points * manual[o] >= 12 for o in OFFICERS}
    assert certified == {o for o, passed in registered.items() if passed}

    assert main(["exam", "analyze", EXAM, "--chart", str(tmp_path / "analysis.png")]) == 0
    out = capsys.readouterr().out
    assert f"{EXAM}：{len(items)} 道题，3 名考生" in out
    stats = json.loads((tmp_path / "item_stats.json").read_text(encoding="utf-8"))
    assert set(stats["exams"][assignment]) == {k for k, _, _ in items}  # one entry per form
    assert (tmp_path / "analysis.png").stat().st_size > 10_000
