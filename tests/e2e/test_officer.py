"""An officer on the learning pages of ``make run``, in Chromium, at desktop and phone width: the 学习首页 → who am I
(checked against the roster) → a module in the same window → read it (flow chart, calculator) → answer every question by
clicking → retry → complete → back to the 学习首页, which shows the module done. On every page: no code, no English,
no error, no dialog; nothing written into courses/.

The server is started as ``make run`` starts it (``academy pages``) and the link it prints is the one opened. The test
reads the questions shown on the page and learns their keys from the bank files, so it answers whatever a round draws.
"""

import os
import re
import subprocess
import sys
import time

from sqlalchemy import select

from academy.pages import home_url
from curriculum import catalog
from ground.settings import PROJECT_ROOT
from tests.e2e.browser import ARTIFACTS, browser_page, free_port, screenshot, server
from tests.e2e.quiz_clicks import answer_question
from tests.sheets import write_csv
from tracker import db
from tracker.imports import import_roster
from tracker.models import LedgerEntry

MODULE = "legal-cf-enforcement"  # has a flow chart, the 加处罚款计算器 and a quiz
ROSTER = [["人员编号", "姓名", "单位", "岗位", "执法领域", "执法证号"],
          ["E2E001", "张伟", "某县市场监督管理局", "执法队员", "市场监管", "SC900"]]
PHONE = {"width": 390, "height": 844}
DESKTOP = {"width": 1280, "height": 1000}

# Latin letters an officer may read: units and the like. Option letters (A–F) are single letters and pass anyway.
ALLOWED_LATIN = {"km", "kg", "mg", "kW", "pH", "PM", "GB", "CO", "SO", "NO"}


def latin_words(text: str) -> list[str]:
    """Words of two or more Latin letters not in the allow-list: English, code, a traceback, a package name."""
    return [w for w in re.findall(r"[A-Za-z][A-Za-z_]+", text) if w not in ALLOWED_LATIN]


def check_page(page, where: str) -> str:
    """The page's text, after checking that it shows no code, no English and no error."""
    text = page.inner_text("body")
    assert not latin_words(text), f"{where}：页面上有英文或代码 {sorted(set(latin_words(text)))[:20]}"
    code = ".jp-CodeCell .jp-InputArea, .jp-CodeMirrorEditor, .highlight, .jp-OutputArea-output[data-mime-type*=error]"
    assert page.locator(code).count() == 0, f"{where}：页面上有代码或程序错误"
    for bad in ("Traceback", "Error", "错误信息", "model not found"):
        assert bad not in text, f"{where}：{bad}"
    return text


def wait_rendered(page) -> None:
    page.wait_for_selector("#rendered_cells", state="visible", timeout=180_000)
    page.wait_for_load_state("load")


def bank_by_stem():
    questions = list(catalog.bank_questions())
    return [(re.sub(r"\s+", "", q.stem), q) for q in questions if q.stem]


def shown_question(box_text: str, stems):
    """The bank question whose stem this box shows (the longest stem found in it)."""
    flat = re.sub(r"\s+", "", box_text)
    found = [(len(stem), q) for stem, q in stems if stem in flat]
    assert found, f"页面上的题目在题库中找不到：{box_text[:80]}"
    return max(found, key=lambda pair: pair[0])[1]


def question_box(page, number):
    return page.locator(".widget-vbox", has=page.get_by_text(re.compile(f"^第{number}题（"))).last


def question_boxes(page):
    """The question boxes of the round on screen, in order, as (number, box)."""
    headings = page.get_by_text(re.compile(r"^第\d+题（")).all_inner_texts()
    numbers = [int(re.match(r"第(\d+)题", text).group(1)) for text in headings]
    return [(n, question_box(page, n)) for n in numbers]


def answer_wrong(page, number, question):
    """Click an answer that is wrong (every objective part), then 提交."""
    box = question_box(page, number)
    box.scroll_into_view_if_needed()
    items = question.parts if question.type == "case" else [question]
    for i, item in enumerate(items):
        if item.type == "single":
            wrong = next(text for letter, text in item.options.items() if letter != item.answer)
            box.locator(".widget-radio-box label", has_text=_label(wrong)).first.click()
        elif item.type == "multiple":
            wrong = next((text for letter, text in item.options.items() if letter not in item.answer), None)
            if wrong is None:  # every option is a key: answer one short of all
                wrong = item.options[item.answer[0]]
            box.locator(".widget-checkbox label", has_text=_label(wrong)).first.click()
        elif item.type == "judge":
            box.locator(".widget-toggle-button", has_text="错误" if item.answer else "正确").nth(
                i if question.type == "case" else 0).click()
        elif item.type == "numeric":
            box.locator(".widget-text input").first.fill("99999")
        else:
            box.locator("textarea").first.fill("参考答案要点自查")
    box.get_by_role("button", name="提交").click()
    return box


