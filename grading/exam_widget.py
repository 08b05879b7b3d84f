"""The exam as the officer sees it: answer widgets, a countdown and the answers file, in the kernel.

The exam notebook (``grading.build``) runs::

    from grading.exam_widget import ExamSession
    exam = ExamSession()
    exam                      # the header: who is answering, the countdown
    exam.section("single")    # one cell per section: the questions, in the officer's order
    exam.status("cf-hearing-001")   # one grade cell per objective item: 已作答 / 未作答, nothing else

``ExamSession`` reads ``exam.json`` beside the notebook (the kernel's working folder): the public paper, which
holds no key. Questions of a section and the options of a question are shown in the officer's own order
(``grading.answers.shuffle_order`` / ``option_order``); the labels show display letters A, B, C …, the value
stored is the bank's letter. Every change is written at once to ``answers.json`` (``grading.answers``), and a new
session in the same folder (kernel restart, reopened notebook) shows the saved answers again.

The countdown runs from the officer's first opening: ``deadline = started_at + duration``, fixed then and kept in
the answers file. A small background thread only updates the countdown text; when the time is up every answer
widget is disabled and nothing more is recorded.
"""

from __future__ import annotations

import html
import json
import threading
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import Any, Callable

import ipywidgets as widgets

from grading.answers import AnswerFile, now_utc, option_order, parse_time, shuffle_order
from ground.identity import hub_user
from questionbank.quiz import MAX_OFFICER_LENGTH, identify_officer, remember_officer

EXAM_FILE = "exam.json"
DISPLAY_LETTERS = "ABCDEFGHIJ"
TYPE_LABELS = {"single": "单选", "multiple": "多选", "judge": "判断", "case": "案例分析", "open": "简答"}
BEIJING = timezone(timedelta(hours=8))
RED = "#c62828"
GREEN = "#1a7f37"
TIME_UP = "考试时间已到，答题已停止。已选的答案均已保存，请保存试卷并提交。"

_current: "ExamSession | None" = None  # the session last opened in this kernel (its timer is stopped on reopen)


def _h(text: Any) -> str:
    return html.escape(str(text)).replace("\n", "<br>")


def _num(x: Any) -> str:
    x = float(x)
    return str(int(x)) if x.is_integer() else f"{x:g}"


def _clock_text(seconds: float) -> str:
    seconds = max(0, int(seconds))
    return f"{seconds // 3600:02d}:{seconds % 3600 // 60:02d}:{seconds % 60:02d}"


class ItemInput:
    """The answer widgets of one objective item (a question or a 案例分析 part), options in the officer's order."""

    def __init__(self, key: str, item: dict, order: list[str], value: Any, on_change: Callable[["ItemInput"], None]):
        self.key, self.type = key, item["type"]
        self.on_change = on_change
        self.checkboxes: dict[str, widgets.Checkbox] = {}
        options = item.get("options") or {}
        labels = [(f"{DISPLAY_LETTERS[i]}. {options[letter]}", letter) for i, letter in enumerate(order)]
        if self.type == "single":
            self.control = widgets.RadioButtons(options=labels, value=value if value in options else None,
                                                layout=widgets.Layout(width="auto"))
            self.control.observe(self._changed, names="value")
        elif self.type == "multiple":
            chosen = set(value) if isinstance(value, list) else set()
            for label, letter in labels:
                box = widgets.Checkbox(value=letter in chosen, description=label, indent=False,
                                       layout=widgets.Layout(width="auto"))
                box.observe(self._changed, names="value")
                self.checkboxes[letter] = box
            self.control = widgets.VBox(list(self.checkboxes.values()))
        elif self.type == "judge":
            self.control = widgets.ToggleButtons(options=[("正确", True), ("错误", False)],
                                                 value=value if isinstance(value, bool) else None)
            self.control.observe(self._changed, names="value")
        else:
            raise ValueError(f"试卷不支持点选作答的题型 {self.type!r}")
        self._quiet = False

    def _changed(self, _change: Any) -> None:
        if not self._quiet:
            self.on_change(self)

    def response(self) -> Any:
        if self.checkboxes:
            return sorted(letter for letter, box in self.checkboxes.items() if box.value) or None
        return self.control.value

    def show(self, value: Any) -> None:
        """Show ``value`` without recording it."""
        self._quiet = True
        try:
            if self.checkboxes:
                chosen = set(value) if isinstance(value, list) else set()
                for letter, box in self.checkboxes.items():
                    box.value = letter in chosen
            elif self.type == "judge":
                self.control.value = value if isinstance(value, bool) else None
            else:
                self.control.value = value if value in dict((v, v) for _, v in self.control.options) else None
        finally:
            self._quiet = False

    def set_disabled(self, disabled: bool) -> None:
        for w in list(self.checkboxes.values()) or [self.control]:
            w.disabled = disabled


