"""check-basis: cited articles exist in the statute text, and amounts in the key and 解析 occur there."""

import pytest

from questionbank.amounts import amounts
from questionbank.basis_check import check_basis
from questionbank.loading import load_bank
from questionbank.statutes import Statute
from tests.questionbank.helpers import good_single, write_bank


@pytest.mark.parametrize(
    "text, expected",
    [
        ("对公民处以二百元以下罚款", [(200, "元")]),
        ("应当在5日内提出", [(5, "日")]),
        ("十五个工作日内", [(15, "工作日")]),
        ("每日按罚款数额的百分之三加处罚款", [(3, "%")]),
        ("3%", [(3, "%")]),
        ("处5万元以上十万元以下罚款", [(50000, "元"), (100000, "元")]),
        ("二年内未被发现的", [(2, "年")]),
        ("执法人员不得少于两人", [(2, "人")]),
        ("六个月", [(6, "月")]),
        ("三天", [(3, "日")]),
        ("2021年7月15日起施行，见第六十四条第一款第三项", []),
        ("第十五日", []),
        ("不满十四周岁的人，后一年龄段", [(14, "岁")]),
    ],
)
def test_amounts(text, expected):
    assert [(a.value, a.unit) for a in amounts(text)] == [(float(v), u) for v, u in expected]


def test_statute_parsing_splits_articles_and_paragraphs(shared_laws):
    statute = Statute.parse((shared_laws / "行政处罚法(2021-01-22).md").read_text(encoding="utf-8"))
    assert len(statute.articles) == 86 and statute.title == "中华人民共和国行政处罚法"
    assert "二百元" in statute.articles[51] and "三千元" in statute.articles[51]
    assert statute.articles[10].count("\n") == 1  # two paragraphs
    assert "第二章" not in statute.articles[8]


def check(tmp_path, shared_laws, **changes):
    write_bank(tmp_path, good_single(**changes))
    return check_basis(load_bank([tmp_path]), shared_laws)


def test_a_correct_key_passes(tmp_path, shared_laws):
    assert check(tmp_path, shared_laws) == []


def test_a_wrong_period_in_the_key_is_reported(tmp_path, shared_laws):
    problems = check(tmp_path, shared_laws, answer="D",
                     explanation="行政处罚法第六十四条规定，当事人要求听证的，应当在行政机关告知后五日内提出。")
    assert len(problems) == 1 and problems[0].field == "options.D" and "“十日”" in problems[0].message


def test_a_wrong_amount_in_the_explanation_is_reported(tmp_path, shared_laws):
    problems = check(tmp_path, shared_laws, explanation="当事人应当在告知后3日内提出，费用由当事人承担百分之三。")
    messages = [p.message for p in problems]
    assert any("“3日”" in m for m in messages) and any("“百分之三”" in m for m in messages)
    assert all(p.field == "explanation" for p in problems)


def test_arabic_and_chinese_numerals_match(tmp_path, shared_laws):
    assert check(tmp_path, shared_laws, explanation="告知后5日内提出。") == []


def test_working_days_are_not_days(tmp_path, shared_laws):
    problems = check(tmp_path, shared_laws, explanation="告知后五个工作日内提出。")
    assert len(problems) == 1 and "五个工作日" in problems[0].message


def test_an_article_missing_from_the_text_is_reported(tmp_path, shared_laws):
    problems = check(tmp_path, shared_laws, basis=["长江保护法@2020#90"], explanation="长江保护法第九十条。")
    assert any("没有第90条" in p.message for p in problems)


def test_a_version_without_text_is_reported(tmp_path, shared_laws):
    problems = check(tmp_path, shared_laws, basis=["治安管理处罚法@2025#10"], explanation="第十条。")
    assert any("没有 治安管理处罚法@2025 的文本" in p.message for p in problems)


def test_case_reference_answers_and_rubric_are_checked(tmp_path, shared_laws):
    case = good_single(type="case", options=None, answer=None, stem="案情……", explanation="见第六十四条。", parts=[
        {"id": "p1", "type": "open", "stem": "问题", "reference": "应当在告知后二十日内提出。",
         "rubric": [{"point": "指出五日", "score": 2}, {"point": "指出三十日", "score": 1}]}])
    problems = check(tmp_path, shared_laws, **case)
    assert sorted(p.field for p in problems) == ["parts[p1].reference", "parts[p1].rubric[2]"]


def test_shipped_bank_passes_check_basis(shared_laws):
    bank = load_bank()
    problems = check_basis(bank, shared_laws)
    assert problems == [], "\n".join(map(str, problems[:20]))
