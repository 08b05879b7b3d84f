"""The training quiz widgets, driven without a browser: set widget values, click buttons, read the output."""

from __future__ import annotations

import dataclasses
import subprocess
import sys
from datetime import timezone
from pathlib import Path

import ipywidgets as widgets
import pytest

import questionbank.quiz as quiz_module
from ground.identity import OFFICER_ENV
from questionbank.laws import Citation
from questionbank.loading import load_bank
from questionbank.quiz import Attempt, MemoryRecorder, Quiz, QuizResult, draw, identify_officer
from questionbank.quiz_views import format_citation
from tests.quiz_officers import set_answer

ROOT = Path(__file__).resolve().parents[2]
TEMPLATES = ROOT / "questionbank" / "templates"

# the template questions and a right / a wrong answer for each, as widget values
RIGHT = {"cf-general-902": True, "cf-general-901": ["A", "B", "D"], "cf-enforcement-901": "15日",
         "cf-enforcement-902": "百分之三", "cf-hearing-901": "B"}
WRONG = {"cf-general-902": False, "cf-general-901": ["A", "B"], "cf-enforcement-901": "10",
         "cf-enforcement-902": "5%", "cf-hearing-901": "A"}
ORDER = ["cf-general-902", "cf-general-901", "cf-enforcement-901", "cf-enforcement-902", "cf-hearing-901"]


@pytest.fixture(autouse=True)
def _nobody(monkeypatch):
    """No officer known from the environment or from an earlier test."""
    for name in OFFICER_ENV:
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setattr(quiz_module, "_session_officer", None)


@pytest.fixture(scope="module")
def bank():
    loaded = load_bank([TEMPLATES])
    assert not loaded.problems
    return loaded.by_id()


@pytest.fixture
def five(bank):
    return [bank[i] for i in ORDER]


def answer(view, value, key=""):
    set_answer(view, value, key)
    view.submit_button.click()


def view_of(quiz, qid):
    return next(v for v in quiz.views if v.question.id == qid)


def stand_ins(questions, count=1):
    """Each question with ``count`` stand-ins (copies under new ids) for later rounds."""
    return {q.id: [dataclasses.replace(q, id=f"{q.id}-s{i}") for i in range(1, count + 1)] for q in questions}


def base_id(question_id):
    return question_id.split("-s")[0]


def play(quiz, right_ids):
    for view in list(quiz.views):
        qid = base_id(view.question.id)
        answer(view, RIGHT[qid] if qid in right_ids else WRONG[qid])


# --- one question -------------------------------------------------------------------------------------


def test_single_right_shows_explanation_and_article(bank):
    recorder = MemoryRecorder()
    quiz = Quiz([bank["cf-hearing-901"]], recorder, officer="3201001", quiz_id="cf-hearing-1")
    view = quiz.views[0]
    assert isinstance(view.inputs[""].control, widgets.RadioButtons)
    assert view.inputs[""].control.options[1] == ("B. 五日", "B")
    answer(view, "B")
    text = view.feedback.value
    assert "回答正确" in text and "回答错误" not in text
    assert "解析：依照行政处罚法第六十四条第一项" in text
    assert "法律依据：《行政处罚法》第六十四条" in text
    assert view.inputs[""].control.disabled and view.submit_button.disabled
    [attempt] = recorder.attempts
    assert attempt == Attempt("3201001", "cf-hearing-1", "cf-hearing-901", "B", True, 1.0, attempt.at)
    assert attempt.at.tzinfo is timezone.utc


def test_single_wrong_shows_the_key_when_a_stand_in_will_take_its_place(bank):
    recorder = MemoryRecorder()
    single = bank["cf-hearing-901"]
    quiz = Quiz([single], recorder, officer="u", alternates=stand_ins([single]))
    answer(quiz.views[0], "A")
    text = quiz.views[0].feedback.value
    assert text.count("回答错误") == 1 and "回答正确" not in text
    assert "正确答案：B. 五日" in text and "解析：" in text and "《行政处罚法》第六十四条" in text
    assert (recorder.attempts[0].response, recorder.attempts[0].correct) == ("A", False)
    quiz.redo_button.click()
    assert [v.question.id for v in quiz.views] == ["cf-hearing-901-s1"]  # a different question; the shown one never returns


