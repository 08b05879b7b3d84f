"""``academy exam collect EXAM`` on the site: the service's record of each sitting becomes nbgrader's submission.

For every officer whose sitting was opened and has ended (submitted, its deadline passed, or the 考试管理员 closed it
early: 现在收卷), collect writes
``submitted/<人员编号>/<assignment>/`` as ``nbgrader collect`` would leave it, from the 学堂服务's record only (nothing
of the officer's own files):

- the released notebook and ``exam.json`` of his form (copied from ``release/<assignment>/``), the written
  案例分析 answers put into their answer cells ``case-<qid>-<partid>`` (graded by hand in formgrader);
- ``answers.json`` built from the last ACCEPTED click of each objective question (clicks taken at or before the end);
- ``timestamp.txt``: the submit time, the 收卷 time when the administrator ended it early, or the deadline when the
  officer did not submit.

Grading then runs as usual (``grading.fast_grade.grade_exam``). The report lists for the administrator: who never
opened the exam (no submission is written: absent) and whose sitting was cancelled before it was opened, clicks
refused as late (who, how many), sittings ended early by the administrator (by whom, when, why), sittings not
submitted, and sittings still running (not collected yet; collect again after their deadline).
"""

from __future__ import annotations

import datetime as dt
import json
import shutil
from dataclasses import dataclass, field
from pathlib import Path

from grading.answers import ANSWERS_FILE, exam_seed, iso
from grading.build import ANSWER_STUB, NOTEBOOK
from ground.files import write_text_atomic
from tracker import db
from tracker.sittings import TIME_UP, closed_note, exam_record


@dataclass
class CollectReport:
    exam: str
    collected: dict[str, str] = field(default_factory=dict)  # officer -> assignment
    never_opened: list[str] = field(default_factory=list)
    cancelled: list[str] = field(default_factory=list)  # closed by the administrator before they were opened
    closed_early: dict[str, str] = field(default_factory=dict)  # officer -> by whom, when, why (现在收卷)
    late_clicks: dict[str, int] = field(default_factory=dict)  # officer -> clicks refused after the deadline
    other_refusals: dict[str, int] = field(default_factory=dict)  # officer -> clicks refused for another reason
    not_submitted: list[str] = field(default_factory=list)  # the deadline ended the sitting
    still_open: list[str] = field(default_factory=list)

    def assignments(self) -> list[str]:
        return sorted(set(self.collected.values()))

    def text(self) -> str:
        lines = [f"{self.exam}：收取 {len(self.collected)} 份（来自学堂服务的作答记录）。"]
        if self.never_opened:
            lines.append(f"未打开考试（缺考，无提交）{len(self.never_opened)} 人：{'、'.join(self.never_opened)}")
        if self.cancelled:
            lines.append(f"未开考即被考试管理员收卷（缺考/已取消，无提交）{len(self.cancelled)} 人：{'、'.join(self.cancelled)}")
        if self.closed_early:
            lines.append(f"考试管理员提前收卷（以收卷时间收取）{len(self.closed_early)} 人："
                         + "；".join(f"{o}（{note}）" for o, note in sorted(self.closed_early.items())))
        if self.late_clicks:
            lines.append(f"考试时间到后仍有作答、已被拒绝 {len(self.late_clicks)} 人："
                         + "、".join(f"{o}（{n} 次）" for o, n in sorted(self.late_clicks.items())))
        if self.other_refusals:
            lines.append("其他被拒绝的作答（未打开、已交卷或已收卷后）："
                         + "、".join(f"{o}（{n} 次）" for o, n in sorted(self.other_refusals.items())))
        if self.not_submitted:
            lines.append(f"未交卷（以截止时间收卷）{len(self.not_submitted)} 人：{'、'.join(self.not_submitted)}")
        if self.still_open:
            lines.append(f"仍在作答、本次未收取 {len(self.still_open)} 人：{'、'.join(self.still_open)}（截止后请再收取一次）")
        return "\n".join(lines)


