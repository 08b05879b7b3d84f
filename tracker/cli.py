"""``academy hours …``: thin commands over ``tracker.service``.

Values are parsed as the imports parse them (dates 2026.3.5, 学时 1.5学时, 法律知识/专门业务); a future date or year is
refused; an unknown unit is refused with the list of units; the output format follows the file name unless
``--format`` says otherwise (a mismatch is refused). Every message is Chinese.
"""

from __future__ import annotations

import datetime as dt
import sys
from pathlib import Path

from ground.commands import Area, argument
from tracker import cleaning, service
from tracker.export import FORMATS
from tracker.imports import ImportRefused
from tracker.ledger import LedgerError
from tracker.rules import Rules
from tracker.standing import STATUSES

STATEMENT_FORMATS = ("html", "xlsx")


class CommandError(ValueError):
    """A request the command refuses, with the reason in Chinese."""


def _rules(args) -> Rules:
    return Rules.load(args.rules) if getattr(args, "rules", None) else Rules.load()


def past_date(text: str) -> dt.date:
    """A date as the imports read it (2026-03-05, 2026.3.5, 2026年3月5日 …), not after today."""
    day = cleaning.parse_date(text)
    if day > dt.date.today():
        raise ValueError(f"日期 {day.isoformat()} 晚于今天")
    return day


def past_year(text: str) -> int:
    try:
        year = int(cleaning.text(text).removesuffix("年"))
    except ValueError:
        raise ValueError(f"年度 {text!r} 不是年份（如 {dt.date.today().year}）") from None
    if year > dt.date.today().year:
        raise ValueError(f"{year}年度尚未开始")
    if year < 1990:
        raise ValueError(f"年度 {year} 不合理")
    return year


def output_format(output: str, given: str | None, formats: tuple[str, ...]) -> str:
    """The format named by the file's extension, or by ``--format`` (which must then agree with the extension)."""
    suffix = Path(output).suffix.lower().lstrip(".")
    if given:
        if suffix and suffix != given:
            raise CommandError(f"输出文件 {output} 的扩展名是 .{suffix}，与 --format {given} 不符：请改用 .{given} 结尾的文件名")
        return given
    if suffix in formats:
        return suffix
    raise CommandError(f"无法从文件名 {output} 判断格式：请用 {'、'.join('.' + f for f in formats)} 结尾，或加 --format")


def known_unit(unit: str | None) -> str | None:
    if unit is None:
        return None
    units = service.unit_names()
    if unit not in units:
        listed = "、".join(units) if units else "（名册为空，请先导入名册）"
        raise CommandError(f"没有名为 {unit} 的单位。现有单位：{listed}")
    return unit


def _run(action) -> int:
    """Run a command body; a refusal is printed in Chinese on stderr (exit 1), never a traceback."""
    try:
        return action() or 0
    except ImportRefused as refused:
        print(refused, file=sys.stderr)
    except (LedgerError, CommandError) as exc:
        print(f"错误：{exc}", file=sys.stderr)
    except OSError as exc:
        print(f"错误：无法写入 {exc.filename or ''}（{exc.strerror or '写入失败'}）", file=sys.stderr)
    return 1


def cmd_import_roster(args) -> int:
    return _run(lambda: print(service.import_roster_file(Path(args.file), recorded_by=args.by)))


def cmd_import_training(args) -> int:
    return _run(lambda: print(service.import_training_file(Path(args.file), recorded_by=args.by, rules=_rules(args))))


def cmd_report(args) -> int:
    def run():
        rules = _rules(args)
        fmt = output_format(args.output, args.format, FORMATS)
        unit = known_unit(args.unit)
        if args.each_unit:
            if unit:
                raise CommandError("--each-unit 导出所有单位，不能与 --unit 同时使用")
            if fmt != "xlsx":
                raise CommandError("--each-unit（每个单位一个工作表）只能输出 xlsx")
            table = service.write_unit_workbook(args.year, Path(args.output), rules)
        else:
            table = service.write_compliance_report(args.year, fmt, Path(args.output), unit, rules)
        counts = table["状态"].value_counts()
        tally = "，".join(f"{s} {counts.get(s, 0)}" for s in STATUSES)
        print(f"{args.year}年度（{rules.describe()}），统计截至 {table.attrs['as_of'].isoformat()}：{len(table)} 人，"
              f"{tally}。已写入 {args.output}")

    return _run(run)


