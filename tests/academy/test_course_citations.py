"""Citations in the course text resolve to articles of the texts on file, in the version in force; reviews pin them."""

import datetime as dt
import shutil

import nbformat
import pytest
import yaml

from academy.course_citations import CourseLaws, check_text, fingerprint, module_check, review_record, validate_citations, write_review
from academy.courses_cli import validate
from curriculum import catalog
from questionbank.laws import Law, LawRegistry, LawVersion, default_registry

TODAY = dt.date(2026, 11, 29)


@pytest.fixture(scope="module")
def laws(shared_laws):
    return CourseLaws(shared_laws, default_registry(), today=TODAY)


def problems(laws, *paragraphs, main_law=None):
    return check_text([("笔记本 m.ipynb 第2格", "\n\n".join(paragraphs))], laws, main_law=main_law).problems


@pytest.mark.parametrize("text", [
    "罚款自收到决定书之日起十五日内缴纳（《行政处罚法》第六十七条第三款）。",
    "催告在先（《行政强制法》第三十五条），决定在后（第三十七条第一款），公告见第四十四条。",
    "县级以上地方各级人民政府管辖（行政复议法第二十四条第一款第一项）。",
    "听证程序（《行政处罚法》第六十三条至第六十五条）。",
    "2023年修订的《行政复议法》第二十条第三款。",
    "依照《刑法》第三百四十条（条文未收录，以正式文本为准）。",
    "《中华人民共和国城乡规划法》第六十八条。",
])
def test_good_citations_pass(laws, text):
    assert problems(laws, text) == []


@pytest.mark.parametrize("text, words", [
    ("逾期不缴纳的，加处罚款（《行政处罚法》第九十九条）。", "没有第九十九条"),
    ("催告后作出决定（《行政强制法》第三十五条、第一百条）。", "没有第一百条"),
    ("不予处罚（《行政处罚法》第三十三条第四款）。", "第三十三条只有 3 款"),
    ("法制审核（《行政处罚法》第五十八条第一款第五项）。", "没有第五项"),
    ("2017年《行政处罚法》第二十三条规定责令改正。", "已被修订的《行政处罚法》2017 年版本"),
    ("《行政复议法》（2017年修正）第九条规定六十日。", "已被修订的《行政复议法》2017 年版本"),
    ("原《行政处罚法》第四十二条规定了听证。", "修改前的版本"),
    ("依照《刑法》第三百四十条追究刑事责任。", "《刑法》不在法律登记表中"),
    ("《治安管理处罚法》第十条。", "没有现行《治安管理处罚法》（2025）的文本"),
    ("《长江保护法》第八十六条。", "没有第八十六条"),
])
def test_bad_citations_fail_with_the_place_and_the_words(laws, text, words):
    found = problems(laws, text)
    assert found and all(p.startswith("笔记本 m.ipynb 第2格：") for p in found), found
    assert any(words in p for p in found), found


def test_a_bare_article_belongs_to_the_law_named_before_it_in_its_paragraph(laws):
    # 第三十五条 of 行政许可法 exists; 第七十二条 of 行政强制法 does not (it is 行政处罚法's).
    assert problems(laws, "先看《行政强制法》第四十五条，再看第七十二条。") != []
    assert problems(laws, "先看《行政处罚法》第四十五条，再看第七十二条。") == []
    # another paragraph does not carry the law; the module's law does
    assert problems(laws, "《行政强制法》第四十五条。", "加处罚款见第七十二条。", main_law="行政处罚法") == []
    assert problems(laws, "《行政强制法》第四十五条。", "加处罚款见第七十二条。", main_law="行政强制法") != []


def test_an_abbreviation_declared_in_the_text_is_followed(laws):
    text = "下文的《规定》指《行政执法机关移送涉嫌犯罪案件的规定》。"
    assert problems(laws, text, "专案组（《规定》第五条）。") == []
    assert problems(laws, text, "专案组（《规定》第五十条）。") != []


def write_notebook(path, *markdown, checklist=None):
    nb = nbformat.v4.new_notebook()
    nb.cells = [nbformat.v4.new_markdown_cell(m) for m in markdown]
    if checklist:
        nb.cells.append(nbformat.v4.new_code_cell(f'Checklist("{checklist}")'))
    path.parent.mkdir(parents=True, exist_ok=True)
    nbformat.write(nb, path)


