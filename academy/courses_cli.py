"""``academy courses …``: the course catalog, the citations in its text and the review record."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from academy.course_citations import CourseLaws, module_check, review_record, validate_citations, write_review
from curriculum import catalog
from ground.commands import Area
from ground.settings import settings
from ground.vocabulary import CATEGORIES
from questionbank.laws import default_registry
from tracker.rules import Rules


def course_laws(laws_dir: Path | None = None) -> CourseLaws:
    return CourseLaws(Path(laws_dir or settings.laws_dir), default_registry())


def validate(modules: list[catalog.ModuleSpec], laws_dir: Path | None = None) -> tuple[list[str], list[str]]:
    """(errors, notes) of the whole catalog: modules, quizzes, hours, citations and reviews."""
    errors = catalog.validate_catalog(modules, list(catalog.bank_questions()), Rules.load().required())
    folder = Path(laws_dir or settings.laws_dir)
    if not folder.is_dir():
        return errors + [f"条文目录不存在：{folder}（设置 ACADEMY_LAWS_DIR），无法核对课程中的条文引用"], []
    more, notes = validate_citations(modules, catalog.COURSES, course_laws(folder))
    return errors + more, notes


def cmd_validate(args) -> int:
    modules = list(catalog.catalog())
    problems, notes = validate(modules, args.laws)
    for note in notes:
        print(f"[提示] {note}")
    for problem in problems:
        print(f"[错误] {problem}")
    if problems:
        print(f"\n共 {len(problems)} 个问题。")
        return 1
    for category, label in CATEGORIES.items():
        chosen = [m for m in modules if m.category == category]
        print(f"{label}：{len(chosen)} 个模块，共 {sum(m.hours for m in chosen):g} 学时")
    print("课程目录校验通过（含条文引用核对）。")
    return 0


def record_review(module_id: str, by: str, on: dt.date, laws_dir: Path | None = None, catalog_path: Path | None = None) -> dict:
    """Record that a module was reviewed: who, when, the law versions and a fingerprint of every article it cites.
    Refused while the module's text has citations that do not resolve."""
    spec = catalog.module(module_id)
    result = module_check(spec.path, catalog.COURSES, course_laws(laws_dir), spec.law)
    if result.problems:
        raise ValueError("条文引用未通过核对，不能记录审校：\n" + "\n".join(result.problems))
    record = review_record(by, on, result.articles)
    write_review(catalog_path or catalog.COURSES / "catalog.yaml", module_id, record)
    return record


def cmd_review(args) -> int:
    on = dt.date.fromisoformat(args.on) if args.on else dt.date.today()
    for module_id in args.modules:
        try:
            record = record_review(module_id, args.by, on, args.laws)
        except (KeyError, ValueError) as exc:
            print(f"[错误] {exc}")
            return 1
        print(f"模块 {module_id}：已记录审校（{args.by}，{on}），核对条文 {len(record['articles'])} 条。")
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
    area = Area(subparsers, "courses", "培训课程：目录校验、条文引用核对、审校记录、放假安排", "培训课程命令。")
    p = area.add("validate", cmd_validate,
                 "校验课程目录：笔记本存在、测验题目存在且已审核、每类学时不少于年度要求；课程正文和清单中的条文引用都能在现行文本中找到；"
                 "审校后所引条文有变化的模块",
                 "academy courses validate --laws ../shared/laws")
    p.add_argument("--laws", help="条文文本目录（默认 ACADEMY_LAWS_DIR 或检出目录旁的 ../shared/laws）")
    p = area.add("review", cmd_review, "记录模块已按条文审校：审校人、日期、所依据的法律版本和所引每一条的条文指纹",
                 "academy courses review legal-cf-setting ops-urban --by 课程审校组 --on 2026-11-29")
    p.add_argument("modules", nargs="+", help="模块编号")
    p.add_argument("--by", required=True, help="审校人或审校组")
    p.add_argument("--on", help="审校日期（如 2026-11-29，默认今天）")
    p.add_argument("--laws", help="条文文本目录")
    holidays = area.add("holidays", cmd_holidays, "列出某年的放假日期和调休上班日及其来源，并检查 courses/holidays/ 中的放假安排文件",
                        "academy courses holidays 2027")
    holidays.add_argument("year", type=int, help="年份")