class ExamSession:
    """One officer's sitting of one exam form (see the module docstring)."""

    def __init__(self, folder: str | Path | None = None, officer: str | None = None,
                 clock: Callable[[], datetime] = now_utc, timer: bool = True):
        global _current
        if _current is not None:
            _current.stop()
        _current = self
        self.folder = Path(folder) if folder is not None else Path.cwd()
        self.clock = clock
        self.use_timer = timer
        self.error = ""
        self.paper: dict[str, Any] = {}
        self.items: dict[str, tuple[dict, dict, dict | None]] = {}  # key -> (section, question, part)
        self.file = AnswerFile(self.folder)
        self.data: dict[str, Any] = {}
        self.deadline: datetime | None = None
        self.expired = False
        self.inputs: dict[str, list[ItemInput]] = {}
        self.status_widgets: dict[str, list[widgets.HTML]] = {}
        self.section_boxes: dict[str, list[widgets.VBox]] = {}
        self.numbers: dict[str, str] = {}  # key -> "单项选择题 第3题" in the officer's order
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None

        self.title_html = widgets.HTML()
        self.officer_html = widgets.HTML()
        self.clock_html = widgets.HTML()
        self.message_html = widgets.HTML()
        self.officer_text = widgets.Text(placeholder="人员编号")
        self.officer_button = widgets.Button(description="确定", button_style="primary")
        self.officer_button.on_click(lambda _: self.confirm_officer(self.officer_text.value))
        self.officer_box = widgets.HBox()
        self.submit_control = SubmitControl(self)
        self.widget = widgets.VBox([self.title_html, self.officer_html, self.officer_box, self.clock_html,
                                    self.message_html, self.submit_control.widget],
                                   layout=widgets.Layout(border="1px solid #ccc", padding="8px", margin="4px 0"))
        self._load_paper()
        if self.error:
            self._show_message(self.error, RED)
            return
        self.title_html.value = f"<h3 style='margin:0'>{_h(self.paper.get('title', ''))}</h3>"
        self.officer = officer or self._desk_officer() or identify_officer() or self._officer_from_file()
        if self.officer:
            self._begin()
        else:
            self.officer_html.value = "<b>请输入您的人员编号，确认后开始计时：</b>"
            self.officer_box.children = [self.officer_text, self.officer_button]

    # --- the paper ---------------------------------------------------------------------------------------

    def _load_paper(self) -> None:
        path = self.folder / EXAM_FILE
        try:
            paper = json.loads(path.read_text(encoding="utf-8"))
            if not isinstance(paper, dict) or not isinstance(paper.get("sections"), list):
                raise ValueError("内容不是试卷")
        except FileNotFoundError:
            self.error = f"找不到试卷文件 {EXAM_FILE}（应与试卷笔记本在同一文件夹），请联系监考人员。"
            return
        except (ValueError, UnicodeDecodeError) as exc:
            self.error = f"试卷文件 {EXAM_FILE} 无法读取（{exc}），请联系监考人员。"
            return
        self.paper = paper
        for section in paper["sections"]:
            for question in section.get("questions", []):
                if question["type"] == "case":
                    for part in question.get("parts", []):
                        if part["type"] != "open":
                            self.items[f"{question['id']}/{part['id']}"] = (section, question, part)
                else:
                    self.items[question["id"]] = (section, question, None)

    def _desk_officer(self) -> str | None:
        """Off the hub, the officer the answers file names (his desk's form, handed out by ``academy exam sit``) comes
        before the environment's or the kernel's: one account, many officers. On the hub the login decides."""
        return None if hub_user() else self._officer_from_file()

    def _officer_from_file(self) -> str | None:
        """After a kernel restart without $JUPYTERHUB_USER/$ACADEMY_OFFICER: the officer of the answers file."""
        data = self.file.load()
        officer = data.get("officer")
        return officer if isinstance(officer, str) and officer.strip() else None

    # --- who is answering --------------------------------------------------------------------------------

    def confirm_officer(self, value: str) -> bool:
        if self.officer or self.error:
            return False
        value = (value or "").strip()
        if not value or len(value) > MAX_OFFICER_LENGTH:
            self._show_message("请输入有效的人员编号", RED)
            return False
        remember_officer(value)
        self.officer = value
        self.officer_box.children = []
        self._begin()
        return True

    def _begin(self) -> None:
        self.officer_html.value = f"考生：<b>{_h(self.officer)}</b>　　{_h(self.paper.get('form', ''))}卷"
        try:
            self.data = self.file.start(self.paper["exam"], self.paper["assignment"], self.officer,
                                        self.paper["duration_minutes"], now=self.clock())
        except PermissionError as exc:
            self.error = f"{exc}。请确认打开的是自己的试卷，或联系监考人员。"
            self._show_message(self.error, RED)
            for boxes in self.section_boxes.values():
                for box in boxes:
                    box.children = [widgets.HTML(f'<span style="color:{RED}">{_h(self.error)}</span>')]
            return
        if self.file.problem:
            self._show_message(self.file.problem, RED)
        self.deadline = parse_time(self.data["deadline"])
        for section_id, boxes in self.section_boxes.items():
            for box in boxes:
                self._fill_section(section_id, box)
        self.tick()
        if self.use_timer and not self.expired:
            self._thread = threading.Thread(target=self._run_timer, name="exam-countdown", daemon=True)
            self._thread.start()

    # --- countdown ---------------------------------------------------------------------------------------

    def remaining(self) -> float:
        """Seconds left (0 when the time is up; the full duration before the officer is known)."""
        if self.deadline is None:
            return float(self.paper.get("duration_minutes", 0)) * 60
        return max(0.0, (self.deadline - self.clock()).total_seconds())

    def tick(self) -> None:
        """Update the countdown; disable everything when the time is up."""
        if self.deadline is None:
            return
        left = self.remaining()
        end = self.deadline.astimezone(BEIJING).strftime("%Y-%m-%d %H:%M")
        if left <= 0:
            self.clock_html.value = f'<b style="color:{RED}">剩余时间 00:00:00</b>　（截止时间 {end}，北京时间）'
            self.expire()
        else:
            color = RED if left < 300 else "#1f4e79"
            self.clock_html.value = (f'<b style="color:{color};font-size:120%">剩余时间 {_clock_text(left)}</b>'
                                     f'　（截止时间 {end}，北京时间）')

    def _run_timer(self) -> None:
        while not self._stop.wait(1.0):
            try:
                self.tick()
            except Exception:  # a closed comm after the notebook is gone: nothing left to update
                return
            if self.expired:
                return

    def stop(self) -> None:
        self._stop.set()

    def expire(self) -> None:
        if self.expired:
            return
        self.expired = True
        self.stop()
        for inputs in self.inputs.values():
            for inp in inputs:
                inp.set_disabled(True)
        self._show_message(TIME_UP, RED)

    # --- sections ----------------------------------------------------------------------------------------

    def section(self, section_id: str) -> widgets.VBox:
        """The questions of one section in the officer's order, showing the saved answers."""
        box = widgets.VBox(layout=widgets.Layout(margin="4px 0"))
        if self.error:
            box.children = [widgets.HTML(f'<span style="color:{RED}">{_h(self.error)}</span>')]
            return box
        if not any(s["id"] == section_id for s in self.paper["sections"]):
            box.children = [widgets.HTML(f'<span style="color:{RED}">试卷中没有部分 {_h(section_id)}</span>')]
            return box
        self.section_boxes.setdefault(section_id, []).append(box)
        if self.officer and self.data:
            self._fill_section(section_id, box)
        else:
            box.children = [widgets.HTML("（请先在试卷上方输入人员编号，题目随后显示）")]
        return box

    def question_order(self, section_id: str) -> list[str]:
        section = next(s for s in self.paper["sections"] if s["id"] == section_id)
        return shuffle_order(self.paper["exam"], self.officer, [q["id"] for q in section["questions"]],
                             salt=f"section|{section_id}")

    def _fill_section(self, section_id: str, box: widgets.VBox) -> None:
        section = next(s for s in self.paper["sections"] if s["id"] == section_id)
        by_id = {q["id"]: q for q in section["questions"]}
        order = self.question_order(section_id)
        n = len(order)
        head = (f"<h4 style='margin:8px 0 4px'>{_h(section['title'])}（共{n}题，每题{_num(section['points'])}分，"
                f"共{_num(section['points'] * n)}分）</h4>")
        rows: list[widgets.Widget] = [widgets.HTML(head)]
        answers = self.data.get("answers", {})
        for number, qid in enumerate(order, 1):
            question = by_id[qid]
            label = TYPE_LABELS.get(question["type"], question["type"])
            title = f"<b>第{number}题（{label}，{_num(question.get('points', section['points']))}分）</b>"
            parts: list[widgets.Widget] = [widgets.HTML(f"{title} {_h(question['stem'])}")]
            if question["type"] == "case":
                for k, part in enumerate(question.get("parts", []), 1):
                    plabel = TYPE_LABELS.get(part["type"], part["type"])
                    ptitle = f"<b>（{k}）{plabel}（{_num(part.get('points', 0))}分）</b> {_h(part['stem'])}"
                    if part["type"] == "open":
                        where = (f"<span style='color:#555'>请在试卷下方标有「{_h(section['title'])} "
                                 f"{_h(qid)}（{k}）」的答题框中用文字作答。</span>")
                        parts.append(widgets.HTML(f"{ptitle}<br>{where}"))
                        continue
                    key = f"{qid}/{part['id']}"
                    self.numbers[key] = f"{section['title']} 第{number}题（{k}）"
                    parts += [widgets.HTML(ptitle), self._input(key, part, answers.get(key)).control]
            else:
                self.numbers[qid] = f"{section['title']} 第{number}题"
                parts.append(self._input(qid, question, answers.get(qid)).control)
            rows.append(widgets.VBox(parts, layout=widgets.Layout(border="1px solid #ddd", padding="6px",
                                                                  margin="4px 0")))
        box.children = rows
        for key in self.status_widgets:
            self._update_status(key)

    def _input(self, key: str, item: dict, value: Any) -> ItemInput:
        letters = list((item.get("options") or {}).keys())
        order = option_order(self.paper["exam"], self.officer, key, letters) if letters else []
        inp = ItemInput(key, item, order, value, self._changed)
        inp.set_disabled(self.expired)
        self.inputs.setdefault(key, []).append(inp)
        return inp

    # --- recording ---------------------------------------------------------------------------------------

    def _changed(self, inp: ItemInput) -> None:
        stored = self.data.get("answers", {}).get(inp.key)
        if self.expired or self.remaining() <= 0:
            inp.show(stored)
            self.tick()
            return
        try:
            self.data = self.file.record(inp.key, inp.response(), now=self.clock())
        except OSError as exc:
            inp.show(stored)
            self._show_message(f"答案保存失败，请立即联系监考人员：{exc}", RED)
            return
        value = self.data["answers"].get(inp.key)
        for other in self.inputs.get(inp.key, []):
            if other is not inp:
                other.show(value)
        self._update_status(inp.key)

    def record(self, key: str, response: Any) -> None:
        """Set an answer as a click would (used by tests and by the officer's widgets alike)."""
        for inp in self.inputs.get(key, [])[:1]:
            inp.show(response)
            self._changed(inp)
            return
        raise KeyError(f"试卷中没有可点选作答的题目 {key}（或该部分尚未显示）")

    # --- status (the grade cells) ------------------------------------------------------------------------

    def status(self, key: str) -> widgets.HTML:
        """已作答 / 未作答 for one objective question or part (``qid`` or ``qid/partid``); nothing else."""
        label = widgets.HTML()
        self.status_widgets.setdefault(key, []).append(label)
        self._update_status(key)
        return label

    def answered(self, key: str) -> bool:
        return key in (self.data.get("answers") or {})

    def _update_status(self, key: str) -> None:
        if key not in self.items:
            text = f'<span style="color:{RED}">试卷中没有题目 {_h(key)}</span>'
        else:
            name = self.numbers.get(key) or self._paper_name(key)
            text = (f'{_h(name)}：<b style="color:{GREEN}">已作答</b>' if self.answered(key)
                    else f'{_h(name)}：<span style="color:#888">未作答</span>')
        for label in self.status_widgets.get(key, []):
            label.value = text

    def _paper_name(self, key: str) -> str:
        section, question, part = self.items[key]
        return f"{section['title']} {question['id']}" + (f"（{part['id']}）" if part else "")

    # --- display -----------------------------------------------------------------------------------------

    def _show_message(self, text: str, color: str = "#333") -> None:
        self.message_html.value = f'<span style="color:{color}">{_h(text)}</span>'

    def _ipython_display_(self) -> None:
        from IPython.display import display

        display(self.widget)


