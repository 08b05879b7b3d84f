"""Submissions built to crash, hang or fool grading, in one real batch with honest ones (issue 9).

One batch is graded through ``academy exam grade`` as an administrator would: the honest officers are graded, every bad
submission is refused with its reason (the batch goes on, the command exits non-zero and prints the summary), the
refusal reads as a refusal in the officer's feedback, in results and in register, and analysis leaves it out.
Answers files with doctored times are graded and flagged 需核查.
"""

from __future__ import annotations

import contextlib
import csv
import io
import json
import os
import random
import shutil
import signal
import socket
import stat
import time
from pathlib import Path

import pytest

from academy.cli import main
from grading.autograde import load_exam_key
from tests.grading.helpers import ASSIGNMENT, EXAM, gradebook_state, responses, submit

GOOD = ["G0001", "G0002", "G0003"]
SURROGATE = "G0003"  # honest, with a "\ud800" among the answers (JSON escape, valid JSON)


def _replace(folder: Path, name: str, make) -> None:
    path = folder / name
    if path.exists() or path.is_symlink():
        path.unlink()
    make(path)


def _socket(path: Path) -> None:
    sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    sock.bind(str(path))
    sock.close()


def _sparse(path: Path) -> None:
    with open(path, "wb") as handle:
        handle.truncate(10 * 1024 ** 3)  # 10 GB that are not there: refused on its size, never read


# officer -> (what is done to the submission folder, the reason expected in the refusal)
ATTACKS = {
    "R0001": (lambda f, c: _replace(f, "answers.json", lambda p: p.mkdir()), "answers.json 是一个文件夹"),
    "R0002": (lambda f, c: _replace(f, "answers.json", lambda p: p.symlink_to("/dev/zero")), "符号链接"),
    "R0003": (lambda f, c: _replace(f, "answers.json", os.mkfifo), "命名管道"),
    "R0004": (lambda f, c: _replace(f, "answers.json", lambda p: p.symlink_to("answers.json")), "符号链接"),
    "R0005": (lambda f, c: _replace(f, "exam.ipynb", lambda p: p.mkdir()), "exam.ipynb 是一个文件夹"),
    "R0006": (lambda f, c: _replace(f, "timestamp.txt", lambda p: p.mkdir()), "timestamp.txt 是一个文件夹"),
    "R0007": (lambda f, c: _replace(f, "answers.json", lambda p: p.symlink_to(
        c / "submitted" / "G0001" / ASSIGNMENT / "answers.json")), "符号链接"),
    "R0008": (lambda f, c: _replace(f, "answers.json", lambda p: os.mknod(p, stat.S_IFCHR | 0o600, os.makedev(1, 5))),
              "设备"),
    "R0009": (lambda f, c: _replace(f, "answers.json", _socket), "套接字"),
    "R0010": (lambda f, c: _replace(f, "exam.ipynb", lambda p: p.symlink_to(
        c / "submitted" / "G0001" / ASSIGNMENT / "exam.ipynb")), "符号链接"),
    "R0011": (lambda f, c: _replace(f, "answers.json", _sparse), "过大"),
    "R0012": (lambda f, c: (shutil.rmtree(f), f.symlink_to(c / "submitted" / "G0002" / ASSIGNMENT)), "符号链接"),
    "R0013": (lambda f, c: _replace(f, "timestamp.txt", lambda p: p.symlink_to("/dev/zero")), "符号链接"),
    "R0014": (lambda f, c: _answers(f, lambda d: d["answers"].update(boom=True)), "评分时出错：ZeroDivisionError"),
    # a lone surrogate typed into the 案例分析 answer (valid JSON, not storable text)
    "R0015": (lambda f, c: _notebook(f, lambda cell: _nbgrader(cell).get("solution"), "违法\\ud800"),
              "不成对的 Unicode 代理码位"),
    # the same in a locked cell (put back from the source only after its text is read)
    "R0016": (lambda f, c: _notebook(f, lambda cell: _nbgrader(cell).get("locked"), "\\ud800"),
              "不成对的 Unicode 代理码位"),
    # a submission that takes longer than the time limit (scoring made slow below) is refused, the batch goes on
    "R0017": (lambda f, c: _answers(f, lambda d: d["answers"].update(slow=True)), "评分超时"),
}
# officer -> (what is done to answers.json, the 需核查 reason expected); graded all the same
FLAGGED = {
    "F0001": (lambda d: d.pop("deadline"), "缺少截止时间"),
    "F0002": (lambda d: d.update(updated_at="2026-11-23T09:45:00+00:00"), "截止时间后仍有作答记录"),
    "F0003": (lambda d: d.update(deadline="2026-11-23T11:20:00+00:00"), "不是开考时间"),
    "F0004": (lambda d: [d.pop("deadline"), d.pop("started_at")], "缺少开考时间"),
}


