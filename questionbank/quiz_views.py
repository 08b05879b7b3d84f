"""What the officer sees of one question of a training quiz: the answer widgets and the question view (ipywidgets 8).

``AnswerInput`` is the widgets of one question or 案例分析 part and the response they hold; ``QuestionView`` is one
question on screen (stem, inputs, 提交, feedback). The round logic – rounds, the pass rule, recording, grading by the
service – is ``questionbank.quiz.Quiz``, which lays these views out.
"""

from __future__ import annotations

import html
import random
from typing import Any

import ipywidgets as widgets

from questionbank.laws import Citation
from questionbank.model import PART_TYPES, TYPES, Part, Question
from questionbank.numerals import to_chinese
from questionbank.scoring import Score, key_text


def format_citation(citation: Citation) -> str:
    """行政处罚法@2021#64 → 《行政处罚法》第六十四条"""
    return f"《{citation.law}》第{to_chinese(citation.article)}条"


def escape_html(text: str) -> str:
    """Text as HTML: escaped, line breaks kept."""
    return html.escape(text).replace("\n", "<br>")


def _num(x: float) -> str:
    return str(int(x)) if float(x).is_integer() else str(x)


# Option labels wrap instead of being cut with "…" at ipywidgets' 300 px inline width (RadioButtons and Checkbox
# labels are one fixed-height line); the rules apply to controls carrying OPTIONS_CLASS, on any screen width.
OPTIONS_CLASS = "academy-options"
OPTIONS_STYLE = f"""<style>
.{OPTIONS_CLASS}.widget-radio, .{OPTIONS_CLASS}.jupyter-widget-radio {{ width: auto; max-width: 100%; height: auto; }}
.{OPTIONS_CLASS} .widget-radio-box, .{OPTIONS_CLASS} .jupyter-widget-radio-box {{ min-width: 0; }}
.{OPTIONS_CLASS} .widget-radio-box label, .{OPTIONS_CLASS} .jupyter-widget-radio-box label,
.{OPTIONS_CLASS} .widget-checkbox, .{OPTIONS_CLASS} .jupyter-widget-checkbox,
.{OPTIONS_CLASS} .widget-checkbox label, .{OPTIONS_CLASS} .jupyter-widget-checkbox label,
.{OPTIONS_CLASS} .widget-checkbox span, .{OPTIONS_CLASS} .jupyter-widget-checkbox span {{
  width: auto; max-width: 100%; height: auto; min-height: var(--jp-widgets-inline-height, 28px);
  line-height: 1.5; white-space: normal; overflow: visible; text-overflow: clip; overflow-wrap: anywhere;
}}
.{OPTIONS_CLASS} .widget-radio-box label, .{OPTIONS_CLASS} .jupyter-widget-radio-box label,
.{OPTIONS_CLASS} .widget-checkbox label, .{OPTIONS_CLASS} .jupyter-widget-checkbox label {{
  display: flex; align-items: flex-start; gap: 0.4em; padding: 3px 0; cursor: pointer;
}}
.{OPTIONS_CLASS} input[type="radio"], .{OPTIONS_CLASS} input[type="checkbox"] {{
  flex: none; order: -1; align-self: flex-start; margin: 0.3em 0 0 1px;
}}
</style>"""


def _shown_letter(index: int) -> str:
    return chr(ord("A") + index)


def shown_order(item: Question | Part, shuffle_seed: Any = None) -> list[str]:
    """The bank's option letters of a choice item in the order shown to the officer for this seed (the bank's order
    without a seed, or for items that are not single or multiple choice)."""
    order = list(item.options)
    if shuffle_seed is not None and item.type in ("single", "multiple"):
        random.Random(f"{shuffle_seed}/{item.id}").shuffle(order)
    return order


