"""Checking a key against the cited article, the way an examiner reads an item.

Each option is put into the stem's blank (so 「应当在（ ）日内」 with option 3 reads 「应当在3日内」: the unit comes with
the stem), and the statement that results is held against the clause of the cited article it matches best:

- an amount or period (三日, 15个工作日, 二百元, 3倍, 百分之五) must be the one the article gives at that place;
- 应当/必须, 可以, 不得/禁止 must be the article's word for the same act;
- an option that is the article's own words (near verbatim) is supported.

A statement whose amounts and modal words agree with its clause is supported; one where they differ is contradicted;
one with nothing to compare is not known. From those:

- 单选: the key must be the one supported option (for a stem that asks for the wrong one, 「不正确的是」, the one
  contradicted option); another option supported on an amount or modal word too makes the item ambiguous. Support
  by wording alone counts only when no other option is the article's words as well (an article lists several things).
- 判断: a statement contradicted by the article must be keyed 错误; one whose numbers and modal words agree is only
  supported when keyed 正确 (a false statement may be false for reasons the check does not read).
- 多选: each option on its own: no key option contradicted, no other option supported on an amount or modal word,
  every key option supported; when a distractor is the article's words too, the check cannot tell the lists apart.
- 数值: the answer with its unit must be what the article's matching clause says.

The verdict is 支持, 与条文不符, 多个选项都有依据 or 无法自动核对, the last whenever the item gives the check nothing to
hold on to: it never passes an item it could not read.
"""

from __future__ import annotations

import re
import unicodedata
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

from questionbank.amounts import Amount, amounts
from questionbank.laws import CATALOG, Citation, LawRegistry
from questionbank.loading import Bank
from questionbank.model import Part, Question
from questionbank.numerals import CHARS as NUMERAL_CHARS
from questionbank.review import ArticleTexts

SUPPORTED, CONTRADICTED, AMBIGUOUS, UNCHECKABLE = "支持", "与条文不符", "多个选项都有依据", "无法自动核对"
CONFIRMED = "已人工核对"
VERDICTS = (SUPPORTED, CONTRADICTED, AMBIGUOUS, UNCHECKABLE, CONFIRMED)

BLANK_RE = re.compile(r"[（(][\s　_]*[）)]|_{2,}")
QUESTION_WORD_RE = re.compile(r"(?:多少|几)(?:个工作日|个月|日|天|年|倍|元|万元|人|名|次)?|多长时间|多久")
LIST_STEM_RE = re.compile(r"下列|以下|哪[一些个项种]|正确的是|错误的是|说法|做法")
# a stem that asks for the statement the article does NOT bear out (「不正确的是」); 「不属于…的是」 asks for membership
NEGATED_RE = re.compile(r"不正确|错误|不符合|不合法")
CLAUSE_SPLIT_RE = re.compile(r"[。\n]")
SEGMENT_RE = re.compile(r"[，,；;。：:\n]")
MODALS = {"应当": "must", "必须": "must", "可以": "may", "不得": "must_not", "禁止": "must_not", "严禁": "must_not",
          "无需": "need_not", "不必": "need_not"}
MODAL_RE = re.compile("|".join(sorted(MODALS, key=len, reverse=True)))
CJK_RE = re.compile(r"[\u4e00-\u9fff0-9]")
MATCH_MIN = 0.4  # share of a piece's bigrams found in a clause for that clause to be its place in the article
VERBATIM = 0.9  # share for an option with no amount or modal word to count as the article's own words
REMAINDER = 0.9  # share of the rest of an option (its amounts taken out) the article must contain too


def _plain(text: str) -> str:
    text = unicodedata.normalize("NFKC", text)
    return "".join(CJK_RE.findall(text))


def _bigrams(text: str) -> Counter:
    plain = _plain(text)
    return Counter(plain[i : i + 2] for i in range(len(plain) - 1))


def _containment(part: Counter, whole: Counter) -> float:
    """Share of the bigrams of ``part`` (counted with repeats) that ``whole`` has too."""
    total = sum(part.values())
    if not total:
        return 0.0
    get = whole.get
    return sum(min(n, get(gram, 0)) for gram, n in part.items()) / total


