"""The 学堂服务's pages for people: an officer's own 学时证明, and the 人事 page (reports, lists, imports).

On the site, the HR clerk's own server holds no database credentials, so the HR work is served here, behind the hub
login and the 人事 group: as a page of its own (``hr``, files are browser downloads), and as the JSON API the Voila
hours dashboard calls from the clerk's kernel with his hub token (``api/hr/standing``, ``api/hr/statement``,
``api/hr/import``). Anyone else gets a 403 with a Chinese reason, never data.
"""

from __future__ import annotations

import datetime as dt
import tempfile
from html import escape
from pathlib import Path
from urllib.parse import quote

from tornado import httputil, web

from service import quizzes
from service.handlers import HR_GROUP, BaseHandler, GroupsMixin
from tracker import service as ledger_service
from tracker.imports import ImportRefused
from tracker.rules import Rules

TYPES = {"xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
         "csv": "text/csv; charset=UTF-8", "html": "text/html; charset=UTF-8"}
MAX_UPLOAD = 20 * 1024 * 1024
STYLE = ("<style>body{font-family:sans-serif;max-width:60em;margin:1em auto;padding:0 1em;line-height:1.6}"
         "h1{font-size:1.5em}fieldset{margin:1em 0;border:1px solid #ccc}a{color:#1565c0}"
         ".bad{color:#c62828}.ok{color:#2e7d32}input,select,button{font-size:1em;margin:.2em}"
         ".pick{border:1px solid #888;border-radius:3px;padding:.1em .6em;background:#f3f3f3;cursor:pointer}</style>")


def page(title: str, body: str) -> str:
    return (f"<!doctype html><html lang='zh-CN'><head><meta charset='utf-8'>"
            f"<meta name='viewport' content='width=device-width, initial-scale=1'><title>{escape(title)}</title>"
            f"{STYLE}</head><body><h1>{escape(title)}</h1>{body}</body></html>")


class FileMixin:
    def send_file(self, data: bytes, fmt: str, filename: str) -> None:
        self.set_header("Content-Type", TYPES[fmt])
        self.set_header("Content-Disposition", f"attachment; filename*=UTF-8''{quote(filename)}")
        self.finish(data)

    def fmt(self) -> str:
        fmt = self.get_argument("format", "xlsx")
        if fmt not in TYPES:
            raise quizzes.Refused(f"文件格式无效：{fmt}（xlsx / csv / html）")
        return fmt


class StatementHandler(FileMixin, BaseHandler):
    """My 学时证明 (html to print, or xlsx)."""

    @web.authenticated
    def get(self) -> None:
        login, year, fmt = self.login(), self.year(), self.fmt()
        if fmt == "csv":
            raise quizzes.Refused("学时证明只有 html 和 xlsx 两种格式")
        found = ledger_service.officer_by_login(login)
        if found is None:
            raise quizzes.Refused(f"名册中没有人员编号 {login}，请联系人事部门", 403)
        officer_no = found[0]
        statement = ledger_service.officer_statement(officer_no, year)
        with tempfile.TemporaryDirectory() as folder:
            path = Path(folder) / f"statement.{fmt}"
            ledger_service.write_statement(statement, fmt, path)
            data = path.read_bytes()
        if fmt == "html":
            self.set_header("Content-Type", TYPES["html"])
            self.finish(data)
        else:
            self.send_file(data, fmt, f"学时证明-{officer_no}-{year}.{fmt}")


class HRHandler(GroupsMixin, FileMixin, BaseHandler):
    refusal = "只有人事部门可以使用此页面"

    async def hr_only(self) -> str:
        return await self.require_group(HR_GROUP, self.refusal)


@web.stream_request_body
class HRUploadHandler(HRHandler):
    """An upload of 人事 (a roster or a training sheet, up to MAX_UPLOAD). The service's HTTP server reads at most 1 MB
    of anyone's request; only once the login is known to be in 人事 is this request's limit raised, so nobody else can
    make the service read megabytes. The body is kept as it arrives, then parsed as tornado parses a form. The login is
    known before the body is read, so a browser form sends its ``_xsrf`` in the URL (the hub's cookie login checks it
    there), not only in the body."""

    async def prepare(self) -> None:
        await super().prepare()
        self._chunks: list[bytes] = []
        if self.request.method == "POST":
            await self.hr_only()
            self.request.connection.set_max_body_size(MAX_UPLOAD + 64 * 1024)

    def data_received(self, chunk: bytes) -> None:
        self._chunks.append(chunk)

    def received(self) -> None:
        """The body in ``request.body``; a form's fields and files where tornado would have put them."""
        self.request.body, self._chunks = b"".join(self._chunks), []
        fields: dict[str, list[bytes]] = {}
        httputil.parse_body_arguments(self.request.headers.get("Content-Type", ""), self.request.body, fields,
                                      self.request.files)
        for name, values in fields.items():
            self.request.body_arguments.setdefault(name, []).extend(values)
            self.request.arguments.setdefault(name, []).extend(values)


