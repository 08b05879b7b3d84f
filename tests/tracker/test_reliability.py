"""Nothing lost, nothing half-written: concurrent writers, and an import killed with SIGKILL half-way."""

import os
import re
import signal
import subprocess
import sys
import time
from decimal import Decimal
from pathlib import Path

from sqlalchemy import func, select

from tests.tracker.helpers import write_csv
from tracker import db
from tracker.imports import import_roster
from tracker.models import HourTotal, ImportBatch, LedgerEntry

ROOT = Path(__file__).resolve().parents[2]


def count(url, model=LedgerEntry):
    with db.session(url) as s:
        return s.scalar(select(func.count()).select_from(model))


def test_eight_processes_recording_500_each_lose_nothing(db_url, tmp_path):
    people = [["人员编号", "姓名", "单位"]] + [[f"W{i}", f"人员{i}", "并发测试单位"] for i in range(8)]
    with db.session(db_url) as s:
        import_roster(s, write_csv(tmp_path / "r.csv", people), "hr")
    env = {**os.environ, "ACADEMY_DB_URL": db_url, "PYTHONPATH": str(ROOT)}
    workers = [subprocess.Popen([sys.executable, str(ROOT / "tests/tracker/record_many.py"), f"W{i}", "500", str(i)],
                                env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True) for i in range(8)]
    for worker in workers:
        out, err = worker.communicate(timeout=600)
        assert worker.returncode == 0, err
    assert count(db_url) == 4000
    with db.session(db_url) as s:
        per_worker = dict(s.execute(select(LedgerEntry.recorded_by, func.count()).group_by(LedgerEntry.recorded_by)).all())
        assert per_worker == {f"worker-{i}": 500 for i in range(8)}
        assert s.scalar(select(func.sum(HourTotal.hours))) == Decimal("2000.00")


def test_an_import_killed_half_way_leaves_all_or_nothing(db_url, tmp_path):
    officers = 2000
    people = [["人员编号", "姓名", "单位"]] + [[f"K{i:05d}", f"人员{i}", f"单位{i % 20}"] for i in range(officers)]
    with db.session(db_url) as s:
        import_roster(s, write_csv(tmp_path / "r.csv", people), "hr")
    rows = [["人员编号", "姓名", "培训名称", "类别", "学时", "日期", "形式"]]
    for i in range(60_000):
        rows.append([f"K{i % officers:05d}", f"人员{i % officers}", f"课程{i}", "法律知识", "0.5",
                     f"2026-{1 + i % 10:02d}-{1 + i % 28:02d}", "线下"])
    sheet = write_csv(tmp_path / "big.csv", rows)
    env = {**os.environ, "ACADEMY_DB_URL": db_url}
    command = [sys.executable, "-m", "academy.cli", "hours", "import-training", str(sheet)]
    process = subprocess.Popen(command, env=env, stderr=subprocess.PIPE, stdout=subprocess.PIPE)
    os.set_blocking(process.stderr.fileno(), False)
    seen, percent, deadline = b"", 0, time.monotonic() + 300
    while percent < 40 and time.monotonic() < deadline and process.poll() is None:
        time.sleep(0.05)
        seen += process.stderr.read() or b""
        found = re.findall(rb"(\d+)%\|", seen)
        percent = int(found[-1]) if found else 0
    assert 40 <= percent < 100, seen.decode(errors="replace")[-2000:]
    os.kill(process.pid, signal.SIGKILL)
    process.wait()
    assert count(db_url) == 0 and count(db_url, HourTotal) == 0 and count(db_url, ImportBatch) == 1  # the roster
    done = subprocess.run(command, env=env, capture_output=True, text=True, timeout=600)
    assert done.returncode == 0, done.stderr
    assert count(db_url) == 60_000
    with db.session(db_url) as s:
        assert s.scalar(select(func.sum(HourTotal.hours))) == Decimal("30000.00")
