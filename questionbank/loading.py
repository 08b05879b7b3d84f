"""Reading bank files (``questionbank/items/**/*.yaml``) into a ``Bank``."""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path

import yaml_rs

from questionbank.model import Question
from questionbank.problems import Problem
from questionbank.reading import read_question

ITEMS = Path(__file__).resolve().parent / "items"
FILE_FIELDS = {"topic", "questions"}


@dataclass
class Bank:
    questions: list[Question] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)  # problems met while reading
    files: list[Path] = field(default_factory=list)

    def by_id(self) -> dict[str, Question]:
        return {q.id: q for q in self.questions}

    def reviewed(self) -> list[Question]:
        """The questions a quiz or an exam may use (``Question.usable``)."""
        return [q for q in self.questions if q.usable()]


def _unreadable(error: OSError) -> None:
    """A folder or file of the bank that cannot be read is an error, never an empty bank: an officer's account on the
    site gets PermissionError (a subclass of OSError) for the items, with the reason in Chinese."""
    raise PermissionError(f"无权读取题库 {error.filename}：题库（含答案）只有考试管理员和学堂服务可读，"
                          "执法人员的学习和考试环境不读题库") from error


def bank_files(paths: list[Path] | None = None) -> list[Path]:
    """Every ``.yaml`` file under the given files or folders (the shipped bank by default), sorted.

    A folder that cannot be read is an error, never an empty bank: on the site and in the officers' image the items are
    not there (the wheel ships without them) or not readable (root and 考试管理员 only)."""
    files: list[Path] = []
    if not paths and not ITEMS.is_dir():
        raise FileNotFoundError(f"本环境没有题库（{ITEMS}）：执法人员的学习和考试环境不含题库答案，"
                                "题库只在考试管理员和学堂服务一方")
    for path in paths or [ITEMS]:
        path = Path(path)
        if path.is_dir():
            for root, _dirs, names in os.walk(path, onerror=_unreadable):
                files.extend(Path(root) / n for n in names if n.endswith((".yaml", ".yml")))
        elif path.exists():
            files.append(path)
        else:
            raise FileNotFoundError(f"找不到题库文件或目录：{path}")
    return sorted(set(files))


def display_path(path: Path) -> str:
    try:
        return str(path.resolve().relative_to(Path.cwd()))
    except ValueError:
        return str(path)


def load_bank(paths: list[Path] | None = None) -> Bank:
    bank = Bank()
    for path in bank_files(paths):
        bank.files.append(path)
        name = display_path(path)
        try:
            raw = yaml_rs.loads(path.read_text(encoding="utf-8"))
        except PermissionError as exc:
            _unreadable(exc)
        except (yaml_rs.YAMLDecodeError, UnicodeDecodeError) as exc:
            bank.problems.append(Problem("error", name, "-", "", f"文件无法读取（YAML 格式错误）：{exc}"))
            continue
        if raw is None:
            continue
        if not isinstance(raw, dict) or not isinstance(raw.get("questions"), list):
            bank.problems.append(Problem("error", name, "-", "questions", "文件应包含 topic 和 questions（题目列表）"))
            continue
        for key in raw:
            if key not in FILE_FIELDS:
                bank.problems.append(Problem("error", name, "-", str(key), "未知的文件字段（拼写错误？）"))
        topic = str(raw.get("topic") or "")
        if not topic:
            bank.problems.append(Problem("error", name, "-", "topic", "文件必须声明知识点 topic"))
        for index, item in enumerate(raw["questions"]):
            question, problems = read_question(item, name, topic, index)
            bank.problems.extend(problems)
            if question is not None:
                bank.questions.append(question)
    return bank
