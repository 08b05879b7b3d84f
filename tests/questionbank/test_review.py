"""The review trail and the article-level change alarm: stamp, change one article's text, see exactly its items flagged."""

import datetime as dt
import shutil

import pytest

from academy.cli import main
from questionbank.laws import Citation
from questionbank.loading import ITEMS, load_bank
from questionbank.quiz import draw
from questionbank.review import ArticleTexts, changed_articles, fingerprint, stamp
from questionbank.validation import validate
from tests.questionbank.helpers import good_single

PENALTY = "行政处罚法(2021-01-22).md"

BANK = """topic: cf_hearing
questions:
  # ——— 听证 ———
  - id: cf-test-001
    type: single
    stem: 当事人要求听证的，应当在行政机关告知后几日内提出？（  ）
    options:
      A: 三日
      B: 五日
      C: 七日
      D: 十日
    answer: B
    explanation: 行政处罚法第六十四条规定，当事人要求听证的，应当在行政机关告知后五日内提出。
    basis: [行政处罚法@2021#64]
    difficulty: 2
    category: legal
    domains: [通用]
    status: reviewed
    source: 测试
  # ——— 简易程序 ———
  - id: cf-test-002
    type: judge
    stem: 违法事实确凿并有法定依据，对公民处以二百元以下罚款的，可以当场作出行政处罚决定。
    answer: 正确
    explanation: 行政处罚法第五十一条。
    basis: [行政处罚法@2021#51]
    difficulty: 1
    category: legal
    domains: [通用]
    status: reviewed
    source: 测试
  - id: cf-test-003
    type: case
    stem: 某局拟吊销某公司许可证，告知其听证权利。
    parts:
      - id: p1
        type: judge
        stem: 公司可以在告知后五日内要求听证。
        answer: 正确
        basis: [行政处罚法@2021#64]
      - id: p2
        type: open
        stem: 吊销许可证前应告知什么权利？
        reference: 要求听证的权利。
        rubric:
          - {point: 听证权利, score: 4}
    explanation: 行政处罚法第六十三条、第六十四条。
    basis: [行政处罚法@2021#63]
    difficulty: 3
    category: legal
    domains: [通用]
    status: reviewed
    source: 测试
  - id: cf-test-004
    type: judge
    stem: 当事人不承担行政机关组织听证的费用。
    answer: 正确
    explanation: 第六十三条第二款。
    basis: [行政处罚法@2021#63]
    difficulty: 1
    category: legal
    domains: [通用]
    status: draft
    source: 测试
"""


@pytest.fixture
def laws(tmp_path, shared_laws):
    """A copy of the statute texts that a test may change."""
    folder = tmp_path / "laws"
    shutil.copytree(shared_laws, folder)
    return folder


@pytest.fixture
def bank_file(tmp_path):
    path = tmp_path / "bank" / "cf_hearing.yaml"
    path.parent.mkdir()
    path.write_text(BANK, encoding="utf-8")
    return path


def change_article(laws, article: str, old: str, new: str) -> None:
    path = laws / PENALTY
    lines = path.read_text(encoding="utf-8").split("\n")
    start = next(i for i, line in enumerate(lines) if line.startswith(f"第{article}条"))
    index = next(i for i in range(start, len(lines)) if old in lines[i])
    assert index == start or not lines[index].startswith("第")  # still inside the article
    lines[index] = lines[index].replace(old, new, 1)
    path.write_text("\n".join(lines), encoding="utf-8")


def test_fingerprint_ignores_layout_not_words():
    text = "第六十四条　听证应当依照以下程序组织：\n（一）当事人要求听证的，应当在行政机关告知后五日内提出；"
    assert fingerprint(text) == fingerprint(text.replace("\n", "").replace("　", " ")) == fingerprint(text + "\n")
    assert fingerprint(text) != fingerprint(text.replace("五日", "七日"))
    assert len(fingerprint(text)) == 12


def test_stamp_writes_the_trail_and_changes_nothing_else(bank_file, laws):
    before = bank_file.read_text(encoding="utf-8")
    result = stamp(load_bank([bank_file]), laws, "题库审核组", dt.date(2026, 11, 29))
    assert sorted(q.id for q in result.stamped) == ["cf-test-001", "cf-test-002", "cf-test-003"]  # not the draft
    after = bank_file.read_text(encoding="utf-8")
    # only lines added, and the section comments stay above the item they head
    old_lines, new_lines = before.splitlines(), after.splitlines()
    assert [line for line in new_lines if line in old_lines] == old_lines
    assert new_lines.index("  # ——— 简易程序 ———") + 1 == new_lines.index("  - id: cf-test-002")
    bank = load_bank([bank_file]).by_id()
    texts = ArticleTexts(laws)
    review = bank["cf-test-003"].review
    assert review.by == "题库审核组" and review.date == dt.date(2026, 11, 29)
    assert review.articles == {"行政处罚法@2021#63": texts.fingerprint(Citation.parse("行政处罚法@2021#63")),
                               "行政处罚法@2021#64": texts.fingerprint(Citation.parse("行政处罚法@2021#64"))}
    assert bank["cf-test-004"].review is None
    assert [p for p in validate(load_bank([bank_file])) if p.field.startswith("review")] == []
    # a second run has nothing left to do
    assert stamp(load_bank([bank_file]), laws, "别人", dt.date(2026, 12, 1)).stamped == []


