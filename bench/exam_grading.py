"""Benchmark: grading 100-question exam submissions — stock ``nbgrader autograde`` vs ``grade_exam``.

One run prints, for the same officers and the same answers:

1. the classic way: answers typed into solution cells (``q17 = "B"``), hidden-test grade cells
   (``assert q17 == "B"``), graded by stock ``nbgrader autograde`` (a kernel per submission) — ``--stock`` of them;
2. nbgrader's own Autograde with our ScoreAnswers in place of Execute (no kernel) — ``--scoreanswers`` of them;
3. ``grading.fast_grade.grade_exam`` on ``--officers`` submissions in one process (goal: ≥ 200× faster per
   submission than 1., and 1,288 in < 60 s);
4. ``grade_exam`` on ``--many`` submissions (default 10,000) with its worker processes (every CPU; the gradebook
   written by the main process) — goal ≤ 60 s here;

then compares the scores of the officers graded both ways, and prints per-submission times, the ratios and a table of
the figures side by side with the baseline (stock nbgrader, extrapolated from its per-submission time).

    .venv/bin/python bench/exam_grading.py [--officers 1288] [--stock 30] [--scoreanswers 30] [--many 10000]
"""

from __future__ import annotations

import argparse
import json
import random
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import nbformat  # noqa: E402

from grading.autograde import load_exam_key, run_nbgrader_autograde  # noqa: E402
from grading.build import alembic_on_path, build, generate, write_config  # noqa: E402
from grading.fast_grade import grade_exam  # noqa: E402
from grading.paper import load_paper, paper_from_mapping, write_paper  # noqa: E402
from questionbank.loading import load_bank  # noqa: E402

EXAM = "bench-exam"
ASSIGNMENT = f"{EXAM}-a"
CLASSIC = f"{EXAM}-classic"
TIMESTAMP = "2026-11-23 09:00:00.000000 UTC"


def paper_mapping(bank) -> dict:
    """100 questions, 100 points: 40 single × 1, 20 multiple × 1.5, 38 judge × 0.5, 2 case × 5.5."""
    reviewed = sorted(bank.reviewed(), key=lambda q: q.id)
    pick = {t: [q.id for q in reviewed if q.type == t] for t in ("single", "multiple", "judge")}
    cases = [q.id for q in reviewed if q.type == "case" and any(p.type != "open" for p in q.parts)]
    rng = random.Random(2026)
    return {
        "exam": EXAM, "title": "基准测试考试", "duration_minutes": 90, "total": 100, "pass_mark": 60,
        "multiple_rule": "partial_half", "seed": 1,
        "forms": [{"form": "A", "sections": [
            {"id": "single", "title": "单项选择题", "type": "single", "points": 1,
             "questions": rng.sample(pick["single"], 40)},
            {"id": "multiple", "title": "多项选择题", "type": "multiple", "points": 1.5,
             "questions": rng.sample(pick["multiple"], 20)},
            {"id": "judge", "title": "判断题", "type": "judge", "points": 0.5,
             "questions": rng.sample(pick["judge"], 38)},
            {"id": "case", "title": "案例分析题", "type": "case", "points": 5.5, "questions": rng.sample(cases, 2)},
        ]}],
    }


def responses(key, rng: random.Random) -> dict:
    """One officer's clicks: right with the officer's own probability, else wrong, partial or blank."""
    skill = rng.uniform(0.3, 0.95)
    out = {}
    for item in key.items.values():
        t, roll = item.target, rng.random()
        if roll > 0.97:
            continue
        if t.type == "judge":
            out[item.answer_key] = bool(t.answer) if roll < skill else not t.answer
        elif t.type == "single":
            out[item.answer_key] = t.answer if roll < skill else rng.choice([x for x in t.options if x != t.answer])
        else:
            keyset = sorted(t.answer)
            out[item.answer_key] = (keyset if roll < skill else keyset[:1] if roll < (1 + skill) / 2
                                    else sorted(t.options))
    return out


