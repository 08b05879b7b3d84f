"""The exam widget's service-backed mode: the officer's exam page on the site, where the 学堂服务 keeps everything.

``grading.exam_widget.ExamSession`` is the file mode (``make run``: answers in ``answers.json`` beside the released
notebook, the countdown in the kernel). Here the kernel holds nothing that counts: the page asks a *backend* (on the
site ``academy.exam_page.ServiceBackend``, the hub token of the officer's server) for his sitting — his form, his
order, his answers so far, the server's remaining time — and sends every click to it. The countdown shown is the
server's remaining time counted down locally for display; when it reaches zero the page asks the service again and
disables itself only when the service says the time is up. A click the service refuses (time up, submitted, the
administrator's 收卷) is shown in Chinese, the widget goes back to the last answer the service took, and the page asks
the service where it stands. Once a minute the running page asks the service's list of sittings (one small request)
whether the administrator has ended it (现在收卷), and stops when he has.

A backend has ``exams() -> list``, ``sitting(exam) -> dict``, ``click(exam, question, value, request_id) -> dict``
and ``submit(exam) -> dict``; it raises an exception whose text is for the officer when the service refuses.
"""

from __future__ import annotations

import threading
import time
import uuid
from datetime import datetime
from typing import Any, Callable

import ipywidgets as widgets

from grading.answers import parse_time
from grading.exam_widget import BEIJING, GREEN, RED, TYPE_LABELS, ItemInput, _clock_text, _h, _num

MAX_TEXT = 3000
ENDED = {"time_up": "考试时间已到，答题已停止。已记录的答案有效，由学堂服务收卷。",
         "submitted": "您已交卷，答题已停止。已记录的答案有效。",
         "closed": "考试管理员已收卷，您的考试已结束，答题已停止。收卷前已记录的答案有效。"}
CANCELLED = "考试管理员已收卷，您本场考试已取消，不能开考。如有疑问，请联系考试管理员。"
POLL_SECONDS = 60  # how often a running page asks whether the administrator has closed it


class TextInput:
    """A written answer (案例分析 简答): sent when the officer leaves the box."""

    type = "open"

    def __init__(self, key: str, value: Any, on_change: Callable[[Any], None]):
        self.key, self.on_change = key, on_change
        self.control = widgets.Textarea(value=value if isinstance(value, str) else "", continuous_update=False,
                                        placeholder="请在此作答（离开输入框即保存）",
                                        layout=widgets.Layout(width="95%", height="8em"))
        self._quiet = False
        self.control.observe(self._changed, names="value")

    def _changed(self, _change: Any) -> None:
        if not self._quiet:
            self.on_change(self)

    def response(self) -> Any:
        return self.control.value[:MAX_TEXT].strip() or None

    def show(self, value: Any) -> None:
        self._quiet = True
        try:
            self.control.value = value if isinstance(value, str) else ""
        finally:
            self._quiet = False

    def set_disabled(self, disabled: bool) -> None:
        self.control.disabled = disabled


