"""``academy hours …``: thin commands over ``tracker.service``."""

from __future__ import annotations

import datetime as dt
import sys
from pathlib import Path

from ground.commands import Area
from tracker import service
from tracker.export import FORMATS
from tracker.imports import ImportRefused
from tracker.ledger import LedgerError
from tracker.rules import Rules
from tracker.standing import STATUSES


def _rules(args) -> Rules:
    return Rules.load(args.rules) if getattr(args, "rules", None) else Rules.load()


def cmd_import_roster(args) -> int:
    try:
        print(service.import_roster_file(Path(args.file)))
    except ImportRefused as refused:
        print(refused, file=sys.stderr)
        return 1
    return 0


def cmd_import_training(args) -> int:
    try:
        print(service.import_training_file(Path(args.file), rules=_rules(args)))
    except ImportRefused as refused:
        print(refused, file=sys.stderr)
        return 1
    return 0


def cmd_report(args) -> int:
    rules = _rules(args)
    table = service.write_compliance_report(args.year, args.format, Path(args.output), args.unit, rules)
    counts = table["状态"].value_counts()
    tally = "，".join(f"{s} {counts.get(s, 0)}" for s in STATUSES)
    print(f"{args.year}年度（{rules.describe()}），统计截至 {table.attrs['as_of'].isoformat()}：{len(table)} 人，{tally}。"
          f"已写入 {args.output}")
    return 0


def cmd_officer(args) -> int:
    rules = _rules(args)
    try:
        statement = service.officer_statement(args.officer, args.year, rules)
    except LedgerError as exc:
        print(exc, file=sys.stderr)
        return 1
    print(service.format_statement(statement, args.year, rules))
    return 0


def cmd_record(args) -> int:
    try:
        entry = service.record_entry(args.officer, args.date, args.category, args.hours, args.form, args.title,
                                     source_ref=args.note or "手工录入")
    except LedgerError as exc:
        print(exc, file=sys.stderr)
        return 1
    print(f"已记录：记录号 {entry.id}，{args.officer} {args.date} {args.hours:g} 学时。")
    return 0


def cmd_reverse(args) -> int:
    try:
        entry = service.reverse_entry(args.entry, args.reason)
    except LedgerError as exc:
        print(exc, file=sys.stderr)
        return 1
    print(f"已冲正记录 {args.entry}：新记录号 {entry.id}，{float(entry.hours):+g} 学时。")
    return 0


def register(subparsers) -> None:
    add = Area(subparsers, "hours", "学时台账：名册、培训记录导入、达标报表、学时证明",
               "学时台账命令。数据库默认是数据目录中的 SQLite 文件，ACADEMY_DB_URL 可改用 PostgreSQL。").add

    year = dt.date.today().year
    p = add("import-roster", cmd_import_roster, "导入人员名册（人员编号、姓名、单位、岗位、执法领域、执法证号）",
            "academy hours import-roster 名册.xlsx")
    p.add_argument("file")
    p = add("import-training", cmd_import_training,
            "导入线下培训记录（人员编号、姓名、培训名称、类别、学时、日期、形式）；有错误行则整份拒收；重复行自动跳过",
            "academy hours import-training 2026年3月培训.csv")
    p.add_argument("file")
    p.add_argument("--rules", help="学时规则文件（默认 tracker/rules/default.yaml 或 ACADEMY_RULES）")
    p = add("report", cmd_report, "年度达标报表：每人一行（学时、缺口、状态），单位汇总和图表",
            f"academy hours report --year {year} --unit 某县市场监督管理局 --format xlsx -o 达标情况.xlsx")
    p.add_argument("--year", type=int, default=year)
    p.add_argument("--unit", help="只统计某单位")
    p.add_argument("--format", choices=FORMATS, default="xlsx")
    p.add_argument("-o", "--output", required=True)
    p.add_argument("--rules")
    p = add("officer", cmd_officer, "某人的学时证明：每条记录及其来源、年度合计和状态",
            f"academy hours officer A0001 --year {year}")
    p.add_argument("officer", help="人员编号")
    p.add_argument("--year", type=int, default=year)
    p.add_argument("--rules")
    p = add("record", cmd_record, "手工录入一条学时记录", "academy hours record A0001 --date 2026-03-05 --category legal "
            "--hours 3 --title 行政处罚法专题培训")
    p.add_argument("officer", help="人员编号")
    p.add_argument("--date", type=dt.date.fromisoformat, default=dt.date.today())
    p.add_argument("--category", choices=["legal", "operations"], required=True, help="legal 法律知识 / operations 专门业务")
    p.add_argument("--hours", type=float, required=True)
    p.add_argument("--form", choices=["online", "offline"], default="offline")
    p.add_argument("--title", required=True, help="培训名称")
    p.add_argument("--note", help="来源说明")
    p = add("reverse", cmd_reverse, "冲正一条记录（新增一条相反学时的记录，原记录不改不删）",
            "academy hours reverse 1024 --reason 重复录入")
    p.add_argument("entry", type=int, help="记录号")
    p.add_argument("--reason", required=True)