def submit(course: Path, assignment: str, officer: str, answers: dict) -> None:
    folder = course / "submitted" / officer / assignment
    folder.mkdir(parents=True, exist_ok=True)
    release = course / "release" / assignment
    for f in release.iterdir():
        shutil.copyfile(f, folder / f.name)
    (folder / "timestamp.txt").write_text(TIMESTAMP)
    (folder / "answers.json").write_text(json.dumps(
        {"exam": EXAM, "assignment": assignment, "officer": officer, "seed": "0" * 64,
         "started_at": "2026-11-23T08:00:00+00:00", "deadline": "2026-11-23T09:30:00+00:00",
         "updated_at": "2026-11-23T08:59:00+00:00", "answers": answers}, ensure_ascii=False))


# --- the classic notebook: typed answers, hidden tests ---------------------------------------------------------


def classic_source(course: Path, key) -> None:
    """source/<classic>/exam.ipynb: per objective item a solution cell and a hidden-test grade cell."""
    nb = nbformat.v4.new_notebook()
    nb.metadata["kernelspec"] = {"display_name": "Python 3 (ipykernel)", "language": "python", "name": "python3"}

    def meta(gid, **kw):
        m = {"grade": False, "solution": False, "locked": False, "grade_id": gid, "schema_version": 3}
        m.update(kw)
        return {"nbgrader": m}

    cells = [nbformat.v4.new_markdown_cell("# 基准测试考试（传统做法）", metadata=meta("intro", locked=True))]
    for n, item in enumerate(key.items.values(), 1):
        var, t, pts = f"q{n}", item.target, item.points
        cells.append(nbformat.v4.new_code_cell(f"### BEGIN SOLUTION\n{var} = None\n### END SOLUTION",
                                               metadata=meta(f"answer-{n}", solution=True)))
        if t.type == "multiple":
            keyset = sorted(t.answer)
            test = (f"_chosen = set({var} or [])\n_key = set({keyset!r})\n"
                    f"{pts} if _chosen == _key else ({pts / 2} if _chosen and not _chosen - _key else 0.0)")
        elif t.type == "judge":
            test = f"assert {var} == {bool(t.answer)!r}"
        else:
            test = f"assert {var} == {t.answer!r}"
        cells.append(nbformat.v4.new_code_cell(f"### BEGIN HIDDEN TESTS\n{test}\n### END HIDDEN TESTS",
                                               metadata=meta(f"test-{n}", grade=True, locked=True, points=pts)))
    nb.cells = cells
    folder = course / "source" / CLASSIC
    folder.mkdir(parents=True, exist_ok=True)
    nbformat.write(nb, folder / "exam.ipynb")


def classic_submit(course: Path, officer: str, key, answers: dict) -> None:
    folder = course / "submitted" / officer / CLASSIC
    folder.mkdir(parents=True, exist_ok=True)
    nb = nbformat.read(course / "release" / CLASSIC / "exam.ipynb", as_version=4)
    values = {f"answer-{n}": answers.get(item.answer_key) for n, item in enumerate(key.items.values(), 1)}
    for cell in nb.cells:
        gid = cell.metadata.get("nbgrader", {}).get("grade_id", "")
        if gid in values:
            cell.source = f"q{gid.split('-')[1]} = {values[gid]!r}"
    nbformat.write(nb, folder / "exam.ipynb")
    (folder / "timestamp.txt").write_text(TIMESTAMP)


