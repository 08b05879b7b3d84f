"""The exam on the site, as the 学堂服务 keeps it: assignment over the forms, the officer's own form without keys,
the server's clock fixed at the first opening, every click stored append-only with the server's time (a late one
stored as refused), a retried request stored once, another form refused; then collect writes nbgrader's submissions
from that record only, and grading runs over them. SQLite and PostgreSQL (``db_url``); the server's time is given to
the functions as the service's clock would give it."""

from __future__ import annotations

import datetime as dt
import json
import shutil

import pytest
from sqlalchemy import func, select

from grading.autograde import load_exam_key
from grading.fast_grade import grade_exam
from grading.sitting_collect import collect_sittings
from ground.settings import settings
from service import exams, quizzes
from tests.grading.helpers import make_course
from tests.grading.test_build import SMALL_PAPER
from tests.sheets import write_csv
from tracker import db
from tracker import service as ledger_service
from tracker.models import ExamClick, ExamSitting, Officer
from tracker.sittings import aware

EXAM = SMALL_PAPER["exam"]
START = dt.datetime(2026, 11, 23, 8, 0, tzinfo=dt.timezone.utc)
OFFICERS = ["K0001", "K0002", "K0003", "K0004"]


def at(seconds: float) -> dt.datetime:
    return START + dt.timedelta(seconds=seconds)


@pytest.fixture(scope="module")
def built(tmp_path_factory):
    base = tmp_path_factory.mktemp("site-exam")
    make_course(base, SMALL_PAPER)
    return base


@pytest.fixture
def site(built, db_url, tmp_path):
    """A roster, the paper in the data folder (where ``academy exam build`` keeps it), a course of our own."""
    quizzes._OFFICERS.clear()
    exams._ASSIGNMENTS.clear()
    papers = settings.home / "papers"
    papers.mkdir(parents=True, exist_ok=True)
    shutil.copy(built / "papers" / f"{EXAM}.yaml", papers / f"{EXAM}.yaml")
    course = tmp_path / "course"
    shutil.copytree(built / "course", course)
    rows = [["人员编号", "姓名", "单位"]] + [[n, f"考生{n[-1]}", "某县市场监督管理局"] for n in OFFICERS]
    rows.append(["K0009", "他单位", "某县司法局"])
    ledger_service.import_roster_file(write_csv(tmp_path / "名册.csv", rows), recorded_by="测试")
    yield {"course": course, "paper": papers / f"{EXAM}.yaml", "url": db_url}
    quizzes._OFFICERS.clear()
    exams._ASSIGNMENTS.clear()


def keys(public_sections):
    """(key, item) of every clickable item in the officer's view."""
    for section in public_sections:
        for q in section["questions"]:
            if q["type"] == "case":
                for p in q["parts"]:
                    yield f"{q['id']}/{p['id']}", p
            else:
                yield q["id"], q


def some_value(item, n=0):
    if item["type"] == "judge":
        return n % 2 == 0
    if item["type"] == "single":
        return item["options"][n % len(item["options"])][0]
    if item["type"] == "multiple":
        return sorted(letter for letter, _ in item["options"][: 1 + n % 2])
    return "当事人有权要求听证，执法机关应当告知。"


def clicks(url):
    with db.session(url) as s:
        return s.execute(select(ExamClick.question, ExamClick.value, ExamClick.accepted, ExamClick.reason,
                                ExamClick.request_id).order_by(ExamClick.id)).all()


def test_officers_are_balanced_over_the_forms_and_keep_their_sitting(site):
    done = exams.assign(EXAM, OFFICERS[:3], "考务")
    assert sorted(done.added.values()) == ["A", "A", "B"]
    again = exams.assign(EXAM, OFFICERS, "考务")
    assert again.kept == done.added and list(again.added.values()) == ["B"]  # the fourth evens the forms out
    with pytest.raises(quizzes.Refused) as refused:
        exams.assign(EXAM, ["K0005", "Z9999"], "考务")
    assert refused.value.status == 400 and "Z9999" in str(refused.value) and "未作任何安排" in str(refused.value)
    unit = exams.assign(EXAM, [], "考务", form="B", unit="某县司法局", minutes=30)
    assert unit.added == {"K0009": "B"}
    with db.session(site["url"]) as s:
        rows = s.execute(select(ExamSitting.form, ExamSitting.duration_seconds, ExamSitting.assigned_by)).all()
    assert len(rows) == 5 and ("B", 1800, "考务") in rows
    assert sum(1 for form, seconds, _ in rows if seconds == SMALL_PAPER["duration_minutes"] * 60) == 4


