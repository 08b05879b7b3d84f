"""The 错题本 and 模拟考试 pages (``courses/错题本.ipynb``, ``courses/模拟考试.ipynb``), as ipywidgets for Voila.

Where the work is done: on the site (``ACADEMY_SERVICE_URL`` set) every request goes to the 学堂服务 with the kernel's
hub token: the kernel never holds a mock exam's keys before it is submitted, and every practice answer is graded and
stored there. Under ``make run`` the kernel calls the same functions (``service.practice``) on the local ledger.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import html
import secrets
import uuid
from typing import Any, Callable

import ipywidgets as w

from academy.identity import OfficerBar, page_officer
from academy.learning import back_link
from academy.service_client import ServiceClient, ServiceError
from ground.identity import hub_user
from ground.settings import settings
from questionbank.model import TYPES, Question
from questionbank.practice import response_text
from questionbank.quiz import question_from_public
from questionbank.quiz_views import QuestionView, escape_html, format_citation
from questionbank.reading import read_question
from questionbank.scoring import Score, key_text
from service.quizzes import Refused

RED, GREEN = "#c62828", "#1a7f37"
CARD = "border:1px solid #ddd;border-radius:4px;padding:8px 12px;margin:8px 0;max-width:60em"


class Backend:
    """The kernel's side of practice: the 学堂服务 on the site, the local ledger otherwise (same replies)."""

    def __init__(self, officer: str | None = None):
        self.client = ServiceClient() if settings.service_url else None
        self.officer = hub_user() if self.client else page_officer(officer)[0]

    def call(self, name: str, *args: Any) -> Any:
        if self.client is not None:
            return getattr(self.client, name)(*args)
        if not self.officer:
            raise Refused("请先在学习首页输入您的人员编号")
        from service import practice as local  # only here: a kernel on the site never draws or grades

        if name == "practise":
            return local.practise(self.officer, *args, uuid.uuid4().hex)
        return getattr(local, name)(self.officer, *args)


FAILURES = (Refused, ServiceError)


def _full(mapping: dict[str, Any]) -> Question:
    question, problems = read_question(mapping, "错题本", str(mapping.get("topic", "")), 0)
    if question is None:
        raise ServiceError("题目无法显示：" + "；".join(p.message for p in problems))
    return question


def _error(exc: Exception) -> w.HTML:
    return w.HTML(f"<p style='color:{RED}'>{escape_html(str(exc))}</p>")


def _scores(raw: dict[str, Any]) -> dict[str, Score]:
    return {k: Score(v["correct"], float(v["fraction"]), v.get("detail", "")) for k, v in raw.items()}


def _reveal(view: QuestionView, question: Question, scores: dict[str, Score], extra: list[str]) -> None:
    """Show a graded question: its key and 解析 (now known), the verdicts, and ``extra`` lines."""
    view.question = question
    for key, inp in view.inputs.items():
        inp.item = question if not key else next(p for p in question.parts if p.id == key)
    view.scores = scores
    view.submitted = True
    view.set_active(False)
    view.show([])
    view.feedback.value += "".join(f"<br>{line}" for line in extra)


# --- 错题本 -------------------------------------------------------------------------------------------------------