class AnswerInput:
    """The answer widgets of one question or 案例分析 part, and the response they hold (JSON).

    With a ``shuffle_seed`` the options of a single or multiple choice item are shown in an order drawn from the seed
    and the item's id (the same seed, the same order), labelled A, B, C … in the order shown; the response still holds
    the bank's option letters, so scoring and the records never see the order shown."""

    def __init__(self, item: Question | Part, shuffle_seed: Any = None):
        self.item = item
        self.checkboxes: dict[str, widgets.Checkbox] = {}
        self.order: list[str] = shown_order(item, shuffle_seed)  # the bank's letters, in the order shown
        self.shown = {letter: _shown_letter(i) for i, letter in enumerate(self.order)}  # bank letter -> shown
        if item.type == "single":
            options = [(f"{self.shown[k]}. {item.options[k]}", k) for k in self.order]
            self.control = widgets.RadioButtons(options=options, value=None, layout=widgets.Layout(width="auto"))
            self.control.add_class(OPTIONS_CLASS)
        elif item.type == "multiple":
            self.checkboxes = {k: widgets.Checkbox(value=False, description=f"{self.shown[k]}. {v}", indent=False,
                                                   layout=widgets.Layout(width="auto"))
                               for k, v in item.options.items()}
            self.control = widgets.VBox([self.checkboxes[k] for k in self.order])
            self.control.add_class(OPTIONS_CLASS)
        elif item.type == "judge":
            self.control = widgets.ToggleButtons(options=[("正确", True), ("错误", False)], value=None)
        elif item.type == "numeric":
            self.control = widgets.Text(placeholder="请输入答案")
        elif item.type == "open":
            self.control = widgets.Textarea(placeholder="请写出您的回答（不自动评分，提交后对照参考答案自查）",
                                            layout=widgets.Layout(width="100%", height="8em"))
        else:
            raise ValueError(f"测验不支持题型 {item.type!r}")
        unit = getattr(item, "unit", "")
        self.widget = widgets.HBox([self.control, widgets.Label(unit)]) if unit else self.control
        if item.type in ("single", "multiple"):
            self.widget = widgets.VBox([widgets.HTML(OPTIONS_STYLE, layout=widgets.Layout(display="none")), self.widget])

    def key_text(self) -> str:
        """The key as shown to this officer: ``C. 五日`` or ``A、C、D`` in the letters shown."""
        item = self.item
        if item.type == "single" and item.answer in self.shown:
            return f"{self.shown[item.answer]}. {item.options.get(item.answer, '')}".strip()
        if item.type == "multiple" and item.answer:
            return "、".join(sorted(self.shown.get(k, k) for k in item.answer))
        return key_text(item)

    def response(self) -> Any:
        if self.checkboxes:
            return [k for k, box in self.checkboxes.items() if box.value]
        return self.control.value

    def restore(self, value: Any) -> None:
        """Show a response recorded earlier (a reopened page)."""
        if self.checkboxes:
            for letter, box in self.checkboxes.items():
                box.value = letter in (value or [])
        elif value is not None:
            try:
                self.control.value = value
            except Exception:  # a response the widget cannot hold (the item changed): leave it empty
                pass

    def answered(self) -> bool:
        value = self.response()
        return bool(value.strip()) if isinstance(value, str) else value not in (None, [])

    def set_disabled(self, disabled: bool) -> None:
        for w in list(self.checkboxes.values()) or [self.control]:
            w.disabled = disabled


