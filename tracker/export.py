"""Writing the compliance report: xlsx (officers, units, chart), csv (for Excel: UTF-8 with BOM), html.

Every report says the date it was counted to (统计截至) and explains the statuses (a legend); statuses are coloured in
html and xlsx. xlsx sheets are set up for printing: landscape, fit to the page width, the header row repeated on every
page, the title with the year and the date in the page header.
"""

from __future__ import annotations

import base64
import datetime as dt
import html
import io
from pathlib import Path

import pandas as pd

from tracker.charts import hours_histogram, unit_status_chart
from tracker.standing import FILLS, cell_style, legend_html, legend_lines

FORMATS = ("xlsx", "csv", "html")
STYLE = """body{font-family:"WenQuanYi Micro Hei","Noto Sans CJK SC",sans-serif;margin:2em}
table{border-collapse:collapse;font-size:14px}td,th{border:1px solid #ccc;padding:3px 8px}
th{background:#eee}img{max-width:100%;margin:1em 0}.legend li{margin:2px 0}
@media print{img{max-width:100%}body{margin:0}}"""


def _png(figure) -> bytes:
    import matplotlib.pyplot as plt

    buffer = io.BytesIO()
    figure.savefig(buffer, format="png")
    plt.close(figure)
    return buffer.getvalue()


def as_of_text(table: pd.DataFrame, as_of: dt.date | None = None) -> str:
    day = as_of or table.attrs.get("as_of") or dt.date.today()
    return f"统计截至 {day.isoformat()}"


def write_report(table: pd.DataFrame, units: pd.DataFrame, fmt: str, output: Path, title: str,
                 required: dict[str, float], as_of: dt.date | None = None, rules_text: str = "") -> None:
    output.parent.mkdir(parents=True, exist_ok=True)
    output.write_bytes(report_bytes(table, units, fmt, title, required, as_of, rules_text))


def report_bytes(table: pd.DataFrame, units: pd.DataFrame, fmt: str, title: str, required: dict[str, float],
                 as_of: dt.date | None = None, rules_text: str = "") -> bytes:
    """The report file's content (the dashboard sends it to the browser; the CLI writes it to a file)."""
    stamp = as_of_text(table, as_of)
    if fmt == "csv":
        shown = table.copy()
        shown.insert(0, "统计截至", stamp.removeprefix("统计截至 "))
        return shown.to_csv(index=False).encode("utf-8-sig")
    if fmt == "xlsx":
        return _xlsx(table, units, title, stamp, rules_text)
    if fmt == "html":
        return _html(table, units, title, required, stamp, rules_text).encode("utf-8")
    raise ValueError(f"不支持的格式 {fmt}（{'/'.join(FORMATS)}）")


def format_sheet(sheet, frame: pd.DataFrame, title: str, stamp: str) -> None:
    """Bold header, widths, coloured statuses, and the print set-up of a sheet written from ``frame`` at A1."""
    from openpyxl.styles import Font, PatternFill
    from openpyxl.worksheet.properties import PageSetupProperties

    sheet.freeze_panes = "A2"
    for cell in sheet[1]:
        cell.font = Font(bold=True)
    for column in sheet.iter_cols(min_row=1, max_row=min(sheet.max_row, 200)):
        width = max(len(str(c.value or "")) for c in column)
        sheet.column_dimensions[column[0].column_letter].width = min(40, max(8, width * 1.8))
    if "状态" in frame.columns:
        status_column = list(frame.columns).index("状态") + 1
        for row in range(2, len(frame) + 2):
            cell = sheet.cell(row, status_column)
            if cell.value in FILLS:
                cell.fill = PatternFill("solid", fgColor=FILLS[cell.value])
    sheet.page_setup.orientation = "landscape"
    sheet.page_setup.paperSize = sheet.PAPERSIZE_A4
    sheet.sheet_properties.pageSetUpPr = PageSetupProperties(fitToPage=True)
    sheet.page_setup.fitToWidth, sheet.page_setup.fitToHeight = 1, 0
    sheet.print_title_rows = "1:1"
    sheet.oddHeader.center.text = f"{title}（{stamp}）"
    sheet.oddFooter.center.text = "第 &P 页，共 &N 页"


def write_notes(sheet, first_row: int, stamp: str, rules_text: str) -> int:
    """统计截至, the requirement and the legend below a table; the next free row."""
    from openpyxl.styles import Font, PatternFill

    from tracker.standing import LEGEND

    sheet.cell(first_row, 1, stamp).font = Font(bold=True)
    row = first_row + 1
    if rules_text:
        sheet.cell(row, 1, f"要求：{rules_text}")
        row += 1
    sheet.cell(row, 1, "状态说明").font = Font(bold=True)
    for status, meaning in LEGEND.items():
        row += 1
        sheet.cell(row, 1, status).fill = PatternFill("solid", fgColor=FILLS[status])
        sheet.cell(row, 2, meaning)
    return row + 2