def test_the_officer_gets_his_form_only_without_keys_in_his_order(site):
    exams.assign(EXAM, ["K0001", "K0002"], "考务")
    with pytest.raises(quizzes.Refused) as refused:  # a link followed in a browser (no token) does not start it
        exams.open_exam("k0001", EXAM, now=START, start=False)
    assert refused.value.status == 403 and "开始考试" in str(refused.value)
    mine = exams.open_exam("k0001", EXAM, now=START)
    assert exams.open_exam("k0001", EXAM, now=START, start=False)["state"] == "open"
    assert (mine["form"], mine["state"], mine["officer"]) == ("A", "open", "K0001")
    assert mine["remaining_seconds"] == SMALL_PAPER["duration_minutes"] * 60
    text = json.dumps(mine, ensure_ascii=False, default=str)
    for forbidden in ('"answer"', '"explanation"', '"reference"', '"rubric"', '"basis"'):
        assert forbidden not in text
    form_a = {q for s in SMALL_PAPER["forms"][0]["sections"] for q in s["questions"]}
    assert {k.split("/")[0] for k, _ in keys(mine["sections"])} == form_a
    other = exams.open_exam("k0002", EXAM, now=START)
    assert other["form"] == "B"
    # the same officer, the same order every time; options are listed in his order with the bank's letters
    assert exams.open_exam("k0001", EXAM, now=at(60))["sections"] == mine["sections"]
    single = next(q for q in mine["sections"][0]["questions"])
    assert sorted(letter for letter, _ in single["options"]) == sorted("ABCD"[: len(single["options"])])
    with pytest.raises(quizzes.Refused) as refused:
        exams.open_exam("k0001", EXAM, form="B", now=START)
    assert refused.value.status == 403 and "A 卷" in str(refused.value)
    with pytest.raises(quizzes.Refused) as refused:
        exams.open_exam("k0003", EXAM, now=START)  # not assigned
    assert refused.value.status == 403 and "没有参加考试" in str(refused.value)


def test_the_first_opening_fixes_the_deadline_and_no_later_opening_moves_it(site):
    exams.assign(EXAM, ["K0001"], "考务", minutes=1)
    first = exams.open_exam("K0001", EXAM, now=START)
    later = exams.open_exam("K0001", EXAM, now=at(50))
    assert first["deadline"] == later["deadline"] == at(60) and later["remaining_seconds"] == 10
    gone = exams.open_exam("K0001", EXAM, now=at(3600))
    assert gone["state"] == "time_up" and gone["deadline"] == at(60) and gone["remaining_seconds"] == 0


def test_clicks_are_stored_with_the_server_time_once_per_request_and_refused_after_the_deadline(site):
    exams.assign(EXAM, ["K0001"], "考务", minutes=1)
    mine = exams.open_exam("K0001", EXAM, now=START)
    (key1, item1), (key2, item2) = list(keys(mine["sections"]))[:2]
    ok = exams.click("K0001", EXAM, key1, some_value(item1, 0), "req-00000001", now=at(5))
    assert ok["accepted"] and not ok["repeated"] and ok["remaining_seconds"] == 55
    again = exams.click("K0001", EXAM, key1, some_value(item1, 0), "req-00000001", now=at(6))
    assert again["repeated"]
    exams.click("K0001", EXAM, key1, some_value(item1, 1), "req-00000002", now=at(10))
    with pytest.raises(quizzes.Refused) as late:
        exams.click("K0001", EXAM, key2, some_value(item2), "req-00000003", now=at(61))
    assert late.value.status == 409 and str(late.value).startswith("考试时间已到")
    with pytest.raises(quizzes.Refused):
        exams.click("K0001", EXAM, key2, some_value(item2), "req-00000003", now=at(62))  # the retry: same answer
    stored = clicks(site["url"])
    assert [(q, accepted, reason, r) for q, _, accepted, reason, r in stored] == [
        (key1, True, "", "req-00000001"), (key1, True, "", "req-00000002"),
        (key2, False, "考试时间已到，答案未被记录", "req-00000003")]
    assert exams.open_exam("K0001", EXAM, now=at(70))["answers"] == {key1: some_value(item1, 1)}