def test_single_wrong_without_a_stand_in_hides_key_and_explanation_and_comes_back(bank):
    quiz = Quiz([bank["cf-hearing-901"]], MemoryRecorder(), officer="u", pass_mark=0.5)
    answer(quiz.views[0], "A")
    text = quiz.views[0].feedback.value
    assert "回答错误" in text and "正确答案" not in text and "解析：" not in text and "五日" not in text
    assert "法律依据：《行政处罚法》第六十四条" in text and "稍后会再出现" in text
    quiz.redo_button.click()
    assert [v.question.id for v in quiz.views] == ["cf-hearing-901"]
    answer(quiz.views[0], "B")
    assert "回答正确" in quiz.views[0].feedback.value and "正确答案：B. 五日" in quiz.views[0].feedback.value
    assert quiz.passed and quiz.result.score == 0.5  # every try counts: one wrong, one right


def test_multiple_uses_checkboxes_and_the_rule(bank):
    recorder = MemoryRecorder()
    quiz = Quiz([bank["cf-general-901"]], recorder, officer="u", multiple_rule="partial_half",
                alternates=stand_ins([bank["cf-general-901"]]))
    view = quiz.views[0]
    assert [type(w) for w in view.inputs[""].control.children] == [widgets.Checkbox] * 4
    answer(view, ["B", "A"])
    assert recorder.attempts[0].response == ["A", "B"]
    assert (recorder.attempts[0].correct, recorder.attempts[0].fraction) == (False, 0.5)
    assert "少选且无错选，得一半分" in view.feedback.value
    assert "正确答案：A、B、D" in view.feedback.value
    assert "《行政处罚法》第九条、《行政处罚法》第二十八条" in view.feedback.value
    assert all(box.disabled for box in view.inputs[""].checkboxes.values())


def test_judge_uses_toggle_buttons(bank):
    recorder = MemoryRecorder()
    quiz = Quiz([bank["cf-general-902"]], recorder, officer="u", alternates=stand_ins([bank["cf-general-902"]]))
    control = quiz.views[0].inputs[""].control
    assert isinstance(control, widgets.ToggleButtons) and control.options == (("正确", True), ("错误", False))
    answer(quiz.views[0], False)
    assert recorder.attempts[0].response is False and recorder.attempts[0].correct is False
    assert "正确答案：正确" in quiz.views[0].feedback.value


def test_numeric_text_with_unit(bank):
    recorder = MemoryRecorder()
    quiz = Quiz([bank["cf-enforcement-901"]], recorder, officer="u")
    view = quiz.views[0]
    assert isinstance(view.inputs[""].control, widgets.Text)
    assert [w.value for w in view.inputs[""].widget.children if isinstance(w, widgets.Label)] == ["日"]
    answer(view, "１５ 日")
    assert "回答正确" in view.feedback.value
    assert recorder.attempts[0].response == "１５ 日" and recorder.attempts[0].correct is True


def test_case_parts_and_open_reference(bank):
    recorder = MemoryRecorder()
    quiz = Quiz([bank["cf-hearing-990"]], recorder, officer="u", quiz_id="m")
    view = quiz.views[0]
    assert "甲公司销售不符合标准的产品" in view.widget.children[0].value
    assert isinstance(view.inputs["p2"].control, widgets.Textarea)
    set_answer(view, "A", "p1")
    answer(view, "未告知听证权利，程序违法", "p2")
    assert [(a.question_id, a.response, a.correct) for a in recorder.attempts] == [
        ("cf-hearing-990/p1", "A", True), ("cf-hearing-990/p2", "未告知听证权利，程序违法", None)]
    assert "回答正确" in view.part_feedback["p1"].value
    open_text = view.part_feedback["p2"].value
    assert "参考答案：行政机关拟作出较大数额罚款的处罚决定" in open_text
    assert "评分要点（共8分" in open_text and "引用行政处罚法第六十三条（2分）" in open_text
    assert "《行政处罚法》第六十三条" in view.feedback.value
    assert view.inputs["p2"].control.disabled
    # the open part does not count: the objective part is right, so the quiz is passed with 100%
    assert quiz.state.score == 1.0 and quiz.passed


def test_case_wrong_objective_part_makes_the_question_wrong(bank):
    quiz = Quiz([bank["cf-hearing-990"]], MemoryRecorder(), officer="u", pass_mark=0.5)
    answer(quiz.views[0], "B", "p1")  # the open part may stay empty
    assert quiz.views[0].correct is False and quiz.state.score == 0.0 and not quiz.passed
    assert quiz.wrong() == [bank["cf-hearing-990"]]


