"""The law registry: which laws exist, their versions, effective dates and article counts.

The registry is data (``catalog/laws.yaml``); this module only reads it and answers questions about it.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from functools import cache
from pathlib import Path

import yaml

CATALOG = Path(__file__).resolve().parent / "catalog"
CITATION_RE = re.compile(r"^(?P<law>[^@#\s]+)@(?P<version>[0-9A-Za-z._-]+)#(?P<article>\d+)$")


@dataclass(frozen=True)
class Citation:
    """One legal basis: ``行政处罚法@2021#51``."""

    law: str
    version: str
    article: int

    @classmethod
    def parse(cls, text: str) -> "Citation":
        match = CITATION_RE.match(str(text).strip())
        if not match:
            raise ValueError(f"法律依据格式应为 法律简称@版本#条号（如 行政处罚法@2021#51），实际为 {text!r}")
        return cls(match["law"], match["version"], int(match["article"]))

    def __str__(self) -> str:
        return f"{self.law}@{self.version}#{self.article}"


@dataclass(frozen=True)
class LawVersion:
    law: str
    id: str
    adopted: dt.date | None
    effective: dt.date
    articles: int | None
    text: str | None


@dataclass(frozen=True)
class Law:
    name: str
    full_name: str
    kind: str
    versions: tuple[LawVersion, ...]

    def version(self, version_id: str) -> LawVersion | None:
        return next((v for v in self.versions if v.id == version_id), None)

    def in_force(self, on: dt.date | None = None) -> LawVersion | None:
        """The version in force on a date (today by default): the latest one already effective."""
        on = on or dt.date.today()
        effective = [v for v in self.versions if v.effective <= on]
        return max(effective, key=lambda v: v.effective) if effective else None


class LawRegistry:
    def __init__(self, laws: dict[str, Law]):
        self.laws = laws

    @classmethod
    def load(cls, path: Path | None = None) -> "LawRegistry":
        path = path or CATALOG / "laws.yaml"
        raw = yaml.load(path.read_text(encoding="utf-8"), Loader=yaml.CSafeLoader)
        laws = {}
        for name, entry in raw.items():
            versions = tuple(
                LawVersion(
                    law=name,
                    id=str(v["id"]),
                    adopted=v.get("adopted"),
                    effective=v["effective"],
                    articles=v.get("articles"),
                    text=v.get("text"),
                )
                for v in entry["versions"]
            )
            laws[name] = Law(name, entry["full_name"], entry.get("kind", ""), versions)
        return cls(laws)

    def __contains__(self, name: str) -> bool:
        return name in self.laws

    def get(self, name: str) -> Law | None:
        return self.laws.get(name)

    def resolve_name(self, text: str) -> Law | None:
        """Find a law by short name or full name, with or without 《》 and 中华人民共和国."""
        name = text.strip().strip("《》〈〉<> ")
        if name in self.laws:
            return self.laws[name]
        bare = name.removeprefix("中华人民共和国")
        for law in self.laws.values():
            if bare in (law.name, law.full_name.removeprefix("中华人民共和国")):
                return law
        return None

    def superseded(self, citation: Citation, on: dt.date | None = None) -> LawVersion | None:
        """The version in force if the citation names an older one, else None."""
        law = self.laws.get(citation.law)
        current = law.in_force(on) if law else None
        if current and current.id != citation.version:
            return current
        return None


@cache
def default_registry() -> LawRegistry:
    return LawRegistry.load()
