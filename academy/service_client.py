"""The course notebooks' side of the 学堂服务 (on the site: ``ACADEMY_SERVICE_URL`` is set by the hub's spawner).

The kernel sends the hub token it was started with (``JUPYTERHUB_API_TOKEN``); who answers is decided by the hub from
that token, never by the notebook. A submission keeps its request id across retries, so a lost reply retried is
recorded once.
"""

from __future__ import annotations

import json
import os
import time
import urllib.error
import urllib.request
import uuid
from typing import Any

from ground.settings import settings
from questionbank.model import Question
from questionbank.quiz import Graded, GradingError, RoundView, question_from_public
from questionbank.quiz_rounds import Summary
from questionbank.reading import read_question
from questionbank.scoring import Score


class ServiceError(GradingError):
    """The service refused a request or could not be reached; the message is for the officer. ``status``: the HTTP
    status of a refusal (None when the service was not reached), as ``service.quizzes.Refused`` has it."""

    def __init__(self, message: str, status: int | None = None):
        super().__init__(message)
        self.status = status


class ServiceClient:
    def __init__(self, url: str | None = None, token: str | None = None, timeout: float = 20, retries: int = 3):
        self.url = (url or settings.service_url or "").rstrip("/") + "/"
        self.token = token if token is not None else os.environ.get("JUPYTERHUB_API_TOKEN", "")
        self.timeout, self.retries = timeout, retries

    def call(self, method: str, path: str, body: Any = None) -> Any:
        data = None if body is None else json.dumps(body, ensure_ascii=False).encode("utf-8")
        request = urllib.request.Request(self.url + path, data=data, method=method, headers={
            "Authorization": f"token {self.token}", "Content-Type": "application/json", "Accept": "application/json"})
        for attempt in range(self.retries):
            try:
                with urllib.request.urlopen(request, timeout=self.timeout) as response:
                    return json.loads(response.read().decode("utf-8"))
            except urllib.error.HTTPError as exc:
                raise ServiceError(_message(exc), exc.code) from None
            except (urllib.error.URLError, TimeoutError, ConnectionError):
                if attempt == self.retries - 1:
                    raise ServiceError("暂时连不上学堂服务，请稍后再点一次「提交」（答案不会重复记录）") from None
                time.sleep(0.5 * (attempt + 1))
        raise ServiceError("学堂服务没有回应")

    def quiz(self, module_id: str, quiz_id: str) -> list[Question]:
        """The questions of the round this officer is at."""
        return self.grader(module_id, quiz_id).open().questions

    def progress(self, year: int) -> dict[str, Any]:
        return self.call("GET", f"api/me/progress?year={year}")

    def wrong_book(self) -> dict[str, Any]:
        return self.call("GET", "api/practice/wrong")

    def practise(self, question_id: str, responses: dict[str, Any]) -> dict[str, Any]:
        body = {"question": question_id, "responses": responses, "request_id": uuid.uuid4().hex}
        return self.call("POST", "api/practice/wrong/answers", body)

    def mock_choices(self) -> dict[str, Any]:
        return self.call("GET", "api/practice/mock")

    def start_mock(self, blueprint: str) -> dict[str, Any]:
        return self.call("POST", "api/practice/mock", {"blueprint": blueprint})

    def save_mock_progress(self, exam_id: int, answers: dict[str, Any]) -> dict[str, Any]:
        """The answers so far (the whole set: safe to retry); the service keeps them, and sends no key back."""
        return self.call("POST", f"api/practice/mock/{int(exam_id)}/progress", {"answers": answers})

    def abandon_mock(self, exam_id: int) -> dict[str, Any]:
        return self.call("POST", f"api/practice/mock/{int(exam_id)}/abandon", {})

    def submit_mock(self, exam_id: int, answers: dict[str, Any]) -> dict[str, Any]:
        """Safe to retry: a mock exam is scored once, a second submission gets the first result."""
        return self.call("POST", f"api/practice/mock/{int(exam_id)}/answers", {"answers": answers})

    def grader(self, module_id: str, quiz_id: str) -> "ServiceGrader":
        return ServiceGrader(self, module_id, quiz_id)


class ServiceGrader:
    """Opens the officer's round and grades each submission on the service (``questionbank.quiz.Grader``)."""

    def __init__(self, client: ServiceClient, module_id: str, quiz_id: str):
        self.client, self.module_id, self.quiz_id = client, module_id, quiz_id

    def open(self) -> RoundView:
        data = self.client.call("GET", f"api/quizzes/{self.module_id}/{self.quiz_id}")
        answered = {}
        for qid, done in (data.get("answered") or {}).items():
            question = _question(done["question"], bool(done["key_shown"]))
            answered[qid] = (dict(done["responses"]), Graded(_scores(done["scores"]), question, bool(done["key_shown"])))
        return RoundView([question_from_public(q) for q in data["questions"]], answered, _summary(data["summary"]))

    def grade(self, question: Question, responses: dict[str, Any]) -> Graded:
        body = {"question": question.id, "responses": responses, "request_id": uuid.uuid4().hex}
        data = self.client.call("POST", f"api/quizzes/{self.module_id}/{self.quiz_id}/answers", body)
        shown = bool(data.get("key_shown", True))
        return Graded(_scores(data["scores"]), _question(data["question"], shown), shown, _summary(data["summary"]),
                      str(data.get("message") or ""))


def _question(mapping: dict[str, Any], key_shown: bool) -> Question:
    if not key_shown:
        return question_from_public(mapping)
    full, problems = read_question(mapping, "学堂服务", "", 0)
    if full is None:
        raise ServiceError("学堂服务返回的题目无法显示：" + "；".join(p.message for p in problems))
    return full


def _scores(data: dict[str, Any]) -> dict[str, Score]:
    return {k: Score(v["correct"], float(v["fraction"]), v.get("detail", "")) for k, v in data.items()}


def _summary(data: dict[str, Any]) -> Summary:
    return Summary(int(data["round"]), bool(data["passed"]), data.get("score"), int(data["mastered"]), int(data["slots"]),
                   bool(data["round_complete"]), bool(data["can_redo"]), str(data.get("retry_kind") or ""))


def _message(exc: urllib.error.HTTPError) -> str:
    try:
        return json.loads(exc.read().decode("utf-8"))["message"]
    except (ValueError, KeyError, UnicodeDecodeError):
        return f"学堂服务拒绝了请求（{exc.code}）"