class HRPageHandler(HRHandler):
    @web.authenticated
    async def get(self, message: str = "") -> None:
        await self.hr_only()
        year = dt.date.today().year
        prefix = self.application.settings["prefix"]
        units = "".join(f"<option>{escape(u)}</option>" for u in ledger_service.unit_names())
        self.set_header("Content-Type", "text/html; charset=UTF-8")
        self.finish(page("学时管理（人事）", f"""{message}
<form method='get' action='{prefix}hr/file'><fieldset><legend>报表与名单</legend>
年度 <input name='year' value='{year}' size='5'> 单位 <select name='unit'><option value=''>全部单位</option>{units}</select>
<select name='what'><option value='report'>年度达标报表</option><option value='shortfall'>未达标、有风险人员名单（按差额排序）</option>
<option value='units'>各单位分表（一个工作簿）</option></select>
<select name='format'><option>xlsx</option><option>html</option><option>csv</option></select>
<button id='download'>下载</button></fieldset></form>
<form method='get' action='{prefix}hr/statement'><fieldset><legend>学时证明</legend>
人员编号 <input name='officer' size='12'> 年度 <input name='year' value='{year}' size='5'>
<select name='format'><option value='html'>网页（打印）</option><option value='xlsx'>xlsx</option></select>
<button>下载</button></fieldset></form>
<form method='post' action='{prefix}hr/import?_xsrf={quote(self.xsrf_token)}' enctype='multipart/form-data'><fieldset>
<legend>导入</legend>
{self.xsrf_form_html()}
<select name='kind'><option value='roster'>名册</option><option value='training'>培训记录</option></select>
<label class='pick'>选择文件<input type='file' name='file' accept='.xlsx,.xls,.et,.csv,.txt' hidden
onchange="document.getElementById('chosen').textContent = this.files.length ? this.files[0].name : '未选择文件'"></label>
<span id='chosen'>未选择文件</span> <button id='import'>导入</button>
<p>有任何问题行，整份拒收并列出行号和原因，不写入任何内容；同一文件再导入一次不会重复记录。</p></fieldset></form>"""))


class HRFileHandler(HRHandler):
    @web.authenticated
    async def get(self) -> None:
        await self.hr_only()
        year, fmt = self.year(), self.fmt()
        unit = self.get_argument("unit", "") or None
        what = self.get_argument("what", "report")
        with tempfile.TemporaryDirectory() as folder:
            path = Path(folder) / f"file.{fmt}"
            if what == "report":
                ledger_service.write_compliance_report(year, fmt, path, unit=unit)
                name = f"学时达标报表-{year}"
            elif what == "shortfall":
                ledger_service.write_shortfall_list(year, fmt, path, unit=unit)
                name = f"未达标有风险名单-{year}"
            elif what == "units":
                if fmt != "xlsx":
                    raise quizzes.Refused("各单位分表只有 xlsx 格式")
                ledger_service.write_unit_workbook(year, path)
                name = f"各单位学时-{year}"
            else:
                raise quizzes.Refused(f"没有这种文件：{what}")
            data = path.read_bytes()
        self.send_file(data, fmt, f"{name}{'-' + unit if unit else ''}.{fmt}")


class ReportHandler(HRFileHandler):
    """api/hr/report: the annual report (``what`` defaults to it), for scripts as well as the page."""

    refusal = "只有人事部门可以查看学时报表"


class HRStatementHandler(HRHandler):
    @web.authenticated
    async def get(self) -> None:
        await self.hr_only()
        officer, year, fmt = self.get_argument("officer", "").strip(), self.year(), self.fmt()
        if officer not in ledger_service.officer_ids():
            raise quizzes.Refused(f"名册中没有人员编号 {officer}", 404)
        with tempfile.TemporaryDirectory() as folder:
            path = Path(folder) / f"statement.{fmt}"
            ledger_service.write_statement(ledger_service.officer_statement(officer, year), fmt, path)
            data = path.read_bytes()
        self.send_file(data, fmt, f"学时证明-{officer}-{year}.{fmt}")


