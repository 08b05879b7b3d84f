"""What the course notebooks call: open a module, show its quizzes, record 学时 when it is completed; the 学习首页.

A module is completed when every quiz of it has been passed (see ``questionbank.quiz`` for the pass rule); its
学时 are then recorded once for the officer, the module and the year. Who is answering: the hub user
(``JUPYTERHUB_USER``), else the configured ``ACADEMY_OFFICER`` (both by ``ground.identity``), else the officer confirmed
on this machine against the roster (``academy.identity``: the 答题人 line with 切换答题人 at the top of every page).
A page's quizzes are built for the officer answering and built anew when the officer changes.

On the site (``ACADEMY_SERVICE_URL`` set by the hub) the kernel holds no keys and writes nothing: questions come from
the 学堂服务 without keys, each answer is graded there, and the service decides and records the module's 学时.
"""

from __future__ import annotations

import datetime as dt
import html

import ipywidgets as w

from academy import identity
from academy.service_client import ServiceClient, ServiceError
from curriculum import catalog
from ground.identity import hub_user
from ground.settings import settings
from ground.vocabulary import CATEGORIES
from questionbank.quiz import Attempt, Quiz, QuizResult
from questionbank.quiz_rounds import answers_from_records
from tracker import service
from tracker.rules import Rules


class _Recorder:
    """Sends quiz attempts to the tracker."""

    def __init__(self, module: "Module", quiz_id: str):
        self.module, self.quiz_id = module, quiz_id

    def record_attempt(self, attempt: Attempt) -> None:
        service.record_quiz_attempt(attempt.officer, self.module.spec.id, self.quiz_id, attempt.question_id,
                                    attempt.response, attempt.correct, attempt.fraction, attempt.at)


class _Opened:
    """The service's grader with the round already fetched (the page asks the service once when it opens)."""

    def __init__(self, grader, opened):
        self.grader, self.opened = grader, opened

    def open(self):
        opened, self.opened = self.opened, None
        return opened or self.grader.open()

    def grade(self, question, responses):
        return self.grader.grade(question, responses)


class ModuleQuiz:
    """A quiz of a module as shown in the notebook: the quiz and the module's completion message under it."""

    def __init__(self, quiz: Quiz, status: w.HTML):
        self.quiz = quiz
        self.widget = w.VBox([quiz.widget, status])

    def _ipython_display_(self) -> None:
        from IPython.display import display

        display(self.widget)


class PageQuiz:
    """A quiz where the notebook shows it (``module.quiz("q1")``): the ``ModuleQuiz`` for the officer answering, built
    again when 切换答题人 changes who; until someone is confirmed, a line that says where to enter the 人员编号."""

    def __init__(self, module: "Module", quiz_id: str):
        self.module, self.quiz_id = module, quiz_id
        self.shown: ModuleQuiz | w.HTML | None = None
        self.widget = w.VBox()
        self.build()

    @property
    def quiz(self) -> Quiz | None:
        return getattr(self.shown, "quiz", None)

    def build(self) -> None:
        if not self.module.officer:
            self.shown = None
            self.widget.children = [w.HTML("<p><b>请先在本页上方输入您的人员编号并确认，然后作答。</b></p>")]
            return
        self.shown = self.module.build_quiz(self.quiz_id)
        self.widget.children = [getattr(self.shown, "widget", self.shown)]

    def _ipython_display_(self) -> None:
        from IPython.display import display

        display(self.widget)


def back_link(notebook: str) -> str:
    """The link from a module page (``notebook`` relative to courses/) to the 学习首页, in the same window."""
    return "../" * notebook.count("/") + "index.ipynb"


