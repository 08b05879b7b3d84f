"""``academy bank …``: thin commands over the functions of this package."""

from __future__ import annotations

import argparse
import datetime as dt
import json
import sys
from pathlib import Path

from ground.commands import Area
from ground.settings import settings
from questionbank.basis_check import check_basis, review_alarm
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
    problems += review_alarm(bank, laws, mark=not args.dry_run)
    return _report(problems, f"条文核对通过：{len(bank.questions)} 道题的引用条文和数额都能在 {laws} 中找到，"
                             "审核后所引条文均未改动。")


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
        result = import_file(Path(args.file), Path(args.into), dry_run=args.dry_run, keep_review=args.keep_review)
    except ImportRefused as refused:
        print(refused, file=sys.stderr)
        return 1
    print(result.summary())
    laws = settings.laws_dir
    if result.questions and laws.is_dir():
        from questionbank.key_check import AMBIGUOUS, CONTRADICTED, check_keys, counts
        from questionbank.loading import Bank

        checks = check_keys(Bank(questions=result.questions), laws)
        print("答案核对：" + "，".join(f"{v} {n}" for v, n in counts(checks).items()) + "。")
        for check in checks:
            if check.verdict in (CONTRADICTED, AMBIGUOUS):
                print(f"  [{check.verdict}] {check.question.id}（答案 {_key_text(check.question)}）：{check.detail}")
        if not args.dry_run and not args.keep_review:
            print(f"导入的题为草稿，审核后才会用于测验和考试：academy bank review sheet {args.into} -o 审核表.xlsx")
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


def _refuse_broken(bank, what: str) -> bool:
    """A bank with files that cannot be read is not changed or reported on: print why and say so."""
    for problem in bank.problems:
        print(problem, file=sys.stderr)
    if bank.problems:
        print(f"题库文件有错误，{what}。", file=sys.stderr)
    return bool(bank.problems)


def _paths_and_ids(values: list[str]) -> tuple[list[Path] | None, list[str] | None]:
    """Arguments that name files or folders are bank paths; the others are question ids."""
    paths = [Path(v) for v in values if Path(v).exists()]
    ids = [v for v in values if not Path(v).exists()]
    return paths or None, ids or None


def cmd_review_stamp(args) -> int:
    from questionbank.review import stamp

    paths, ids = _paths_and_ids(args.items)
    try:
        on = dt.date.fromisoformat(args.on) if args.on else dt.date.today()
    except ValueError:
        print(f"审核日期 {args.on} 无法识别，应写成 2026-11-29", file=sys.stderr)
        return 2
    bank = load_bank(paths)
    if _refuse_broken(bank, "未写入审核记录"):
        return 1
    try:
        result = stamp(bank, Path(args.laws), args.by, on, ids=ids, dry_run=args.dry_run)
    except (KeyError, ValueError) as exc:
        print(exc.args[0] if exc.args else exc, file=sys.stderr)
        return 1
    print(result.summary(dry_run=args.dry_run))
    return 0


def cmd_balance_keys(args) -> int:
    from questionbank.keys import apply, format_shares, key_shares, plan

    bank = load_bank(_paths(args.paths))
    if _refuse_broken(bank, "未调整"):
        return 1
    print("调整前：\n" + format_shares(key_shares(bank.questions)))
    reorderings, kept = plan(bank.questions)
    apply(reorderings, dry_run=args.dry_run)
    verb = "将调整" if args.dry_run else "已调整"
    print(f"\n{verb} {len(reorderings)} 道题的选项顺序。" + "".join(f"\n  未调整 {n} 道：{why}" for why, n in kept.items()))
    print("\n调整后：\n" + format_shares(key_shares(bank.questions)))
    return 0