class HRStandingHandler(HRHandler):
    """api/hr/standing?year=: every officer's standing (the compliance table) with the rules it was measured by."""

    refusal = "只有人事部门可以查看学时数据"

    async def get(self) -> None:
        await self.hr_only()
        rules = Rules.load()
        self.reply(standing_json(ledger_service.compliance_table(self.year(), None, rules), rules))


def standing_json(table, rules: Rules) -> dict:
    """The compliance table as JSON: columns, rows (dates as ISO text, gaps as null), which columns hold dates, the
    统计截至 date and the rules (their description and the hours required)."""
    rows = table.astype(object).where(table.notna(), None).values.tolist()
    dates = [c for i, c in enumerate(table.columns) if any(isinstance(r[i], dt.date) for r in rows)]
    return {"columns": list(table.columns), "rows": rows, "dates": dates, "as_of": table.attrs["as_of"].isoformat(),
            "rules": rules.describe(), "required": rules.required()}


class HRImportAPIHandler(HRUploadHandler):
    """api/hr/import?kind=roster|training&name=<file name>: the file is the request body; the recorder is the clerk
    who is logged in (his name from the roster), never a name the request gives. A refused file: 422, with every row
    and reason in the message."""

    async def post(self) -> None:
        if not self.request.headers.get("Authorization", "").startswith(("token ", "Bearer ")):
            raise quizzes.Refused("导入须由学时看板提交（缺少令牌）", 403)  # a cookie alone could be a forged request
        self.received()
        recorder = _recorder_name(await self.hr_only())
        kind = self.get_argument("kind", "")
        if kind not in ("roster", "training"):
            raise quizzes.Refused(f"没有这种导入：{kind}")
        if not self.request.body:
            raise quizzes.Refused("请选择要导入的文件")
        name = Path(self.get_argument("name", "") or "导入文件.xlsx").name
        with tempfile.TemporaryDirectory() as folder:
            path = Path(folder) / name
            path.write_bytes(self.request.body)
            try:
                if kind == "roster":
                    summary = ledger_service.import_roster_file(path, recorded_by=recorder)
                else:
                    summary = ledger_service.import_training_file(path, recorded_by=recorder)
            except ImportRefused as refused:
                raise quizzes.Refused(str(refused), 422) from None
        self.reply({"summary": str(summary), "recorded_by": recorder})


class HRImportHandler(HRUploadHandler):
    @web.authenticated
    async def post(self) -> None:
        login = await self.hr_only()
        self.received()
        self.check_xsrf_cookie()
        files = self.request.files.get("file") or []
        if not files or not files[0]["body"]:
            raise quizzes.Refused("请选择要导入的文件")
        upload = files[0]
        if len(upload["body"]) > MAX_UPLOAD:
            raise quizzes.Refused("文件过大（上限 20 MB）", 413)
        kind = self.get_argument("kind", "roster")
        recorder = _recorder_name(login)
        name = Path(upload["filename"] or "导入文件.xlsx").name
        with tempfile.TemporaryDirectory() as folder:
            path = Path(folder) / name
            path.write_bytes(upload["body"])
            try:
                if kind == "roster":
                    summary = ledger_service.import_roster_file(path, recorded_by=recorder)
                elif kind == "training":
                    summary = ledger_service.import_training_file(path, recorded_by=recorder)
                else:
                    raise quizzes.Refused(f"没有这种导入：{kind}")
                message = f"<p id='result' class='ok'>{escape(str(summary))}（记录人：{escape(recorder)}）</p>"
            except ImportRefused as refused:
                lines = "".join(f"<li>{escape(r)}</li>" for r in refused.reasons)
                message = (f"<div id='result' class='bad'><p>拒绝导入 {escape(name)}：共 {len(refused.reasons)} 处问题，"
                           f"未写入任何内容。</p><ul>{lines}</ul></div>")
        await HRPageHandler.get(self, message)


EXAM_GROUP = "考试管理员"