def _xlsx(table: pd.DataFrame, units: pd.DataFrame, title: str, stamp: str, rules_text: str) -> bytes:
    from openpyxl.drawing.image import Image

    buffer = io.BytesIO()
    with pd.ExcelWriter(buffer, engine="openpyxl") as writer:
        table.to_excel(writer, sheet_name="人员明细", index=False)
        units.to_excel(writer, sheet_name="单位汇总", index=False)
        people, summary = writer.sheets["人员明细"], writer.sheets["单位汇总"]
        format_sheet(people, table, title, stamp)
        format_sheet(summary, units, title, stamp)
        rate_column = list(units.columns).index("达标率") + 1
        for row in range(2, len(units) + 2):
            summary.cell(row, rate_column).number_format = "0.0%"
        next_row = write_notes(summary, len(units) + 3, stamp, rules_text)
        if len(units):
            image = Image(io.BytesIO(_png(unit_status_chart(units, title))))
            summary.add_image(image, f"A{next_row}")
    return buffer.getvalue()


def list_bytes(frame: pd.DataFrame, fmt: str, title: str, rules_text: str = "") -> bytes:
    """A list of officers (the 未达标/有风险 list): one table with 统计截至 and the legend."""
    stamp = as_of_text(frame)
    if fmt == "csv":
        shown = frame.copy()
        shown.insert(0, "统计截至", stamp.removeprefix("统计截至 "))
        return shown.to_csv(index=False).encode("utf-8-sig")
    if fmt == "xlsx":
        buffer = io.BytesIO()
        with pd.ExcelWriter(buffer, engine="openpyxl") as writer:
            frame.to_excel(writer, sheet_name="名单", index=False)
            sheet = writer.sheets["名单"]
            format_sheet(sheet, frame, title, stamp)
            write_notes(sheet, len(frame) + 3, stamp, rules_text)
        return buffer.getvalue()
    if fmt == "html":
        requirement = f"<p>要求：{html.escape(rules_text)}</p>" if rules_text else ""
        return f"""<!doctype html><html lang="zh-CN"><head><meta charset="utf-8"><title>{html.escape(title)}</title>
<style>{STYLE}</style></head><body><h1>{html.escape(title)}</h1><p class="as-of"><b>{html.escape(stamp)}</b></p>
{requirement}{legend_html()}<p>共 {len(frame)} 人</p>{status_table_html(frame)}</body></html>""".encode("utf-8")
    raise ValueError(f"不支持的格式 {fmt}（{'/'.join(FORMATS)}）")


def sheet_title(name: str, taken: set[str]) -> str:
    """An Excel sheet name for a unit: at most 31 characters, none of []:*?/\\, unique in the workbook."""
    base = "".join("_" if c in '[]:*?/\\' else c for c in name).strip("'")[:31] or "单位"
    title, n = base, 1
    while title in taken:
        n += 1
        title = f"{base[:31 - len(str(n)) - 1]}_{n}"
    taken.add(title)
    return title


def unit_workbook_bytes(table: pd.DataFrame, title: str, rules_text: str = "") -> bytes:
    """All units in one workbook: the unit summary (with the legend and chart) first, then one sheet per unit."""
    from openpyxl.drawing.image import Image

    from tracker.reports import by_unit

    stamp = as_of_text(table)
    units = by_unit(table)
    buffer = io.BytesIO()
    taken = {"单位汇总"}
    with pd.ExcelWriter(buffer, engine="openpyxl") as writer:
        units.to_excel(writer, sheet_name="单位汇总", index=False)
        summary = writer.sheets["单位汇总"]
        format_sheet(summary, units, title, stamp)
        rate_column = list(units.columns).index("达标率") + 1
        for row in range(2, len(units) + 2):
            summary.cell(row, rate_column).number_format = "0.0%"
        next_row = write_notes(summary, len(units) + 3, stamp, rules_text)
        if len(units):
            summary.add_image(Image(io.BytesIO(_png(unit_status_chart(units, title)))), f"A{next_row}")
        for unit, part in table.groupby("单位", sort=True):
            name = sheet_title(str(unit), taken)
            part = part.reset_index(drop=True)
            part.to_excel(writer, sheet_name=name, index=False)
            format_sheet(writer.sheets[name], part, f"{title}（{unit}）", stamp)
    return buffer.getvalue()


def status_table_html(frame: pd.DataFrame, classes: str = "") -> str:
    """A table with its 状态 cells coloured."""
    styled = frame.style.hide(axis="index")
    if "状态" in frame.columns:
        styled = styled.map(cell_style, subset=["状态"])
    styled = styled.format(precision=2, na_rep="").set_table_attributes(f'class="{classes}"' if classes else "")
    return styled.to_html()


def _html(table: pd.DataFrame, units: pd.DataFrame, title: str, required: dict[str, float], stamp: str,
          rules_text: str) -> str:
    charts = ""
    if len(units):
        for figure in (unit_status_chart(units, title), hours_histogram(table, required, "学时分布")):
            charts += f'<img alt="图表" src="data:image/png;base64,{base64.b64encode(_png(figure)).decode()}">'
    shown = units.assign(达标率=units["达标率"].map(lambda x: f"{x:.1%}")) if len(units) else units
    requirement = f"<p>要求：{html.escape(rules_text)}</p>" if rules_text else ""
    return f"""<!doctype html><html lang="zh-CN"><head><meta charset="utf-8"><title>{html.escape(title)}</title>
<style>{STYLE}</style></head><body>
<h1>{html.escape(title)}</h1><p class="as-of"><b>{html.escape(stamp)}</b></p>{requirement}{legend_html()}
<h2>单位汇总</h2>{shown.to_html(index=False, border=0)}{charts}
<h2>人员明细</h2>{status_table_html(table)}</body></html>"""


def legend_text() -> str:
    return "\n".join(legend_lines())