def test_a_checklist_shown_by_a_module_is_checked_with_it(laws, tmp_path):
    write_notebook(tmp_path / "legal" / "m.ipynb", "# 模块\n\n依照《行政强制法》。", checklist="c")
    (tmp_path / "checklists").mkdir()
    (tmp_path / "checklists" / "c.yaml").write_text(yaml.safe_dump(
        {"title": "清单", "items": [{"text": "已催告", "basis": "《行政强制法》第三十五条"},
                                    {"text": "期限", "basis": "《行政强制法》第二百条"}]}, allow_unicode=True), encoding="utf-8")
    result = module_check(tmp_path / "legal" / "m.ipynb", tmp_path, laws)
    assert result.problems == ["清单 c.yaml 第2项：《行政强制法》第二百条——现行《行政强制法》（2011）的文本中没有第二百条"]
    assert set(result.articles) == {"行政强制法@2011#35"}


def test_the_shipped_courses_cite_only_articles_on_file_and_match_their_reviews(laws):
    errors, notes = validate_citations(list(catalog.catalog()), catalog.COURSES, laws)
    assert errors == []
    assert not [n for n in notes if "新增的引用" in n], notes
    assert REVIEWED_2026_11 <= {m.id for m in catalog.catalog() if m.review}


# The modules reviewed statement by statement against the texts on 2026-11-29 (issue 14); modules added later are
# noted as unreviewed by validate until someone reviews them.
REVIEWED_2026_11 = {
    "legal-cf-enforcement", "legal-cf-hearing", "legal-cf-jurisdiction", "legal-cf-procedure", "legal-cf-setting",
    "legal-coercion-execution", "legal-coercion-measures", "legal-criminal-referral", "legal-disclosure", "legal-license",
    "legal-lists-discretion", "legal-litigation-compensation", "legal-review", "legal-supervision", "legal-three-systems",
    "ops-agriculture", "ops-case-review", "ops-coercive-measures", "ops-decision-service", "ops-documents", "ops-environment",
    "ops-evidence", "ops-inspection", "ops-legal-review", "ops-market", "ops-recording", "ops-safety", "ops-transport",
    "ops-urban", "ops-natural-resources", "ops-culture-tourism", "ops-health",
}


def module_spec(**changes):
    base = catalog.module("legal-lists-discretion")
    values = {f: getattr(base, f) for f in base.__dataclass_fields__}
    values.update(changes)
    return catalog.ModuleSpec(**values)


def test_a_changed_article_flags_the_modules_that_cite_it(laws, shared_laws, tmp_path):
    spec = module_spec()
    cited = module_check(spec.path, catalog.COURSES, laws, spec.law).articles
    assert "行政处罚法@2021#34" in cited
    reviewed = module_spec(review=review_record("课程审校组", TODAY, cited))
    assert validate_citations([reviewed], catalog.COURSES, laws)[0] == []

    changed = tmp_path / "laws"
    shutil.copytree(shared_laws, changed)
    path = changed / "行政处罚法(2021-01-22).md"
    text = path.read_text(encoding="utf-8")
    assert "行政处罚裁量基准应当向社会公布。" in text
    path.write_text(text.replace("行政处罚裁量基准应当向社会公布。", "行政处罚裁量基准应当向社会公布，并在决定书中说明适用情况。"),
                    encoding="utf-8")
    errors, _ = validate_citations([reviewed], catalog.COURSES, CourseLaws(changed, default_registry(), today=TODAY))
    assert len(errors) == 1 and "模块 legal-lists-discretion" in errors[0] and "行政处罚法@2021#34" in errors[0]
    assert "行政处罚法@2021#33" not in errors[0]


def test_a_new_version_in_force_flags_the_review(laws, shared_laws):
    spec = module_spec()
    cited = module_check(spec.path, catalog.COURSES, laws, spec.law).articles
    reviewed = module_spec(review=review_record("课程审校组", TODAY, cited))
    registry = default_registry()

    old = registry.laws["行政处罚法"]
    newer = LawVersion("行政处罚法", "2031", dt.date(2031, 1, 1), dt.date(2031, 6, 1), 86, "行政处罚法(2021-01-22).md")
    later = LawRegistry({**registry.laws, "行政处罚法": Law(old.name, old.full_name, old.kind, old.versions + (newer,))})
    errors, _ = validate_citations([reviewed], catalog.COURSES, CourseLaws(shared_laws, later, today=dt.date(2031, 7, 1)))
    assert any("行政处罚法@2021#34" in e and "不是现行版本" in e for e in errors), errors


