"""Benchmark: 10 parallel 100-question forms from a generated 5,000-question bank (goal: ≤ 5 s).

Run: ``.venv/bin/python bench/exam_assembly.py [--forms 10] [--items 5000] [--seed 1]``
"""

from __future__ import annotations

import argparse
import random
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from grading.assembly import AssemblyReport, assemble, check_paper  # noqa: E402
from grading.blueprint import blueprint_from_mapping  # noqa: E402
from questionbank.laws import Citation  # noqa: E402
from questionbank.model import Part, Question, RubricPoint  # noqa: E402

GOAL_SECONDS = 5.0
LAWS = ["行政处罚法", "行政强制法", "行政许可法", "行政复议法", "行政诉讼法", "国家赔偿法", "政府信息公开条例",
        "食品安全法", "安全生产法", "环境保护法"]
DOMAINS = ["通用", "市场监管", "城市管理", "生态环境", "交通运输", "应急管理", "农业农村", "自然资源"]
TYPES = [("single", 0.40), ("multiple", 0.30), ("judge", 0.28), ("case", 0.02)]


def generate_bank(n: int, seed: int) -> list[Question]:
    rng = random.Random(seed)
    topics = [(f"t{j:02d}", LAWS[j % len(LAWS)]) for j in range(48)]
    out = []
    for i in range(n):
        qtype = rng.choices([t for t, _ in TYPES], [w for _, w in TYPES])[0]
        topic, law = rng.choice(topics)
        q = Question(
            id=f"{topic}-{i:05d}", type=qtype, stem=f"第 {i} 题", topic=topic,
            difficulty=rng.choices([1, 2, 3, 4, 5], [15, 40, 30, 12, 3])[0],
            category="legal" if rng.random() < 0.6 else "operations",
            domains=["通用"] if rng.random() < 0.7 else [rng.choice(DOMAINS[1:])],
            status="reviewed" if rng.random() < 0.95 else "draft",
            options={"A": "甲", "B": "乙", "C": "丙", "D": "丁"} if qtype in ("single", "multiple") else {},
            answer={"single": "A", "multiple": ("A", "C"), "judge": True}.get(qtype),
            basis=[Citation(law, "2021", rng.randint(1, 60))],
        )
        if qtype == "case":
            q.parts = [Part("p1", "single", "小题", {"A": "甲", "B": "乙"}, "A"),
                       Part("p2", "open", "小题", reference="参考", rubric=[RubricPoint("要点", 10)])]
        out.append(q)
    return out


BLUEPRINT = {
    "exam": "bench-2026", "title": "组卷基准测试", "duration_minutes": 120, "total": 100, "pass_mark": 60,
    "multiple_rule": "partial_half", "forms": 10, "max_overlap": 0,
    "sections": [
        {"id": "single", "type": "single", "count": 50, "points": 0.6},
        {"id": "multiple", "type": "multiple", "count": 30, "points": 1},
        {"id": "judge", "type": "judge", "count": 18, "points": 1},
        {"id": "case", "type": "case", "count": 2, "points": 11},
    ],
    "constraints": [
        {"category": "legal", "min": 55, "max": 65},
        {"law": "行政处罚法", "min": 12, "max": 18},
        {"law": "行政强制法", "min": 8},
        {"law": "行政强制法", "type": "multiple", "min": 3},
        {"law": "行政许可法", "min": 8},
        {"law": "行政复议法", "min": 8},
        {"law": "行政诉讼法", "min": 6},
        {"law": "国家赔偿法", "min": 4},
        {"topic": "t00", "min": 2},
        {"topic": "t01", "min": 2},
        {"domain": "通用", "min": 60},
        {"domain": ["市场监管", "城市管理"], "min": 5, "max": 15},
    ],
    "difficulty": {"mean": 2.5, "tolerance": 0.1},
    "solver": {"time_limit": 60, "mip_gap": 0.01},
}


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--items", type=int, default=5000)
    ap.add_argument("--forms", type=int, default=10)
    ap.add_argument("--seed", type=int, default=1)
    args = ap.parse_args()
    bank = generate_bank(args.items, args.seed)
    blueprint = blueprint_from_mapping(BLUEPRINT, source="bench")
    report = AssemblyReport()
    started = time.perf_counter()
    paper = assemble(blueprint, bank, forms=args.forms, seed=args.seed, report=report)
    seconds = time.perf_counter() - started
    problems = check_paper(blueprint, paper, bank)
    print(f"题库 {args.items} 题（候选 {report.candidates}），{args.forms} 套 × {blueprint.items_per_form} 题；"
          f"变量 {report.variables}，约束 {report.rows}")
    print(f"求解器：{report.status}")
    print(f"各套平均难度极差 {report.spread['difficulty_mean']:.4f}，知识点题数最大差 {report.spread['topic_count']:.0f}")
    print(f"约束检查：{'全部满足' if not problems else problems}")
    verdict = "达标" if seconds <= GOAL_SECONDS else "未达标"
    print(f"组卷用时 {seconds:.2f} 秒（目标 ≤ {GOAL_SECONDS:g} 秒，{verdict}）")


if __name__ == "__main__":
    main()
