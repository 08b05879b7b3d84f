"""What grading found about each submission besides its points: a refusal (with its reason) or 需核查 flags.

nbgrader's gradebook has no place for "this submission was refused, because …", so grading keeps it beside the
gradebook, one JSON file per assignment: ``<course>/findings/<assignment>.json``::

    {"refused": {"A0007": "答案文件 answers.json 是一个文件夹，不是普通文件，拒绝评分"},
     "flags": {"A0009": ["截止时间后仍有作答记录（…）"]}}

Each grading run replaces the entries of the officers it graded (a later successful re-grade clears a refusal and
old flags) and leaves the others alone. Feedback, results, register and item statistics read it.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Iterable

from ground.files import write_text_atomic


@dataclass
class Findings:
    refused: dict[str, str] = field(default_factory=dict)  # officer -> Chinese reason
    flags: dict[str, list[str]] = field(default_factory=dict)  # officer -> Chinese reasons (需核查)


def findings_path(course_root: str | Path, assignment: str) -> Path:
    return Path(course_root) / "findings" / f"{assignment}.json"


def load_findings(course_root: str | Path, assignment: str) -> Findings:
    path = findings_path(course_root, assignment)
    try:
        raw = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        return Findings()
    refused = {str(k): str(v) for k, v in (raw.get("refused") or {}).items()}
    flags = {str(k): [str(x) for x in v] for k, v in (raw.get("flags") or {}).items() if v}
    return Findings(refused, flags)


def update_findings(course_root: str | Path, assignment: str, graded: Iterable[str], refused: dict[str, str],
                    flags: dict[str, list[str]]) -> Findings:
    """Replace the findings of the officers in ``graded`` (every officer graded in this run, refused or not)."""
    current = load_findings(course_root, assignment)
    for officer in graded:
        current.refused.pop(officer, None)
        current.flags.pop(officer, None)
    current.refused.update(refused)
    current.flags.update({k: list(v) for k, v in flags.items() if v})
    text = json.dumps({"refused": dict(sorted(current.refused.items())), "flags": dict(sorted(current.flags.items()))},
                      ensure_ascii=False, indent=1)
    write_text_atomic(findings_path(course_root, assignment), _printable(text) + "\n")
    return current


def _printable(text: str) -> str:
    """Text that encodes as UTF-8 (a folder name may hold undecodable bytes as lone surrogates)."""
    return text.encode("utf-8", "backslashreplace").decode("utf-8")
