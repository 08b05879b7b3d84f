"""Exchange formats: the usual Chinese 题库 spreadsheet (xlsx/csv) and Moodle XML."""

from __future__ import annotations

from pathlib import Path

from questionbank.loading import Bank
from questionbank.model import Question


def select(questions: list[Question], topic=None, law=None, status=None, question_type=None) -> list[Question]:
    return [
        q for q in questions
        if (topic is None or q.topic == topic)
        and (law is None or law in q.laws)
        and (status is None or q.status == status)
        and (question_type is None or q.type == question_type)
    ]


def export_bank(bank: Bank, fmt: str, output: Path, **filters) -> int:
    questions = select(bank.questions, **filters)
    if fmt == "xlsx":
        from questionbank.formats.spreadsheet_writing import write_xlsx

        write_xlsx(questions, output)
    elif fmt == "moodle":
        from questionbank.formats.moodle import write_moodle_xml

        write_moodle_xml(questions, output)
    else:
        raise ValueError(f"不支持的导出格式：{fmt}")
    return len(questions)