def cmd_check_keys(args) -> int:
    from questionbank.key_check import AMBIGUOUS, CONFIRMED, CONTRADICTED, UNCHECKABLE, check_keys, confirm, counts

    laws = Path(args.laws)
    if not laws.is_dir():
        print(f"条文目录不存在：{laws}", file=sys.stderr)
        return 2
    bank = load_bank(_paths(args.paths))
    checks = confirm(check_keys(bank, laws))
    shown = (CONTRADICTED, AMBIGUOUS, CONFIRMED, UNCHECKABLE) if args.all else (CONTRADICTED, AMBIGUOUS)
    for check in checks:
        if check.verdict in shown:
            q = check.question
            print(f"[{check.verdict}] {q.file}：题目 {q.id}（答案 {_key_text(q)}）：{check.detail}")
    tally = counts(checks)
    print(f"\n答案核对：共 {len(checks)} 道题，" + "，".join(f"{v} {n}" for v, n in tally.items()) + "。")
    return 0


def cmd_review_sheet(args) -> int:
    from questionbank.review_sheet import write_review_sheet

    bank = load_bank(_paths(args.paths))
    if _refuse_broken(bank, "未生成审核表"):
        return 1
    count = write_review_sheet(bank, Path(args.laws), Path(args.output), statuses=tuple(args.status))
    print(f"已生成审核表 {args.output}：{count} 道待审核的题。")
    return 0


def cmd_review_apply(args) -> int:
    from questionbank.review_sheet import SheetRefused, apply_review_sheet

    bank = load_bank(_paths(args.paths))
    if _refuse_broken(bank, "未应用审核表"):
        return 1
    try:
        result = apply_review_sheet(Path(args.sheet), bank, Path(args.laws), dry_run=args.dry_run)
    except SheetRefused as refused:
        print(refused, file=sys.stderr)
        return 1
    print(("（试运行，未写入）" if args.dry_run else "") + result.summary())
    return 0


