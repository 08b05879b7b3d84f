"""Text that names an option by the bank's letter, in an item whose options are shown shuffled.

Officers see the options of every single and multiple choice item (and 案例分析 part) in their own order, labelled
A, B, C … as shown (``questionbank.quiz_views.shown_order``, ``grading.answers.option_order``); only the keys keep
the bank's letters. A 解析 or stem that says 「D项错误」「选项A」「A、C正确」 then points at whatever option the
officer saw under that letter. Such text must name the option by its content instead.

Only references to options are matched, not every capital letter: 「A县市场监督管理局」「B公司」 are names.
"""

from __future__ import annotations

import re

from questionbank.model import Part, Question

SHUFFLED_TYPES = ("single", "multiple")
_LETTER = r"(?<![A-Za-z0-9])[A-F]"
_LIST = rf"{_LETTER}(?:\s*(?:、|，|,|和|与|及|或|至|到|-|—|~)\s*[A-F])*"
OPTION_REFERENCE = re.compile(
    rf"选项\s*{_LETTER}(?![A-Za-z0-9])"  # 选项A、选项 B
    rf"|{_LIST}\s*(?:两|三|四|五|各|等)?\s*(?:个)?\s*(?:项|选项)"  # D项、A、B、D三项、C 项
    rf"|{_LIST}\s*(?:均|都)?(?:正确|错误|不正确|说法|当选|入选|符合|不符合|违法|不违法|合法|不合法|不选)"  # A正确、A、C错误
    rf"|(?:答案|应选|故选|选)\s*(?:为|是)?\s*{_LETTER}(?![A-Za-z0-9])"  # 答案为B、故选C
)


def option_references(text: str) -> list[str]:
    """The places in ``text`` that name an option by letter (「D项」「选项A」「A、C正确」…)."""
    return [m.group() for m in OPTION_REFERENCE.finditer(text or "")]


def letter_references(q: Question) -> list[tuple[str, str, list[str]]]:
    """(field, where, references) for every stem, 解析 or option of a shuffled item (the question or a part), and
    the case stem and case-level 解析 of a 案例分析 with shuffled parts, that names an option by the bank's letter."""
    items: list[tuple[str, Question | Part]] = [("", q)] + [(f"parts[{p.id}].", p) for p in q.parts]
    out = []
    for prefix, item in items:
        if item.type in SHUFFLED_TYPES and item.options:
            texts = [("stem", item.stem), ("explanation", item.explanation)]
            texts += [(f"options.{letter}", text) for letter, text in item.options.items()]
        elif item is q and any(p.type in SHUFFLED_TYPES and p.options for p in q.parts):
            texts = [("stem", q.stem), ("explanation", q.explanation)]  # a case's own text discusses its parts' options
        else:
            continue
        for fld, text in texts:
            found = option_references(text)
            if found:
                out.append((prefix + fld, text, found))
    return out