def cmd_shortfall(args) -> int:
    def run():
        rules = _rules(args)
        fmt = output_format(args.output, args.format, FORMATS)
        short = service.write_shortfall_list(args.year, fmt, Path(args.output), known_unit(args.unit), rules)
        print(f"{args.year}年度未达标、有风险共 {len(short)} 人（按缺口从大到小），统计截至 "
              f"{short.attrs['as_of'].isoformat()}。已写入 {args.output}")

    return _run(run)


def cmd_officer(args) -> int:
    def run():
        rules = _rules(args)
        statement = service.officer_statement(args.officer, args.year, rules)
        if args.output:
            fmt = output_format(args.output, args.format, STATEMENT_FORMATS)
            service.write_statement(statement, fmt, Path(args.output), rules)
            print(f"{statement.officer['姓名']}（{args.officer}）{args.year}年度学时证明已写入 {args.output}")
        else:
            print(service.format_statement(statement, args.year, rules))

    return _run(run)


def cmd_record(args) -> int:
    def run():
        entry = service.record_entry(args.officer, args.date, args.category, args.hours, args.form, args.title,
                                     source_ref=args.note or "", recorded_by=args.by)
        print(f"已记录：记录号 {entry.id}，{args.officer} {args.date} {float(args.hours):g} 学时。")

    return _run(run)


def cmd_reverse(args) -> int:
    def run():
        entry = service.reverse_entry(args.entry, args.reason, recorded_by=args.by)
        print(f"已冲正记录 {args.entry}：新记录号 {entry.id}，{float(entry.hours):+g} 学时。")

    return _run(run)


def cmd_unregistered(args) -> int:
    def run():
        frame = service.unregistered_entries(args.year)
        if frame.empty:
            print(f"{args.year}年度没有（未登记单位）人员的学时记录。")
            return
        print(f"{args.year}年度（未登记单位）人员的学时记录 {len(frame)} 条"
              "（用 academy hours move 记录号 --to 人员编号 并入名册中的人员）：")
        for r in frame.to_dict("records"):
            print(f"  [{r['记录号']}] {r['人员编号']} {r['姓名']} {r['日期']} {r['类别']} {r['学时']:g} 学时 {r['培训名称']} — {r['来源']}")

    return _run(run)


def cmd_move(args) -> int:
    def run():
        reversal, moved = service.move_entry(args.entry, args.to, args.reason, recorded_by=args.by)
        print(f"已把记录 {args.entry} 并入 {args.to}：冲正记录 {reversal.id}，新记录 {moved.id}（{float(moved.hours):g} 学时）。")

    return _run(run)


