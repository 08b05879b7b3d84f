from pathlib import Path

import pytest

from grading.paper import Form, Paper, PaperError, Section, case_part_points, load_paper, write_paper
from questionbank.loading import load_bank
from questionbank.model import Part, Question, RubricPoint


def _paper() -> Paper:
    forms = [
        Form("A", [Section("single", "单项选择题", "single", 1, ["q-1", "q-2"]),
                   Section("case", "案例分析题", "case", 8, ["c-1"])]),
        Form("B", [Section("single", "单项选择题", "single", 1, ["q-3", "q-4"]),
                   Section("case", "案例分析题", "case", 8, ["c-2"])]),
    ]
    return Paper("cert-2026-q4", "2026年第四季度行政执法人员资格考试", 90, 10, 6, "partial_half", 7, forms)


def test_round_trip(tmp_path: Path):
    paper = _paper()
    write_paper(paper, tmp_path / "paper.yaml")
    again = load_paper(tmp_path / "paper.yaml")
    assert again == paper
    assert again.form("b").assignment == "cert-2026-q4-b"
    assert again.form("cert-2026-q4-a").section("case").questions == ["c-1"]
    assert again.form("A").total == 10
    text = (tmp_path / "paper.yaml").read_text(encoding="utf-8")
    assert "2026年第四季度" in text  # Chinese written as is


def test_unknown_form_is_a_chinese_key_error():
    with pytest.raises(KeyError, match="没有 C 卷"):
        _paper().form("C")


def test_bad_paper_names_every_problem(tmp_path: Path):
    path = tmp_path / "bad.yaml"
    path.write_text(
        "exam: Cert 2026\ntotal: 100\npass_mark: 120\nduration_minutes: 90\nmultiple_rule: most\n"
        "forms:\n  - form: A\n    sections:\n      - {id: single, type: numeric, points: 1, questions: [a, a]}\n",
        encoding="utf-8")
    with pytest.raises(PaperError) as err:
        load_paper(path)
    text = str(err.value)
    for words in ("考试编号", "及格分 120 高于总分 100", "多选题计分规则 most 无效", "题型 numeric 无效", "题目 a 在本卷中出现了不止一次"):
        assert words in text


def test_totals_must_match(tmp_path: Path):
    paper = _paper()
    paper.total = 12
    with pytest.raises(PaperError, match="合计 10，与总分 12 不符"):
        write_paper(paper, tmp_path / "p.yaml")
    assert not (tmp_path / "p.yaml").exists()


def _case(parts) -> Question:
    return Question("c-9", "case", "案情", "t", 3, "legal", ["通用"], "reviewed", parts=parts)


def test_case_part_points_split():
    parts = [Part("p1", "single", "", {"A": "a", "B": "b"}, "A"), Part("p2", "judge", "", answer=True),
             Part("p3", "multiple", "", {"A": "a", "B": "b", "C": "c"}, ("A", "B")),
             Part("p4", "open", "", reference="r", rubric=[RubricPoint("x", 6)]),
             Part("p5", "open", "", reference="r", rubric=[RubricPoint("y", 3)])]
    split = case_part_points(_case(parts), 10)
    assert list(split) == ["p1", "p2", "p3", "p4", "p5"]
    assert split["p1"] == split["p2"] == split["p3"] == (1.33, True)
    assert split["p4"] == (4.01, False) and split["p5"] == (2.0, False)  # 6.01 shared 6:3, rounding to the last
    assert round(sum(p for p, _ in split.values()), 6) == 10


def test_case_without_objective_parts_gives_all_to_open():
    parts = [Part("p1", "open", "", reference="r", rubric=[RubricPoint("x", 2)])]
    assert case_part_points(_case(parts), 10) == {"p1": (10, False)}


def test_every_case_of_the_bank_splits_exactly():
    for q in load_bank().questions:
        if q.type == "case":
            split = case_part_points(q, 10)
            assert round(sum(p for p, _ in split.values()), 6) == 10
            assert sum(auto for _, auto in split.values()) == sum(p.type != "open" for p in q.parts)