@dataclass
class Reading:
    """What the article says about one option or statement: True (agrees), False (contradicts), None (can't tell)."""

    agrees: bool | None
    why: str = ""
    anchored: bool = False  # rests on an amount or a modal word, not only on wording


@dataclass
class ItemCheck:
    question: Question
    verdict: str
    detail: str
    parts: dict[str, tuple[str, str]] = field(default_factory=dict)  # part id -> (verdict, detail)


class Clauses:
    """The sentences of the cited articles, with their bigrams, to find where a piece of a statement belongs."""

    def __init__(self, texts: list[str]):
        self.items: list[tuple[str, Counter]] = []
        for text in texts:
            body = re.sub(r"^第[^条]{1,8}条\s*", "", text)
            for clause in CLAUSE_SPLIT_RE.split(body):
                if len(_plain(clause)) >= 4:
                    self.items.append((unicodedata.normalize("NFKC", clause), _bigrams(clause)))
        self.exceptions = [grams for clause, grams in self.items if "除外" in clause or "但是" in clause]
        self.all = _bigrams("".join(texts))

    def best(self, piece: str) -> tuple[str, float]:
        grams = _bigrams(piece)
        scored = [(clause, _containment(grams, clause_grams)) for clause, clause_grams in self.items]
        return max(scored, key=lambda x: x[1], default=("", 0.0))

    def in_exception(self, statement: str) -> bool:
        grams = _bigrams(statement)
        return any(_containment(exception, grams) >= 0.35 for exception in self.exceptions)


def _amounts_at(text: str) -> list[tuple[Amount, int, int]]:
    """Amounts with their span in the text, each with the bound it sets (五日以上 / 十日以下 / 五日以下 alone)."""
    normal = unicodedata.normalize("NFKC", text)
    used: set[int] = set()
    found = []
    for amount in amounts(normal):
        index = normal.find(amount.text)
        while index in used or (index > 0 and (normal[index - 1] in NUMERAL_CHARS or normal[index - 1].isdigit())):
            index = normal.find(amount.text, index + 1)
        if index < 0:
            continue
        used.add(index)
        found.append((amount, index, index + len(amount.text)))
    found.sort(key=lambda x: x[1])
    out = []
    for n, (amount, start, end) in enumerate(found):
        after = normal[end : end + 2]
        bound = "下限" if after == "以上" else "上限" if after in ("以下", "以内") else ""
        if bound == "上限" and n and found[n - 1][0].unit == amount.unit and normal[found[n - 1][2] : found[n - 1][2] + 2] == "以上" \
                and start - found[n - 1][2] <= 3:
            bound = "区间上限"
        out.append((Bound(amount.value, amount.unit, amount.text, bound), start, end))
    return out


@dataclass(frozen=True)
class Bound(Amount):
    bound: str = ""

    @property
    def key(self) -> tuple:
        return (self.value, self.unit, self.bound)


def _read_amount(statement: str, amount: Amount, start: int, end: int, clauses: Clauses) -> Reading:
    """Is this amount the one the article gives at the place the statement speaks of?"""
    clause, share = clauses.best(statement[max(0, start - 40) : start] + statement[end : end + 6])
    if share < MATCH_MIN:
        return Reading(None, f"“{amount.text}”在条文中找不到对应的语句")
    there = [(a, i) for a, i, _ in _amounts_at(clause) if a.unit == amount.unit]
    if not there:
        return Reading(None, f"对应的条文语句中没有与“{amount.text}”同类的数额")
    context = _bigrams(statement[max(0, start - 8) : start])
    scored = [(_containment(context, _bigrams(clause[max(0, i - 8) : i])), a) for a, i in there]
    best = max(x for x, _ in scored)
    nearest = [a for x, a in scored if x == best]
    where = f"（{clause.strip()[:50]}…）"
    if any(a.key == amount.key for a in nearest):
        return Reading(True, f"“{amount.text}”与条文一致{where}", True)
    if best < 0.3 and any(a.key == amount.key for _, a in scored):  # no telling context: any place in the sentence
        return Reading(True, f"“{amount.text}”见于对应的条文语句{where}", True)
    return Reading(False, f"“{amount.text}”与条文“{nearest[0].text}”不符{where}", True)


