"""The exam day on one machine, for real: nbgrader's own release, fetch, submit, collect, release_feedback and
fetch_feedback over a temporary exchange, every officer running as the same OS user (this test's). Twenty officers
one after another give twenty submissions, each under his own 人员编号, each graded with his own answers; an officer
keeps one form; a second form that reaches the exchange anyway is collected under his number, not lost; each officer's
feedback reaches his desk and no other."""

import copy
import json
import os
import random
import stat
import subprocess
import sys
from pathlib import Path

import pytest
from traitlets.config import Config

from academy.cli import main
from academy.exam_day_cli import desk_lab_command
from grading.answers import AnswerFile
from grading.autograde import load_exam_key
from grading.exam_widget import ExamSession
from grading.exchange import ExchangeProblem, choose_form, fetch_feedback, release_feedback, sit, submit
from grading.fast_grade import grade_exam
from grading.feedback import reports, write_feedback
from tests.grading.helpers import PAPER, make_course, responses

EXAM = "cert-day-test"
OFFICERS = [f"D{n:04d}" for n in range(1, 21)]
TWO_FORMS = copy.deepcopy(PAPER)
TWO_FORMS["exam"] = EXAM
TWO_FORMS["forms"].append({**copy.deepcopy(PAPER["forms"][0]), "form": "B"})
FORMS = [f"{EXAM}-a", f"{EXAM}-b"]
KEYS = {}  # assignment -> its ExamKey (the bank is read once)


def nbgrader(*args, cwd):
    done = subprocess.run([sys.executable, "-m", "nbgrader", *args], cwd=cwd, capture_output=True, text=True, timeout=300,
                          env={**os.environ, "PATH": str(Path(sys.executable).parent) + os.pathsep + os.environ["PATH"]})
    assert done.returncode == 0, done.stdout + done.stderr
    return done.stdout + done.stderr


@pytest.fixture(scope="module")
def day(tmp_path_factory):
    """A built two-form exam released to a temporary exchange (nbgrader release_assignment, as the administrator)."""
    base = tmp_path_factory.mktemp("examday")
    course, paper = make_course(base, TWO_FORMS)
    exchange = base / "exchange"
    exchange.mkdir()
    os.chmod(exchange, 0o777)  # nbgrader's documented exchange: writable by everyone
    for assignment in FORMS:
        nbgrader("release_assignment", assignment, f"--Exchange.root={exchange}", cwd=course)
    return base, course, paper, exchange


@pytest.fixture
def config(day):
    config = Config()
    config.Exchange.root = str(day[3])
    return config


def answer(folder: Path, paper: Path, officer: str, seed: int) -> dict:
    """The officer's clicks, written through grading.answers as the exam widget writes them."""
    data = AnswerFile(folder).load()
    if data["assignment"] not in KEYS:
        KEYS[data["assignment"]] = load_exam_key(paper, data["assignment"])
    key = KEYS[data["assignment"]]
    clicks = responses(key, random.Random(seed))
    answers = AnswerFile(folder)
    answers.start(EXAM, data["assignment"], officer, 90)
    for item, value in clicks.items():
        answers.record(item, value)
    return clicks


