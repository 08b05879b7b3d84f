"""Citations in the course text, held to the statute texts on file, and the review record that pins them.

What is read: the markdown cells of each module's notebook and the checklists it shows (``Checklist("name")``).
What is a citation: 《法》第X条 (with 第Y款, 第Z项, 至第W条, 、第V条 …), a law named without 《》 when it is a registered
name, and a bare 第X条 after a named law in the same paragraph (a paragraph — a whole list or table counts as one —, a checklist item).
A bare 第X条 with no law named before it in its paragraph takes, in this order: the law a sentence such as
「本部分条文均出自《X》」「以下只写条号的，指《X》」 declared earlier in the same cell; the module's ``law:`` in the
catalog; the law the notebook names most often.

A citation passes when its law is registered, the version in force today has a text on file, and the text has that
article (and that 款 and 项). It fails when it names a superseded version (2017年《行政复议法》, 原《行政处罚法》,
《行政处罚法》（2017年修正）), a law not on file — unless the same paragraph says so (「条文未收录」) — or an article that
the text does not have.

The review record (``review:`` of a module in ``courses/catalog.yaml``) keeps who reviewed the module, when, against
which texts, and a short fingerprint of every article it cites; a cited article whose text has changed since then
flags the module.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

import yaml

from questionbank import numerals
from questionbank.laws import LawRegistry, LawVersion
from questionbank.statutes import Statute, StatuteLibrary

NOT_ON_FILE = "条文未收录"
NUM = f"[{numerals.CHARS}]+"
ARTICLE = rf"第(?P<a>{NUM})条(?:第(?P<k>{NUM})款)?(?:第(?P<x>{NUM})项)?"
RANGE = rf"[至到]第(?P<b>{NUM})条"
DECLARED_RE = re.compile(r"(?:本部分|本节|下文|以下|下列)[^。；]{0,12}?(?:条文|条号)[^。；]{0,12}?"
                         r"(?:均?出自|均?指|均?为)《(?P<law>[^《》]+)》")
CHECKLIST_RE = re.compile(r"""Checklist\(\s*["']([^"']+)["']""")
ITEM_RE = re.compile(r"^[（(][一二三四五六七八九十]+[）)]")
# Names a course may use for a registered law besides its short and full name.
ALIASES = {"公示规定": "市场监督管理行政处罚信息公示规定", "移送规定": "行政执法机关移送涉嫌犯罪案件的规定"}
# 下文的《规定》指《行政执法机关移送涉嫌犯罪案件的规定》 / 《行政执法机关移送涉嫌犯罪案件的规定》（以下简称《规定》）
SHORT_RES = (re.compile(r"《(?P<short>[^《》]{1,8})》指《(?P<full>[^《》]+)》"),
              re.compile(r"《(?P<full>[^《》]+)》[（(]以下简称《(?P<short>[^《》]+)》"))


def fingerprint(text: str) -> str:
    """A short fingerprint of an article's text: sha256 of the text without white space, first 12 hex digits."""
    return hashlib.sha256(re.sub(r"\s+", "", text).encode("utf-8")).hexdigest()[:12]


@dataclass
class Result:
    problems: list[str] = field(default_factory=list)
    articles: dict[str, str] = field(default_factory=dict)   # law@ver#n -> fingerprint, for what passed


class CourseLaws:
    """The law registry plus the statute texts: resolves and fingerprints cited articles."""

    def __init__(self, laws_dir: Path, registry: LawRegistry, today: dt.date | None = None):
        self.registry = registry
        self.library = StatuteLibrary(laws_dir, registry)
        self.today = today or dt.date.today()
        names: dict[str, str] = {}
        for law in registry.laws.values():
            names[law.name] = law.name
            names[law.full_name] = law.name
            names[law.full_name.removeprefix("中华人民共和国")] = law.name
        names.update({alias: law for alias, law in ALIASES.items() if law in registry.laws})
        self.names = names
        bare = "|".join(re.escape(n) for n in sorted(names, key=len, reverse=True))
        self.pattern = re.compile(
            rf"(?P<pre>(?:(?P<year1>\d{{4}})年(?:修订|修正|修改|通过|公布)?的?)|原|旧|修订前的|修改前的|修正前的)?"
            rf"(?:《(?P<quoted>[^《》]+)》|(?P<bare>{bare}))"
            rf"(?:[（(][^（()）]*?(?P<year2>\d{{4}})年[^（()）年]*[）)])?"   # the last year in （2001年公布，2020年修订）
            rf"|(?P<art>{ARTICLE}(?:{RANGE})?)"
        )

    def law_of(self, named: str) -> str | None:
        name = named.strip()
        if name in self.names:
            return self.names[name]
        law = self.registry.resolve_name(name)
        return law.name if law else None

    def in_force(self, law: str) -> LawVersion | None:
        entry = self.registry.get(law)
        return entry.in_force(self.today) if entry else None

    def statute(self, version: LawVersion) -> Statute | None:
        return self.library.statute(version)


def _paragraphs(text: str) -> list[str]:
    """Markdown paragraphs: blocks between blank lines (a list, a table or a chart is one block, read in order, so a
    bare 第X条 in a list item takes the law named last in an earlier item of the same list)."""
    return [p for p in re.split(r"\n\s*\n", text) if p.strip()]


def _module_law(blocks: list[tuple[str, str]], laws: CourseLaws, aliases: dict[str, str]) -> tuple | None:
    """The law a notebook names most often: a bare article with no law named in its paragraph is read as its."""
    counts: dict[str, int] = {}
    for _, block in blocks:
        for m in laws.pattern.finditer(block):
            if m["art"] is None:
                named = m["quoted"] or m["bare"]
                law = laws.law_of(aliases.get(named, named))
                if law:
                    counts[law] = counts.get(law, 0) + 1
    if not counts:
        return None
    law = max(counts, key=counts.get)   # the first named wins a tie: dicts keep insertion order
    return law, law, None, False


def _parts(article_text: str) -> list[list[str]]:
    """An article's 款, each with its 项 (lines starting （一） …)."""
    paragraphs: list[list[str]] = []
    for n, line in enumerate(article_text.splitlines()):
        line = line.strip()
        if not line:
            continue
        if ITEM_RE.match(line) and paragraphs:
            paragraphs[-1].append(line)
        else:
            if n == 0:
                line = re.sub(rf"^第{NUM}条[\s　]*", "", line)
            paragraphs.append([line])
    return paragraphs


def _inline_items(text: str) -> int:
    return len(re.findall(r"[（(][一二三四五六七八九十]+[）)]", text))


def check_text(text_blocks: Iterable[tuple[str, str]], laws: CourseLaws, carry: str = "paragraph", *,
               main_law: str | None = None) -> Result:
    """Check the citations of ``(where, text)`` blocks read in order (one notebook or one checklist)."""
    result = Result()
    carried: tuple[str | None, str, str | None, bool] | None = None   # (law, named, version, old) last named
    text_blocks = list(text_blocks)
    aliases = {m["short"]: m["full"] for _, block in text_blocks for regex in SHORT_RES for m in regex.finditer(block)
               if laws.law_of(m["full"])}
    default = (main_law, main_law, None, False) if main_law else _module_law(text_blocks, laws, aliases)
    for where, block in text_blocks:
        declared = None   # 「本部分条文均出自《X》」「以下只写条号的，指《X》」: the law of the rest of this cell
        if carry == "cell":
            carried = None
        for paragraph in _paragraphs(block):
            if carry == "paragraph":
                carried = None
            said = DECLARED_RE.search(paragraph)
            if said and laws.law_of(aliases.get(said["law"], said["law"])):
                law = laws.law_of(aliases.get(said["law"], said["law"]))
                declared = (law, law, None, False)
            labelled = NOT_ON_FILE in paragraph
            current = None
            for m in laws.pattern.finditer(paragraph):
                if m["art"] is None:
                    named = m["quoted"] or m["bare"]
                    if named in aliases:
                        named = aliases[named]
                    year = m["year1"] or m["year2"]
                    old = bool(m["pre"]) and not m["year1"]
                    current = (laws.law_of(named), named, year, old)
                    carried = current
                    continue
                context = current or carried or declared or default
                if context is None:
                    continue   # an article number with no law named before it: nothing to resolve against
                law, named, year, old = context
                numbers = [numerals.parse(m["a"])] + ([numerals.parse(m["b"])] if m["b"] else [])
                para = numerals.parse(m["k"]) if m["k"] else None
                item = numerals.parse(m["x"]) if m["x"] else None
                for number in numbers:
                    problem, key, fp = _resolve(laws, law, named, year, old, number, para, item, labelled)
                    words = f"《{named}》{m['art']}" if current else f"{m['art']}（未写法名，按本模块所依的《{named}》）"
                    if problem:
                        result.problems.append(f"{where}：{words}——{problem}")
                    elif key:
                        result.articles[key] = fp
    return result


def _resolve(laws: CourseLaws, law: str | None, named: str, year: str | None, old: bool, number: int,
             para: int | None, item: int | None, labelled: bool) -> tuple[str | None, str | None, str | None]:
    """(problem, law@ver#n, fingerprint)."""
    if law is None:
        if labelled:
            return None, None, None
        return f"《{named}》不在法律登记表中，条文库没有它的文本（确需引用的，在同一段注明“{NOT_ON_FILE}”）", None, None
    current = laws.in_force(law)
    if current is None:
        return f"《{law}》在 {laws.today} 尚无施行中的版本", None, None
    if old:
        return f"引用了《{law}》修改前的版本；现行为 {current.id} 年版本，请按现行文本引用", None, None
    if year and year != current.id:
        entry = laws.registry.get(law)
        if entry.version(year) is None and not any(str(v.adopted or "").startswith(year) for v in entry.versions):
            return f"《{law}》没有 {year} 年的版本", None, None
        if not (current.adopted and str(current.adopted).startswith(year)):
            return f"引用了已被修订的《{law}》{year} 年版本；现行为 {current.id} 年版本（{current.effective} 起施行）", None, None
    statute = laws.statute(current)
    if statute is None:
        if labelled:
            return None, None, None
        return (f"条文库中没有现行《{law}》（{current.id}）的文本，无法核对（确需引用的，在同一段注明“{NOT_ON_FILE}”）",
                None, None)
    text = statute.articles.get(number)
    if text is None:
        if labelled:
            return None, None, None
        return f"现行《{law}》（{current.id}）的文本中没有第{numerals.to_chinese(number)}条", None, None
    if para is not None or item is not None:
        parts = _parts(text)
        if para is not None and para > len(parts):
            return f"现行《{law}》第{numerals.to_chinese(number)}条只有 {len(parts)} 款", None, None
        if item is not None:
            chosen = [parts[para - 1]] if para is not None else parts
            most = max(max(len(p) - 1, _inline_items(p[0])) for p in chosen)
            if item > most:
                where = f"第{numerals.to_chinese(number)}条" + (f"第{numerals.to_chinese(para)}款" if para else "")
                return f"现行《{law}》{where}没有第{numerals.to_chinese(item)}项", None, None
    return None, f"{law}@{current.id}#{number}", fingerprint(text)


# ── where the text is ──────────────────────────────────────────────────────────────────────────────


def notebook_blocks(path: Path, label: str) -> list[tuple[str, str]]:
    cells = json.loads(path.read_text(encoding="utf-8"))["cells"]
    return [(f"{label} 第{i + 1}格", "".join(c["source"])) for i, c in enumerate(cells) if c["cell_type"] == "markdown"]


def notebook_checklists(path: Path) -> list[str]:
    cells = json.loads(path.read_text(encoding="utf-8"))["cells"]
    return [name for c in cells if c["cell_type"] == "code" for name in CHECKLIST_RE.findall("".join(c["source"]))]


def checklist_blocks(path: Path) -> list[tuple[str, str]]:
    raw = yaml.safe_load(path.read_text(encoding="utf-8"))
    label = f"清单 {path.name}"
    blocks = [(f"{label} 标题", "\n\n".join(str(raw.get(k, "")) for k in ("title", "intro")))]
    for i, item in enumerate(raw.get("items") or []):
        blocks.append((f"{label} 第{i + 1}项", f"{item.get('text', '')}（{item.get('basis', '')}）"))
    return blocks


def module_check(notebook: Path, courses: Path, laws: CourseLaws, main_law: str | None = None) -> Result:
    """The citations of one module: its notebook's markdown and the checklists it shows. ``main_law`` (the module's
    ``law:`` in the catalog) is what a bare 第X条 refers to when its paragraph names no law; without it, the law the
    notebook names most often."""
    label = f"笔记本 {notebook.relative_to(courses).as_posix()}"
    result = check_text(notebook_blocks(notebook, label), laws, main_law=main_law)
    for name in notebook_checklists(notebook):
        path = courses / "checklists" / f"{name}.yaml"
        if path.is_file():
            more = check_text(checklist_blocks(path), laws)
            result.problems += more.problems
            result.articles.update(more.articles)
    return result


def review_problems(module_id: str, review: dict | None, cited: dict[str, str]) -> tuple[list[str], list[str]]:
    """(errors, notes): a cited article whose text changed since the review is an error; a module never reviewed, or
    citing an article the review did not see, is a note."""
    where = f"模块 {module_id}"
    if not review:
        return [], [f"{where}：尚未审校（catalog.yaml 中没有 review 记录）"]
    recorded = review.get("articles") or {}
    errors, notes = [], []
    changed = [key for key, fp in cited.items() if key in recorded and str(recorded[key]) != fp]
    if changed:
        errors.append(f"{where}：所引条文自 {review.get('on')} 审校以来已变化，需重新审校：{'、'.join(sorted(changed))}")
    gone = [key for key in recorded if key not in cited]
    stale_versions = [key for key in gone if key.split("#")[0] not in {k.split("#")[0] for k in cited}]
    if stale_versions:
        errors.append(f"{where}：审校时依据的版本已不是现行版本，需重新审校：{'、'.join(sorted(stale_versions))}")
    new = [key for key in cited if key not in recorded]
    if new:
        notes.append(f"{where}：审校后新增的引用，待审校：{'、'.join(sorted(new))}")
    return errors, notes


def review_record(by: str, on: dt.date, cited: dict[str, str]) -> dict:
    laws = sorted({key.split("#")[0] for key in cited})
    return {"by": by, "on": on, "laws": laws,
            "articles": dict(sorted(cited.items(), key=lambda kv: (kv[0].split("#")[0], int(kv[0].split("#")[1]))))}


def write_review(catalog_path: Path, module_id: str, record: dict) -> None:
    """Put ``review:`` into one module's entry of the catalog, leaving every other line as it is."""
    lines = catalog_path.read_text(encoding="utf-8").splitlines(keepends=True)
    start = next((i for i, line in enumerate(lines) if line.rstrip() == f"- id: {module_id}"), None)
    if start is None:
        raise KeyError(f"课程目录中没有模块 {module_id}")
    end = next((i for i in range(start + 1, len(lines)) if lines[i].startswith("- ") or not lines[i].startswith((" ", "\n"))),
               len(lines))
    body = lines[start:end]
    begin = next((i for i, line in enumerate(body) if line.startswith("  review:")), None)
    if begin is not None:
        stop = next((i for i in range(begin + 1, len(body)) if not body[i].startswith("    ")), len(body))
        body = body[:begin] + body[stop:]
    dumped = yaml.safe_dump({"review": record}, allow_unicode=True, sort_keys=False, width=200, default_flow_style=False)
    block = ["  " + line + "\n" for line in dumped.splitlines()]
    while body and not body[-1].strip():
        body.pop()
    from ground.files import write_text_atomic

    write_text_atomic(catalog_path, "".join(lines[:start] + body + block + lines[end:]))


def validate_citations(modules, courses: Path, laws: CourseLaws) -> tuple[list[str], list[str]]:
    """(errors, notes) for the course text: every citation of every module notebook, checklist and the course index,
    and each module's review record against the articles it cites today."""
    errors: list[str] = []
    notes: list[str] = []
    seen: set[Path] = set()
    for m in modules:
        if not m.path.is_file():
            continue
        result = module_check(m.path, courses, laws, m.law)
        if m.law and laws.law_of(m.law) is None:
            errors.append(f"模块 {m.id}：law: {m.law} 不在法律登记表中")
        seen.add(m.path.resolve())
        seen.update((courses / "checklists" / f"{name}.yaml").resolve() for name in notebook_checklists(m.path))
        errors += result.problems
        more_errors, more_notes = review_problems(m.id, m.review, result.articles)
        errors += more_errors
        notes += more_notes
    others = [p for p in sorted(courses.glob("*.ipynb")) if p.resolve() not in seen]
    for path in others:
        errors += check_text(notebook_blocks(path, f"笔记本 {path.relative_to(courses).as_posix()}"), laws).problems
    for path in sorted((courses / "checklists").glob("*.yaml")):
        if path.resolve() not in seen:
            errors += check_text(checklist_blocks(path), laws).problems
    return list(dict.fromkeys(errors)), notes
