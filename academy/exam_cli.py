"""``academy exam …``: certification exams — thin commands over ``grading`` (and ``tracker`` for 考试结果登记).

The nbgrader course root is ``grading/course`` (``ACADEMY_EXAM_COURSE`` to use another). Papers are runtime state:
``academy exam build`` keeps a copy in ``<data folder>/papers/<exam>.yaml``, where grading reads the paper and the
blueprints' history rule finds the earlier exams.
"""

from __future__ import annotations

import datetime as dt
import shutil
import sys
from decimal import Decimal
from pathlib import Path

from academy.exam_day_cli import register_exam_day
from ground.commands import Area
from ground.settings import settings


def course_root() -> Path:
    return settings.exam_course


def papers_dir() -> Path:
    return settings.home / "papers"


def paper_path(exam: str) -> Path:
    path = papers_dir() / f"{exam}.yaml"
    if not path.exists():
        raise FileNotFoundError(f"找不到考试 {exam} 的试卷 {path}（先运行 academy exam build 试卷文件）")
    return path


def cmd_assemble(args) -> int:
    from grading.assembly import AssemblyReport, AssemblyTimeout, InfeasibleBlueprint, assemble_file
    from grading.blueprint import BlueprintError
    from grading.paper import write_paper

    report = AssemblyReport()
    try:
        paper = assemble_file(args.blueprint, forms=args.forms, seed=args.seed, report=report)
    except (BlueprintError, InfeasibleBlueprint, AssemblyTimeout) as exc:
        print(exc, file=sys.stderr)
        return 1
    write_paper(paper, args.output)
    print(f"已组卷 {paper.exam}：{len(paper.forms)} 套平行卷，每套 {len(paper.forms[0].question_ids())} 题，"
          f"用时 {report.seconds:.2f} 秒。已写入 {args.output}")
    return 0


def cmd_build(args) -> int:
    from grading.build import build
    from grading.paper import load_paper
    from questionbank.loading import load_bank

    paper = load_paper(args.paper)
    root = course_root()
    kept = papers_dir() / f"{paper.exam}.yaml"
    kept.parent.mkdir(parents=True, exist_ok=True)
    if Path(args.paper).resolve() != kept.resolve():
        shutil.copyfile(args.paper, kept)
    assignments = build(paper, load_bank().questions, root)
    print(f"已生成 nbgrader 作业：{'、'.join(assignments)}（{root}）。试卷保存在 {kept}。")
    return 0


def _forms(exam: str):
    from grading.paper import load_paper

    path = paper_path(exam)
    return path, load_paper(path).forms


def cmd_grade(args) -> int:
    from grading.fast_grade import grade_sitting

    summary = grade_sitting(course_root(), paper_path(args.exam), students=args.student or None)
    print(summary.text())
    if summary.needs_attention:
        print("有拒绝评分、未提交或提交两套试卷的考生，请核查（见上）。", file=sys.stderr)
        return 1
    return 0


def cmd_results(args) -> int:
    from grading.results import results_table, write_results

    table = results_table(course_root(), paper_path(args.exam))
    write_results(table, args.format, Path(args.output))
    print(f"{args.exam}：{len(table)} 人，已写入 {args.output}")
    return 0


def cmd_register(args) -> int:
    from grading.paper import load_paper
    from grading.results import officer_results
    from tracker import db
    from tracker.certification import ExamRecord, register_results
    from tracker.service import current_user

    path = paper_path(args.exam)
    paper = load_paper(path)
    results = officer_results(course_root(), path)
    if not results:
        print(f"{args.exam} 还没有评分结果，没有可登记的成绩（先运行 academy exam grade {args.exam}）。", file=sys.stderr)
        return 1
    reviewed = set(getattr(args, "reviewed", None) or ())
    held: dict[str, list[str]] = {"pending": [], "refused": [], "two_forms": [], "flagged": []}
    records = []
    for result in results:
        if result.status in ("pending", "refused", "two_forms"):
            held[result.status].append(result.officer)
        elif result.flags and result.officer not in reviewed:
            held["flagged"].append(result.officer)
        else:
            report = result.report
            records.append(ExamRecord(result.officer, Decimal(str(round(report.total, 2))),
                                      Decimal(str(round(report.max, 2))), report.passed))
    with db.session() as s:
        outcome = register_results(s, paper.exam, args.series or paper.exam, paper.title, args.date, records,
                                   current_user())
    print(outcome)
    notes = {"pending": "案例分析题尚未评完、结论待定，未登记", "refused": "拒绝评分，未登记",
             "two_forms": "提交了两套试卷，待核查，未登记",
             "flagged": "需核查（答题时间有疑问），未登记；核查后用 --reviewed 人员编号 登记"}
    for status, officers in held.items():
        if officers:
            print(f"{notes[status]}：" + "、".join(officers))
    if outcome.registered == 0 and outcome.already == 0:
        reasons = [f"{notes[k].split('，')[0]} {len(v)} 人" for k, v in held.items() if v]
        if outcome.unknown:
            reasons.append(f"不在名册中 {len(outcome.unknown)} 人（先导入人员名册：academy hours import-roster）")
        print(f"没有登记任何成绩：{'；'.join(reasons) or '没有可登记的成绩'}。", file=sys.stderr)
        return 1
    return 0