def test_twenty_officers_on_one_account_give_twenty_submissions(day, config, tmp_path):
    base, course, paper, exchange = day
    desks = tmp_path / "desks"
    clicked, forms = {}, {}
    for n, officer in enumerate(OFFICERS):
        folder = sit(EXAM, officer, desks, config=config)
        assert folder == desks / officer / folder.name and folder.name in FORMS
        assert folder.name == choose_form(EXAM, officer, FORMS)
        assert sit(EXAM, officer, desks, config=config) == folder  # asked again: the same form, nothing fetched twice
        forms[officer] = folder.name
        clicked[officer] = answer(folder, paper, officer, n)
        assert submit(folder, config=config) == officer
    assert all(len([o for o in OFFICERS if forms[o] == form]) >= 5 for form in FORMS)  # both forms in use
    inbound = sorted(p.name.split("+")[0] for p in (exchange / "academy" / "inbound").iterdir())
    assert inbound == OFFICERS  # one submission each, under his own number, though one OS user made them all

    for assignment in FORMS:  # nbgrader's own collect, as the administrator runs it
        nbgrader("collect", assignment, f"--Exchange.root={exchange}", cwd=course)
    submitted = course / "submitted"
    assert sorted(p.name for p in submitted.iterdir()) == OFFICERS
    for officer in OFFICERS:
        stored = json.loads((submitted / officer / forms[officer] / "answers.json").read_text(encoding="utf-8"))
        assert stored["officer"] == officer and stored["answers"] == clicked[officer]

    graded = {}
    for assignment in FORMS:
        summary = grade_exam(course, assignment, paper=paper, progress=False)
        assert summary.refused == []
        graded.update({r.student: r for r in summary.graded})
    assert sorted(graded) == OFFICERS
    assert len({r.score for r in graded.values()}) > 5  # each graded with his own answers, not one officer's twenty times

    # feedback: written, released through the exchange, fetched by each officer to his own desk — his only
    for assignment in FORMS:
        write_feedback(course, assignment, paper=paper)
        assert release_feedback(course, assignment, config) == sum(1 for o in OFFICERS if forms[o] == assignment)
    modes = {name: stat.S_IMODE(os.stat(exchange / "academy" / name).st_mode) for name in ("outbound", "inbound", "feedback")}
    assert modes == {"outbound": 0o755, "inbound": 0o2733, "feedback": 0o711}  # nbgrader's, as the README says
    for officer in OFFICERS[:3]:
        pages = fetch_feedback(EXAM, officer, desks, config=config)
        assert len(pages) == 1 and pages[0].is_relative_to(desks / officer / forms[officer] / "feedback")
        text = pages[0].read_text(encoding="utf-8")
        assert officer in text and not any(other in text for other in OFFICERS if other != officer)


def test_stock_nbgrader_release_feedback_releases_what_write_feedback_wrote(day, config, tmp_path):
    """write_feedback leaves beside the page what nbgrader's own ExchangeReleaseFeedback reads (the submission's
    secret and timestamp): released by it as it is, the page reaches the officer's desk through fetch_feedback."""
    from nbgrader.auth import Authenticator
    from nbgrader.coursedir import CourseDirectory
    from nbgrader.exchange.default.release_feedback import ExchangeReleaseFeedback

    from grading.build import course_config

    base, course, paper, exchange = day
    desks = tmp_path / "desks"
    officer = "J0001"
    folder = sit(EXAM, officer, desks, config=config)
    answer(folder, paper, officer, 3)
    submit(folder, config=config)
    nbgrader("collect", folder.name, f"--Exchange.root={exchange}", cwd=course)
    assert grade_exam(course, folder.name, students=[officer], paper=paper, progress=False).refused == []
    (page,) = write_feedback(course, folder.name, students=[officer], paper=paper)
    secret = course / "submitted" / officer / folder.name / "submission_secret.txt"
    assert (page.parent / "submission_secret.txt").read_bytes() == secret.read_bytes()
    assert (page.parent / "timestamp.txt").read_bytes() == secret.with_name("timestamp.txt").read_bytes()

    stock = course_config(course)
    stock.merge(config)
    coursedir = CourseDirectory(config=stock)
    coursedir.assignment_id, coursedir.student_id = folder.name, officer
    ExchangeReleaseFeedback(coursedir=coursedir, authenticator=Authenticator(config=stock), config=stock).start()
    pages = fetch_feedback(EXAM, officer, desks, config=config)
    assert len(pages) == 1 and pages[0].read_bytes() == page.read_bytes()


