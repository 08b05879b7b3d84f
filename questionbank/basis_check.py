"""``check-basis``: every cited article exists in the statute text, and every amount in the key or 解析 occurs there.

A mechanical guard against wrong keys: an amount (二百元, 三十日, 百分之三 …) in the key option(s), the 解析, or a
case's reference answers and 评分要点 that does not occur in any cited article is reported.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

from questionbank.amounts import amounts
from questionbank.laws import Citation, LawRegistry, default_registry
from questionbank.loading import Bank
from questionbank.model import Question
from questionbank.problems import Problem
from questionbank.statutes import StatuteLibrary


def check_basis(bank: Bank, laws_dir: Path, registry: LawRegistry | None = None) -> list[Problem]:
    registry = registry or default_registry()
    library = StatuteLibrary(laws_dir, registry)
    problems: list[Problem] = []
    for q in bank.questions:
        if q.status == "retired":
            continue
        problems += list(_check(q, library, registry))
    return problems


def _article_text(citation: Citation, library: StatuteLibrary, registry: LawRegistry) -> tuple[str | None, str | None]:
    """(text, None) or (None, reason)."""
    law = registry.get(citation.law)
    version = law.version(citation.version) if law else None
    if version is None:
        return None, f"{citation} 不在法律登记表中"
    statute = library.statute(version)
    if statute is None:
        return None, f"条文目录中没有 {citation.law}@{citation.version} 的文本，无法核对"
    text = statute.articles.get(citation.article)
    if text is None:
        return None, f"{citation.law}@{citation.version} 的文本中没有第{citation.article}条"
    return text, None


def _checked_texts(q: Question) -> Iterator[tuple[str, str, list[Citation]]]:
    """(field, text, citations that may support it) for the key options, 解析 and case keys."""
    for letter in q.key_options():
        if letter in q.options:
            yield f"options.{letter}", q.options[letter], q.basis
    if q.explanation:
        yield "explanation", q.explanation, q.all_citations()
    for part in q.parts:
        cites = part.basis + q.basis
        if part.type == "single" and part.answer in part.options:
            yield f"parts[{part.id}].options.{part.answer}", part.options[part.answer], cites
        if part.type == "multiple":
            for letter in part.answer or ():
                yield f"parts[{part.id}].options.{letter}", part.options.get(letter, ""), cites
        if part.type == "open":
            yield f"parts[{part.id}].reference", part.reference, cites
            for i, point in enumerate(part.rubric):
                yield f"parts[{part.id}].rubric[{i + 1}]", point.point, cites


def _check(q: Question, library: StatuteLibrary, registry: LawRegistry) -> Iterator[Problem]:
    texts: dict[Citation, str] = {}
    for citation in dict.fromkeys(q.all_citations()):
        text, reason = _article_text(citation, library, registry)
        if reason:
            yield Problem("error", q.file, q.id, "basis", reason)
        else:
            texts[citation] = text
    for fld, text, citations in _checked_texts(q):
        supported = {a.key for c in citations if c in texts for a in amounts(texts[c])}
        for amount in amounts(text):
            if amount.key not in supported:
                cited = "、".join(str(c) for c in citations) or "（无）"
                yield Problem("error", q.file, q.id, fld, f"“{amount.text}”在所引条文（{cited}）中找不到，请核对答案或补充依据")


def review_alarm(bank: Bank, laws_dir: Path, registry: LawRegistry | None = None, mark: bool = True) -> list[Problem]:
    """Every reviewed question whose cited article text changed since its review; marked for re-review when ``mark``."""
    from questionbank.review import changed_articles, mark_for_recheck

    changes = changed_articles(bank, laws_dir, registry)
    if mark:
        mark_for_recheck(changes)
    problems = []
    for change in changes:
        q, review = change.question, change.question.review
        parts = []
        if change.citations:
            parts.append(f"所引条文 {'、'.join(change.citations)} 的文本自 {review.by} {review.date.isoformat()} 审核后已改动")
        if change.missing:
            parts.append(f"审核时所引的 {'、'.join(change.missing)} 现在找不到文本")
        action = "已标记待重新审核" if mark else "需重新审核"
        problems.append(Problem("error", q.file, q.id, "review", f"{'；'.join(parts)}：{action}，测验和考试不再使用此题"))
    return problems
