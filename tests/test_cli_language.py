"""The command line speaks Chinese: every ``academy … --help`` and every error a clerk can provoke is scanned for
English words. What may stay: command and option names (typed as they are), file names and paths, environment variables,
example lines, product and format names, and the literal values some options take."""

import argparse
import datetime as dt
import re

import pytest

from academy.cli import build_parser, main
from tests.tracker.helpers import ROSTER, write_csv

ALLOWED = {
    # products, formats and encodings
    "JupyterLab", "Voila", "SQLite", "PostgreSQL", "Moodle", "XML", "JSON", "Markdown", "PNG", "GBK", "UTF", "BOM",
    "nbgrader", "JupyterHub", "Kubernetes", "LDAP", "xlsx",
    # the system's administrator account and the command to act as it
    "root", "sudo", "xls", "et", "csv", "html", "txt", "tsv", "yaml", "moodle",
    # values typed on the command line (the bank's own vocabulary)
    "draft", "reviewed", "retired", "single", "multiple", "judge", "numeric", "case",
}
PATH = re.compile(r"[\w.\-/]*(/|\.\w{2,5}\b)[\w.\-/]*")
OPTION = re.compile(r"(?<![\w])--?[A-Za-z][\w-]*")
ENV = re.compile(r"\b(ACADEMY_[A-Z_]+|PORT)\b")


def parsers():
    """(command path, parser) for academy and every area and command under it."""
    def walk(parser, path):
        yield path, parser
        for action in parser._actions:
            if isinstance(action, argparse._SubParsersAction):
                for name, sub in action.choices.items():
                    yield from walk(sub, [*path, name])

    return list(walk(build_parser(), []))


COMMAND_WORDS = {"academy"} | {word for path, _ in parsers() for name in path for word in re.findall(r"[A-Za-z]+", name)}


def english_words(text: str) -> list[str]:
    kept = []
    for line in text.splitlines():
        if line.strip().startswith("academy "):  # an example line
            continue
        line = ENV.sub(" ", OPTION.sub(" ", PATH.sub(" ", line)))
        kept += [w for w in re.findall(r"[A-Za-z]{2,}", line) if w not in ALLOWED and w not in COMMAND_WORDS]
    return kept


def test_the_scanner_finds_english():
    assert english_words("usage: academy hours report [-h]") == ["usage"]
    assert english_words("错误：the following arguments are required: -o/--output") == ["the", "following", "arguments",
                                                                                     "are", "required"]
    assert english_words("用法：academy hours report [-h] [--year 年度] -o 输出文件 报表.xlsx tracker/rules/default.yaml") == []


@pytest.mark.parametrize("path", [" ".join(path) or "academy" for path, _ in parsers()])
def test_every_help_is_chinese(path, capsys):
    argv = [] if path == "academy" else path.split()
    with pytest.raises(SystemExit) as done:
        main([*argv, "--help"])
    assert done.value.code == 0
    out = capsys.readouterr().out
    assert out.startswith("用法：") and "选项" in out and "显示本帮助并退出" in out
    assert english_words(out) == [], out


@pytest.fixture
def roster(tmp_path, capsys):
    assert main(["hours", "import-roster", str(write_csv(tmp_path / "r.csv", ROSTER))]) == 0
    capsys.readouterr()
    return tmp_path


NEXT_YEAR = dt.date.today().year + 1
RECORD = ["hours", "record", "A0001", "--category", "法律知识", "--hours", "2", "--title", "讲座"]
ERRORS = [
    (["nonexistent"], "无效的选项 'nonexistent'"),
    (["hours"], "缺少必需的参数：命令"),
    (["hours", "report"], "缺少必需的参数：-o/--output"),
    (["hours", "report", "-o", "x.xlsx", "--bogus"], "无法识别的参数：--bogus"),
    (["hours", "report", "-o", "报表.html", "--format", "xlsx"], "扩展名是 .html，与 --format xlsx 不符"),
    (["hours", "report", "-o", "报表.pdf"], "无法从文件名 报表.pdf 判断格式"),
    (["hours", "report", "-o", "报表.xlsx", "--format", "pdf"], "无效的选项 'pdf'"),
    (["hours", "report", "--unit", "丙县", "-o", "x.xlsx"], "没有名为 丙县 的单位。现有单位：乙县综合行政执法局、甲县市场监督管理局"),
    (["hours", "report", "--year", str(NEXT_YEAR), "-o", "x.xlsx"], f"{NEXT_YEAR}年度尚未开始"),
    (["hours", "report", "--year", "去年", "-o", "x.xlsx"], "年度 '去年' 不是年份"),
    (["hours", "shortfall", "--unit", "丙县", "-o", "x.csv"], "没有名为 丙县 的单位"),
    (["hours", "report", "--each-unit", "-o", "x.html"], "--each-unit（每个单位一个工作表）只能输出 xlsx"),
    (["hours", "report", "--each-unit", "--unit", "甲县市场监督管理局", "-o", "x.xlsx"], "不能与 --unit 同时使用"),
    ([*RECORD, "--date", f"{NEXT_YEAR}-01-01"], f"日期 {NEXT_YEAR}-01-01 晚于今天"),
    ([*RECORD, "--date", "2026/13/01"], "日期 '2026/13/01' 不存在：月份应为 1 到 12"),
    ([*RECORD, "--date", "2026-02-30"], "2026年2月只有 28 天"),
    ([*RECORD, "--hours", "NaN"], "学时 'NaN' 不是有效的数字"),
    ([*RECORD, "--hours", "三"], "学时 '三' 不是数字"),
    ([*RECORD, "--hours", "30"], "学时 30.00 无效"),
    ([*RECORD, "--category", "党史"], "类别 '党史' 无法识别"),
    ([*RECORD, "--form", "自学"], "形式 '自学' 无法识别"),
    (["hours", "record", "Z9", "--category", "法律知识", "--hours", "1", "--title", "x"], "人员编号 Z9 不在名册中"),
    (["hours", "reverse", "abc", "--reason", "x"], "记录号 'abc' 应为数字"),
    (["hours", "reverse", "999", "--reason", "x"], "没有编号为 999 的学时记录"),
    (["hours", "move", "999", "--to", "A0001", "--reason", "x"], "没有编号为 999 的学时记录"),
    (["hours", "officer", "Z0"], "人员编号 Z0 不在名册中"),
    (["hours", "officer", "A0001", "-o", "证明.pdf"], "无法从文件名 证明.pdf 判断格式"),
    (["hours", "import-training", "无此文件.csv"], "找不到文件 无此文件.csv"),
    (["hours", "import-roster", "名册.doc"], "不支持的文件类型 .doc"),
    (["bank", "export", "--format", "pdf", "-o", "x"], "无效的选项 'pdf'"),
]


@pytest.mark.parametrize("argv, words", ERRORS, ids=[" ".join(a) for a, _ in ERRORS])
def test_every_error_is_chinese(roster, monkeypatch, capsys, argv, words):
    monkeypatch.chdir(roster)
    (roster / "名册.doc").write_text("not a sheet", encoding="utf-8")
    try:
        code = main(argv)
    except SystemExit as exc:
        code = exc.code
    assert code not in (0, None)
    captured = capsys.readouterr()
    err = captured.err
    assert words in err, err
    typed = {w for a in argv for w in re.findall(r"[A-Za-z]+", a)}  # the clerk's own input, echoed
    assert [w for w in english_words(err) if w not in typed] == [], err
    assert not list(roster.glob("x.*")) and not list(roster.glob("报表.*"))  # nothing written
