"""The review sheet round trip: imported items stay drafts, the reviewer decides in the sheet, apply promotes, retires
and corrects; a bad sheet is refused whole with row numbers; nothing reaches a quiz unreviewed."""

import datetime as dt

import pytest
from openpyxl import load_workbook

from academy.cli import main
from questionbank.formats.spreadsheet import import_file
from questionbank.laws import Citation
from questionbank.loading import load_bank
from questionbank.quiz import draw
from questionbank.review import ArticleTexts
from questionbank.review_sheet import COLUMNS, SheetRefused, apply_review_sheet, write_review_sheet
from tests.sheets import write_csv

HEADER = ["题型", "试题内容", "选项A", "选项B", "选项C", "选项D", "正确答案", "解析", "法律依据", "状态"]
RECEIVED = [
    ["单选", "当事人要求听证的，应当在行政机关告知后（  ）内提出。", "三日", "五日", "七日", "十日", "B", "第六十四条。",
     "《中华人民共和国行政处罚法》第六十四条", "已审核"],
    ["单选", "适用简易程序审理的行政复议案件，行政复议机构应当自受理行政复议申请之日起（  ）日内，将行政复议申请书副本发送被申请人。",
     "1", "2", "3", "5", "D", "第五十四条。", "行政复议法第五十四条", ""],
    ["单选", "当事人要求听证的，应当在行政机关告知后（ ）内提出听证要求。", "三日", "五日", "5日", "十日", "B", "第六十四条。",
     "行政处罚法第六十四条", ""],
    ["判断", "违法事实确凿并有法定依据，对公民处以二百元以下罚款的，可以当场作出行政处罚决定。", "", "", "", "", "对", "第五十一条。",
     "行政处罚法第五十一条", ""],
]


@pytest.fixture
def received(tmp_path):
    """A bank received from elsewhere, imported: all drafts, even the row that says 已审核."""
    into = tmp_path / "imported"
    result = import_file(write_csv(tmp_path / "received.csv", [HEADER, *RECEIVED]), into, bank_paths=[], today=dt.date(2026, 11, 29))
    assert {q.status for q in result.questions} == {"draft"}
    return into


def _by_row(bank):
    """The ids of the imported items, in the order of the received rows."""
    by_stem = {q.stem: q.id for q in bank.questions}
    return [by_stem[row[1]] for row in RECEIVED]


def _sheet(path):
    workbook = load_workbook(path)
    return workbook, workbook.active


def _fill(sheet, qid: str, **values):
    header = [c.value for c in sheet[1]]
    row = next(r for r in range(2, sheet.max_row + 1) if sheet.cell(r, 1).value == qid)
    for name, value in values.items():
        sheet.cell(row, header.index(name) + 1, value)
    return row


def test_the_round_trip(received, tmp_path, shared_laws):
    bank = load_bank([received])
    ids = [q.id for q in sorted(bank.questions, key=lambda q: q.id)]
    right, wrong, ambiguous, judge = _by_row(bank)
    with pytest.raises(ValueError):
        draw(bank.questions, n=10, seed=1)  # nothing reviewed yet: no quiz can show these
    sheet_path = tmp_path / "审核表.xlsx"
    assert write_review_sheet(bank, shared_laws, sheet_path) == 4
    workbook, sheet = _sheet(sheet_path)
    assert [c.value for c in sheet[1]] == COLUMNS
    rows = {sheet.cell(r, 1).value: {h: sheet.cell(r, i + 1).value for i, h in enumerate(COLUMNS)} for r in range(2, 6)}
    assert sorted(rows) == ids
    assert rows[right]["核对结论"] == "支持" and "五日内提出" in rows[right]["条文原文"]
    assert rows[wrong]["核对结论"] == "与条文不符" and "三日内" in rows[wrong]["条文原文"] and rows[wrong]["答案"] == "D"
    assert rows[ambiguous]["核对结论"] == "多个选项都有依据"
    assert rows[judge]["核对结论"] == "支持" and rows[judge]["答案"] == "正确"
    _fill(sheet, right, 审核决定="通过", 审核人="张三", 审核日期=dt.datetime(2026, 11, 30))
    _fill(sheet, wrong, 审核决定="修改", 审核人="张三", 审核日期="2026-11-30", 修改后答案="C",
          修改后解析="行政复议法第五十四条规定，自受理之日起三日内发送。")
    _fill(sheet, ambiguous, 审核决定="停用", 审核人="李四", 审核日期="2026年11月30日")
    workbook.save(sheet_path)  # the judge row is left undecided

    assert main(["bank", "review", "apply", str(sheet_path), str(received), "--laws", str(shared_laws)]) == 0
    after = load_bank([received]).by_id()
    assert after[right].status == "reviewed" and after[right].review.by == "张三"
    assert after[right].review.date == dt.date(2026, 11, 30)
    printed = ArticleTexts(shared_laws).fingerprint(Citation.parse("行政处罚法@2021#64"))
    assert after[right].review.articles == {"行政处罚法@2021#64": printed}
    assert after[wrong].status == "reviewed" and after[wrong].answer == "C" and "三日内发送" in after[wrong].explanation
    assert after[ambiguous].status == "retired"
    assert after[judge].status == "draft" and after[judge].review is None
    assert {q.id for q in draw(after.values(), n=10, seed=1)} == {right, wrong}
    # applied once: the same sheet again is refused (the items are no longer drafts), and changes nothing
    text = {p: p.read_text(encoding="utf-8") for p in received.glob("*.yaml")}
    assert main(["bank", "review", "apply", str(sheet_path), str(received), "--laws", str(shared_laws)]) == 1
    assert {p: p.read_text(encoding="utf-8") for p in received.glob("*.yaml")} == text


