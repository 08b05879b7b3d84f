"""The 学堂服务's exam rooms: the officer's sitting (his form, the server's clock, clicks, 交卷) and the 考试管理员's
assignment (API and a small page). Logic in ``service.exams``; every room is behind the hub's login.

=====================================  ======  =================================================================
URL (under the service prefix)         method  who, what
=====================================  ======  =================================================================
``api/exams``                          GET     officer: his sittings (exam, title, form, state)
``api/exams/<exam>``                   GET     officer: his form (no key), his answers, the server's clock;
                                               the first opening (hub token) starts the clock; ``?form=`` another
                                               form: 403
``api/exams/<exam>/clicks``            POST    officer (hub token): ``{"question", "value", "request_id"}``;
                                               after the deadline 409 「考试时间已到…」, stored as refused
``api/exams/<exam>/submit``            POST    officer (hub token): 交卷
``api/exams/<exam>/sittings``          GET     考试管理员: every sitting and where it stands
``api/exams/<exam>/sittings``          POST    考试管理员: ``{"officers": [...], "unit", "form", "minutes"}``
``api/exams/<exam>/close``             POST    考试管理员 (hub token): 现在收卷 ``{"officers": [...], "reason"}`` or
                                               ``{"all": true, "reason"}``; the officer's later clicks 409
``exams``                              GET     考试管理员: the page (exams, assignment, sittings; ``?close=<人员编号>``
                                               or ``?close=*`` asks to confirm a 收卷)
``exams/close``                        POST    考试管理员: the page's confirmed 收卷
=====================================  ======  =================================================================
"""

from __future__ import annotations

from html import escape
from urllib.parse import quote

from tornado import web

from service import exams
from service.handlers import BaseHandler, GroupsMixin
from service.pages import EXAM_GROUP, _recorder_name, page
from service.quizzes import Refused
from tracker.sittings import closed_note

EXAM = r"([a-z0-9][a-z0-9_-]*[a-z0-9])"
ADMIN_ONLY = "只有考试管理员可以安排考试"
CLOSE_ONLY = "只有考试管理员可以收卷"
ALL = "*"  # the page's 全部收卷


class TokenOnly:
    def token_login(self, refusal: str = "答案须由考试页面提交（缺少令牌）") -> str:
        """Clicks and 交卷 come from the exam page's kernel with the officer's hub token; a cookie alone could be a
        request forged by another site."""
        if not self.request.headers.get("Authorization", "").startswith(("token ", "Bearer ")):
            raise Refused(refusal, 403)
        return self.login()


class MyExamsHandler(BaseHandler):
    def get(self) -> None:
        self.reply(exams.my_exams(self.login()))


class ExamHandler(BaseHandler):
    def get(self, exam: str) -> None:
        """Only the exam page (with the hub token) starts the clock: a link followed in a browser does not."""
        token = self.request.headers.get("Authorization", "").startswith(("token ", "Bearer "))
        self.reply(exams.open_exam(self.login(), exam, self.get_argument("form", "") or None, start=token))


class ClickHandler(TokenOnly, BaseHandler):
    def post(self, exam: str) -> None:
        login = self.token_login()
        data = self.body()
        self.reply(exams.click(login, exam, data.get("question"), data.get("value"), data.get("request_id")))


class SubmitHandler(TokenOnly, BaseHandler):
    def post(self, exam: str) -> None:
        self.reply(exams.submit(self.token_login(), exam))


class SittingsHandler(TokenOnly, GroupsMixin, BaseHandler):
    async def get(self, exam: str) -> None:
        await self.require_group(EXAM_GROUP, ADMIN_ONLY)
        self.reply(exams.overview(exam))

    async def post(self, exam: str) -> None:
        self.token_login("安排考生须带令牌（或使用考试安排页面）")  # the page's form carries its _xsrf instead
        login = await self.require_group(EXAM_GROUP, ADMIN_ONLY)
        data = self.body()
        officers = data.get("officers") or []
        if not isinstance(officers, list) or not all(isinstance(o, str) for o in officers):
            raise Refused("officers 应为人员编号的列表")
        done = exams.assign(exam, officers, _recorder_name(login), form=data.get("form") or None,
                            unit=data.get("unit") or None, minutes=data.get("minutes"))
        self.reply({"exam": exam, "added": done.added, "kept": done.kept, "message": done.text()})


