"""Cleaning the cells of HR sheets: trailing spaces, full-width digits, dates in the forms people type."""

from __future__ import annotations

import calendar
import datetime as dt
import re
import unicodedata
from decimal import Decimal, InvalidOperation
from typing import Any

EXCEL_EPOCH = dt.date(1899, 12, 30)
DATE_RE = re.compile(r"^(\d{4})\s*[-/.年]\s*(\d{1,2})\s*[-/.月]\s*(\d{1,2})\s*日?$")
COMPACT_DATE_RE = re.compile(r"^(\d{4})(\d{2})(\d{2})$")
CATEGORY_WORDS = {"法律知识": "legal", "法律": "legal", "法律知识培训": "legal", "legal": "legal",
                  "专门业务": "operations", "业务": "operations", "专业": "operations", "专门业务培训": "operations",
                  "业务知识": "operations", "operations": "operations"}
FORM_WORDS = {"线上": "online", "网络": "online", "网上": "online", "在线": "online", "online": "online",
              "线下": "offline", "面授": "offline", "集中": "offline", "现场": "offline", "offline": "offline"}


def text(value: Any) -> str:
    """NFKC (full-width digits and letters to half-width), spaces folded and trimmed."""
    if value is None:
        return ""
    return re.sub(r"\s+", " ", unicodedata.normalize("NFKC", str(value))).strip()


def parse_date(value: Any) -> dt.date:
    """2026-03-05, 2026/3/5, 2026.3.5, 2026年3月5日, 20260305, an Excel serial (46086) or a date cell."""
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    t = text(value)
    match = DATE_RE.match(t) or COMPACT_DATE_RE.match(t)
    if match:
        return _real_date(value, int(match[1]), int(match[2]), int(match[3]))
    if re.fullmatch(r"\d{5}(\.0+)?", t):
        serial = int(float(t))
        if 20000 <= serial <= 80000:
            return EXCEL_EPOCH + dt.timedelta(days=serial)
    raise ValueError(f"日期 {value!r} 无法识别（如 2026-03-05、2026/3/5、2026年3月5日）")


def _real_date(value: Any, year: int, month: int, day: int) -> dt.date:
    """The date, or a Chinese reason why it does not exist (2026/13/01, 2026-02-30)."""
    if not 1 <= month <= 12:
        raise ValueError(f"日期 {value!r} 不存在：月份应为 1 到 12")
    if not 1900 <= year <= 2200:
        raise ValueError(f"日期 {value!r} 的年份 {year} 不合理")
    last = calendar.monthrange(year, month)[1]
    if not 1 <= day <= last:
        raise ValueError(f"日期 {value!r} 不存在：{year}年{month}月只有 {last} 天")
    return dt.date(year, month, day)


def _number(value: Any, column: str, units: tuple[str, ...]) -> Decimal:
    t = text(value)
    for unit in units:
        t = t.removesuffix(unit).strip()
    try:
        number = Decimal(t)
    except InvalidOperation:
        raise ValueError(f"{column} {value!r} 不是数字") from None
    if not number.is_finite():
        raise ValueError(f"{column} {value!r} 不是有效的数字（如 1.5）")
    return number.quantize(Decimal("0.01"))


def parse_hours(value: Any) -> Decimal:
    """1.5, 1.5学时, 2小时, 2课时 (full-width digits too)."""
    return _number(value, "学时", ("学时", "小时", "课时", "h"))


def parse_minutes(value: Any) -> Decimal:
    """90, 90分钟, 45分, 45min."""
    return _number(value, "分钟", ("分钟", "分", "min", "mins"))


def parse_category(value: Any) -> str:
    t = text(value)
    if t in CATEGORY_WORDS:
        return CATEGORY_WORDS[t]
    raise ValueError(f"类别 {value!r} 无法识别（法律知识 或 专门业务）")


def parse_form(value: Any) -> str:
    t = text(value)
    if not t:
        return "offline"
    if t in FORM_WORDS:
        return FORM_WORDS[t]
    raise ValueError(f"形式 {value!r} 无法识别（线上 或 线下）")
