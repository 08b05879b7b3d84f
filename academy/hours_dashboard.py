"""The HR dashboard (ipywidgets, served by Voila): filters, the compliance table, charts, downloads and imports.

Every file the page makes goes to the clerk's browser as a download (a link with the file inside it), never to a path
on the server; an export honours every filter (year, unit, status). The page imports rosters and training sheets with
the same checks and the same refusal report as the command line.

Where its data come from (``HoursDashboard(source=…)``): alone (``make run``, ``academy dashboard``) the tracker's
database (``LocalSource``); on the site (``ACADEMY_SERVICE_URL`` set) the 学堂服务, asked with the hub token of the
clerk's own server (``ServiceSource``: ``api/hr/…``), so the clerk's kernel holds no database credentials and the
service decides who may see what — anyone not in 人事 gets its Chinese refusal on the page, never data. On the site
the recorder of an import is the clerk who is logged in, so the page does not ask for a name.
"""

from __future__ import annotations

import base64
import datetime as dt
import html
import io
import json
import os
import tempfile
import urllib.error
import urllib.request
from pathlib import Path
from urllib.parse import quote, urlencode

import ipywidgets as w
import pandas as pd

from ground.settings import settings
from tracker import service
from tracker.charts import hours_histogram, unit_status_chart
from tracker.export import report_bytes, status_table_html
from tracker.imports import ImportRefused
from tracker.ledger import LedgerError
from tracker.reports import STATUSES, by_unit
from tracker.rules import Rules
from tracker.standing import COLOURS, legend_html
from tracker.statement import statement_bytes

ALL = "全部"
SHOWN_ROWS = 300
MIME = {"xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", "csv": "text/csv",
        "html": "text/html"}
EMPTY_HINT = ("<div class='empty-hint' style='padding:1em;background:#fff8e1;border:1px solid #ffe082'>"
              "<b>还没有人员名册。</b>请先在下方“导入”中选择“人员名册”并上传名册表格（人员编号、姓名、单位……），"
              "或在命令行运行 <code>academy hours import-roster 名册.xlsx</code>；再导入培训记录。</div>")


class SourceError(Exception):
    """The data could not be had (refused, or not reachable); the message is Chinese, for the clerk."""


class LocalSource:
    """The tracker's database, as on one machine."""

    asks_recorder = True

    def __init__(self, rules: Rules | None = None):
        self.rules = rules or Rules.load()

    def table(self, year: int) -> pd.DataFrame:
        table = service.compliance_table(year, None, self.rules)
        table.attrs.update(rules=self.rules.describe(), required=self.rules.required())
        return table

    def statement_files(self, number: str, year: int) -> dict[str, bytes]:
        try:
            statement = service.officer_statement(number, year, self.rules)
        except LedgerError as exc:
            raise SourceError(str(exc)) from None
        return {fmt: statement_bytes(statement, fmt, self.rules) for fmt in ("html", "xlsx")}

    def import_file(self, kind: str, path: Path, recorded_by: str) -> str:
        try:
            if kind == "roster":
                return str(service.import_roster_file(path, recorded_by=recorded_by))
            return str(service.import_training_file(path, recorded_by=recorded_by, rules=self.rules, progress=False))
        except ImportRefused as refused:
            raise SourceError(str(refused)) from None


class ServiceSource:
    """The 学堂服务 (``api/hr/…``), asked with the hub token of the server the kernel runs in."""

    asks_recorder = False

    def __init__(self, url: str | None = None, token: str | None = None, timeout: float = 120):
        self.url = (url or settings.service_url or "").rstrip("/") + "/"
        self.token = token if token is not None else os.environ.get("JUPYTERHUB_API_TOKEN", "")
        self.timeout = timeout

    def request(self, method: str, path: str, data: bytes | None = None) -> bytes:
        from academy.service_client import _message

        request = urllib.request.Request(self.url + path, data=data, method=method,
                                         headers={"Authorization": f"token {self.token}",
                                                  "Content-Type": "application/octet-stream"})
        try:
            with urllib.request.urlopen(request, timeout=self.timeout) as response:
                return response.read()
        except urllib.error.HTTPError as exc:
            raise SourceError(_message(exc)) from None
        except (urllib.error.URLError, TimeoutError, ConnectionError):
            raise SourceError("暂时连不上学堂服务，请稍后刷新页面") from None

    def table(self, year: int) -> pd.DataFrame:
        data = json.loads(self.request("GET", f"api/hr/standing?year={year}"))
        table = pd.DataFrame(data["rows"], columns=data["columns"])
        for column in data["dates"]:
            table[column] = [dt.date.fromisoformat(v) if v else None for v in table[column]]
        table.attrs.update(as_of=dt.date.fromisoformat(data["as_of"]), rules=data["rules"], required=data["required"])
        return table

    def statement_files(self, number: str, year: int) -> dict[str, bytes]:
        return {fmt: self.request("GET", "api/hr/statement?" + urlencode({"officer": number, "year": year, "format": fmt}))
                for fmt in ("html", "xlsx")}

    def import_file(self, kind: str, path: Path, recorded_by: str) -> str:
        reply = json.loads(self.request("POST", f"api/hr/import?kind={kind}&name={quote(path.name)}", path.read_bytes()))
        return f"{reply['summary']}\n记录人：{reply['recorded_by']}"


