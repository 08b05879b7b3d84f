"""The 学堂服务's HTTP rooms: one small class per URL, every one behind the hub's login.

The officer is ``current_user["name"]`` (hub token in the ``Authorization`` header from a kernel, or the hub's OAuth
cookie in a browser). Errors are JSON ``{"status", "message"}`` with a Chinese message, never a traceback.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import time
from html import escape
from typing import Any

from jupyterhub.services.auth import HubOAuthCallbackHandler, HubOAuthenticated, UserNotAllowed
from tornado import web
from tornado.httpclient import AsyncHTTPClient, HTTPRequest

from service import quizzes
from service.hub_identity import AcademyHubAuth

MAX_BODY = 64 * 1024
HR_GROUP = "人事"
MESSAGES = {400: "请求无效", 401: "请先登录", 403: "没有权限", 404: "没有找到", 405: "不支持的请求方法",
            413: "请求内容过大", 500: "服务内部错误，请联系管理员"}


class BaseHandler(HubOAuthenticated, web.RequestHandler):
    hub_auth_class = AcademyHubAuth  # the hub's answers kept without piling re-checks up at the hub

    async def prepare(self) -> None:
        """Identify the hub user without blocking the event loop (HubAuth's synchronous path runs the lookup in a
        helper thread and waits); ``get_current_user`` then finds the cached answer."""
        model = await self.hub_auth.get_user(self, sync=False)
        try:
            self._hub_auth_user_cache = self.check_hub_user(model) if model else None
        except UserNotAllowed:
            self._hub_auth_user_cache = None

    def write_error(self, status_code: int, **kwargs: Any) -> None:
        message = MESSAGES.get(status_code, "请求失败")
        exc = kwargs.get("exc_info", (None, None, None))[1]
        if isinstance(exc, quizzes.Refused):
            message = str(exc)
        elif isinstance(exc, web.HTTPError) and exc.log_message and status_code < 500 and _chinese(exc.log_message):
            message = exc.log_message
        self.set_header("Content-Type", "application/json; charset=UTF-8")
        self.finish(json.dumps({"status": status_code, "message": message}, ensure_ascii=False))

    def log_exception(self, typ, value, tb) -> None:
        if isinstance(value, quizzes.Refused):
            return  # an expected refusal, not a fault of the service
        super().log_exception(typ, value, tb)

    def _handle_request_exception(self, e: BaseException) -> None:
        if isinstance(e, quizzes.Refused):
            self.send_error(e.status, exc_info=(type(e), e, e.__traceback__))
            return
        super()._handle_request_exception(e)

    def login(self) -> str:
        user = self.current_user
        if not user or user.get("kind", "user") != "user":
            raise web.HTTPError(403, "请先登录执法学堂")
        return user["name"]

    def body(self) -> dict[str, Any]:
        if len(self.request.body) > MAX_BODY:
            raise quizzes.Refused("请求内容过大", 413)
        try:
            data = json.loads(self.request.body or b"{}")
        except (ValueError, UnicodeDecodeError):
            raise quizzes.Refused("请求内容不是有效的 JSON") from None
        if not isinstance(data, dict):
            raise quizzes.Refused("请求内容应为 JSON 对象")
        return data

    def reply(self, data: Any) -> None:
        self.set_header("Content-Type", "application/json; charset=UTF-8")
        self.set_header("Cache-Control", "no-store")
        self.finish(json.dumps(data, ensure_ascii=False, default=str))

    def year(self) -> int:
        raw = self.get_argument("year", "")
        if not raw:
            return dt.date.today().year
        if not raw.isdigit() or not 2000 <= int(raw) <= 2100:
            raise quizzes.Refused(f"年度无效：{raw}")
        return int(raw)


class OAuthCallbackHandler(HubOAuthCallbackHandler):
    hub_auth_class = AcademyHubAuth  # the same instance as the handlers' (it holds the login's OAuth state)


def _chinese(text: str) -> bool:
    return any("\u4e00" <= ch <= "\u9fff" for ch in text)


class QuizHandler(BaseHandler):
    def get(self, module_id: str, quiz_id: str) -> None:
        self.reply(quizzes.public_quiz(module_id, quiz_id, self.login()))  # the round this officer is at


class AnswerHandler(BaseHandler):
    def post(self, module_id: str, quiz_id: str) -> None:
        if not self.request.headers.get("Authorization", "").startswith(("token ", "Bearer ")):
            raise quizzes.Refused("答案须由学习页面提交（缺少令牌）", 403)  # a cookie alone could be a forged request
        login = self.login()
        data = self.body()
        answered = quizzes.answer(login, module_id, quiz_id, str(data.get("question", "")), data.get("responses"),
                                  data.get("request_id"))
        self.reply(answered.to_json())


class ProgressHandler(BaseHandler):
    def get(self) -> None:
        self.reply(quizzes.progress(self.login(), self.year()))


class GroupsMixin:
    """Group membership asked of the hub with the service's own token (scope read:users:groups), kept a minute."""

    _cache: dict[str, tuple[float, set[str]]] = {}

    async def groups_of(self, name: str) -> set[str]:
        hit = self._cache.get(name)
        if hit and time.monotonic() - hit[0] < 60:
            return hit[1]
        auth = self.hub_auth
        request = HTTPRequest(f"{auth.api_url}/users/{name}", headers={"Authorization": f"token {auth.api_token}"})
        response = await AsyncHTTPClient().fetch(request, raise_error=False)
        groups = set(json.loads(response.body).get("groups", [])) if response.code == 200 else set()
        self._cache[name] = (time.monotonic(), groups)
        return groups

    async def require_group(self, group: str, refusal: str) -> str:
        """The login of a member of ``group``; anyone else is refused (403) with ``refusal``."""
        login = self.login()
        if group not in await self.groups_of(login):
            raise quizzes.Refused(refusal, 403)
        return login


