"""The exam on the site: each officer sits the one form assigned to him, under the service's clock.

The paper is the one ``academy exam build`` keeps in the data folder (``papers/<exam>.yaml``); what an officer gets of
it is the public paper the build writes as ``exam.json`` (``grading.build.public_paper``: no key, no 解析), only his
form, questions and options in his own order (``grading.answers``: from sha256(exam|officer), the order the file
mode shows). The first opening fixes the deadline on the server; every click comes here and is stored append-only
with the server's time, accepted or refused with its reason (``tracker.sittings``). Nothing of the officer's kernel
decides time: a click after the deadline is stored as refused and answered 409 「考试时间已到…」. The 考试管理员
may end sittings early (现在收卷, ``close``): from then on the officer's clicks are refused the same way, with the
reason that the administrator ended his sitting.
"""

from __future__ import annotations

import datetime as dt
import os
import re
from functools import lru_cache
from pathlib import Path
from typing import Any

from ground.settings import settings
from service.quizzes import REQUEST_ID, Refused, _officer
from tracker import db, sittings
from tracker.sittings import SittingRefused, aware

EXAM_ID = re.compile(r"^[a-z0-9][a-z0-9_-]*[a-z0-9]$")
MAX_TEXT = 3000  # characters of a written answer (案例分析 简答)
MAX_MINUTES = 24 * 60


def papers_dir() -> Path:
    """``<data folder>/papers`` (found once per data folder: ``settings.home`` checks and creates it, too slow to ask
    on every click)."""
    return _papers_dir(os.environ.get("ACADEMY_HOME"), os.environ.get("XDG_DATA_HOME"))


@lru_cache(maxsize=8)
def _papers_dir(_home: str | None, _xdg: str | None) -> Path:
    return settings.home / "papers"


def _paper_path(exam: str) -> Path:
    if not isinstance(exam, str) or not EXAM_ID.match(exam):
        raise Refused("考试编号无效", 404)
    path = papers_dir() / f"{exam}.yaml"
    if not path.exists():
        raise Refused(f"没有考试 {exam}（试卷尚未生成）", 404)
    return path


def paper(exam: str):
    """The paper of ``exam`` (read again when its file changes)."""
    path = _paper_path(exam)
    return _load(str(path), path.stat().st_mtime_ns)


@lru_cache(maxsize=16)
def _load(path: str, _mtime: int):
    from grading.paper import PaperError, load_paper

    try:
        return load_paper(path)
    except PaperError as exc:
        raise Refused(f"试卷文件无法读取，请联系考试管理员：{exc}", 500) from None


def forms(exam: str) -> dict[str, str]:
    """Form → nbgrader assignment, in the paper's order."""
    return {f.form: f.assignment for f in paper(exam).forms}


@lru_cache(maxsize=64)
def _public(path: str, mtime: int, form: str) -> dict[str, Any]:
    from curriculum.catalog import bank_questions
    from grading.build import public_paper

    return public_paper(_load(path, mtime), form, {q.id: q for q in bank_questions()})


def public_form(exam: str, form: str) -> dict[str, Any]:
    path = _paper_path(exam)
    return _public(str(path), path.stat().st_mtime_ns, form)


def form_items(exam: str, form: str) -> dict[str, dict]:
    path = _paper_path(exam)
    return _items(str(path), path.stat().st_mtime_ns, form)


@lru_cache(maxsize=64)
def _items(path: str, mtime: int, form: str) -> dict[str, dict]:
    """Every answerable item of a public form by key (``qid``, or ``qid/partid`` for a 案例分析 part)."""
    public = _public(path, mtime, form)
    out = {}
    for section in public["sections"]:
        for q in section["questions"]:
            if q["type"] == "case":
                for part in q.get("parts", []):
                    out[f"{q['id']}/{part['id']}"] = part
            else:
                out[q["id"]] = q
    return out


