"""A problem found in the bank: which file, which question, which field, and why (in Chinese)."""

from __future__ import annotations

from dataclasses import dataclass

LEVELS = {"error": "错误", "warning": "警告"}


@dataclass(frozen=True)
class Problem:
    level: str  # "error" | "warning"
    file: str
    qid: str
    field: str
    message: str

    def __str__(self) -> str:
        where = f"{self.file}：题目 {self.qid}"
        if self.field:
            where += f"：字段 {self.field}"
        return f"[{LEVELS[self.level]}] {where}：{self.message}"

    def as_error(self) -> "Problem":
        return Problem("error", self.file, self.qid, self.field, self.message)