class WrongBookPage:
    """My wrong answers by topic, with my answer, the key, the 解析 and the article; 「再练一遍」 asks them again."""

    def __init__(self, officer: str | None = None):
        self.backend = Backend(officer)
        self.widget = w.VBox()
        self.entries: list[dict[str, Any]] = []
        self.views: list[QuestionView] = []
        self.show_book()

    def show_book(self) -> None:
        try:
            data = self.backend.call("wrong_book")
        except FAILURES as exc:
            self.widget.children = [_error(exc)]
            return
        self.entries = data["entries"]
        head = (f"<h3>我的错题本</h3><p>共 <b id='wrong-count'>{len(self.entries)}</b> 道错题，"
                f"已掌握 {data['mastered']} 道。</p>")
        parts: list[w.Widget] = [w.HTML(head)]
        if not self.entries:
            parts.append(w.HTML("<p>错题本是空的。</p>"))
            self.widget.children = parts
            return
        again = w.Button(description="再练一遍", button_style="primary", tooltip="把错题再做一遍（选项顺序打乱）")
        again.on_click(lambda _: self.practise())
        parts.append(again)
        by_topic: dict[str, list[dict[str, Any]]] = {}
        for entry in self.entries:
            by_topic.setdefault(entry["topic_title"], []).append(entry)
        for title, entries in by_topic.items():
            cards = "".join(self._card(e) for e in entries)
            parts.append(w.HTML(f"<h4>{html.escape(title)}（{len(entries)} 题）</h4>{cards}"))
        self.widget.children = parts

    def _card(self, entry: dict[str, Any]) -> str:
        """One wrong question: stem, options and my answer; the key, 解析 and article folded under 「看正确答案和解析」,
        so that the officer can first try to recall them."""
        q = _full(entry["question"])
        items = [(p, f"（{i}）{p.stem}") for i, p in enumerate(q.parts, 1)] if q.parts else [(q, "")]
        lines, keys = [f"<b>{TYPES.get(q.type, q.type)}</b>　{escape_html(q.stem)}"], []
        for item, label in items:
            if label:
                lines.append(escape_html(label))
            if item.options:
                lines.append("<br>".join(f"{k}. {escape_html(v)}" for k, v in item.options.items()))
            if item.type == "open":
                continue
            mine = response_text(item, entry["responses"].get(item.id if q.parts else ""))
            lines.append(f"<span style='color:{RED}'>您的答案：{escape_html(mine)}</span>")
            keys.append(f"<span style='color:{GREEN}'>{escape_html(label[:4])}正确答案：{escape_html(key_text(item))}</span>")
        if q.explanation:
            keys.append(f"解析：{escape_html(q.explanation)}")
        basis = q.all_citations()
        if basis:
            keys.append("法律依据：" + "、".join(escape_html(format_citation(c)) for c in basis))
        when = entry["last_wrong"][:10]
        lines.append(f"<details><summary style='cursor:pointer;color:#1565c0'>看正确答案和解析</summary>"
                     f"{'<br>'.join(keys)}</details>")
        lines.append(f"<small>来源：{escape_html(entry['source'])}　答错 {entry['wrong_times']} 次　最近 {when}</small>")
        return f"<div class='wrong-entry' style='{CARD}'>" + "<br>".join(lines) + "</div>"

    def practise(self) -> None:
        """A round of every question in the book, in a new order, options shuffled (keys stay by bank letter)."""
        questions = [_full(e["question"]) for e in self.entries]
        order = secrets.SystemRandom()
        order.shuffle(questions)
        seed = secrets.token_hex(4)
        self.views = [QuestionView(i, q, seed) for i, q in enumerate(questions, 1)]
        self.summary = w.HTML()
        for view in self.views:
            view.submit_button.on_click(lambda _, v=view: self.submit(v))
        back = w.Button(description="返回错题本")
        back.on_click(lambda _: self.show_book())
        self.widget.children = [w.HTML(f"<h3>再练一遍（{len(self.views)} 题）</h3>"
                                       "<p>逐题作答并提交；答对的题即为已掌握，移出错题本。</p>"),
                                *[v.widget for v in self.views], self.summary, back]
        self._update_summary()

    def submit(self, view: QuestionView) -> None:
        if view.submitted:
            return
        if not all(inp.answered() for inp in view.inputs.values() if inp.item.type != "open"):
            view.feedback.value = f'<span style="color:{RED}">请先作答再提交</span>'
            return
        responses = {key: inp.response() for key, inp in view.inputs.items()}
        try:
            reply = self.backend.call("practise", view.question.id, responses)
        except FAILURES as exc:
            view.feedback.value = f'<span style="color:{RED}">{escape_html(str(exc))}</span>'
            return
        note = ("<b style='color:#1a7f37'>已掌握，移出错题本。</b>" if reply["mastered"]
                else "<b>仍留在错题本中，下次再练。</b>")
        _reveal(view, _full(reply["question"]), _scores(reply["scores"]), [note])
        self._update_summary()

    def _update_summary(self) -> None:
        done = [v for v in self.views if v.submitted]
        right = sum(1 for v in done if v.correct)
        self.summary.value = f"<p>已答 {len(done)}/{len(self.views)}，答对 {right} 题。</p>"

    def _ipython_display_(self) -> None:
        from IPython.display import display

        display(self.widget)


# --- 模拟考试 -----------------------------------------------------------------------------------------------------


def _minutes(seconds: float) -> str:
    seconds = max(0, int(seconds))
    return f"{seconds // 60:02d}:{seconds % 60:02d}"


def _points(x: Any) -> str:
    return f"{float(x):g}"