class QuestionView:
    """One question on screen: stem, answer widgets (one per part for 案例分析), 提交 and feedback."""

    def __init__(self, number: int, question: Question, shuffle_seed: Any = None):
        self.question = question
        self.scores: dict[str, Score] = {}  # by part id ("" for a question without parts)
        self.submitted = False
        self.feedback = widgets.HTML()
        self.part_feedback: dict[str, widgets.HTML] = {}
        self.submit_button = widgets.Button(description="提交", button_style="primary")
        label = TYPES.get(question.type, question.type)
        rows: list[widgets.Widget] = [widgets.HTML(f"<b>第{number}题（{label}）</b> {escape_html(question.stem)}")]
        if question.type == "case":
            part_seed = None if shuffle_seed is None else f"{shuffle_seed}/{question.id}"
            self.inputs = {p.id: AnswerInput(p, part_seed) for p in question.parts}
            for i, part in enumerate(question.parts, 1):
                self.part_feedback[part.id] = widgets.HTML()
                rows += [widgets.HTML(f"<b>（{i}）{PART_TYPES.get(part.type, '')}</b> {escape_html(part.stem)}"),
                         self.inputs[part.id].widget, self.part_feedback[part.id]]
        else:
            self.inputs = {"": AnswerInput(question, shuffle_seed)}
            rows.append(self.inputs[""].widget)
        rows += [self.submit_button, self.feedback]
        self.widget = widgets.VBox(rows, layout=widgets.Layout(border="1px solid #ddd", padding="8px", margin="6px 0"))

    def item_id(self, key: str) -> str:
        return f"{self.question.id}/{key}" if key else self.question.id

    @property
    def scored(self) -> bool:
        return any(inp.item.type != "open" for inp in self.inputs.values())

    @property
    def fraction(self) -> float:
        """Mean over the objective items (0 when nothing is scored)."""
        values = [s.fraction for s in self.scores.values() if s.correct is not None]
        return sum(values) / len(values) if values else 0.0

    @property
    def correct(self) -> bool | None:
        """True when every objective item is right; None before submitting or when nothing is scored."""
        if not self.submitted or not self.scored:
            return None
        return all(s.correct for s in self.scores.values() if s.correct is not None)

    def set_active(self, active: bool) -> None:
        for inp in self.inputs.values():
            inp.set_disabled(not active)
        self.submit_button.disabled = not active

    def show(self, warnings: list[str], key_shown: bool = True) -> None:
        """The feedback after 提交: the verdict once; the key and 解析 when ``key_shown``, else only the articles to
        reread (the question will come back, see ``questionbank.quiz_rounds``)."""
        q = self.question
        for key, part_html in self.part_feedback.items():
            part = self.inputs[key].item
            part_html.value = _part_feedback(part, self.scores[key], self.inputs[key].key_text(), key_shown)
        lines = []
        if q.type == "case":
            objective = [s for s in self.scores.values() if s.correct is not None]
            if objective:
                lines.append(f"客观小题答对 {sum(1 for s in objective if s.correct)}/{len(objective)}")
        else:
            lines.append(_verdict(self.scores[""]))
            if key_shown:
                lines.append(f"正确答案：{escape_html(self.inputs[''].key_text())}")
        if key_shown:
            lines += _explanation(q.explanation, q.basis)
        else:
            lines += _explanation("", q.basis)
            lines.append("本题稍后会再出现（选项顺序不同），请先重读上面的法律依据。")
        lines += [f'<span style="color:#c62828">{escape_html(w)}</span>' for w in warnings]
        self.feedback.value = "<br>".join(lines)


def _verdict(s: Score) -> str:
    if s.correct:
        return '<b style="color:#1a7f37">回答正确</b>'
    extra = "" if s.detail == "回答错误" else f"（{escape_html(s.detail)}）"
    return f'<b style="color:#c62828">回答错误</b>{extra}'


def _explanation(explanation: str, basis: list[Citation]) -> list[str]:
    lines = [f"解析：{escape_html(explanation)}"] if explanation else []
    if basis:
        lines.append("法律依据：" + "、".join(escape_html(format_citation(c)) for c in basis))
    return lines


def _part_feedback(part: Part, s: Score, key_text: str, key_shown: bool = True) -> str:
    if not key_shown:
        return "<br>".join([_verdict(s)] + _explanation("", part.basis))
    if part.type == "open":
        points = "".join(f"<li>{escape_html(r.point)}（{_num(r.score)}分）</li>" for r in part.rubric)
        lines = [f"参考答案：{escape_html(part.reference)}",
                 f"评分要点（共{_num(part.points)}分，请自查，本小题不自动评分）：<ul>{points}</ul>"]
    else:
        lines = [_verdict(s), f"正确答案：{escape_html(key_text)}"]
    return "<br>".join(lines + _explanation("", part.basis))
