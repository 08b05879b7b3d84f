"""Importing the usual 题库 spreadsheet, with the quirks real banks have, and the lossless round trip."""

import datetime as dt
import random
from pathlib import Path

import pytest

from questionbank.formats.spreadsheet import ImportRefused, import_file
from questionbank.formats.spreadsheet_writing import write_xlsx
from questionbank.loading import load_bank
from tests.sheets import write_csv
from tests.sheets import write_xlsx as write_sheet

TODAY = dt.date(2026, 11, 23)
HEADER = ["题目类型", "试题内容", "选项A", "选项B", "选项C", "选项D", "正确答案", "解析", "难度", "知识点", "法律依据", "分类", "领域"]
ROWS = [
    ["单选题", "当场作出行政处罚决定的，对公民罚款的上限是（  ）。", "五十元", "二百元", "五百元", "一千元", "Ｂ",
     "第五十一条规定对公民处以二百元以下罚款的可以当场作出。",
     "较易", "简易程序", "《中华人民共和国行政处罚法》第五十一条", "法律知识", "通用"],
    ["多选", "下列属于行政处罚种类的有（  ）。", "通报批评", "责令改正", "限制从业", "降低资质等级", "A、C、D",
     "第九条。", "中等", "行政处罚的概念、原则、种类和设定", "行政处罚法第9条", "法律知识", "通用"],
    ["判断", "限制人身自由的行政处罚只能由法律设定。", "", "", "", "", "√", "第十条。", "易", "设定", "行政处罚法第十条",
     "法律知识", "通用、市场监管"],
    ["判断题", "行政处罚的追责时效一律为二年。", "", "", "", "", "×", "第三十六条。", "3", "", "行政处罚法第三十六条", "", ""],
]


def run(path, into, **kw):
    return import_file(path, into, bank_paths=[], today=TODAY, **kw)


@pytest.mark.parametrize("encoding", ["utf-8", "utf-8-sig", "gbk"])
def test_csv_in_every_encoding(tmp_path, encoding):
    path = write_csv(tmp_path / "bank.csv", [HEADER, *ROWS], encoding)
    result = run(path, tmp_path / "out")
    assert len(result.questions) == 4
    single, multiple, judge_true, judge_false = result.questions
    assert single.answer == "B" and single.difficulty == 2           # full-width Ｂ, 较易
    assert [str(c) for c in single.basis] == ["行政处罚法@2021#51"]   # 《中华人民共和国…》第五十一条
    assert single.topic == "cf_procedure" and single.tags == ["简易程序"]  # unknown 知识点 kept as tag
    assert multiple.answer == ("A", "C", "D") and multiple.topic == "cf_general"
    assert judge_true.answer is True and judge_true.domains == ["通用", "市场监管"]
    assert judge_false.answer is False and judge_false.category == "legal" and judge_false.difficulty == 3
    assert all(q.status == "draft" for q in result.questions)
    assert len({q.id for q in result.questions}) == 4
    written = load_bank([tmp_path / "out"])
    assert written.problems == [] and len(written.questions) == 4


def test_xlsx_with_aliases_and_answer_forms(tmp_path):
    rows = [["题型", "题干", "A", "B", "C", "D", "答案", "解析", "难度", "考点", "依据"],
            ["多项选择题", "听证由谁主持？（  ）", "甲", "乙", "丙", "丁", "ＡＢ", "x", "难", "听证", "行政处罚法第64条"],
            ["判断", "当事人可以申请听证。", "", "", "", "", "T", "x", "较难", "", "行政处罚法第63条"],
            ["判断", "当事人不可以申请听证。", "", "", "", "", "错", "x", "", "", "行政处罚法第六十三条"]]
    result = run(write_sheet(tmp_path / "bank.xlsx", rows), tmp_path / "out")
    assert [q.answer for q in result.questions] == [("A", "B"), True, False]
    assert [q.difficulty for q in result.questions] == [5, 4, 3]
    assert {q.topic for q in result.questions} == {"cf_hearing"}


def test_a_bad_file_is_refused_whole_with_every_row_and_writes_nothing(tmp_path):
    bad = [HEADER, ROWS[0],
           ["单选", "缺答案的题", "甲", "乙", "", "", "E", "", "", "", "行政处罚法第51条", "", ""],
           ["判断", "答案无法识别", "", "", "", "", "也许", "", "", "", "行政处罚法第10条", "", ""],
           ["多选", "只有一个答案", "甲", "乙", "丙", "", "A", "", "", "", "行政处罚法第9条", "", ""],
           ["单选", "法律不认识", "甲", "乙", "", "", "A", "", "", "", "《民法典》第一条", "", ""],
           ["选择", "题型不认识", "甲", "乙", "", "", "A", "", "", "", "行政处罚法第9条", "", ""],
           ["单选", "难度不认识", "甲", "乙", "", "", "A", "", "极难", "", "行政处罚法第9条", "", ""],
           ["单选", "条号超出", "甲", "乙", "", "", "A", "", "", "", "行政处罚法第九十九条", "", ""]]
    path = write_csv(tmp_path / "bad.csv", bad, "gbk")
    out = tmp_path / "out"
    with pytest.raises(ImportRefused) as refused:
        run(path, out)
    text = str(refused.value)
    for row, words in [(3, "答案 E 不在选项中"), (4, "判断题答案 也许 无法识别"), (5, "多选题至少要有两个答案"),
                       (6, "民法典 不在法律登记表"), (7, "题型 选择 无法识别"), (8, "难度 极难"), (9, "只有 86 条")]:
        assert f"第{row}行" in text and words in text, (row, words, text)
    assert "第2行" not in text and "未写入" in text
    assert not out.exists()


