"""Scoring responses against the keys of the template questions."""

from __future__ import annotations

import dataclasses
from pathlib import Path

import pytest

from questionbank.loading import load_bank
from questionbank.model import Question
from questionbank.quiz_views import _verdict
from questionbank.scoring import Score, key_text, score

TEMPLATES = Path(__file__).resolve().parents[2] / "questionbank" / "templates"


@pytest.fixture(scope="module")
def q():
    bank = load_bank([TEMPLATES])
    assert not bank.problems
    return bank.by_id()


@pytest.fixture
def single(q):
    return q["cf-hearing-901"]  # answer B. 五日


@pytest.fixture
def multiple(q):
    return q["cf-general-901"]  # answer A, B, D


@pytest.fixture
def judge(q):
    return q["cf-general-902"]  # answer 正确


@pytest.fixture
def days(q):
    return q["cf-enforcement-901"]  # 15 日, tolerance 0


@pytest.fixture
def percent(q):
    return q["cf-enforcement-902"]  # accepted 三 / 3 / 百分之三 / 3%


# --- single / judge -----------------------------------------------------------------------------------


@pytest.mark.parametrize("response", ["B", "b", " B ", "Ｂ"])
def test_single_correct(single, response):
    assert score(single, response) == Score(True, 1.0, "回答正确")


def test_single_wrong(single):
    assert score(single, "A") == Score(False, 0.0, "回答错误")


@pytest.mark.parametrize("response", ["G", "五日", ["B"], 2, True, {"B": True}])
def test_single_invalid(single, response):
    assert score(single, response) == Score(False, 0.0, "答案格式无效")


def test_judge(judge):
    assert score(judge, True).correct is True
    assert score(judge, False) == Score(False, 0.0, "回答错误")


@pytest.mark.parametrize("response", [1, 0, "正确", "true", [True]])
def test_judge_accepts_only_booleans(judge, response):
    assert score(judge, response).detail == "答案格式无效"


@pytest.mark.parametrize("response", [None, "", "   "])
def test_no_response(single, days, response):
    assert score(single, response) == Score(False, 0.0, "未作答")
    assert score(days, response) == Score(False, 0.0, "未作答")


@pytest.mark.parametrize("response", [None, [], ["", " "]])
def test_no_response_multiple(multiple, response):
    assert score(multiple, response) == Score(False, 0.0, "未作答")


def test_judge_no_response(judge):
    assert score(judge, None) == Score(False, 0.0, "未作答")


# --- multiple: the three rules ------------------------------------------------------------------------


@pytest.mark.parametrize(
    "response, rule, correct, fraction",
    [
        (["A", "B", "D"], "all_or_nothing", True, 1.0),
        (["A", "B", "D"], "partial_half", True, 1.0),
        (["A", "B", "D"], "per_option", True, 1.0),
        (["D", "b", "A", "A"], "all_or_nothing", True, 1.0),  # order, case and repeats do not matter
        (["A", "B"], "all_or_nothing", False, 0.0),
        (["A", "B"], "partial_half", False, 0.5),
        (["A", "B"], "per_option", False, 2 / 3),
        (["A"], "partial_half", False, 0.5),
        (["A"], "per_option", False, 1 / 3),
        (["A", "B", "C"], "all_or_nothing", False, 0.0),  # a wrong option spoils every rule
        (["A", "B", "C"], "partial_half", False, 0.0),
        (["A", "B", "C"], "per_option", False, 0.0),
        (["A", "B", "C", "D"], "per_option", False, 0.0),
        (["C"], "partial_half", False, 0.0),
    ],
)
def test_multiple_rules(multiple, response, rule, correct, fraction):
    result = score(multiple, response, multiple_rule=rule)
    assert result.correct is correct
    assert result.fraction == pytest.approx(fraction)


def test_multiple_details(multiple):
    assert score(multiple, ["A", "C"], "partial_half").detail == "有错选"
    assert score(multiple, ["A", "B"], "partial_half").detail == "少选且无错选，得一半分"
    assert score(multiple, ["A", "B"], "per_option").detail == "少选且无错选，按比例得分 2/3"
    assert score(multiple, ["A", "B"]).detail == "少选"


@pytest.mark.parametrize("response, rule", [(["A", "C"], "all_or_nothing"), (["A", "B"], "all_or_nothing"),
                                            (["A", "B"], "partial_half"), (["A"], "per_option"), ("AB", "all_or_nothing")])