@pytest.mark.parametrize("question, value, status, words", [
    ("no-such-question", "A", 404, "没有题目"),
    (None, "A", 404, "没有题目"),
    ("first", "Z", 400, "与题型不符"),
    ("first", ["A"], 400, "与题型不符"),
    ("first", {"x": 1}, 400, "与题型不符"),
])
def test_malformed_clicks_are_refused_and_not_stored(site, question, value, status, words):
    exams.assign(EXAM, ["K0001"], "考务")
    mine = exams.open_exam("K0001", EXAM, now=START)
    first = next(k for k, item in keys(mine["sections"]) if item["type"] == "single")
    with pytest.raises(quizzes.Refused) as refused:
        exams.click("K0001", EXAM, first if question == "first" else question, value, "req-bad-0001", now=at(1))
    assert refused.value.status == status and words in str(refused.value)
    with pytest.raises(quizzes.Refused) as refused:
        exams.click("K0001", EXAM, first, "A", "短", now=at(1))
    assert "请求编号无效" in str(refused.value)
    assert clicks(site["url"]) == []


def test_a_click_before_opening_or_after_submitting_is_refused_and_stored_as_such(site):
    exams.assign(EXAM, ["K0001", "K0002"], "考务", form="A")
    mine = exams.open_exam("K0001", EXAM, now=START)
    key, item = next(keys(mine["sections"]))
    with pytest.raises(quizzes.Refused) as refused:
        exams.click("K0002", EXAM, key, some_value(item), "req-unopened", now=at(1))
    assert refused.value.status == 409 and "尚未打开" in str(refused.value)
    exams.click("K0001", EXAM, key, some_value(item), "req-before-1", now=at(1))
    done = exams.submit("K0001", EXAM, now=at(30))
    assert done["submitted_at"] == at(30) and done["answered"] == 1
    with pytest.raises(quizzes.Refused) as refused:
        exams.click("K0001", EXAM, key, some_value(item, 1), "req-after-01", now=at(31))
    assert refused.value.status == 409 and "已交卷" in str(refused.value)
    assert exams.submit("K0001", EXAM, now=at(40))["submitted_at"] == at(30)  # the first 交卷 counts
    assert exams.open_exam("K0001", EXAM, now=at(50))["state"] == "submitted"  # no second sitting


def test_collect_writes_the_service_record_and_grading_runs_over_it(site):
    exams.assign(EXAM, ["K0001", "K0002", "K0003"], "考务", form="A", minutes=10)
    exams.assign(EXAM, ["K0004"], "考务", form="B", minutes=10)
    key = load_exam_key(site["paper"], f"{EXAM}-a")
    right = {}
    for item in key.items.values():
        target = item.target
        right[item.answer_key] = sorted(target.answer) if target.type == "multiple" else target.answer
    mine = exams.open_exam("K0001", EXAM, now=START)
    written = next(k for k, item in keys(mine["sections"]) if item["type"] == "open")
    n = 0
    for question, value in right.items():  # every answer wrong first, then right
        n += 1
        wrong = (not value) if isinstance(value, bool) else None  # a wrong judgement, or the answer cleared
        exams.click("K0001", EXAM, question, wrong, f"req-k1-{n:04d}", now=at(n))
        exams.click("K0001", EXAM, question, value, f"req-k1-{n:04d}b", now=at(n + 0.5))
    exams.click("K0001", EXAM, written, "应当告知当事人有要求听证的权利。", "req-k1-text", now=at(100))
    exams.submit("K0001", EXAM, now=at(200))
    exams.open_exam("K0002", EXAM, now=START)  # opens, answers one, never submits; clicks late twice
    first = next(iter(right))
    exams.click("K0002", EXAM, first, right[first], "req-k2-0001", now=at(30))
    for k in range(2):
        with pytest.raises(quizzes.Refused):
            exams.click("K0002", EXAM, first, None, f"req-k2-late{k}", now=at(601 + k))
    exams.open_exam("K0004", EXAM, now=at(9000))  # still running when collected
    # K0003 never opens

    report = collect_sittings(site["course"], EXAM, now=at(700))
    assert report.collected == {"K0001": f"{EXAM}-a", "K0002": f"{EXAM}-a"}
    assert report.never_opened == ["K0003"] and report.late_clicks == {"K0002": 2}
    assert report.not_submitted == ["K0002"] and report.still_open == ["K0004"]
    text = report.text()
    assert "K0002（2 次）" in text and "K0003" in text and "未交卷" in text
    folder = site["course"] / "submitted" / "K0001" / f"{EXAM}-a"
    data = json.loads((folder / "answers.json").read_text(encoding="utf-8"))
    assert data["answers"] == right and data["officer"] == "K0001" and data["source"] == "学堂服务"
    assert (folder / "timestamp.txt").read_text() == "2026-11-23 08:03:20.000000 UTC"
    nb = json.loads((folder / "exam.ipynb").read_text(encoding="utf-8"))
    assert any("应当告知当事人" in "".join(c["source"]) for c in nb["cells"])
    late = json.loads((site["course"] / "submitted" / "K0002" / f"{EXAM}-a" / "answers.json").read_text())
    assert late["answers"] == {first: right[first]}  # the late clears were refused, the answer stands
    assert (site["course"] / "submitted" / "K0002" / f"{EXAM}-a" / "timestamp.txt").read_text().startswith(
        "2026-11-23 08:10:00")
    assert not (site["course"] / "submitted" / "K0003").exists()

    summary = grade_exam(site["course"], f"{EXAM}-a", progress=False, paper=site["paper"])
    assert not summary.refused and {r.student for r in summary.graded} == {"K0001", "K0002"}
    assert SMALL_PAPER["duration_minutes"] != 10  # the sitting's own length is not flagged as a doctored clock
    assert [r.flags for r in summary.graded] == [[], []]
    scores = {r.student: r.score for r in summary.graded}
    assert scores["K0001"] == pytest.approx(sum(i.points for i in key.items.values()))
    assert 0 < scores["K0002"] < scores["K0001"]
    # collecting again changes nothing (the record is the service's)
    again = collect_sittings(site["course"], EXAM, now=at(700))
    assert again.collected == report.collected
    assert json.loads((folder / "answers.json").read_text(encoding="utf-8"))["answers"] == right
    with db.session(site["url"]) as s:
        assert s.scalar(select(func.count(ExamClick.id))) == 2 * len(right) + 1 + 1 + 2


