"""An officer's 学时证明: text for the terminal, html for printing, xlsx for the file cabinet.

Each carries the unit as its header, the period and the 统计截至 date, the officer's 入职/离职 and prorated requirement
where they apply, every entry with its source and recorder, the year's totals and status (with the legend), and the
lines for the clerk's and reviewer's signatures and the unit's seal (盖章).
"""

from __future__ import annotations

import datetime as dt
import html
import io
from dataclasses import dataclass

import pandas as pd

from tracker.rules import Rules
from tracker.standing import FILLS, cell_style, legend_html, legend_lines

ENTRY_COLUMNS = ["记录号", "日期", "培训名称", "类别", "形式", "学时", "来源", "记录人"]


@dataclass
class Statement:
    """Who, every entry with its source, and the year's standing (a row of the compliance table)."""

    officer: dict
    entries: pd.DataFrame
    standing: dict
    as_of: dt.date
    year: int = 0

    @property
    def as_of_text(self) -> str:
        return f"统计截至 {self.as_of.isoformat()}"

    @property
    def period(self) -> str:
        st = self.standing
        start = st.get("入职日期") if st.get("入职日期", "") > f"{self.year}-01-01" else f"{self.year}-01-01"
        end = st.get("离职日期") if st.get("离职日期") and st["离职日期"] < f"{self.year}-12-31" else f"{self.year}-12-31"
        return f"{start} 至 {end}"

    def requirement(self) -> list[tuple[str, float, float, float]]:
        """(category, required, counted, shortfall) for each requirement."""
        st = self.standing
        rows = []
        for key in [k for k in st if k.startswith("要求")]:
            name = key.removeprefix("要求")
            rows.append((name, float(st[key]), float(st[name]), float(st[f"{name}缺口"])))
        return rows

    def service_note(self) -> str:
        return "　".join(f"{k}：{self.standing[k]}" for k in ("入职日期", "离职日期", "折算说明") if self.standing.get(k))

    def entry_rows(self) -> pd.DataFrame:
        if self.entries.empty:
            return pd.DataFrame(columns=ENTRY_COLUMNS)
        frame = self.entries.copy()
        frame["来源"] = [source(e) for e in frame.to_dict("records")]
        return frame[ENTRY_COLUMNS]


def source(entry: dict) -> str:
    """「导入：3月培训.xlsx 第5行」, 「手工录入」, 「冲正：冲正记录 12（录错人员）」."""
    text = entry["来源"] + (f"：{entry['来源说明']}" if entry["来源说明"] and entry["来源说明"] != entry["来源"] else "")
    if entry.get("冲正记录"):
        text += f"（{entry['原因']}）"
    return text


def as_text(statement: Statement, rules: Rules) -> str:
    o, st = statement.officer, statement.standing
    lines = [f"学时证明（{statement.year}年度）　{statement.as_of_text}",
             f"人员编号：{o['人员编号']}　姓名：{o['姓名']}　单位：{o['单位']}",
             f"岗位：{o['岗位'] or '—'}　执法领域：{o['执法领域'] or '—'}　执法证号：{o['执法证号'] or '—'}",
             f"统计期间：{statement.period}", f"要求：{rules.describe()}"]
    if statement.service_note():
        lines.append(statement.service_note())
    lines += ["本年度要求：" + "，".join(f"{name} {need:g} 学时" for name, need, _, _ in statement.requirement()), ""]
    if statement.entries.empty:
        lines.append("本年度没有学时记录。")
    for e in statement.entries.to_dict("records"):
        note = f"（冲正记录 {e['冲正记录']}：{e['原因']}）" if e["冲正记录"] else ""
        origin = e["来源"] + (f"：{e['来源说明']}" if e["来源说明"] and e["来源说明"] != e["来源"] else "")
        lines.append(f"  [{e['记录号']}] {e['日期']} {e['类别']} {e['学时']:+g} 学时 {e['形式']} "
                     f"{e['培训名称']} — {origin}；记录人 {e['记录人']}{note}")
    lines += ["", f"合计：法律知识 {st['法律知识']:g} 学时，专门业务 {st['专门业务']:g} 学时。状态：{st['状态']}"]
    gaps = [f"{name}还差 {gap:g} 学时" for name, _, _, gap in statement.requirement() if gap > 0]
    if gaps:
        lines.append("；".join(gaps))
    lines += ["", "状态说明：", *(f"  {line}" for line in legend_lines())]
    return "\n".join(lines)