def test_empty_submission_is_refused(bank):
    recorder = MemoryRecorder()
    quiz = Quiz([bank["cf-hearing-901"], bank["cf-general-901"]], recorder, officer="u")
    for view in quiz.views:
        view.submit_button.click()
        assert view.feedback.value.endswith("请先作答再提交</span>")
        assert not view.submitted and not view.submit_button.disabled
    assert recorder.attempts == []
    assert "已答 0/2" in quiz.summary.value


def test_second_click_records_nothing(bank):
    recorder = MemoryRecorder()
    quiz = Quiz([bank["cf-hearing-901"]], recorder, officer="u")
    answer(quiz.views[0], "A")
    quiz.views[0].inputs[""].control.value = "B"  # even if the value changes behind the disabled widget
    quiz.views[0].submit_button.click()  # click() on a disabled button still runs the handler
    assert [a.response for a in recorder.attempts] == ["A"]
    assert "回答错误" in quiz.views[0].feedback.value


def test_text_is_escaped(bank):
    tricky = dataclasses.replace(bank["cf-hearing-901"], stem="<img src=x onerror=alert(1)>几日？",
                                 explanation="见<b>第六十四条</b>")
    quiz = Quiz([tricky], MemoryRecorder(), officer="u")
    assert "&lt;img src=x onerror=alert(1)&gt;几日？" in quiz.views[0].widget.children[0].value
    assert "<img" not in quiz.views[0].widget.children[0].value
    answer(quiz.views[0], "B")
    assert "见&lt;b&gt;第六十四条&lt;/b&gt;" in quiz.views[0].feedback.value


def test_recorder_failure_is_shown(bank):
    class Broken:
        def record_attempt(self, attempt):
            raise OSError("磁盘已满")

    quiz = Quiz([bank["cf-hearing-901"]], Broken(), officer="u")
    answer(quiz.views[0], "B")
    assert "作答记录保存失败，请联系管理员：磁盘已满" in quiz.views[0].feedback.value
    assert "回答正确" in quiz.views[0].feedback.value


# --- pass mark, re-do, on_complete --------------------------------------------------------------------


def test_the_pass_mark_alone_does_not_pass_every_question_must_be_answered_right(five):
    results = []
    recorder = MemoryRecorder()
    quiz = Quiz(five, recorder, officer="u", quiz_id="m1", on_complete=results.append, alternates=stand_ins(five))
    play(quiz, ORDER[:3])  # 3 of 5 right = 60%, the pass mark: not enough, two questions are not mastered
    assert len(recorder.attempts) == 5
    assert quiz.state.score == pytest.approx(0.6) and not quiz.passed and results == []
    assert "本轮已答 5/5" in quiz.summary.value and "已答对 3/5 题" in quiz.summary.value
    assert "本轮有 2 题答错" in quiz.summary.value and quiz.redo_button.layout.display == ""
    quiz.redo_button.click()  # round 2: stand-ins of the two answered wrong
    assert [v.question.id for v in quiz.views] == [f"{i}-s1" for i in ORDER[3:]]
    assert "第2轮" in quiz.summary.value and "本轮已答 0/2" in quiz.summary.value
    play(quiz, ORDER)
    # every question mastered; the score counts every try: 5 of 7 right
    assert quiz.passed and quiz.redo_button.layout.display == "none"
    assert results == [QuizResult("m1", "u", pytest.approx(5 / 7), True, 5, 5)]
    assert quiz.summary.value.count("本测验已通过") == 1


def test_mastered_but_under_the_pass_mark_asks_a_new_set(five):
    results = []
    quiz = Quiz(five, MemoryRecorder(), officer="u", on_complete=results.append, alternates=stand_ins(five, 2))
    play(quiz, ORDER[:1])  # 1 of 5
    quiz.redo_button.click()
    play(quiz, ORDER)  # the four stand-ins right: every question mastered, but 5 of 9 = 56%
    assert quiz.state.mastered == 5 and quiz.state.score == pytest.approx(5 / 9) and not quiz.passed
    assert "每题都已答对，但得分未达到合格线" in quiz.summary.value
    quiz.redo_button.click()  # a new set: one question not asked yet for every slot
    asked = {q.id for q in five} | {f"{i}-s1" for i in ORDER[1:]}
    assert [base_id(v.question.id) for v in quiz.views] == ORDER and not asked & {v.question.id for v in quiz.views}
    play(quiz, ORDER)
    assert quiz.passed and results and results[0].score == pytest.approx(10 / 14)