def test_refusal_leaves_existing_files_untouched(tmp_path):
    out = tmp_path / "out"
    run(write_csv(tmp_path / "a.csv", [HEADER, *ROWS], "utf-8"), out)
    before = {p: p.read_bytes() for p in out.iterdir()}
    with pytest.raises(ImportRefused):
        run(write_csv(tmp_path / "b.csv", [HEADER, ROWS[0][:6] + ["Z"] + ROWS[0][7:]], "utf-8"), out)
    assert {p: p.read_bytes() for p in out.iterdir()} == before


def test_a_second_import_appends_with_new_ids(tmp_path):
    out = tmp_path / "out"
    first = run(write_csv(tmp_path / "a.csv", [HEADER, *ROWS], "utf-8"), out)
    second = run(write_csv(tmp_path / "b.csv", [HEADER, ROWS[1]], "utf-8"), out)
    bank = load_bank([out])
    assert len(bank.questions) == 5
    assert second.questions[0].id not in {q.id for q in first.questions}


def test_dry_run_writes_nothing(tmp_path):
    result = run(write_csv(tmp_path / "a.csv", [HEADER, *ROWS], "utf-8"), tmp_path / "out", dry_run=True)
    assert len(result.questions) == 4 and "试运行" in result.summary()
    assert not (tmp_path / "out").exists()


def test_missing_columns_are_named(tmp_path):
    with pytest.raises(ImportRefused) as refused:
        run(write_csv(tmp_path / "a.csv", [["题型", "内容说明"], ["单选", "x"]], "utf-8"), tmp_path / "out")
    assert "缺少必需的列" in str(refused.value) and "题干" in str(refused.value)


def test_round_trip_of_the_shipped_bank_is_lossless(tmp_path):
    bank = load_bank()
    templates = load_bank([Path(__file__).resolve().parents[2] / "questionbank" / "templates"])
    questions = bank.questions + templates.questions
    assert any(q.type == "case" for q in questions) and any(q.type == "numeric" for q in questions)
    path = tmp_path / "export.xlsx"
    write_xlsx(questions, path)
    result = import_file(path, tmp_path / "back", bank_paths=[], today=TODAY, keep_review=True)
    back = {q.id: q for q in load_bank([tmp_path / "back"]).questions}
    assert len(back) == len(questions) == len(result.questions)
    for q in questions:
        assert back[q.id].to_mapping() == q.to_mapping(), q.id
        assert back[q.id].topic == q.topic


def _sheet_rows(path: Path) -> list[list]:
    from openpyxl import load_workbook

    return [list(row) for row in load_workbook(path).active.iter_rows(values_only=True)]


@pytest.mark.parametrize("order", ["题型", "shuffled", "reversed"])
def test_a_sorted_or_shuffled_sheet_still_imports_into_the_same_cases(tmp_path, order):
    questions = load_bank().questions
    cases = [q for q in questions if q.type == "case"]
    for q in cases[::2]:  # parts with a basis and 解析 of their own
        q.parts[0].basis = list(q.basis[:1])
        q.parts[0].explanation = f"{q.id} 第一小题的解析。"
    assert len(cases) >= 5 and all(len(q.parts) >= 2 for q in cases)
    path = tmp_path / "export.xlsx"
    write_xlsx(questions, path)
    header, *rows = _sheet_rows(path)
    part_rows = [r for r in rows if str(r[header.index("题型")]).startswith("案例分析-")]
    assert part_rows and all(r[header.index("所属案例")] and r[header.index("状态")] for r in part_rows)
    assert any(r[header.index("法律依据")] for r in part_rows)
    if order == "题型":
        rows.sort(key=lambda r: (str(r[header.index("题型")]), str(r[header.index("题号")])))
    elif order == "shuffled":
        random.Random(5).shuffle(rows)
    else:
        rows.reverse()
    sorted_path = write_sheet(tmp_path / "sorted.xlsx", [header, *rows])
    import_file(sorted_path, tmp_path / "back", bank_paths=[], today=TODAY, keep_review=True)
    back = {q.id: q for q in load_bank([tmp_path / "back"]).questions}
    assert {q.id: q.to_mapping() for q in questions} == {i: q.to_mapping() for i, q in back.items()}


def test_a_filtered_sheet_with_sub_rows_of_an_absent_case_is_refused_with_the_rows(tmp_path):
    case = next(q for q in load_bank().questions if q.type == "case")
    path = tmp_path / "export.xlsx"
    write_xlsx([case], path)
    header, case_row, *part_rows = _sheet_rows(path)
    with pytest.raises(ImportRefused) as refused:
        run(write_sheet(tmp_path / "parts-only.xlsx", [header, *part_rows]), tmp_path / "out")
    assert f"第2行：所属案例 {case.id} 不在表中" in str(refused.value)
    assert f"第{len(part_rows) + 1}行" in str(refused.value)


def test_imported_items_are_drafts_unless_our_own_export_comes_back(tmp_path):
    reviewed = [q for q in load_bank().questions if q.status == "reviewed"][:20]
    path = tmp_path / "export.xlsx"
    write_xlsx(reviewed, path)
    result = run(path, tmp_path / "received")
    assert {q.status for q in result.questions} == {"draft"} and all(q.review is None for q in result.questions)
    result = run(path, tmp_path / "ours", keep_review=True)
    assert {q.status for q in result.questions} == {"reviewed"} and all(q.review for q in result.questions)