class MockExamPage:
    """Choose a blueprint, take a timed mock exam, see the score by section at once; my earlier mock exams."""

    def __init__(self, officer: str | None = None, clock: Callable[[], dt.datetime] | None = None):
        self.backend = Backend(officer)
        self.now = clock or (lambda: dt.datetime.now(dt.timezone.utc))
        self.widget = w.VBox()
        self.paper: dict[str, Any] | None = None
        self.views: dict[str, QuestionView] = {}
        self.result: dict[str, Any] | None = None
        self._ticker: asyncio.Task | None = None
        self.show_choices()

    # the chooser and my record

    def show_choices(self) -> None:
        """The chooser and my record; while a mock exam of mine is running (its page was closed or reloaded), first
        the offer to go on with it or to give it up."""
        self._stop_clock()
        try:
            data = self.backend.call("mock_choices")
        except FAILURES as exc:
            self.widget.children = [_error(exc)]
            return
        self.choices = sorted(data["blueprints"], key=lambda b: (b["duration_minutes"], b["blueprint"]))
        self.message = w.HTML()
        self.running = data.get("running")
        if self.running:
            self.widget.children = [*self._resume_offer(self.running), self.message, w.HTML(self._history(data["history"]))]
            return
        self.picker = w.Dropdown(options=[(b["title"], b["blueprint"]) for b in self.choices],
                                 layout=w.Layout(width="auto", max_width="100%"))
        self.about = w.HTML()
        self.picker.observe(lambda _: self._describe(), names="value")
        start = w.Button(description="开始模拟考试", button_style="primary")
        start.on_click(lambda _: self.start())
        self._describe()
        self.widget.children = [
            w.HTML("<h3>选择模拟试卷</h3>"),
            self.picker, self.about, start, self.message, w.HTML(self._history(data["history"]))]

    def _resume_offer(self, paper: dict[str, Any]) -> list[w.Widget]:
        answered = sum(1 for a in paper["answers"].values() if any(v not in (None, "", []) for v in a.values()))
        count = sum(len(s["questions"]) for s in paper["sections"])
        about = w.HTML(f"<h3>您有一份未交卷的模拟考试</h3><p class='mock-running'>「{html.escape(paper['title'])}」，"
                       f"{_local_time(paper['started_at'])[11:16]} 开始，已作答 {answered}/{count} 题，"
                       f"剩余时间 <b>{_minutes(paper['seconds_left'])}</b>（{_local_time(paper['deadline'])[11:16]} 截止，"
                       "计时不因关闭页面而停止）。</p>")
        go_on = w.Button(description="继续未交卷的模拟考试", button_style="primary", layout=w.Layout(width="auto"))
        go_on.on_click(lambda _: self.take(paper))
        anew = w.Button(description="放弃并重新开始", tooltip="这份试卷不评分、不留记录", layout=w.Layout(width="auto"))
        anew.on_click(lambda _: self.abandon())
        return [about, w.HBox([go_on, anew])]

    def abandon(self) -> None:
        try:
            self.backend.call("abandon_mock", self.running["id"])
        except FAILURES as exc:
            self.message.value = f"<p style='color:{RED}'>{escape_html(str(exc))}</p>"
            return
        self.show_choices()

    def _describe(self) -> None:
        chosen = next((b for b in self.choices if b["blueprint"] == self.picker.value), None)
        if chosen is None:
            self.about.value = "<p>暂无可用的模拟考试。</p>"
            return
        sections = "、".join(f"{s['title']} {s['count']} 题×{_points(s['points'])} 分" for s in chosen["sections"])
        self.about.value = (f"<p>共 {chosen['questions']} 题，限时 {chosen['duration_minutes']} 分钟，满分 "
                            f"{_points(chosen['total'])} 分，{_points(chosen['pass_mark'])} 分合格。<br>{sections}</p>")

    @staticmethod
    def _history(history: list[dict[str, Any]]) -> str:
        if not history:
            return "<h4>我的模拟考试记录</h4><p>还没有模拟考试记录。</p>"
        rows = "".join(
            f"<tr><td>{html.escape(_local_time(h['submitted_at']))}</td><td>{html.escape(h['title'])}</td>"
            f"<td>{_points(h['score'])} / {_points(h['max_score'])}</td><td>{_section_scores(h['sections'])}</td>"
            f"<td>{'合格' if h['passed'] else '未合格'}{_late(h)}</td></tr>"
            for h in history)
        return ("<h4>我的模拟考试记录</h4><table class='mock-history' style='border-spacing:10px 4px'>"
                "<tr><th>交卷时间</th><th>试卷</th><th>得分</th><th>各部分</th><th>结论</th></tr>" + rows + "</table>")

    # taking it

    def start(self) -> None:
        self.message.value = "<p>正在抽题……</p>"
        try:
            paper = self.backend.call("start_mock", self.picker.value)
        except FAILURES as exc:
            self.message.value = f"<p style='color:{RED}'>{escape_html(str(exc))}</p>"
            return
        self.take(paper)

    def take(self, paper: dict[str, Any]) -> None:
        """Show the paper (a new one, or a running one again: the same option order, from the exam's id, and the
        answers saved so far); the clock runs to the server's deadline. Each change of an answer is saved."""
        self.paper, self.result = paper, None
        self.deadline = self.now() + dt.timedelta(seconds=float(paper["seconds_left"]))
        seed = f"mock/{paper['id']}"
        self.clock = w.HTML()
        self.progress = w.HTML()
        self.saving = w.HTML()
        self._dirty, self._restoring = False, True
        parts: list[w.Widget] = [w.HTML(f"<h3>{html.escape(paper['title'])}（模拟）</h3>"), self.clock]
        self.views, number = {}, 0
        for i, section in enumerate(paper["sections"], 1):
            parts.append(w.HTML(f"<h4>{_chinese_number(i)}、{html.escape(section['title'])}"
                                f"（共 {len(section['questions'])} 题，每题 {_points(section['points'])} 分）</h4>"))
            for mapping in section["questions"]:
                number += 1
                view = QuestionView(number, question_from_public(mapping), seed)
                view.submit_button.layout.display = "none"  # one 交卷 for the whole paper
                saved = paper["answers"].get(view.question.id, {})
                for key, inp in view.inputs.items():
                    inp.restore(saved.get(key))
                    at_once = inp.item.type in ("single", "multiple", "judge")  # typing is saved once a second
                    for control in list(inp.checkboxes.values()) or [inp.control]:
                        control.observe(lambda _, now=at_once: self._changed(now), names="value")
                self.views[view.question.id] = view
                parts.append(view.widget)
        self._restoring = False
        self.hand_in = w.Button(description="交卷", button_style="danger")
        self.hand_in.on_click(lambda _: self.submit())
        self.outcome = w.HTML()
        parts += [self.progress, self.saving, self.hand_in, self.outcome]
        self.widget.children = parts
        self._update_progress()
        self._tick()
        self._start_clock()

    def _changed(self, save_now: bool) -> None:
        if self._restoring:
            return
        self._update_progress()
        self._dirty = True
        if save_now:
            self.save()

    def save(self) -> None:
        """Send the answers so far (all of them: a repeat does no harm); a failure is said and retried at the next
        change or tick."""
        if not self._dirty or self.paper is None or self.result is not None:
            return
        try:
            self.backend.call("save_mock_progress", self.paper["id"], self.answers())
        except FAILURES as exc:
            self.saving.value = f"<p style='color:{RED}'>答案未保存：{escape_html(str(exc))}</p>"
            return
        self._dirty = False
        self.saving.value = "<p style='color:#666'>答案已自动保存；关闭页面后回到本页可继续作答。</p>"

    def _update_progress(self) -> None:
        answered = sum(1 for v in self.views.values()
                       if all(i.answered() for i in v.inputs.values() if i.item.type != "open"))
        self.progress.value = f"<p>已作答 {answered}/{len(self.views)} 题。时间到时自动交卷。</p>"

    def seconds_left(self) -> float:
        return (self.deadline - self.now()).total_seconds()

    def _tick(self) -> bool:
        """Update the clock; hand in when the time is up. False once the paper is handed in."""
        if self.result is not None:
            return False
        self.save()
        left = self.seconds_left()
        self.clock.value = (f"<p id='mock-clock' style='font-size:1.2em'>剩余时间 <b>{_minutes(left)}</b>"
                            f"（{_local_time(self.paper['deadline'])[11:16]} 截止）</p>")
        if left <= 0:
            self.submit()
            return False
        return True

    def _start_clock(self) -> None:
        try:
            loop = asyncio.get_running_loop()
        except RuntimeError:
            return  # not in a kernel (tests call _tick themselves)

        async def run() -> None:
            while self._tick():
                await asyncio.sleep(1)

        self._ticker = loop.create_task(run())

    def _stop_clock(self) -> None:
        if self._ticker is not None:
            self._ticker.cancel()
            self._ticker = None

    def answers(self) -> dict[str, dict[str, Any]]:
        return {qid: {key: inp.response() for key, inp in view.inputs.items()} for qid, view in self.views.items()}

    def submit(self) -> None:
        if self.paper is None or self.result is not None:
            return
        self.hand_in.disabled = True
        try:
            result = self.backend.call("submit_mock", self.paper["id"], self.answers())
        except FAILURES as exc:
            if getattr(exc, "status", None) == 409:  # given up (in another tab): nothing more to hand in here
                self.outcome.value = f"<p style='color:{RED}'>{escape_html(str(exc))}</p>"
                self._stop_clock()
                self.hand_in.layout.display = "none"
                again = w.Button(description="返回模拟考试", button_style="primary")
                again.on_click(lambda _: self.show_choices())
                self.widget.children = [*self.widget.children, again]
                return
            self.hand_in.disabled = False
            self.outcome.value = f"<p style='color:{RED}'>交卷失败：{escape_html(str(exc))}（可再点一次「交卷」）</p>"
            return
        self.result = result
        self.saving.value = ""
        self.clock.value = (f"<p>已交卷：得分 {_points(result['score'])} / {_points(result['max_score'])}"
                            "，各部分得分见页面底部。</p>")
        for qid, view in self.views.items():
            _reveal(view, _full(result["questions"][qid]), _scores(result["items"][qid]), [])
        self.hand_in.layout.display = "none"
        self.progress.value = ""
        self.outcome.value = self._summary(result)
        again = w.Button(description="返回模拟考试", button_style="primary")
        again.on_click(lambda _: self.show_choices())
        self.widget.children = [*self.widget.children, again]

    @staticmethod
    def _summary(result: dict[str, Any]) -> str:
        rows = "".join(f"<tr><td>{html.escape(s['title'])}</td><td>{_points(s['earned'])} / {_points(s['max'])}</td>"
                       f"<td>{'主观小题 ' + _points(s['unscored']) + ' 分请对照参考答案自评' if s['unscored'] else ''}</td></tr>"
                       for s in result["sections"])
        verdict = (f"<b style='color:{GREEN}'>达到合格线</b>" if result["passed"]
                   else f"<b style='color:{RED}'>未达到合格线</b>")
        scale = (f"（合格线为满分的 {float(result['pass_mark']) / float(result['total']):.0%}；"
                 f"案例分析的主观小题共 {_points(result['unscored'])} 分不自动评分，不计入）" if result["unscored"]
                 else f"（合格线 {_points(result['pass_mark'])} 分）")
        late = ("<br><span style='color:#c62828'>考试时间已到而未交卷：已按保存的答案自动交卷（记为超时）。</span>"
                if result.get("automatic") else
                "<br><span style='color:#c62828'>超过考试时间后交卷（已记为超时）。</span>" if result["overtime"] else "")
        return (f"<div class='mock-result' style='{CARD}'><p>得分 <b id='mock-score'>{_points(result['score'])}</b>"
                f" / {_points(result['max_score'])}，{verdict}{scale}。{late}</p>"
                f"<table class='mock-sections' style='border-spacing:12px 4px'><tr><th>部分</th><th>得分 / 满分</th><th></th></tr>"
                f"{rows}</table><p>每道题的正确答案和解析已列在题下；答错的题已收入错题本。本次模拟考试不计学时。</p></div>")

    def _ipython_display_(self) -> None:
        from IPython.display import display

        display(self.widget)


