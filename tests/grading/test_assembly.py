import dataclasses
import datetime as dt
import random
from collections import Counter
from pathlib import Path

import pytest

from grading.assembly import InfeasibleBlueprint, assemble, check_paper
from grading.blueprint import BlueprintError, blueprint_from_mapping, load_blueprint
from grading.item_stats import PooledStat
from grading.paper import write_paper
from questionbank.laws import Citation
from questionbank.loading import load_bank
from questionbank.model import Part, Question, Review, RubricPoint

LAWS = ["行政处罚法", "行政强制法", "行政许可法", "行政复议法"]


def _q(i: int, qtype: str, law: str, topic: str, difficulty: int, status: str = "reviewed",
       category: str = "legal", domain: str = "通用") -> Question:
    q = Question(f"{topic.replace('_', '-')}-{i:04d}", qtype, f"题 {i}", topic, difficulty, category, [domain], status,
                 options={"A": "甲", "B": "乙", "C": "丙"} if qtype in ("single", "multiple") else {},
                 answer={"single": "A", "multiple": ("A", "B"), "judge": True}.get(qtype),
                 basis=[Citation(law, "2021", 1 + i % 50)])
    if qtype == "case":
        q.parts = [Part("p1", "single", "", {"A": "a", "B": "b"}, "A"),
                   Part("p2", "open", "", reference="r", rubric=[RubricPoint("x", 10)])]
    return q


def _bank(n: int = 400, seed: int = 3) -> list[Question]:
    rng = random.Random(seed)
    out = []
    for i in range(n):
        qtype = rng.choice(["single", "single", "multiple", "judge", "judge"]) if i % 40 else "case"
        law = LAWS[i % 4]
        out.append(_q(i, qtype, law, f"t{i % 8}", rng.choice([1, 2, 2, 3, 3, 4]),
                      category="legal" if rng.random() < 0.6 else "operations",
                      domain="通用" if rng.random() < 0.7 else "市场监管"))
    return out


def _blueprint(**changes) -> dict:
    raw = {
        "exam": "test-exam", "title": "测试考试", "duration_minutes": 60, "total": 50, "pass_mark": 30,
        "multiple_rule": "partial_half", "forms": 3, "max_overlap": 0,
        "sections": [
            {"id": "single", "type": "single", "count": 10, "points": 1},
            {"id": "multiple", "type": "multiple", "count": 5, "points": 2},
            {"id": "judge", "type": "judge", "count": 10, "points": 1},
            {"id": "case", "type": "case", "count": 2, "points": 10},
        ],
        "constraints": [
            {"law": "行政处罚法", "min": 5, "max": 9},
            {"law": "行政强制法", "type": "multiple", "min": 2},
            {"category": "operations", "min": 6},
            {"topic": "t3", "count": 3},
            {"domain": "市场监管", "max": 8},
        ],
        "difficulty": {"mean": 2.6, "tolerance": 0.2},
    }
    raw.update(changes)
    return raw


def test_every_constraint_is_met_and_forms_do_not_overlap():
    bank = _bank()
    bp = blueprint_from_mapping(_blueprint())
    paper = assemble(bp, bank, seed=1)
    assert check_paper(bp, paper, bank) == []
    by_id = {q.id: q for q in bank}
    assert [f.form for f in paper.forms] == ["A", "B", "C"]
    for form in paper.forms:  # counted here again, independently of check_paper
        qs = [by_id[i] for i in form.question_ids()]
        assert Counter(q.type for q in qs) == {"single": 10, "multiple": 5, "judge": 10, "case": 2}
        assert 5 <= sum("行政处罚法" in q.laws for q in qs) <= 9
        assert sum(q.type == "multiple" and "行政强制法" in q.laws for q in qs) >= 2
        assert sum(q.category == "operations" for q in qs) >= 6
        assert sum(q.topic == "t3" for q in qs) == 3
        assert sum("市场监管" in q.domains for q in qs) <= 8
        assert 2.4 <= sum(q.difficulty for q in qs) / len(qs) <= 2.8
        assert form.total == 50
    sets = [set(f.question_ids()) for f in paper.forms]
    assert not (sets[0] & sets[1]) and not (sets[0] & sets[2]) and not (sets[1] & sets[2])


def test_forms_are_balanced():
    bank = _bank(800)
    bp = blueprint_from_mapping(_blueprint(forms=4))
    paper = assemble(bp, bank, seed=5)
    by_id = {q.id: q for q in bank}
    topics = [Counter(by_id[i].topic for i in f.question_ids()) for f in paper.forms]
    for t in {t for c in topics for t in c}:
        counts = [c[t] for c in topics]
        assert max(counts) - min(counts) <= 1, t
    means = [sum(by_id[i].difficulty for i in f.question_ids()) / 27 for f in paper.forms]
    assert max(means) - min(means) <= 0.15