def test_unreviewed_modules_and_new_citations_are_noted_not_failed(laws):
    spec = module_spec(review=None)
    errors, notes = validate_citations([spec], catalog.COURSES, laws)
    assert errors == [] and notes == ["模块 legal-lists-discretion：尚未审校（catalog.yaml 中没有 review 记录）"]
    cited = module_check(spec.path, catalog.COURSES, laws, spec.law).articles
    partial = dict(list(cited.items())[1:])
    errors, notes = validate_citations([module_spec(review=review_record("组", TODAY, partial))], catalog.COURSES, laws)
    assert errors == [] and "审校后新增的引用" in notes[0]


def test_the_review_is_written_into_its_own_module_entry_only(laws, tmp_path):
    copy = tmp_path / "catalog.yaml"
    shutil.copy(catalog.COURSES / "catalog.yaml", copy)
    before = yaml.safe_load(copy.read_text(encoding="utf-8"))
    record = review_record("课程审校组", TODAY, {"行政处罚法@2021#34": fingerprint("第三十四条 …")})
    write_review(copy, "legal-lists-discretion", record)
    write_review(copy, "legal-lists-discretion", record)   # twice: replaced, not repeated
    after = yaml.safe_load(copy.read_text(encoding="utf-8"))
    assert [m["id"] for m in after["modules"]] == [m["id"] for m in before["modules"]]
    for old, new in zip(before["modules"], after["modules"]):
        if new["id"] == "legal-lists-discretion":
            assert new["review"] == {"by": "课程审校组", "on": TODAY, "laws": ["行政处罚法@2021"],
                                     "articles": {"行政处罚法@2021#34": fingerprint("第三十四条 …")}}
            assert {k: v for k, v in new.items() if k != "review"} == {k: v for k, v in old.items() if k != "review"}
        else:
            assert new == old
    assert len(catalog.load_catalog(copy)) == len(before["modules"])


def test_validate_reports_a_missing_laws_folder(tmp_path):
    errors, _ = validate(list(catalog.catalog())[:1], tmp_path / "no-such-folder")
    assert any("条文目录不存在" in e for e in errors)


def test_validate_on_a_laws_copy_with_one_changed_article_names_the_modules_citing_it(shared_laws, tmp_path, capsys):
    from academy.cli import main

    changed = tmp_path / "laws"
    shutil.copytree(shared_laws, changed)
    path = changed / "行政复议法(2023-09-01).md"
    text = path.read_text(encoding="utf-8")
    old = "但是自知道或者应当知道行政行为内容之日起最长不得超过一年。"
    assert old in text
    path.write_text(text.replace(old, "但是自知道或者应当知道行政行为内容之日起最长不得超过二年。"), encoding="utf-8")
    assert main(["courses", "validate", "--laws", str(changed)]) == 1
    out = capsys.readouterr().out
    flagged = {line.split("：")[0].removeprefix("[错误] 模块 ") for line in out.splitlines() if "行政复议法@2023#20" in line}
    citing = {m.id for m in catalog.catalog() if m.review and "行政复议法@2023#20" in (m.review.get("articles") or {})}
    assert citing and flagged == citing
    assert main(["courses", "validate", "--laws", str(shared_laws)]) == 0


def test_a_declared_law_governs_the_bare_articles_after_it_in_its_cell(laws):
    declared = "本部分条文均出自《国家赔偿法》。\n\n| 范围 | 违法罚款 | 第四条 |\n|---|---|---|\n| 时效 | 两年 | 第三十九条 |"
    # 国家赔偿法 has 42 articles: 第九十条 exists only in the module's law (行政诉讼法 has 103)
    assert check_text([("格", declared)], laws, main_law="行政诉讼法").articles.keys() == {"国家赔偿法@2012#4", "国家赔偿法@2012#39"}
    assert problems(laws, "本部分条文均出自《国家赔偿法》。", "见第九十条。", main_law="行政诉讼法") != []
    # the declaration ends with its cell
    assert check_text([("格1", "本部分条文均出自《国家赔偿法》。"), ("格2", "见第九十条。")], laws, main_law="行政诉讼法").problems == []


def test_a_history_in_brackets_is_read_by_its_last_year(laws):
    assert problems(laws, "《行政执法机关移送涉嫌犯罪案件的规定》（2001年公布，2020年8月7日修订）第五条。") == []
    assert problems(laws, "《行政处罚法》（1996年通过，2017年修正）第四十二条。") != []
    found = check_text([("格", "《行政执法机关移送涉嫌犯罪案件的规定》（2001年公布，2020年8月7日修订）第五条。")], laws)
    assert found.articles.keys() == {"行政执法机关移送涉嫌犯罪案件的规定@2020#5"}
    assert problems(laws, "《行政处罚法》（2017年9月1日修正）第四十二条。") != []