class InProcess:
    """The exam page's backend calling the service's functions in this process as the officer ``login`` (the HTTP
    rooms are tested on the real hub in tests/e2e/test_hub_exam.py)."""

    def __init__(self, login):
        self.login = login

    def exams(self):
        return exams.my_exams(self.login)

    def sitting(self, exam):
        return exams.open_exam(self.login, exam)

    def click(self, exam, question, value, request_id):
        return exams.click(self.login, exam, question, value, request_id)

    def submit(self, exam):
        return exams.submit(self.login, exam)


def test_the_exam_page_follows_the_service_clock_and_shows_a_refusal(site):
    import time

    from grading.sitting_widget import SiteExam

    exams.assign(EXAM, ["K0001"], "考务", minutes=0.05)  # three seconds
    page = SiteExam(InProcess("k0001"), timer=False)
    assert page.body.children == (page.start_button,) and "0.05 分钟" in page.officer_html.value
    page.start()
    assert page.data["state"] == "open" and "剩余时间 00:00:0" in page.clock_html.value
    key, item = next((k, i) for k, i in keys(page.data["sections"]) if i["type"] == "single")
    page.record(key, item["options"][0][0])
    assert page.answers == {key: item["options"][0][0]} and "已保存" in page.message_html.value
    time.sleep(3.2)
    page.record(key, item["options"][1][0])  # the kernel still shows the page enabled; the service refuses
    assert page.ended and "考试时间已到" in page.message_html.value
    assert page.inputs[key].response() == item["options"][0][0]  # back to what the service took
    assert all(i.control.disabled if hasattr(i.control, "disabled") else True for i in page.inputs.values())
    stored = clicks(site["url"])
    assert [(accepted, reason) for _, _, accepted, reason, _ in stored] == [(True, ""), (False, "考试时间已到，答案未被记录")]


# --- 现在收卷: the administrator ends sittings early ------------------------------------------------------------


def sitting_rows(url):
    with db.session(url) as s:
        return {n: (aware(c), by, why) for n, c, by, why in s.execute(
            select(Officer.officer_no, ExamSitting.closed_at, ExamSitting.closed_by, ExamSitting.close_reason)
            .join(Officer, ExamSitting.officer_id == Officer.id))}