class Module:
    """Open a module at the top of its notebook: ``module = Module("legal-cf-hearing")``."""

    def __init__(self, module_id: str, officer: str | None = None, today: dt.date | None = None):
        self.spec = catalog.module(module_id)
        self.client = ServiceClient() if settings.service_url else None
        self.officer, fixed = (hub_user(), True) if self.client else identity.page_officer(officer)
        self.today = today
        self.status = w.HTML()
        self.header = w.HTML(self._header())
        self.officer_bar = identity.OfficerBar(self.officer, fixed, self._officer_changed, local=self.client is None)
        self.quizzes: list[PageQuiz] = []
        self._refresh_status()

    def _officer_changed(self, officer: str | None) -> None:
        self.officer = officer
        self._refresh_status()
        for shown in self.quizzes:
            shown.build()

    def _header(self) -> str:
        spec = self.spec
        posts = "、".join(spec.posts) or "全体执法人员"
        return (f"<p><a href='{html.escape(back_link(spec.notebook))}' style='color:#1565c0'>← 返回学习首页</a></p>"
                f"<div style='border-left:4px solid #1565c0;padding:4px 12px;background:#f5f9ff'>"
                f"<b>{html.escape(spec.title)}</b><br>类别：{CATEGORIES[spec.category]}　学时：{spec.hours:g}"
                f"　层级：{spec.level}　适用：{html.escape(posts)}<br>完成条件：本模块 {len(spec.quizzes)} 个测验均达到合格线"
                f"（{spec.pass_mark:.0%}），完成后记入 {spec.hours:g} 学时（每年一次）。</div>")

    def _year(self) -> int:
        return (self.today or dt.date.today()).year

    def _refresh_status(self) -> None:
        if not self.officer:
            self.status.value = "<i>答题前请先在本页上方输入人员编号。</i>"
            return
        done = _progress(self.client, self.officer, self._year())["modules"]
        if self.spec.id in done:
            self.status.value = (f"<p style='color:#2e7d32'><b>✔ {html.escape(self.officer)} 已完成本模块，"
                                 f"{self._year()}年度已记入 {done[self.spec.id]:g} 学时。</b></p>")
        else:
            self.status.value = f"<p>本年度尚未完成本模块（答题人：{html.escape(self.officer)}）。</p>"

    def quiz(self, quiz_id: str) -> PageQuiz:
        """The quiz as the page shows it (see ``PageQuiz``)."""
        shown = PageQuiz(self, quiz_id)
        self.quizzes.append(shown)
        return shown

    def build_quiz(self, quiz_id: str) -> ModuleQuiz | w.HTML:
        if self.client is not None:
            return self._service_quiz(quiz_id)
        slots = catalog.quiz_slots(self.spec, quiz_id)
        quiz = Quiz([s[0] for s in slots], recorder=_Recorder(self, quiz_id), officer=self.officer,
                    quiz_id=f"{self.spec.id}/{quiz_id}", pass_mark=self.spec.pass_mark,
                    on_complete=lambda result: self._passed(quiz_id, result),
                    shuffle_seed=lambda officer: self._shuffle_seed(officer, quiz_id),
                    alternates={s[0].id: s[1:] for s in slots},
                    history=lambda officer: answers_from_records(
                        service.quiz_history(officer, self.spec.id, quiz_id, self._year())))
        return ModuleQuiz(quiz, self.status)

    def _shuffle_seed(self, officer: str, quiz_id: str) -> str:
        """Options in an order drawn per officer and round, the same when the page is reopened (keys stay stored by the
        bank's option letters)."""
        return f"{officer.lower()}/{self.spec.id}/{quiz_id}"

    def _service_quiz(self, quiz_id: str) -> ModuleQuiz | w.HTML:
        grader = self.client.grader(self.spec.id, quiz_id)
        try:
            opened = grader.open()
        except ServiceError as exc:
            return w.HTML(f"<p style='color:#c62828'>测验载入失败：{html.escape(str(exc))}</p>")
        quiz = Quiz(opened.questions, officer=self.officer, quiz_id=f"{self.spec.id}/{quiz_id}",
                    pass_mark=self.spec.pass_mark, grader=_Opened(grader, opened),
                    on_complete=self._service_passed, shuffle_seed=lambda officer: self._shuffle_seed(officer, quiz_id))
        return ModuleQuiz(quiz, self.status)

    def _service_passed(self, result: QuizResult) -> None:
        """The service recorded the pass (and the 学时): its word is shown once, in the module's status under the quiz
        (the quiz itself only says 本测验已通过)."""
        if result.message:
            colour = "#2e7d32" if "已记入" in result.message else "inherit"
            self.status.value = f"<p style='color:{colour}'><b>{html.escape(result.message)}</b></p>"
        else:
            self._refresh_status()

    def _passed(self, quiz_id: str, result: QuizResult) -> None:
        self.officer = result.officer
        on = self.today or dt.date.today()
        passed = service.record_quiz_pass(result.officer, self.spec.id, quiz_id, result.score, on)
        missing = [q.title for q in self.spec.quizzes if q.id not in passed]
        if missing:
            self.status.value = f"<p>测验已通过。本模块还有未通过的测验：{html.escape('、'.join(missing))}。</p>"
            return
        entry = service.record_module_completion(result.officer, self.spec.id, self.spec.title, self.spec.category,
                                                 self.spec.hours, on)
        if entry is None:
            self._refresh_status()
            self.status.value += "<p>（本年度已记过本模块的学时，不重复记录。）</p>"
        else:
            self.status.value = (f"<p style='color:#2e7d32'><b>✔ 恭喜完成本模块！已记入 {self.spec.hours:g} 学时"
                                 f"（{CATEGORIES[self.spec.category]}，{on.year}年度）。</b></p>")

    def _ipython_display_(self) -> None:
        from IPython.display import display

        display(w.VBox([self.header, self.officer_bar.widget, self.status]))