class CloseHandler(TokenOnly, GroupsMixin, BaseHandler):
    async def post(self, exam: str) -> None:
        self.token_login("收卷须带令牌（或使用考试安排页面）")
        login = await self.require_group(EXAM_GROUP, CLOSE_ONLY)
        data = self.body()
        officers = data.get("officers")
        if officers is None and data.get("all") is not True:
            raise Refused("请用 officers 列出要收卷的人员，或用 \"all\": true 收取全部")
        if officers is not None and (not isinstance(officers, list) or not all(isinstance(o, str) for o in officers)):
            raise Refused("officers 应为人员编号的列表")
        done = exams.close(exam, officers, _recorder_name(login), data.get("reason"))
        self.reply({"exam": exam, "closed_at": done.at, "closed": done.closed, "cancelled": done.cancelled,
                    "already": done.already, "ended": done.ended, "message": done.text()})


def _close_box(prefix: str, xsrf: str, exam: str, target: str, rows: list[dict]) -> str:
    """The confirmation asked before a 收卷 (one officer, or ``*`` for every running sitting)."""
    running = [r for r in rows if r["state"] in ("open", "not_started")]
    if target != ALL:
        running = [r for r in running if r["officer"].lower() == target.lower()]
        if not running:
            return f"<p id='result' class='bad'>{escape(target)} 没有可收卷的考试（未安排、已交卷、时间已到或已收卷）。</p>"
        who = "、".join(f"{escape(r['officer'])} {escape(r['name'])}（{exams.STATES[r['state']]}）" for r in running)
        ask = f"确认对 {who} 现在收卷？"
    else:
        if not running:
            return "<p id='result' class='bad'>这场考试没有作答中或未开考的考生，无需收卷。</p>"
        opened = sum(r["state"] == "open" for r in running)
        ask = (f"确认全部收卷？作答中的 {opened} 人立即结束考试，未开考的 {len(running) - opened} 人将不能再开考。")
    return f"""<form method='post' action='{prefix}exams/close' id='confirm-close-form'><fieldset style='border-color:#cf222e'>
<legend>现在收卷</legend>{xsrf}<input type='hidden' name='exam' value='{escape(exam)}'>
<input type='hidden' name='officer' value='{escape(target)}'><p id='close-question'>{ask}</p>
<p>收卷以学堂服务的时间为准，记录收卷人和原因；收卷后考生的作答一律不再记录，收卷前已记录的答案有效，不能撤销。</p>
原因（可不填） <input name='reason' size='40' maxlength='500'> <button id='confirm-close'>确认收卷</button>
<a href='{prefix}exams?exam={escape(exam)}'>取消</a></fieldset></form>"""