def default_source(rules: Rules | None = None):
    return ServiceSource() if settings.service_url else LocalSource(rules)


def _png(figure) -> bytes:
    import matplotlib.pyplot as plt

    buffer = io.BytesIO()
    figure.savefig(buffer, format="png")
    plt.close(figure)
    return buffer.getvalue()


def download_link(data: bytes, name: str, label: str) -> str:
    """A link that hands the file to the browser (a data URL with a file name): nothing is left on the server."""
    mime = MIME[name.rsplit(".", 1)[-1]]
    href = f"data:{mime};base64,{base64.b64encode(data).decode()}"
    return (f'<a class="download" download="{html.escape(name)}" href="{href}" '
            f'style="margin-right:1.5em;font-weight:bold">{html.escape(label)}</a>')


class HoursDashboard:
    def __init__(self, year: int | None = None, rules: Rules | None = None, source=None):
        self.source = source or default_source(rules)
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
        self.export_links = w.HTML()
        self.officer = w.Dropdown(description="人员", options=[], layout=w.Layout(width="360px"))
        self.statement = w.Button(description="生成学时证明", icon="file")
        self.statement_links = w.HTML()
        self.export.on_click(self._export)
        self.statement.on_click(self._statement)
        self.importer = ImportPanel(self.source, self._refresh)
        for control in (self.year, self.unit, self.status):
            control.observe(self._refresh, names="value")
        self.heading = w.HTML("<h2>执法人员学时达标情况</h2>")
        self.widget = w.VBox([
            self.heading, w.HBox([self.year, self.unit]), self.status, self.summary, self.chart, self.histogram,
            w.HBox([self.export, self.export_links]), w.HBox([self.officer, self.statement, self.statement_links]),
            self.table, self.importer.widget,
        ])
        self.frame = pd.DataFrame()
        self.shown = pd.DataFrame()
        self._refresh()

    def _filters(self) -> tuple[str | None, str | None]:
        unit = None if self.unit.value == ALL else self.unit.value
        status = None if self.status.value == ALL else self.status.value
        return unit, status

    def _refresh(self, *_):
        try:
            everyone = self.source.table(self.year.value)
        except SourceError as exc:
            self._refused(str(exc))
            return
        self.heading.value = f"<h2>执法人员学时达标情况</h2><p>{html.escape(everyone.attrs['rules'])}</p>"
        self.required, self.rules_text = everyone.attrs["required"], everyone.attrs["rules"]
        units = sorted(everyone["单位"].unique())
        if list(self.unit.options) != [ALL, *units]:
            current = self.unit.value
            with self.unit.hold_trait_notifications():
                self.unit.options = [ALL, *units]
                self.unit.value = current if current in units else ALL
        unit, status = self._filters()
        frame = everyone if unit is None else everyone[everyone["单位"] == unit]
        shown = frame if status is None else frame[frame["状态"] == status]
        self.frame, self.shown = frame, shown
        self.as_of = everyone.attrs["as_of"]
        self.export_links.value = self.statement_links.value = ""  # a file made for other filters is gone
        self.officer.options = [(f"{r['人员编号']} {r['姓名']}", r["人员编号"]) for r in shown.to_dict("records")]
        has_people = len(everyone) > 0
        for image in (self.chart, self.histogram):
            image.layout.display = None if has_people else "none"
        self.export.disabled = self.statement.disabled = not len(shown)
        if not has_people:
            self.summary.value = EMPTY_HINT
            self.table.value = ""
            return
        counts = frame["状态"].value_counts()
        rate = counts.get("达标", 0) / len(frame) if len(frame) else 0
        tally = "，".join(f"{s} <b style='color:{COLOURS[s]}'>{counts.get(s, 0)}</b>" for s in STATUSES)
        self.summary.value = (f"<p class='as-of'><b>统计截至 {self.as_of.isoformat()}</b></p>"
                              f"<p><b>{len(frame)}</b> 人：{tally}；达标率 {rate:.1%}</p>{legend_html()}")
        title = f"{self.year.value}年度学时达标情况"
        if len(frame):
            self.chart.value = _png(unit_status_chart(by_unit(frame), title))
            self.histogram.value = _png(hours_histogram(frame, self.required, "学时分布"))
        note = f"<p>共 {len(shown)} 人" + (f"，显示前 {SHOWN_ROWS} 人（全部请导出 Excel）" if len(shown) > SHOWN_ROWS else "") + "</p>"
        self.table.value = "<h3>人员明细</h3>" + note + status_table_html(shown.head(SHOWN_ROWS), "hours")

    def _refused(self, message: str) -> None:
        """No data: the reason (e.g. the service's refusal of a non-人事 login) and nothing else on the page."""
        self.summary.value = (f"<p class='refused' style='color:#c62828;font-weight:bold'>{html.escape(message)}</p>")
        self.table.value = self.export_links.value = self.statement_links.value = ""
        self.officer.options = []
        self.export.disabled = self.statement.disabled = True
        for part in (self.chart, self.histogram, self.importer.widget):
            part.layout.display = "none"

    def export_file(self) -> tuple[str, bytes]:
        """The report of what the page shows (year, unit and status filters), as an xlsx file's name and bytes."""
        unit, status = self._filters()
        title = f"{self.year.value}年度执法人员学时达标情况" + (f"（{unit}）" if unit else "") + (f"（{status}）" if status else "")
        data = report_bytes(self.shown, by_unit(self.shown), "xlsx", title, self.required, self.as_of,
                            self.rules_text)
        name = f"学时达标情况-{self.year.value}" + (f"-{unit}" if unit else "") + (f"-{status}" if status else "") + ".xlsx"
        return name, data

    def _export(self, _button):
        name, data = self.export_file()
        self.export_links.value = download_link(data, name, f"下载 {name}（{len(self.shown)} 人）")

    def _statement(self, _button):
        number = self.officer.value
        if not number:
            return
        try:
            files = self.source.statement_files(number, self.year.value)
        except SourceError as exc:
            self.statement_links.value = f"<span style='color:#c62828'>{html.escape(str(exc))}</span>"
            return
        stem = f"学时证明-{self.year.value}-{number}"
        self.statement_links.value = "".join(
            download_link(files[fmt], f"{stem}.{fmt}", label)
            for fmt, label in (("html", "下载打印版（html）"), ("xlsx", "下载 Excel 版"))
        )

    def _ipython_display_(self):
        from IPython.display import display

        display(self.widget)


