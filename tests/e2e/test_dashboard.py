"""The HR dashboard in Chromium: served by Voila (academy dashboard), showing the table and a chart."""

import datetime as dt
import os
import sys

from tests.e2e.browser import browser_page, free_port, screenshot, server
from tests.tracker.helpers import ROSTER, write_csv
from tracker import db, service
from tracker.imports import import_roster


def test_dashboard_shows_the_table_and_a_chart(tmp_path):
    url = f"sqlite:///{tmp_path / 'hours.sqlite3'}"
    with db.session(url) as s:
        import_roster(s, write_csv(tmp_path / "r.csv", ROSTER), "hr")
    year = dt.date.today().year
    for day in (1, 2):
        service.record_entry("A0001", dt.date(year, 1, day), "legal", 15, "offline", "法律知识培训", url=url)
        service.record_entry("A0001", dt.date(year, 1, day + 2), "operations", 15, "offline", "业务培训", url=url)
    port = free_port()
    env = {**os.environ, "ACADEMY_DB_URL": url, "ACADEMY_HOME": str(tmp_path / "home"),
           "JUPYTER_RUNTIME_DIR": str(tmp_path / "runtime")}
    command = [sys.executable, "-m", "academy.cli", "dashboard", "--port", str(port)]
    with server(command, env, f"http://127.0.0.1:{port}/", tmp_path / "voila.log", timeout=180):
        with browser_page(tmp_path) as page:
            page.goto(f"http://127.0.0.1:{port}/", timeout=120_000)
            page.get_by_text("人员明细").wait_for(timeout=120_000)
            table = page.locator("table.hours")
            assert table.locator("th", has_text="法律知识缺口").count() == 1
            assert table.locator("td", has_text="A0001").count() == 1 and table.locator("td", has_text="B0001").count() == 1
            assert page.get_by_text("达标率 33.3%").count() == 1
            chart = page.locator("img").first
            chart.wait_for(timeout=60_000)
            assert page.evaluate("() => Array.from(document.images).filter(i => i.naturalWidth > 300).length") >= 2
            page.get_by_role("button", name="有风险").click()
            page.get_by_text("共 2 人").wait_for(timeout=60_000)
            assert table.locator("td", has_text="A0001").count() == 0
            shot = screenshot(page, "dashboard.png")
    assert shot.stat().st_size > 10_000