class ExamsPageHandler(GroupsMixin, BaseHandler):
    """The 考试管理员's page: the exams built, assigning officers (a list or a unit; one form or balanced), and the
    sittings of the chosen exam."""

    @web.authenticated
    async def get(self, message: str = "") -> None:
        await self.require_group(EXAM_GROUP, ADMIN_ONLY)
        prefix = self.application.settings["prefix"]
        known = exams.exams()
        chosen = self.get_argument("exam", "") or (known[0]["exam"] if known else "")
        options = "".join(f"<option value='{escape(e['exam'])}'{' selected' if e['exam'] == chosen else ''}>"
                          f"{escape(e['title'])}（{escape(e['exam'])}，{'、'.join(e['forms'])} 卷，"
                          f"{e['duration_minutes']} 分钟）</option>" for e in known)
        forms = next((e["forms"] for e in known if e["exam"] == chosen), [])
        form_options = "<option value=''>自动均衡分配</option>" + "".join(
            f"<option value='{escape(f)}'>{escape(f)} 卷</option>" for f in forms)
        rows, listed, close_box = "", exams.overview(chosen) if chosen else [], ""
        here = f"{prefix}exams?exam={quote(chosen)}"
        for r in listed:
            action = (f"<a class='close' href='{here}&amp;close={quote(r['officer'])}'>收卷</a>"
                      if r["state"] in ("open", "not_started") else "")
            note = closed_note(r["closed_at"], r["closed_by"], r["close_reason"])
            rows += (f"<tr><td>{escape(r['officer'])}</td><td>{escape(r['name'])}</td><td>{escape(r['form'])}</td>"
                     f"<td>{exams.STATES[r['state']]}</td><td>{r['answered']}</td><td>{r['refused'] or ''}</td>"
                     f"<td>{escape(note)}</td><td>{action}</td></tr>")
        close = self.get_argument("close", "")
        if chosen and close:
            close_box = _close_box(prefix, self.xsrf_form_html(), chosen, close, listed)
        close_all = (f"<p><a id='close-all' href='{here}&amp;close=*'>全部收卷（结束所有作答中的考试）</a></p>"
                     if any(r["state"] in ("open", "not_started") for r in listed) else "")
        table = (f"{close_all}<table id='sittings' border='1' cellpadding='4' style='border-collapse:collapse'><tr>"
                 f"<th>人员编号</th><th>姓名</th><th>试卷</th><th>状态</th><th>已答题数</th><th>被拒绝的作答</th>"
                 f"<th>收卷记录</th><th>现在收卷</th></tr>{rows}</table>"
                 if rows else "<p>这场考试还没有安排考生。</p>")
        body = (f"{message}{close_box}<form method='get' action='{prefix}exams'><select name='exam'>{options}</select> "
                f"<button>查看</button></form>" if known else "<p>还没有生成的试卷（academy exam build 试卷.yaml）。</p>")
        if chosen:
            body += f"""<form method='post' action='{prefix}exams'><fieldset><legend>安排考生</legend>
{self.xsrf_form_html()}<input type='hidden' name='exam' value='{escape(chosen)}'>
人员编号（每行一个或用逗号分隔）<br><textarea name='officers' rows='4' cols='40'></textarea><br>
或单位 <input name='unit' size='24'> 试卷 <select name='form'>{form_options}</select>
时长（分钟，留空按试卷） <input name='minutes' size='5'> <button id='assign'>安排</button>
<p>每人每场考试只有一次安排、一套试卷；已安排的人员不会改动。计时从考生第一次打开考试页面开始，以学堂服务的时间为准。</p>
</fieldset></form><h2>考生</h2>{table}"""
        self.set_header("Content-Type", "text/html; charset=UTF-8")
        self.finish(page("考试安排（考试管理员）", body))

    @web.authenticated
    async def post(self) -> None:
        login = await self.require_group(EXAM_GROUP, ADMIN_ONLY)
        self.check_xsrf_cookie()
        exam = self.get_argument("exam", "")
        officers = [n for n in self.get_argument("officers", "").replace("，", ",").replace(",", "\n").split()]
        raw_minutes = self.get_argument("minutes", "").strip()
        try:
            minutes = float(raw_minutes) if raw_minutes else None
        except ValueError:
            minutes = -1.0
        try:
            done = exams.assign(exam, officers, _recorder_name(login), form=self.get_argument("form", "") or None,
                                unit=self.get_argument("unit", "").strip() or None, minutes=minutes)
            message = f"<pre id='result' class='ok'>{escape(done.text())}</pre>"
        except Refused as refused:
            message = f"<p id='result' class='bad'>{escape(str(refused))}</p>"
        self.request.arguments["exam"] = [exam.encode()]
        await ExamsPageHandler.get(self, message)


class ExamsCloseHandler(ExamsPageHandler):
    """The page's 收卷, after its confirmation: one officer, or every running sitting of the exam (``*``)."""

    @web.authenticated
    async def post(self) -> None:
        login = await self.require_group(EXAM_GROUP, CLOSE_ONLY)
        self.check_xsrf_cookie()
        exam, target = self.get_argument("exam", ""), self.get_argument("officer", "").strip()
        try:
            if not target:
                raise Refused("没有指定收卷的人员")
            done = exams.close(exam, None if target == ALL else [target], _recorder_name(login),
                               self.get_argument("reason", "").strip() or None)
            message = f"<pre id='result' class='ok'>{escape(done.text())}</pre>"
        except Refused as refused:
            message = f"<p id='result' class='bad'>{escape(str(refused))}</p>"
        self.request.arguments["exam"] = [exam.encode()]
        self.request.arguments.pop("close", None)
        await ExamsPageHandler.get(self, message)


def exam_handlers(prefix: str) -> list[tuple[str, type]]:
    return [
        (prefix + "api/exams", MyExamsHandler),
        (prefix + f"api/exams/{EXAM}", ExamHandler),
        (prefix + f"api/exams/{EXAM}/clicks", ClickHandler),
        (prefix + f"api/exams/{EXAM}/submit", SubmitHandler),
        (prefix + f"api/exams/{EXAM}/sittings", SittingsHandler),
        (prefix + f"api/exams/{EXAM}/close", CloseHandler),
        (prefix + "exams", ExamsPageHandler),
        (prefix + "exams/close", ExamsCloseHandler),
    ]