def _nbgrader(cell: dict) -> dict:
    return cell["metadata"].get("nbgrader", {})


def _notebook(folder: Path, which, text: str) -> None:
    """Put ``text`` (JSON source, e.g. a ``\\ud800`` escape) at the end of the first cell ``which`` selects."""
    path = folder / "exam.ipynb"
    nb = json.loads(path.read_text(encoding="utf-8"))
    cell = next(c for c in nb["cells"] if which(c))
    cell["source"] = "".join(cell["source"]) + "@@TEXT@@"
    path.write_text(json.dumps(nb).replace("@@TEXT@@", text), encoding="utf-8")


def _answers(folder: Path, change) -> None:
    path = folder / "answers.json"
    data = json.loads(path.read_text(encoding="utf-8"))
    change(data)
    path.write_text(json.dumps(data), encoding="utf-8")


def _run(*argv) -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        code = main(list(argv))
    return code, out.getvalue(), err.getvalue()


def _environment(mp, base: Path) -> None:
    mp.setenv("ACADEMY_HOME", str(base))
    mp.setenv("ACADEMY_EXAM_COURSE", str(base / "course"))
    mp.setenv("ACADEMY_DB_URL", f"sqlite:///{base / 'tracker.sqlite3'}")
    mp.setenv("ACADEMY_ITEM_STATS", str(base / "item_stats.json"))


@pytest.fixture(autouse=True)
def _batch_environment(request, monkeypatch):
    """The batch's data folder for each test (the project's conftest gives every test its own)."""
    if "batch" in request.fixturenames:
        _environment(monkeypatch, request.getfixturevalue("batch")["base"])


def _sabotage(mp) -> None:
    """Scoring made to fail for an answers file holding ``boom`` and to hang for one holding ``slow``, with a grading
    time limit of 2 s per submission."""
    import grading.fast_grade as fast_grade

    real_score_cells = fast_grade.score_cells

    def score_cells(cells, key, answers):
        if "boom" in answers:
            return 1 / 0
        if "slow" in answers:
            time.sleep(60)
        return real_score_cells(cells, key, answers)

    mp.setattr(fast_grade, "score_cells", score_cells)
    mp.setattr(fast_grade, "SUBMISSION_SECONDS", 2.0)


def _alarm(signum, frame):
    raise TimeoutError("grading hung")


@pytest.fixture(scope="module")
def batch(built, tmp_path_factory):
    base = tmp_path_factory.mktemp("attacks") / "exam"
    shutil.copytree(built, base)
    course = base / "course"
    key = load_exam_key(base / "papers" / f"{EXAM}.yaml", ASSIGNMENT)
    rng = random.Random(21)
    given = {}
    for officer in GOOD + list(ATTACKS) + list(FLAGGED):
        given[officer] = responses(key, rng, right=0.9, blank=0.0)
        submit(course, officer, given[officer], case_text="程序违法，应当撤销。")
    first = next(iter(key.items.values())).answer_key
    _answers(course / "submitted" / SURROGATE / ASSIGNMENT, lambda d: d["answers"].update({first: "\ud800"}))
    extra = course / "submitted" / "G0002" / ASSIGNMENT  # honest, with extra files nobody should copy
    (extra / "notes.txt").symlink_to("/etc/passwd")
    os.mkfifo(extra / "pipe")
    for officer, (attack, _reason) in ATTACKS.items():
        attack(course / "submitted" / officer / ASSIGNMENT, course)
    for officer, (change, _reason) in FLAGGED.items():
        _answers(course / "submitted" / officer / ASSIGNMENT, change)

    with pytest.MonkeyPatch.context() as mp:
        _environment(mp, base)
        _sabotage(mp)
        previous = signal.signal(signal.SIGALRM, _alarm)
        signal.alarm(240)  # a named pipe opened for reading must not hang the batch
        try:
            graded = _run("exam", "grade", EXAM)
        finally:
            signal.alarm(0)
            signal.signal(signal.SIGALRM, previous)
        yield {"base": base, "course": course, "grade": graded, "key": key, "mp": mp}