def as_html(statement: Statement, rules: Rules) -> str:
    o, st = statement.officer, statement.standing
    e = html.escape
    title = f"{o['姓名']} {statement.year}年度学时证明"
    entries = statement.entry_rows()
    table = (entries.assign(学时=entries["学时"].map(lambda x: f"{x:g}")).to_html(index=False, border=0, classes="entries")
             if len(entries) else "<p>本年度没有学时记录。</p>")
    needs = "".join(f"<tr><td>{e(name)}</td><td>{need:g}</td><td>{got:g}</td><td>{gap:g}</td></tr>"
                    for name, need, got, gap in statement.requirement())
    note = f"<p>{e(statement.service_note())}</p>" if statement.service_note() else ""
    return f"""<!doctype html><html lang="zh-CN"><head><meta charset="utf-8"><title>{e(title)}</title>
<style>body{{font-family:"WenQuanYi Micro Hei","Noto Sans CJK SC",serif;margin:2em auto;max-width:900px;font-size:14px}}
h1{{text-align:center;letter-spacing:.3em}}.unit{{text-align:center;font-size:18px;font-weight:bold}}
table{{border-collapse:collapse;width:100%;margin:.6em 0}}td,th{{border:1px solid #555;padding:3px 6px}}
.sign{{margin-top:3em;display:flex;justify-content:space-between}}.seal{{margin-top:2.5em;text-align:right}}
@page{{size:A4;margin:18mm}}@media print{{body{{margin:0}}.legend{{font-size:12px}}}}</style></head><body>
<p class="unit">{e(o['单位'])}</p><h1>学时证明</h1>
<p>统计期间：{e(statement.period)}　<b class="as-of">{e(statement.as_of_text)}</b></p>
<table class="who"><tr><th>姓名</th><td>{e(o['姓名'])}</td><th>人员编号</th><td>{e(o['人员编号'])}</td>
<th>执法证号</th><td>{e(o['执法证号'] or '—')}</td></tr><tr><th>单位</th><td colspan="3">{e(o['单位'])}</td>
<th>岗位</th><td>{e(o['岗位'] or '—')}</td></tr></table>
<p>要求：{e(rules.describe())}</p>{note}
<h2>学时记录</h2>{table}
<h2>年度合计</h2><table class="totals"><tr><th>类别</th><th>要求学时</th><th>已计学时</th><th>缺口</th></tr>{needs}</table>
<p>状态：<span class="status" style="{cell_style(st['状态'])}">{e(st['状态'])}</span></p>{legend_html()}
<div class="sign"><span>经办人（签字）：________________</span><span>审核人（签字）：________________</span>
<span>日期：______年____月____日</span></div>
<p class="seal">（单位盖章）<br>{e(o['单位'])}</p></body></html>"""


def as_xlsx(statement: Statement, rules: Rules) -> bytes:
    from openpyxl import Workbook
    from openpyxl.styles import Alignment, Border, Font, PatternFill, Side
    from openpyxl.worksheet.properties import PageSetupProperties

    o, st = statement.officer, statement.standing
    workbook = Workbook()
    sheet = workbook.active
    sheet.title = "学时证明"
    width = len(ENTRY_COLUMNS)
    thin = Side(style="thin", color="555555")
    box = Border(left=thin, right=thin, top=thin, bottom=thin)

    def line(*values, bold=False, merge=False, size=None):
        sheet.append(list(values))
        row = sheet.max_row
        if merge:
            sheet.merge_cells(start_row=row, start_column=1, end_row=row, end_column=width)
            sheet.cell(row, 1).alignment = Alignment(horizontal="center")
        if bold or size:
            for cell in sheet[row]:
                cell.font = Font(bold=bold, size=size or 11)
        return row

    line(o["单位"], bold=True, merge=True, size=14)
    line("学时证明", bold=True, merge=True, size=16)
    line(f"统计期间：{statement.period}　{statement.as_of_text}", merge=True)
    line("姓名", o["姓名"], "人员编号", o["人员编号"], "执法证号", o["执法证号"] or "—", "岗位", o["岗位"] or "—")
    line(f"要求：{rules.describe()}")
    if statement.service_note():
        line(statement.service_note())
    line()
    header_row = line(*ENTRY_COLUMNS, bold=True)
    for record in statement.entry_rows().to_dict("records"):
        line(*[record[c] for c in ENTRY_COLUMNS])
    for row in sheet.iter_rows(min_row=header_row, max_row=sheet.max_row, max_col=width):
        for cell in row:
            cell.border = box
    if statement.entries.empty:
        line("本年度没有学时记录。")
    line()
    line("类别", "要求学时", "已计学时", "缺口", bold=True)
    for name, need, got, gap in statement.requirement():
        line(name, need, got, gap)
    status_row = line("状态", st["状态"], bold=True)
    sheet.cell(status_row, 2).fill = PatternFill("solid", fgColor=FILLS.get(st["状态"], "FFFFFF"))
    line()
    line("状态说明", bold=True)
    for text in legend_lines():
        line(text)
    line()
    line("经办人（签字）：", None, None, "审核人（签字）：", None, None, "日期：    年  月  日")
    line()
    line(None, None, None, None, None, None, "（单位盖章）")
    for column, size in zip("ABCDEFGH", (8, 12, 30, 10, 8, 8, 34, 12)):
        sheet.column_dimensions[column].width = size
    sheet.page_setup.orientation = "landscape"
    sheet.page_setup.paperSize = sheet.PAPERSIZE_A4
    sheet.sheet_properties.pageSetUpPr = PageSetupProperties(fitToPage=True)
    sheet.page_setup.fitToWidth, sheet.page_setup.fitToHeight = 1, 0
    sheet.print_title_rows = f"{header_row}:{header_row}"
    sheet.oddHeader.center.text = f"{o['姓名']} {statement.year}年度学时证明（{statement.as_of_text}）"
    sheet.oddFooter.center.text = "第 &P 页，共 &N 页"
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def statement_bytes(statement: Statement, fmt: str, rules: Rules) -> bytes:
    if fmt == "html":
        return as_html(statement, rules).encode("utf-8")
    if fmt == "xlsx":
        return as_xlsx(statement, rules)
    raise ValueError(f"学时证明不支持格式 {fmt}（html 或 xlsx）")