def test_the_verdict_is_said_once(multiple, response, rule):
    shown = _verdict(score(multiple, response, rule))
    assert shown.count("回答错误") == 1 and "错误（回答错误" not in shown and "（（" not in shown


@pytest.mark.parametrize("response", ["ABD", ["A", 1], ["A", ["B"]], ["A", "G"], ("A", None), {"A", "B", "D"}])
def test_multiple_invalid(multiple, response):
    assert score(multiple, response).detail == "答案格式无效"


def test_multiple_accepts_a_tuple(multiple):
    assert score(multiple, ("A", "B", "D")).correct is True


def test_unknown_rule(multiple):
    with pytest.raises(ValueError, match="计分规则"):
        score(multiple, ["A"], multiple_rule="generous")


# --- numeric ------------------------------------------------------------------------------------------


@pytest.mark.parametrize("response", [15, 15.0, "15", "１５", "15日", " 15 日 ", "１５日", "十五", "十五日", "15.0", "15天",
                                      "十五天", "１５ 天", "拾伍日", "15 日整"])
def test_numeric_answer_with_unit(days, response):
    assert score(days, response) == Score(True, 1.0, "回答正确")


@pytest.mark.parametrize("response", [16, 14.9, "16", "日", "五十", "15日日", "15个工作日", "15元", "15%", "15万", "15-20日", float("nan"),
                                      float("inf"), 10**400, "9" * 1999, "一" * 1999])
def test_numeric_wrong(days, response):
    assert score(days, response) == Score(False, 0.0, "回答错误")


def test_numeric_tolerance(days):
    loose = dataclasses.replace(days, tolerance=0.5)
    assert score(loose, 15.4).correct is True
    assert score(loose, "14.5").correct is True  # the edge is inside
    assert score(loose, 15.6).correct is False
    assert score(days, 15.4).correct is False  # tolerance 0 means exactly


@pytest.mark.parametrize("response", ["三", "3", "百分之三", "3%", "３％", " 3 % ", 3, 3.0])
def test_numeric_accepted_strings(percent, response):
    assert score(percent, response).correct is True


def _numeric(answer, unit="", accepted=()):
    return Question(id="t-written-001", type="numeric", stem="？", topic="t", difficulty=1, category="legal", domains=["通用"],
                    status="reviewed", answer=answer, unit=unit, accepted=list(accepted))


@pytest.mark.parametrize("answer, unit, response", [
    (7, "日", "7天"), (7, "日", "七天"), (7, "日", "7日"), (7, "日", "７日"), (7, "日", "柒日"), (7, "日", " 7 天 "),
    (100, "元", "１００元"), (100, "元", "100块"), (100, "元", "壹佰元"), (100, "元", "壹佰元整"), (100, "元", "人民币100元"),
    (100, "元", "100 块钱"), (100, "元", "一百元"), (2400, "元", "2,400元"), (2400, "元", "２，４００元"), (30000, "元", "3万元"),
    (30000, "元", "三万"), (30000, "元", "叁万元"), (1000, "万元", "1000万元"), (1000, "万元", "一千万元"), (1000, "万元", "1000万"),
    (1000, "万元", "10000000元"), (1000, "万元", "１０００"), (5, "%", "百分之五"), (5, "%", "5%"), (5, "%", "５％"),
    (5, "%", "百分之 五"), (24, "小时", "24个小时"), (3, "个月", "3月"), (3, "个月", "三个月"), (10, "个工作日", "十个工作日"),
    (10, "个工作日", "10工作日"), (14, "周岁", "14岁"), (3, "倍", "三倍"), (1, "米", "1m"),
])
def test_answers_are_read_the_way_people_write_them(answer, unit, response):
    assert score(_numeric(answer, unit), response) == Score(True, 1.0, "回答正确")


@pytest.mark.parametrize("answer, unit, response", [
    (7, "日", "7个工作日"), (10, "个工作日", "10日"), (7, "日", "7月"), (100, "元", "100万元"), (100, "元", "100%"),
    (1000, "万元", "1000元"), (5, "%", "5元"), (5, "%", "百分之五元"), (7, "日", "七天半"), (7, "日", "7天7天"),
])
def test_a_number_in_another_unit_is_wrong(answer, unit, response):
    assert score(_numeric(answer, unit), response) == Score(False, 0.0, "回答错误")


