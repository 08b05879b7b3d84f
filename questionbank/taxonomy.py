"""Declared domains and topics (``catalog/taxonomy.yaml``)."""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache
from pathlib import Path

import yaml

from questionbank.laws import CATALOG


@dataclass(frozen=True)
class Topic:
    id: str
    title: str
    law: str
    first_article: int | None = None
    last_article: int | None = None

    def covers(self, law: str, article: int) -> bool:
        if law != self.law:
            return False
        if self.first_article is None:
            return True
        return self.first_article <= article <= self.last_article

    @property
    def id_prefix(self) -> str:
        return self.id.replace("_", "-")


@dataclass(frozen=True)
class Taxonomy:
    domains: tuple[str, ...]
    topics: dict[str, Topic]

    @classmethod
    def load(cls, path: Path | None = None) -> "Taxonomy":
        raw = yaml.load((path or CATALOG / "taxonomy.yaml").read_text(encoding="utf-8"), Loader=yaml.CSafeLoader)
        topics = {}
        for entry in raw["topics"]:
            first = last = None
            if entry.get("articles"):
                first, last = (int(x) for x in str(entry["articles"]).split("-"))
            topics[entry["id"]] = Topic(entry["id"], entry["title"], entry["law"], first, last)
        return cls(tuple(raw["domains"]), topics)

    def topic_for(self, law: str, article: int) -> Topic | None:
        """The declared topic that covers an article (used when an import has no known 知识点)."""
        return next((t for t in self.topics.values() if t.covers(law, article)), None)

    def topic_by_title(self, title: str) -> Topic | None:
        title = title.strip()
        return next((t for t in self.topics.values() if title in (t.id, t.title)), None)


@cache
def default_taxonomy() -> Taxonomy:
    return Taxonomy.load()
