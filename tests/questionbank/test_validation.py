"""Every validation rule: a fixture that breaks it, and the message that names file, id, field and reason."""

import datetime as dt

import pytest

from questionbank.loading import load_bank
from questionbank.validation import validate
from tests.questionbank.helpers import good_single, write_bank


def problems_for(tmp_path, *questions, topic="cf_hearing", strict=False, today=None):
    write_bank(tmp_path, *questions, topic=topic)
    return validate(load_bank([tmp_path]), strict=strict, today=today or dt.date(2026, 11, 23))


def only(problems, level="error"):
    return [p for p in problems if p.level == level]


def test_a_good_question_passes(tmp_path):
    assert problems_for(tmp_path, good_single(), strict=True) == []


@pytest.mark.parametrize(
    "changes, field, words",
    [
        ({"stem": None}, "stem", "必填"),
        ({"type": "essay"}, "type", "题型 essay 无效"),
        ({"difficulty": 7}, "difficulty", "1–5"),
        ({"category": "法律"}, "category", "分类"),
        ({"status": "done"}, "status", "状态"),
        ({"explaination": "拼错的字段"}, "explaination", "未知字段"),
        ({"id": "CF 001"}, "id", "小写英文"),
        ({"answer": "E"}, "answer", "答案 E 不在选项中"),
        ({"answer": ["A", "B"]}, "answer", "单选题必须恰有一个答案"),
        ({"type": "multiple", "answer": ["B"]}, "answer", "多选题至少要有两个答案"),
        ({"type": "judge", "options": None, "answer": "对"}, "answer", "判断题答案应为"),
        ({"domains": ["外太空"]}, "domains", "执法领域 外太空 未在"),
        ({"basis": ["行政处罚法2021第64条"]}, "basis", "法律依据格式"),
        ({"basis": ["民法典@2020#1"]}, "basis", "法律 民法典 未在法律登记表"),
        ({"basis": ["行政处罚法@2019#64"]}, "basis", "没有 2019 版本"),
        ({"basis": ["行政处罚法@2021#87"]}, "basis", "只有 86 条，没有第87条"),
        ({"explanation": ""}, "explanation", "已审核的题目必须有解析"),
        ({"basis": []}, "basis", "已审核的题目必须有法律依据"),
        ({"options": {"A": "三日", "C": "七日"}, "answer": "A"}, "options", "从 A 起连续"),
        ({"type": "numeric", "options": None, "answer": "五日"}, "answer", "数值题答案应为数值"),
    ],
)
def test_each_error_rule(tmp_path, changes, field, words):
    problems = only(problems_for(tmp_path, good_single(**changes)))
    assert any(p.field == field and words in p.message for p in problems), [str(p) for p in problems]
    problem = next(p for p in problems if p.field == field and words in p.message)
    assert problem.qid == good_single(**changes).get("id", "第1题")
    assert problem.file.endswith("bank.yaml")
    assert f"字段 {field}" in str(problem) and "[错误]" in str(problem)


def test_unknown_topic(tmp_path):
    problems = only(problems_for(tmp_path, good_single(), topic="no_such_topic"))
    assert [p.field for p in problems] == ["topic"] and "未在" in problems[0].message


def test_duplicate_ids_across_files(tmp_path):
    write_bank(tmp_path / "a", good_single())
    write_bank(tmp_path / "b", good_single(stem="完全不同的另一道题的题干，用来只测编号重复"))
    problems = only(validate(load_bank([tmp_path])))
    assert len(problems) == 2 and all("编号重复" in p.message for p in problems)
    assert {p.file.split("/")[-2] for p in problems} == {"a", "b"}


def test_broken_yaml_is_reported_not_raised(tmp_path):
    (tmp_path / "bad.yaml").write_text("topic: cf_hearing\nquestions: [\n", encoding="utf-8")
    problems = validate(load_bank([tmp_path]))
    assert len(problems) == 1 and "YAML" in problems[0].message


def test_superseded_version_is_a_warning_and_strict_makes_it_an_error(tmp_path):
    item = good_single(basis=["行政处罚法@2017#42"], explanation="旧法第四十二条。")
    warnings = only(problems_for(tmp_path, item), "warning")
    assert len(warnings) == 1 and "已不是现行版本" in warnings[0].message and "2021" in warnings[0].message
    assert only(problems_for(tmp_path, item)) == []
    strict = problems_for(tmp_path, item, strict=True)
    assert [p.level for p in strict] == ["error"]


def test_version_in_force_depends_on_the_date(tmp_path):
    item = good_single(basis=["行政复议法@2017#9"], explanation="旧法第九条。")
    assert only(problems_for(tmp_path, item, today=dt.date(2023, 6, 1)), "warning") == []
    assert only(problems_for(tmp_path, item, today=dt.date(2024, 1, 1)), "warning")


def test_near_duplicate_stems_normalise_width_and_punctuation(tmp_path):
    a = good_single()
    b = good_single(id="cf-test-002", stem="当事人要求听证的,应当在行政机关告知后几日内提出?(　)")
    warnings = only(problems_for(tmp_path, a, b), "warning")
    assert len(warnings) == 1 and "高度相似" in warnings[0].message and "cf-test-001" in str(warnings[0])
    c = good_single(id="cf-test-003", stem="行政机关拟作出责令停产停业决定的，应当告知当事人什么权利？")
    assert only(problems_for(tmp_path, a, c), "warning") == []


def test_repeated_options_are_a_warning(tmp_path):
    item = good_single(options={"A": "三日", "B": "五日", "C": "５日", "D": "五 日"})
    warnings = only(problems_for(tmp_path, item), "warning")
    assert len(warnings) == 1 and "选项 B 与选项 D 内容重复" in warnings[0].message


