"""Checking one response against the key of a question or of a 案例分析 part.

Responses are plain JSON values keyed by the option letters of the bank, never by the position shown:

=========  ==========================================
single     ``"B"``
multiple   ``["A", "C"]``
judge      ``True`` / ``False``
numeric    a number, or a string (``"15"``, ``"１５"``, ``"15日"``, ``"百分之三"``)
open part  free text; never scored automatically (``correct`` is ``None``)
=========  ==========================================

A response is data only. It is first copied into exact built-in types (``str``, ``bool``, ``int``,
``float``, a list of ``str``) with the built-in methods themselves, so no method of the response's own
class (``__eq__``, ``__str__``, ``__iter__`` …) ever runs; anything else is refused as 答案格式无效.
"""

from __future__ import annotations

import math
import unicodedata
from dataclasses import dataclass
from typing import Any

from questionbank import written

MULTIPLE_RULES = {
    "all_or_nothing": "全对得分",
    "partial_half": "少选且无错选得一半，错选不得分",
    "per_option": "按答对的正确选项比例得分，有错选不得分",
}
MAX_TEXT = 2000  # longest objective response read; longer ones are refused
MAX_OPEN_TEXT = 100_000  # longest free text of an open part

UNANSWERED = "未作答"
INVALID = "答案格式无效"
OPEN_DETAIL = "主观题不自动评分，请对照参考答案和评分要点自查"


@dataclass(frozen=True)
class Score:
    correct: bool | None  # None: not scored automatically (open part)
    fraction: float  # 0 … 1
    detail: str  # Chinese, for the officer: 回答正确, 回答错误, or why it is not right (shown after 「回答错误」, not repeating it)


class _Invalid(Exception):
    pass


def score(question_or_part: Any, response: Any, multiple_rule: str = "all_or_nothing") -> Score:
    """Score ``response`` against a ``Question`` (single/multiple/judge/numeric) or a case ``Part``.

    A whole 案例分析 question is scored part by part; passing one here is a ``ValueError``.
    """
    if multiple_rule not in MULTIPLE_RULES:
        raise ValueError(f"多选题计分规则 {multiple_rule!r} 无效，应为 {'/'.join(MULTIPLE_RULES)}")
    kind = question_or_part.type
    if kind == "case":
        raise ValueError("案例分析题请逐个小题评分")
    try:
        value = _plain(response)
        if kind == "open":
            return Score(None, 0.0, UNANSWERED if _empty(value) else OPEN_DETAIL)
        if _empty(value):
            return Score(False, 0.0, UNANSWERED)
        if kind == "single":
            return _single(question_or_part, value)
        if kind == "multiple":
            return _multiple(question_or_part, value, multiple_rule)
        if kind == "judge":
            return _judge(question_or_part, value)
        if kind == "numeric":
            return _numeric(question_or_part, value)
    except _Invalid:
        return Score(False, 0.0, INVALID)
    raise ValueError(f"无法评分的题型 {kind!r}")


def key_text(question_or_part: Any) -> str:
    """The key as the officer reads it: ``B. 五日``, ``A、B、D``, ``正确``, ``15 日``."""
    q = question_or_part
    if q.type == "single":
        return f"{q.answer}. {q.options.get(q.answer, '')}".strip()
    if q.type == "multiple":
        return "、".join(q.answer or ())
    if q.type == "judge":
        return "正确" if q.answer else "错误"
    if q.type == "numeric":
        texts = []
        if q.answer is not None:
            shown = _number_text(q.answer) + (f" {q.unit}" if q.unit else "")
            if q.tolerance:
                shown += f"（允许误差 ±{_number_text(q.tolerance)}）"
            texts.append(shown)
        texts.extend(a for a in q.accepted if not texts or a != _number_text(q.answer))
        return " 或 ".join(texts)
    return ""


# --- coercion -----------------------------------------------------------------------------------------


