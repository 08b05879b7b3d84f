"""Long quiz options in Chromium (served by Voila): a 120-character option wraps and is fully visible at desktop and
phone width, where ipywidgets alone cuts it with "…" at 300 px."""

import json
import os
import sys

import nbformat

from tests.e2e.browser import browser_page, free_port, screenshot, server

LONG = ("行政机关在作出责令停产停业、吊销许可证或者执照、较大数额罚款等行政处罚决定之前，应当告知当事人有要求听证的权利，"
        "当事人要求听证的应当在行政机关告知后五日内提出，行政机关应当组织听证并且不得因当事人要求听证而加重处罚，最后一句可见")
CELL = f"""
from questionbank.model import Question
from questionbank.quiz import Quiz
LONG = {json.dumps(LONG, ensure_ascii=False)}
common = dict(topic="t", difficulty=1, category="legal", domains=["通用"], status="reviewed")
single = Question(id="t-wrap-001", type="single", stem="哪一项正确？", options={{"A": "五日", "B": LONG, "C": "七日"}},
                  answer="B", **common)
multiple = Question(id="t-wrap-002", type="multiple", stem="哪些正确？",
                    options={{"A": LONG, "B": "三日", "C": "十日"}}, answer=["A", "B"], **common)
Quiz([single, multiple], officer="E2E001", quiz_id="wrap", shuffle_seed="E2E001/wrap")
"""

# for every label holding the long option: is it cut (ellipsis / clipped), and is its last character on screen?
MEASURE = """(tail) => Array.from(document.querySelectorAll('label')).filter(l => l.textContent.includes(tail)).map(l => {
  const walker = document.createTreeWalker(l, NodeFilter.SHOW_TEXT);
  let node, last = null;
  while ((node = walker.nextNode())) if (node.textContent.includes(tail)) last = node;
  const range = document.createRange();
  range.setStart(last, last.textContent.length - 1); range.setEnd(last, last.textContent.length);
  const end = range.getBoundingClientRect(), box = l.getBoundingClientRect();
  const cut = Array.from(l.querySelectorAll('*')).concat([l]).some(e => e.scrollWidth > e.clientWidth + 1
      && getComputedStyle(e).overflow !== 'visible');
  return {cut, visible: end.right <= Math.min(box.right, window.innerWidth) + 1 && end.bottom <= box.bottom + 1,
          lines: Math.round(box.height / 16)};
})"""


def test_a_long_option_wraps_and_stays_visible(tmp_path):
    notebook = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell(CELL)])
    nbformat.write(notebook, tmp_path / "wrap.ipynb")
    port = free_port()
    env = {**os.environ, "PYTHONPATH": os.pathsep.join(filter(None, [os.getcwd(), os.environ.get("PYTHONPATH")])),
           "JUPYTER_RUNTIME_DIR": str(tmp_path / "runtime"), "JUPYTER_CONFIG_DIR": str(tmp_path / "config")}
    command = [sys.executable, "-m", "voila", str(tmp_path / "wrap.ipynb"), "--no-browser", f"--port={port}",
               "--Voila.ip=127.0.0.1"]
    tail = LONG[-6:]
    with server(command, env, f"http://127.0.0.1:{port}/", tmp_path / "voila.log", timeout=180):
        with browser_page(tmp_path) as page:
            for width, name in ((1280, "quiz-long-option-desktop.png"), (390, "quiz-long-option-phone.png")):
                page.set_viewport_size({"width": width, "height": 900})
                page.goto(f"http://127.0.0.1:{port}/", timeout=120_000)
                page.get_by_text("第2题（").wait_for(timeout=120_000)
                page.wait_for_timeout(500)
                labels = page.evaluate(MEASURE, tail)
                assert len(labels) == 2, labels  # the radio label and the checkbox label
                assert all(not m["cut"] and m["visible"] and m["lines"] >= 2 for m in labels), (width, labels)
                screenshot(page, name)
            # the wrapped label is still what the officer taps: the bank's key B is graded right under its shown letter
            first = page.locator(".widget-vbox", has=page.get_by_text("第1题（")).last
            first.locator("label", has_text=tail).click()
            first.get_by_role("button", name="提交").click()
            first.get_by_text("回答正确").wait_for(timeout=60_000)
            assert first.get_by_text(f"正确答案：C. {LONG}").count() == 1  # shown as C in this officer's order
            # without the wrapping rules the same option is cut: the check above can fail
            page.evaluate("() => document.querySelectorAll('style').forEach(s => "
                          "s.textContent.includes('academy-options') && s.remove())")
            page.wait_for_timeout(300)
            assert any(m["cut"] or not m["visible"] for m in page.evaluate(MEASURE, tail))