def test_closing_ends_the_named_sittings_now_and_the_officers_clicks_are_refused(site):
    exams.assign(EXAM, OFFICERS, "考务", form="A", minutes=10)
    mine = exams.open_exam("K0001", EXAM, now=START)
    (key1, item1), (key2, item2) = list(keys(mine["sections"]))[:2]
    exams.click("K0001", EXAM, key1, some_value(item1), "req-close-01", now=at(5))
    exams.open_exam("K0002", EXAM, now=START)
    exams.submit("K0002", EXAM, now=at(8))
    exams.open_exam("K0004", EXAM, now=START)
    # K0003 has not opened his exam yet

    done = exams.close(EXAM, ["k0001", "K0002", "K0003"], "考务", "考场违纪", now=at(20))
    assert (done.closed, done.cancelled, done.ended, done.already) == (["K0001"], ["K0003"], ["K0002"], [])
    assert "收卷 1 人，取消未开考 1 人" in done.text()
    with pytest.raises(quizzes.Refused) as refused:
        exams.click("K0001", EXAM, key2, some_value(item2), "req-close-02", now=at(21))
    assert refused.value.status == 409 and "考试管理员已收卷" in str(refused.value)
    assert clicks(site["url"])[-1][2:4] == (False, "考试管理员已收卷，答案未被记录")  # stored as refused
    ended = exams.open_exam("K0001", EXAM, now=at(22))
    assert ended["state"] == "closed" and ended["answers"] == {key1: some_value(item1)}
    with pytest.raises(quizzes.Refused) as refused:
        exams.submit("K0001", EXAM, now=at(23))
    assert refused.value.status == 409 and "收卷" in str(refused.value)
    with pytest.raises(quizzes.Refused) as refused:  # not opened: he cannot start it any more
        exams.open_exam("K0003", EXAM, now=at(24))
    assert refused.value.status == 409 and "已取消" in str(refused.value)
    with pytest.raises(quizzes.Refused) as refused:
        exams.click("K0003", EXAM, key1, some_value(item1), "req-close-03", now=at(25))
    assert refused.value.status == 409 and "已取消" in str(refused.value)
    assert [e["state"] for e in exams.my_exams("K0003", now=at(26))] == ["cancelled"]
    # K0004 was not named: he goes on
    assert exams.click("K0004", EXAM, key1, some_value(item1), "req-close-04", now=at(27))["accepted"]

    before = sitting_rows(site["url"])
    assert before["K0001"] == (at(20), "考务", "考场违纪") and before["K0003"] == (at(20), "考务", "考场违纪")
    assert before["K0002"] == before["K0004"] == (None, None, None)
    again = exams.close(EXAM, ["K0001", "K0003"], "另一人", "再收一次", now=at(30))  # idempotent
    assert (again.closed, again.cancelled, again.already) == ([], [], ["K0001", "K0003"])
    assert sitting_rows(site["url"]) == before
    with pytest.raises(quizzes.Refused) as refused:  # someone without a sitting: the whole list is refused
        exams.close(EXAM, ["K0004", "K0009"], "考务", now=at(31))
    assert refused.value.status == 400 and "K0009" in str(refused.value)
    assert sitting_rows(site["url"]) == before

    everyone = exams.close(EXAM, None, "主考", None, now=at(40))
    assert (everyone.closed, everyone.already, everyone.ended) == (["K0004"], ["K0001", "K0003"], ["K0002"])
    states = {r["officer"]: r["state"] for r in exams.overview(EXAM, now=at(41))}
    assert states == {"K0001": "closed", "K0002": "submitted", "K0003": "cancelled", "K0004": "closed"}
    assert exams.STATES["closed"] == "已收卷（管理员）"

    report = collect_sittings(site["course"], EXAM, now=at(50))
    assert sorted(report.collected) == ["K0001", "K0002", "K0004"] and report.still_open == []
    assert report.cancelled == ["K0003"] and report.never_opened == [] and report.not_submitted == []
    assert report.closed_early == {"K0001": "考务 于 16:00:20 收卷，原因：考场违纪", "K0004": "主考 于 16:00:40 收卷"}
    assert report.other_refusals == {"K0001": 1, "K0003": 1}
    text = report.text()
    assert "考试管理员提前收卷" in text and "缺考/已取消" in text and "K0003" in text
    folder = site["course"] / "submitted" / "K0001" / f"{EXAM}-a"
    assert (folder / "timestamp.txt").read_text() == "2026-11-23 08:00:20.000000 UTC"  # the 收卷 time
    data = json.loads((folder / "answers.json").read_text(encoding="utf-8"))
    assert data["answers"] == {key1: some_value(item1)} and data["updated_at"].startswith("2026-11-23T08:00:20")
    summary = grade_exam(site["course"], f"{EXAM}-a", progress=False, paper=site["paper"])
    assert not summary.refused and sorted(r.student for r in summary.graded) == ["K0001", "K0002", "K0004"]
    assert [r.flags for r in summary.graded] == [[], [], []]  # a 收卷 time before the deadline is no doctored clock


