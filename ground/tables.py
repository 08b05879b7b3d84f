"""Reading the spreadsheets people send: .xlsx, and .csv in UTF-8 (with or without BOM) or GBK.

Shared by the question-bank import and the tracker imports. Cells come back as stripped text (Excel dates as
``datetime`` objects are kept as such; whole floats as integers), and header names are matched to canonical
column names through aliases, ignoring width, spaces and case.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import unicodedata
from pathlib import Path
from typing import Any

EXCEL = (".xlsx", ".xlsm")
TEXT = (".csv", ".txt")


def clean(value: Any) -> Any:
    if value is None:
        return ""
    if isinstance(value, (dt.date, dt.datetime)):
        return value
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return str(value).replace("\r\n", "\n").replace("\r", "\n").strip()


def read_rows(path: Path) -> list[list[Any]]:
    """All rows of the first sheet (.xlsx) or of the file (.csv)."""
    suffix = path.suffix.lower()
    if suffix in EXCEL:
        from openpyxl import load_workbook

        workbook = load_workbook(path, read_only=True, data_only=True)
        try:
            return [[clean(v) for v in row] for row in workbook.worksheets[0].iter_rows(values_only=True)]
        finally:
            workbook.close()
    if suffix in TEXT:
        data = path.read_bytes()
        for encoding in ("utf-8-sig", "gb18030"):
            try:
                text = data.decode(encoding)
                break
            except UnicodeDecodeError:
                continue
        else:
            raise ValueError("文件编码无法识别（支持 UTF-8 和 GBK）")
        return [[clean(v) for v in row] for row in csv.reader(io.StringIO(text))]
    raise ValueError(f"不支持的文件类型 {path.suffix or '（无扩展名）'}（支持 .xlsx 和 .csv）")


def header_key(text: Any) -> str:
    return unicodedata.normalize("NFKC", str(text)).replace(" ", "").replace("　", "").strip().lower()


def column_map(header: list[Any], aliases: dict[str, list[str]]) -> dict[str, int]:
    """Canonical column name -> index, for the names and aliases found in the header (first match wins)."""
    lookup = {}
    for canonical, names in aliases.items():
        for name in [canonical, *names]:
            lookup.setdefault(header_key(name), canonical)
    mapping: dict[str, int] = {}
    for i, name in enumerate(header):
        canonical = lookup.get(header_key(name))
        if canonical and canonical not in mapping:
            mapping[canonical] = i
    return mapping


def header_row(rows: list[list[Any]]) -> int:
    """Index of the first non-empty row (sheets often start with blank lines)."""
    return next((i for i, row in enumerate(rows) if any(str(c).strip() for c in row)), 0)
