"""The rounds of a training quiz and its pass rule: which questions an officer is asked, whose keys he is shown, and
when he has passed. One logic for both graders (the kernel's under ``make run``, the 学堂服务 on the site); the state
is always rebuilt from the officer's recorded answers, so a closed tab or another server loses nothing.

Slots. A quiz is the catalog's list of questions; each is a *slot*. A slot's stand-ins are the bank's usable questions
of the same topic and type that cite an article the module teaches (its text's citations, or its listed questions'),
each given to one slot only, and are no easier to guess: a 判断题 stands in only for one with the same verdict,
a 单选/多选题 only for one with as many options (and, for 多选, as many keys). The stand-ins of a slot are taken in an
order drawn per officer.

Rounds. Round 1 asks the listed questions. When a round is complete and the quiz is not passed, 「再做一次」 starts the
next round: the slots answered wrong, each with a question the officer has not been asked yet where the slot has one
(a *different* question of the same topic), else with the slot's question he answered wrong, whose key he was not shown;
when every slot is answered right but the score is still under the pass mark, every slot again, with questions not
asked yet. Options are shown in a new order each round.

Keys. After 提交 the officer reads 回答正确/回答错误. The key and the 解析 are shown when the question cannot come back:
it was answered right, or the slot still holds a question not yet answered to take its place. A question whose key was
shown is never asked again. Where the bank has too few (no stand-in left), a wrongly answered question keeps its key
and 解析 hidden – the officer reads only the 法律依据 to reread – and comes back in the next round, options reshuffled.

Pass rule (通过规则): the quiz is passed when a round is complete and
1. every scored slot has been answered right (by its question or a stand-in) – a guess cannot master a 判断题 whose
   verdict it does not give, a 多选题 or a 填空题, and a retry brings a question as hard to guess as the one it
   replaces; and
2. the score – the mean over every answer he has given to scored questions in this quiz, each try counted – reaches
   the pass mark: a wrong answer is not wiped out by getting the question or its stand-in right later, so trying
   options until one fits does not pass either. An officer who has answered every slot right but is still under the
   mark gets a new set of questions not asked yet.
So answering A / 错误 everywhere, or copying in one round the keys shown in an earlier one (those questions never come
back), does not pass; ``tests/questionbank/test_quiz_simulation.py`` runs both on every module. The residual: an
officer who remembers which option texts were marked wrong can narrow down a question that comes back with its key
hidden (topics with too few questions); rule 2 counts every wrong try, so this pays only for a few questions. An officer
who masters every slot but stays under the mark in a topic with no new questions left cannot pass this year's quiz
(the page says so and sends him to the training office).
"""

from __future__ import annotations

import random
from dataclasses import dataclass, field
from typing import Any, Iterable

from questionbank.model import Question

Slots = list[tuple[Question, ...]]


@dataclass(frozen=True)
class Answer:
    """One submission as recorded: the question, whether every objective item was right (None: nothing scored) and
    the mean fraction, and what was submitted ({part id or "": value}), to show it again."""

    question_id: str
    correct: bool | None
    fraction: float
    response: dict[str, Any] = field(default_factory=dict, compare=False)


def answers_from_records(submissions: Iterable[dict]) -> list[Answer]:
    """Answers from recorded submissions (``tracker.study.submissions`` / ``quiz_history``: question, the (correct,
    fraction) of each item, responses by part)."""
    out = []
    for sub in submissions:
        objective = [(c, f) for c, f in sub["items"] if c is not None]
        correct = all(c for c, _ in objective) if objective else None
        fraction = sum(f for _, f in objective) / len(objective) if objective else 0.0
        out.append(Answer(sub["question"], correct, fraction, dict(sub.get("responses") or {})))
    return out


def scored(question: Question) -> bool:
    return question.type != "case" or any(p.type != "open" for p in question.parts)


def _guess_alike(a: Question, b: Question) -> bool:
    if a.type != b.type or a.type == "case":
        return False
    if a.type == "judge":
        return a.answer == b.answer
    if a.type in ("single", "multiple"):
        return len(a.options) == len(b.options) and (a.type == "single" or len(a.answer) == len(b.answer))
    return True


def _article(citation) -> str:
    return f"{citation.law}@{citation.version}#{citation.article}"


def build_slots(listed: list[Question], bank: Iterable[Question], articles: Iterable[str] = ()) -> Slots:
    """Each listed question with its stand-ins from the bank (see the module docstring), bank order."""
    listed_ids = {q.id for q in listed}
    taught = set(articles) | {_article(c) for q in listed for c in q.basis}
    pool = [q for q in bank if q.usable() and q.id not in listed_ids and any(_article(c) in taught for c in q.basis)]
    stand_ins: list[list[Question]] = [[] for _ in listed]
    for candidate in pool:  # each stand-in belongs to one slot (the one that fits with fewest so far), so a slot
        fits = [i for i, q in enumerate(listed) if q.topic == candidate.topic and _guess_alike(candidate, q)]
        if fits:  # never finds its stand-in taken by another
            stand_ins[min(fits, key=lambda i: len(stand_ins[i]))].append(candidate)
    return [(q, *others) for q, others in zip(listed, stand_ins)]