class BankReviewHandler(GroupsMixin, BaseHandler):
    """Drafts of the bank (imported items) with their key, the cited article and the key check's verdict, for the
    考试管理员 group: the review sheet to download, and the filled sheet to upload (issue 15's round trip)."""

    async def admin_only(self) -> str:
        return await self.require_group(EXAM_GROUP, "只有考试管理员可以审核题库")

    @web.authenticated
    async def get(self, message: str = "") -> None:
        await self.admin_only()
        from ground.settings import settings
        from questionbank.loading import load_bank
        from questionbank.review_sheet import sheet_rows

        rows = sheet_rows(load_bank(), settings.laws_dir)
        prefix = self.application.settings["prefix"]
        if self.get_argument("format", "") == "xlsx":
            from questionbank.review_sheet import write_review_sheet

            with tempfile.TemporaryDirectory() as folder:
                path = Path(folder) / "审核表.xlsx"
                write_review_sheet(load_bank(), settings.laws_dir, path)
                self.set_header("Content-Type", TYPES["xlsx"])
                self.set_header("Content-Disposition", f"attachment; filename*=UTF-8''{quote('题库审核表.xlsx')}")
                self.finish(path.read_bytes())
            return
        items = "".join(
            f"<tr><td>{escape(r['题号'])}</td><td>{escape(r['题型'])}</td><td>{escape(r['题干'])}<br>"
            f"<small>{escape(r['选项']).replace(chr(10), '<br>')}</small></td><td>{escape(str(r['答案']))}</td>"
            f"<td><small>{escape(r['条文原文'][:400])}</small></td><td>{escape(r['核对结论'])}</td></tr>" for r in rows)
        table = (f"<table border='1' cellpadding='4' style='border-collapse:collapse'><tr><th>题号</th><th>题型</th>"
                 f"<th>题干与选项</th><th>答案</th><th>条文原文</th><th>核对结论</th></tr>{items}</table>"
                 if rows else "<p>题库中没有待审核的草稿题。</p>")
        self.set_header("Content-Type", "text/html; charset=UTF-8")
        self.finish(page("题库审核（考试管理员）", f"""{message}
<p>导入的题一律是草稿，审核通过前不会进入测验和考试。共 {len(rows)} 道待审核。</p>
<p><a id='sheet' href='{prefix}bank?format=xlsx'>下载审核表（Excel）</a>：填写“审核决定”（通过/修改/停用）、审核人、审核日期后上传。</p>
<form method='post' action='{prefix}bank' enctype='multipart/form-data'>{self.xsrf_form_html()}
<label class='pick'>选择审核表<input type='file' name='file' accept='.xlsx' hidden
onchange="document.getElementById('chosen').textContent = this.files.length ? this.files[0].name : '未选择文件'"></label>
<span id='chosen'>未选择文件</span> <button id='apply'>上传并应用</button></form>{table}"""))

    @web.authenticated
    async def post(self) -> None:
        await self.admin_only()
        self.check_xsrf_cookie()
        from ground.settings import settings
        from questionbank.loading import load_bank
        from questionbank.review_sheet import SheetRefused, apply_review_sheet

        files = self.request.files.get("file") or []
        if not files or not files[0]["body"]:
            raise quizzes.Refused("请选择填好的审核表")
        with tempfile.TemporaryDirectory() as folder:
            path = Path(folder) / "审核表.xlsx"
            path.write_bytes(files[0]["body"])
            try:
                result = apply_review_sheet(path, load_bank(), settings.laws_dir)
                message = f"<p id='result' class='ok'>{escape(result.summary())}</p>"
            except SheetRefused as refused:
                message = f"<p id='result' class='bad'>{escape(str(refused)).replace(chr(10), '<br>')}</p>"
        await BankReviewHandler.get(self, message)


def _recorder_name(login: str) -> str:
    """The clerk's real name from the roster, with the 人员编号; the login when the clerk is not on the roster."""
    found = ledger_service.officer_by_login(login)
    return f"{found[1]}（{found[0]}）" if found else login


def page_handlers(prefix: str) -> list[tuple[str, type]]:
    return [
        (prefix + "me/statement", StatementHandler),
        (prefix + "hr", HRPageHandler),
        (prefix + "hr/file", HRFileHandler),
        (prefix + "api/hr/report", ReportHandler),
        (prefix + "hr/statement", HRStatementHandler),
        (prefix + "api/hr/standing", HRStandingHandler),
        (prefix + "api/hr/statement", HRStatementHandler),
        (prefix + "api/hr/import", HRImportAPIHandler),
        (prefix + "hr/import", HRImportHandler),
        (prefix + "bank", BankReviewHandler),
    ]
