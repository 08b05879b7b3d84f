"""The answers file: atomic writes, a corrupt file kept aside, the deadline fixed at first opening, the order."""

import hashlib
import json
import os
from datetime import datetime, timedelta, timezone

import pytest

from grading.answers import AnswerFile, exam_seed, option_order, shuffle_order

T0 = datetime(2026, 11, 23, 8, 0, tzinfo=timezone.utc)


def test_start_fixes_the_deadline_once_and_record_writes_at_once(tmp_path):
    f = AnswerFile(tmp_path)
    data = f.start("cert-2026-q4", "cert-2026-q4-a", "A0001", 90, now=T0)
    assert data["seed"] == exam_seed("cert-2026-q4", "A0001")
    assert (data["started_at"], data["deadline"]) == ("2026-11-23T08:00:00+00:00", "2026-11-23T09:30:00+00:00")
    f.record("cf-hearing-001", "B", now=T0 + timedelta(minutes=1))
    f.record("cf-general-003", ["C", "A"], now=T0 + timedelta(minutes=2))
    f.record("fy-review-010", False, now=T0 + timedelta(minutes=3))
    f.record("cf-hearing-990/p1", "A", now=T0 + timedelta(minutes=4))
    on_disk = json.loads((tmp_path / "answers.json").read_text(encoding="utf-8"))
    assert on_disk["answers"] == {"cf-hearing-001": "B", "cf-general-003": ["A", "C"], "fy-review-010": False,
                                  "cf-hearing-990/p1": "A"}
    assert on_disk["updated_at"] == "2026-11-23T08:04:00+00:00"
    assert list(on_disk) == ["exam", "assignment", "officer", "seed", "started_at", "deadline", "updated_at",
                             "answers"]
    # reopened later (kernel restart): the first opening's deadline stays, the answers stay
    again = AnswerFile(tmp_path).start("cert-2026-q4", "cert-2026-q4-a", "A0001", 90, now=T0 + timedelta(hours=1))
    assert again["deadline"] == "2026-11-23T09:30:00+00:00" and again["answers"] == on_disk["answers"]
    # clearing an answer removes it
    f.record("cf-general-003", [])
    f.record("cf-hearing-001", None)
    assert AnswerFile(tmp_path).load()["answers"] == {"fy-review-010": False, "cf-hearing-990/p1": "A"}
    assert [p.name for p in tmp_path.iterdir()] == ["answers.json"]  # no temp file left


def test_save_is_atomic(tmp_path, monkeypatch):
    f = AnswerFile(tmp_path)
    f.start("e", "e-a", "A0001", 60, now=T0)
    f.record("q1", "A")
    before = (tmp_path / "answers.json").read_text(encoding="utf-8")

    def broken_replace(src, dst):
        raise OSError("disk full")

    monkeypatch.setattr(os, "replace", broken_replace)
    with pytest.raises(OSError):
        f.record("q2", "B")
    assert (tmp_path / "answers.json").read_text(encoding="utf-8") == before  # the old file is whole
    assert [p.name for p in tmp_path.iterdir()] == ["answers.json"]


@pytest.mark.parametrize("content", [b'{"answers": {"q1": "A"', b"\xff\xfe garbage", b"[1, 2, 3]",
                                     b'{"answers": "A"}'])
def test_a_corrupt_file_is_kept_and_a_fresh_one_started(tmp_path, content):
    (tmp_path / "answers.json").write_bytes(content)
    f = AnswerFile(tmp_path)
    assert f.load() == {}
    assert "已损坏" in f.problem
    assert (tmp_path / "answers.json.corrupt").read_bytes() == content
    f.start("e", "e-a", "A0001", 60, now=T0)
    f.record("q1", "B")
    assert AnswerFile(tmp_path).load()["answers"] == {"q1": "B"}
    (tmp_path / "answers.json").write_bytes(b"{")
    AnswerFile(tmp_path).load()
    assert (tmp_path / "answers.json.corrupt-2").read_bytes() == b"{"


def test_a_file_of_another_officer_or_exam_is_not_taken_over(tmp_path):
    AnswerFile(tmp_path).start("e", "e-a", "A0001", 60, now=T0)
    with pytest.raises(PermissionError, match="A0001"):
        AnswerFile(tmp_path).start("e", "e-a", "A0002", 60, now=T0)
    with pytest.raises(PermissionError, match="考试"):
        AnswerFile(tmp_path).start("other", "other-a", "A0001", 60, now=T0)


def test_order_is_deterministic_per_exam_and_officer():
    items = [f"q{i:03d}" for i in range(30)]
    a1 = shuffle_order("cert-2026-q4", "A0001", items, salt="single")
    assert a1 == shuffle_order("cert-2026-q4", "A0001", list(items), salt="single")
    assert sorted(a1) == items and a1 != items
    assert a1 != shuffle_order("cert-2026-q4", "A0002", items, salt="single")
    assert a1 != shuffle_order("cert-2026-q5", "A0001", items, salt="single")
    assert a1 != shuffle_order("cert-2026-q4", "A0001", items, salt="judge")
    # known values: the order never changes between machines or Python versions
    assert option_order("cert-2026-q4", "A0001", "cf-hearing-001", "ABCD") == ["B", "D", "A", "C"]
    orders = {tuple(option_order("cert-2026-q4", f"A{n:04d}", "cf-hearing-001", "ABCD")) for n in range(200)}
    assert len(orders) > 15  # 24 possible
    assert exam_seed("cert-2026-q4", "A0001") == hashlib.sha256(b"cert-2026-q4|A0001").hexdigest()
