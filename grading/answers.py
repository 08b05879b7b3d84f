"""The answers file of one exam notebook, and the per-officer order of questions and options.

``answers.json`` sits in the assignment folder beside ``exam.ipynb`` so that it is submitted with the notebook.
The exam widgets write it from the kernel on every click (temp file in the same folder, then ``os.replace``,
so a reader never sees half a file); grading reads it. Answers are stored by question id (``qid`` or
``qid/partid`` for a 案例分析 part) and by the bank's option letters, never by the position shown::

    {"exam": "cert-2026-q4", "assignment": "cert-2026-q4-a", "officer": "A0001",
     "seed": "<hex of sha256(exam|officer)>", "started_at": "…", "deadline": "…", "updated_at": "…",
     "answers": {"cf-hearing-001": "B", "cf-general-003": ["A", "C"], "fy-review-010": false,
                 "cf-hearing-990/p1": "A"}}

Order: ``shuffle_order`` and ``option_order`` sort items by ``sha256(seed|salt|item)``, which depends only on
(exam, officer), the salt (section id, question id) and the item itself: the same officer always sees the same
order, on any machine and Python version.
"""

from __future__ import annotations

import hashlib
import json
import shutil
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import Any, Iterable

from ground.files import write_text_atomic

ANSWERS_FILE = "answers.json"
MAX_ANSWERS_BYTES = 5_000_000  # an answers file larger than this is not read (kept as .corrupt)
FIELDS = ("exam", "assignment", "officer", "seed", "started_at", "deadline", "updated_at", "answers")


def exam_seed(exam: str, officer: str) -> str:
    """The hex sha256 of ``exam|officer``: the seed of one officer's order."""
    return hashlib.sha256(f"{exam}|{officer}".encode("utf-8")).hexdigest()


def shuffle_order(exam: str, officer: str, items: Iterable[str], salt: str = "") -> list[str]:
    """``items`` in the officer's order (deterministic from sha256(exam|officer) and the salt).

    The salt (e.g. the section id) makes two lists of the same length shuffle differently.
    """
    seed = exam_seed(exam, officer)
    items = list(items)
    if len(set(items)) != len(items):
        raise ValueError("打乱顺序的条目中有重复")
    return sorted(items, key=lambda item: hashlib.sha256(f"{seed}|{salt}|{item}".encode("utf-8")).digest())


def option_order(exam: str, officer: str, qid: str, letters: Iterable[str]) -> list[str]:
    """The bank's option letters of question (or part) ``qid`` in the order shown to the officer."""
    return shuffle_order(exam, officer, letters, salt=f"options|{qid}")


def now_utc() -> datetime:
    return datetime.now(timezone.utc)


def iso(moment: datetime) -> str:
    return moment.astimezone(timezone.utc).isoformat(timespec="seconds")


def parse_time(text: Any) -> datetime | None:
    """An ISO time of the answers file (timezone-aware), or None when missing or unreadable."""
    if not isinstance(text, str):
        return None
    try:
        moment = datetime.fromisoformat(text)
    except ValueError:
        return None
    return moment if moment.tzinfo else moment.replace(tzinfo=timezone.utc)


def normalise(response: Any) -> Any:
    """A response as stored: ``"B"``, a sorted list of letters, ``True``/``False``; None when unanswered."""
    if response is None or isinstance(response, bool):
        return response
    if isinstance(response, str):
        return response.strip() or None
    if isinstance(response, (list, tuple, set, frozenset)):
        letters = sorted({str(r).strip() for r in response if str(r).strip()})
        return letters or None
    raise TypeError(f"无法保存的答案类型：{type(response).__name__}")


class AnswerFile:
    """``answers.json`` in ``folder``: ``load()``, ``save(data)``, ``start(...)``, ``record(key, response)``."""

    def __init__(self, folder: str | Path, name: str = ANSWERS_FILE):
        self.folder = Path(folder)
        self.path = self.folder / name
        self.data: dict[str, Any] | None = None  # the content last loaded or saved
        self.problem = ""  # Chinese, set when a corrupt file was put aside

    def load(self) -> dict[str, Any]:
        """The file's content; ``{}`` when there is none. A file that cannot be read is kept as
        ``answers.json.corrupt`` (``.corrupt-2`` … when that exists) and an empty answer sheet is started."""
        try:
            size = self.path.stat().st_size
        except FileNotFoundError:
            self.data = {}
            return self.data
        try:
            if size > MAX_ANSWERS_BYTES:
                raise ValueError(f"文件过大（{size} 字节）")
            data = json.loads(self.path.read_text(encoding="utf-8"))
            if not isinstance(data, dict) or not isinstance(data.get("answers", {}), dict):
                raise ValueError("内容不是答题记录")
        except (ValueError, UnicodeDecodeError) as exc:
            kept = self._keep_corrupt()
            self.problem = f"答案文件 {self.path.name} 已损坏（{exc}），原文件已保存为 {kept.name}，已重新开始记录。"
            self.data = {}
            return self.data
        data.setdefault("answers", {})
        self.data = data
        return data

    def _keep_corrupt(self) -> Path:
        target = self.path.with_name(self.path.name + ".corrupt")
        n = 1
        while target.exists():
            n += 1
            target = self.path.with_name(f"{self.path.name}.corrupt-{n}")
        shutil.copyfile(self.path, target)
        return target

    def save(self, data: dict[str, Any]) -> None:
        """Write ``data`` atomically: a temp file in the same folder, flushed to disk, then ``os.replace``."""
        write_text_atomic(self.path, json.dumps(data, ensure_ascii=False, indent=1, sort_keys=False), sync=True)
        self.data = data

    def start(self, exam: str, assignment: str, officer: str, duration_minutes: float,
              now: datetime | None = None) -> dict[str, Any]:
        """Load the file, or begin it for ``officer``: ``started_at`` and ``deadline`` are fixed the first time
        only (a reopened notebook keeps the first opening's deadline). Returns the data (saved)."""
        data = self.data if self.data is not None else self.load()
        if data.get("officer") not in (None, officer):
            raise PermissionError(f"本文件夹的答案文件属于考生 {data.get('officer')}，不是 {officer}")
        if data.get("exam") not in (None, exam):
            raise PermissionError(f"本文件夹的答案文件属于考试 {data.get('exam')}，不是 {exam}")
        moment = now or now_utc()
        started = parse_time(data.get("started_at"))
        deadline = parse_time(data.get("deadline"))
        if started is None or deadline is None:
            started = moment
            deadline = moment + timedelta(minutes=float(duration_minutes))
        out = {
            "exam": exam,
            "assignment": assignment,
            "officer": officer,
            "seed": exam_seed(exam, officer),
            "started_at": iso(started),
            "deadline": iso(deadline),
            "updated_at": data.get("updated_at") or iso(moment),
            "answers": dict(data.get("answers") or {}),
        }
        self.save(out)
        return out

    def record(self, question_key: str, response: Any, now: datetime | None = None) -> dict[str, Any]:
        """Store one answer (``None`` or an empty list removes it) and write the file at once."""
        data = dict(self.data if self.data is not None else self.load())
        answers = dict(data.get("answers") or {})
        value = normalise(response)
        if value is None:
            answers.pop(question_key, None)
        else:
            answers[question_key] = value
        data["answers"] = answers
        data["updated_at"] = iso(now or now_utc())
        self.save(data)
        return data

    def answers(self) -> dict[str, Any]:
        data = self.data if self.data is not None else self.load()
        return dict(data.get("answers") or {})