def officer_view(public: dict[str, Any], officer_no: str) -> list[dict[str, Any]]:
    """The sections of a form with questions and options in this officer's order (options as a list of
    [letter, text]; the letter is what a click sends, the page shows A, B, C … in this order)."""
    from grading.answers import option_order, shuffle_order

    exam = public["exam"]

    def ordered(key: str, item: dict) -> dict:
        out = {k: v for k, v in item.items() if k not in ("options", "parts")}
        if item.get("options"):
            letters = option_order(exam, officer_no, key, list(item["options"]))
            out["options"] = [[letter, item["options"][letter]] for letter in letters]
        return out

    sections = []
    for section in public["sections"]:
        by_id = {q["id"]: q for q in section["questions"]}
        order = shuffle_order(exam, officer_no, list(by_id), salt=f"section|{section['id']}")
        questions = []
        for qid in order:
            q = ordered(qid, by_id[qid])
            if by_id[qid]["type"] == "case":
                q["parts"] = [ordered(f"{qid}/{p['id']}", p) for p in by_id[qid].get("parts", [])]
            questions.append(q)
        sections.append({k: v for k, v in section.items() if k != "questions"} | {"questions": questions})
    return sections


def check_value(item: dict, value: Any) -> Any:
    """A click's value as stored, or ``Refused`` (400) when it does not fit the item: ``None`` clears the answer."""
    if value is None:
        return None
    kind, options = item["type"], item.get("options") or {}
    if kind == "single" and isinstance(value, str) and value in options:
        return value
    if kind == "multiple" and isinstance(value, list) and all(isinstance(v, str) and v in options for v in value):
        return sorted(set(value)) or None
    if kind == "judge" and isinstance(value, bool):
        return value
    if kind == "open" and isinstance(value, str):
        if len(value) > MAX_TEXT:
            raise Refused(f"答案过长（上限 {MAX_TEXT} 字）", 413)
        return value.strip() or None
    raise Refused("答案格式无效：与题型不符")


def _now(now: dt.datetime | None) -> dt.datetime:
    return now or dt.datetime.now(dt.timezone.utc)


def _state(s, now: dt.datetime) -> str:
    """Where a sitting (a model row or a ``SittingRecord``) stands."""
    if s.started_at is None:
        return "cancelled" if s.closed_at is not None else "not_started"
    if s.submitted_at is not None:
        return "submitted"
    if s.closed_at is not None:
        return "closed"
    return "time_up" if now >= aware(s.deadline) else "open"


def _remaining(deadline: dt.datetime | None, now: dt.datetime) -> float | None:
    return None if deadline is None else max(0.0, round((aware(deadline) - now).total_seconds(), 1))


def _refused(exc: SittingRefused) -> Refused:
    return Refused(str(exc), exc.status)


# --- the officer ----------------------------------------------------------------------------------------------


def my_exams(login: str, now: dt.datetime | None = None, url: str | None = None) -> list[dict[str, Any]]:
    """The officer's sittings: exam, title, his form and where it stands."""
    now = _now(now)
    officer_id, _ = _officer(login, url)
    with db.session(url) as s:
        mine = sittings.officer_sittings(s, officer_id)
        rows = [(x.exam_id, x.form, _state(x, now), x.duration_seconds) for x in mine]
    out = []
    for exam, form, state, seconds in rows:
        try:
            title = paper(exam).title
        except Refused:
            title = exam
        out.append({"exam": exam, "title": title, "form": form, "state": state, "duration_seconds": seconds})
    return out