def test_the_batch_goes_on_and_says_what_it_refused(batch):
    code, out, err = batch["grade"]
    assert code == 1 and "请核查" in err
    assert f"评分 {len(GOOD) + len(FLAGGED)} 份，拒绝 {len(ATTACKS)} 份，需核查 {len(FLAGGED)} 份" in out
    state = gradebook_state(batch["course"])
    for officer in GOOD + list(FLAGGED):
        assert state[officer]["score"] > 0, officer
        assert (batch["course"] / "autograded" / officer / ASSIGNMENT / "exam.ipynb").is_file()
    assert state[SURROGATE]["score"] > 0


@pytest.mark.parametrize("officer", list(ATTACKS))
def test_each_bad_submission_is_refused_with_its_reason_everywhere(batch, officer):
    code, out, err = batch["grade"]
    reason = ATTACKS[officer][1]
    line = next(x for x in out.splitlines() if x.strip().startswith(f"拒绝 {officer}："))
    assert reason in line
    state = gradebook_state(batch["course"])
    assert all(auto is None for auto, _m, _n in state[officer]["grades"].values())  # no score survives
    assert not (batch["course"] / "autograded" / officer / ASSIGNMENT).exists()
    feedback = (batch["course"] / "feedback" / officer / ASSIGNMENT / "exam.md").read_text(encoding="utf-8")
    assert "拒绝评分：" in feedback and reason in feedback and "待定" not in feedback
    findings = json.loads((batch["course"] / "findings" / f"{ASSIGNMENT}.json").read_text(encoding="utf-8"))
    assert reason in findings["refused"][officer]


def test_nothing_outside_a_submission_is_read_or_copied(batch):
    autograded = batch["course"] / "autograded" / "G0002" / ASSIGNMENT
    assert not (autograded / "notes.txt").exists() and not (autograded / "pipe").exists()
    assert (autograded / "answers.json").is_file() and not (autograded / "answers.json").is_symlink()
    # G0001's own grades are untouched by the officers who linked to his files
    state = gradebook_state(batch["course"])
    assert state["G0001"]["score"] > 0


@pytest.mark.parametrize("officer", list(FLAGGED))
def test_doctored_times_are_graded_and_flagged(batch, officer):
    code, out, err = batch["grade"]
    reason = FLAGGED[officer][1]
    line = next(x for x in out.splitlines() if x.strip().startswith(f"需核查 {officer}："))
    assert reason in line


