"""The review trail and the article-level change alarm.

A reviewed question carries ``review: {by, date, articles}``: who reviewed it, when, and a fingerprint of the text
of every article it cites (its own basis and its parts') as the reviewer read it. When a statute file changes (a new
version put in place of the old file, a corrected text), ``check-basis`` compares the fingerprints with the text on
file and writes ``recheck: [citations]`` into the trail of every question whose cited article changed. Such a
question is not usable (``Question.usable``) until someone re-reviews it and stamps it again.

The fingerprint is the first 12 hex digits of the SHA-256 of the article text with the Unicode form made uniform
(NFKC) and all white space removed: a re-wrapped line or a full-width space is no change, a changed word is.
A citation whose text was not on file at review time is recorded as ``-``; when its text arrives, that too is a
change to look at.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import re
import unicodedata
from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path

from ruamel.yaml.comments import CommentedSeq

from questionbank.editing import Edit, edit_files, set_key
from questionbank.laws import Citation, LawRegistry, default_registry
from questionbank.loading import Bank
from questionbank.model import Question, Review
from questionbank.statutes import StatuteLibrary

FINGERPRINT_LENGTH = 12
NO_TEXT = "-"
_SPACE_RE = re.compile(r"\s+")


def fingerprint(text: str) -> str:
    normal = _SPACE_RE.sub("", unicodedata.normalize("NFKC", text))
    return hashlib.sha256(normal.encode("utf-8")).hexdigest()[:FINGERPRINT_LENGTH]


class ArticleTexts:
    """The text of cited articles, from a folder of statute texts; cached per article."""

    def __init__(self, laws_dir: Path, registry: LawRegistry | None = None):
        self.registry = registry or default_registry()
        self.library = StatuteLibrary(laws_dir, self.registry)
        self._prints: dict[Citation, str | None] = {}

    def text(self, citation: Citation) -> str | None:
        law = self.registry.get(citation.law)
        version = law.version(citation.version) if law else None
        statute = self.library.statute(version) if version else None
        return statute.articles.get(citation.article) if statute else None

    def fingerprint(self, citation: Citation) -> str | None:
        if citation not in self._prints:
            text = self.text(citation)
            self._prints[citation] = fingerprint(text) if text is not None else None
        return self._prints[citation]


def cited(q: Question) -> list[Citation]:
    """Every citation of the question and its parts, once, in order."""
    return list(dict.fromkeys(q.all_citations()))


# ---------------------------------------------------------------- stamping the trail

@dataclass
class StampResult:
    stamped: list[Question] = field(default_factory=list)
    unreadable: dict[str, list[str]] = field(default_factory=dict)  # id -> citations whose text is not on file (stamped "-")
    skipped: list[str] = field(default_factory=list)  # named but not reviewed, or already stamped and not flagged

    def summary(self, dry_run: bool = False) -> str:
        verb = "将写入" if dry_run else "已写入"
        lines = [f"{verb}审核记录：{len(self.stamped)} 道题。"]
        for qid, citations in sorted(self.unreadable.items()):
            lines.append(f"  {qid}：条文目录中没有 {'、'.join(citations)} 的文本，指纹记为 {NO_TEXT}（文本到位后会提示复核）")
        if self.skipped:
            lines.append(f"  跳过 {len(self.skipped)} 道（未审核，或已有审核记录且无需复核）：{'、'.join(self.skipped[:20])}"
                         + (" …" if len(self.skipped) > 20 else ""))
        return "\n".join(lines)


def stamp(bank: Bank, laws_dir: Path, by: str, on: dt.date, ids: list[str] | None = None,
          registry: LawRegistry | None = None, dry_run: bool = False) -> StampResult:
    """Write the review trail of reviewed questions.

    Without ``ids``: every reviewed question that has no trail. With ``ids``: those questions, and a question
    flagged for re-review is stamped again (the reviewer has read the changed article and confirms the item).
    """
    if not by.strip():
        raise ValueError("审核人不能为空")
    texts = ArticleTexts(laws_dir, registry)
    result = StampResult()
    by_id = bank.by_id()
    if ids is not None:
        unknown = [i for i in ids if i not in by_id]
        if unknown:
            raise KeyError(f"题库中没有这些题目：{'、'.join(unknown)}")
        chosen = [by_id[i] for i in ids]
    else:
        chosen = bank.questions
    changes: dict[Path, dict[str, Edit]] = defaultdict(dict)
    for q in chosen:
        due = q.status == "reviewed" and (q.review is None or (ids is not None and q.review.recheck))
        if not due:
            if ids is not None:
                result.skipped.append(q.id)
            continue
        prints = {str(c): texts.fingerprint(c) or NO_TEXT for c in cited(q)}
        missing = [c for c, p in prints.items() if p == NO_TEXT]
        if missing:
            result.unreadable[q.id] = missing
        q.review = Review(by.strip(), on, prints)
        changes[Path(q.file)][q.id] = _set_review(q.review)
        result.stamped.append(q)
    edit_files(dict(changes), dry_run=dry_run)
    return result


def _set_review(review: Review) -> Edit:
    def edit(item) -> None:
        set_key(item, "review", review.to_mapping())
    return edit


# ---------------------------------------------------------------- the change alarm

@dataclass(frozen=True)
class Change:
    question: Question
    citations: list[str]  # whose text differs from the fingerprint taken at review
    missing: list[str]  # cited but no longer readable (file or article gone)

    @property
    def all(self) -> list[str]:
        return self.citations + self.missing


def changed_articles(bank: Bank, laws_dir: Path, registry: LawRegistry | None = None) -> list[Change]:
    """Every question with a review trail whose cited article text is no longer the text it was reviewed against."""
    texts = ArticleTexts(laws_dir, registry)
    out = []
    for q in bank.questions:
        if q.review is None or q.status == "retired":
            continue
        changed, missing = [], []
        for cite, print_then in q.review.articles.items():
            try:
                now = texts.fingerprint(Citation.parse(cite))
            except ValueError:
                now = None
            if now is None:
                if print_then != NO_TEXT:
                    missing.append(cite)
            elif now != print_then:
                changed.append(cite)
        if changed or missing:
            out.append(Change(q, changed, missing))
    return out


def mark_for_recheck(changes: list[Change], dry_run: bool = False) -> list[Question]:
    """Write ``recheck`` into the trail of each changed question (adding to what is there); the newly marked ones."""
    edits: dict[Path, dict[str, Edit]] = defaultdict(dict)
    marked = []
    for change in changes:
        review = change.question.review
        new = [c for c in change.all if c not in review.recheck]
        if not new:
            continue
        review.recheck = review.recheck + new
        edits[Path(change.question.file)][change.question.id] = _set_recheck(review.recheck)
        marked.append(change.question)
    edit_files(dict(edits), dry_run=dry_run)
    return marked


def _set_recheck(recheck: list[str]) -> Edit:
    def edit(item) -> None:
        review = item["review"]
        value = CommentedSeq(recheck)
        if "recheck" in review:
            review["recheck"] = value
        else:  # before articles, which stays last: a comment below the item stays where it was
            review.insert(list(review).index("articles") if "articles" in review else len(review), "recheck", value)
    return edit
