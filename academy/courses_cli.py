"""``academy courses …``: the course catalog."""

from __future__ import annotations

from curriculum import catalog
from ground.commands import Area
from ground.vocabulary import CATEGORIES
from tracker.rules import Rules


def cmd_validate(_args) -> int:
    modules = list(catalog.catalog())
    problems = catalog.validate_catalog(modules, list(catalog.bank_questions()), Rules.load().required())
    for problem in problems:
        print(f"[错误] {problem}")
    if problems:
        print(f"\n共 {len(problems)} 个问题。")
        return 1
    for category, label in CATEGORIES.items():
        chosen = [m for m in modules if m.category == category]
        print(f"{label}：{len(chosen)} 个模块，共 {sum(m.hours for m in chosen):g} 学时")
    print("课程目录校验通过。")
    return 0


def cmd_holidays(args) -> int:
    from academy import holidays

    try:
        for line in holidays.year_summary(args.year):
            print(line)
    except (holidays.ArrangementError, holidays.CalendarNotCovered) as exc:
        print(f"[错误] {exc}")
        return 1
    return 0


def register(subparsers) -> None:
    area = Area(subparsers, "courses", "培训课程：目录校验", "培训课程命令。")
    area.add("validate", cmd_validate, "校验课程目录：笔记本存在、测验题目存在且已审核、每类学时不少于年度要求",
             "academy courses validate")
    holidays = area.add("holidays", cmd_holidays, "列出某年的放假日期和调休上班日及其来源，并检查 courses/holidays/ 中的放假安排文件",
                        "academy courses holidays 2027")
    holidays.add_argument("year", type=int, help="年份")
