"""The 学堂服务's URLs of the 错题本 and the 模拟考试 (the logic is ``service.practice``), behind the hub's login.

A POST that records something must carry the kernel's token (``Authorization: token …``): a cookie alone could be a
forged request from another page.
"""

from __future__ import annotations

from tornado import ioloop

from service import practice, quizzes
from service.handlers import BaseHandler


class TokenOnly(BaseHandler):
    def require_token(self) -> str:
        if not self.request.headers.get("Authorization", "").startswith(("token ", "Bearer ")):
            raise quizzes.Refused("答案须由学习页面提交（缺少令牌）", 403)
        return self.login()


class WrongBookHandler(BaseHandler):
    def get(self) -> None:
        self.reply(practice.wrong_book(self.login()))


class PractiseHandler(TokenOnly):
    def post(self) -> None:
        login = self.require_token()
        data = self.body()
        self.reply(practice.practise(login, str(data.get("question", "")), data.get("responses"), data.get("request_id")))


class MockHandler(TokenOnly):
    def get(self) -> None:
        self.reply(practice.mock_choices(self.login()))

    async def post(self) -> None:
        """Start a mock exam; drawing it (the assembler, about 0.1 s) runs beside the event loop."""
        login = self.require_token()
        data = self.body()
        self.reply(await ioloop.IOLoop.current().run_in_executor(None, practice.start_mock, login,
                                                                 data.get("blueprint")))


class MockAnswersHandler(TokenOnly):
    def post(self, exam_id: str) -> None:
        login = self.require_token()
        self.reply(practice.submit_mock(login, int(exam_id), self.body().get("answers")))


class MockProgressHandler(TokenOnly):
    def post(self, exam_id: str) -> None:
        """The answers so far of a running mock exam (sent at each change; the whole set, so safe to repeat)."""
        login = self.require_token()
        self.reply(practice.save_mock_progress(login, int(exam_id), self.body().get("answers")))


class MockAbandonHandler(TokenOnly):
    def post(self, exam_id: str) -> None:
        self.reply(practice.abandon_mock(self.require_token(), int(exam_id)))


def practice_handlers(prefix: str) -> list[tuple[str, type]]:
    return [
        (prefix + "api/practice/wrong", WrongBookHandler),
        (prefix + "api/practice/wrong/answers", PractiseHandler),
        (prefix + "api/practice/mock", MockHandler),
        (prefix + r"api/practice/mock/([0-9]{1,12})/answers", MockAnswersHandler),
        (prefix + r"api/practice/mock/([0-9]{1,12})/progress", MockProgressHandler),
        (prefix + r"api/practice/mock/([0-9]{1,12})/abandon", MockAbandonHandler),
    ]
