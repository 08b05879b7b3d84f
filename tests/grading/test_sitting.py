"""One sitting with two forms: ``--student`` grades only where the officer handed in (no phantom submissions), an
officer expected but absent is listed, an officer with two forms is one flagged result (never dropped, never
registered), and analysis is per form over the submissions that count, pooled only for items the forms share."""

from __future__ import annotations

import contextlib
import copy
import csv
import io
import json
import random
import shutil

import pytest

from academy.cli import main
from grading.autograde import load_exam_key
from grading.item_stats import load_item_stats
from tests.grading.helpers import PAPER, gradebook_state, make_course, responses, submit

EXAM = "cert-two-forms"
FORM_A, FORM_B = f"{EXAM}-a", f"{EXAM}-b"
SHARED_CASE = "qz-execution-048"  # in both forms: the only item pooled across them


def _paper() -> dict:
    paper = copy.deepcopy(PAPER)
    paper["exam"] = EXAM
    form_b = {"form": "B", "sections": [
        {"id": "single", "title": "单项选择题", "type": "single", "points": 5,
         "questions": ["qz-execution-018", "qz-execution-019", "qz-execution-021", "qz-execution-022"]},
        {"id": "multiple", "title": "多项选择题", "type": "multiple", "points": 10,
         "questions": ["qz-execution-011", "qz-execution-014", "qz-execution-015"]},
        {"id": "judge", "title": "判断题", "type": "judge", "points": 5,
         "questions": ["qz-execution-016", "qz-execution-017", "qz-execution-020", "qz-execution-023"]},
        {"id": "case", "title": "案例分析题", "type": "case", "points": 30, "questions": [SHARED_CASE]},
    ]}
    paper["forms"] = [paper["forms"][0], form_b]
    return paper


@pytest.fixture(scope="module")
def two_forms(tmp_path_factory):
    base = tmp_path_factory.mktemp("two-forms")
    make_course(base, _paper())
    return base


@pytest.fixture
def sitting(two_forms, tmp_path, monkeypatch):
    base = tmp_path / "exam"
    shutil.copytree(two_forms, base)
    monkeypatch.setenv("ACADEMY_HOME", str(base))
    monkeypatch.setenv("ACADEMY_EXAM_COURSE", str(base / "course"))
    monkeypatch.setenv("ACADEMY_DB_URL", f"sqlite:///{base / 'tracker.sqlite3'}")
    monkeypatch.setenv("ACADEMY_ITEM_STATS", str(base / "item_stats.json"))
    course, paper = base / "course", base / "papers" / f"{EXAM}.yaml"
    keys = {form: load_exam_key(paper, form) for form in (FORM_A, FORM_B)}
    return course, keys


def _submit(course, keys, officer, form, seed):
    submit(course, officer, responses(keys[form], random.Random(seed), right=0.9, blank=0.0), assignment=form,
           exam=EXAM, case_text="程序违法，应当撤销。")


def _run(*argv):
    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        code = main(list(argv))
    return code, out.getvalue(), err.getvalue()


def test_student_grades_only_the_form_he_handed_in(sitting):
    course, keys = sitting
    _submit(course, keys, "S0001", FORM_A, 1)
    _submit(course, keys, "S0002", FORM_B, 2)
    code, out, err = _run("exam", "grade", EXAM, "--student", "S0001")
    assert code == 0, out + err
    assert set(gradebook_state(course, FORM_A)) == {"S0001"}
    assert gradebook_state(course, FORM_B) == {}  # no phantom S0001 in the form he did not sit
    assert not (course / "feedback" / "S0001" / FORM_B).exists()
    assert f"{FORM_B}：评分 0 份" in out

    code, out, err = _run("exam", "grade", EXAM, "--student", "S0009")  # expected, handed in nothing
    assert code == 1
    assert "未提交（应考而没有提交）：S0009" in out
    assert "S0009" not in gradebook_state(course, FORM_A) and "S0009" not in gradebook_state(course, FORM_B)


