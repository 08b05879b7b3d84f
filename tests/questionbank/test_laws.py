"""The law registry against the statute texts, and which version is in force when."""

import datetime as dt

from questionbank.laws import Citation, default_registry
from questionbank.statutes import StatuteLibrary

TRUNCATED = {"长江保护法@2020": 79}  # the shipped text stops at 第七十九条


def test_every_text_in_shared_laws_is_registered_with_its_article_count(shared_laws):
    registry = default_registry()
    library = StatuteLibrary(shared_laws, registry)
    registered = {}
    for law in registry.laws.values():
        for version in law.versions:
            statute = library.statute(version)
            if statute is not None:
                registered[library.file_for(version).name] = (f"{law.name}@{version.id}", version.articles, statute)
    assert set(registered) == {p.name for p in shared_laws.glob("*.md") if p.name != "README.md"}
    for name, (key, articles, statute) in registered.items():
        assert sorted(statute.articles) == list(range(1, len(statute.articles) + 1)), name
        assert len(statute.articles) == TRUNCATED.get(key, articles), name


def test_versions_in_force():
    registry = default_registry()
    assert registry.get("行政处罚法").in_force(dt.date(2021, 7, 14)).id == "2017"
    assert registry.get("行政处罚法").in_force(dt.date(2021, 7, 15)).id == "2021"
    assert registry.get("行政复议法").in_force(dt.date(2023, 12, 31)).id == "2017"
    assert registry.get("行政复议法").in_force(dt.date(2024, 1, 1)).id == "2023"
    assert registry.get("治安管理处罚法").in_force(dt.date(2025, 12, 31)).id == "2012"
    assert registry.get("治安管理处罚法").in_force(dt.date(2026, 1, 1)).articles == 144
    supervision = registry.get("行政执法监督条例")
    assert supervision.in_force(dt.date(2026, 1, 31)) is None
    assert supervision.in_force(dt.date(2026, 2, 1)).effective == dt.date(2026, 2, 1)
    assert registry.superseded(Citation.parse("行政处罚法@2017#42"), dt.date(2026, 1, 1)).id == "2021"


def test_names_are_resolved_as_people_write_them():
    registry = default_registry()
    for text in ("《中华人民共和国行政处罚法》", "行政处罚法", "中华人民共和国行政处罚法"):
        assert registry.resolve_name(text).name == "行政处罚法"
    assert registry.resolve_name("《行政执法机关移送涉嫌犯罪案件的规定》").name == "行政执法机关移送涉嫌犯罪案件的规定"
    assert registry.resolve_name("民法典") is None
