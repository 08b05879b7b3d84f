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
``exams``                              GET     考试管理员: the page (exams, assignment, sittings)
=====================================  ======  =================================================================
"""

from __future__ import annotations

from html import escape

from tornado import web

from service import exams
from service.handlers import BaseHandler, GroupsMixin
from service.pages import EXAM_GROUP, _recorder_name, page
from service.quizzes import Refused

EXAM = r"([a-z0-9][a-z0-9_-]*[a-z0-9])"
ADMIN_ONLY = "只有考试管理员可以安排考试"


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
        rows = ""
        if chosen:
            rows = "".join(
                f"<tr><td>{escape(r['officer'])}</td><td>{escape(r['name'])}</td><td>{escape(r['form'])}</td>"
                f"<td>{exams.STATES[r['state']]}</td><td>{r['answered']}</td><td>{r['refused'] or ''}</td></tr>"
                for r in exams.overview(chosen))
        table = (f"<table id='sittings' border='1' cellpadding='4' style='border-collapse:collapse'><tr><th>人员编号</th>"
                 f"<th>姓名</th><th>试卷</th><th>状态</th><th>已答题数</th><th>被拒绝的作答</th></tr>{rows}</table>"
                 if rows else "<p>这场考试还没有安排考生。</p>")
        body = (f"{message}<form method='get' action='{prefix}exams'><select name='exam'>{options}</select> "
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


def exam_handlers(prefix: str) -> list[tuple[str, type]]:
    return [
        (prefix + "api/exams", MyExamsHandler),
        (prefix + f"api/exams/{EXAM}", ExamHandler),
        (prefix + f"api/exams/{EXAM}/clicks", ClickHandler),
        (prefix + f"api/exams/{EXAM}/submit", SubmitHandler),
        (prefix + f"api/exams/{EXAM}/sittings", SittingsHandler),
        (prefix + "exams", ExamsPageHandler),
    ]