def test_two_forms_by_one_officer_are_one_flagged_result(sitting, tmp_path):
    course, keys = sitting
    _submit(course, keys, "S0001", FORM_A, 1)
    _submit(course, keys, "S0002", FORM_B, 2)
    _submit(course, keys, "S0003", FORM_A, 3)
    _submit(course, keys, "S0004", FORM_B, 4)
    _submit(course, keys, "S0005", FORM_A, 5)
    _submit(course, keys, "S0005", FORM_B, 6)  # one officer, both forms
    code, out, err = _run("exam", "grade", EXAM)
    assert code == 1
    assert f"提交了两套试卷 S0005：{FORM_A}、{FORM_B}" in out
    assert "S0005" in gradebook_state(course, FORM_A) and "S0005" in gradebook_state(course, FORM_B)  # both graded

    results = tmp_path / "results.csv"
    assert _run("exam", "results", EXAM, "--format", "csv", "-o", str(results))[0] == 0
    with open(results, encoding="utf-8-sig") as handle:
        rows = list(csv.DictReader(handle))
    assert [r["人员编号"] for r in rows] == ["S0001", "S0002", "S0003", "S0004", "S0005"]  # one row per officer
    five = rows[-1]
    assert five["结论"] == f"提交了两套试卷（{FORM_A}、{FORM_B}），请核查" and five["是否通过"] == "待核查"
    assert five["试卷"] == f"{FORM_A}、{FORM_B}" and five["总分"] == ""
    assert rows[0]["试卷"] == FORM_A and rows[1]["试卷"] == FORM_B

    # register: the case answers graded first (as formgrader does), S0005 listed and not registered
    from nbgrader.api import Gradebook

    from tests.tracker.helpers import write_csv
    from tracker import db
    from tracker.imports import import_roster

    with Gradebook(f"sqlite:///{course / 'gradebook.db'}", "academy") as gb:
        for form, key in keys.items():
            for sub in gb.find_assignment(form).submissions:
                for name in key.manual:
                    grade = gb.find_grade(name, "exam", form, sub.student_id)
                    grade.manual_score, grade.needs_manual_grade = 5.0, False
        gb.db.commit()
    code, out, err = _run("exam", "register", EXAM, "--date", "2026-11-23")
    assert code == 1 and "不在名册中 4 人" in err  # nobody on the roster yet: nothing registered, and why
    with db.session() as s:
        import_roster(s, write_csv(tmp_path / "roster.csv", [["人员编号", "姓名", "单位"]] + [
            [f"S000{n}", f"考生{n}", "甲县市场监督管理局"] for n in range(1, 6)]), "hr")
    code, out, err = _run("exam", "register", EXAM, "--date", "2026-11-23")
    assert code == 0 and "登记 4 人" in out and "提交了两套试卷，待核查，未登记：S0005" in out

    # analysis: per form, S0005 left out, the shared case question pooled over both forms
    code, out, err = _run("exam", "analyze", EXAM, "--chart", str(tmp_path / "chart.png"))
    assert code == 0, err
    assert "4 名考生" in out and "未计入 1 人：S0005（提交了两套试卷）" in out
    assert f"{FORM_A}：" in out and f"{FORM_B}：" in out
    store = load_item_stats()
    assert set(store.exams) == {FORM_A, FORM_B}
    assert all(s.n == 2 for stats in store.exams.values() for s in stats.values())
    assert (tmp_path / f"chart-{FORM_A}.png").exists() and (tmp_path / f"chart-{FORM_B}.png").exists()
    pooled = store.pooled()
    shared = [q for q in pooled if q.startswith(SHARED_CASE + "/")]
    assert shared and all(pooled[q].n == 4 and pooled[q].exams == 2 for q in shared)
    assert all(pooled[q].n == 2 for q in pooled if q not in shared)
    raw = json.loads((course.parent / "item_stats.json").read_text(encoding="utf-8"))
    assert raw["exams"][FORM_A][next(q for q in raw["exams"][FORM_A] if q in shared)]["form"] == FORM_A


def test_register_says_why_when_nothing_can_be_registered(sitting):
    course, keys = sitting
    code, out, err = _run("exam", "register", EXAM, "--date", "2026-11-23")
    assert code == 1 and "还没有评分结果" in err
    _submit(course, keys, "S0001", FORM_A, 1)
    assert _run("exam", "grade", EXAM)[0] == 0
    code, out, err = _run("exam", "register", EXAM, "--date", "2026-11-23")
    # the written case answer waits; whether it can change the verdict decides 待定 — here nothing is registered
    assert code == 1 and "没有登记任何成绩" in err
