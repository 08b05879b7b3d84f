"""The exam widgets without a browser: every click in answers.json at once, restored after a restart, shuffled per
officer but stored by the bank's letters, and everything locked when the time is up."""

import json
import shutil
import time
from datetime import datetime, timedelta, timezone

import pytest

import questionbank.quiz
from grading.exam_widget import DISPLAY_LETTERS, ExamSession
from tests.grading.test_build import built_course

T0 = datetime(2026, 11, 23, 8, 0, tzinfo=timezone.utc)
ASSIGNMENT = "cert-test-q4-a"


class Clock:
    def __init__(self, start=T0):
        self.now = start

    def __call__(self):
        return self.now


@pytest.fixture(scope="module")
def release(tmp_path_factory):
    return built_course(tmp_path_factory.mktemp("exam")) / "release" / ASSIGNMENT


@pytest.fixture
def folder(release, tmp_path):
    target = tmp_path / ASSIGNMENT
    shutil.copytree(release, target)
    return target


@pytest.fixture(autouse=True)
def _nobody(monkeypatch):
    monkeypatch.delenv("JUPYTERHUB_USER", raising=False)
    monkeypatch.delenv("ACADEMY_OFFICER", raising=False)
    monkeypatch.setattr(questionbank.quiz, "_session_officer", None)


def saved(folder):
    return json.loads((folder / "answers.json").read_text(encoding="utf-8"))


def open_exam(folder, officer="A0001", clock=None):
    exam = ExamSession(folder, officer=officer, clock=clock or Clock(), timer=False)
    boxes = {s["id"]: exam.section(s["id"]) for s in exam.paper["sections"]}
    return exam, boxes


def public(folder):
    return json.loads((folder / "exam.json").read_text(encoding="utf-8"))


def question(folder, section_id, index=0):
    section = next(s for s in public(folder)["sections"] if s["id"] == section_id)
    return section["questions"][index]


def test_every_click_is_written_at_once(folder):
    exam, _ = open_exam(folder)
    data = saved(folder)
    assert (data["officer"], data["exam"], data["assignment"]) == ("A0001", "cert-test-q4", ASSIGNMENT)
    assert (data["started_at"], data["deadline"]) == ("2026-11-23T08:00:00+00:00", "2026-11-23T09:30:00+00:00")
    single, multiple = question(folder, "single"), question(folder, "multiple")
    judge, case = question(folder, "judge"), question(folder, "case")
    part = next(p for p in case["parts"] if p["type"] == "multiple")
    exam.inputs[single["id"]][0].control.value = "C"
    assert saved(folder)["answers"] == {single["id"]: "C"}
    boxes = exam.inputs[multiple["id"]][0].checkboxes
    boxes["D"].value = True
    assert saved(folder)["answers"][multiple["id"]] == ["D"]
    boxes["A"].value = True
    assert saved(folder)["answers"][multiple["id"]] == ["A", "D"]
    exam.inputs[judge["id"]][0].control.value = False
    assert saved(folder)["answers"][judge["id"]] is False
    key = f"{case['id']}/{part['id']}"
    exam.inputs[key][0].checkboxes["B"].value = True
    assert saved(folder)["answers"][key] == ["B"]
    boxes["A"].value = boxes["D"].value = False
    assert multiple["id"] not in saved(folder)["answers"]
    assert not any(p.name.endswith(".tmp") for p in folder.iterdir())


def test_restart_shows_the_saved_answers_and_keeps_the_deadline(folder):
    exam, _ = open_exam(folder)
    single, multiple, judge = question(folder, "single", 2), question(folder, "multiple", 1), question(folder, "judge", 3)
    exam.inputs[single["id"]][0].control.value = "B"
    exam.inputs[multiple["id"]][0].checkboxes["A"].value = True
    exam.inputs[multiple["id"]][0].checkboxes["C"].value = True
    exam.inputs[judge["id"]][0].control.value = True
    before = saved(folder)
    # a kernel restart: a new session in the same folder, an hour later, the officer from the file
    later = Clock(T0 + timedelta(hours=1))
    again = ExamSession(folder, clock=later, timer=False)
    for s in again.paper["sections"]:
        again.section(s["id"])
    assert again.officer == "A0001"
    assert again.inputs[single["id"]][0].control.value == "B"
    assert [k for k, b in again.inputs[multiple["id"]][0].checkboxes.items() if b.value] == ["A", "C"]
    assert again.inputs[judge["id"]][0].control.value is True
    assert again.inputs[question(folder, "single", 0)["id"]][0].control.value is None
    assert saved(folder)["answers"] == before["answers"]
    assert saved(folder)["deadline"] == "2026-11-23T09:30:00+00:00"
    assert again.remaining() == 30 * 60
    assert "剩余时间 00:30:00" in again.clock_html.value