def _read_modal(statement: str, start: int, end: int, clauses: Clauses) -> Reading:
    """The modal word before the same act in statement and article (应当告知 / 可以告知)."""
    word = statement[start:end]
    act = _plain(statement[end : end + 10])[:4]
    if len(act) < 2:
        return Reading(None)
    clause, share = clauses.best(statement[max(0, start - 40) : start] + statement[end : end + 10])
    if share < MATCH_MIN:
        return Reading(None)
    said = MODALS[word]
    if statement[max(0, start - 1) : start] == "不":  # 不可以, 不应当
        said = {"may": "must_not", "must": "need_not"}.get(said, said)
    found = []  # the modal word before each place the clause names the act
    for place in re.finditer(re.escape(act), clause):
        before = MODAL_RE.findall(clause[max(0, place.start() - 6) : place.start()])
        if before:
            found.append(before[-1])
    if not found:
        return Reading(None)
    if said in {MODALS[w] for w in found}:
        return Reading(True, f"“{word}{act}”与条文一致", True)
    if clauses.in_exception(statement):
        return Reading(None, "条文有但书或除外规定，用词不作比较")
    return Reading(False, f"题中为“{word}{act}”，条文为“{found[0]}{act}”", True)


def read_span(statement: str, span: tuple[int, int], clauses: Clauses) -> Reading:
    """Read the part of the statement in ``span`` (an option in its blank, or the whole statement) against the article."""
    statement = unicodedata.normalize("NFKC", statement)
    lo, hi = span
    readings = []
    for amount, start, end in _amounts_at(statement):
        if start < hi and end > lo:
            readings.append(_read_amount(statement, amount, start, end, clauses))
    for match in MODAL_RE.finditer(statement):
        if lo <= match.start() < hi:
            reading = _read_modal(statement, match.start(), match.end(), clauses)
            if reading.agrees is not None:
                readings.append(reading)
    wrong = [r for r in readings if r.agrees is False]
    if wrong:
        return wrong[0]
    own = statement[lo:hi]
    if readings and all(r.agrees for r in readings):
        rest = own
        for amount, _, _ in _amounts_at(own):
            rest = rest.replace(amount.text, "|")
        pieces = re.split(r"[|，,；;。、]|以上|以下|以内", MODAL_RE.sub("|", rest))
        fragments = [f for f in pieces if len(_plain(f)) >= 2]
        grams = sum((_bigrams(f) for f in fragments), Counter())
        if sum(grams.values()) <= 3 or _containment(grams, clauses.all) >= REMAINDER:
            return Reading(True, "；".join(r.why for r in readings), True)
        return Reading(None, "数额或用词与条文一致，但其余文字在条文中找不到")
    if readings:
        return Reading(None, next(r.why for r in readings if r.agrees is None))
    clause, share = clauses.best(own)
    if len(_plain(own)) >= 4 and share >= VERBATIM:
        return Reading(True, f"与条文文字一致（{clause.strip()[:50]}…）")
    return Reading(None, "没有可核对的数额或“应当/可以/不得”，文字也不是条文原文")


def _filled(stem: str, option: str) -> tuple[str, tuple[int, int]]:
    """The stem read with the option in its blank, and where the option is; for 「下列…的是（ ）」 the option alone."""
    stem = unicodedata.normalize("NFKC", stem)
    option = unicodedata.normalize("NFKC", option)
    asked = QUESTION_WORD_RE.search(stem)
    blanks = list(BLANK_RE.finditer(stem))
    if asked:
        unit = re.sub(r"^(多少|几)", "", asked.group(0)) if asked.group(0)[:1] in "多几" else ""
        text = option if not unit or not re.fullmatch(r"[\d.]+|[" + NUMERAL_CHARS + "]+", option) else option + unit
        before = BLANK_RE.sub("", stem[: asked.start()])
        after = BLANK_RE.sub("", stem[asked.end() :])
        return before + text + after, (len(before), len(before) + len(text))
    if not blanks:
        return option, (0, len(option))
    blank = blanks[-1]
    after = stem[blank.end() :].strip(" 。.？?：:")
    if LIST_STEM_RE.search(stem) and not after:
        return option, (0, len(option))
    before = stem[: blank.start()]
    return before + option + stem[blank.end() :], (len(before), len(before) + len(option))


