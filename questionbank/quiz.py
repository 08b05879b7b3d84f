"""The training quiz of a course notebook, as ipywidgets 8.

``Quiz(questions, recorder=…, quiz_id=…)`` shows a round of questions with their answer widgets and a 提交 button each
(one question on screen is a ``questionbank.quiz_views.QuestionView``). Which questions a round asks, whose keys are
shown and the pass rule are ``questionbank.quiz_rounds`` – the same logic for both graders:

- in the kernel (``make run``): ``LocalGrader`` checks answers with ``questionbank.scoring.score``, sends every
  submission to the recorder as an ``Attempt`` (this package never imports ``tracker`` or ``grading``: the caller
  passes the recorder) and rebuilds the rounds from the officer's earlier answers (``history``), so a reopened page
  shows where he was;
- on the site the kernel holds no keys: a ``grader`` (the 学堂服务's client) opens the round and grades each
  submission there; the server decides, with the same rounds and rule.

``on_complete(QuizResult)`` is called once, the first time the quiz is passed. Who is answering comes from
``identify_officer`` (one small function a notebook layer may replace by assigning ``questionbank.quiz.identify_officer``);
when it knows no one, the quiz asks for the 人员编号 first.
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import datetime, timezone
from typing import Any, Callable, Iterable, Protocol

import ipywidgets as widgets

from ground.identity import officer_from_environment
from questionbank.laws import Citation
from questionbank.model import Part, Question
from questionbank.quiz_rounds import Answer, Progress, Summary
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
    answered: int  # questions (slots) of the quiz
    correct: int  # slots answered right
    message: str = ""  # the grader's word on the module (e.g. 学时 recorded), plain text


@dataclass(frozen=True)
class Graded:
    """A grader's answer to one submission."""

    scores: dict[str, Score]  # by part id ("" for a question without parts)
    question: Question  # the question for the feedback: with key and 解析 when key_shown, else without
    key_shown: bool = True
    summary: Summary | None = None
    message: str = ""  # what the grader wants the officer to read about the module (e.g. 学时 recorded), plain text
    warnings: tuple[str, ...] = ()


@dataclass(frozen=True)
class RoundView:
    """The round to show: its questions and those already answered in it (a reopened page)."""

    questions: list[Question]
    answered: dict[str, tuple[dict[str, Any], Graded]]  # question id -> (responses, graded)
    summary: Summary


class GradingError(Exception):
    """A submission the grader could not take; the message is shown to the officer."""


class Grader(Protocol):
    def open(self) -> RoundView: ...

    def grade(self, question: Question, responses: dict[str, Any]) -> Graded: ...


def grade_items(question: Question, responses: dict[str, Any], multiple_rule: str = "all_or_nothing") -> dict[str, Score]:
    """The score of each item of a submission (one per 案例分析 part, "" otherwise)."""
    items = {p.id: p for p in question.parts} if question.parts else {"": question}
    return {key: score(item, responses.get(key), multiple_rule) for key, item in items.items()}


def answer_of(question_id: str, scores: dict[str, Score], responses: dict[str, Any]) -> Answer:
    """The record of one submission the rounds take: right when every objective item is right."""
    objective = [s for s in scores.values() if s.correct is not None]
    if not objective:
        return Answer(question_id, None, 0.0, responses)
    return Answer(question_id, all(s.correct for s in objective), sum(s.fraction for s in objective) / len(objective),
                  responses)


class LocalGrader:
    """Grades in the kernel against the bank's keys and keeps the rounds (``make run``)."""

    def __init__(self, progress: Progress, officer: str, quiz_id: str = "", recorder: Recorder | None = None,
                 multiple_rule: str = "all_or_nothing"):
        self.progress, self.officer, self.quiz_id = progress, officer, quiz_id
        self.recorder, self.multiple_rule = recorder, multiple_rule

    def open(self) -> RoundView:
        """The round to show now: the current one, or the next when the current is complete and not passed."""
        progress = self.progress
        if progress.round_complete and not progress.passed:
            progress.next_round()
        answered = {}
        for qid, answer in progress.answered.items():
            question = progress.by_id[qid]
            scores = grade_items(question, answer.response, self.multiple_rule)
            answered[qid] = (answer.response, Graded(scores, question, progress.shown_keys.get(qid, True)))
        return RoundView(progress.questions, answered, progress.summary())

    def grade(self, question: Question, responses: dict[str, Any]) -> Graded:
        question = self.progress.by_id.get(question.id, question)
        scores = grade_items(question, responses, self.multiple_rule)
        now = datetime.now(timezone.utc)
        warnings = []
        for key, result in scores.items():
            attempt = Attempt(self.officer, self.quiz_id, f"{question.id}/{key}" if key else question.id,
                              responses.get(key), result.correct, result.fraction, now)
            if self.recorder is not None:
                try:
                    self.recorder.record_attempt(attempt)
                except Exception as exc:  # shown to the officer: a lost record means lost 学时
                    warnings.append(f"作答记录保存失败，请联系管理员：{exc}")
        shown = self.progress.record(answer_of(question.id, scores, responses))
        return Graded(scores, question, shown, self.progress.summary(), warnings=tuple(warnings))


