"""Reading the spreadsheets people send, for the question-bank import and the tracker imports alike.

Accepted: .xlsx/.xlsm (openpyxl); .xls, WPS .et and .ods (python-calamine); .csv/.txt/.tsv in UTF-8 (with or without
BOM) or GBK, comma- or tab-separated (detected). The file's content decides, not only its name: a CSV renamed .xlsx,
an encrypted workbook or a damaged one is refused with a Chinese message that says what to do, never a traceback.

Cells come back as stripped text (Excel dates as ``date``/``datetime`` objects are kept as such; whole floats as
integers). Header names are matched to canonical column names through aliases, ignoring width, spaces and case, and
the header row is looked for below title rows (a merged 标题 row, a 填表日期 line …).
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import math
import unicodedata
from pathlib import Path
from typing import Any

EXCEL = (".xlsx", ".xlsm")
OLD_EXCEL = (".xls", ".et", ".ods")
TEXT = (".csv", ".txt", ".tsv")
HEADER_SEARCH_ROWS = 30
ZIP_MAGIC = b"PK\x03\x04"
OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
ENCRYPTED_MARK = "EncryptionInfo".encode("utf-16-le")
SAVE_AS = "请在 Excel 或 WPS 中打开，另存为 .xlsx（Excel 工作簿）后再导入"


class TableError(ValueError):
    """A file that cannot be read as a table, with the reason in Chinese."""


def clean(value: Any) -> Any:
    if value is None:
        return ""
    if isinstance(value, (dt.date, dt.datetime)):
        return value
    if isinstance(value, dt.time):
        return value.isoformat()
    if isinstance(value, float):
        if math.isfinite(value) and value.is_integer():
            value = int(value)
    return str(value).replace("\r\n", "\n").replace("\r", "\n").strip()


def read_rows(path: Path) -> list[list[Any]]:
    """All rows of the first sheet (a workbook) or of the file (text). Raises ``TableError`` with a Chinese reason."""
    path = Path(path)
    if not path.exists():
        raise TableError(f"找不到文件 {path}")
    if path.is_dir():
        raise TableError(f"{path} 是文件夹，不是表格文件")
    suffix = path.suffix.lower()
    if suffix not in EXCEL + OLD_EXCEL + TEXT:
        raise TableError(f"不支持的文件类型 {path.suffix or '（无扩展名）'}（支持 .xlsx、.xls、.et、.csv 和制表符分隔的 .txt）")
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise TableError(f"无法读取文件 {path.name}（{exc.strerror or '读取失败'}）") from None
    if not data.strip():
        raise TableError(f"{path.name} 是空文件")
    kind = _content_kind(data)
    if kind == "encrypted":
        raise TableError(f"{path.name} 设有打开密码（已加密），无法读取：请在 Excel 或 WPS 中取消密码（文件→信息→保护工作簿），"
                         "保存后再导入")
    if suffix in TEXT:
        if kind != "text":
            raise TableError(f"{path.name} 的扩展名是 {path.suffix}，内容却是 Excel 工作簿：请把扩展名改为 "
                             f"{'.xlsx' if kind == 'zip' else '.xls'} 后再导入")
        return _text_rows(path, data)
    if kind == "text":
        raise TableError(f"{path.name} 的扩展名是 {path.suffix}，内容却是文本（可能是改了扩展名的 CSV）：请把扩展名改回 .csv，"
                         "或在 Excel 或 WPS 中打开后另存为 .xlsx（Excel 工作簿）再导入")
    if kind == "zip" and suffix in EXCEL:
        return _xlsx_rows(path, data)
    return _calamine_rows(path, data)


def _content_kind(data: bytes) -> str:
    if data.startswith(ZIP_MAGIC):
        return "zip"
    if data.startswith(OLE_MAGIC):
        return "encrypted" if ENCRYPTED_MARK in data else "ole"
    head = data[:4096]
    if b"\x00" in head:
        return "binary"
    return "text"


def _xlsx_rows(path: Path, data: bytes) -> list[list[Any]]:
    from openpyxl import load_workbook

    try:
        workbook = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except Exception:  # openpyxl raises many kinds (BadZipFile, KeyError, InvalidFileException …) for a damaged file
        raise TableError(f"{path.name} 不是有效的 Excel 工作簿（文件可能已损坏）：{SAVE_AS}") from None
    try:
        return [[clean(v) for v in row] for row in workbook.worksheets[0].iter_rows(values_only=True)]
    finally:
        workbook.close()


def _calamine_rows(path: Path, data: bytes) -> list[list[Any]]:
    """.xls, WPS .et (the same binary format) and .ods, read by calamine from the content."""
    from python_calamine import CalamineWorkbook

    if not (data.startswith(OLE_MAGIC) or data.startswith(ZIP_MAGIC)):
        raise TableError(f"{path.name} 不是有效的表格文件（文件可能已损坏）：{SAVE_AS}")
    try:
        workbook = CalamineWorkbook.from_filelike(io.BytesIO(data))
        rows = workbook.get_sheet_by_index(0).to_python(skip_empty_area=False)
    except Exception:  # calamine reports damaged or password-protected files with its own error types
        raise TableError(f"{path.name} 无法读取（文件可能已损坏或设有密码）：{SAVE_AS}") from None
    return [[clean(v) for v in row] for row in rows]


def _text_rows(path: Path, data: bytes) -> list[list[Any]]:
    for encoding in ("utf-8-sig", "gb18030"):
        try:
            text = data.decode(encoding)
            break
        except UnicodeDecodeError:
            continue
    else:
        raise TableError(f"{path.name} 的文字编码无法识别（支持 UTF-8 和 GBK）：{SAVE_AS}")
    return [[clean(v) for v in row] for row in csv.reader(io.StringIO(text), delimiter=_delimiter(path, text))]


def _delimiter(path: Path, text: str) -> str:
    """Tab when the file is .tsv or its first lines have more tabs than commas; otherwise comma."""
    if path.suffix.lower() == ".tsv":
        return "\t"
    lines = [line for line in text.splitlines()[:HEADER_SEARCH_ROWS] if line.strip()][:5]
    tabs, commas = sum(line.count("\t") for line in lines), sum(line.count(",") for line in lines)
    return "\t" if tabs > commas else ","


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


def header_row(rows: list[list[Any]], aliases: dict[str, list[str]] | None = None) -> int:
    """Index of the header row: with aliases, the row among the first ones that names the most known columns
    (a title row, merged across the sheet, or a 填表日期 line above the header is skipped); without, or when no row
    names any, the first non-empty row."""
    first = next((i for i, row in enumerate(rows) if any(str(c).strip() for c in row)), 0)
    if not aliases:
        return first
    best, best_count = first, 0
    for i, row in enumerate(rows[:HEADER_SEARCH_ROWS]):
        count = len(column_map(row, aliases))
        if count > best_count:
            best, best_count = i, count
    return best


def cell_name(column: int) -> str:
    """Excel's letter for a 0-based column index (0 -> A, 26 -> AA)."""
    letters = ""
    column += 1
    while column:
        column, rest = divmod(column - 1, 26)
        letters = chr(ord("A") + rest) + letters
    return letters
