"""The course catalog: every notebook exists and shows its quizzes, quizzes use reviewed questions, ≥ 30 + 30 学时."""

import json

import nbformat
import pytest

from academy.cli import main
from curriculum import catalog
from curriculum.catalog import ModuleSpec, QuizSpec, validate_catalog
from tracker.rules import Rules


def notebook(path, module_id, quiz_ids=("q1",)):
    nb = nbformat.v4.new_notebook()
    nb.cells = [nbformat.v4.new_code_cell(f'module = Module("{module_id}")')]
    nb.cells += [nbformat.v4.new_code_cell(f'module.quiz("{q}")') for q in quiz_ids]
    path.parent.mkdir(parents=True, exist_ok=True)
    nbformat.write(nb, path)


def spec(tmp_path, monkeypatch, **changes):
    monkeypatch.setattr(catalog, "COURSES", tmp_path)
    values = dict(id="m1", title="模块", category="legal", hours=20, domain="通用", level="基础", posts=(), pass_mark=0.6,
                  notebook="m1.ipynb", quizzes=(QuizSpec("q1", "测验", questions=("cf-hearing-001", "cf-hearing-002",
                                                                                    "cf-hearing-003")),))
    values.update(changes)
    return ModuleSpec(**values)


REQUIRED = {"legal": 20, "operations": 0}


def test_a_good_catalog(tmp_path, monkeypatch):
    module = spec(tmp_path, monkeypatch)
    notebook(tmp_path / "m1.ipynb", "m1")
    assert validate_catalog([module], list(catalog.bank_questions()), REQUIRED) == []


@pytest.mark.parametrize("changes, words", [
    ({"notebook": "missing.ipynb"}, "笔记本 missing.ipynb 不存在"),
    ({"quizzes": (QuizSpec("q1", "测验", questions=("no-such-question", "cf-hearing-001", "cf-hearing-002")),)},
     "题目不存在或未审核：no-such-question"),
    ({"quizzes": (QuizSpec("q1", "测验", questions=("cf-hearing-001",)),)}, "题目太少"),
    ({"quizzes": (QuizSpec("q2", "测验", topic="cf_hearing", n=5),)}, "没有显示测验 q2"),
    ({"quizzes": ()}, "没有测验"),
    ({"hours": 10}, "法律知识课程共 10 学时，少于年度要求 20 学时"),
    ({"category": "misc"}, "分类 misc 无效"),
    ({"pass_mark": 1.5}, "合格线 1.5"),
])
def test_each_problem_is_named(tmp_path, monkeypatch, changes, words):
    module = spec(tmp_path, monkeypatch, **changes)
    notebook(tmp_path / "m1.ipynb", "m1")
    problems = validate_catalog([module], list(catalog.bank_questions()), REQUIRED)
    assert any(words in p for p in problems), problems


def test_a_notebook_must_open_its_own_module(tmp_path, monkeypatch):
    module = spec(tmp_path, monkeypatch)
    notebook(tmp_path / "m1.ipynb", "another-module")
    assert any('没有打开本模块（Module("m1")）' in p for p in validate_catalog([module], list(catalog.bank_questions()), REQUIRED))


def test_the_shipped_catalog_is_valid_and_offers_the_years_requirement(capsys, shared_laws, monkeypatch):
    monkeypatch.setenv("ACADEMY_LAWS_DIR", str(shared_laws))
    modules = list(catalog.catalog())
    assert validate_catalog(modules, list(catalog.bank_questions()), Rules.load().required()) == []
    assert sum(m.category == "legal" for m in modules) >= 12 and sum(m.category == "operations" for m in modules) >= 12
    assert main(["courses", "validate"]) == 0
    assert "课程目录校验通过" in capsys.readouterr().out


def test_operations_modules_each_have_a_tool():
    for module in catalog.catalog():
        if module.category == "operations":
            source = "".join("".join(c["source"]) for c in json.loads(module.path.read_text(encoding="utf-8"))["cells"])
            assert "academy.course_tools" in source, module.id


def test_notebooks_are_saved_without_outputs():
    for module in catalog.catalog():
        cells = json.loads(module.path.read_text(encoding="utf-8"))["cells"]
        assert all(not c.get("outputs") for c in cells if c["cell_type"] == "code"), module.id