def _label(text):
    return re.compile(r"^\s*[A-F][.．、]\s*" + re.escape(text) + r"\s*$")


def answer_round(page, stems, right: bool) -> None:
    for number, box in question_boxes(page):
        if box.get_by_role("button", name="提交").is_disabled():
            continue
        question = shown_question(box.inner_text(), stems)
        box = (answer_question if right else answer_wrong)(page, number, question)
        # the verdict (the key and 解析 only for a question that cannot come back: questionbank/quiz_rounds.py)
        box.get_by_text(re.compile("回答(正确|错误)")).first.wait_for(timeout=60_000)


def page_screenshot(page, name: str) -> None:
    """The whole page (Voilà scrolls inside #rendered_cells, so the window is made as tall as the page for a moment)."""
    size = page.viewport_size
    height = page.evaluate("() => document.getElementById('rendered_cells').scrollHeight")
    page.set_viewport_size({"width": size["width"], "height": min(height + 40, 16000)})
    page.wait_for_timeout(500)
    screenshot(page, name)
    page.set_viewport_size(size)
    page.wait_for_timeout(300)


def sideways(page) -> int:
    """How far the page runs past the screen's right edge (0: no sideways scrolling)."""
    return page.evaluate("() => { const e = document.getElementById('rendered_cells'); return e.scrollWidth - e.clientWidth; }")


def options_fit(page) -> list[str]:
    """Option labels cut off or running past the screen's right edge."""
    return page.evaluate("""() => [...document.querySelectorAll('.academy-options label')].filter(label => {
        const box = label.getBoundingClientRect();
        return label.scrollWidth > label.clientWidth + 1 || box.right > window.innerWidth + 1;
    }).map(label => label.textContent.slice(0, 40))""")


def study(page, printed, port, spec, stems):
    """What the officer does, page by page (the test around it starts the server and checks what is left after)."""
    # the 学习首页, by the printed link; who am I: refused when not on the roster, asked when found
    page.goto(printed, timeout=180_000)
    wait_rendered(page)
    page.get_by_text("请输入您的人员编号").wait_for()
    number = page.get_by_placeholder("人员编号")
    number.fill("Z0009")
    page.get_by_role("button", name="确定").click()
    page.get_by_text("名册中没有人员编号 Z0009").wait_for()
    number.fill(" ｅ２ｅ　００１ ")  # full width, spaces, lower case
    page.get_by_role("button", name="确定").click()
    page.get_by_text("您是 张伟（某县市场监督管理局）吗？").wait_for()
    page.get_by_role("button", name="是", exact=True).click()
    page.get_by_text("答题人：张伟（某县市场监督管理局）").wait_for()
    page.get_by_text("年度学习进度").wait_for()
    check_page(page, "学习首页")
    assert page.title() == "执法学堂 · 学习首页 · 执法学堂" and page.evaluate("() => document.documentElement.lang") == "zh-CN"

    # a module, in the same window; the officer is remembered
    page.get_by_role("link", name=spec.title).click()
    page.wait_for_url(f"**/voila/render/{spec.notebook}", timeout=180_000)
    wait_rendered(page)
    page.get_by_text("答题人：张伟（某县市场监督管理局）").first.wait_for()
    assert page.get_by_role("button", name="切换答题人").count() == 1
    page.locator(".academy-chart svg").first.wait_for(timeout=60_000)  # the flow chart is drawn

    # the 加处罚款计算器 in 2027, beyond the holiday data on file
    calculator = page.locator(".widget-vbox", has=page.get_by_text("加处罚款计算器")).last
    calculator.scroll_into_view_if_needed()
    calculator.locator(".widget-text", has_text="罚款（元）").locator("input").fill("5000")
    calculator.locator(".widget-text", has_text="罚款（元）").locator("input").press("Enter")
    calculator.locator(".widget-datepicker", has_text="收到决定书").locator("input").fill("2026-12-20")
    calculator.locator(".widget-datepicker", has_text="实际缴纳").locator("input").fill("2027-01-20")
    calculator.get_by_text("2027-01-04").wait_for()
    result = calculator.inner_text()
    assert "缴纳期限届满日：2027-01-04；逾期 16 日" in result and "加处罚款：2,400.00 元" in result, result
    assert "2027年的放假调休安排尚未收录" in result, result

    # the quiz: a first round with wrong answers, then 再做一次 until the module is complete
    page.get_by_text(re.compile(r"^第1题（")).first.wait_for()
    page_screenshot(page, "officer-module-1280.png")
    page.set_viewport_size(PHONE)
    page.wait_for_timeout(500)
    assert options_fit(page) == [], "手机宽度下选项被截断"
    assert sideways(page) <= 0, "手机宽度下模块页面需要横向滚动"
    page_screenshot(page, "officer-module-390.png")
    check_page(page, "模块页面（手机）")
    page.set_viewport_size(DESKTOP)
    answer_round(page, stems, right=False)
    page.get_by_text(re.compile(r"本轮有 \d+ 题答错。点「再做一次」")).first.wait_for()
    done, redo = page.get_by_text("恭喜完成本模块"), page.get_by_role("button", name=re.compile("^再做一次"))
    for next_round in range(2, 8):
        done.or_(redo).first.wait_for()  # the round's verdict is in: complete, or a retry offered
        if done.count():
            break
        redo.click()
        page.get_by_text(re.compile(rf"^第{next_round}轮")).first.wait_for()
        answer_round(page, stems, right=True)
    page.get_by_text("恭喜完成本模块").first.wait_for()
    check_page(page, "模块页面（完成后）")
    page.set_viewport_size(PHONE)
    page.wait_for_timeout(500)
    assert sideways(page) <= 0, "手机宽度下答题后的模块页面需要横向滚动"
    page_screenshot(page, "officer-module-done-390.png")
    page.set_viewport_size(DESKTOP)

    # back to the 学习首页: the module is done and counted, without running anything
    page.get_by_role("link", name="← 返回学习首页").click()
    page.wait_for_url("**/voila/render/index.ipynb", timeout=180_000)
    wait_rendered(page)
    page.get_by_text(f"法律知识：{spec.hours:g} / 30 学时").wait_for()
    item = page.locator(".academy-modules li", has=page.get_by_role("link", name=spec.title))
    assert "✔ 本年度已完成" in item.inner_text()
    check_page(page, "学习首页（完成后）")
    page_screenshot(page, "officer-home-1280.png")
    page.set_viewport_size(PHONE)
    page.wait_for_timeout(500)
    page_screenshot(page, "officer-home-390.png")
    assert sideways(page) <= 0, "手机宽度下学习首页需要横向滚动"

    # the start page is the 学习首页, not a list of files
    page.goto(f"http://127.0.0.1:{port}/", timeout=180_000)
    page.wait_for_url("**/voila/render/index.ipynb")