def _negated(stem: str) -> bool:
    """Does the stem ask for the option that is wrong (「不正确的是」「不属于…的是」)? Its last clause decides."""
    last = SEGMENT_RE.split(BLANK_RE.sub("", stem).rstrip(" 。.？?：:"))[-1]
    return bool(NEGATED_RE.search(last))


def _choice(stem: str, options: dict[str, str], key: set[str], multiple: bool, clauses: Clauses) -> tuple[str, str]:
    readings = {x: read_span(*_filled(stem, text), clauses) for x, text in options.items()}
    anchored = {x for x, r in readings.items() if r.agrees is True and r.anchored}
    verbatim = {x for x, r in readings.items() if r.agrees is True and not r.anchored}
    wrong = {x for x, r in readings.items() if r.agrees is False}
    if _negated(stem):  # the key is the option the article does not support
        anchored, wrong, verbatim = wrong, anchored, set()

    def say(letters) -> str:
        return "；".join(f"{x}：{readings[x].why}" for x in sorted(letters))

    if multiple:
        if key & wrong:
            return CONTRADICTED, "答案选项与条文不符：" + say(key & wrong)
        if anchored - key:
            return AMBIGUOUS, "非答案选项也有依据：" + say(anchored - key)
        if key <= anchored | verbatim and not verbatim - key:
            return SUPPORTED, say(key)
        if key <= anchored | verbatim:  # the article's words, but a distractor is too: which list is which, the check can't tell
            return UNCHECKABLE, "非答案选项也是条文原文，无法自动区分：" + say(verbatim - key)
        return UNCHECKABLE, "答案选项不能全部核对：" + say(key - anchored - verbatim)
    (k,) = key
    if k in wrong:
        return CONTRADICTED, say({k}) + (f"；条文支持的是 {'、'.join(sorted(anchored))}" if anchored else "")
    if k in anchored:
        if len(anchored) > 1:
            return AMBIGUOUS, "选项 " + "、".join(sorted(anchored)) + " 都有依据：" + say(anchored)
        return SUPPORTED, say({k})
    if k in verbatim and not (anchored | verbatim) - {k}:
        return SUPPORTED, say({k})
    if anchored:
        return CONTRADICTED, f"答案 {k} 无法核对，而条文支持的是 {'、'.join(sorted(anchored))}：" + say(anchored)
    return UNCHECKABLE, f"答案 {k}：{readings[k].why}"


def _judge(statement: str, key: bool, clauses: Clauses) -> tuple[str, str]:
    reading = read_span(statement, (0, len(unicodedata.normalize("NFKC", statement))), clauses)
    if reading.agrees is False:
        return (SUPPORTED, reading.why) if key is False else (CONTRADICTED, "答案为正确，但" + reading.why)
    if reading.agrees is True and reading.anchored and key is True:
        return SUPPORTED, reading.why
    if reading.agrees is True and reading.anchored:
        return UNCHECKABLE, "题中数额和用词与条文一致，答案为错误的理由不在可核对的范围内"
    return UNCHECKABLE, reading.why or "没有可核对的数额或“应当/可以/不得”"


def _numeric(q: Question, clauses: Clauses) -> tuple[str, str]:
    if q.answer is None or not q.unit:
        return UNCHECKABLE, "没有数值答案或单位"
    value = int(q.answer) if float(q.answer).is_integer() else q.answer
    found = amounts(f"{value}{q.unit}")
    if not found:
        return UNCHECKABLE, f"单位“{q.unit}”无法核对"
    clause, share = clauses.best(q.stem)
    if share < MATCH_MIN:
        return UNCHECKABLE, "条文中找不到与题干对应的语句"
    there = [a for a in amounts(clause) if a.unit == found[0].unit]
    if any(a.key == found[0].key for a in there):
        return SUPPORTED, f"“{value}{q.unit}”见于条文（{clause.strip()[:60]}）"
    if there:
        return CONTRADICTED, f"答案为“{value}{q.unit}”，条文为“{'、'.join(a.text for a in there)}”（{clause.strip()[:60]}）"
    return UNCHECKABLE, "对应的条文语句中没有同一单位的数额"


