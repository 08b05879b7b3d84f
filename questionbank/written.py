"""A number with its unit as people write it in an answer box, read into one comparable form.

``7天`` ``七天`` ``7日`` ``７ 日`` → 7 日; ``１００元`` ``100块`` ``壹佰元整`` ``人民币100元`` → 100 元; ``3万元`` ``三万`` → 30000 元;
``百分之五`` ``5%`` ``５％`` → 5 %. The form is ``(unit class, value in the class's base unit)``: 万元 is 元 × 10000, 天 is 日.
A bare number is read in the unit the question shows next to the box. Text that is not one number with a known (or the
question's own) unit reads as ``None``. Only ``str`` methods of exact ``str`` values are used.
"""

from __future__ import annotations

import re
import unicodedata

from questionbank import numerals

# 大写数字 (as on receipts and 决定书) and traditional forms -> the characters ``numerals`` reads
FINANCIAL = str.maketrans("壹贰貳叁參叄肆伍陆陸柒捌玖拾佰仟萬億圆圓", "一二二三三三四五六六七八九十百千万亿元元")
# unit as written -> (unit class, factor to the class's base); magnitudes (万, 亿 …) before a unit are read separately
UNITS = {
    "日": ("日", 1), "天": ("日", 1), "个工作日": ("工作日", 1), "工作日": ("工作日", 1),
    "月": ("月", 1), "个月": ("月", 1), "年": ("年", 1), "周年": ("年", 1),
    "小时": ("小时", 1), "个小时": ("小时", 1), "钟头": ("小时", 1), "个钟头": ("小时", 1), "分钟": ("分钟", 1),
    "元": ("元", 1), "块": ("元", 1), "块钱": ("元", 1), "元钱": ("元", 1),
    "岁": ("岁", 1), "周岁": ("岁", 1), "倍": ("倍", 1), "米": ("米", 1), "m": ("米", 1),
    "人": ("人", 1), "名": ("人", 1), "%": ("%", 1),
}
MAGNITUDES = {"十": 10, "百": 100, "千": 1000, "万": 10_000, "亿": 100_000_000}
ARABIC_RE = re.compile(r"[+-]?(?:\d+(?:\.\d*)?|\.\d+)")
CHINESE_RE = re.compile(rf"[{numerals.CHARS}]+")
PERCENT_PREFIX = "百分之"


def tidy(text: str) -> str:
    """Full width to half width, lower case, no spaces, 大写数字 to ordinary ones, no 人民币 or closing 整."""
    text = unicodedata.normalize("NFKC", text).lower().translate(FINANCIAL)
    text = "".join(text.split()).replace("人民币", "")
    if text.endswith("整") and len(text) > 1:
        text = text[:-1]
    return re.sub(r"(?<=\d),(?=\d{3}(?!\d))", "", text)


def unit_class(unit: str) -> tuple[str, float] | None:
    """``万元`` → (元, 10000); ``天`` → (日, 1); ``""`` → ("", 1); an unknown unit → (itself, 1)."""
    unit = tidy(unit) if unit else ""
    factor = 1.0
    while unit and unit[0] in MAGNITUDES and unit not in UNITS:
        factor *= MAGNITUDES[unit[0]]
        unit = unit[1:]
    cls, base = UNITS.get(unit, (unit, 1))
    return cls, factor * base


def read(text: str, key_unit: str = "") -> tuple[str, float] | None:
    """``(unit class, value in its base unit)`` of a written answer, a bare number taken in ``key_unit``."""
    text = tidy(text)
    percent = text.startswith(PERCENT_PREFIX)
    if percent:
        text = text[len(PERCENT_PREFIX):]
    number, rest = _number(text)
    if number is None:
        return None
    if percent:
        return ("%", number) if not rest else None
    if not rest:
        cls, factor = unit_class(key_unit)
        return cls, number * factor
    cls, factor = unit_class(rest)
    if not cls:  # magnitudes only (3万): in the question's unit
        cls = unit_class(key_unit)[0]
    return cls, number * factor


def _number(text: str) -> tuple[float | None, str]:
    """The number at the start of ``text`` and what follows it; a trailing 万/亿 of a Chinese numeral is left to
    the unit so that 一千万 reads like 1000万."""
    match = ARABIC_RE.match(text)
    if match:
        try:
            return float(match.group(0)), text[match.end():]
        except (ValueError, OverflowError):
            return None, text
    match = CHINESE_RE.match(text)
    if not match:
        return None, text
    digits, rest = match.group(0), text[match.end():]
    if len(digits) > 1 and digits[-1] in "万亿" and not any(ch in "万亿" for ch in digits[:-1]):
        digits, rest = digits[:-1], digits[-1] + rest
    try:
        return float(numerals.parse(digits)), rest
    except (ValueError, OverflowError):
        return None, text