def test_case_needs_an_open_part_with_rubric(tmp_path):
    case = good_single(type="case", options=None, answer=None, stem="案情……",
                       parts=[{"id": "p1", "type": "open", "stem": "问题", "reference": "参考答案"}])
    problems = only(problems_for(tmp_path, case))
    assert any(p.field == "parts[1].rubric" and "评分要点" in p.message for p in problems)
    case["parts"] = [{"id": "p1", "type": "single", "stem": "问题", "options": {"A": "甲", "B": "乙"}, "answer": "A"}]
    problems = only(problems_for(tmp_path, case))
    assert any(p.field == "parts" and "主观小题" in p.message for p in problems)


LETTERED = "行政处罚法第六十四条规定，当事人应当在告知后五日内提出听证要求，D项错误。"


def test_a_explanation_naming_an_option_by_letter_is_an_error_once_reviewed(tmp_path):
    problems = problems_for(tmp_path, good_single(explanation=LETTERED))
    errors = only(problems)
    assert [(p.qid, p.field) for p in errors] == [("cf-test-001", "explanation")]
    assert "D项" in errors[0].message and "打乱" in errors[0].message
    draft = problems_for(tmp_path, good_single(explanation=LETTERED, status="draft"))
    assert only(draft) == [] and [p.field for p in only(draft, "warning")] == ["explanation"]
    assert problems_for(tmp_path, good_single(explanation=LETTERED, status="retired")) == []


@pytest.mark.parametrize("text", ["选项A与条文不符", "A、C两项正确", "B 项属于违法", "A、B错误", "故选C", "选项A至D均在该款所列",
                                  "A、B违法", "C、D合法", "E不违法", "D不选"])
def test_each_way_of_naming_an_option_by_letter(tmp_path, text):
    problems = only(problems_for(tmp_path, good_single(stem=f"当事人要求听证的期限？{text}（  ）")))
    assert [p.field for p in problems] == ["stem"], [str(p) for p in problems]


def test_names_and_unshuffled_items_are_not_letter_references(tmp_path):
    named = good_single(stem="A县市场监督管理局查处B公司，当事人要求听证的，应当在告知后几日内提出？（  ）",
                        explanation="行政处罚法第六十四条规定，当事人应当在告知后五日内提出，A县局应当组织听证；B公司违法，C县合法。")
    judge = good_single(id="cf-test-002", type="judge", options=None, answer="正确",
                        stem="当事人要求听证的，应当在告知后五日内提出。", explanation="D项的说法见第六十四条。")
    assert only(problems_for(tmp_path, named, judge)) == []


def test_a_case_part_naming_an_option_by_letter_is_reported(tmp_path):
    parts = [{"id": "p1", "type": "single", "stem": "问题", "options": {"A": "甲", "B": "乙"}, "answer": "A",
              "explanation": "B项错误。"},
             {"id": "p2", "type": "open", "stem": "问题", "reference": "参考答案",
              "rubric": [{"point": "要点", "score": 2}]}]
    case = good_single(type="case", options=None, answer=None, stem="案情……", parts=parts)
    problems = only(problems_for(tmp_path, case))
    assert [p.field for p in problems] == ["parts[p1].explanation"], [str(p) for p in problems]


def test_a_case_level_explanation_naming_a_part_option_by_letter_is_reported(tmp_path):
    parts = [{"id": "p1", "type": "single", "stem": "问题", "options": {"A": "甲", "B": "乙"}, "answer": "A",
              "explanation": "“甲”的说法正确。"},
             {"id": "p2", "type": "open", "stem": "问题", "reference": "参考答案", "rubric": [{"point": "要点", "score": 2}]}]
    case = good_single(type="case", options=None, answer=None, stem="A县市场监督管理局查处B公司……",
                       explanation="第1小题答案为A，B项错误。", parts=parts)
    errors = only(problems_for(tmp_path, case))
    assert [(p.field, p.level) for p in errors] == [("explanation", "error")], [str(p) for p in errors]
    assert "答案为A" in errors[0].message and "B项" in errors[0].message
    stem = good_single(type="case", options=None, answer=None, stem="案情……请判断选项A是否正确。",
                       explanation="第1小题，“甲”的说法正确。", parts=parts)
    assert [p.field for p in only(problems_for(tmp_path, stem))] == ["stem"]
    draft = problems_for(tmp_path, {**case, "status": "draft"})
    assert only(draft) == [] and [p.field for p in only(draft, "warning")] == ["explanation"]
    assert problems_for(tmp_path, {**case, "status": "retired"}) == []


def test_a_case_without_shuffled_parts_may_name_letters(tmp_path):
    parts = [{"id": "p1", "type": "open", "stem": "问题", "reference": "参考答案", "rubric": [{"point": "要点", "score": 2}]}]
    case = good_single(type="case", options=None, answer=None, stem="案情……", explanation="答案为A。", parts=parts)
    assert only(problems_for(tmp_path, case)) == []


def test_the_shipped_bank_names_no_option_by_letter():
    from questionbank.option_letters import letter_references

    found = {q.id: letter_references(q) for q in load_bank().questions if q.status != "retired"}
    assert {qid: refs for qid, refs in found.items() if refs} == {}


def test_unknown_article_count_is_a_warning(tmp_path):
    item = good_single(basis=["行政执法监督条例@2025#3"], explanation="行政执法监督条例第三条。")
    warnings = only(problems_for(tmp_path, item), "warning")
    assert any("条文数未登记" in p.message for p in warnings)


def test_shipped_bank_passes_strict_validation():
    bank = load_bank()
    problems = validate(bank, strict=True)
    assert problems == [], "\n".join(map(str, problems[:20]))