def _check_one(item: Question | Part, stem: str, clauses: Clauses) -> tuple[str, str]:
    if item.type in ("single", "multiple"):
        return _choice(stem, item.options, set(item.key_options() if isinstance(item, Question) else _part_keys(item)),
                       item.type == "multiple", clauses)
    if item.type == "judge":
        return _judge(stem, item.answer, clauses)
    if item.type == "numeric":
        return _numeric(item, clauses)
    return UNCHECKABLE, "主观题"


def _part_keys(part: Part) -> list[str]:
    if part.type == "single":
        return [part.answer] if part.answer else []
    return list(part.answer or ())


def check_item(q: Question, texts: ArticleTexts, cache: dict | None = None) -> ItemCheck:
    cache = {} if cache is None else cache

    def clauses_for(citations: list[Citation]) -> Clauses | None:
        key = tuple(dict.fromkeys(citations))
        if key not in cache:
            found = [t for t in (texts.text(c) for c in key) if t]
            cache[key] = Clauses(found) if found else None
        return cache[key]

    if q.type == "case":
        parts = {}
        for part in q.parts:
            if part.type == "open":
                continue
            clauses = clauses_for(part.basis + q.basis)
            parts[part.id] = _check_one(part, part.stem, clauses) if clauses else (UNCHECKABLE, "没有可读的所引条文")
        verdicts = [v for v, _ in parts.values()]
        for verdict in (CONTRADICTED, AMBIGUOUS):
            if verdict in verdicts:
                detail = "；".join(f"小题 {pid}：{d}" for pid, (v, d) in parts.items() if v == verdict)
                return ItemCheck(q, verdict, detail, parts)
        if verdicts and all(v == SUPPORTED for v in verdicts):
            return ItemCheck(q, SUPPORTED, "各客观小题均有依据", parts)
        return ItemCheck(q, UNCHECKABLE, "有小题无法核对" if verdicts else "没有客观小题", parts)
    clauses = clauses_for(q.basis)
    if clauses is None:
        return ItemCheck(q, UNCHECKABLE, "没有可读的所引条文（未引用，或条文目录中没有该文本）")
    verdict, detail = _check_one(q, q.stem, clauses)
    return ItemCheck(q, verdict, detail)


def check_keys(bank: Bank, laws_dir: Path, registry: LawRegistry | None = None,
               statuses: tuple[str, ...] = ("draft", "reviewed")) -> list[ItemCheck]:
    texts = ArticleTexts(laws_dir, registry)
    cache: dict = {}  # the clauses of each set of cited articles, split once
    return [check_item(q, texts, cache) for q in bank.questions if q.status in statuses]


def counts(checks: list[ItemCheck]) -> dict[str, int]:
    c = Counter(x.verdict for x in checks)
    return {v: c.get(v, 0) for v in VERDICTS}


CONFIRMATIONS = CATALOG / "key_check_confirmed.yaml"


def answer_signature(q: Question) -> str:
    """The key of an item as text (each part's for a case): a confirmation lapses when the key changes."""
    if q.parts:
        return "；".join(f"{p.id}={_signature(p.answer)}" for p in q.parts)
    return _signature(q.answer)


def _signature(answer) -> str:
    if isinstance(answer, bool):
        return "正确" if answer else "错误"
    if isinstance(answer, (list, tuple)):
        return "".join(str(a) for a in answer)
    return "" if answer is None else str(answer)


def confirm(checks: list[ItemCheck], path: Path = CONFIRMATIONS) -> list[ItemCheck]:
    """Flags a reviewer has read against the article and found to be the check's mistake (``key_check_confirmed.yaml``:
    who, when, why, and the key they confirmed) read as 已人工核对; a confirmation of another key does not count."""
    import yaml

    raw = yaml.safe_load(path.read_text(encoding="utf-8")) if path.exists() else {}
    entries = (raw or {}).get("confirmed") or {}
    for check in checks:
        entry = entries.get(check.question.id)
        if (check.verdict in (CONTRADICTED, AMBIGUOUS) and entry
                and str(entry.get("answer")) == answer_signature(check.question)):
            check.detail = f"{entry['reason']}（{entry['by']}，{entry['date']}；检查原以为：{check.verdict}）"
            check.verdict = CONFIRMED
    return checks
