"""Answering a course quiz in the browser the way an officer does: by clicking (options found by their text, so the
order they are shown in does not matter)."""

import re


def answer_question(page, number, question, submit=True, right=True):
    """Click the answer of question ``number`` (the key, or a wrong option when ``right`` is False) and 提交."""
    box = page.locator(".widget-vbox", has=page.get_by_text(re.compile(f"^第{number}题（"))).last
    box.scroll_into_view_if_needed()
    items = question.parts if question.type == "case" else [question]
    for i, item in enumerate(items):
        if item.type == "single":
            letter = item.answer if right else next(k for k in item.options if k != item.answer)
            box.locator(".widget-radio-box label", has_text=_option(item.options[letter])).first.click()
        elif item.type == "multiple":
            for letter in item.answer:
                box.locator(".widget-checkbox label", has_text=_option(item.options[letter])).first.click()
        elif item.type == "judge":
            verdict = "正确" if bool(item.answer) == right else "错误"
            box.locator(".widget-toggle-button", has_text=verdict).nth(i if question.type == "case" else 0).click()
        elif item.type == "numeric":
            box.locator(".widget-text input").first.fill(str(int(item.answer)) if item.answer is not None else item.accepted[0])
        else:
            box.locator("textarea").first.fill("参考答案要点自查")
    if submit:
        box.get_by_role("button", name="提交").click()
    return box


def _option(text):
    """An option's label, whatever letter it is shown under (the whole label, so a shorter option never matches)."""
    return re.compile(r"^\s*[A-F][.．、]\s*" + re.escape(text) + r"\s*$")