def test_a_blueprint_cannot_let_drafts_into_an_exam():
    with pytest.raises(BlueprintError) as refused:
        blueprint_from_mapping(_blueprint(reviewed_only=False))
    assert "reviewed_only 不能为 false" in str(refused.value)


def test_same_seed_same_paper_other_seed_other_paper():
    bank = _bank()
    bp = blueprint_from_mapping(_blueprint())
    a, b, c = (assemble(bp, bank, seed=s) for s in (11, 11, 12))
    assert a.to_mapping()["forms"] == b.to_mapping()["forms"] and a.seed == 11
    assert a.to_mapping()["forms"] != c.to_mapping()["forms"]


def test_only_reviewed_questions_unless_allowed():
    bank = _bank()
    for q in bank[1::2]:
        q.status = "draft"
    bank[2].status = "retired"
    bp = blueprint_from_mapping(_blueprint(forms=1, constraints=[], difficulty=None))
    used = assemble(bp, bank, seed=1).question_ids()
    assert all({q.id: q for q in bank}[i].status == "reviewed" for i in used)


def test_questions_waiting_for_re_review_are_never_drawn():
    bank = _bank()
    flagged = {q.id for q in bank[::3]}
    for q in bank[::3]:
        q.review = Review("甲", dt.date(2026, 11, 29), {str(q.basis[0]): "0" * 12}, recheck=[str(q.basis[0])])
    bp = blueprint_from_mapping(_blueprint(forms=1, constraints=[], difficulty=None))
    paper = assemble(bp, bank, seed=1)
    assert not flagged & set(paper.question_ids())
    assert check_paper(bp, paper, bank) == []
    # a paper assembled before the alarm no longer passes the check once one of its questions is flagged
    clean = [dataclasses.replace(q, review=None) for q in bank]
    paper = assemble(bp, clean, seed=1)
    one = sorted(paper.question_ids())[0]
    later = [dataclasses.replace(q, review=Review("甲", dt.date(2026, 11, 29), {}, ["x@1#1"])) if q.id == one else q
             for q in clean]
    assert any(one in problem and "待复核" in problem for problem in check_paper(bp, paper, later))


def test_history_excludes_or_limits_recent_questions(tmp_path: Path):
    bank = _bank()
    bp = blueprint_from_mapping(_blueprint(forms=2, constraints=[], difficulty=None, exam="test-old"))
    old = assemble(bp, bank, seed=1)
    write_paper(old, tmp_path / "old.yaml")
    used = old.question_ids()
    raw = _blueprint(forms=2, constraints=[], difficulty=None,
                     history={"folder": str(tmp_path), "last": 1, "max_per_form": 0})
    bp = blueprint_from_mapping(raw)
    history = bp.history_papers()
    assert [p.exam for p in history] == ["test-old"]
    new = assemble(bp, bank, seed=2, history_papers=history)
    assert not new.question_ids() & used
    raw["history"]["max_per_form"] = 2
    bp = blueprint_from_mapping(raw)
    limited = assemble(bp, bank, seed=2, history_papers=history)
    assert all(len(set(f.question_ids()) & used) <= 2 for f in limited.forms)
    assert check_paper(bp, limited, bank, history) == []


def test_overlap_between_forms_is_limited_when_sharing_is_needed():
    bank = [q for q in _bank(160) if q.type != "case"]
    raw = _blueprint(forms=3, max_overlap=15, constraints=[], difficulty=None, total=30,
                     sections=[{"id": "single", "type": "single", "count": 30, "points": 1}])
    bp = blueprint_from_mapping(raw)
    singles = sum(q.type == "single" for q in bank)
    assert 45 < singles < 90  # three disjoint forms are impossible: questions must be shared
    paper = assemble(bp, bank, seed=3)
    sets = [set(f.question_ids()) for f in paper.forms]
    assert all(len(sets[a] & sets[b]) <= 15 for a in range(3) for b in range(a + 1, 3))
    assert check_paper(bp, paper, bank) == []


def test_short_supply_is_named_in_chinese():
    bank = [q for q in _bank() if not (q.type == "multiple" and "行政强制法" in q.laws)]
    bank += [_q(900 + i, "multiple", "行政强制法", "t1", 2) for i in range(3)]
    bank += [_q(950, "multiple", "行政强制法", "t1", 2, status="draft")]
    bp = blueprint_from_mapping(_blueprint(forms=1, constraints=[{"law": "行政强制法", "type": "multiple", "min": 5}]))
    with pytest.raises(InfeasibleBlueprint) as err:
        assemble(bp, bank, seed=1)
    assert "行政强制法 多选 需要 5 题，已审核的只有 3 题" in str(err.value)


def test_short_supply_across_forms_and_sections():
    bank = _bank(200)
    bp = blueprint_from_mapping(_blueprint(forms=6, constraints=[], difficulty=None))
    with pytest.raises(InfeasibleBlueprint) as err:
        assemble(bp, bank, seed=1)
    assert "案例分析题 每套需要 2 题，共 6 套且各套不得重复，需要 12 题，已审核的只有 5 题" in str(err.value)