def test_order_is_shuffled_per_officer_but_answers_are_the_banks_letters(release, tmp_path):
    folders = {}
    for officer in ("A0001", "A0002"):
        folders[officer] = tmp_path / officer
        shutil.copytree(release, folders[officer])
    exams = {officer: open_exam(f, officer)[0] for officer, f in folders.items()}
    paper = public(folders["A0001"])
    orders = {o: [e.question_order(s["id"]) for s in paper["sections"]] for o, e in exams.items()}
    assert orders["A0001"] != orders["A0002"]
    for o in orders:
        for section, order in zip(paper["sections"], orders[o]):
            assert sorted(order) == sorted(q["id"] for q in section["questions"])
    single = paper["sections"][0]["questions"]
    labels = {o: [[label for label, _ in e.inputs[q["id"]][0].control.options] for q in single]
              for o, e in exams.items()}
    assert labels["A0001"] != labels["A0002"]
    for officer, exam in exams.items():
        for q in single:
            control = exam.inputs[q["id"]][0].control
            for i, (label, letter) in enumerate(control.options):
                assert label == f"{DISPLAY_LETTERS[i]}. {q['options'][letter]}"  # display letter, bank's text
            # the officer clicks the option whose text is the bank's option B, wherever it is shown
            shown = dict(control.options)
            control.value = shown[next(lbl for lbl in shown if lbl.endswith(q["options"]["B"]))]
        assert saved(folders[officer])["answers"] == {q["id"]: "B" for q in single}
    # the section box shows the questions in the officer's order
    box = exams["A0001"].section("single")
    stems = [row.children[0].value for row in box.children[1:]]
    assert [next(q["id"] for q in single if q["stem"][:20] in s) for s in stems] == orders["A0001"][0]


def test_status_says_answered_or_not_and_nothing_else(folder):
    exam, _ = open_exam(folder)
    q = question(folder, "single", 1)
    status = exam.status(q["id"])
    assert "未作答" in status.value and "第" in status.value
    exam.inputs[q["id"]][0].control.value = "A"
    assert "已作答" in status.value
    exam.inputs[q["id"]][0].control.value = None
    assert "未作答" in status.value
    case = question(folder, "case")
    part = next(p for p in case["parts"] if p["type"] != "open")
    assert "未作答" in exam.status(f"{case['id']}/{part['id']}").value
    assert "没有题目" in exam.status("no-such-question").value


def test_time_up_disables_every_widget_and_records_nothing_more(folder):
    clock = Clock()
    exam, _ = open_exam(folder, clock=clock)
    q = question(folder, "single")
    exam.inputs[q["id"]][0].control.value = "A"
    clock.now = T0 + timedelta(minutes=89, seconds=59)
    exam.tick()
    assert not exam.expired and "00:00:01" in exam.clock_html.value
    clock.now = T0 + timedelta(minutes=90)
    exam.tick()
    assert exam.expired
    assert "考试时间已到" in exam.message_html.value
    controls = [w for inputs in exam.inputs.values() for inp in inputs
                for w in (list(inp.checkboxes.values()) or [inp.control])]
    assert controls and all(w.disabled for w in controls)
    exam.inputs[q["id"]][0].control.value = "B"  # a late change (from a stale browser view)
    assert saved(folder)["answers"][q["id"]] == "A"
    assert exam.inputs[q["id"]][0].control.value == "A"
    # reopening after the deadline: everything locked at once, answers shown
    again, _ = open_exam(folder, clock=clock)
    assert again.expired and again.inputs[q["id"]][0].control.disabled
    assert again.inputs[q["id"]][0].control.value == "A"


def test_the_countdown_thread_locks_the_exam(folder):
    paper = public(folder)
    paper["duration_minutes"] = 0.03  # 1.8 s
    (folder / "exam.json").write_text(json.dumps(paper, ensure_ascii=False), encoding="utf-8")
    exam = ExamSession(folder, officer="A0001")
    exam.section("single")
    try:
        deadline = time.monotonic() + 10
        while not exam.expired and time.monotonic() < deadline:
            time.sleep(0.1)
        assert exam.expired and "考试时间已到" in exam.message_html.value
        assert all(inp.control.disabled for inputs in exam.inputs.values() for inp in inputs)
    finally:
        exam.stop()


def test_an_unknown_officer_is_asked_once(folder):
    exam = ExamSession(folder, clock=Clock(), timer=False)
    box = exam.section("single")
    assert exam.officer is None and not (folder / "answers.json").exists()
    assert "人员编号" in exam.officer_html.value and "人员编号" in box.children[0].value
    assert not exam.confirm_officer("   ")
    assert "有效的人员编号" in exam.message_html.value
    assert exam.confirm_officer("A0009")
    assert saved(folder)["officer"] == "A0009"
    assert len(box.children) == 1 + len(public(folder)["sections"][0]["questions"])
    assert questionbank.quiz.identify_officer() == "A0009"  # asked once per kernel


def test_another_officers_answers_are_not_taken_over(folder):
    open_exam(folder, officer="A0001")
    other, boxes = open_exam(folder, officer="A0002")
    assert "属于考生 A0001" in other.message_html.value
    assert other.inputs == {} and "属于考生 A0001" in boxes["single"].children[0].value
    assert saved(folder)["officer"] == "A0001"


def test_a_missing_exam_file_is_explained(tmp_path):
    exam = ExamSession(tmp_path, officer="A0001", timer=False)
    assert "找不到试卷文件 exam.json" in exam.message_html.value
    assert "找不到试卷文件" in exam.section("single").children[0].value


def test_a_corrupt_answers_file_is_kept_and_the_exam_goes_on(folder):
    (folder / "answers.json").write_text("{broken", encoding="utf-8")
    exam, _ = open_exam(folder)
    assert "已损坏" in exam.message_html.value
    assert (folder / "answers.json.corrupt").read_text(encoding="utf-8") == "{broken"
    q = question(folder, "judge")
    exam.inputs[q["id"]][0].control.value = True
    assert saved(folder)["answers"] == {q["id"]: True}
