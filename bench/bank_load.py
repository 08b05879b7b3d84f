"""Benchmark: load and validate a generated 10,000-item bank (goal ≤ 2 s here).

Prints, in one run, our figure beside two baselines: the goal, and the near-duplicate check done the plain way
(every pair compared), measured on a sample and scaled to the full bank.

    .venv/bin/python bench/bank_load.py [--items 10000]
"""

from __future__ import annotations

import argparse
import random
import re
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from ground.settings import settings  # noqa: E402
from questionbank.loading import load_bank  # noqa: E402
from questionbank.reading import read_question  # noqa: E402
from questionbank.similarity import jaccard, normalise, tokens  # noqa: E402
from questionbank.validation import validate  # noqa: E402
from questionbank.writing import dump_file  # noqa: E402

CLAUSE_RE = re.compile(r"[^。；：！？\n]{12,60}")


def clauses(laws_dir: Path) -> list[str]:
    """Real legal Chinese to build stems and options from: the clauses of the statute texts."""
    out = []
    for path in sorted(laws_dir.glob("*.md")):
        for line in path.read_text(encoding="utf-8").splitlines():
            if line.startswith("第"):
                out.extend(m.group(0) for m in CLAUSE_RE.finditer(line.split(" ", 1)[-1]))
    return sorted(set(out))
TOPICS = ["cf_general", "cf_procedure", "cf_hearing", "qz_measures", "xk_license", "fy_review", "ss_litigation"]
LAWS = {"cf_general": ("行政处罚法@2021", 86), "cf_procedure": ("行政处罚法@2021", 86), "cf_hearing": ("行政处罚法@2021", 86),
        "qz_measures": ("行政强制法@2011", 71), "xk_license": ("行政许可法@2019", 83), "fy_review": ("行政复议法@2023", 90),
        "ss_litigation": ("行政诉讼法@2017", 103)}


def generate(folder: Path, count: int, laws_dir: Path, seed: int = 7) -> None:
    rng = random.Random(seed)
    pool = clauses(laws_dir)

    per_topic: dict[str, list] = {t: [] for t in TOPICS}
    for i in range(count):
        topic = TOPICS[i % len(TOPICS)]
        law, articles = LAWS[topic]
        kind = ("single", "multiple", "judge")[i % 3]
        stem = f"{rng.choice(pool)}，{rng.choice(pool)}，下列说法正确的是（  ）。"
        item = {"id": f"gen-{i:05d}", "type": kind, "stem": stem, "explanation": "依据所引条文。",
                "basis": [f"{law}#{rng.randint(1, articles)}"], "difficulty": rng.randint(1, 5), "category": "legal",
                "domains": ["通用"], "status": "reviewed", "source": "生成"}
        if kind == "judge":
            item["answer"] = rng.choice(["正确", "错误"])
        else:
            item["options"] = {k: rng.choice(pool)[:20] + k for k in "ABCD"}
            item["answer"] = "B" if kind == "single" else ["A", "C"]
        question, _ = read_question(item, "", topic, i)
        per_topic[topic].append(question)
    for topic, questions in per_topic.items():
        (folder / f"{topic}.yaml").write_text(dump_file(topic, questions), encoding="utf-8")


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--items", type=int, default=10_000)
    parser.add_argument("--laws", type=Path, default=settings.laws_dir, help="条文目录（生成题干用）")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        generate(folder, args.items, args.laws)
        start = time.perf_counter()
        bank = load_bank([folder])
        loaded = time.perf_counter()
        problems = validate(bank)
        done = time.perf_counter()
    errors = sum(p.level == "error" for p in problems)
    # plain all-pairs similarity on a sample, scaled by the number of pairs
    stems = [set(tokens(normalise(q.stem))) for q in bank.questions[:600]]
    start_pairs = time.perf_counter()
    for i in range(len(stems)):
        for j in range(i + 1, len(stems)):
            jaccard(stems[i], stems[j])
    sample_pairs = len(stems) * (len(stems) - 1) / 2
    all_pairs = len(bank.questions) * (len(bank.questions) - 1) / 2
    naive = (time.perf_counter() - start_pairs) / sample_pairs * all_pairs
    print(f"题库规模：{len(bank.questions)} 道题（{errors} 个错误，{len(problems) - errors} 个警告）")
    print(f"{'':24}{'本系统':>10}{'基线':>12}")
    print(f"{'加载':24}{loaded - start:>9.2f}s")
    print(f"{'校验（含相似题干）':20}{done - loaded:>9.2f}s")
    print(f"{'加载 + 校验':22}{done - start:>9.2f}s{2.0:>11.2f}s  （目标）")
    print(f"{'相似题干：逐对比较':19}{'':>10}{naive:>11.2f}s  （{all_pairs:,.0f} 对，按 {sample_pairs:,.0f} 对样本推算）")


if __name__ == "__main__":
    main()