def test_results_register_and_analysis(batch, tmp_path):
    from tests.tracker.helpers import write_csv
    from tracker import db
    from tracker.imports import import_roster

    results = tmp_path / "results.csv"
    code, out, err = _run("exam", "results", EXAM, "--format", "csv", "-o", str(results))
    assert code == 0, err
    with open(results, encoding="utf-8-sig") as handle:
        rows = {r["人员编号"]: r for r in csv.DictReader(handle)}
    assert len(rows) == len(GOOD) + len(ATTACKS) + len(FLAGGED)
    for officer, (_attack, reason) in ATTACKS.items():
        assert rows[officer]["结论"].startswith("拒绝评分：") and reason in rows[officer]["结论"]
        assert rows[officer]["是否通过"] == "拒绝评分" and rows[officer]["总分"] == ""
    for officer, (_change, reason) in FLAGGED.items():
        assert reason in rows[officer]["需核查"] and rows[officer]["总分"] != ""
    for officer in GOOD:
        assert rows[officer]["需核查"] == "" and rows[officer]["结论"] in ("合格", "不合格", "待定（案例分析题尚待人工评分）")

    roster = [["人员编号", "姓名", "单位"]] + [[o, f"考生{o}", "甲县市场监督管理局"] for o in rows]
    with db.session() as s:
        import_roster(s, write_csv(tmp_path / "roster.csv", roster), "hr")
    # every honest officer has a written case answer waiting: 90 % right objective answers pass or not, but
    # nothing that can still change is registered; grade the case answers as formgrader would first
    from nbgrader.api import Gradebook

    with Gradebook(f"sqlite:///{batch['course'] / 'gradebook.db'}", "academy") as gb:
        for officer in GOOD + list(FLAGGED):
            for name in batch["key"].manual:
                grade = gb.find_grade(name, "exam", ASSIGNMENT, officer)
                grade.manual_score = 1.0
                grade.needs_manual_grade = False
        gb.db.commit()
    code, out, err = _run("exam", "register", EXAM, "--date", "2026-11-23")
    assert code == 0
    assert f"登记 {len(GOOD)} 人" in out
    assert "拒绝评分，未登记：" + "、".join(sorted(ATTACKS)) in out
    assert "需核查（答题时间有疑问），未登记" in out and all(o in out for o in FLAGGED)
    code, out, err = _run("exam", "register", EXAM, "--date", "2026-11-23", "--reviewed", "F0001")
    assert code == 0 and "登记 1 人" in out

    code, out, err = _run("exam", "analyze", EXAM, "--chart", str(tmp_path / "chart.png"))
    assert code == 0, err
    assert f"{len(GOOD) + len(FLAGGED)} 名考生" in out and f"未计入 {len(ATTACKS)} 人" in out
    stats = json.loads(Path(os.environ["ACADEMY_ITEM_STATS"]).read_text(encoding="utf-8"))
    first = next(iter(batch["key"].items.values())).answer_key
    assert stats["exams"][ASSIGNMENT][first]["n"] == len(GOOD) + len(FLAGGED)
    assert "无效作答" in stats["exams"][ASSIGNMENT][first]["choices"]  # the "\ud800", counted, never echoed


def test_a_later_successful_regrade_clears_the_refusal(batch):
    course = batch["course"]
    folder = course / "submitted" / "R0001" / ASSIGNMENT
    shutil.rmtree(folder / "answers.json")
    submit(course, "R0001", {}, case_text=None)
    code, out, err = _run("exam", "grade", EXAM, "--student", "R0001")
    assert code == 0, out + err
    assert "评分 1 份，拒绝 0 份" in out
    findings = json.loads((course / "findings" / f"{ASSIGNMENT}.json").read_text(encoding="utf-8"))
    assert "R0001" not in findings["refused"] and "R0002" in findings["refused"]
    feedback = (course / "feedback" / "R0001" / ASSIGNMENT / "exam.md").read_text(encoding="utf-8")
    assert "拒绝评分" not in feedback and "总分" in feedback


def test_a_hung_submission_is_refused_in_a_worker_process_too(built, tmp_path, monkeypatch):
    """Worker processes keep the same wall-clock limit: the slow submission is refused, the others are graded."""
    import grading.fast_grade as fast_grade

    base = tmp_path / "exam"
    shutil.copytree(built, base)
    course = base / "course"
    key = load_exam_key(base / "papers" / f"{EXAM}.yaml", ASSIGNMENT)
    rng = random.Random(5)
    for officer in ("W0001", "W0002", "W0003", "W0004"):
        submit(course, officer, responses(key, rng, right=0.9, blank=0.0))
    _answers(course / "submitted" / "W0003" / ASSIGNMENT, lambda d: d["answers"].update(slow=True))
    _sabotage(monkeypatch)
    started = time.monotonic()
    summary = fast_grade.grade_exam(course, ASSIGNMENT, progress=False, paper=base / "papers" / f"{EXAM}.yaml",
                                    workers=2)
    assert time.monotonic() - started < 50
    assert summary.workers == 2
    assert [(r.student, r.error) for r in summary.refused] == [("W0003", "评分超时（超过 2 秒），拒绝评分")]
    assert sorted(r.student for r in summary.graded) == ["W0001", "W0002", "W0004"]
