"""The training quiz of a course notebook, as ipywidgets 8.

``Quiz(questions, recorder=…, quiz_id=…)`` shows each question with its answer widgets and a 提交 button (one
question on screen is a ``questionbank.quiz_views.QuestionView``; this module holds the rounds, the pass rule and the
recording).
Answers are checked in the kernel with ``questionbank.scoring.score``; every submission goes to the recorder
as an ``Attempt`` (this package never imports ``tracker`` or ``grading``: the caller passes the recorder).

Pass rule (通过规则). A question counts as answered correctly when every objective item of it is right
(for a 案例分析 question: every single/multiple/judge part; its open parts are never scored automatically
and do not count). A question whose only parts are open ones is not scored. Once the first round is
complete, the module is passed when either

1. the first round's score – the mean score of its scored questions – reaches ``pass_mark``, or
2. every scored question has been answered correctly at least once, in any round
   (rounds after the first, started with 「再做一次（只做错题）」, hold only the questions last answered wrong).

``on_complete(QuizResult)`` is called once, the first time the module is passed.

Grading happens in the kernel by default (``questionbank.scoring``). On the site the kernel holds no keys: the quiz
is built from ``public_mapping`` forms (no key, no 解析) and a ``grader`` (the 学堂服务's client) grades each
submission, returns the full question for the feedback and says whether the quiz is passed — the server decides,
with the same ``pass_rule``.

Who is answering comes from ``identify_officer`` (one small function a notebook layer may replace by
assigning ``questionbank.quiz.identify_officer``); when it knows no one, the quiz asks for the 人员编号 first.
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import datetime, timezone
from typing import Any, Callable, Iterable, Protocol

import ipywidgets as widgets

from ground.identity import officer_from_environment
from questionbank.model import Part, Question
from questionbank.quiz_views import QuestionView, escape_html
from questionbank.scoring import MULTIPLE_RULES, Score, score

MAX_OFFICER_LENGTH = 64
_session_officer: str | None = None  # the 人员编号 entered in this kernel session


@dataclass(frozen=True)
class Attempt:
    officer: str
    quiz_id: str
    question_id: str  # "qid", or "qid/partid" for a part of a 案例分析 question
    response: Any  # JSON-able, keyed by option letters
    correct: bool | None  # None: open part, not scored automatically
    fraction: float
    at: datetime  # timezone-aware, UTC


class Recorder(Protocol):
    def record_attempt(self, attempt: Attempt) -> None: ...


class MemoryRecorder:
    """Keeps the attempts in a list (tests, offline use)."""

    def __init__(self) -> None:
        self.attempts: list[Attempt] = []

    def record_attempt(self, attempt: Attempt) -> None:
        self.attempts.append(attempt)


@dataclass(frozen=True)
class QuizResult:
    quiz_id: str
    officer: str
    score: float  # the first round's score, 0 … 1 (1.0 when no question is scored automatically)
    passed: bool
    answered: int  # questions answered
    correct: int  # questions answered correctly at least once


@dataclass(frozen=True)
class Graded:
    """A grader's answer to one submission."""

    scores: dict[str, Score]  # by part id ("" for a question without parts)
    question: Question  # the full question (key, 解析, basis) for the feedback
    quiz_passed: bool = False
    message: str = ""  # what the grader wants the officer to read (e.g. 学时 recorded), plain text


class GradingError(Exception):
    """A submission the grader could not take; the message is shown to the officer."""


class Grader(Protocol):
    def grade(self, question: Question, responses: dict[str, Any]) -> Graded: ...


def pass_rule(first_round_done: bool, first_score: float | None, scored_ids: set[str], ever_correct: set[str],
              pass_mark: float) -> bool:
    """The pass rule of the module docstring, for the kernel's quiz and the server alike."""
    if not first_round_done:
        return False
    return (first_score is not None and first_score + 1e-9 >= pass_mark) or scored_ids <= ever_correct