def test_without_stand_ins_the_wrong_ones_come_back_with_keys_hidden(five):
    results = []
    quiz = Quiz(five, MemoryRecorder(), officer="u", quiz_id="m1", on_complete=results.append, pass_mark=0.5)
    assert quiz.redo_button.layout.display == "none"
    play(quiz, ORDER[:2])  # 40%
    assert not quiz.passed and results == []
    assert all("正确答案" not in v.feedback.value for v in quiz.views if v.correct is False)
    assert all("正确答案" in v.feedback.value for v in quiz.views if v.correct)
    quiz.redo_button.click()  # round 2: the three wrong ones, the same questions
    assert quiz.round == 2 and [v.question.id for v in quiz.views] == ORDER[2:]
    play(quiz, ORDER[2:3])
    assert not quiz.passed
    quiz.redo_button.click()
    assert [v.question.id for v in quiz.views] == ORDER[3:]
    play(quiz, ORDER)
    assert quiz.passed and quiz.redo_button.layout.display == "none"
    assert results == [QuizResult("m1", "u", 0.5, True, 5, 5)]  # every try counts: 5 of 10


def test_redo_only_after_the_round_is_complete(five):
    quiz = Quiz(five, MemoryRecorder(), officer="u")
    answer(quiz.views[0], WRONG[ORDER[0]])
    quiz.redo_button.click()
    assert quiz.round == 1 and len(quiz.views) == 5


def test_open_only_case_is_not_scored_but_completes_the_first_round(bank):
    case = bank["cf-hearing-990"]
    open_only = dataclasses.replace(case, parts=[p for p in case.parts if p.type == "open"])
    results = []
    quiz = Quiz([bank["cf-hearing-901"], open_only], MemoryRecorder(), officer="u", on_complete=results.append)
    answer(quiz.views[0], "B")
    assert not quiz.passed and results == []  # every scored question is right, but the round is not complete
    quiz.views[1].submit_button.click()  # an open part may be submitted empty
    assert quiz.views[1].correct is None and quiz.state.score == 1.0 and quiz.passed
    assert results == [QuizResult("", "u", 1.0, True, 1, 1)]


def test_partial_credit_counts_towards_the_score_but_does_not_master_the_question(bank):
    questions = [bank["cf-general-901"], bank["cf-hearing-901"]]
    quiz = Quiz(questions, MemoryRecorder(), officer="u", pass_mark=0.75, multiple_rule="partial_half")
    answer(quiz.views[0], ["A", "B"])  # half
    answer(quiz.views[1], "B")
    assert quiz.state.score == pytest.approx(0.75) and not quiz.passed
    assert [q.id for q in quiz.wrong()] == ["cf-general-901"]
    quiz.redo_button.click()
    answer(quiz.views[0], ["A", "B", "D"])
    assert quiz.passed and quiz.state.score == pytest.approx(2.5 / 3)


def test_on_complete_failure_is_shown_and_not_retried(five):
    calls = []

    def fail(result):
        calls.append(result)
        raise RuntimeError("台账不可用")

    quiz = Quiz(five, MemoryRecorder(), officer="u", on_complete=fail)
    play(quiz, ORDER)
    assert len(calls) == 1 and quiz.redo_button.layout.display == "none"
    assert "完成情况登记失败，请联系管理员：台账不可用" in quiz.summary.value


# --- who is answering ---------------------------------------------------------------------------------


def test_officer_prompt_flow(bank):
    recorder = MemoryRecorder()
    quiz = Quiz([bank["cf-hearing-901"]], recorder)
    assert quiz.officer is None
    assert "请输入您的人员编号" in quiz.officer_box.children[0].value
    view = quiz.views[0]
    assert view.submit_button.disabled and view.inputs[""].control.disabled
    answer(view, "B")  # not active yet: nothing happens
    assert recorder.attempts == [] and not view.submitted

    quiz.officer_text.value = "   "
    quiz.officer_button.click()
    assert quiz.officer is None and "请输入有效的人员编号" in quiz.officer_message.value

    quiz.officer_text.value = " 3201001 "
    quiz.officer_button.click()
    view = quiz.views[0]  # the round as this officer left it
    assert quiz.officer == "3201001"
    assert quiz.officer_box.children[0].value == "答题人：3201001"
    assert not view.submit_button.disabled and not view.inputs[""].control.disabled
    answer(view, "B")
    assert recorder.attempts[0].officer == "3201001"

    # remembered for the kernel session
    again = Quiz([bank["cf-hearing-901"]], recorder)
    assert again.officer == "3201001" and "答题人：3201001" in again.officer_box.children[0].value


