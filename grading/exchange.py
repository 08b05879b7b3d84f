"""nbgrader's exchange on one machine: each officer's form on his own desk, submitted under his 人员编号.

On the site every officer runs as his own unix user, and nbgrader names a submission after that user. On one machine
(``make run``, an exam room's computer, officers sitting one after another on one account) every officer is the same OS
user: ``nbgrader submit`` would file all of them under that one name, and ``nbgrader collect`` keeps only the latest
of a name — 18 of 20 submissions lost. Here:

- **the student id is the officer of the folder's** ``answers.json``: fixed when the proctor hands the officer his form
  (``sit``) or at his first opening, and the same id grading checks the answers file against. ``submit`` passes it to
  nbgrader's own ``ExchangeSubmit`` as ``CourseDirectory.student_id`` (what ``nbgrader submit --student`` does);
- **every officer has his own desk**, so one officer's folder, cache and feedback are never another's::

      <desks>/<officer>/<assignment>/                          his form as nbgrader fetches it (exam.ipynb, exam.json,
                                                               answers.json)
      <desks>/<officer>/<assignment>/feedback/<time>/exam.html his feedback (nbgrader's fetch_feedback)
      <desks>/<officer>/.nbgrader_cache/                       nbgrader's submit cache for him alone: it holds his
                                                               submission secret, so fetch_feedback finds his only

- **one form per officer**: an officer keeps the form he was first handed (a second ``sit`` gives the same folder,
  another form is refused); the first time, the form is chosen from sha256(exam|officer) over the released forms —
  the same officer gets the same form on any machine, and many officers split about evenly. The administrator may
  name the form instead. A second form that still reaches the exchange (copied by hand) is collected under the same
  人员编号 and shows in grading as two submissions of one officer, never hidden.

Everything else is nbgrader's own (fetch, submit, release_feedback, fetch_feedback from ``nbgrader.exchange``),
configured as nbgrader's tools are: ``nbgrader_config.py`` in Jupyter's configuration path (e.g.
``/etc/jupyter/nbgrader_config.py`` with ``c.Exchange.root``; nbgrader's default exchange is
``/usr/local/share/nbgrader/exchange``), which the administrator's commands and the officer's kernel both read. The
``config`` argument of each function (a traitlets Config, e.g. a temporary ``Exchange.root`` in tests) goes on top.
"""

from __future__ import annotations

import hashlib
import json
import re
from pathlib import Path
from typing import Any

from grading.answers import ANSWERS_FILE, AnswerFile
from grading.build import COURSE_ID, EXAM_FILE, course_config

CACHE = ".nbgrader_cache"
OFFICER_ID = re.compile(r"[A-Za-z0-9][A-Za-z0-9_.-]{0,63}")  # a path component and an nbgrader student id (no + or *)


class ExchangeProblem(RuntimeError):
    """What went wrong at fetch or submit, in Chinese for the officer or the proctor."""


def nbgrader_config(overrides: Any = None):
    """nbgrader's configuration as its own tools read it (``nbgrader_config.py`` in Jupyter's configuration path and
    the current folder), the course id defaulting to the exam course's; ``overrides`` (a traitlets Config) last."""
    from nbgrader.apps import NbGrader
    from traitlets.config import Config

    app = NbGrader()
    app.load_config_file()
    config = Config()
    config.merge(app.config)
    if not config.CourseDirectory.get("course_id"):
        config.CourseDirectory.course_id = COURSE_ID
    if overrides is not None:
        config.merge(overrides)
    return config


def _exchange(kind: str, config, *, assignment: str = "", student: str = "", desk: Path | None = None):
    """An nbgrader exchange object (``FetchAssignment``, ``Submit``, ``FetchFeedback`` …) for one desk."""
    from nbgrader.auth import Authenticator
    from nbgrader.coursedir import CourseDirectory
    from nbgrader.exchange import ExchangeFactory
    from traitlets.config import Config

    config = Config(config)
    if desk is not None:
        config.Exchange.assignment_dir = str(desk)
        config.Exchange.cache = str(desk / CACHE)
    coursedir = CourseDirectory(config=config)
    coursedir.assignment_id = assignment
    if student:
        coursedir.student_id = student
    return getattr(ExchangeFactory(config=config), kind)(coursedir=coursedir, authenticator=Authenticator(config=config),
                                                        config=config)


def _run(exchange, what: str) -> None:
    from nbgrader.exchange import ExchangeError

    try:
        exchange.start()
    except ExchangeError as exc:
        raise ExchangeProblem(f"{what}失败：{exc}") from exc


def check_officer(officer: str) -> str:
    officer = (officer or "").strip()
    if not OFFICER_ID.fullmatch(officer):
        raise ExchangeProblem(f"人员编号 {officer!r} 无效：只能由字母、数字和 _ . - 组成，最长 64 个字符")
    return officer


# --- the forms of an exam ----------------------------------------------------------------------------------


def released_forms(exam: str, config=None) -> list[str]:
    """The assignments of ``exam`` released to the exchange (their exam.json names the exam), sorted."""
    config = nbgrader_config(config)
    lister = _exchange("List", config)
    outbound = Path(lister.root) / lister.coursedir.course_id / "outbound"
    found = []
    for folder in sorted(outbound.glob("*")) if outbound.is_dir() else []:
        try:
            public = json.loads((folder / EXAM_FILE).read_text(encoding="utf-8"))
        except (OSError, ValueError):
            continue
        if isinstance(public, dict) and public.get("exam") == exam and public.get("assignment") == folder.name:
            found.append(folder.name)
    return found