def public_mapping(question: Question) -> dict[str, Any]:
    """What an officer's kernel may hold of a question before answering it: no key, no 解析, no basis."""
    out: dict[str, Any] = {"id": question.id, "type": question.type, "stem": question.stem,
                           "options": dict(question.options), "unit": question.unit}
    if question.parts:
        out["parts"] = [{"id": p.id, "type": p.type, "stem": p.stem, "options": dict(p.options)}
                        for p in question.parts]
    return out


def question_from_public(mapping: dict[str, Any]) -> Question:
    """A question to show from its public form (it cannot be graded in the kernel)."""
    parts = [Part(id=str(p["id"]), type=str(p["type"]), stem=str(p["stem"]), options=dict(p.get("options") or {}))
             for p in mapping.get("parts") or []]
    return Question(id=str(mapping["id"]), type=str(mapping["type"]), stem=str(mapping["stem"]), topic="",
                    difficulty=1, category="legal", domains=[], status="reviewed",
                    options=dict(mapping.get("options") or {}), unit=str(mapping.get("unit") or ""), parts=parts)


def identify_officer(officer: str | None = None) -> str | None:
    """The officer answering: the argument, else the environment's (``ground.identity``), else the 人员编号
    entered earlier in this kernel session; None when unknown (the quiz then asks)."""
    for candidate in (officer, officer_from_environment(), _session_officer):
        if candidate and candidate.strip():
            return candidate.strip()
    return None


def remember_officer(officer: str) -> None:
    global _session_officer
    _session_officer = officer


def draw(bank_questions: Iterable[Question], topic: str | None = None, n: int = 5, seed: Any = None,
         ids: list[str] | None = None) -> list[Question]:
    """Reviewed questions for a quiz: those with ``ids`` (in that order), else ``n`` drawn from ``topic``
    (or the whole bank); the same seed always draws the same questions."""
    bank_questions = list(bank_questions)
    pool = [q for q in bank_questions if q.usable()]
    if ids is not None:
        # a listed question that waits for re-review (its article changed) is left out; one never reviewed is an error
        by_id = {q.id: q for q in pool}
        waiting = {q.id for q in bank_questions if q.status == "reviewed" and not q.usable()}
        missing = [i for i in ids if i not in by_id and i not in waiting]
        if missing:
            raise ValueError(f"题目不存在或未审核：{'、'.join(missing)}")
        chosen = [by_id[i] for i in ids if i in by_id]
        if not chosen:
            raise ValueError(f"所列题目都在等待重新审核：{'、'.join(ids)}")
        return chosen
    pool = sorted((q for q in pool if topic is None or q.topic == topic), key=lambda q: q.id)
    if not pool:
        raise ValueError(f"知识点 {topic} 没有已审核的题目" if topic else "没有已审核的题目")
    return random.Random(seed).sample(pool, min(n, len(pool)))


def _percent(x: float) -> str:
    return f"{round(x * 100)}%"