def test_officer_from_environment(bank, monkeypatch):
    monkeypatch.setenv("ACADEMY_OFFICER", "env-officer")
    assert Quiz([bank["cf-hearing-901"]]).officer == "env-officer"
    monkeypatch.setenv("JUPYTERHUB_USER", "hub-user")
    assert identify_officer() == "hub-user"
    assert Quiz([bank["cf-hearing-901"]], officer="given").officer == "given"


def test_identify_officer_can_be_replaced(bank, monkeypatch):
    monkeypatch.setattr(quiz_module, "identify_officer", lambda officer=None: "from-notebook-layer")
    recorder = MemoryRecorder()
    quiz = Quiz([bank["cf-hearing-901"]], recorder)
    answer(quiz.views[0], "B")
    assert recorder.attempts[0].officer == "from-notebook-layer"


# --- building -----------------------------------------------------------------------------------------


def test_format_citation():
    assert format_citation(Citation.parse("行政处罚法@2021#64")) == "《行政处罚法》第六十四条"
    assert format_citation(Citation.parse("行政处罚法@2021#10")) == "《行政处罚法》第十条"
    assert format_citation(Citation.parse("行政强制法@2011#103")) == "《行政强制法》第一百零三条"


def test_bad_quizzes_are_refused(bank):
    with pytest.raises(ValueError, match="至少要有一道题"):
        Quiz([])
    with pytest.raises(ValueError, match="重复"):
        Quiz([bank["cf-hearing-901"], bank["cf-hearing-901"]], officer="u")
    with pytest.raises(ValueError, match="合格线"):
        Quiz([bank["cf-hearing-901"]], officer="u", pass_mark=60)
    with pytest.raises(ValueError, match="计分规则"):
        Quiz([bank["cf-hearing-901"]], officer="u", multiple_rule="lenient")


def test_widget_and_display(bank, monkeypatch):
    quiz = Quiz([bank["cf-hearing-901"]], officer="u")
    assert isinstance(quiz.widget, widgets.VBox)
    assert quiz.views[0].widget in quiz.questions_box.children and quiz.summary in quiz.widget.children
    shown = []
    monkeypatch.setattr("IPython.display.display", shown.append)
    quiz._ipython_display_()
    assert shown == [quiz.widget]


def reviewed_pool(bank, count=20):
    base = bank["cf-hearing-901"]
    pool = [dataclasses.replace(base, id=f"cf-test-{i:03d}", status="reviewed", topic="cf_test") for i in range(count)]
    return pool + [dataclasses.replace(base, id="cf-draft-001", status="draft", topic="cf_test"),
                   dataclasses.replace(bank["cf-general-902"], status="reviewed")]


def test_draw_by_ids_and_reviewed_only(bank):
    pool = reviewed_pool(bank)
    assert [q.id for q in draw(pool, ids=["cf-test-005", "cf-general-902"])] == ["cf-test-005", "cf-general-902"]
    with pytest.raises(ValueError, match="cf-draft-001"):
        draw(pool, ids=["cf-test-001", "cf-draft-001"])


def test_draw_from_a_topic_is_deterministic(bank):
    pool = reviewed_pool(bank)
    first = [q.id for q in draw(pool, topic="cf_test", n=5, seed=7)]
    assert len(set(first)) == 5 and all(i.startswith("cf-test-") for i in first)
    assert [q.id for q in draw(list(reversed(pool)), topic="cf_test", n=5, seed=7)] == first
    seeds = {tuple(q.id for q in draw(pool, topic="cf_test", n=5, seed=s)) for s in range(5)}
    assert len(seeds) > 1
    assert len(draw(pool, topic="cf_test", n=50, seed=1)) == 20
    assert {q.id for q in draw(pool, n=50, seed=1)} == {q.id for q in pool if q.status == "reviewed"}
    with pytest.raises(ValueError, match="没有已审核的题目"):
        draw(pool, topic="cf_nothing")


def test_quiz_imports_neither_tracker_nor_grading():
    code = ("import sys, questionbank.quiz, questionbank.scoring; "
            "bad = [m for m in sys.modules if m.split('.')[0] in ('tracker', 'grading')]; "
            "assert not bad, bad")
    subprocess.run([sys.executable, "-c", code], check=True, cwd=ROOT)
