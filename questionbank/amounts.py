"""Amounts and periods in legal text (二百元, 三十日, 5日, 十五个工作日, 百分之三, 3倍), normalised for comparison."""

from __future__ import annotations

import re
from dataclasses import dataclass

from questionbank import numerals

NUM = rf"(?:\d+(?:\.\d+)?|[{numerals.CHARS}]+)"
# unit as written -> unit class; longer spellings first
UNITS = {
    "个工作日": "工作日", "工作日": "工作日", "个月": "月", "周年": "年", "周岁": "岁", "小时": "小时", "分钟": "分钟",
    "万元": "元", "元": "元", "日": "日", "天": "日", "月": "月", "年": "年", "倍": "倍", "人": "人", "名": "人",
    "岁": "岁",
}
UNIT_RE = "|".join(sorted(map(re.escape, UNITS), key=len, reverse=True))
AMOUNT_RE = re.compile(rf"(?P<ord>第)?(?P<num>{NUM})(?P<unit>{UNIT_RE})(?!龄)")  # 一年龄段 is no period
PERCENT_RE = re.compile(rf"百分之(?P<cn>{NUM})|(?P<ar>\d+(?:\.\d+)?)\s*[%％]")
FRACTION_RE = re.compile(rf"(?P<den>[{numerals.CHARS}]+)分之(?P<num>[{numerals.CHARS}]+)")
# dates and references that are not amounts
DATE_RE = re.compile(rf"(?:{NUM}年)?{NUM}月{NUM}日|{NUM}年(?={NUM}月)|(?:\d{{4}}|[〇零一二三四五六七八九]{{4}})年")
REFERENCE_RE = re.compile(rf"第{NUM}[条款项章节目]")


@dataclass(frozen=True)
class Amount:
    value: float
    unit: str  # unit class
    text: str  # as written

    @property
    def key(self) -> tuple[float, str]:
        return (self.value, self.unit)


def _value(text: str) -> float | None:
    if re.fullmatch(r"\d+(?:\.\d+)?", text):
        return float(text)
    try:
        return float(numerals.parse(text))
    except ValueError:
        return None


def amounts(text: str) -> list[Amount]:
    """Every amount with a unit in the text, dates and article references left out."""
    text = re.sub(r"(?<=\d),(?=\d{3})", "", text)
    text = REFERENCE_RE.sub(" ", DATE_RE.sub(" ", text))
    out: list[Amount] = []
    for match in PERCENT_RE.finditer(text):
        value = _value(match["cn"] or match["ar"])
        if value is not None:
            out.append(Amount(value, "%", match.group(0)))
    text = PERCENT_RE.sub(" ", text)
    for match in FRACTION_RE.finditer(text):
        den, num = _value(match["den"]), _value(match["num"])
        if den and num is not None:
            out.append(Amount(round(num / den, 6), "分数", match.group(0)))
    text = FRACTION_RE.sub(" ", text)
    for match in AMOUNT_RE.finditer(text):
        if match["ord"]:
            continue
        value = _value(match["num"])
        if value is None:
            continue
        unit = match["unit"]
        if unit == "万元":
            value *= 10_000
        out.append(Amount(value, UNITS[unit], match.group(0)))
    return out
