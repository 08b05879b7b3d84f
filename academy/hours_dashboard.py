"""The HR dashboard (ipywidgets, served by Voila): filters, the compliance table, charts and an Excel export."""

from __future__ import annotations

import datetime as dt
import html
import io

import ipywidgets as w
import pandas as pd

from ground.settings import settings
from tracker import service
from tracker.charts import hours_histogram, unit_status_chart
from tracker.export import status_table_html
from tracker.reports import STATUSES, by_unit
from tracker.rules import Rules
from tracker.standing import COLOURS, legend_html

ALL = "全部"
SHOWN_ROWS = 300


def _png(figure) -> bytes:
    import matplotlib.pyplot as plt

    buffer = io.BytesIO()
    figure.savefig(buffer, format="png")
    plt.close(figure)
    return buffer.getvalue()


class HoursDashboard:
    def __init__(self, year: int | None = None, rules: Rules | None = None):
        self.rules = rules or Rules.load()
        this_year = dt.date.today().year
        self.year = w.Dropdown(description="年度", options=list(range(this_year, this_year - 6, -1)),
                               value=year or this_year)
        self.unit = w.Dropdown(description="单位", options=[ALL], value=ALL, layout=w.Layout(width="360px"))
        self.status = w.ToggleButtons(description="状态", options=[ALL, *STATUSES], value=ALL)
        self.summary = w.HTML()
        self.chart = w.Image(format="png", layout=w.Layout(max_width="900px"))
        self.histogram = w.Image(format="png", layout=w.Layout(max_width="900px"))
        self.table = w.HTML()
        self.export = w.Button(description="导出 Excel", icon="download", button_style="primary")
        self.message = w.HTML()
        self.export.on_click(self._export)
        for control in (self.year, self.unit, self.status):
            control.observe(self._refresh, names="value")
        self.widget = w.VBox([
            w.HTML(f"<h2>执法人员学时达标情况</h2><p>{html.escape(self.rules.describe())}</p>"),
            w.HBox([self.year, self.unit]), self.status, self.summary, self.chart, self.histogram,
            w.HBox([self.export, self.message]), self.table,
        ])
        self.frame = pd.DataFrame()
        self._refresh()

    def _load(self) -> pd.DataFrame:
        unit = None if self.unit.value == ALL else self.unit.value
        return service.compliance_table(self.year.value, unit, self.rules)

    def _refresh(self, *_):
        everyone = service.compliance_table(self.year.value, None, self.rules)
        units = sorted(everyone["单位"].unique())
        if list(self.unit.options) != [ALL, *units]:
            current = self.unit.value
            with self.unit.hold_trait_notifications():
                self.unit.options = [ALL, *units]
                self.unit.value = current if current in units else ALL
        frame = everyone if self.unit.value == ALL else everyone[everyone["单位"] == self.unit.value]
        self.frame = frame
        shown = frame if self.status.value == ALL else frame[frame["状态"] == self.status.value]
        counts = frame["状态"].value_counts()
        rate = counts.get("达标", 0) / len(frame) if len(frame) else 0
        tally = "，".join(f"{s} <b style='color:{COLOURS[s]}'>{counts.get(s, 0)}</b>" for s in STATUSES)
        as_of = everyone.attrs["as_of"].isoformat()
        self.summary.value = (f"<p class='as-of'><b>统计截至 {as_of}</b></p>"
                              f"<p><b>{len(frame)}</b> 人：{tally}；达标率 {rate:.1%}</p>{legend_html()}")
        title = f"{self.year.value}年度学时达标情况"
        if len(frame):
            self.chart.value = _png(unit_status_chart(by_unit(frame), title))
            self.histogram.value = _png(hours_histogram(frame, self.rules.required(), "学时分布"))
        note = f"<p>共 {len(shown)} 人" + (f"，显示前 {SHOWN_ROWS} 人（全部请导出 Excel）" if len(shown) > SHOWN_ROWS else "") + "</p>"
        self.table.value = "<h3>人员明细</h3>" + note + status_table_html(shown.head(SHOWN_ROWS), "hours")

    def _export(self, _button):
        folder = settings.home / "reports"
        folder.mkdir(exist_ok=True)
        unit = None if self.unit.value == ALL else self.unit.value
        path = folder / f"学时达标情况-{self.year.value}{'-' + unit if unit else ''}.xlsx"
        service.write_compliance_report(self.year.value, "xlsx", path, unit, self.rules)
        self.message.value = f"已导出：{html.escape(str(path))}"

    def _ipython_display_(self):
        from IPython.display import display

        display(self.widget)