def home(officer: str | None = None, year: int | None = None) -> w.VBox:
    """The 学习首页: who is answering (切换答题人), this officer's hours this year against the requirement, and the
    modules by category, each a link that opens the module's page in the same window (done ones marked)."""
    year = year or dt.date.today().year
    rules = Rules.load()
    client = ServiceClient() if settings.service_url else None
    progress_box = w.VBox()

    def render(who: str | None) -> None:
        progress_box.children = [w.HTML(_progress_html(client, rules, who, year))]

    who, fixed = (hub_user(), True) if client else identity.page_officer(officer)
    bar = identity.OfficerBar(who, fixed, render, local=client is None)
    render(who)
    return w.VBox([bar.widget, progress_box])


DONE_MARK = "　<b style='color:#2e7d32'>✔ 本年度已完成</b>"


def _progress_html(client: ServiceClient | None, rules: Rules, who: str | None, year: int) -> str:
    progress = _progress(client, who, year) if who else {"modules": {}, "standing": {}}
    done, standing = progress["modules"], progress["standing"]
    parts = []
    if who:
        parts.append(f"<h3>{year} 年度学习进度</h3><p>{html.escape(rules.describe())}</p>")
        required = rules.required()
        for category, label in CATEGORIES.items():
            have = float(standing.get(label, 0) or 0)
            need = required.get(category, required.get("total", 0))
            share = min(have / need, 1) if need else 1
            color = "#2e7d32" if have >= need else "#1565c0"
            parts.append(f"<div class='academy-progress' style='margin:4px 0 10px'><b>{label}</b>：{have:g} / {need:g} 学时"
                         f"<div style='background:#e0e0e0;border-radius:4px;height:10px;max-width:420px'>"
                         f"<div style='background:{color};border-radius:4px;height:10px;width:{share:.0%}'></div></div></div>")
    for category, label in CATEGORIES.items():
        modules = [m for m in catalog.catalog() if m.category == category]
        total = sum(m.hours for m in modules)
        rows = "".join(
            f"<li style='margin:0 0 10px'><a href='{html.escape(m.notebook)}' style='color:#1565c0;font-size:1.05em'>"
            f"{html.escape(m.title)}</a><br><span style='color:#555'>{m.hours:g} 学时 · {m.level} · {html.escape(m.domain)}"
            f"</span>{DONE_MARK if m.id in done else ''}</li>"
            for m in modules)
        parts.append(f"<h3>{label}（{len(modules)} 个模块，共 {total:g} 学时）</h3>"
                     f"<ul class='academy-modules' style='list-style:none;padding-left:0'>{rows}</ul>")
    return "".join(parts)


def _progress(client: ServiceClient | None, officer: str, year: int) -> dict:
    """Completed modules and standing: from the service on the site, from the local tracker otherwise."""
    if client is None:
        return service.study_progress(officer, year)
    try:
        return client.progress(year)
    except ServiceError:
        return {"modules": {}, "standing": {}}
