"""Validation rules of the bank. Each rule yields ``Problem`` records; ``--strict`` turns warnings into errors."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Iterator

from questionbank.laws import Citation, LawRegistry, default_registry
from questionbank.loading import Bank
from questionbank.model import Question
from questionbank.option_letters import letter_references
from questionbank.problems import Problem
from questionbank.similarity import near_duplicates, normalise
from questionbank.taxonomy import Taxonomy, default_taxonomy

SIMILARITY = 0.9


def validate(
    bank: Bank,
    registry: LawRegistry | None = None,
    taxonomy: Taxonomy | None = None,
    strict: bool = False,
    today: dt.date | None = None,
) -> list[Problem]:
    registry = registry or default_registry()
    taxonomy = taxonomy or default_taxonomy()
    problems = list(bank.problems)
    problems += duplicate_ids(bank.questions)
    for q in bank.questions:
        problems += list(check_question(q, registry, taxonomy, today))
    problems += similar_stems(bank.questions)
    if strict:
        problems = [p.as_error() for p in problems]
    return problems


def duplicate_ids(questions: list[Question]) -> list[Problem]:
    where: dict[str, list[Question]] = defaultdict(list)
    for q in questions:
        where[q.id].append(q)
    out = []
    for qid, items in where.items():
        if len(items) > 1:
            places = "、".join(sorted({q.file for q in items}))
            for q in items:
                out.append(Problem("error", q.file, qid, "id", f"编号重复：共 {len(items)} 道题使用此编号（{places}）"))
    return out


def check_question(q: Question, registry: LawRegistry, taxonomy: Taxonomy, today: dt.date | None) -> Iterator[Problem]:
    def error(fld: str, message: str) -> Problem:
        return Problem("error", q.file, q.id, fld, message)

    def warning(fld: str, message: str) -> Problem:
        return Problem("warning", q.file, q.id, fld, message)

    if q.topic and q.topic not in taxonomy.topics:
        yield error("topic", f"知识点 {q.topic} 未在 catalog/taxonomy.yaml 中声明")
    for domain in q.domains:
        if domain not in taxonomy.domains:
            yield error("domains", f"执法领域 {domain} 未在 catalog/taxonomy.yaml 中声明")
    for fld, citations in [("basis", q.basis)] + [(f"parts[{p.id}].basis", p.basis) for p in q.parts]:
        for citation in citations:
            yield from check_citation(citation, registry, today, error, warning, fld)
    if q.status == "reviewed":
        if not q.explanation:
            yield error("explanation", "已审核的题目必须有解析")
        if not q.all_citations():
            yield error("basis", "已审核的题目必须有法律依据")
        if q.review is None:
            yield warning("review", "已审核的题目没有审核记录（审核人、日期、条文指纹）；请运行 academy bank review stamp")
    if q.review is not None:
        yield from check_review(q, warning)
    if q.status != "retired":
        yield from check_letter_references(q, error if q.status == "reviewed" else warning)
    for fld, options in [("options", q.options)] + [(f"parts[{p.id}].options", p.options) for p in q.parts]:
        seen: dict[str, str] = {}
        for letter, text in options.items():
            key = normalise(text)
            if key in seen:
                yield warning(fld, f"选项 {seen[key]} 与选项 {letter} 内容重复")
            else:
                seen[key] = letter


def check_review(q: Question, warning) -> Iterator[Problem]:
    review = q.review
    if review.recheck:
        yield warning("review.recheck", f"{review.by} {review.date.isoformat()} 审核后，所引条文 {'、'.join(review.recheck)} "
                                        "的文本已改动：待重新审核，测验和考试不会使用此题")
    cited = {str(c) for c in q.all_citations()}
    added = sorted(cited - set(review.articles))
    if added:
        yield warning("review.articles", f"依据 {'、'.join(added)} 不在审核记录中（审核后才加入？）：请重新审核后再次签注")


def check_letter_references(q: Question, report) -> Iterator[Problem]:
    """Options are shown shuffled and relabelled, so a stem or 解析 naming an option by the bank's letter points at
    another option than the officer sees (an error for a reviewed item; a draft is told before its review)."""
    for fld, _text, found in letter_references(q):
        yield report(fld, f"按题库字母指称选项（{'、'.join(dict.fromkeys(found))}）：执法人员看到的选项顺序已打乱、重新标字母，"
                          "请改为按选项内容指称（如「“处五万元以下罚款”的说法错误」）")


def check_citation(citation: Citation, registry: LawRegistry, today, error, warning, fld: str) -> Iterator[Problem]:
    law = registry.get(citation.law)
    if law is None:
        yield error(fld, f"法律 {citation.law} 未在法律登记表（catalog/laws.yaml）中")
        return
    version = law.version(citation.version)
    if version is None:
        known = "、".join(v.id for v in law.versions)
        yield error(fld, f"{citation.law} 没有 {citation.version} 版本（登记的版本：{known}）")
        return
    if version.articles is None:
        yield warning(fld, f"{citation.law}@{citation.version} 的条文数未登记，无法核对第{citation.article}条是否存在")
    elif not 1 <= citation.article <= version.articles:
        yield error(fld, f"{citation.law}@{citation.version} 只有 {version.articles} 条，没有第{citation.article}条")
    current = registry.superseded(citation, today)
    if current is not None:
        yield warning(
            fld,
            f"引用的 {citation.law}@{citation.version} 已不是现行版本（现行为 {current.id} 版，"
            f"{current.effective.isoformat()} 起施行），请核对答案是否仍然正确",
        )


def similar_stems(questions: list[Question]) -> list[Problem]:
    texts = [q.stem for q in questions]
    out = []
    for i, j, similarity in near_duplicates(texts, SIMILARITY):
        a, b = questions[i], questions[j]
        message = f"题干与 {b.id}（{b.file}）高度相似（相似度 {similarity:.0%}），可能重复"
        out.append(Problem("warning", a.file, a.id, "stem", message))
    return out


def has_errors(problems: list[Problem]) -> bool:
    return any(p.level == "error" for p in problems)