def test_changing_one_article_flags_exactly_the_items_citing_it(bank_file, laws, capsys):
    stamp(load_bank([bank_file]), laws, "题库审核组", dt.date(2026, 11, 29))
    assert main(["bank", "check-basis", "--laws", str(laws), str(bank_file)]) == 0
    change_article(laws, "六十四", "五日", "七日")
    assert main(["bank", "check-basis", "--laws", str(laws), str(bank_file)]) == 1
    out = capsys.readouterr().out
    assert "cf-test-001" in out and "cf-test-003" in out and "cf-test-002" not in out
    bank = load_bank([bank_file]).by_id()
    assert bank["cf-test-001"].review.recheck == ["行政处罚法@2021#64"]
    assert bank["cf-test-003"].review.recheck == ["行政处罚法@2021#64"]  # cited by its part
    assert bank["cf-test-002"].review.recheck == []
    # flagged items are kept out of quizzes and exams, and validate says why
    assert [q.id for q in load_bank([bank_file]).reviewed()] == ["cf-test-002"]
    assert [q.id for q in draw(bank.values(), n=10, seed=1)] == ["cf-test-002"]
    assert [q.id for q in draw(bank.values(), ids=["cf-test-001", "cf-test-002"])] == ["cf-test-002"]
    assert not bank["cf-test-001"].usable() and not bank["cf-test-001"].usable(drafts=True)
    warned = {p.qid for p in validate(load_bank([bank_file])) if p.field == "review.recheck"}
    assert warned == {"cf-test-001", "cf-test-003"}
    # the flag is written once; a second run lists the same items and writes nothing new
    text = bank_file.read_text(encoding="utf-8")
    assert main(["bank", "check-basis", "--laws", str(laws), str(bank_file)]) == 1
    assert bank_file.read_text(encoding="utf-8") == text
    # the reviewer reads the new text and signs the item again: usable again, no longer listed
    assert main(["bank", "review", "stamp", "--by", "张三", "--on", "2026-12-01", "--laws", str(laws), str(bank_file),
                 "cf-test-001", "cf-test-003"]) == 0
    bank = load_bank([bank_file]).by_id()
    assert bank["cf-test-001"].usable() and bank["cf-test-001"].review.by == "张三"
    assert changed_articles(load_bank([bank_file]), laws) == []


def test_a_change_of_layout_only_is_no_change(bank_file, laws):
    stamp(load_bank([bank_file]), laws, "题库审核组", dt.date(2026, 11, 29))
    change_article(laws, "五十一", "，", "， ")
    assert changed_articles(load_bank([bank_file]), laws) == []


def test_dry_run_lists_without_marking(bank_file, laws, capsys):
    stamp(load_bank([bank_file]), laws, "题库审核组", dt.date(2026, 11, 29))
    change_article(laws, "五十一", "二百元", "五百元")
    text = bank_file.read_text(encoding="utf-8")
    assert main(["bank", "check-basis", "--dry-run", "--laws", str(laws), str(bank_file)]) == 1
    assert "cf-test-002" in capsys.readouterr().out
    assert bank_file.read_text(encoding="utf-8") == text


def test_reviewed_item_without_trail_or_with_an_unreviewed_basis_is_warned(tmp_path):
    from tests.questionbank.helpers import write_bank

    write_bank(tmp_path, good_single(review=None), good_single(id="cf-test-002", basis=["行政处罚法@2021#64", "行政处罚法@2021#85"],
                                                                  review={"by": "甲", "date": "2026-11-01",
                                                                          "articles": {"行政处罚法@2021#64": "abc"}}))
    problems = {(p.qid, p.field) for p in validate(load_bank([tmp_path]))}
    assert ("cf-test-001", "review") in problems and ("cf-test-002", "review.articles") in problems


def test_on_the_shipped_bank_exactly_the_items_citing_the_changed_article_are_flagged(tmp_path, laws):
    items = tmp_path / "items"
    shutil.copytree(ITEMS, items)
    change_article(laws, "六十四", "五日", "七日")
    assert main(["bank", "check-basis", "--laws", str(laws), str(items)]) == 1
    bank = load_bank([items])
    citing = {q.id for q in bank.questions if any(str(c) == "行政处罚法@2021#64" for c in q.all_citations())}
    flagged = {q.id for q in bank.questions if q.review and q.review.recheck}
    assert len(citing) >= 5 and flagged == citing
    assert all(q.review.recheck == ["行政处罚法@2021#64"] for q in bank.questions if q.id in flagged)
    assert not {q.id for q in bank.reviewed()} & flagged
