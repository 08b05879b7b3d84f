"""Where the keys are: the share of each option letter among single-choice keys, the share of 正确 among 判断 keys,
and re-ordering options so that no letter is the key of too many items.

An examinee who always answers A should not pass. Re-ordering is deterministic (the positions depend only on the
item's id and which options are keys), keeps the relative order of the keys and of the distractors, and leaves
alone every item whose text points at options by letter or position (「A和B」「以上都对」「上述」, 解析 naming a
letter) and every item whose options are amounts in rising order (1日/3日/5日/7日 reads best in that order).
Judge items cannot be balanced by re-ordering: their share is reported, statements are not rewritten.
"""

from __future__ import annotations

import random
import re
from collections import Counter, defaultdict
from dataclasses import dataclass
from pathlib import Path

from questionbank.amounts import amounts
from questionbank.editing import Edit, edit_files
from questionbank.model import OPTION_LETTERS, Question

MAX_LETTER_SHARE = 0.35
JUDGE_TRUE_RANGE = (0.40, 0.60)
LETTER_RE = re.compile(r"(?<![A-Za-z0-9])[A-F](?![A-Za-z0-9])")
# 以上 alone is the statutes' "or more" (二万元以上); only 以上都…/以上均… points at the other options
POSITION_WORDS = re.compile(r"以上(?:都|均|皆|各项|选项|说法|答案|全|所有)|上述|前述|前项|前[两二三四]项|其余|其他选项|选项|"
                            r"[都均]不?(?:对|正确|错误|是|符合)$")


def key_shares(questions: list[Question]) -> dict:
    """Shares of key letters among single-choice items and of 正确 among 判断 items (retired ones left out)."""
    live = [q for q in questions if q.status != "retired"]
    singles = [q.answer for q in live if q.type == "single" and q.answer]
    judges = [q.answer for q in live if q.type == "judge" and q.answer is not None]
    letters = Counter(singles)
    return {
        "single": {x: round(letters[x] / len(singles), 4) for x in sorted(letters)} if singles else {},
        "single_count": len(singles),
        "judge_true": round(sum(judges) / len(judges), 4) if judges else None,
        "judge_count": len(judges),
    }


def format_shares(shares: dict) -> str:
    letters = "　".join(f"{x} {v:.0%}" for x, v in shares["single"].items())
    worst = max(shares["single"].values(), default=0)
    flag = "" if worst <= MAX_LETTER_SHARE else f"（超过 {MAX_LETTER_SHARE:.0%}）"
    line = f"单选题答案字母：{letters}{flag}（共 {shares['single_count']} 题）"
    if shares["judge_true"] is not None:
        low, high = JUDGE_TRUE_RANGE
        judge_flag = "" if low <= shares["judge_true"] <= high else f"（应在 {low:.0%}–{high:.0%} 之间）"
        line += f"\n判断题答案为“正确”的比例：{shares['judge_true']:.0%}{judge_flag}（共 {shares['judge_count']} 题）"
    return line


def refers_to_options(q: Question) -> bool:
    """Does the item name options by letter or position, so that re-ordering would break it?"""
    if any(LETTER_RE.search(text) or POSITION_WORDS.search(text) for text in q.options.values()):
        return True
    return bool(LETTER_RE.search(q.stem) or LETTER_RE.search(q.explanation))


def rising_amounts(q: Question) -> bool:
    """Options that are each one amount of the same unit, in rising order (their natural order)."""
    found = [amounts(text) for text in q.options.values()]
    if not all(len(a) == 1 for a in found) or len({a[0].unit for a in found}) != 1:
        return False
    values = [a[0].value for a in found]
    return values == sorted(values)


def balanced_order(q: Question) -> list[str]:
    """The option letters in their new order: distractors at positions drawn from the item's id, keys elsewhere."""
    letters = list(q.options)
    keys = set(q.key_options())
    distractors = [x for x in letters if x not in keys]
    keyed = [x for x in letters if x in keys]
    targets = set(random.Random(f"keys:{q.id}").sample(range(len(letters)), len(distractors)))
    d, k = iter(distractors), iter(keyed)
    return [next(d) if i in targets else next(k) for i in range(len(letters))]


@dataclass
class Reordering:
    question: Question
    order: list[str]  # old letters in their new places

    @property
    def answer(self):
        new_letter = {old: OPTION_LETTERS[i] for i, old in enumerate(self.order)}
        keys = sorted(new_letter[x] for x in self.question.key_options())
        return keys[0] if self.question.type == "single" else keys


def plan(questions: list[Question]) -> tuple[list[Reordering], Counter]:
    """The re-orderings to make, and why the other single/multiple items are left as they are."""
    out, kept = [], Counter()
    for q in questions:
        if q.type not in ("single", "multiple") or q.status == "retired" or len(q.options) < 2:
            continue
        if refers_to_options(q):
            kept["选项或解析按字母、位置指称其他选项"] += 1
            continue
        if rising_amounts(q):
            kept["选项为按大小排列的数额"] += 1
            continue
        order = balanced_order(q)
        if order != list(q.options):
            out.append(Reordering(q, order))
    return out, kept


def apply(reorderings: list[Reordering], dry_run: bool = False) -> None:
    """Write the new orders into the bank files (unless ``dry_run``) and into the questions in memory."""
    edits: dict[Path, dict[str, Edit]] = defaultdict(dict)
    for r in reorderings:
        edits[Path(r.question.file)][r.question.id] = _reorder(r)
    edit_files(dict(edits), dry_run=dry_run)
    for r in reorderings:
        q = r.question
        answer = r.answer
        q.options = {letter: q.options[old] for letter, old in zip(q.options, r.order, strict=True)}
        q.answer = answer if q.type == "single" else tuple(answer)


def _reorder(r: Reordering) -> Edit:
    texts = [r.question.options[x] for x in r.order]
    answer = r.answer

    def edit(item) -> None:
        options = item["options"]
        for letter, text in zip(list(options), texts, strict=True):
            options[letter] = text
        if isinstance(answer, list) and hasattr(item["answer"], "append"):
            item["answer"][:] = answer  # keeps the list's flow or block style
        else:
            item["answer"] = answer
    return edit
