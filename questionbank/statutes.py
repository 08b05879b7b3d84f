"""Statute texts (the Markdown format of ``../shared/laws``): split into numbered articles."""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

from questionbank import numerals
from questionbank.laws import LawRegistry, LawVersion

ARTICLE_RE = re.compile(rf"^第([{numerals.CHARS}]+)条(?:[\s　]+|$)")
FILE_RE = re.compile(r"^(?P<law>.+)\((?P<date>\d{4}-\d{2}-\d{2})\)\.md$")


@dataclass
class Statute:
    title: str
    articles: dict[int, str]

    @classmethod
    def parse(cls, text: str) -> "Statute":
        title = ""
        articles: dict[int, str] = {}
        current: int | None = None
        for line in text.splitlines():
            stripped = line.strip()
            if not title and stripped.startswith("# "):
                title = stripped[2:].strip()
                continue
            if stripped.startswith("#") or stripped.startswith("<!--"):
                current = None  # chapter headings end the article before them
                continue
            match = ARTICLE_RE.match(stripped)
            if match:
                current = numerals.parse(match.group(1))
                articles[current] = stripped
            elif current is not None and stripped:
                articles[current] += "\n" + stripped
        return cls(title, articles)


class StatuteLibrary:
    """A folder of statute texts, looked up by law version."""

    def __init__(self, folder: Path, registry: LawRegistry):
        self.folder = Path(folder)
        self.registry = registry
        self._cache: dict[str, Statute | None] = {}
        self._files = {p.name: p for p in self.folder.glob("*.md")} if self.folder.is_dir() else {}

    def file_for(self, version: LawVersion) -> Path | None:
        if version.text and version.text in self._files:
            return self._files[version.text]
        if version.adopted:
            name = f"{version.law}({version.adopted.isoformat()}).md"
            return self._files.get(name)
        return None

    def statute(self, version: LawVersion) -> Statute | None:
        key = f"{version.law}@{version.id}"
        if key not in self._cache:
            path = self.file_for(version)
            self._cache[key] = Statute.parse(path.read_text(encoding="utf-8")) if path else None
        return self._cache[key]