def test_a_bad_sheet_is_refused_whole_with_row_numbers(received, tmp_path, shared_laws):
    bank = load_bank([received])
    right, wrong, ambiguous, judge = _by_row(bank)
    sheet_path = tmp_path / "审核表.xlsx"
    write_review_sheet(bank, shared_laws, sheet_path)
    workbook, sheet = _sheet(sheet_path)
    r1 = _fill(sheet, right, 审核决定="通过", 审核人="张三", 审核日期="2026-11-30")  # good on its own
    r2 = _fill(sheet, wrong, 审核决定="修改", 审核人="张三", 审核日期="2026-11-30", 修改后答案="E")
    r3 = _fill(sheet, ambiguous, 审核决定="同意", 审核人="李四", 审核日期="2026-11-30")
    r4 = _fill(sheet, judge, 审核决定="通过", 审核人="", 审核日期="昨天")
    sheet.append(["xx-unknown-001"] + [""] * 9 + ["通过", "王五", "2026-11-30"])
    workbook.save(sheet_path)
    before = {p: p.read_text(encoding="utf-8") for p in received.glob("*.yaml")}
    with pytest.raises(SheetRefused) as refused:
        apply_review_sheet(sheet_path, bank, shared_laws)
    message = str(refused.value)
    assert f"第{r2}行" in message and "答案 E 不在选项中" in message
    assert f"第{r3}行：审核决定 同意 无效" in message
    assert f"第{r4}行：没有填写审核人" in message and f"第{r4}行：审核日期 昨天 无法识别" in message
    assert "第6行：题库中没有题号 xx-unknown-001" in message
    assert f"第{r1}行" not in message
    assert {p: p.read_text(encoding="utf-8") for p in received.glob("*.yaml")} == before


def test_an_item_changed_after_the_sheet_was_made_is_refused(received, tmp_path, shared_laws):
    bank = load_bank([received])
    right = _by_row(bank)[0]
    sheet_path = tmp_path / "审核表.xlsx"
    write_review_sheet(bank, shared_laws, sheet_path)
    workbook, sheet = _sheet(sheet_path)
    row = _fill(sheet, right, 审核决定="通过", 审核人="张三", 审核日期="2026-11-30")
    workbook.save(sheet_path)
    path = next(p for p in received.glob("*.yaml") if right in p.read_text(encoding="utf-8"))
    path.write_text(path.read_text(encoding="utf-8").replace("十日", "十五日", 1), encoding="utf-8")
    with pytest.raises(SheetRefused, match=f"第{row}行：题目 {right} 在生成审核表后已被改动"):
        apply_review_sheet(sheet_path, load_bank([received]), shared_laws)


def test_review_commands_have_help_with_an_example(capsys):
    for step in ("stamp", "sheet", "apply"):
        with pytest.raises(SystemExit) as exit_info:
            main(["bank", "review", step, "--help"])
        assert exit_info.value.code == 0
        assert "示例：" in capsys.readouterr().out


def test_import_reports_the_key_check_and_points_to_the_review_sheet(tmp_path, shared_laws, monkeypatch, capsys):
    monkeypatch.setenv("ACADEMY_LAWS_DIR", str(shared_laws))
    path = write_csv(tmp_path / "received.csv", [HEADER, *RECEIVED])
    assert main(["bank", "import", str(path), "--into", str(tmp_path / "imported")]) == 0
    out = capsys.readouterr().out
    assert "答案核对：支持 2，与条文不符 1，多个选项都有依据 1，无法自动核对 0" in out
    assert "[与条文不符]" in out and "（答案 D）" in out and "academy bank review sheet" in out