@dataclass(frozen=True)
class Summary:
    """Where the officer stands; what the quiz shows under the questions."""

    round: int
    passed: bool
    score: float | None  # rule 2's score (every try counted); None while nothing scored is answered
    mastered: int  # scored slots answered right
    slots: int  # scored slots
    round_complete: bool
    can_redo: bool  # 「再做一次」 would start another round
    retry_kind: str = ""  # "wrong": the next round holds the slots answered wrong; "all": every slot again


class Progress:
    """The rounds of one officer in one quiz (this year), rebuilt from his answers in the order given."""

    def __init__(self, slots: Slots, seed: str, pass_mark: float, answers: Iterable[Answer] = ()):
        if not slots:
            raise ValueError("测验至少要有一道题")
        self.pass_mark = pass_mark
        self.order: Slots = []
        for i, (first, *others) in enumerate(slots):
            random.Random(f"{seed}/slot{i}").shuffle(others)
            self.order.append((first, *others))
        self.by_id = {q.id: q for candidates in self.order for q in candidates}
        self.scored_slots = {i for i, c in enumerate(self.order) if scored(c[0])}
        self.latest: dict[str, Answer] = {}  # question id -> latest answer
        self.fractions: list[float] = []  # every answer to a scored question, each try
        self.log: list[Answer] = []  # the answers taken, in order
        self.key_shown: set[str] = set()
        self.mastered: set[int] = set()
        self.passed = False
        self.round = 0
        self.current: dict[int, Question] = {}  # slot -> question of this round
        self.answered: dict[str, Answer] = {}  # this round's answers by question id
        self.shown_keys: dict[str, bool] = {}  # this round: was the key shown with the feedback
        self._start(list(range(len(self.order))))
        for answer in answers:
            self.record(answer)

    # --- rounds --------------------------------------------------------------------------------------

    def _start(self, slot_ids: list[int]) -> None:
        self.round += 1
        self.answered, self.shown_keys = {}, {}
        if self.round == 1:
            self.current = {i: self.order[i][0] for i in slot_ids}
            return
        taken: set[str] = set()
        self.current = {}
        for i in slot_ids:
            chosen = next((q for q in self._askable(i) if q.id not in taken), None)
            if chosen is not None:
                self.current[i] = chosen
                taken.add(chosen.id)

    def _askable(self, slot: int) -> list[Question]:
        """The questions slot may ask next: not asked yet first, then (for a slot not yet answered right) those
        answered wrong with the key hidden; never one whose key was shown."""
        fresh = [q for q in self.order[slot] if q.id not in self.key_shown and q.id not in self.latest]
        again = [q for q in self.order[slot] if q.id not in self.key_shown and q.id in self.latest]
        return fresh + (again if slot not in self.mastered else [])

    def _next_slots(self) -> tuple[list[int], str]:
        wrong = [i for i, q in self.current.items() if i in self.scored_slots and i not in self.mastered]
        if wrong:
            return wrong, "wrong"
        return sorted(self.scored_slots), "all"

    @property
    def questions(self) -> list[Question]:
        return [self.current[i] for i in sorted(self.current)]

    @property
    def round_complete(self) -> bool:
        return all(q.id in self.answered for q in self.current.values())

    def _would_start(self) -> list[int]:
        """The slots of the next round that have a question to ask (empty: nothing to redo)."""
        if self.passed or not self.round_complete:
            return []
        slot_ids, _ = self._next_slots()
        return [i for i in slot_ids if self._askable(i)]

    def next_round(self) -> bool:
        """Start the next round (「再做一次」); False when there is none to start."""
        slot_ids = self._would_start()
        if not slot_ids:
            return False
        self._start(slot_ids)
        return bool(self.current)

    # --- answers -------------------------------------------------------------------------------------

    def slot_of(self, question_id: str) -> int | None:
        for i, q in self.current.items():
            if q.id == question_id:
                return i
        return None

    def record(self, answer: Answer) -> bool:
        """Take one answer; True when its key and 解析 may be shown. An answer to a question of the next round starts
        that round (as 「再做一次」 did when it was given); one that fits no round is ignored."""
        slot = self.slot_of(answer.question_id)
        if (slot is None or answer.question_id in self.answered) and self.round_complete:
            if self.next_round():
                slot = self.slot_of(answer.question_id)
        if slot is None or answer.question_id in self.answered:
            return False
        self.answered[answer.question_id] = answer
        self.latest[answer.question_id] = answer
        self.log.append(answer)
        if answer.correct is not None:
            self.fractions.append(answer.fraction)
        spare = any(q.id != answer.question_id and q.id not in self.key_shown and q.id not in self.latest
                    for q in self.order[slot])
        show = answer.correct is not False or spare
        if answer.correct:
            self.mastered.add(slot)
        if show:
            self.key_shown.add(answer.question_id)
        if self.round_complete and not self.passed and self._passes():
            self.passed = True
        self.shown_keys[answer.question_id] = show
        return show

    def score(self) -> float | None:
        """Rule 2's score: the mean over every answer to a scored question (None before the first)."""
        return sum(self.fractions) / len(self.fractions) if self.fractions else None

    def _passes(self) -> bool:
        score = self.score()
        return self.scored_slots <= self.mastered and (score is None or score + 1e-9 >= self.pass_mark)

    def summary(self) -> Summary:
        kind = self._next_slots()[1] if self.round_complete and not self.passed else ""
        return Summary(self.round, self.passed, self.score(), len(self.mastered & self.scored_slots),
                       len(self.scored_slots), self.round_complete, bool(self._would_start()), kind)
