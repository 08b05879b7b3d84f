"""Moodle XML export: multichoice (single, and multiple with fractions), truefalse, numerical, shortanswer, essay.

Moodle only accepts fractions from its list of grades (100, 50, 33.33333, 25, 20, 16.66667, …), so a multiple-choice
key of k options gives each correct option 100/k and each wrong option −100/(number of wrong options); both are on
that list for up to six options. Categories come from the topic: ``$course$/执法学堂/<知识点>``.
"""

from __future__ import annotations

from collections import defaultdict
from pathlib import Path

from lxml import etree

from questionbank.model import Question
from questionbank.taxonomy import Taxonomy, default_taxonomy

MOODLE_FRACTIONS = {1: "100", 2: "50", 3: "33.33333", 4: "25", 5: "20", 6: "16.66667"}


def _text(parent, tag: str, value: str, fmt: str | None = None, cdata: bool = False):
    element = etree.SubElement(parent, tag)
    if fmt:
        element.set("format", fmt)
    text = etree.SubElement(element, "text")
    text.text = etree.CDATA(value) if cdata else value
    return element


def _html(text: str) -> str:
    from html import escape

    return "<p>" + "</p><p>".join(escape(line) for line in text.splitlines() if line.strip()) + "</p>"


def _feedback(q: Question) -> str:
    basis = "、".join(str(c) for c in q.all_citations())
    return _html(q.explanation + (f"\n法律依据：{basis}" if basis else ""))


def _question(q: Question) -> etree._Element:
    kind = {"single": "multichoice", "multiple": "multichoice", "judge": "truefalse", "case": "essay"}.get(q.type)
    if q.type == "numeric":
        kind = "numerical" if q.answer is not None else "shortanswer"
    element = etree.Element("question", type=kind)
    _text(element, "name", f"{q.id}")
    stem = q.stem
    if q.type == "case":
        stem = q.stem + "\n" + "\n".join(f"（{i}）{p.stem}" + _part_options(p) for i, p in enumerate(q.parts, 1))
    _text(element, "questiontext", _html(stem), "html", cdata=True)
    _text(element, "generalfeedback", _feedback(q), "html", cdata=True)
    etree.SubElement(element, "defaultgrade").text = "1"
    etree.SubElement(element, "idnumber").text = q.id
    tags = etree.SubElement(element, "tags")
    for tag in [q.topic, *q.laws, *q.tags]:
        _text(tags, "tag", tag)
    if q.type in ("single", "multiple"):
        etree.SubElement(element, "single").text = "true" if q.type == "single" else "false"
        etree.SubElement(element, "shuffleanswers").text = "true"
        etree.SubElement(element, "answernumbering").text = "ABCD"
        keys = q.key_options()
        wrong = len(q.options) - len(keys)
        for letter, text in q.options.items():
            if letter in keys:
                fraction = MOODLE_FRACTIONS[len(keys)]
            else:
                fraction = "0" if q.type == "single" else "-" + MOODLE_FRACTIONS[wrong]
            answer = _text(element, "answer", text, "plain_text")
            answer.set("fraction", fraction)
    elif q.type == "judge":
        for word, value in (("true", True), ("false", False)):
            answer = _text(element, "answer", word)
            answer.set("fraction", "100" if q.answer is value else "0")
    elif q.type == "numeric" and q.answer is not None:
        answer = _text(element, "answer", f"{q.answer:g}")
        answer.set("fraction", "100")
        etree.SubElement(answer, "tolerance").text = f"{q.tolerance:g}"
        if q.unit:
            units = etree.SubElement(element, "units")
            unit = etree.SubElement(units, "unit")
            etree.SubElement(unit, "multiplier").text = "1"
            etree.SubElement(unit, "unit_name").text = q.unit
    elif q.type == "numeric":
        etree.SubElement(element, "usecase").text = "0"
        for accepted in q.accepted:
            _text(element, "answer", accepted).set("fraction", "100")
    elif q.type == "case":
        etree.SubElement(element, "responseformat").text = "editor"
        etree.SubElement(element, "responserequired").text = "1"
        etree.SubElement(element, "responsefieldlines").text = "15"
        etree.SubElement(element, "attachments").text = "0"
        _text(element, "graderinfo", _html(_grader_info(q)), "html", cdata=True)
        _text(element, "responsetemplate", "", "html")
    return element


def _part_options(part) -> str:
    return "".join(f"\n{letter}. {text}" for letter, text in part.options.items())


def _grader_info(q: Question) -> str:
    lines = []
    for i, part in enumerate(q.parts, 1):
        if part.type == "open":
            lines.append(f"（{i}）参考答案：{part.reference}")
            lines += [f"    评分要点：{r.point}（{r.score:g}分）" for r in part.rubric]
        elif part.type == "judge":
            lines.append(f"（{i}）答案：{'正确' if part.answer else '错误'}")
        else:
            lines.append(f"（{i}）答案：{''.join(part.answer) if part.type == 'multiple' else part.answer}")
    return "\n".join(lines)


def moodle_xml(questions: list[Question], taxonomy: Taxonomy | None = None) -> bytes:
    taxonomy = taxonomy or default_taxonomy()
    quiz = etree.Element("quiz")
    by_topic: dict[str, list[Question]] = defaultdict(list)
    for q in questions:
        by_topic[q.topic].append(q)
    for topic, items in by_topic.items():
        title = taxonomy.topics[topic].title if topic in taxonomy.topics else topic
        category = etree.SubElement(quiz, "question", type="category")
        _text(category, "category", f"$course$/执法学堂/{title}")
        for q in items:
            quiz.append(_question(q))
    return etree.tostring(quiz, xml_declaration=True, encoding="UTF-8", pretty_print=True)


def write_moodle_xml(questions: list[Question], output: Path) -> None:
    output.parent.mkdir(parents=True, exist_ok=True)
    output.write_bytes(moodle_xml(questions))