def public_mapping(question: Question) -> dict[str, Any]:
    """What an officer's kernel may hold of a question before answering it: no key, no 解析, no basis."""
    out: dict[str, Any] = {"id": question.id, "type": question.type, "stem": question.stem,
                           "options": dict(question.options), "unit": question.unit}
    if question.parts:
        out["parts"] = [{"id": p.id, "type": p.type, "stem": p.stem, "options": dict(p.options)}
                        for p in question.parts]
    return out


def keyless_mapping(question: Question) -> dict[str, Any]:
    """The feedback of a question that will come back: the public form and the articles to reread, no key, no 解析."""
    out = public_mapping(question)
    out["basis"] = [str(c) for c in question.basis]
    for part, item in zip(out.get("parts") or [], question.parts):
        part["basis"] = [str(c) for c in item.basis]
    return out


def question_from_public(mapping: dict[str, Any]) -> Question:
    """A question to show from its public (or keyless feedback) form (it cannot be graded in the kernel)."""
    parts = [Part(id=str(p["id"]), type=str(p["type"]), stem=str(p["stem"]), options=dict(p.get("options") or {}),
                  basis=[Citation.parse(c) for c in p.get("basis") or []])
             for p in mapping.get("parts") or []]
    return Question(id=str(mapping["id"]), type=str(mapping["type"]), stem=str(mapping["stem"]), topic="",
                    difficulty=1, category="legal", domains=[], status="reviewed",
                    options=dict(mapping.get("options") or {}), unit=str(mapping.get("unit") or ""), parts=parts,
                    basis=[Citation.parse(c) for c in mapping.get("basis") or []])


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
    """A training quiz; ``Quiz.widget`` is the container to display (rounds and pass rule: ``questionbank.quiz_rounds``).

    ``alternates`` gives each listed question's stand-ins for later rounds (``quiz_rounds.build_slots``); ``history``
    returns an officer's earlier answers to this quiz, oldest first, so the rounds go on where he left them."""

    def __init__(self, questions: list[Question], recorder: Recorder | None = None, officer: str | None = None,
                 quiz_id: str = "", pass_mark: float = 0.6,
                 on_complete: Callable[[QuizResult], Any] | None = None, multiple_rule: str = "all_or_nothing",
                 grader: Grader | None = None, shuffle_seed: Any = None,
                 alternates: dict[str, Iterable[Question]] | None = None,
                 history: Callable[[str], Iterable[Answer]] | None = None):
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
        # e.g. "officer/module/quiz", or a function of the officer giving it: options shown in an order drawn from it,
        # per round, and the order of the stand-ins; None: the bank's order
        self._seed_source = shuffle_seed
        self.slots = [(q, *(alternates or {}).get(q.id, ())) for q in questions]
        self.history = history
        self.officer = identify_officer(officer)
        self.shuffle_seed = self._seed_for(self.officer)
        self.round = 0
        self.state: Summary | None = None
        self.result: QuizResult | None = None  # set when the quiz is first passed
        self.views: list[QuestionView] = []
        self._complete_error = ""

        self.officer_text = widgets.Text(placeholder="人员编号", description="")
        self.officer_button = widgets.Button(description="确定")
        self.officer_message = widgets.HTML()
        self.officer_button.on_click(lambda _: self._confirm_officer())
        self.officer_box = widgets.VBox()
        self.questions_box = widgets.VBox()
        self.summary = widgets.HTML()
        self.redo_button = widgets.Button(description="再做一次", layout=widgets.Layout(display="none"))
        self.redo_button.on_click(lambda _: self.redo())
        self.widget = widgets.VBox([self.officer_box, self.questions_box, self.summary, self.redo_button])
        self._show_officer()
        if self.officer:
            self._open()
        else:  # shown, not answerable, until the officer is known
            self._show_round(RoundView(questions, {}, Summary(1, False, None, 0, len(questions), False, False)))

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
        self.shuffle_seed = self._seed_for(value)
        self._show_officer()
        self._open()

    def _seed_for(self, officer: str | None) -> Any:
        source = self._seed_source
        return source(officer or "") if callable(source) else source

    # --- rounds ------------------------------------------------------------------------------------------

    def _local_grader(self) -> LocalGrader:
        officer = self.officer or ""
        seed = f"{self.shuffle_seed}" if self.shuffle_seed is not None else f"{officer}/{self.quiz_id}"
        answers = list(self.history(officer)) if self.history is not None else []
        progress = Progress(self.slots, seed, self.pass_mark, answers)
        return LocalGrader(progress, officer, self.quiz_id, self.recorder, self.multiple_rule)

    def _open(self) -> None:
        if self.grader is None:
            self.grader = self._local_grader()
        try:
            view = self.grader.open()
        except GradingError as exc:
            self.summary.value = f'<span style="color:#c62828">{escape_html(str(exc))}</span>'
            return
        self._show_round(view)

    def _show_round(self, round_view: RoundView) -> None:
        self.round = round_view.summary.round
        self.state = round_view.summary
        seed = None if self.shuffle_seed is None else f"{self.shuffle_seed}/{self.round}"
        self.views = [QuestionView(i, q, seed) for i, q in enumerate(round_view.questions, 1)]
        for view in self.views:
            view.submit_button.on_click(lambda _, v=view: self.submit(v))
            done = round_view.answered.get(view.question.id)
            if done is not None:
                responses, graded = done
                for key, inp in view.inputs.items():
                    inp.restore(responses.get(key))
                self._apply(view, graded)
            view.set_active(bool(self.officer) and not view.submitted)
        self.questions_box.children = [v.widget for v in self.views]
        if self.state.passed:
            self._passed("")
        self._update_summary()

    def wrong(self) -> list[Question]:
        """The questions of this round answered wrong."""
        return [v.question for v in self.views if v.correct is False]

    def redo(self) -> None:
        """「再做一次」: the next round, once the current one is complete and the quiz is not passed."""
        if self.state is not None and self.state.can_redo and self.round_complete:
            self._open()

    @property
    def round_complete(self) -> bool:
        return all(v.submitted for v in self.views)

    @property
    def passed(self) -> bool:
        return self.result is not None

    # --- submitting --------------------------------------------------------------------------------------

    def submit(self, view: QuestionView) -> None:
        """Grade, record and show one question (the 提交 button)."""
        if view.submitted or not self.officer or view not in self.views or self.grader is None:
            return
        if not all(inp.answered() for inp in view.inputs.values() if inp.item.type != "open"):
            view.feedback.value = '<span style="color:#c62828">请先作答再提交</span>'
            return
        responses = {key: inp.response() for key, inp in view.inputs.items()}
        try:
            graded = self.grader.grade(view.question, responses)
        except GradingError as exc:
            view.feedback.value = f'<span style="color:#c62828">{escape_html(str(exc))}</span>'
            return
        self._apply(view, graded)
        view.set_active(False)
        if graded.summary is not None:
            self.state = graded.summary
            if graded.summary.passed:
                self._passed(graded.message)
        self._update_summary()

    def _apply(self, view: QuestionView, graded: Graded) -> None:
        view.scores = dict(graded.scores)
        view.question = graded.question
        for key, inp in view.inputs.items():
            inp.item = graded.question if not key else next(p for p in graded.question.parts if p.id == key)
        view.submitted = True
        view.show(list(graded.warnings), graded.key_shown)

    def _passed(self, message: str) -> None:
        if self.result is not None or self.state is None:
            return
        score = 1.0 if self.state.score is None else self.state.score
        self.result = QuizResult(self.quiz_id, self.officer or "", score, True, self.state.slots, self.state.mastered,
                                 message)
        if self.on_complete is not None:
            try:
                self.on_complete(self.result)
            except Exception as exc:
                self._complete_error = f"完成情况登记失败，请联系管理员：{exc}"

    def _update_summary(self) -> None:
        state = self.state
        answered = sum(v.submitted for v in self.views)
        head = f"第{self.round}轮　" if self.round > 1 else ""
        parts = [f"{head}本轮已答 {answered}/{len(self.views)}"]
        if state is not None and state.slots:
            parts.append(f"已答对 {state.mastered}/{state.slots} 题")
        if state is not None and state.score is not None:
            parts.append(f"得分 {_percent(state.score)}（合格线 {_percent(self.pass_mark)}）")
        lines = ["　".join(parts)]
        redo = False
        if self.result is not None:
            lines.append('<b style="color:#1a7f37">本测验已通过。</b>')
        elif state is not None and self.round_complete and self.views:
            wrong = len(self.wrong())
            if state.can_redo and state.retry_kind == "wrong":
                lines.append(f"本轮有 {wrong} 题答错。点「再做一次」：答错的题换成同一知识点的新题"
                             "（题库中没有新题的，原题再出现，选项顺序不同）。")
            elif state.can_redo:
                lines.append("每题都已答对，但得分未达到合格线：点「再做一次」再做一组新题。")
            else:
                lines.append("本测验的题目已全部做过，仍未达到通过条件，请联系培训管理员。")
            redo = state.can_redo
        self.redo_button.layout.display = "" if redo else "none"
        lines.append(f"<small>通过条件：每道题（或替换它的新题）都答对过，且按每题最后一次作答计得分达到合格线 "
                     f"{_percent(self.pass_mark)}。</small>")
        if self._complete_error:
            lines.append(f'<span style="color:#c62828">{escape_html(self._complete_error)}</span>')
        self.summary.value = "<br>".join(lines)

    def _ipython_display_(self) -> None:
        from IPython.display import display

        display(self.widget)
