"""The key check: items of each kind with right, wrong and ambiguous keys, checked against the statute texts on file."""

import pytest

from academy.cli import main
from questionbank.key_check import (
    AMBIGUOUS,
    CONFIRMED,
    CONTRADICTED,
    SUPPORTED,
    UNCHECKABLE,
    answer_signature,
    check_item,
    check_keys,
    confirm,
)
from questionbank.loading import load_bank
from questionbank.reading import read_question
from questionbank.review import ArticleTexts
from tests.questionbank.helpers import good_single, write_bank

SIMPLE_REVIEW = "适用简易程序审理的行政复议案件，行政复议机构应当自受理行政复议申请之日起（  ）日内，将行政复议申请书副本发送被申请人。"


@pytest.fixture(scope="module")
def texts(shared_laws):
    return ArticleTexts(shared_laws)


def verdict(texts, **fields) -> str:
    item = good_single(review=None, status="draft", **fields)
    question, problems = read_question(item, "t.yaml", "cf_hearing", 0)
    assert not [p for p in problems if p.level == "error"], problems
    return check_item(question, texts).verdict


@pytest.mark.parametrize("key, expected", [("C", SUPPORTED), ("D", CONTRADICTED), ("A", CONTRADICTED)])
def test_single_with_the_unit_in_the_stem(texts, key, expected):
    # the example: 「…应当在（ ）日内…」, options 1/2/3/5, the article says 三日内
    options = {"A": "1", "B": "2", "C": "3", "D": "5"}
    assert verdict(texts, stem=SIMPLE_REVIEW, options=options, answer=key, basis=["行政复议法@2023#54"]) == expected


@pytest.mark.parametrize(
    "stem, options, basis, right, wrong",
    [
        ("当事人要求听证的，应当在行政机关告知后（  ）内提出。", {"A": "三日", "B": "五日", "C": "七日", "D": "十日"},
         "行政处罚法@2021#64", "B", "C"),
        ("行政机关不能当场答复的，应当自收到申请之日起（  ）个工作日内予以答复。", {"A": "10", "B": "15", "C": "20", "D": "30"},
         "政府信息公开条例@2019#33", "C", "B"),
        ("违法事实确凿并有法定依据，对公民处以（  ）元以下罚款的，可以当场作出行政处罚决定。",
         {"A": "五十", "B": "二百", "C": "五百", "D": "一千"}, "行政处罚法@2021#51", "B", "D"),
        ("到期不缴纳罚款的，每日按罚款数额的百分之（  ）加处罚款。", {"A": "一", "B": "二", "C": "三", "D": "五"},
         "行政处罚法@2021#72", "C", "A"),
        ("违法生产经营的食品、食品添加剂货值金额一万元以上的，并处货值金额（  ）倍以上二十倍以下罚款。",
         {"A": "五", "B": "十", "C": "十五", "D": "二十"}, "食品安全法@2021#122", "B", "C"),
    ],
)
def test_single_with_each_kind_of_unit(texts, stem, options, basis, right, wrong):
    assert verdict(texts, stem=stem, options=options, answer=right, basis=[basis]) == SUPPORTED
    assert verdict(texts, stem=stem, options=options, answer=wrong, basis=[basis]) == CONTRADICTED


def test_single_with_two_options_the_article_supports_is_ambiguous(texts):
    options = {"A": "三日", "B": "五日", "C": "5日", "D": "十日"}
    stem = "当事人要求听证的，应当在行政机关告知后（  ）内提出。"
    assert verdict(texts, stem=stem, options=options, answer="B", basis=["行政处罚法@2021#64"]) == AMBIGUOUS


def test_single_asking_for_the_wrong_statement(texts):
    stem = "关于当事人要求听证的期限，下列说法不正确的是（  ）。"
    options = {"A": "当事人要求听证的，应当在行政机关告知后五日内提出", "B": "当事人要求听证的，应当在行政机关告知后十日内提出"}
    assert verdict(texts, stem=stem, options=options, answer="B", basis=["行政处罚法@2021#64"]) == SUPPORTED
    assert verdict(texts, stem=stem, options=options, answer="A", basis=["行政处罚法@2021#64"]) == CONTRADICTED


@pytest.mark.parametrize(
    "stem, key, expected",
    [
        ("当事人要求听证的，应当在行政机关告知后五日内提出。", "正确", SUPPORTED),
        ("当事人要求听证的，应当在行政机关告知后五日内提出。", "错误", UNCHECKABLE),  # the check can't see why it'd be false
        ("当事人要求听证的，应当在行政机关告知后七日内提出。", "错误", SUPPORTED),
        ("当事人要求听证的，应当在行政机关告知后七日内提出。", "正确", CONTRADICTED),
        ("违法事实确凿并有法定依据，对公民处以二百元以下罚款的，应当当场作出行政处罚决定。", "正确", CONTRADICTED),
        ("违法事实确凿并有法定依据，对公民处以二百元以下罚款的，可以当场作出行政处罚决定。", "正确", SUPPORTED),
        ("听证由行政机关指定的非本案调查人员主持。", "正确", UNCHECKABLE),  # no number, no 应当/可以/不得
    ],
)
def test_judge_numbers_and_modal_words(texts, stem, key, expected):
    basis = ["行政处罚法@2021#51"] if "当场" in stem else ["行政处罚法@2021#64"]
    assert verdict(texts, type="judge", stem=stem, options=None, answer=key, basis=basis) == expected


