"""Writing small bank files for tests."""

from __future__ import annotations

from pathlib import Path

import yaml

from ground.settings import settings
from questionbank.laws import Citation
from questionbank.review import NO_TEXT, ArticleTexts


def good_single(**changes) -> dict:
    item = {
        "id": "cf-test-001",
        "type": "single",
        "stem": "当事人要求听证的，应当在行政机关告知后几日内提出？（  ）",
        "options": {"A": "三日", "B": "五日", "C": "七日", "D": "十日"},
        "answer": "B",
        "explanation": "行政处罚法第六十四条规定，当事人要求听证的，应当在行政机关告知后五日内提出。",
        "basis": ["行政处罚法@2021#64"],
        "difficulty": 2,
        "category": "legal",
        "domains": ["通用"],
        "status": "reviewed",
        "source": "测试",
    }
    item.update(changes)
    if "review" not in changes and item.get("status") == "reviewed":
        item["review"] = trail(item.get("basis") or [])
    return {k: v for k, v in item.items() if v is not None}


def trail(basis: list[str], by: str = "测试审核人", date: str = "2026-11-20") -> dict:
    """A review trail with the fingerprints of the cited articles as they are on file (``-`` for one not on file)."""
    texts = ArticleTexts(settings.laws_dir)
    articles = {}
    for cite in basis:
        try:
            printed = texts.fingerprint(Citation.parse(cite))
        except ValueError:
            printed = None
        articles[cite] = printed or NO_TEXT
    return {"by": by, "date": date, "articles": articles}


def write_bank(folder: Path, *questions: dict, topic: str = "cf_hearing", name: str = "bank.yaml") -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / name
    path.write_text(yaml.safe_dump({"topic": topic, "questions": list(questions)}, allow_unicode=True, sort_keys=False),
                    encoding="utf-8")
    return path