class Quiz:
    """A training quiz; ``Quiz.widget`` is the container to display (see the module docstring for the pass rule)."""

    def __init__(self, questions: list[Question], recorder: Recorder | None = None, officer: str | None = None,
                 quiz_id: str = "", pass_mark: float = 0.6,
                 on_complete: Callable[[QuizResult], Any] | None = None, multiple_rule: str = "all_or_nothing",
                 grader: Grader | None = None, shuffle_seed: Any = None):
        questions = list(questions)
        if not questions:
            raise ValueError("测验至少要有一道题")
        if len({q.id for q in questions}) != len(questions):
            raise ValueError("测验中有重复的题目")
        if not 0 <= pass_mark <= 1:
            raise ValueError(f"合格线应在 0 到 1 之间，实际为 {pass_mark}")
        if multiple_rule not in MULTIPLE_RULES:
            raise ValueError(f"多选题计分规则 {multiple_rule!r} 无效，应为 {'/'.join(MULTIPLE_RULES)}")
        self.questions = questions
        self.recorder, self.quiz_id, self.pass_mark = recorder, quiz_id, pass_mark
        self.on_complete, self.multiple_rule, self.grader = on_complete, multiple_rule, grader
        self.shuffle_seed = shuffle_seed  # e.g. (officer, quiz, attempt): options shown in an order drawn from it, per round
        self.officer = identify_officer(officer)
        self.round = 0
        self.first_round_done = False
        self.first_round_score: float | None = None  # None when no question is scored automatically
        self.scored_ids = {q.id for q in questions if q.type != "case" or any(p.type != "open" for p in q.parts)}
        self.ever_correct: set[str] = set()
        self.result: QuizResult | None = None  # set when the module is first passed
        self.views: list[QuestionView] = []
        self._complete_error = ""
        self._server_message = ""

        self.officer_text = widgets.Text(placeholder="人员编号", description="")
        self.officer_button = widgets.Button(description="确定")
        self.officer_message = widgets.HTML()
        self.officer_button.on_click(lambda _: self._confirm_officer())
        self.officer_box = widgets.VBox()
        self.questions_box = widgets.VBox()
        self.summary = widgets.HTML()
        self.redo_button = widgets.Button(description="再做一次（只做错题）", layout=widgets.Layout(display="none"))
        self.redo_button.on_click(lambda _: self.redo())
        self.widget = widgets.VBox([self.officer_box, self.questions_box, self.summary, self.redo_button])
        self._show_officer()
        self._start_round(questions)

    # --- who is answering --------------------------------------------------------------------------------

    def _show_officer(self) -> None:
        if self.officer:
            self.officer_box.children = [widgets.HTML(f"答题人：{escape_html(self.officer)}")]
        else:
            self.officer_box.children = [widgets.HTML("<b>请输入您的人员编号</b>"),
                                         widgets.HBox([self.officer_text, self.officer_button]), self.officer_message]

    def _confirm_officer(self) -> None:
        if self.officer:
            return
        value = self.officer_text.value.strip()
        if not value or len(value) > MAX_OFFICER_LENGTH:
            self.officer_message.value = '<span style="color:#c62828">请输入有效的人员编号</span>'
            return
        remember_officer(value)
        self.officer = value
        self._show_officer()
        for view in self.views:
            view.set_active(not view.submitted)

    # --- rounds ------------------------------------------------------------------------------------------

    def _start_round(self, questions: list[Question]) -> None:
        self.round += 1
        seed = None if self.shuffle_seed is None else f"{self.shuffle_seed}/{self.round}"
        self.views = [QuestionView(i, q, seed) for i, q in enumerate(questions, 1)]
        for view in self.views:
            view.submit_button.on_click(lambda _, v=view: self.submit(v))
            view.set_active(bool(self.officer))
        self.questions_box.children = [v.widget for v in self.views]
        self.redo_button.layout.display = "none"
        self._update_summary()

    def wrong(self) -> list[Question]:
        """The questions of this round answered wrong."""
        return [v.question for v in self.views if v.correct is False]

    def redo(self) -> None:
        """Start a round with only the questions answered wrong (once the current round is complete)."""
        wrong = self.wrong()
        if self.round_complete and wrong:
            self._start_round(wrong)

    @property
    def round_complete(self) -> bool:
        return all(v.submitted for v in self.views)

    def round_score(self) -> float | None:
        """Mean score of the scored questions of this round (None when none is scored)."""
        scored = [v for v in self.views if v.scored]
        return sum(v.fraction for v in scored) / len(scored) if scored else None

    @property
    def passed(self) -> bool:
        """The pass rule (module docstring): after the first round, its score reaches the pass mark,
        or every scored question has been answered correctly at least once."""
        return pass_rule(self.first_round_done, self.first_round_score, self.scored_ids, self.ever_correct,
                         self.pass_mark)

    # --- submitting --------------------------------------------------------------------------------------

    def submit(self, view: QuestionView) -> None:
        """Check, record and show one question (the 提交 button)."""
        if view.submitted or not self.officer or view not in self.views:
            return
        if not all(inp.answered() for inp in view.inputs.values() if inp.item.type != "open"):
            view.feedback.value = '<span style="color:#c62828">请先作答再提交</span>'
            return
        warnings = []
        if self.grader is not None:
            if not self._grade_remotely(view):
                return
            self._after_submit(view, warnings)
            return
        now = datetime.now(timezone.utc)
        for key, inp in view.inputs.items():
            response = inp.response()
            result = score(inp.item, response, self.multiple_rule)
            view.scores[key] = result
            attempt = Attempt(self.officer, self.quiz_id, view.item_id(key), response, result.correct,
                              result.fraction, now)
            if self.recorder is not None:
                try:
                    self.recorder.record_attempt(attempt)
                except Exception as exc:  # shown to the officer: a lost record means lost 学时
                    warnings.append(f"作答记录保存失败，请联系管理员：{exc}")
        self._after_submit(view, warnings)

    def _grade_remotely(self, view: QuestionView) -> bool:
        responses = {key: inp.response() for key, inp in view.inputs.items()}
        try:
            graded = self.grader.grade(view.question, responses)
        except GradingError as exc:
            view.feedback.value = f'<span style="color:#c62828">{escape_html(str(exc))}</span>'
            return False
        view.scores = dict(graded.scores)
        view.question = graded.question
        for key, inp in view.inputs.items():
            inp.item = graded.question if not key else next(p for p in graded.question.parts if p.id == key)
        if graded.quiz_passed and self.result is None:
            self.result = QuizResult(self.quiz_id, self.officer or "", self.round_score() or 0.0, True,
                                     len(self.questions), len(self.ever_correct))
            self._server_message = graded.message
            if self.on_complete is not None:
                self.on_complete(self.result)
        return True

    def _after_submit(self, view: QuestionView, warnings: list[str]) -> None:
        view.submitted = True
        view.set_active(False)
        if view.correct:
            self.ever_correct.add(view.question.id)
        view.show(warnings)
        if self.round == 1 and self.round_complete:
            self.first_round_done, self.first_round_score = True, self.round_score()
        if self.grader is None:
            self._check_complete()
        self._update_summary()

    def _check_complete(self) -> None:
        if self.result is not None or not self.passed:
            return
        first = 1.0 if self.first_round_score is None else self.first_round_score
        self.result = QuizResult(self.quiz_id, self.officer or "", first, True, len(self.questions),
                                 len(self.ever_correct))
        if self.on_complete is not None:
            try:
                self.on_complete(self.result)
            except Exception as exc:
                self._complete_error = f"完成情况登记失败，请联系管理员：{exc}"

    def _update_summary(self) -> None:
        answered = sum(v.submitted for v in self.views)
        head = f"第{self.round}轮（错题重做）　" if self.round > 1 else ""
        parts = [f"{head}已答 {answered}/{len(self.views)}"]
        current = self.round_score()
        if current is not None:
            got = sum(v.fraction for v in self.views if v.scored and v.submitted)
            parts.append(f"得分 {_percent(got / sum(v.scored for v in self.views))}（合格线 {_percent(self.pass_mark)}）")
        lines = ["　".join(parts)]
        if self.round_complete:
            wrong = len(self.wrong())
            if self.round == 1 and current is not None:
                met = current + 1e-9 >= self.pass_mark
                lines.append("本轮已全部作答，" + ("达到合格线。" if met else "未达到合格线。"))
            if wrong:
                lines.append(f"有 {wrong} 题答错，可以点「再做一次（只做错题）」。")
            self.redo_button.layout.display = "" if wrong else "none"
        if self.result is not None:
            lines.append('<b style="color:#1a7f37">本模块已通过。</b>')
        if self._server_message:
            lines.append(f'<b style="color:#1a7f37">{escape_html(self._server_message)}</b>')
        if self._complete_error:
            lines.append(f'<span style="color:#c62828">{escape_html(self._complete_error)}</span>')
        self.summary.value = "<br>".join(lines)

    def _ipython_display_(self) -> None:
        from IPython.display import display

        display(self.widget)
