"""How often does guessing pass a module's quiz? Simulated officers answer every module's quiz through the kernel's
grader (the same rounds and pass rule as the 学堂服务), up to ROUNDS rounds each, and the share who pass is printed:
A / 错误 everywhere, copying every key shown into later rounds, clicking at random (random options, random verdicts),
and knowing the keys.

    PYTHONPATH=. .venv/bin/python bench/quiz_guessing.py [--officers 200] [--rounds 12]

Measured 2026-11-30, 25 officers × 32 modules, up to 12 rounds each: A / 错误 everywhere 0 of 800, copying the shown
keys 0 of 800 (the keys it could copy never come back), clicking at random 5 of 800 (0.62%), knowing the keys 800 of
800 in the first round. (Before legal-litigation-compensation's list got a 多选题 in place of a 单选题, its ten questions
were all 单选 or 判断 keyed 错误, and A / 错误 passed it once in 800.)
"""

from __future__ import annotations

import argparse
import random
import time

from curriculum import catalog
from questionbank.quiz import LocalGrader
from questionbank.quiz_rounds import Progress
from questionbank.quiz_views import shown_order
from tests.quiz_officers import Officer


class RandomClicker(Officer):
    def __init__(self, seed: str):
        super().__init__("random")
        self.rng = random.Random(seed)

    def respond(self, item, seed):
        if item.type == "single":
            return self.rng.choice(shown_order(item, seed))
        if item.type == "multiple":
            letters = list(item.options)
            return self.rng.sample(letters, self.rng.randint(1, len(letters)))
        if item.type == "judge":
            return self.rng.random() < 0.5
        return "A"


def play(module, quiz_id, officer_no, officer, rounds) -> bool:
    seed = f"{officer_no.lower()}/{module.id}/{quiz_id}"
    grader = LocalGrader(Progress(catalog.quiz_slots(module, quiz_id), seed, module.pass_mark), officer_no)
    for _ in range(rounds):
        view = grader.open()
        for question in view.questions:
            full = grader.progress.by_id[question.id]
            if grader.grade(question, officer.responses(full, f"{seed}/{view.summary.round}")).key_shown:
                officer.shown(full)
        summary = grader.progress.summary()
        if summary.passed or not summary.can_redo:
            break
    return grader.progress.passed


def main() -> None:
    parser = argparse.ArgumentParser(description="模拟作答：猜题、抄答案、随机点选、全会 各自通过测验的比例")
    parser.add_argument("--officers", type=int, default=200, help="每个模块模拟的人数")
    parser.add_argument("--rounds", type=int, default=12, help="每人最多做几轮")
    args = parser.parse_args()
    started = time.perf_counter()
    kinds = ("guesser", "copier", "random", "knower")
    passed = dict.fromkeys(kinds, 0)
    worst: dict[str, tuple[int, str]] = {k: (0, "") for k in kinds}
    tries = 0
    for module in catalog.catalog():
        for quiz in module.quizzes:
            here = dict.fromkeys(kinds, 0)
            for i in range(args.officers):
                no = f"M{i:05d}"
                for kind in kinds:
                    officer = RandomClicker(f"{no}/{module.id}") if kind == "random" else Officer(kind)
                    here[kind] += play(module, quiz.id, no, officer, args.rounds)
            tries += args.officers
            for kind in kinds:
                passed[kind] += here[kind]
                worst[kind] = max(worst[kind], (here[kind], module.id))
    print(f"{tries} 次模块测验（{args.officers} 人 × 全部模块，每人最多 {args.rounds} 轮），用时 {time.perf_counter() - started:.0f} s")
    names = {"guesser": "全选A/错误", "copier": "抄已显示的答案", "random": "随机点选", "knower": "全会"}
    for kind in kinds:
        count, where = worst[kind]
        share = passed[kind] / tries
        print(f"{names[kind]:<12} 通过 {passed[kind]:>6}/{tries}（{share:.2%}）  最多的模块：{where} {count}/{args.officers}")


if __name__ == "__main__":
    main()