def test_an_officer_studies_a_module_on_the_learning_pages(tmp_path):
    spec = catalog.module(MODULE)
    stems = bank_by_stem()
    url = f"sqlite:///{tmp_path / 'study.sqlite3'}"
    with db.session(url) as s:
        import_roster(s, write_csv(tmp_path / "roster.csv", ROSTER), "人事")
    git_before = subprocess.run(["git", "status", "--porcelain"], cwd=PROJECT_ROOT, capture_output=True, text=True).stdout
    port = free_port()
    env = {**os.environ, "ACADEMY_DB_URL": url, "ACADEMY_HOME": str(tmp_path / "home"), "PORT": str(port),
           "JUPYTER_RUNTIME_DIR": str(tmp_path / "runtime"), "JUPYTER_DATA_DIR": str(tmp_path / "data")}
    for name in ("ACADEMY_OFFICER", "JUPYTERHUB_USER", "ACADEMY_SERVICE_URL"):
        env.pop(name, None)
    log = tmp_path / "pages.log"
    dialogs = []
    with server([sys.executable, "-m", "academy.cli", "pages"], env, home_url(port), log, timeout=180):
        printed = re.search(r"学习首页：(\S+)", log.read_text()).group(1)
        assert printed == home_url(port)
        with browser_page(tmp_path) as page:
            page.on("dialog", lambda dialog: (dialogs.append(dialog.message), dialog.dismiss()))
            page.set_default_timeout(60_000)
            try:
                study(page, printed, port, spec, stems)
            except Exception:
                screenshot(page, "officer-failure.png")
                print(page.inner_text("body")[-3000:])
                raise

    assert dialogs == []
    assert (ARTIFACTS / "officer-module-390.png").exists()
    deadline = time.monotonic() + 10
    while True:
        with db.session(url) as s:
            rows = s.execute(select(LedgerEntry.source_ref, LedgerEntry.hours).where(LedgerEntry.source_kind == "module")).all()
        if rows or time.monotonic() > deadline:
            break
        time.sleep(0.5)
    assert [(ref, float(h)) for ref, h in rows] == [(f"课程模块 {MODULE}", spec.hours)]
    git_after = subprocess.run(["git", "status", "--porcelain"], cwd=PROJECT_ROOT, capture_output=True, text=True).stdout
    assert git_after == git_before
    assert subprocess.run(["git", "status", "--porcelain", "--", "courses"], cwd=PROJECT_ROOT, capture_output=True,
                          text=True).stdout == ""