def cmd_analyze(args) -> int:
    from grading.item_stats import compute_item_stats, keys_from_questions, plot_item_stats, record_forms
    from grading.paper import load_paper
    from grading.results import form_responses
    from questionbank.loading import load_bank

    path = paper_path(args.exam)
    paper = load_paper(path)
    every_form = form_responses(course_root(), path)
    forms = [f for f in every_form if f.rows]
    if not forms:
        print(f"{args.exam} 还没有可分析的评分结果（拒绝评分和提交两套试卷的不计入），无法分析。", file=sys.stderr)
        return 1
    keys = keys_from_questions(load_bank().questions)
    stats = {f.assignment: compute_item_stats(f.rows, f.totals, keys, exam=paper.exam, form=f.assignment)
             for f in forms}
    stored = record_forms(paper.exam, stats)
    items = {q for form_stats in stats.values() for q in form_stats}
    officers = sum(len(f.totals) for f in forms)
    left_out = {o: why for f in every_form for o, why in f.left_out.items()}
    chart = Path(args.chart or course_root() / "reports" / f"{paper.exam}-题目分析.png")
    if len(stats) == 1:
        plot_item_stats(next(iter(stats.values())), chart, title=f"{paper.title} 题目分析")
        charts = [chart]
    else:
        charts = []
        for assignment, form_stats in stats.items():
            one = chart.with_name(f"{chart.stem}-{assignment}{chart.suffix}")
            charts.append(plot_item_stats(form_stats, one, title=f"{paper.title} 题目分析（{assignment}）"))
    print(f"{paper.exam}：{len(items)} 道题，{officers} 名考生；统计已保存到 {stored}，图表 {'、'.join(map(str, charts))}")
    if left_out:
        print(f"  未计入 {len(left_out)} 人：" + "、".join(f"{o}（{why}）" for o, why in sorted(left_out.items())))
    for form in forms:
        form_stats = stats[form.assignment]
        flagged = [s for s in form_stats.values() if s.flags]
        print(f"  {form.assignment}：{len(form_stats)} 道题，{len(form.totals)} 名考生，需复核 {len(flagged)} 道")
        for s in sorted(flagged, key=lambda s: s.question):
            disc = "—" if s.point_biserial is None else f"{s.point_biserial:.2f}"
            print(f"    {s.question}：p={s.p:.2f}，点二列相关={disc}，{'、'.join(s.flags)}")
    return 0


def register(subparsers) -> None:
    add = Area(subparsers, "exam", "资格考试：组卷、生成试卷、评分、成绩、登记、题目分析",
               "资格考试命令（基于 nbgrader）。课程目录默认 grading/course，ACADEMY_EXAM_COURSE 可改。").add
    p = add("assemble", cmd_assemble, "按蓝图组卷（0-1 整数规划，可生成多套平行卷）",
            "academy exam assemble grading/blueprints/cert-2026-q4.yaml --forms 2 --seed 7 -o 试卷.yaml")
    p.add_argument("blueprint")
    p.add_argument("--forms", type=int, help="平行卷套数（默认取蓝图）")
    p.add_argument("--seed", type=int, help="随机种子（相同种子组出相同试卷）")
    p.add_argument("-o", "--output", required=True)
    p = add("build", cmd_build, "由试卷生成 nbgrader 作业（考生点选作答，发布的文件中不含答案）",
            "academy exam build 试卷.yaml")
    p.add_argument("paper")
    p = add("grade", cmd_grade, "评分：读取考生保存的答案，对照题库答案计分（不执行考生的任何代码），写入成绩簿并生成反馈",
            "academy exam grade cert-2026-q4")
    p.add_argument("exam")
    p.add_argument("--student", action="append", help="只评某考生（可重复）")
    p = add("results", cmd_results, "导出成绩：每人一行（人员编号、总分、是否通过、各部分得分）",
            "academy exam results cert-2026-q4 --format xlsx -o 成绩.xlsx")
    p.add_argument("exam")
    p.add_argument("--format", choices=["xlsx", "csv"], default="xlsx")
    p.add_argument("-o", "--output", required=True)
    p = add("register", cmd_register, "考试结果登记到学时台账：合格者发证或换证，未通过超过补考次数者列入暂扣审查",
            "academy exam register cert-2026-q4 --date 2026-11-20")
    p.add_argument("exam")
    p.add_argument("--date", type=dt.date.fromisoformat, default=dt.date.today(), help="考试日期")
    p.add_argument("--series", help="考试系列（补考与原考试同一系列；默认为考试编号）")
    p.add_argument("--reviewed", action="append", metavar="人员编号", help="已核查、可以登记的需核查考生（可重复）")
    p = add("analyze", cmd_analyze, "题目分析（按套卷）：难度 p、区分度、选项分布，标出需复核的题，统计保存在数据目录",
            "academy exam analyze cert-2026-q4")
    p.add_argument("exam")
    p.add_argument("--chart", help="图表文件（PNG）")
    register_exam_day(add)
    register_sittings(add)