def _key_text(q) -> str:
    if q.type == "judge":
        return "正确" if q.answer else "错误"
    if q.type == "multiple":
        return "".join(q.answer or ())
    if q.type == "case":
        return "见小题"
    return str(q.answer)


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
    p.add_argument("--dry-run", action="store_true", help="只列出审核后条文已改动的题，不写入待复核标记")

    p = add("check-keys", cmd_check_keys,
            "像阅卷人一样核对答案：把选项代入题干，与所引条文比对（支持/与条文不符/多个选项都有依据/无法自动核对）",
            "academy bank check-keys questionbank/items/imported --all")
    p.add_argument("paths", nargs="*", help="题库文件或目录（默认：内置题库）")
    p.add_argument("--laws", default=str(settings.laws_dir), help="条文目录（默认 ACADEMY_LAWS_DIR 或 ../shared/laws）")
    p.add_argument("--all", action="store_true", help="也列出已人工核对和无法自动核对的题")

    p = add("stats", cmd_stats, "题库统计：按法律、题型、分类、领域、难度、状态计数", "academy bank stats --json")
    p.add_argument("paths", nargs="*", help="题库文件或目录（默认：内置题库）")
    p.add_argument("--json", action="store_true", help="输出一个 JSON 对象")

    p = add("balance-keys", cmd_balance_keys,
            "调整单选、多选题的选项顺序，使答案字母分布均衡（按题号确定，可重复运行；按字母或位置指称其他选项的题不动）",
            "academy bank balance-keys --dry-run")
    p.add_argument("paths", nargs="*", help="题库文件或目录（默认：内置题库）")
    p.add_argument("--dry-run", action="store_true", help="只报告，不写入")

    p = add("import", cmd_import, "导入常见的题库表格（.xlsx / .csv，UTF-8 或 GBK）；有任何错误行则整份拒收，不写入",
            "academy bank import 题库.xlsx --into questionbank/items/imported --dry-run")
    p.add_argument("file", help="表格文件")
    p.add_argument("--into", default="questionbank/items/imported", help="写入的目录（默认 questionbank/items/imported）")
    p.add_argument("--dry-run", action="store_true", help="只检查并报告，不写入")
    p.add_argument("--keep-review", action="store_true",
                   help="保留表中的状态和审核记录（只用于再导入本系统导出的表；默认导入的题一律为草稿，须经审核）")

    p = add("export", cmd_export, "导出题库为表格（xlsx，可再导入）或 Moodle XML",
            "academy bank export --format moodle -o 题库.xml --topic cf_hearing")
    p.add_argument("--format", required=True, choices=["xlsx", "moodle"], help="导出格式")
    p.add_argument("-o", "--output", required=True, help="输出文件")
    p.add_argument("--bank", nargs="*", help="题库文件或目录（默认：内置题库）")
    p.add_argument("--topic", help="只导出某知识点")
    p.add_argument("--law", help="只导出引用某法律的题目（简称）")
    p.add_argument("--status", help="只导出某状态（draft/reviewed/retired）")
    p.add_argument("--type", help="只导出某题型（single/multiple/judge/numeric/case）")

    review = add("review", None, "审核：签注审核记录（审核人、日期、条文指纹）", "academy bank review stamp --by 张三")
    steps = review.add_subparsers(dest="review_command", required=True, metavar="步骤")
    p = steps.add_parser("stamp", help="为已审核但没有审核记录的题写入审核人、日期和所引条文的指纹",
                         description="为已审核但没有审核记录的题写入审核人、日期和所引条文的指纹；"
                                     "指明题号时，也为因条文改动而待复核的题重新签注。",
                         epilog="示例：\n  academy bank review stamp --by 题库审核组 --on 2026-11-29\n"
                                "  academy bank review stamp --by 张三 cf-general-001 cf-general-002",
                         formatter_class=argparse.RawDescriptionHelpFormatter)
    p.set_defaults(func=cmd_review_stamp)
    p.add_argument("items", nargs="*", help="题库文件、目录或题号（默认：内置题库中所有没有审核记录的已审核题）")
    p.add_argument("--by", required=True, help="审核人")
    p.add_argument("--on", help="审核日期，如 2026-11-29（默认今天）")
    p.add_argument("--laws", default=str(settings.laws_dir), help="条文目录（默认 ACADEMY_LAWS_DIR 或 ../shared/laws）")
    p.add_argument("--dry-run", action="store_true", help="只报告，不写入")

    p = steps.add_parser("sheet", help="生成审核表（xlsx）：每道草稿题的答案、所引条文原文、答案核对结论，以及审核人填写的列",
                         description="生成审核表（xlsx）：每道草稿题的答案、所引条文原文、答案核对结论，以及审核决定（通过/修改/停用）、"
                                     "审核人、审核日期和修改内容的空列。",
                         epilog="示例：\n  academy bank review sheet questionbank/items/imported -o 审核表.xlsx",
                         formatter_class=argparse.RawDescriptionHelpFormatter)
    p.set_defaults(func=cmd_review_sheet)
    p.add_argument("paths", nargs="*", help="题库文件或目录（默认：内置题库）")
    p.add_argument("-o", "--output", required=True, help="输出的审核表（.xlsx）")
    p.add_argument("--status", nargs="+", default=["draft"], choices=["draft", "reviewed", "retired"],
                   help="列入哪些状态的题（默认只列草稿）")
    p.add_argument("--laws", default=str(settings.laws_dir), help="条文目录（默认 ACADEMY_LAWS_DIR 或 ../shared/laws）")

    p = steps.add_parser("apply", help="应用填好的审核表：通过和修改的题转为已审核并写入审核记录，停用的题停用；有错误则整表拒收",
                         description="应用填好的审核表：通过的题转为已审核，修改的题改正后转为已审核，均写入审核人、日期和条文指纹；"
                                     "停用的题停用；未作决定的仍为草稿。表中有任何错误则整表拒收，列出行号和原因，不改动任何题目。",
                         epilog="示例：\n  academy bank review apply 审核表.xlsx questionbank/items/imported",
                         formatter_class=argparse.RawDescriptionHelpFormatter)
    p.set_defaults(func=cmd_review_apply)
    p.add_argument("sheet", help="填好的审核表（.xlsx 或 .csv）")
    p.add_argument("paths", nargs="*", help="题库文件或目录（默认：内置题库）")
    p.add_argument("--laws", default=str(settings.laws_dir), help="条文目录（默认 ACADEMY_LAWS_DIR 或 ../shared/laws）")
    p.add_argument("--dry-run", action="store_true", help="只检查，不写入")