def test_multiple_each_option_on_its_own(texts):
    stem = "关于行政处罚听证，下列说法正确的有（  ）。"
    options = {"A": "当事人要求听证的，应当在行政机关告知后五日内提出",
               "B": "行政机关应当在举行听证的七日前，通知当事人举行听证的时间、地点",
               "C": "当事人要求听证的，应当在行政机关告知后十日内提出", "D": "行政机关应当在举行听证的三日前通知当事人"}
    basis = ["行政处罚法@2021#64"]
    assert verdict(texts, type="multiple", stem=stem, options=options, answer=["A", "B"], basis=basis) == SUPPORTED
    assert verdict(texts, type="multiple", stem=stem, options=options, answer=["A", "C"], basis=basis) == CONTRADICTED
    assert verdict(texts, type="multiple", stem=stem, options=options, answer=["A", "D"], basis=basis) == CONTRADICTED
    assert verdict(texts, type="multiple", stem=stem, options=options, answer=["B", "D"], basis=basis) == CONTRADICTED
    options["C"] = "当事人要求听证的，应当在行政机关告知后5日内提出"
    assert verdict(texts, type="multiple", stem=stem, options=options, answer=["A", "B"], basis=basis) == AMBIGUOUS


def test_nothing_to_hold_on_to_is_never_passed(texts):
    stem = "行政处罚听证的主持人应当是（  ）。"
    verbatim = {"A": "行政机关指定的非本案调查人员", "B": "最熟悉案情的办案人员", "C": "当事人选定的人员", "D": "上级机关指派的人员"}
    assert verdict(texts, stem=stem, options=verbatim, answer="A", basis=["行政处罚法@2021#64"]) == SUPPORTED  # the article's words
    paraphrased = {"A": "没有参与调查的工作人员", "B": "办案人员", "C": "当事人选的人", "D": "上级派来的人"}
    assert verdict(texts, stem=stem, options=paraphrased, answer="A", basis=["行政处罚法@2021#64"]) == UNCHECKABLE
    assert verdict(texts, stem=SIMPLE_REVIEW, options={"A": "1", "B": "2", "C": "3", "D": "5"}, answer="C", basis=[]) == UNCHECKABLE
    assert verdict(texts, stem=SIMPLE_REVIEW, options={"A": "1", "B": "2", "C": "3", "D": "5"}, answer="C",
                   basis=["行政复议法@2017#9"]) == UNCHECKABLE  # no text on file


def test_numeric_answer_with_its_unit(texts):
    base = {"type": "numeric", "options": None, "stem": "依照行政处罚法，行政机关应当在举行听证的几日前，通知当事人听证的时间、地点？",
            "unit": "日", "basis": ["行政处罚法@2021#64"]}
    assert verdict(texts, **base, answer=7) == SUPPORTED
    assert verdict(texts, **base, answer=5) == CONTRADICTED


def test_case_parts_are_checked_with_their_own_basis(texts, tmp_path):
    case = good_single(id="cf-test-009", type="case", options=None, answer=None, stem="某局拟吊销某公司许可证。",
                       basis=["行政处罚法@2021#63"], review=None, parts=[
                           {"id": "p1", "type": "single", "stem": "公司要求听证的，应当在告知后（  ）内提出。",
                            "options": {"A": "三日", "B": "五日", "C": "七日"}, "answer": "C", "basis": ["行政处罚法@2021#64"]},
                           {"id": "p2", "type": "open", "stem": "应告知什么权利？", "reference": "听证。",
                            "rubric": [{"point": "听证", "score": 2}]}])
    bank = load_bank([write_bank(tmp_path, case)])
    check = check_keys(bank, texts.library.folder)[0]
    assert check.verdict == CONTRADICTED and check.parts["p1"][0] == CONTRADICTED and "p2" not in check.parts


def test_check_keys_command_counts_and_lists(tmp_path, shared_laws, capsys):
    stem = "当事人要求听证的，应当在行政机关告知后（  ）内提出。"
    options = {"A": "三日", "B": "五日", "C": "七日", "D": "十日"}
    write_bank(tmp_path, good_single(stem=stem, options=options, answer="B"),
               good_single(id="cf-test-002", stem=stem.replace("（  ）内", "（ ）内，"), options=options, answer="C"))
    assert main(["bank", "check-keys", "--laws", str(shared_laws), str(tmp_path)]) == 0
    out = capsys.readouterr().out
    assert "支持 1" in out and "与条文不符 1" in out and "cf-test-002" in out


def test_the_shipped_bank_has_no_key_the_article_contradicts_that_a_reviewer_has_not_confirmed(shared_laws):
    checks = confirm(check_keys(load_bank(), shared_laws))
    flagged = [(c.question.id, c.detail) for c in checks if c.verdict in (CONTRADICTED, AMBIGUOUS)]
    assert flagged == []


def test_a_confirmation_lapses_when_the_key_changes(shared_laws, tmp_path):
    bank = load_bank()
    flagged = next(c for c in check_keys(bank, shared_laws) if c.verdict == CONTRADICTED and not c.question.parts)
    q = flagged.question
    confirmations = tmp_path / "confirmed.yaml"
    confirmations.write_text(f"confirmed:\n  {q.id}: {{answer: '{answer_signature(q)}', by: 审核人, date: 2026-11-29, "
                             f"reason: 条文另一情形}}\n", encoding="utf-8")
    assert confirm([flagged], confirmations)[0].verdict == CONFIRMED
    again = next(c for c in check_keys(bank, shared_laws) if c.question.id == q.id)
    q.answer = next(k for k in q.options if k not in (q.answer if isinstance(q.answer, (list, tuple)) else [q.answer]))
    assert confirm([again], confirmations)[0].verdict in (CONTRADICTED, AMBIGUOUS)