def scores(course: Path, assignment: str) -> dict[str, float]:
    """Each officer's total in the gradebook (one SQL query: nbgrader's ORM takes minutes for 10,000)."""
    from nbgrader.api import Assignment, Grade, Gradebook, SubmittedAssignment, SubmittedNotebook
    from nbgrader.coursedir import CourseDirectory
    from sqlalchemy import func, select

    from grading.autograde import course_config

    coursedir = CourseDirectory(config=course_config(course))
    query = (select(SubmittedAssignment.student_id, func.sum(Grade.score))
             .join(SubmittedNotebook, Grade.notebook_id == SubmittedNotebook.id)
             .join(SubmittedAssignment, SubmittedNotebook.assignment_id == SubmittedAssignment.id)
             .join(Assignment, SubmittedAssignment.assignment_id == Assignment.id)
             .where(Assignment.name == assignment).group_by(SubmittedAssignment.student_id))
    with Gradebook(coursedir.db_url, coursedir.course_id) as gb:
        return {student: round(total or 0.0, 6) for student, total in gb.db.execute(query)}


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--officers", type=int, default=1288)
    ap.add_argument("--stock", type=int, default=30, help="submissions graded by stock nbgrader autograde")
    ap.add_argument("--scoreanswers", type=int, default=30, help="submissions graded by nbgrader + ScoreAnswers")
    ap.add_argument("--many", type=int, default=10000, help="submissions graded with worker processes (0: skip)")
    ap.add_argument("--workers", type=int, help="worker processes for --many (default: every CPU)")
    ap.add_argument("--keep", action="store_true", help="keep the temporary course")
    args = ap.parse_args()
    alembic_on_path()
    tmp = Path(tempfile.mkdtemp(prefix="exam-bench-"))
    try:
        bank = load_bank()
        paper_path = tmp / "papers" / f"{EXAM}.yaml"
        write_paper(paper_from_mapping(paper_mapping(bank)), paper_path)
        course = tmp / "course"
        t0 = time.perf_counter()
        build(load_paper(paper_path), bank.questions, course)
        key = load_exam_key(paper_path, ASSIGNMENT)
        print(f"试卷：{len(key.items)} 个自动评分单元格 + {len(key.manual)} 个人工评分单元格，"
              f"生成用时 {time.perf_counter() - t0:.1f} 秒")
        rng = random.Random(7)
        officers = [f"A{n:05d}" for n in range(1, args.officers + 1)]
        answers = {o: responses(key, rng) for o in officers}
        t0 = time.perf_counter()
        for o in officers:
            submit(course, ASSIGNMENT, o, answers[o])
        print(f"生成 {len(officers)} 份提交用时 {time.perf_counter() - t0:.1f} 秒")

        # 1. stock nbgrader autograde, the classic notebook (kernel, hidden tests)
        stock_ids = officers[: args.stock]
        stock_time = None
        if stock_ids:
            write_config(course)
            classic_source(course, key)
            generate(course, CLASSIC)
            for o in stock_ids:
                classic_submit(course, o, key, answers[o])
            t0 = time.perf_counter()
            proc = subprocess.run([str(Path(sys.executable).parent / "nbgrader"), "autograde", CLASSIC, "--force"],
                                  cwd=course, capture_output=True, text=True)
            stock_time = time.perf_counter() - t0
            if proc.returncode:
                print(proc.stderr[-3000:])
                raise SystemExit("stock nbgrader autograde failed")
            print(f"[1] 传统 nbgrader autograde（内核执行隐藏测试）：{len(stock_ids)} 份 {stock_time:.1f} 秒，"
                  f"每份 {stock_time / len(stock_ids):.2f} 秒（含一次命令启动）")

        # 2. nbgrader's Autograde with ScoreAnswers in place of Execute (a separate copy of the course)
        sa_ids = officers[: args.scoreanswers]
        if sa_ids:
            copy = tmp / "sa" / "course"
            copy.parent.mkdir()
            shutil.copytree(course / "source", copy / "source")
            shutil.copytree(course / "release", copy / "release")
            shutil.copy(course / "nbgrader_config.py", copy / "nbgrader_config.py")
            shutil.copy(course / "gradebook.db", copy / "gradebook.db")
            for o in sa_ids:
                shutil.copytree(course / "submitted" / o / ASSIGNMENT, copy / "submitted" / o / ASSIGNMENT)
            import logging
            logging.getLogger("traitlets").setLevel(logging.ERROR)
            t0 = time.perf_counter()
            run_nbgrader_autograde(copy, ASSIGNMENT, paper=paper_path)
            sa_time = time.perf_counter() - t0
            print(f"[2] nbgrader Autograde + ScoreAnswers（不执行代码，进程内）：{len(sa_ids)} 份 {sa_time:.1f} 秒，"
                  f"每份 {sa_time / len(sa_ids) * 1000:.0f} 毫秒")
            sa_scores = scores(copy, ASSIGNMENT)

        # 3. grade_exam on every submission, one process
        summary = grade_exam(course, ASSIGNMENT, progress=True, paper=paper_path, workers=1)
        per = summary.seconds / len(officers)
        print(f"[3] grade_exam（1 个进程）：{len(summary.graded)} 份（拒绝 {len(summary.refused)}）{summary.seconds:.1f} 秒，"
              f"每份 {per * 1000:.1f} 毫秒；折合 1,288 份 {per * 1288:.1f} 秒（目标 < 60 秒）")
        each = sorted(r.seconds for r in summary.results)
        print(f"    每份（读取、核对、评分、写出文件，不含数据库）：中位 {each[len(each) // 2] * 1000:.1f} 毫秒，"
              f"95% {each[int(len(each) * 0.95)] * 1000:.1f} 毫秒，最长 {each[-1] * 1000:.1f} 毫秒；"
              f"数据库写入合计 {summary.seconds - sum(each):.1f} 秒")
        again = grade_exam(course, ASSIGNMENT, progress=False, paper=paper_path, workers=1)
        print(f"    再次评分（更新已有记录）：{again.seconds:.1f} 秒")
        fast = scores(course, ASSIGNMENT)

        # 4. many submissions, worker processes
        many = None
        if args.many:
            more = [f"A{n:05d}" for n in range(len(officers) + 1, args.many + 1)]
            t0 = time.perf_counter()
            for o in more:
                submit(course, ASSIGNMENT, o, responses(key, rng))
            print(f"生成另外 {len(more)} 份提交用时 {time.perf_counter() - t0:.1f} 秒")
            many = grade_exam(course, ASSIGNMENT, progress=False, paper=paper_path, workers=args.workers)
            n = len(many.results)
            print(f"[4] grade_exam（{many.workers} 个工作进程 + 主进程写成绩簿）：{n} 份（拒绝 {len(many.refused)}）"
                  f"{many.seconds:.1f} 秒，每份 {many.seconds / n * 1000:.2f} 毫秒（目标 {n:,} 份 ≤ 60 秒）")
            assert not many.refused, many.text()
            again_fast = scores(course, ASSIGNMENT)
            diff = [o for o in officers if abs(again_fast[o] - fast[o]) > 1e-6]
            print(f"    分数比对（1 个进程 vs 工作进程，{len(officers)} 人）：{'全部一致' if not diff else f'{len(diff)} 人不一致'}")

        # scores compared
        if stock_ids:
            classic = scores(course, CLASSIC)
            diff = [o for o in stock_ids if abs(classic[o] - fast[o]) > 1e-6]
            print(f"分数比对（传统 vs grade_exam，{len(stock_ids)} 人）：{'全部一致' if not diff else f'{len(diff)} 人不一致'}")
            for o in diff[:5]:
                print(f"    {o}: 传统 {classic[o]}  grade_exam {fast[o]}")
            ratio = (stock_time / len(stock_ids)) / per
            print(f"每份提交：传统 {stock_time / len(stock_ids):.2f} 秒，grade_exam {per * 1000:.1f} 毫秒，"
                  f"快 {ratio:.0f} 倍（目标 ≥ 200 倍）")
        if sa_ids:
            diff = [o for o in sa_ids if abs(sa_scores[o] - fast[o]) > 1e-6]
            print(f"分数比对（nbgrader+ScoreAnswers vs grade_exam，{len(sa_ids)} 人）："
                  f"{'全部一致' if not diff else f'{len(diff)} 人不一致'}")
        _table(stock_time / len(stock_ids) if stock_ids else None, per, many)
    finally:
        if args.keep:
            print(f"课程保留在 {tmp}")
        else:
            shutil.rmtree(tmp, ignore_errors=True)


def _table(stock_per: float | None, per: float, many) -> None:
    """The figures side by side with the baseline (stock nbgrader, extrapolated from its per-submission time)."""
    rows = [("传统 nbgrader autograde（基线）", stock_per, None)]
    rows.append(("grade_exam，1 个进程", per, None))
    if many is not None:
        rows.append((f"grade_exam，{many.workers} 个工作进程", many.seconds / len(many.results), many.seconds))
    count = len(many.results) if many is not None else 10000
    print(f"\n| 方式 | 每份 | {count:,} 份 | 比基线快 |\n|---|---|---|---|")
    for name, each, measured in rows:
        if each is None:
            continue
        total = f"{measured:.1f} 秒（实测）" if measured is not None else f"{each * count:,.0f} 秒（推算）"
        ratio = f"{stock_per / each:,.0f} 倍" if stock_per and name != rows[0][0] else "—"
        print(f"| {name} | {each * 1000:.2f} 毫秒 | {total} | {ratio} |")


if __name__ == "__main__":
    main()
