"""The officer's exam page on the site (``courses/exam.ipynb``, 「资格考试」): his sitting, kept by the 学堂服务.

On the site (``ACADEMY_SERVICE_URL`` set by the hub) the page talks to the service with the hub token of the officer's
server: who sits is the hub's login, never a field of the page; the kernel holds no key and decides no time. Under
``make run`` there is no service: the exam is the released notebook itself (``grading.exam_widget``, file mode).
"""

from __future__ import annotations

from typing import Any

import ipywidgets as w

from academy.service_client import ServiceClient
from ground.settings import settings


class ServiceBackend:
    """``grading.sitting_widget``'s backend over the 学堂服务's exam API."""

    def __init__(self, client: ServiceClient):
        self.client = client

    def exams(self) -> list[dict[str, Any]]:
        return self.client.call("GET", "api/exams")

    def sitting(self, exam: str) -> dict[str, Any]:
        return self.client.call("GET", f"api/exams/{exam}")

    def click(self, exam: str, question: str, value: Any, request_id: str) -> dict[str, Any]:
        return self.client.call("POST", f"api/exams/{exam}/clicks",
                                {"question": question, "value": value, "request_id": request_id})

    def submit(self, exam: str) -> dict[str, Any]:
        return self.client.call("POST", f"api/exams/{exam}/submit", {})


def exam_page(exam: str | None = None):
    """The exam page: the officer's sitting on the site; a short note in the single-user mode."""
    if not settings.service_url:
        return w.HTML("<p>资格考试在执法学堂站点上进行。单机练习时，请打开考试管理员发布的试卷 exam.ipynb。</p>")
    from grading.sitting_widget import SiteExam

    return SiteExam(ServiceBackend(ServiceClient()), exam)
