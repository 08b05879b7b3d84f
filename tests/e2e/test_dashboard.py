"""The HR dashboard in Chromium: served by Voila (academy dashboard), showing the table, the charts, the legend and the
统计截至 date; its export and 学时证明 arrive as browser downloads that honour the filters; imports from the page give
the same refusal report as the command line. An empty database shows a hint, not broken images."""

import datetime as dt
import os
import sys

from openpyxl import load_workbook

from tests.e2e.browser import browser_page, free_port, screenshot, server
from tests.tracker.helpers import ROSTER, training, write_csv
from tracker import db, service
from tracker.imports import import_roster
from tracker.standing import LEGEND


def choose(page, path):
    """Pick a file through the upload button, as a clerk does (the page's file chooser)."""
    with page.expect_file_chooser() as chooser:
        page.get_by_role("button", name="选择文件").click()
    chooser.value.set_files(str(path))


def test_dashboard_shows_the_table_and_a_chart(tmp_path):
    url = f"sqlite:///{tmp_path / 'hours.sqlite3'}"
    with db.session(url) as s:
        import_roster(s, write_csv(tmp_path / "r.csv", ROSTER), "hr")
    year = dt.date.today().year
    for day in (1, 2):
        service.record_entry("A0001", dt.date(year, 1, day), "legal", 15, "offline", "法律知识培训", url=url)
        service.record_entry("A0001", dt.date(year, 1, day + 2), "operations", 15, "offline", "业务培训", url=url)
    bad = write_csv(tmp_path / "坏表.csv", training(["Z1", "无名", "讲座", "法律知识", "2", "2026-01-05", "线下"]))
    good = write_csv(tmp_path / "好表.csv", training(["B0001", "王五", "页面导入的讲座", "法律知识", "2", f"{year}-01-05", "线下"]))
    downloads = tmp_path / "downloads"
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
            assert page.get_by_text(f"统计截至 {dt.date.today().isoformat()}").count() == 1
            assert all(page.get_by_text(meaning).count() == 1 for meaning in LEGEND.values())
            chart = page.locator("img").first
            chart.wait_for(timeout=60_000)
            assert page.evaluate("() => Array.from(document.images).filter(i => i.naturalWidth > 300).length") >= 2
            page.get_by_role("button", name="有风险").click()
            page.get_by_text("共 2 人").wait_for(timeout=60_000)
            assert table.locator("td", has_text="A0001").count() == 0

            # the export: a download in the browser, with the 状态 filter applied
            page.get_by_role("button", name="导出 Excel").click()
            link = page.locator("a.download", has_text="下载 学时达标情况")
            link.wait_for(timeout=60_000)
            with page.expect_download() as caught:
                link.click()
            exported = downloads / caught.value.suggested_filename
            caught.value.save_as(exported)
            assert exported.name == f"学时达标情况-{year}-有风险.xlsx"
            sheet = load_workbook(exported)["人员明细"]
            header = [c.value for c in sheet[1]]
            rows = [dict(zip(header, (c.value for c in row))) for row in sheet.iter_rows(min_row=2)]
            assert sorted(r["人员编号"] for r in rows) == ["A0002", "B0001"] and {r["状态"] for r in rows} == {"有风险"}
            assert f"统计截至 {dt.date.today().isoformat()}" in [c.value for c in load_workbook(exported)["单位汇总"]["A"]]

            # a 学时证明 for one officer of the filtered list
            page.locator(".widget-dropdown", has_text="人员").locator("select").select_option(label="A0002 李四")
            page.get_by_role("button", name="生成学时证明").click()
            link = page.locator("a.download", has_text="下载 Excel 版")
            link.wait_for(timeout=60_000)
            with page.expect_download() as caught:
                link.click()
            certificate = downloads / caught.value.suggested_filename
            caught.value.save_as(certificate)
            assert certificate.name == f"学时证明-{year}-A0002.xlsx"
            cells = [str(c.value) for row in load_workbook(certificate)["学时证明"].iter_rows() for c in row if c.value]
            assert "学时证明" in cells and "李四" in cells and "甲县市场监督管理局" in cells and "（单位盖章）" in cells
            with page.expect_download() as caught:
                page.locator("a.download", has_text="下载打印版").click()
            assert caught.value.suggested_filename == f"学时证明-{year}-A0002.html"

            # imports from the page: the refusal report, then a good file
            page.get_by_placeholder("经办人姓名（必填）").fill("王小明")
            choose(page, bad)
            page.get_by_role("button", name="开始导入").click()
            refusal = page.locator("pre.import-refused")
            refusal.wait_for(timeout=60_000)
            assert "人员编号 Z1 不在名册中" in refusal.inner_text() and "未写入任何内容" in refusal.inner_text()
            choose(page, good)
            page.get_by_role("button", name="开始导入").click()
            page.locator("pre.import-done").wait_for(timeout=60_000)
            assert "新增 1 条" in page.locator("pre.import-done").inner_text()
            assert table.locator("tr", has_text="B0001").locator("td", has_text="2.00").count() >= 1
            shot = screenshot(page, "dashboard.png")
    assert shot.stat().st_size > 10_000
    entry = service.officer_statement("B0001", year, url=url).entries
    assert list(entry["培训名称"]) == ["页面导入的讲座"] and list(entry["记录人"]) == ["王小明"]


def test_an_empty_database_shows_a_hint_not_broken_images(tmp_path, monkeypatch):
    monkeypatch.setenv("ACADEMY_DB_URL", f"sqlite:///{tmp_path / 'empty.sqlite3'}")
    from academy.hours_dashboard import EMPTY_HINT, HoursDashboard

    dashboard = HoursDashboard()
    assert dashboard.summary.value == EMPTY_HINT and "academy hours import-roster" in EMPTY_HINT
    assert dashboard.chart.layout.display == "none" and dashboard.histogram.layout.display == "none"
    assert dashboard.export.disabled and dashboard.statement.disabled and dashboard.table.value == ""