def nbgrader_timestamp(moment: dt.datetime) -> str:
    """The form of nbgrader's ``timestamp.txt`` (``2026-11-23 09:00:00.000000 UTC``)."""
    return moment.astimezone(dt.timezone.utc).strftime("%Y-%m-%d %H:%M:%S.%f UTC")


def _written_answers(folder: Path, texts: dict[str, str]) -> None:
    """Put written answers into the notebook's answer cells ``case-<qid>-<partid>``."""
    if not texts:
        return
    path = folder / NOTEBOOK
    nb = json.loads(path.read_text(encoding="utf-8"))
    by_cell = {"case-" + key.replace("/", "-"): text for key, text in texts.items()}  # as grading.build names them
    for cell in nb["cells"]:
        grade_id = cell.get("metadata", {}).get("nbgrader", {}).get("grade_id", "")
        if grade_id in by_cell:
            cell["source"] = f"{ANSWER_STUB}\n\n{by_cell[grade_id]}"
    write_text_atomic(path, json.dumps(nb, ensure_ascii=False, indent=1) + "\n")


def collect_sittings(course_root: str | Path, exam: str, url: str | None = None,
                     now: dt.datetime | None = None) -> CollectReport:
    """Write every ended sitting of ``exam`` into ``<course_root>/submitted/`` (see the module docstring)."""
    course_root = Path(course_root)
    now = now or dt.datetime.now(dt.timezone.utc)
    report = CollectReport(exam)
    with db.session(url) as s:
        records = exam_record(s, exam)
    for r in records:
        for reason, n in r.refused.items():
            target = report.late_clicks if reason == TIME_UP else report.other_refusals
            target[r.officer_no] = target.get(r.officer_no, 0) + n
        if r.started_at is None:
            (report.cancelled if r.closed_at is not None else report.never_opened).append(r.officer_no)
            continue
        closed = r.closed_at if r.submitted_at is None else None
        if r.submitted_at is None and closed is None and now < r.deadline:
            report.still_open.append(r.officer_no)
            continue
        if closed is not None:
            report.closed_early[r.officer_no] = closed_note(r.closed_at, r.closed_by, r.close_reason)
        elif r.submitted_at is None:
            report.not_submitted.append(r.officer_no)
        release = course_root / "release" / r.assignment
        if not (release / NOTEBOOK).is_file():
            raise FileNotFoundError(f"找不到 {r.assignment} 的发布试卷 {release / NOTEBOOK}（先运行 academy exam build）")
        folder = course_root / "submitted" / r.officer_no / r.assignment
        if folder.exists():
            shutil.rmtree(folder)
        shutil.copytree(release, folder)
        texts = {k: v for k, v in r.answers.items() if isinstance(v, str) and "/" in k and _is_written(folder, k)}
        _written_answers(folder, texts)
        ended = r.submitted_at or closed or r.deadline
        data = {"exam": exam, "assignment": r.assignment, "officer": r.officer_no, "seed": exam_seed(exam, r.officer_no),
                "started_at": iso(r.started_at), "deadline": iso(r.deadline), "updated_at": iso(ended),
                "duration_minutes": (r.deadline - r.started_at).total_seconds() / 60,  # the sitting's own (--minutes)
                "source": "学堂服务", "answers": {k: v for k, v in r.answers.items() if k not in texts}}
        write_text_atomic(folder / ANSWERS_FILE, json.dumps(data, ensure_ascii=False, indent=1) + "\n")
        write_text_atomic(folder / "timestamp.txt", nbgrader_timestamp(ended))
        report.collected[r.officer_no] = r.assignment
    return report


def _is_written(folder: Path, key: str) -> bool:
    """Whether ``qid/partid`` is an open (written) part in the form's public paper."""
    paper = json.loads((folder / "exam.json").read_text(encoding="utf-8"))
    qid, pid = key.split("/", 1)
    for section in paper["sections"]:
        for q in section["questions"]:
            if q["id"] == qid:
                return any(p["id"] == pid and p["type"] == "open" for p in q.get("parts", []))
    return False
