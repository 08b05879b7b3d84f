"""``academy bank …``: thin commands over the functions of this package."""

from __future__ import annotations

import json
import sys
from pathlib import Path

from ground.commands import Area
from questionbank.basis_check import check_basis
from questionbank.loading import load_bank
from questionbank.stats import bank_stats, format_stats
from questionbank.validation import has_errors, validate


def _paths(values: list[str] | None) -> list[Path] | None:
    return [Path(v) for v in values] if values else None


def _report(problems, ok_message: str) -> int:
    for problem in problems:
        print(problem)
    errors = sum(p.level == "error" for p in problems)
    warnings = len(problems) - errors
    if problems:
        print(f"\n共 {errors} 个错误，{warnings} 个警告。")
    else:
        print(ok_message)
    return 1 if has_errors(problems) else 0


def cmd_validate(args) -> int:
    bank = load_bank(_paths(args.paths))
    problems = validate(bank, strict=args.strict)
    return _report(problems, f"校验通过：{len(bank.files)} 个文件，{len(bank.questions)} 道题，没有发现问题。")


def cmd_check_basis(args) -> int:
    laws = Path(args.laws)
    if not laws.is_dir():
        print(f"条文目录不存在：{laws}", file=sys.stderr)
        return 2
    bank = load_bank(_paths(args.paths))
    problems = [p for p in bank.problems if p.level == "error"] + check_basis(bank, laws)
    return _report(problems, f"条文核对通过：{len(bank.questions)} 道题的引用条文和数额都能在 {laws} 中找到。")


def cmd_stats(args) -> int:
    stats = bank_stats(load_bank(_paths(args.paths)))
    if args.json:
        print(json.dumps(stats, ensure_ascii=False, indent=2))
    else:
        print(format_stats(stats))
    return 0


def cmd_import(args) -> int:
    from questionbank.formats.spreadsheet import ImportRefused, import_file

    try:
        result = import_file(Path(args.file), Path(args.into), dry_run=args.dry_run)
    except ImportRefused as refused:
        print(refused, file=sys.stderr)
        return 1
    print(result.summary())
    return 0


def cmd_export(args) -> int:
    from questionbank.formats import export_bank

    bank = load_bank(_paths(args.bank))
    if bank.problems:
        for problem in bank.problems:
            print(problem, file=sys.stderr)
        print("题库文件有错误，未导出。", file=sys.stderr)
        return 1
    count = export_bank(bank, args.format, Path(args.output), topic=args.topic, law=args.law, status=args.status,
                        question_type=args.type)
    print(f"已导出 {count} 道题到 {args.output}")
    return 0


def register(subparsers) -> None:
    add = Area(subparsers, "bank", "题库：校验、条文核对、统计、导入导出", "题库管理命令。").add

    p = add("validate", cmd_validate, "校验题库文件：格式、编号、答案、法律依据、重复题干（有错误时退出码为 1）",
            "academy bank validate --strict questionbank/items")
    p.add_argument("paths", nargs="*", help="题库文件或目录（默认：内置题库）")
    p.add_argument("--strict", action="store_true", help="把警告也当作错误")

    p = add("check-basis", cmd_check_basis, "用条文文本核对：所引条文存在，答案和解析中的数额、期限在所引条文中出现",
            "academy bank check-basis --laws ../shared/laws")
    p.add_argument("paths", nargs="*", help="题库文件或目录（默认：内置题库）")
    p.add_argument("--laws", required=True, help="条文目录（每个法律版本一个 Markdown 文件）")

    p = add("stats", cmd_stats, "题库统计：按法律、题型、分类、领域、难度、状态计数", "academy bank stats --json")
    p.add_argument("paths", nargs="*", help="题库文件或目录（默认：内置题库）")
    p.add_argument("--json", action="store_true", help="输出一个 JSON 对象")

    p = add("import", cmd_import, "导入常见的题库表格（.xlsx / .csv，UTF-8 或 GBK）；有任何错误行则整份拒收，不写入",
            "academy bank import 题库.xlsx --into questionbank/items/imported --dry-run")
    p.add_argument("file", help="表格文件")
    p.add_argument("--into", default="questionbank/items/imported", help="写入的目录（默认 questionbank/items/imported）")
    p.add_argument("--dry-run", action="store_true", help="只检查并报告，不写入")

    p = add("export", cmd_export, "导出题库为表格（xlsx，可再导入）或 Moodle XML",
            "academy bank export --format moodle -o 题库.xml --topic cf_hearing")
    p.add_argument("--format", required=True, choices=["xlsx", "moodle"], help="导出格式")
    p.add_argument("-o", "--output", required=True, help="输出文件")
    p.add_argument("--bank", nargs="*", help="题库文件或目录（默认：内置题库）")
    p.add_argument("--topic", help="只导出某知识点")
    p.add_argument("--law", help="只导出引用某法律的题目（简称）")
    p.add_argument("--status", help="只导出某状态（draft/reviewed/retired）")
    p.add_argument("--type", help="只导出某题型（single/multiple/judge/numeric/case）")