def open_exam(login: str, exam: str, form: str | None = None, now: dt.datetime | None = None,
              url: str | None = None, start: bool = True) -> dict[str, Any]:
    """The officer's form of ``exam`` (no key), his answers so far and the server's clock. The first opening
    starts the clock (only with ``start``: the exam page's own request, not a link followed in a browser). Another
    form than his, or an exam he is not assigned to, is refused (403); a sitting the administrator closed before it
    was opened cannot start (409). A sitting closed while running opens as it stands (state ``closed``)."""
    now = _now(now)
    officer_id, officer_no = _officer(login, url)
    _paper_path(exam)
    try:
        with db.session(url) as s:
            mine = sittings.sitting(s, officer_id, exam)
            if form and form.strip().lower() not in (mine.form.lower(), mine.assignment):
                raise SittingRefused(f"您的考试安排是 {mine.form} 卷，不能打开其他试卷", 403)
            if mine.started_at is None and mine.closed_at is not None:
                raise SittingRefused(f"{sittings.CANCELLED}，无法开始。如有疑问，请联系考试管理员", 409)
            if mine.started_at is None and not start:
                raise SittingRefused("请在「资格考试」页面点击「开始考试」", 403)
            mine = sittings.open_sitting(s, officer_id, exam, now)
            answers = sittings.last_answers(s, officer_id, exam)
            record = {"form": mine.form, "assignment": mine.assignment, "started_at": aware(mine.started_at),
                      "deadline": aware(mine.deadline), "submitted_at": aware(mine.submitted_at),
                      "state": _state(mine, now)}
    except SittingRefused as exc:
        raise _refused(exc) from None
    _ASSIGNMENTS[(officer_id, exam, url)] = record["assignment"]
    public = public_form(exam, record["form"])
    head = {k: public[k] for k in ("exam", "assignment", "form", "title", "duration_minutes", "total", "pass_mark",
                                   "multiple_rule")}
    return head | {"officer": officer_no, "state": record["state"], "server_time": now,
                   "started_at": record["started_at"], "deadline": record["deadline"],
                   "submitted_at": record["submitted_at"], "remaining_seconds": _remaining(record["deadline"], now),
                   "answers": answers, "sections": officer_view(public, officer_no)}


_ASSIGNMENTS: dict[tuple[int, str, str | None], str] = {}  # a sitting's form never changes once assigned


def _assignment(officer_id: int, exam: str, url: str | None) -> str:
    hit = _ASSIGNMENTS.get((officer_id, exam, url))
    if hit is None:
        try:
            with db.session(url) as s:
                hit = sittings.sitting(s, officer_id, exam).assignment
        except SittingRefused as exc:
            raise _refused(exc) from None
        _ASSIGNMENTS[(officer_id, exam, url)] = hit
    return hit


def click(login: str, exam: str, question: str, value: Any, request_id: Any, now: dt.datetime | None = None,
          url: str | None = None) -> dict[str, Any]:
    """Store one click of the officer's exam page with the server's time. Accepted: the reply says so with the time
    left. Refused (time up, submitted, not opened): stored as refused, and ``Refused`` 409 with the reason."""
    if not isinstance(request_id, str) or not REQUEST_ID.match(request_id):
        raise Refused("请求编号无效")
    now = _now(now)
    officer_id, _ = _officer(login, url)
    assignment = _assignment(officer_id, exam, url)
    form = next(f for f, a in forms(exam).items() if a == assignment)
    item = form_items(exam, form).get(question if isinstance(question, str) else "")
    if item is None:
        raise Refused(f"您的试卷中没有题目 {question}", 404)
    value = check_value(item, value)
    try:
        with db.session(url) as s:
            outcome = sittings.click(s, officer_id, exam, question, value, request_id, now)
    except SittingRefused as exc:
        raise _refused(exc) from None
    remaining = _remaining(outcome.deadline, now)
    if not outcome.accepted:
        raise Refused(REFUSALS.get(outcome.reason, f"{outcome.reason}。"), 409)
    return {"accepted": True, "repeated": outcome.repeated, "question": question, "value": value,
            "server_time": now, "remaining_seconds": remaining}


REFUSALS = {sittings.TIME_UP: "考试时间已到，本次作答未被记录（以学堂服务的时间为准）。之前已记录的答案有效。",
            sittings.CLOSED: "考试管理员已收卷，您的考试已结束，本次作答未被记录。收卷前已记录的答案有效。"}