def register(subparsers) -> None:
    add = Area(subparsers, "hours", "学时台账：名册、培训记录导入、达标报表、学时证明",
               "学时台账命令。数据库默认是数据目录中的 SQLite 文件，ACADEMY_DB_URL 可改用 PostgreSQL。").add

    year = dt.date.today().year
    by_help = "记录人姓名（默认取登录账户的全名）"
    p = add("import-roster", cmd_import_roster, "导入人员名册（人员编号、姓名、单位、岗位、执法领域、执法证号、入职日期、离职日期）",
            "academy hours import-roster 名册.xlsx --by 王小明")
    p.add_argument("file", help="名册文件（.xlsx、.xls、.et、.csv）")
    p.add_argument("--by", help=by_help)
    p = add("import-training", cmd_import_training,
            "导入线下培训记录（人员编号、姓名、培训名称、类别、学时、日期、形式）；有错误行则整份拒收；重复行自动跳过",
            "academy hours import-training 2026年3月培训.csv --by 王小明")
    p.add_argument("file", help="培训记录文件（.xlsx、.xls、.et、.csv）")
    p.add_argument("--rules", help="学时规则文件（默认 tracker/rules/default.yaml 或 ACADEMY_RULES）")
    p.add_argument("--by", help=by_help)
    p = add("report", cmd_report, "年度达标报表：每人一行（学时、缺口、状态），单位汇总和图表；格式取输出文件的扩展名",
            f"academy hours report --year {year} --unit 某县市场监督管理局 -o 达标情况.xlsx\n"
            f"  academy hours report --year {year} --each-unit -o 各单位达标情况.xlsx")
    p.add_argument("--year", type=argument(past_year), default=year, help=f"年度（默认 {year}）")
    p.add_argument("--unit", help="只统计某单位")
    p.add_argument("--each-unit", action="store_true", help="所有单位一次导出：每个单位一个工作表（xlsx）")
    p.add_argument("--format", choices=FORMATS, help="输出格式（默认取输出文件的扩展名）")
    p.add_argument("-o", "--output", required=True, help="输出文件（.xlsx、.csv、.html）")
    p.add_argument("--rules", help="学时规则文件")
    p = add("shortfall", cmd_shortfall, "未达标、有风险人员名单：按缺口从大到小排列",
            f"academy hours shortfall --year {year} -o 督促名单.xlsx")
    p.add_argument("--year", type=argument(past_year), default=year, help=f"年度（默认 {year}）")
    p.add_argument("--unit", help="只列某单位")
    p.add_argument("--format", choices=FORMATS, help="输出格式（默认取输出文件的扩展名）")
    p.add_argument("-o", "--output", required=True, help="输出文件（.xlsx、.csv、.html）")
    p.add_argument("--rules", help="学时规则文件")
    p = add("officer", cmd_officer, "某人的学时证明：每条记录及其来源、年度合计和状态；加 -o 写出可打印的文件（html 或 xlsx）",
            f"academy hours officer A0001 --year {year} -o 学时证明-A0001.html")
    p.add_argument("officer", help="人员编号")
    p.add_argument("--year", type=argument(past_year), default=year, help=f"年度（默认 {year}）")
    p.add_argument("--format", choices=STATEMENT_FORMATS, help="输出格式（默认取输出文件的扩展名）")
    p.add_argument("-o", "--output", help="写出学时证明文件（.html 供打印，或 .xlsx）")
    p.add_argument("--rules", help="学时规则文件")
    p = add("record", cmd_record, "手工录入一条学时记录", "academy hours record A0001 --date 2026.3.5 --category 法律知识 "
            "--hours 1.5学时 --title 行政处罚法专题培训 --by 王小明")
    p.add_argument("officer", help="人员编号")
    p.add_argument("--date", type=argument(past_date), default=dt.date.today(),
                   help="培训日期（如 2026-03-05、2026.3.5、2026年3月5日；默认今天，不能晚于今天）")
    p.add_argument("--category", type=argument(cleaning.parse_category), required=True, help="类别：法律知识 或 专门业务")
    p.add_argument("--hours", type=argument(cleaning.parse_hours), required=True, help="学时（如 3 或 1.5学时）")
    p.add_argument("--form", type=argument(cleaning.parse_form), default="offline", help="形式：线下（默认）或 线上")
    p.add_argument("--title", required=True, help="培训名称")
    p.add_argument("--note", help="来源说明（如 培训通知文号）")
    p.add_argument("--by", help=by_help)
    p = add("reverse", cmd_reverse, "冲正一条记录（新增一条相反学时的记录，原记录不改不删）",
            "academy hours reverse 1024 --reason 重复录入 --by 王小明")
    p.add_argument("entry", type=argument(_entry_number), help="记录号")
    p.add_argument("--reason", required=True, help="冲正原因")
    p.add_argument("--by", help=by_help)
    p = add("unregistered", cmd_unregistered, "列出（未登记单位）人员的学时记录（线上学习时名册中还没有的编号）",
            f"academy hours unregistered --year {year}")
    p.add_argument("--year", type=argument(past_year), default=year, help=f"年度（默认 {year}）")
    p = add("move", cmd_move, "把一条记录并入名册中的人员：冲正原记录，并为该人员新增一条相同的记录（原记录保留）",
            "academy hours move 1024 --to A0001 --reason 工号登记错误 --by 王小明")
    p.add_argument("entry", type=argument(_entry_number), help="记录号")
    p.add_argument("--to", required=True, metavar="人员编号", help="并入的人员编号")
    p.add_argument("--reason", required=True, help="原因")
    p.add_argument("--by", help=by_help)


def _entry_number(text: str) -> int:
    t = cleaning.text(text)
    if not t.isdigit():
        raise ValueError(f"记录号 {text!r} 应为数字")
    return int(t)