def test_conflicting_constraints_are_found_by_the_solver_and_named():
    bank = _bank()
    constraints = [{"law": "行政处罚法", "type": "single", "min": 6}, {"law": "行政强制法", "type": "single", "min": 6},
                   {"category": "legal", "min": 1}]
    bp = blueprint_from_mapping(_blueprint(forms=1, constraints=constraints, difficulty=None))
    with pytest.raises(InfeasibleBlueprint) as err:
        assemble(bp, bank, seed=1)
    reasons = err.value.reasons
    assert "行政处罚法 单选 每套至少 6 题" in reasons and "行政强制法 单选 每套至少 6 题" in reasons
    assert not any("法律知识" in r for r in reasons)  # not part of the conflict


def test_unreachable_difficulty_is_named():
    bp = blueprint_from_mapping(_blueprint(forms=1, difficulty={"mean": 4.8, "tolerance": 0.1}))
    with pytest.raises(InfeasibleBlueprint, match="平均难度 4.8±0.1"):
        assemble(bp, _bank(), seed=1)


def test_measured_difficulty_replaces_the_authors():
    bank = _bank()
    for q in bank:
        q.difficulty = 3
    stats = {q.id: PooledStat(q.id, 0.95 if i % 2 else 0.2, 100, 1) for i, q in enumerate(bank)}
    raw = _blueprint(forms=1, constraints=[], difficulty={"mean": 1.5, "tolerance": 0.2, "measured": True})
    bp = blueprint_from_mapping(raw)
    with pytest.raises(InfeasibleBlueprint):  # every author difficulty is 3
        assemble(bp, bank, seed=1)
    paper = assemble(bp, bank, seed=1, item_stats=stats)
    assert check_paper(bp, paper, bank, item_stats=stats) == []
    few = {k: PooledStat(k, s.p, 5, 1) for k, s in stats.items()}  # too few answers: ignored
    with pytest.raises(InfeasibleBlueprint):
        assemble(bp, bank, seed=1, item_stats=few)


def test_shipped_blueprint_on_the_bank():
    bank = load_bank().questions
    bp = load_blueprint("cert-2026-q4")
    assert bp.total == 100 and sum(s.count * s.points for s in bp.sections) == 100
    assert {s.type for s in bp.sections} == {"single", "multiple", "judge", "case"}
    paper = assemble(bp, bank, seed=7)
    assert check_paper(bp, paper, bank) == []
    assert len(paper.forms) == 2 and all(f.total == 100 for f in paper.forms)


@pytest.mark.parametrize("change, words", [
    ({"total": 90}, "与总分 90 不符"),
    ({"sections": [{"id": "n", "type": "numeric", "count": 5, "points": 10}], "total": 50}, "数值题需要键入答案"),
    ({"constraints": [{"law": "行政处罚法", "min": 9, "max": 3}]}, "最少 9 题大于最多 3 题"),
    ({"constraints": [{"lawz": "行政处罚法", "min": 1}]}, "lawz：未知字段"),
    ({"constraints": [{"law": "行政处罚法", "type": "multiple", "min": 6}]}, "每套只有 5 题"),
    ({"multiple_rule": "half"}, "多选题计分规则 half 无效"),
    ({"forms": 0}, "平行卷套数应为正数"),
    ({"difficulty": {"mean": 7}}, "平均难度应在 1–5 之间"),
    ({"max_overlap": 0, "max_forms_per_item": 2}, "每题只能出现在 1 套中"),
])
def test_bad_blueprints_are_explained_in_chinese(change, words):
    with pytest.raises(BlueprintError, match=words):
        blueprint_from_mapping(_blueprint(**change))


def test_bad_blueprint_file(tmp_path: Path):
    path = tmp_path / "bp.yaml"
    path.write_text("exam: [\n", encoding="utf-8")
    with pytest.raises(BlueprintError, match="YAML 格式错误"):
        load_blueprint(path)
    with pytest.raises(BlueprintError, match="找不到蓝图文件"):
        load_blueprint(tmp_path / "none.yaml")


def test_the_assemble_command_names_an_infeasible_constraint(tmp_path, capsys):
    from academy.cli import main

    blueprint = tmp_path / "bp.yaml"
    blueprint.write_text("""exam: too-much
title: 题目不够的考试
duration_minutes: 60
total: 600
pass_mark: 360
forms: 1
sections:
  - {id: multiple, title: 多项选择题, type: multiple, count: 300, points: 2}
constraints:
  - {law: 行政强制法, type: multiple, min: 200}
""", encoding="utf-8")
    assert main(["exam", "assemble", str(blueprint), "-o", str(tmp_path / "p.yaml")]) == 1
    err = capsys.readouterr().err
    assert "行政强制法" in err and "多选" in err and "已审核的只有" in err
    assert not (tmp_path / "p.yaml").exists()