def choose_form(exam: str, officer: str, assignments: list[str]) -> str:
    """The form an officer sits when nobody chose one: stable from sha256(exam|officer), about even over many."""
    if not assignments:
        raise ExchangeProblem(f"考试 {exam} 还没有发布任何试卷（先由考试管理员 nbgrader release_assignment）")
    digest = hashlib.sha256(f"{exam}|{officer}".encode("utf-8")).digest()
    return sorted(assignments)[int.from_bytes(digest[:8], "big") % len(assignments)]


def desk_forms(desk: Path, assignments: list[str]) -> list[str]:
    """The forms of the exam already on an officer's desk."""
    return [a for a in assignments if (desk / a).is_dir()]


# --- the officer's side ------------------------------------------------------------------------------------


def sit(exam: str, officer: str, desks: str | Path, form: str | None = None, config=None) -> Path:
    """Hand ``officer`` his form of ``exam``: fetched from the exchange to ``<desks>/<officer>/<assignment>/`` with an
    answers file naming him (the clock starts only when he opens it). A second call gives the same folder; another
    form for the same officer is refused. ``form`` is a letter (``A``) or an assignment name."""
    officer = check_officer(officer)
    config = nbgrader_config(config)
    assignments = released_forms(exam, config)
    if not assignments:
        raise ExchangeProblem(f"考试 {exam} 还没有发布任何试卷（先由考试管理员 nbgrader release_assignment）")
    desk = Path(desks) / officer
    held = desk_forms(desk, assignments)
    wanted = None
    if form:
        name = form.strip().lower()
        wanted = next((a for a in assignments if name in (a, a.rsplit("-", 1)[-1])), None)
        if wanted is None:
            raise ExchangeProblem(f"考试 {exam} 没有发布 {form} 卷（已发布：{'、'.join(assignments)}）")
    if held:
        if wanted not in (None, held[0]) or len(held) > 1:
            raise ExchangeProblem(f"{officer} 已领取试卷 {'、'.join(held)}，每人只能参加一套试卷")
        return desk / held[0]
    assignment = wanted or choose_form(exam, officer, assignments)
    desk.mkdir(parents=True, exist_ok=True)
    _run(_exchange("FetchAssignment", config, assignment=assignment, desk=desk), "领取试卷")
    folder = desk / assignment
    AnswerFile(folder).save({"exam": exam, "assignment": assignment, "officer": officer, "answers": {}})
    return folder


def folder_officer(folder: Path) -> tuple[str, str]:
    """(officer, assignment) of an exam folder, from its answers file; refused when the file names no one."""
    answers = AnswerFile(folder)
    data = answers.load()
    if answers.problem:
        raise ExchangeProblem(answers.problem)
    officer, assignment = data.get("officer"), data.get("assignment")
    if not isinstance(officer, str) or not officer.strip():
        raise ExchangeProblem(f"试卷尚未确认考生（{ANSWERS_FILE} 中没有人员编号），无法提交")
    if assignment != folder.name:
        raise ExchangeProblem(f"试卷文件夹应名为 {assignment}（现为 {folder.name}），请勿改名后提交")
    return check_officer(officer), assignment


def submit(folder: str | Path, config=None) -> str:
    """Submit the exam folder through nbgrader's exchange under the 人员编号 of its answers file; returns the id.

    The desk (cache) is the folder's parent: the officer's desk made by ``sit``."""
    folder = Path(folder).resolve()
    officer, assignment = folder_officer(folder)
    config = nbgrader_config(config)
    _run(_exchange("Submit", config, assignment=assignment, student=officer, desk=folder.parent), "提交试卷")
    return officer


def fetch_feedback(exam: str, officer: str, desks: str | Path, config=None) -> list[Path]:
    """Copy the released feedback of ``officer``'s submissions of ``exam`` to his form folder (nbgrader's
    fetch_feedback over his own cache); returns the feedback files now there."""
    officer = check_officer(officer)
    config = nbgrader_config(config)
    desk = Path(desks) / officer
    found: list[Path] = []
    for assignment in desk_forms(desk, released_forms(exam, config)):
        _run(_exchange("FetchFeedback", config, assignment=assignment, student=officer, desk=desk), "领取成绩反馈")
        found += sorted((desk / assignment / "feedback").glob("*/*.html"))
    return found


# --- the administrator's side ------------------------------------------------------------------------------


def release_feedback(course_root: str | Path, assignment: str, config=None) -> int:
    """nbgrader's release_feedback for every officer's feedback of ``assignment``; returns how many were released.

    nbgrader files feedback in the exchange under a hash of the submission's secret (``submission_secret.txt``, put
    in by nbgrader's submit); ``grading.feedback.write_feedback`` puts it beside the feedback, as nbgrader's own
    generate_feedback does. Feedback without one (a submission that did not come through the exchange) is left out
    here: nbgrader's release_feedback would stop at it."""
    from nbgrader.coursedir import CourseDirectory

    course = nbgrader_config()  # as nbgrader release_feedback run in the course folder: Jupyter's path, then the course's
    course.merge(course_config(course_root))
    if config is not None:
        course.merge(config)
    coursedir = CourseDirectory(config=course)
    feedback_root = Path(coursedir.format_path(coursedir.feedback_directory, ".", ".")).resolve()
    released, skipped = 0, set()
    for page in sorted(feedback_root.glob(f"*/{assignment}/*.html")):
        if (page.parent / "submission_secret.txt").is_file() and (page.parent / "timestamp.txt").is_file():
            released += 1
        else:
            skipped.add(page.parent.parent.name)
    if skipped:
        course.CourseDirectory.student_id_exclude = ",".join(sorted(skipped))
    _run(_exchange("ReleaseFeedback", course, assignment=assignment), "发布成绩反馈")
    return released
