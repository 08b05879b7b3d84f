"""Benchmark: the year's compliance report for 100,000 officers with 3,000,000 ledger entries (goal ≤ 2 s), on
SQLite and on PostgreSQL, and an import of 100,000 training rows (goal ≤ 30 s).

Prints in one run, for each database, our figures beside the baseline: the same report computed straight from the
ledger with GROUP BY (what the totals cache saves).

    .venv/bin/python bench/tracker_report.py [--officers 100000] [--entries 3000000] [--import-rows 100000]
"""

from __future__ import annotations

import argparse
import csv
import datetime as dt
import random
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import pandas as pd  # noqa: E402
from sqlalchemy import func, select, text  # noqa: E402

from tests.postgres import PostgresServer  # noqa: E402
from tracker import db, ledger  # noqa: E402
from tracker.imports import import_training  # noqa: E402
from tracker.models import LedgerEntry  # noqa: E402
from tracker.reports import compliance  # noqa: E402
from tracker.rules import Rules  # noqa: E402

YEAR = 2026


def populate(url: str, officers: int, entries: int) -> None:
    """Units, officers and ledger entries written with the driver's bulk path (not what is measured)."""
    engine = db.engine(url)
    rng = random.Random(1)
    now = dt.datetime.now(dt.timezone.utc)
    units = [(i + 1, f"第{i + 1}执法单位") for i in range(200)]
    people = [(i + 1, f"P{i:06d}", f"人员{i}", 1 + i % 200, "执法队员", "", "", "在职") for i in range(officers)]
    day0 = dt.date(YEAR, 1, 1)

    def ledger_rows():
        for n in range(entries):
            officer = 1 + n % officers
            day = day0 + dt.timedelta(days=rng.randrange(320))
            yield (officer, day, YEAR, "legal" if n % 2 else "operations", 1.0 + (n % 3), "online" if n % 5 else "offline",
                   "培训", "import", "bench", "bench", now, "")

    columns = "officer_id, entry_date, year, category, hours, form, title, source_kind, source_ref, recorded_by, recorded_at, reason"
    raw = engine.raw_connection()
    try:
        cursor = raw.cursor()
        if url.startswith("sqlite"):
            cursor.execute("BEGIN")
            cursor.executemany("INSERT INTO units (id, name) VALUES (?, ?)", units)
            cursor.executemany("INSERT INTO officers (id, officer_no, name, unit_id, post, domain, certificate_no, status)"
                               " VALUES (?, ?, ?, ?, ?, ?, ?, ?)", people)
            cursor.executemany(f"INSERT INTO ledger_entries ({columns}) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                               ledger_rows())
            cursor.execute("COMMIT")
        else:
            with cursor.copy("COPY units (id, name) FROM STDIN") as copy:
                for row in units:
                    copy.write_row(row)
            with cursor.copy("COPY officers (id, officer_no, name, unit_id, post, domain, certificate_no, status) "
                             "FROM STDIN") as copy:
                for row in people:
                    copy.write_row(row)
            with cursor.copy(f"COPY ledger_entries ({columns}) FROM STDIN") as copy:
                for row in ledger_rows():
                    copy.write_row(row)
            cursor.execute("SELECT setval('units_id_seq', 1000); SELECT setval('officers_id_seq', %s)" % (officers + 1))
            raw.commit()
    finally:
        raw.close()
    with db.session(url) as s:
        ledger.rebuild_totals(s)
        if not url.startswith("sqlite"):
            s.execute(text("ANALYZE"))


def report_from_ledger(url: str) -> pd.DataFrame:
    """Baseline: the per-officer sums read straight from the ledger."""
    with db.session(url) as s:
        rows = s.execute(select(LedgerEntry.officer_id, LedgerEntry.category, LedgerEntry.form, func.sum(LedgerEntry.hours))
                         .where(LedgerEntry.year == YEAR)
                         .group_by(LedgerEntry.officer_id, LedgerEntry.category, LedgerEntry.form)).all()
    return pd.DataFrame(rows)


def import_sheet(folder: Path, officers: int, rows: int) -> Path:
    path = folder / "training.csv"
    rng = random.Random(2)
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(["人员编号", "姓名", "培训名称", "类别", "学时", "日期", "形式"])
        for n in range(rows):
            i = rng.randrange(officers)
            writer.writerow([f"P{i:06d}", f"人员{i}", f"线下培训{n}", "法律知识", "0.5", f"2026-11-{1 + n % 20:02d}", "线下"])
    return path


def measure(name: str, url: str, args, folder: Path) -> list[tuple]:
    start = time.perf_counter()
    populate(url, args.officers, args.entries)
    print(f"[{name}] 生成 {args.officers:,} 人、{args.entries:,} 条记录：{time.perf_counter() - start:.0f} s", flush=True)
    rules = Rules.load()
    with db.session(url) as s:
        start = time.perf_counter()
        table = compliance(s, YEAR, rules, as_of=dt.date(YEAR, 11, 23))
        ours = time.perf_counter() - start
    start = time.perf_counter()
    report_from_ledger(url)
    baseline = time.perf_counter() - start
    assert len(table) == args.officers
    sheet = import_sheet(folder, args.officers, args.import_rows)
    with db.session(url) as s:
        start = time.perf_counter()
        summary = import_training(s, sheet, "bench", rules, today=dt.date(YEAR, 11, 23), progress=False)
        imported = time.perf_counter() - start
    assert summary.added == args.import_rows
    return [(name, "年度达标报表", ours, baseline, 2.0), (name, f"导入 {args.import_rows:,} 行", imported, None, 30.0)]


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--officers", type=int, default=100_000)
    parser.add_argument("--entries", type=int, default=3_000_000)
    parser.add_argument("--import-rows", type=int, default=100_000)
    args = parser.parse_args()
    results = []
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        results += measure("SQLite", f"sqlite:///{folder / 'bench.sqlite3'}", args, folder)
        server = PostgresServer().start()
        try:
            results += measure("PostgreSQL", server.new_database(), args, folder)
        finally:
            server.stop()
    print(f"\n{'数据库':<12}{'项目':<16}{'本系统':>10}{'基线（直接汇总台账）':>22}{'目标':>8}")
    for name, what, ours, baseline, goal in results:
        base = f"{baseline:.2f} s" if baseline is not None else "—"
        print(f"{name:<14}{what:<16}{ours:>8.2f} s{base:>18}{goal:>9.0f} s  {'达到' if ours <= goal else '未达到'}")


if __name__ == "__main__":
    main()
