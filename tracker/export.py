"""Writing the compliance report: xlsx (officers, units, chart), csv (for Excel: UTF-8 with BOM), html."""

from __future__ import annotations

import base64
import html
import io
from pathlib import Path

import pandas as pd

from tracker.charts import hours_histogram, unit_status_chart

FORMATS = ("xlsx", "csv", "html")


def _png(figure) -> bytes:
    import matplotlib.pyplot as plt

    buffer = io.BytesIO()
    figure.savefig(buffer, format="png")
    plt.close(figure)
    return buffer.getvalue()


def write_report(table: pd.DataFrame, units: pd.DataFrame, fmt: str, output: Path, title: str,
                 required: dict[str, float]) -> None:
    output.parent.mkdir(parents=True, exist_ok=True)
    if fmt == "csv":
        table.to_csv(output, index=False, encoding="utf-8-sig")
    elif fmt == "xlsx":
        _xlsx(table, units, output, title)
    elif fmt == "html":
        _html(table, units, output, title, required)
    else:
        raise ValueError(f"不支持的格式 {fmt}（{'/'.join(FORMATS)}）")


def _xlsx(table: pd.DataFrame, units: pd.DataFrame, output: Path, title: str) -> None:
    from openpyxl.drawing.image import Image
    from openpyxl.styles import Font, PatternFill

    fills = {"达标": "C8E6C9", "有风险": "FFF59D", "未达标": "FFCDD2"}
    with pd.ExcelWriter(output, engine="openpyxl") as writer:
        table.to_excel(writer, sheet_name="人员明细", index=False)
        units.to_excel(writer, sheet_name="单位汇总", index=False)
        people, summary = writer.sheets["人员明细"], writer.sheets["单位汇总"]
        for sheet in (people, summary):
            sheet.freeze_panes = "A2"
            for cell in sheet[1]:
                cell.font = Font(bold=True)
            for column in sheet.columns:
                width = max(len(str(c.value or "")) for c in column[:200])
                sheet.column_dimensions[column[0].column_letter].width = min(40, max(8, width * 1.8))
        status_column = list(table.columns).index("状态") + 1
        for row in range(2, len(table) + 2):
            cell = people.cell(row, status_column)
            if cell.value in fills:
                cell.fill = PatternFill("solid", fgColor=fills[cell.value])
        rate_column = list(units.columns).index("达标率") + 1
        for row in range(2, len(units) + 2):
            summary.cell(row, rate_column).number_format = "0.0%"
        if len(units):
            image = Image(io.BytesIO(_png(unit_status_chart(units, title))))
            summary.add_image(image, f"A{len(units) + 4}")


def _html(table: pd.DataFrame, units: pd.DataFrame, output: Path, title: str, required: dict[str, float]) -> None:
    charts = ""
    if len(units):
        for figure in (unit_status_chart(units, title), hours_histogram(table, required, "学时分布")):
            charts += f'<img alt="图表" src="data:image/png;base64,{base64.b64encode(_png(figure)).decode()}">'
    shown = units.assign(达标率=units["达标率"].map(lambda x: f"{x:.1%}")) if len(units) else units
    page = f"""<!doctype html><html lang="zh-CN"><head><meta charset="utf-8"><title>{html.escape(title)}</title>
<style>body{{font-family:"WenQuanYi Micro Hei","Noto Sans CJK SC",sans-serif;margin:2em}}
table{{border-collapse:collapse;font-size:14px}}td,th{{border:1px solid #ccc;padding:3px 8px}}
th{{background:#eee}}img{{max-width:100%;margin:1em 0}}</style></head><body>
<h1>{html.escape(title)}</h1><h2>单位汇总</h2>{shown.to_html(index=False, border=0)}{charts}
<h2>人员明细</h2>{table.to_html(index=False, border=0)}</body></html>"""
    output.write_text(page, encoding="utf-8")