def test_a_sitting_that_ran_out_of_time_is_not_closed_and_a_closed_one_cannot_be_submitted(site):
    exams.assign(EXAM, ["K0001", "K0002"], "考务", minutes=1)
    exams.open_exam("K0001", EXAM, now=START)
    exams.open_exam("K0002", EXAM, now=at(30))
    done = exams.close(EXAM, None, "考务", "考场停电", now=at(61))  # K0001's deadline passed a second ago
    assert (done.closed, done.ended) == (["K0002"], ["K0001"])
    assert exams.overview(EXAM, now=at(62))[0]["state"] == "time_up"
    report = collect_sittings(site["course"], EXAM, now=at(62))
    assert report.not_submitted == ["K0001"] and list(report.closed_early) == ["K0002"]
    assert (site["course"] / "submitted" / "K0001" / f"{EXAM}-a" / "timestamp.txt").read_text().startswith(
        "2026-11-23 08:01:00")


def test_the_close_command_and_sittings_show_who_ended_it(site, capsys):
    from academy.cli import main

    exams.assign(EXAM, OFFICERS[:3], "考务", form="A")
    exams.open_exam("K0001", EXAM, now=dt.datetime.now(dt.timezone.utc))
    exams.open_exam("K0002", EXAM, now=dt.datetime.now(dt.timezone.utc))
    assert main(["exam", "close", EXAM, "--officer", "K0001", "--reason", "考场违纪"]) == 0
    out = capsys.readouterr().out
    assert "收卷 1 人" in out and "K0001" in out
    assert main(["exam", "close", EXAM, "--officer", "K0009"]) == 1
    assert "K0009" in capsys.readouterr().err
    assert main(["exam", "sittings", EXAM]) == 0
    lines = {line.split()[0]: line for line in capsys.readouterr().out.splitlines()[1:]}
    assert "已收卷（管理员）" in lines["K0001"] and "原因：考场违纪" in lines["K0001"]
    assert "作答中" in lines["K0002"] and "未打开" in lines["K0003"]
    assert main(["exam", "close", EXAM]) == 0  # everyone still sitting
    assert "收卷 1 人，取消未开考 1 人" in capsys.readouterr().out
    assert main(["exam", "close", EXAM]) == 0  # again: nothing changes
    assert "收卷 0 人，取消未开考 0 人" in capsys.readouterr().out


def test_the_exam_page_stops_when_the_administrator_closes_it(site):
    from grading.sitting_widget import SiteExam

    exams.assign(EXAM, ["K0001", "K0002", "K0003"], "考务")
    page = SiteExam(InProcess("k0001"), timer=False)
    page.start()
    key, item = next((k, i) for k, i in keys(page.data["sections"]) if i["type"] == "single")
    page.record(key, item["options"][0][0])
    page.check_closed()  # the page's minute check: still running
    assert not page.ended
    exams.close(EXAM, ["K0001"], "考务", "考场违纪")
    page.check_closed()
    assert page.ended and "考试管理员已收卷" in page.message_html.value
    assert all(i.control.disabled if hasattr(i.control, "disabled") else True for i in page.inputs.values())
    # another clicks after his 收卷 on a page that has not asked yet: the service refuses, the page says so and stops
    other = SiteExam(InProcess("k0002"), timer=False)
    other.start()
    key, item = next((k, i) for k, i in keys(other.data["sections"]) if i["type"] == "single")
    other.record(key, item["options"][0][0])
    exams.close(EXAM, ["K0002"], "考务")
    other.record(key, item["options"][1][0])
    assert other.ended and "本次作答未被记录：考试管理员已收卷" in other.message_html.value
    assert other.inputs[key].response() == item["options"][0][0]  # back to what the service took
    # one closed before he opened it: no start button, the page says it was cancelled
    exams.close(EXAM, ["K0003"], "考务")
    third = SiteExam(InProcess("k0003"), timer=False)
    assert "已取消" in third.message_html.value and third.body.children == ()
