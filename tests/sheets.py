"""Writing spreadsheets the way people send them (csv in a given encoding, xlsx), for the import tests."""

from __future__ import annotations

import csv
import io
from pathlib import Path

from openpyxl import Workbook


def write_csv(path: Path, rows, encoding: str = "utf-8") -> Path:
    buffer = io.StringIO()
    csv.writer(buffer).writerows(rows)
    path.write_bytes(buffer.getvalue().encode(encoding))
    return path


def write_xlsx(path: Path, rows) -> Path:
    workbook = Workbook()
    for row in rows:
        workbook.active.append(row)
    workbook.save(path)
    return path
