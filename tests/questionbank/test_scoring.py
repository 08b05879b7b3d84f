"""Scoring responses against the keys of the template questions."""

from __future__ import annotations

import dataclasses
from pathlib import Path

import pytest

from questionbank.loading import load_bank
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
    assert score(multiple, ["A", "C"], "partial_half").detail == "回答错误（有错选）"
    assert score(multiple, ["A", "B"], "partial_half").detail == "少选（无错选），得一半分"
    assert score(multiple, ["A", "B"]).detail == "回答错误（少选）"


@pytest.mark.parametrize("response", ["ABD", ["A", 1], ["A", ["B"]], ["A", "G"], ("A", None), {"A", "B", "D"}])
def test_multiple_invalid(multiple, response):
    assert score(multiple, response).detail == "答案格式无效"


def test_multiple_accepts_a_tuple(multiple):
    assert score(multiple, ("A", "B", "D")).correct is True


def test_unknown_rule(multiple):
    with pytest.raises(ValueError, match="计分规则"):
        score(multiple, ["A"], multiple_rule="generous")


# --- numeric ------------------------------------------------------------------------------------------


@pytest.mark.parametrize("response", [15, 15.0, "15", "１５", "15日", " 15 日 ", "１５日", "十五", "十五日", "15.0"])
def test_numeric_answer_with_unit(days, response):
    assert score(days, response) == Score(True, 1.0, "回答正确")


@pytest.mark.parametrize("response", [16, 14.9, "16", "15天", "日", "五十", "15日日", float("nan"), float("inf"), 10**400])
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
