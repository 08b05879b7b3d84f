"""Building the ``academy <area> <command>`` parsers: every command gets a Chinese description and an example, and
argparse itself speaks Chinese (usage, help, errors: its own strings are translated, and an argument without a
metavar is shown by a Chinese name instead of its English ``dest``)."""

from __future__ import annotations

import argparse
from collections.abc import Callable
from typing import Any

ARGPARSE_TEXT = {
    "usage: ": "用法：",
    "positional arguments": "位置参数",
    "options": "选项",
    "optional arguments": "选项",
    "show this help message and exit": "显示本帮助并退出",
    "%(prog)s: error: %(message)s\n": "%(prog)s：错误：%(message)s\n",
    "the following arguments are required: %s": "缺少必需的参数：%s",
    "unrecognized arguments: %s": "无法识别的参数：%s",
    "invalid choice: %(value)r (choose from %(choices)s)": "无效的选项 %(value)r（可选：%(choices)s）",
    "argument %(argument_name)s: %(message)s": "参数 %(argument_name)s：%(message)s",
    "invalid %(type)s value: %(value)r": "无效的值：%(value)r",
    "expected one argument": "需要一个值",
    "expected at most one argument": "最多一个值",
    "expected at least one argument": "至少需要一个值",
    "ambiguous option: %(option)s could match %(matches)s": "选项 %(option)s 不明确，可能是 %(matches)s",
    "not allowed with argument %s": "不能与参数 %s 同时使用",
    "one of the arguments %s is required": "参数 %s 必须给出其中一个",
    "ignored explicit argument %r": "多余的值 %r",
    "can't open '%(filename)s': %(error)s": "无法打开 %(filename)s：%(error)s",
    "unexpected option string: %s": "意外的选项 %s",
    "unknown parser %(parser_name)r (choices: %(choices)s)": "未知的命令 %(parser_name)r（可选：%(choices)s）",
}
ARGPARSE_PLURALS = {"expected %s argument": "需要 %s 个值"}
METAVARS = {
    "file": "文件", "year": "年度", "unit": "单位", "format": "格式", "output": "输出文件", "rules": "规则文件",
    "officer": "人员编号", "date": "日期", "category": "类别", "hours": "学时", "form": "形式", "title": "培训名称",
    "note": "来源说明", "entry": "记录号", "reason": "原因", "port": "端口", "paths": "路径", "laws": "条文目录",
    "into": "目录", "bank": "题库", "topic": "知识点", "law": "法律", "status": "状态", "type": "题型",
    "blueprint": "蓝图", "forms": "套数", "seed": "种子", "paper": "试卷", "exam": "考试", "student": "考生",
    "series": "考试系列", "chart": "图表文件", "by": "姓名", "as_of": "日期", "folder": "文件夹", "record": "记录号",
    "into_officer": "人员编号",
}


def _text(message: str) -> str:
    return ARGPARSE_TEXT.get(message, message)


def _plural(singular: str, plural: str, n: int) -> str:
    return ARGPARSE_PLURALS.get(singular, singular if n == 1 else plural)


def _metavar(action: argparse.Action) -> str:
    name = METAVARS.get(action.dest)
    if name:
        return name
    return action.dest if not action.dest.isascii() else "值"


def speak_chinese() -> None:
    """Make argparse's own strings and default metavars Chinese (idempotent)."""
    argparse._ = _text
    argparse.ngettext = _plural
    argparse.HelpFormatter._get_default_metavar_for_optional = lambda self, action: _metavar(action)
    argparse.HelpFormatter._get_default_metavar_for_positional = lambda self, action: _metavar(action)


speak_chinese()


def argument(parse: Callable[[str], Any]) -> Callable[[str], Any]:
    """An argparse ``type`` from a parsing function that raises ``ValueError`` with a Chinese reason: argparse shows the
    reason (not 「invalid value」)."""

    def convert(text: str) -> Any:
        try:
            return parse(text)
        except ValueError as exc:
            raise argparse.ArgumentTypeError(str(exc)) from None

    convert.__name__ = getattr(parse, "__name__", "value")
    return convert


class Area:
    """The subcommands of one area (``academy bank``, ``academy hours`` …)."""

    def __init__(self, subparsers, name: str, help_text: str, description: str | None = None):
        parser = subparsers.add_parser(name, help=help_text, description=description or help_text)
        self.sub = parser.add_subparsers(dest=f"{name}_command", required=True, metavar="命令")

    def add(self, name: str, func: Callable, help_text: str, example: str) -> argparse.ArgumentParser:
        parser = self.sub.add_parser(name, help=help_text, description=help_text, epilog=f"示例：\n  {example}",
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
        parser.set_defaults(func=func)
        return parser