def test_one_form_per_officer_and_a_second_one_stays_visible(day, config, tmp_path):
    base, course, paper, exchange = day
    desks = tmp_path / "desks"
    officer = "E0001"
    first = sit(EXAM, officer, desks, config=config)
    other = next(f for f in FORMS if f != first.name)
    with pytest.raises(ExchangeProblem, match="每人只能参加一套试卷"):
        sit(EXAM, officer, desks, form=other.rsplit("-", 1)[-1], config=config)
    answer(first, paper, officer, 1)
    submit(first, config=config)
    # the other form reaches him anyway (fetched on another desk by hand, his number typed in): submitted under his
    # number too, so collect brings both and grading sees one officer with two forms
    second = sit(EXAM, officer, tmp_path / "elsewhere", form=other, config=config)
    answer(second, paper, officer, 2)
    submit(second, config=config)
    for assignment in FORMS:
        nbgrader("collect", assignment, f"--Exchange.root={exchange}", cwd=course)
        summary = grade_exam(course, assignment, students=[officer], paper=paper, progress=False)
        assert [r.student for r in summary.graded] == [officer]
    assert sorted(p.name for p in (course / "submitted" / officer).iterdir()) == FORMS

    from nbgrader.api import Gradebook

    with Gradebook(f"sqlite:///{course / 'gradebook.db'}", "academy") as gb:
        assert sorted(s.assignment.name for s in gb.find_student(officer).submissions) == FORMS


def test_a_folder_without_its_officer_is_not_submitted(day, config, tmp_path):
    base, course, paper, exchange = day
    folder = sit(EXAM, "F0001", tmp_path / "desks", config=config)
    AnswerFile(folder).save({"exam": EXAM, "assignment": folder.name, "answers": {}})
    with pytest.raises(ExchangeProblem, match="尚未确认考生"):
        submit(folder, config=config)
    renamed = folder.with_name("renamed")
    folder.rename(renamed)
    AnswerFile(renamed).save({"exam": EXAM, "assignment": folder.name, "officer": "F0001", "answers": {}})
    with pytest.raises(ExchangeProblem, match="请勿改名"):
        submit(renamed, config=config)
    with pytest.raises(ExchangeProblem, match="人员编号"):
        sit(EXAM, "../F0002", tmp_path / "desks", config=config)
    assert not any(p.name.startswith("F000") for p in (exchange / "academy" / "inbound").iterdir())


def test_the_exam_pages_submit_button(day, tmp_path, monkeypatch):
    """提交试卷 in the exam's header: asks first, then submits under the desk's officer — who comes from the answers
    file the proctor's sit wrote, even when the environment names someone else (the previous officer)."""
    base, course, paper, exchange = day
    jupyter = tmp_path / "jupyter"
    jupyter.mkdir()
    (jupyter / "nbgrader_config.py").write_text(f"c = get_config()\nc.Exchange.root = {str(exchange)!r}\n")
    monkeypatch.setenv("JUPYTER_CONFIG_DIR", str(jupyter))  # where the officer's kernel finds nbgrader's config
    monkeypatch.setenv("ACADEMY_OFFICER", "G9999")
    monkeypatch.delenv("JUPYTERHUB_USER", raising=False)
    config = Config()
    config.Exchange.root = str(exchange)
    folder = sit(EXAM, "G0001", tmp_path / "desks", config=config)
    monkeypatch.chdir(folder)  # the kernel's working folder
    exam = ExamSession(folder, timer=False)
    for section in exam.paper["sections"]:
        exam.section(section["id"])
    assert exam.officer == "G0001"
    first = next(iter(exam.inputs))
    exam.inputs[first][0].show("A" if exam.inputs[first][0].type == "single" else True)
    exam.inputs[first][0]._changed(None)
    exam.submit_control.button.click()
    asked = exam.submit_control.message.value
    assert f"还有 {len(exam.items) - 1} 道点选题未作答" in asked and "1 个案例分析答题框为空" in asked
    assert not (exchange / "academy" / "inbound").exists() or not any(
        p.name.startswith("G0001+") for p in (exchange / "academy" / "inbound").iterdir())
    exam.submit_control.confirm.click()
    assert "已提交：考生 G0001" in exam.submit_control.message.value
    assert [p.name.split("+")[:2] for p in (exchange / "academy" / "inbound").iterdir() if p.name.startswith("G")] == [
        ["G0001", folder.name]]