class SiteExam:
    """The officer's exam page on the site (see the module docstring)."""

    def __init__(self, backend: Any, exam: str | None = None, timer: bool = True):
        self.backend, self.use_timer = backend, timer
        self.exam = exam
        self.data: dict[str, Any] = {}
        self.answers: dict[str, Any] = {}
        self.inputs: dict[str, Any] = {}
        self.ended = False
        self.refusal = ""  # the service's last refusal, kept on the page when it ends
        self._remaining = 0.0
        self._synced = time.monotonic()
        self._stop = threading.Event()
        self._lock = threading.Lock()
        self.title_html, self.officer_html = widgets.HTML(), widgets.HTML()
        self.clock_html, self.message_html, self.count_html = widgets.HTML(), widgets.HTML(), widgets.HTML()
        self.start_button = widgets.Button(description="开始考试", button_style="primary")
        self.start_button.on_click(lambda _: self.start())
        self.submit_button = widgets.Button(description="交卷", button_style="warning")
        self.submit_button.on_click(lambda _: self._ask_submit())
        self.confirm_button = widgets.Button(description="确认交卷（交卷后不能再作答）", button_style="danger",
                                             layout=widgets.Layout(width="auto"))
        self.confirm_button.on_click(lambda _: self.submit())
        self.body = widgets.VBox()
        self.footer = widgets.HBox()
        head = widgets.VBox([self.title_html, self.officer_html, self.clock_html, self.count_html, self.message_html],
                            layout=widgets.Layout(border="1px solid #ccc", padding="8px", margin="4px 0"))
        self.widget = widgets.VBox([head, self.body, self.footer])
        self._choose()

    # --- which exam --------------------------------------------------------------------------------------

    def _choose(self) -> None:
        try:
            mine = self.backend.exams()
        except Exception as exc:  # noqa: BLE001 - the service's refusal or an unreachable service, for the officer
            self._show(f"考试安排载入失败：{exc}", RED)
            return
        if self.exam:
            mine = [e for e in mine if e["exam"] == self.exam]
        if not mine:
            self.title_html.value = "<h3 style='margin:0'>资格考试</h3>"
            self._show("您目前没有考试安排。如有疑问，请联系考试管理员。")
            return
        current = next((e for e in mine if e["state"] in ("open", "not_started")), mine[-1])
        self.exam = current["exam"]
        self.title_html.value = f"<h3 style='margin:0'>{_h(current['title'])}</h3>"
        if current["state"] == "cancelled":
            self._show(CANCELLED, RED)
            return
        if current["state"] == "not_started":
            minutes = _num(current["duration_seconds"] / 60)
            self.officer_html.value = f"{_h(current['form'])} 卷　考试时长 <b>{minutes} 分钟</b>"
            self._show(f"点击「开始考试」后开始计时（共 {minutes} 分钟，以学堂服务的时间为准），中途关闭页面不停止计时。")
            self.body.children = [self.start_button]
            return
        self.start()

    def start(self) -> None:
        """Open the sitting (the first opening starts the server's clock) and show the questions."""
        try:
            data = self.backend.sitting(self.exam)
        except Exception as exc:  # noqa: BLE001
            self._show(f"试卷载入失败：{exc}", RED)
            return
        self.data, self.answers = data, dict(data.get("answers") or {})
        self.officer_html.value = f"考生：<b>{_h(data['officer'])}</b>　　{_h(data['form'])} 卷"
        self.body.children = [self._section(s) for s in data["sections"]]
        self.footer.children = [self.submit_button]
        self._sync(data)
        self._count()
        if data["state"] != "open":
            self.end(data["state"])
        elif self.use_timer:
            threading.Thread(target=self._run_timer, name="exam-countdown", daemon=True).start()

    # --- the questions -----------------------------------------------------------------------------------

    def _section(self, section: dict) -> widgets.VBox:
        n = len(section["questions"])
        rows: list[widgets.Widget] = [widgets.HTML(
            f"<h4 style='margin:8px 0 4px'>{_h(section['title'])}（共{n}题，每题{_num(section['points'])}分，"
            f"共{_num(section['points'] * n)}分）</h4>")]
        for number, q in enumerate(section["questions"], 1):
            label = TYPE_LABELS.get(q["type"], q["type"])
            parts: list[widgets.Widget] = [widgets.HTML(
                f"<b>第{number}题（{label}，{_num(q.get('points', section['points']))}分）</b> {_h(q['stem'])}")]
            if q["type"] == "case":
                for k, part in enumerate(q.get("parts", []), 1):
                    plabel = TYPE_LABELS.get(part["type"], part["type"])
                    parts.append(widgets.HTML(f"<b>（{k}）{plabel}（{_num(part.get('points', 0))}分）</b> "
                                              f"{_h(part['stem'])}"))
                    parts.append(self._input(f"{q['id']}/{part['id']}", part).control)
            else:
                parts.append(self._input(q["id"], q).control)
            rows.append(widgets.VBox(parts, layout=widgets.Layout(border="1px solid #ddd", padding="6px",
                                                                  margin="4px 0")))
        return widgets.VBox(rows)

    def _input(self, key: str, item: dict):
        value = self.answers.get(key)
        if item["type"] == "open":
            inp = TextInput(key, value, self._changed)
        else:
            options = [letter for letter, _ in item.get("options") or []]
            inp = ItemInput(key, item | {"options": dict(item.get("options") or [])}, options, value, self._changed)
        self.inputs[key] = inp
        return inp

    # --- clicks ------------------------------------------------------------------------------------------

    def _changed(self, inp: Any) -> None:
        if self.ended:
            inp.show(self.answers.get(inp.key))
            return
        value = inp.response()
        try:
            reply = self.backend.click(self.exam, inp.key, value, uuid.uuid4().hex)
        except Exception as exc:  # noqa: BLE001 - refused by the service, or unreachable: the answer did not count
            inp.show(self.answers.get(inp.key))
            self.refusal = f"本次作答未被记录：{exc}"
            self._show(self.refusal, RED)
            self._ask_state()
            return
        if value is None:
            self.answers.pop(inp.key, None)
        else:
            self.answers[inp.key] = reply.get("value", value)
        self._sync(reply)
        self._count()
        self._show("已保存（学堂服务 " + _beijing(reply.get("server_time")) + "）", GREEN)

    def record(self, key: str, response: Any) -> None:
        """Answer as a click would (tests)."""
        inp = self.inputs[key]
        inp.show(response)
        self._changed(inp)

    def _ask_submit(self) -> None:
        self.footer.children = [self.submit_button, self.confirm_button]

    def submit(self) -> None:
        try:
            done = self.backend.submit(self.exam)
        except Exception as exc:  # noqa: BLE001
            self._show(f"交卷未成功：{exc}", RED)
            return
        self.end("submitted")
        self._show(f"已交卷（学堂服务 {_beijing(done.get('submitted_at'))}），共作答 {done.get('answered', 0)} 题。", GREEN)

    # --- the server's clock ------------------------------------------------------------------------------

    def _sync(self, reply: dict) -> None:
        if reply.get("remaining_seconds") is not None:
            with self._lock:
                self._remaining, self._synced = float(reply["remaining_seconds"]), time.monotonic()
        if reply.get("deadline"):
            self.data["deadline"] = reply["deadline"]
        self.tick()

    def remaining(self) -> float:
        with self._lock:
            return max(0.0, self._remaining - (time.monotonic() - self._synced))

    def tick(self) -> None:
        if self.ended or not self.data:
            return
        left = self.remaining()
        end = _beijing(self.data.get("deadline"), "%H:%M:%S")
        color = RED if left < 300 else "#1f4e79"
        self.clock_html.value = (f'<b style="color:{color};font-size:120%">剩余时间 {_clock_text(left)}</b>'
                                 f"　（截止时间 {end}，北京时间，以学堂服务为准）")
        if left <= 0:
            self._ask_state()

    def _ask_state(self) -> None:
        """Ask the service where the sitting stands; disable the page only when it says the time is up."""
        try:
            data = self.backend.sitting(self.exam)
        except Exception:  # noqa: BLE001 - keep the page as it is; the service decides at the next click
            return
        self._sync_quiet(data)
        if data["state"] != "open":
            self.end(data["state"])

    def _sync_quiet(self, data: dict) -> None:
        if data.get("remaining_seconds") is not None:
            with self._lock:
                self._remaining, self._synced = float(data["remaining_seconds"]), time.monotonic()

    def check_closed(self) -> None:
        """Whether the administrator has ended this sitting (the light list of sittings, not the whole form)."""
        try:
            mine = self.backend.exams()
        except Exception:  # noqa: BLE001 - keep the page as it is; the service decides at the next click
            return
        state = next((e["state"] for e in mine if e["exam"] == self.exam), "open")
        if state != "open":
            self._ask_state()

    def _run_timer(self) -> None:
        seconds = 0
        while not self._stop.wait(1.0):
            seconds += 1
            try:
                self.tick()
                if seconds % POLL_SECONDS == 0 and not self.ended:
                    self.check_closed()
            except Exception:  # noqa: BLE001 - the page is gone: nothing left to update
                return
            if self.ended:
                return

    def stop(self) -> None:
        self._stop.set()

    def end(self, state: str) -> None:
        if self.ended:
            return
        self.ended = True
        self.stop()
        for inp in self.inputs.values():
            inp.set_disabled(True)
        self.footer.children = []
        self.clock_html.value = f'<b style="color:{RED}">剩余时间 00:00:00</b>' if state == "time_up" else ""
        self._show("\n".join(filter(None, [self.refusal, ENDED.get(state, "答题已停止。")])), RED)

    # --- display -----------------------------------------------------------------------------------------

    def _count(self) -> None:
        total = len(self.inputs)
        self.count_html.value = f"已作答 <b>{len(self.answers)}</b> / {total} 题（含小题）"

    def _show(self, text: str, color: str = "#333") -> None:
        self.message_html.value = f'<span style="color:{color}">{_h(text)}</span>'

    def _ipython_display_(self) -> None:
        from IPython.display import display

        display(self.widget)


def _beijing(text: Any, fmt: str = "%Y-%m-%d %H:%M:%S") -> str:
    moment = text if isinstance(text, datetime) else parse_time(text)
    return moment.astimezone(BEIJING).strftime(fmt) if moment else "—"