def _late(record: dict[str, Any]) -> str:
    if record.get("automatic"):
        return "（超时，自动交卷）"
    return "（超时）" if record["overtime"] else ""


def _section_scores(sections: list[dict[str, Any]]) -> str:
    return "、".join(f"{html.escape(s['title'])} {_points(s['earned'])}/{_points(s['max'])}" for s in sections)


def _chinese_number(n: int) -> str:
    return "一二三四五六七八九十"[n - 1] if 1 <= n <= 10 else str(n)


def _local_time(iso: str | None) -> str:
    """An ISO time (UTC) as the officer's wall clock reads it: China Standard Time."""
    if not iso:
        return ""
    at = dt.datetime.fromisoformat(iso).astimezone(dt.timezone(dt.timedelta(hours=8)))
    return at.strftime("%Y-%m-%d %H:%M")


def _page(make: Callable[[str | None], Any], officer: str | None) -> w.VBox:
    """A practice page as every learning page is laid out: the link back to the 学习首页, the 答题人 line (切换答题人 on
    one machine, the login on the site) and the page itself, built again for the officer chosen."""
    on_site = bool(settings.service_url)
    who, fixed = (hub_user(), True) if on_site else page_officer(officer)
    holder = w.VBox()

    def render(chosen: str | None) -> None:
        holder.children = [make(chosen).widget] if chosen or on_site else []

    bar = OfficerBar(who, fixed, render, local=not on_site)
    render(who)
    back = w.HTML(f"<p><a href='{back_link('错题本.ipynb')}' style='color:#1565c0'>← 返回学习首页</a></p>")
    return w.VBox([back, bar.widget, holder])


def wrong_book_page(officer: str | None = None) -> w.VBox:
    return _page(WrongBookPage, officer)


def mock_exam_page(officer: str | None = None) -> w.VBox:
    return _page(MockExamPage, officer)