# --- 提交试卷 (one machine: nbgrader's exchange under the officer's 人员编号, grading.exchange) -----------------------


class SubmitControl:
    """The 提交试卷 button of the header: a first click says what is unanswered (and that the notebook must be saved
    for the 案例分析 text to go with it), 确认提交 submits the folder under the answers file's officer
    (``grading.exchange.submit``). Submitting again is allowed; collect takes the last submission."""

    def __init__(self, session: ExamSession):
        self.session = session
        self.button = widgets.Button(description="提交试卷", button_style="warning", icon="paper-plane")
        self.confirm = widgets.Button(description="确认提交", button_style="danger")
        self.message = widgets.HTML()
        self.button.on_click(lambda _: self.ask())
        self.confirm.on_click(lambda _: self.submit())
        self.widget = widgets.VBox([widgets.HBox([self.button]), self.message])

    def ask(self) -> str:
        session = self.session
        if session.error or not session.officer:
            text = session.error or "请先确认人员编号。"
            self.message.value = f'<span style="color:{RED}">{_h(text)}</span>'
            return text
        open_items = sum(1 for key in session.items if not session.answered(key))
        empty = _empty_case_cells(session.folder)
        text = (f"考生 {session.officer}：还有 {open_items} 道点选题未作答；已保存的试卷中有 {empty} 个案例分析答题框为空。"
                "提交前请先保存试卷（Ctrl+S），案例分析的文字以保存的内容为准。确认提交吗？")
        self.message.value = f"<span>{_h(text)}</span>"
        self.widget.children = [widgets.HBox([self.button, self.confirm]), self.message]
        return text

    def submit(self) -> str:
        from grading.exchange import ExchangeProblem, submit

        self.widget.children = [widgets.HBox([self.button]), self.message]
        try:
            officer = submit(self.session.folder)
        except (ExchangeProblem, OSError) as exc:
            text = f"提交未成功：{exc}。请联系监考人员。"
            self.message.value = f'<span style="color:{RED}">{_h(text)}</span>'
            return text
        moment = now_utc().astimezone(BEIJING).strftime("%Y-%m-%d %H:%M:%S")
        text = f"已提交：考生 {officer}，{moment}（北京时间）。如再次提交，以最后一次为准。"
        self.message.value = f'<b style="color:{GREEN}">{_h(text)}</b>'
        return text


def _empty_case_cells(folder: Path) -> int:
    """案例分析 answer cells of the saved notebook still empty (the stub only)."""
    from grading.build import ANSWER_STUB, NOTEBOOK

    try:
        nb = json.loads((folder / NOTEBOOK).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return 0
    empty = 0
    for cell in nb.get("cells", []):
        if str(cell.get("metadata", {}).get("nbgrader", {}).get("grade_id", "")).startswith("case-"):
            source = cell.get("source", "")
            text = "".join(source) if isinstance(source, list) else str(source)
            empty += text.strip() in ("", ANSWER_STUB)
    return empty
