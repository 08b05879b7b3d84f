"""Cleaning the cells of HR sheets: trailing spaces, full-width digits, dates in the forms people type."""

from __future__ import annotations

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
        return dt.date(int(match[1]), int(match[2]), int(match[3]))
    if re.fullmatch(r"\d{5}(\.0+)?", t):
        serial = int(float(t))
        if 20000 <= serial <= 80000:
            return EXCEL_EPOCH + dt.timedelta(days=serial)
    raise ValueError(f"日期 {value!r} 无法识别（如 2026-03-05、2026/3/5、2026年3月5日）")


def parse_hours(value: Any) -> Decimal:
    t = text(value).removesuffix("学时").removesuffix("小时").strip()
    try:
        hours = Decimal(t)
    except InvalidOperation:
        raise ValueError(f"学时 {value!r} 不是数字") from None
    return hours.quantize(Decimal("0.01"))


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