# --- the exam on the site: sittings kept by the 学堂服务 ---------------------------------------------------------------


def officers_from_file(path: Path) -> list[str]:
    """人员编号 from a file: a sheet with a 人员编号 column (xlsx/csv), or one number per line."""
    from ground.tables import read_rows

    rows = [row for row in read_rows(Path(path)) if any(c not in (None, "") for c in row)]
    if not rows:
        return []
    header = [str(c or "").strip() for c in rows[0]]
    column = header.index("人员编号") if "人员编号" in header else None
    body = rows[1:] if column is not None else rows
    return [str(row[column or 0]).strip() for row in body if len(row) > (column or 0) and row[column or 0]]


def cmd_assign(args) -> int:
    from service.exams import assign
    from service.quizzes import Refused
    from tracker.service import current_user

    officers = officers_from_file(args.officers) if args.officers else []
    if not officers and not args.unit:
        print("错误：请用 --officers 文件 或 --unit 单位 指定考生", file=sys.stderr)
        return 2
    try:
        done = assign(args.exam, officers, current_user(), form=args.form, unit=args.unit, minutes=args.minutes)
    except Refused as exc:
        print(f"错误：{exc}", file=sys.stderr)
        return 1
    print(done.text())
    return 0


def cmd_sittings(args) -> int:
    from service.exams import STATES, overview
    from service.quizzes import Refused
    from tracker.sittings import closed_note

    try:
        rows = overview(args.exam)
    except Refused as exc:
        print(f"错误：{exc}", file=sys.stderr)
        return 1
    print(f"{args.exam}：{len(rows)} 人")
    for r in rows:
        refused = f"，被拒绝的作答 {r['refused']} 次" if r["refused"] else ""
        note = closed_note(r["closed_at"], r["closed_by"], r["close_reason"])
        print(f"  {r['officer']} {r['name']}　{r['form']} 卷　{STATES[r['state']]}　已答 {r['answered']} 题{refused}"
              + (f"　（{note}）" if note else ""))
    return 0


def cmd_close(args) -> int:
    from service.exams import close
    from service.quizzes import Refused
    from tracker.service import current_user

    officers = [*(officers_from_file(args.officers) if args.officers else []), *(args.officer or [])]
    if (args.officers or args.officer) and not officers:
        print("错误：名单中没有人员编号，未作任何收卷", file=sys.stderr)
        return 2
    try:
        done = close(args.exam, officers or None, current_user(), args.reason)
    except Refused as exc:
        print(f"错误：{exc}", file=sys.stderr)
        return 1
    print(done.text())
    return 0


def cmd_collect(args) -> int:
    from grading.sitting_collect import collect_sittings

    report = collect_sittings(course_root(), args.exam)
    print(report.text())
    if report.collected:
        print(f"下一步：academy exam grade {args.exam}")
    return 0


def register_sittings(add) -> None:
    """The exam on the site: assign officers to sittings, see them, collect the service's record into nbgrader."""
    p = add("assign", cmd_assign, "安排考生参加站点上的考试：指定试卷，或在各套平行卷间自动均衡分配（每人每场一次）",
            "academy exam assign cert-2026-q4 --officers 考生名单.xlsx")
    p.add_argument("exam")
    p.add_argument("--officers", metavar="名单文件", help="考生名单（含“人员编号”列的 xlsx/csv，或每行一个人员编号）")
    p.add_argument("--unit", metavar="单位", help="安排该单位全部在职人员")
    p.add_argument("--form", metavar="卷别", help="全部安排到这套试卷（默认自动均衡分配）")
    p.add_argument("--minutes", type=float, metavar="分钟", help="考试时长（默认按试卷）")
    p = add("sittings", cmd_sittings, "查看站点考试的考生：试卷、状态（未打开/作答中/已交卷/已收卷）、已答题数、被拒绝的作答",
            "academy exam sittings cert-2026-q4")
    p.add_argument("exam")
    p = add("close", cmd_close, "现在收卷：提前结束作答中的考试（全部，或指定考生），未开考的不能再开考；记录收卷人和原因",
            "academy exam close cert-2026-q4 --officer K0001 --reason 考场违纪")
    p.add_argument("exam")
    p.add_argument("--officers", metavar="名单文件", help="只收这些考生（含“人员编号”列的 xlsx/csv，或每行一个人员编号）")
    p.add_argument("--officer", action="append", metavar="人员编号", help="只收这名考生（可重复）；不指定考生则全部收卷")
    p.add_argument("--reason", metavar="原因", help="收卷原因（可不填），记录在案")
    p = add("collect", cmd_collect, "收取站点考试：按学堂服务记录的作答写入 nbgrader 的 submitted/，列出缺考、超时作答、提前收卷和未交卷",
            "academy exam collect cert-2026-q4")
    p.add_argument("exam")