def _plain(value: Any, depth: int = 0) -> Any:
    """``value`` as exact built-in types, copied with the built-in methods (never the value's own)."""
    kind = type(value)  # the real class; ``__class__`` can lie, ``type()`` cannot
    try:
        if value is None or kind is bool:
            return value
        if issubclass(kind, str):
            text = str.__str__(value)
            if len(text) > MAX_OPEN_TEXT:
                raise _Invalid
            return text
        if issubclass(kind, bool):  # pragma: no cover - bool cannot be subclassed
            raise _Invalid
        if issubclass(kind, int):
            return int.__index__(value)
        if issubclass(kind, float):
            return float.__float__(value)
        if depth == 0 and issubclass(kind, (list, tuple)):
            items = list.__iter__(value) if issubclass(kind, list) else tuple.__iter__(value)
            out = [_plain(v, depth + 1) for v in items]
            if any(type(v) is not str for v in out):
                raise _Invalid
            return out
    except (TypeError, ValueError, OverflowError):
        raise _Invalid from None
    raise _Invalid


def _empty(value: Any) -> bool:
    """None, blank text, or a list of blank texts."""
    if isinstance(value, str):
        return not value.strip()
    if isinstance(value, list):
        return not any(v.strip() for v in value)
    return value is None


def _letter(value: Any, options: dict[str, str]) -> str:
    if type(value) is not str or len(value) > MAX_TEXT:
        raise _Invalid
    letter = unicodedata.normalize("NFKC", value).strip().upper()
    if letter not in options:
        raise _Invalid
    return letter


# --- the types ----------------------------------------------------------------------------------------


def _single(q: Any, value: Any) -> Score:
    if _letter(value, q.options) == q.answer:
        return Score(True, 1.0, "回答正确")
    return Score(False, 0.0, "回答错误")


def _multiple(q: Any, value: Any, rule: str) -> Score:
    if type(value) is not list:
        raise _Invalid
    chosen = {_letter(v, q.options) for v in value if v.strip()}
    key = set(q.answer or ())
    if chosen == key:
        return Score(True, 1.0, "回答正确")
    if chosen - key:
        return Score(False, 0.0, "有错选")
    if rule == "partial_half":
        return Score(False, 0.5, "少选且无错选，得一半分")
    if rule == "per_option":
        return Score(False, len(chosen) / len(key), f"少选且无错选，按比例得分 {len(chosen)}/{len(key)}")
    return Score(False, 0.0, "少选")


def _judge(q: Any, value: Any) -> Score:
    if type(value) is not bool:
        raise _Invalid
    if value == bool(q.answer):
        return Score(True, 1.0, "回答正确")
    return Score(False, 0.0, "回答错误")


def _numeric(q: Any, value: Any) -> Score:
    """Numbers written the way people write them (``questionbank.written``): 7天/七天/7日 for 7 日, １００元/100块/壹佰元
    for 100 元, 3万元, 百分之五/5%; compared with the key in the key's unit and with each accepted spelling."""
    if type(value) is bool:
        raise _Invalid
    if type(value) is str:
        if len(value) > MAX_TEXT:
            raise _Invalid
        text = _normalise(value)
        if text in {_normalise(a) for a in q.accepted}:
            return Score(True, 1.0, "回答正确")
        reading = written.read(value, q.unit)
    elif type(value) in (int, float):
        try:
            number = float(value)  # an exact int or float: the built-in conversion
        except OverflowError:
            number = math.inf
        unit, factor = written.unit_class(q.unit)
        reading = (unit, number * factor) if math.isfinite(number) else None
    else:
        raise _Invalid
    if reading is not None:
        if q.answer is not None:
            unit, factor = written.unit_class(q.unit)
            if reading[0] == unit and _close(reading[1] / factor, q.answer, q.tolerance):
                return Score(True, 1.0, "回答正确")
        if any(reading == written.read(a, q.unit) for a in q.accepted):
            return Score(True, 1.0, "回答正确")
    return Score(False, 0.0, "回答错误")


def _normalise(text: str) -> str:
    return written.tidy(text)


def _close(number: float, answer: float, tolerance: float) -> bool:
    try:
        diff = abs(float(number) - float(answer))
    except OverflowError:
        return False
    return math.isfinite(diff) and diff <= tolerance + 1e-9 * max(1.0, abs(answer))


def _number_text(x: float) -> str:
    if isinstance(x, float) and x.is_integer() and math.isfinite(x):
        return str(int(x))
    return str(x)