def submit(login: str, exam: str, now: dt.datetime | None = None, url: str | None = None) -> dict[str, Any]:
    """交卷: the sitting ends now (or at its deadline, if that came first); later clicks are refused."""
    now = _now(now)
    officer_id, _ = _officer(login, url)
    try:
        with db.session(url) as s:
            mine = sittings.submit(s, officer_id, exam, now)
            submitted = aware(mine.submitted_at)
            answered = len(sittings.last_answers(s, officer_id, exam))
    except SittingRefused as exc:
        raise _refused(exc) from None
    return {"state": "submitted", "submitted_at": submitted, "answered": answered}


def warm_up() -> None:
    """Read every paper in the data folder and make its forms' public papers before the first officer opens one."""
    for known in exams():
        for form in known["forms"]:
            form_items(known["exam"], form)


# --- the 考试管理员 ------------------------------------------------------------------------------------------------


def exams() -> list[dict[str, Any]]:
    """The papers in the data folder: exam, title, forms."""
    out = []
    for path in sorted(papers_dir().glob("*.yaml")) if papers_dir().is_dir() else []:
        try:
            p = paper(path.stem)
        except Refused:
            continue
        out.append({"exam": p.exam, "title": p.title, "forms": [f.form for f in p.forms],
                    "duration_minutes": p.duration_minutes})
    return out


def assign(exam: str, officers: list[str], assigned_by: str, form: str | None = None, unit: str | None = None,
           minutes: float | None = None, url: str | None = None) -> sittings.Assignment:
    """Assign officers (a list of 人员编号, or everyone in service in ``unit``) to sittings of ``exam``: in ``form``,
    or balanced over the paper's forms. Duration: ``minutes``, else the paper's."""
    p = paper(exam)
    if minutes is not None and (isinstance(minutes, bool) or not isinstance(minutes, (int, float))
                                or not 0 < minutes <= MAX_MINUTES):
        raise Refused(f"考试时长无效：{minutes}（1 至 {MAX_MINUTES} 分钟）")
    seconds = round((minutes if minutes is not None else p.duration_minutes) * 60)
    try:
        with db.session(url) as s:
            numbers = list(officers or [])
            if unit:
                numbers += sittings.officers_of_unit(s, unit)
                if not numbers:
                    raise SittingRefused(f"单位 {unit} 没有在职人员", 400)
            return sittings.assign(s, exam, forms(exam), numbers, seconds, assigned_by, form=form)
    except SittingRefused as exc:
        raise _refused(exc) from None


def overview(exam: str, now: dt.datetime | None = None, url: str | None = None) -> list[dict[str, Any]]:
    """Every sitting of ``exam``: who, which form, where it stands, how many answers, refused clicks."""
    now = _now(now)
    paper(exam)
    with db.session(url) as s:
        records = sittings.exam_record(s, exam)
    return [{"officer": r.officer_no, "name": r.name, "form": r.form, "state": _state(r, now),
             "started_at": r.started_at, "deadline": r.deadline, "submitted_at": r.submitted_at,
             "closed_at": r.closed_at, "closed_by": r.closed_by, "close_reason": r.close_reason,
             "answered": len(r.answers), "refused": sum(r.refused.values())} for r in records]


def close(exam: str, officers: list[str] | None, closed_by: str, reason: str | None = None,
          now: dt.datetime | None = None, url: str | None = None) -> sittings.Closing:
    """现在收卷: end every running sitting of ``exam`` (``officers`` None) or the named officers' now, at the
    service's time, with who and why; sittings not yet opened can no longer start (``tracker.sittings.close``)."""
    paper(exam)
    if reason is not None and not isinstance(reason, str):
        raise Refused("收卷原因应为文字")
    if reason and len(reason) > 500:
        raise Refused("收卷原因过长（上限 500 字）")
    try:
        with db.session(url) as s:
            return sittings.close(s, exam, officers, closed_by, reason, _now(now))
    except SittingRefused as exc:
        raise _refused(exc) from None


STATES = {"not_started": "未打开", "open": "作答中", "time_up": "时间已到（未交卷）", "submitted": "已交卷",
          "closed": "已收卷（管理员）", "cancelled": "已取消（管理员收卷时未开考）"}

