import statistics
from pathlib import Path

import pytest

from grading.item_stats import (
    ItemStat,
    ItemStatsStore,
    ResponseRow,
    compute_item_stats,
    keys_from_questions,
    load_item_stats,
    plot_item_stats,
    record_exam,
    save_item_stats,
)
from questionbank.loading import load_bank

OFFICERS = ["o1", "o2", "o3", "o4", "o5"]
TOTALS = {"o1": 4, "o2": 3, "o3": 2, "o4": 1, "o5": 0}
# officer: (q1 chosen, points), (q2 chosen, points of 2), (q3 chosen, points)
TABLE = {
    "o1": (("A", 1), (["A", "C"], 2), (True, 1)),
    "o2": (("A", 1), (["A"], 1), (True, 1)),
    "o3": (("B", 0), (["C", "A"], 2), (False, 0)),
    "o4": (("A", 1), (["B"], 0), (None, 0)),
    "o5": (("C", 0), ([], 0), (False, 0)),
}
EXTRA = {"q4": [1, 1, 1, 1, 1], "q5": [0, 0, 0, 0, 0], "q6": [0, 0, 1, 1, 1]}


def _rows():
    rows = []
    for o, answers in TABLE.items():
        for qid, (chosen, pts), top in zip(("q1", "q2", "q3"), answers, (1, 2, 1)):
            rows.append({"officer": o, "question": qid, "points": pts, "max_points": top, "chosen": chosen})
    for qid, pts in EXTRA.items():
        rows += [ResponseRow(o, qid, p, 1, "A" if p else "B") for o, p in zip(OFFICERS, pts)]
    return rows


def _expected_rpb(points):
    return statistics.correlation(points, [TOTALS[o] - p for o, p in zip(OFFICERS, points)])


def test_statistics_on_a_hand_computed_table():
    stats = compute_item_stats(_rows(), totals=TOTALS, keys={"q1": "A", "q2": ("A", "C"), "q3": True})
    q1, q2, q3 = stats["q1"], stats["q2"], stats["q3"]
    assert q1.n == 5 and q1.p == pytest.approx(3 / 5)
    assert q2.p == pytest.approx((1 + 0.5 + 1 + 0 + 0) / 5) and q2.max_points == 2
    assert q3.p == pytest.approx(2 / 5)
    assert q1.point_biserial == pytest.approx(_expected_rpb([1, 1, 0, 1, 0]), abs=1e-6)
    assert q2.point_biserial == pytest.approx(_expected_rpb([2, 1, 2, 0, 0]), abs=1e-6)
    # 27 % of 5 officers rounds to 1: upper = o1 (total 4), lower = o5 (total 0)
    assert (q1.upper_p, q1.lower_p, q1.discrimination) == (1.0, 0.0, 1.0)
    assert q2.discrimination == pytest.approx(1.0)
    assert q1.choices == {"A": 3, "B": 1, "C": 1}
    assert q2.choices == {"A": 3, "B": 1, "C": 2, "未作答": 1}
    assert q3.choices == {"正确": 2, "错误": 2, "未作答": 1}
    assert q1.upper_choices == {"A": 1}
    assert q1.flags == q2.flags == q3.flags == []


def test_flags():
    stats = compute_item_stats(_rows(), totals=TOTALS, keys={"q1": "B", "q3": False})
    assert stats["q4"].flags == ["太容易"] and stats["q4"].point_biserial is None
    assert stats["q5"].flags == ["太难"]
    assert stats["q6"].point_biserial == pytest.approx(_expected_rpb(EXTRA["q6"]), abs=1e-6)
    assert stats["q6"].flags == ["区分度低"]
    assert "答案可能有误" in stats["q1"].flags  # the top group chose A, the key says B
    assert "答案可能有误" in stats["q3"].flags


def test_totals_default_to_the_sum_of_the_rows():
    rows = [("a", "x", 1, 1, "A"), ("b", "x", 0, 1, "B"), ("a", "y", 1, 1, "A"), ("b", "y", 1, 1, "A")]
    stats = compute_item_stats(rows)
    assert stats["x"].p == 0.5 and stats["y"].p == 1.0
    assert stats["x"].upper_choices == {"A": 1}


def test_store_round_trip_and_pooling(tmp_path: Path):
    path = tmp_path / "stats" / "item_stats.json"
    assert load_item_stats(path).exams == {}
    one = {"q": ItemStat("q", 10, 1, 0.8, 0.3, 0.4, 0.9, 0.5)}
    two = {"q": ItemStat("q", 30, 1, 0.4, 0.2, 0.1, 0.5, 0.4), "r": ItemStat("r", 5, 2, 0.5, None, None, None, None)}
    record_exam("e1", one, path)
    record_exam("e2", two, path)
    store = load_item_stats(path)
    assert store.exams["e1"]["q"] == one["q"] and store.exams["e2"]["r"] == two["r"]
    pooled = store.pooled()
    assert pooled["q"].p == pytest.approx((0.8 * 10 + 0.4 * 30) / 40) and pooled["q"].n == 40
    record_exam("e2", one, path)  # a re-run replaces the exam
    assert load_item_stats(path).pooled()["q"].n == 20
    save_item_stats(ItemStatsStore(), path)
    assert load_item_stats(path).exams == {}


def test_default_location_is_the_data_folder_never_the_source_tree(monkeypatch, tmp_path):
    from grading.item_stats import stats_path
    from ground.settings import PROJECT_ROOT

    monkeypatch.delenv("ACADEMY_ITEM_STATS", raising=False)
    monkeypatch.setenv("ACADEMY_HOME", str(tmp_path / "data"))
    assert stats_path() == (tmp_path / "data").resolve() / "item_stats.json"
    assert PROJECT_ROOT not in stats_path().parents
    record_exam("e1", {"q": ItemStat("q", 10, 1, 0.8, 0.3, 0.4, 0.9, 0.5)})
    assert load_item_stats().exams["e1"]["q"].n == 10
    assert load_item_stats(stats_path()).exams  # the reader of assembly (load_item_stats default) reads this file


def test_any_json_value_as_a_response_is_counted_never_crashes():
    weird = ["\ud800", "A" * 100_000, {"x": [1]}, 1e308, [["A"]], ["\udfff", "B"], -1, "ａ", ""]
    rows = [ResponseRow(f"o{n}", "q", n % 2, 1, value) for n, value in enumerate(weird)]
    stats = compute_item_stats(rows, keys={"q": "B"})
    assert sum(stats["q"].choices.values()) >= len(weird)
    assert set(stats["q"].choices) <= {"B", "无效作答", "未作答"}
    import json

    json.dumps({k: v for k, v in stats["q"].choices.items()}, ensure_ascii=False).encode("utf-8")


def test_keys_from_the_bank_cover_case_parts():
    keys = keys_from_questions(load_bank().questions)
    case = next(q for q in load_bank().questions if q.type == "case")
    objective = [p for p in case.parts if p.type != "open"]
    assert all(keys[f"{case.id}/{p.id}"] == p.answer for p in objective)
    assert not any(k.endswith(f"/{p.id}") and k.startswith(case.id) for p in case.parts if p.type == "open"
                   for k in keys)


def test_chart_is_written(tmp_path: Path):
    stats = compute_item_stats(_rows(), totals=TOTALS)
    path = plot_item_stats(stats, tmp_path / "chart.png", "测试考试 题目分析")
    assert path.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n" and path.stat().st_size > 10_000
