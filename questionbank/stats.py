"""Counts of the bank by law, type, category, domain, difficulty and status."""

from __future__ import annotations

import unicodedata
from collections import Counter
from typing import Any

from ground.vocabulary import CATEGORIES
from questionbank.keys import format_shares, key_shares
from questionbank.loading import Bank
from questionbank.model import STATUSES, TYPES


def bank_stats(bank: Bank) -> dict[str, Any]:
    qs = bank.questions
    by_law: Counter[str] = Counter()
    for q in qs:
        by_law.update(q.laws)  # a question citing two laws counts once for each
    return {
        "total": len(qs),
        "reviewed": sum(q.status == "reviewed" for q in qs),
        "case_parts": sum(len(q.parts) for q in qs),
        "by_law": dict(by_law.most_common()),
        "by_type": dict(Counter(q.type for q in qs).most_common()),
        "by_category": dict(Counter(q.category for q in qs).most_common()),
        "by_domain": dict(Counter(d for q in qs for d in q.domains).most_common()),
        "by_topic": dict(Counter(q.topic for q in qs).most_common()),
        "by_difficulty": {str(k): v for k, v in sorted(Counter(q.difficulty for q in qs).items())},
        "by_status": dict(Counter(q.status for q in qs).most_common()),
        "keys": key_shares(qs),
    }


LABELS = {"by_type": TYPES, "by_category": CATEGORIES, "by_status": STATUSES}
TITLES = {
    "by_law": "按法律", "by_type": "按题型", "by_category": "按分类", "by_domain": "按执法领域",
    "by_topic": "按知识点", "by_difficulty": "按难度", "by_status": "按状态",
}


def _pad(text: str, width: int) -> str:
    """Left-justify by display width: CJK characters take two columns in a terminal."""
    shown = sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in text)
    return text + " " * max(1, width - shown)


def format_stats(stats: dict[str, Any]) -> str:
    lines = [f"题目总数：{stats['total']}（已审核 {stats['reviewed']}，案例小题 {stats['case_parts']}）"]
    for key, title in TITLES.items():
        lines.append(f"\n{title}：")
        labels = LABELS.get(key, {})
        total = stats["total"] or 1
        for name, count in stats[key].items():
            label = f"{labels[name]}（{name}）" if name in labels else name
            lines.append(f"  {_pad(label, 34)}{count:>6}  {count / total:6.1%}")
    lines.append("\n答案分布：\n" + format_shares(stats["keys"]))
    return "\n".join(lines)