def test_accepted_spellings_are_compared_as_read(percent):
    for response in ("百分之３", "3 ％", "叁"):
        assert score(percent, response).correct is True, response
    assert score(_numeric(None, accepted=["5%"]), "百分之五").correct is True
    assert score(_numeric(None, accepted=["5%"]), "5").correct is False


@pytest.mark.parametrize("response", ["4", "百分之四", "30%", 4])
def test_numeric_accepted_wrong(percent, response):
    assert score(percent, response) == Score(False, 0.0, "回答错误")


@pytest.mark.parametrize("response", [True, ["15"], {"value": 15}, b"15", 15j])
def test_numeric_invalid(days, response):
    assert score(days, response).detail == "答案格式无效"


def test_numeric_too_long_text(days):
    assert score(days, "1" * 5000).detail == "答案格式无效"


# --- case parts ---------------------------------------------------------------------------------------


def test_case_parts(q):
    case = q["cf-hearing-990"]
    objective, open_part = case.parts
    assert score(objective, "A").correct is True
    assert score(objective, "B").correct is False
    result = score(open_part, "未告知听证权利，程序违法")
    assert result.correct is None and result.fraction == 0.0 and "不自动评分" in result.detail
    assert score(open_part, "  ") == Score(None, 0.0, "未作答")
    with pytest.raises(ValueError, match="逐个小题"):
        score(case, "A")


# --- responses are data only --------------------------------------------------------------------------


class AlwaysEqual:
    def __eq__(self, other):
        return True

    def __hash__(self):
        return 0


class AlwaysEqualStr(str):
    """Like the str subclass that passes ``assert q17 == "B"`` in a stock nbgrader test cell."""

    def __eq__(self, other):
        return True

    def __ne__(self, other):
        return False

    def __hash__(self):
        return hash("B")

    def __str__(self):
        return "B"

    def strip(self, *args):
        return "B"

    def upper(self):
        return "B"


class FakeStr:
    """Claims to be a str through ``__class__`` (which ``isinstance`` believes)."""

    __class__ = str  # type: ignore[assignment]

    def __eq__(self, other):
        return True

    def __hash__(self):
        return 0


class Spy(float):
    calls: list[str] = []

    def __eq__(self, other):
        Spy.calls.append("__eq__")
        return True

    def __hash__(self):
        return 0

    def __sub__(self, other):
        Spy.calls.append("__sub__")
        return 0.0

    def __float__(self):
        Spy.calls.append("__float__")
        return 15.0

    def __abs__(self):
        Spy.calls.append("__abs__")
        return 0.0


class KeyList(list):
    def __iter__(self):
        return iter(["A", "B", "D"])


def test_always_equal_object_is_invalid(single, multiple, judge, days):
    for question in (single, judge, days):
        assert score(question, AlwaysEqual()) == Score(False, 0.0, "答案格式无效")
    assert score(multiple, [AlwaysEqual()]).detail == "答案格式无效"
    assert score(single, FakeStr()).detail == "答案格式无效"


def test_str_subclass_is_read_as_its_characters(single):
    assert isinstance(FakeStr(), str)  # the trick works on isinstance …
    assert AlwaysEqualStr("A") == "B"  # … and on ==,
    assert score(single, AlwaysEqualStr("A")) == Score(False, 0.0, "回答错误")  # but not on score
    assert score(single, AlwaysEqualStr("Z")).detail == "答案格式无效"


def test_no_method_of_the_response_runs(days):
    Spy.calls.clear()
    assert score(days, Spy(3.0)).correct is False
    assert Spy.calls == []


def test_list_subclass_is_read_from_its_items(multiple):
    assert list(KeyList(["C"])) == ["A", "B", "D"]
    assert score(multiple, KeyList(["C"])).correct is False


def test_score_is_frozen(single):
    result = score(single, "B")
    with pytest.raises(dataclasses.FrozenInstanceError):
        result.correct = False  # type: ignore[misc]


def test_key_text(single, multiple, judge, days, percent):
    assert key_text(single) == "B. 五日"
    assert key_text(multiple) == "A、B、D"
    assert key_text(judge) == "正确"
    assert key_text(days) == "15 日"
    assert key_text(dataclasses.replace(days, tolerance=0.5)) == "15 日（允许误差 ±0.5）"
    assert key_text(percent) == "三 或 3 或 百分之三 或 3%"