def test_the_proctors_commands(day, tmp_path, monkeypatch, capsys):
    """academy exam sit / submit / release-feedback / feedback, configured as nbgrader's tools are."""
    base, course, paper, exchange = day
    jupyter = tmp_path / "jupyter"
    jupyter.mkdir()
    (jupyter / "nbgrader_config.py").write_text(f"c = get_config()\nc.Exchange.root = {str(exchange)!r}\n")
    monkeypatch.setenv("JUPYTER_CONFIG_DIR", str(jupyter))
    monkeypatch.setenv("ACADEMY_HOME", str(base))  # the paper kept by academy exam build: base/papers/
    monkeypatch.setenv("ACADEMY_EXAM_COURSE", str(course))
    desks = tmp_path / "desks"
    assert main(["exam", "sit", EXAM, "H0001", "--desks", str(desks)]) == 0
    (folder,) = [p for p in (desks / "H0001").iterdir() if not p.name.startswith(".")]
    assert str(folder) in capsys.readouterr().out
    other = next(f for f in FORMS if f != folder.name)
    assert main(["exam", "sit", EXAM, "H0001", "--desks", str(desks), "--form", other]) == 1
    assert "每人只能参加一套试卷" in capsys.readouterr().err
    answer(folder, paper, "H0001", 7)
    assert main(["exam", "submit", str(folder)]) == 0
    assert main(["exam", "feedback", EXAM, "H0001", "--desks", str(desks)]) == 1  # nothing released yet
    nbgrader("collect", folder.name, f"--Exchange.root={exchange}", cwd=course)
    (graded,) = grade_exam(course, folder.name, students=["H0001"], paper=paper, progress=False).graded
    # 案例分析 graded by hand in formgrader (a manual score, no longer waiting), then grading again writes the feedback
    from nbgrader.api import Gradebook

    key = load_exam_key(paper, folder.name)
    with Gradebook(f"sqlite:///{course / 'gradebook.db'}", "academy") as gb:
        for cell, item in key.manual.items():
            grade = gb.find_grade(cell, "exam", folder.name, "H0001")
            grade.manual_score, grade.needs_manual_grade = item.points / 2, False
        gb.db.commit()
    manual = sum(item.points / 2 for item in key.manual.values())
    assert grade_exam(course, folder.name, students=["H0001"], paper=paper, progress=False).refused == []
    (report,) = reports(course, folder.name, students=["H0001"], paper=paper)
    assert report.pending == 0 and "待定" not in report.verdict  # the manual scores given stand after the re-grade
    write_feedback(course, folder.name, students=["H0001"], paper=paper)
    capsys.readouterr()
    assert main(["exam", "release-feedback", EXAM]) == 0
    assert main(["exam", "feedback", EXAM, "H0001", "--desks", str(desks)]) == 0
    page = Path(capsys.readouterr().out.split("成绩反馈：")[1].strip())
    text = page.read_text(encoding="utf-8")
    assert page.is_relative_to(folder / "feedback") and "H0001" in text
    assert f"总分：<strong>{round(graded.score + manual, 2):g}</strong>" in text  # the manual points came back with it
    command = desk_lab_command(folder, 9999)
    assert f"--ServerApp.root_dir={desks / 'H0001'}" in command
    assert f"--LabApp.default_url=/lab/tree/{folder.name}/exam.ipynb" in command
    assert "--ServerApp.jpserver_extensions=nbgrader.server_extensions.assignment_list=False" in command