class HomeHandler(GroupsMixin, BaseHandler):
    """A small page: who is logged in, links to the progress and (for 人事) the report."""

    @web.authenticated
    async def get(self) -> None:
        login = self.login()
        try:
            progress = quizzes.progress(login, dt.date.today().year)
            head = f"{progress['name']}（{progress['unit']}）"
            standing = "".join(f"<li>{escape(str(k))}：{escape(str(v))}</li>" for k, v in progress["standing"].items())
        except quizzes.Refused:
            head, standing = login, ""
        groups = await self.groups_of(login)
        hr = HR_GROUP in groups
        prefix = self.application.settings["prefix"]
        link = f"<p><a id='statement' href='{prefix}me/statement?format=html'>我的学时证明（打印）</a></p>"
        if hr:
            from service.site import DASHBOARD, page_url

            hub = os.environ.get("JUPYTERHUB_BASE_URL", "/").rstrip("/")
            link += (f"<p><a id='report' href='{prefix}api/hr/report?format=xlsx'>下载学时达标报表（Excel）</a>　"
                     f"<a id='hr' href='{prefix}hr'>学时管理（人事）</a>　"
                     f"<a id='dashboard' href='{hub}/hub/user-redirect{page_url(DASHBOARD)}'>学时看板</a></p>")
        if "考试管理员" in groups:
            link += (f"<p><a id='bank' href='{prefix}bank'>题库审核（考试管理员）</a>　"
                     f"<a id='exams' href='{prefix}exams'>考试安排（考试管理员）</a></p>")
        self.set_header("Content-Type", "text/html; charset=UTF-8")
        self.finish(f"<!doctype html><html lang='zh-CN'><meta charset='utf-8'><title>执法学堂</title>"
                    f"<h2>{escape(head)}</h2><ul>{standing}</ul>{link}</html>")


class NotFoundHandler(BaseHandler):
    """Any other URL: a JSON 404 in Chinese, like every other error of the service."""

    async def prepare(self) -> None:
        raise quizzes.Refused("没有这个接口", 404)


def default_handlers(prefix: str) -> list[tuple[str, type]]:
    return [
        (prefix + "oauth_callback", OAuthCallbackHandler),
        (prefix + r"api/quizzes/([A-Za-z0-9_-]+)/([A-Za-z0-9_-]+)", QuizHandler),
        (prefix + r"api/quizzes/([A-Za-z0-9_-]+)/([A-Za-z0-9_-]+)/answers", AnswerHandler),
        (prefix + "api/me/progress", ProgressHandler),
        (prefix + "?", HomeHandler),
    ]