class ImportPanel:
    """Upload a roster or a training sheet; the same checks and refusal report as ``academy hours import-…``."""

    def __init__(self, source, after):
        self.source, self.after = source, after
        self.kind = w.ToggleButtons(description="导入内容", options=[("人员名册", "roster"), ("培训记录", "training")],
                                    value="training")
        self.recorder = w.Text(description="记录人", placeholder="经办人姓名（必填）")
        if not source.asks_recorder:  # on the site: the clerk who is logged in
            self.recorder.layout.display = "none"
        self.upload = w.FileUpload(description="选择文件", accept=".xlsx,.xlsm,.xls,.et,.csv,.txt,.tsv", multiple=False)
        self.run = w.Button(description="开始导入", icon="upload", button_style="warning")
        self.result = w.HTML()
        self.run.on_click(self._import)
        self.widget = w.VBox([w.HTML("<h3>导入</h3><p>支持 .xlsx、.xls、WPS .et、.csv；有问题的文件整份拒收，"
                                     "列出全部行号和原因，不写入任何内容。</p>"),
                              self.kind, w.HBox([self.recorder, self.upload, self.run]), self.result])

    def _import(self, _button):
        name = self.recorder.value.strip()
        if not name and self.source.asks_recorder:
            self.result.value = "<p class='import-error' style='color:#c62828'>请填写记录人姓名（记入台账）。</p>"
            return
        if not self.upload.value:
            self.result.value = "<p class='import-error' style='color:#c62828'>请先选择要导入的文件。</p>"
            return
        upload = self.upload.value[0]
        with tempfile.TemporaryDirectory(prefix="academy-upload-") as folder:
            path = Path(folder) / Path(upload["name"]).name
            path.write_bytes(bytes(upload["content"]))
            try:
                summary = self.source.import_file(self.kind.value, path, name)
            except SourceError as refused:
                self.result.value = (f"<pre class='import-refused' style='color:#c62828;white-space:pre-wrap'>"
                                     f"{html.escape(str(refused))}</pre>")
                return
        self.upload.value = ()
        self.after()  # the table first, so that the report below speaks of what the page already shows
        self.result.value = f"<pre class='import-done' style='white-space:pre-wrap'>{html.escape(summary)}</pre>"
