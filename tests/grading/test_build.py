"""Building an exam: the nbgrader source and release of each form, and the release holds no key in any file."""

import json
from pathlib import Path

import nbformat
import pytest

from grading.build import ANSWER_STUB, CONFIG_FILE, COURSE_ID, BuildError, build, course_config
from grading.paper import case_part_points, load_paper, paper_from_mapping, write_paper
from questionbank.loading import load_bank

EXAM = "cert-test-q4"
SMALL_PAPER = {
    "exam": EXAM,
    "title": "测试用行政执法人员资格考试",
    "duration_minutes": 90,
    "total": 100,
    "pass_mark": 60,
    "multiple_rule": "partial_half",
    "seed": 7,
    "forms": [
        {"form": "A", "sections": [
            {"id": "single", "title": "单项选择题", "type": "single", "points": 5,
             "questions": ["qz-execution-001", "qz-execution-004", "qz-execution-007", "qz-execution-009"]},
            {"id": "multiple", "title": "多项选择题", "type": "multiple", "points": 10,
             "questions": ["qz-execution-003", "qz-execution-005", "qz-execution-010"]},
            {"id": "judge", "title": "判断题", "type": "judge", "points": 5,
             "questions": ["qz-execution-002", "qz-execution-006", "qz-execution-008", "qz-execution-013"]},
            {"id": "case", "title": "案例分析题", "type": "case", "points": 30, "questions": ["qz-execution-048"]},
        ]},
        {"form": "B", "sections": [
            {"id": "single", "title": "单项选择题", "type": "single", "points": 5,
             "questions": ["qz-execution-018", "qz-execution-019", "qz-execution-007", "qz-execution-009"]},
            {"id": "multiple", "title": "多项选择题", "type": "multiple", "points": 10,
             "questions": ["qz-execution-011", "qz-execution-014", "qz-execution-015"]},
            {"id": "judge", "title": "判断题", "type": "judge", "points": 5,
             "questions": ["qz-execution-016", "qz-execution-017", "qz-execution-008", "qz-execution-013"]},
            {"id": "case", "title": "案例分析题", "type": "case", "points": 30, "questions": ["qz-execution-049"]},
        ]},
    ],
}


def small_paper(tmp_path: Path):
    """The small two-form paper above, written and read back as ``academy exam assemble`` would leave it."""
    path = tmp_path / "paper.yaml"
    write_paper(paper_from_mapping(SMALL_PAPER), path)
    return load_paper(path)


_BANK = None


def bank_questions():
    global _BANK
    if _BANK is None:
        _BANK = load_bank().questions
    return _BANK


def built_course(tmp_path: Path) -> Path:
    course = tmp_path / "course"
    build(small_paper(tmp_path), bank_questions(), course)
    return course


@pytest.fixture(scope="module")
def course(tmp_path_factory):
    return built_course(tmp_path_factory.mktemp("exam"))


def nbgrader_meta(cell):
    return cell.metadata.get("nbgrader", {})


def test_build_writes_source_and_release_for_each_form(course):
    for name in ("cert-test-q4-a", "cert-test-q4-b"):
        for step in ("source", "release"):
            folder = course / step / name
            assert sorted(p.name for p in folder.iterdir()) == ["exam.ipynb", "exam.json"], folder
    assert (course / "nbgrader_config.py").read_text(encoding="utf-8").count('course_id = "academy"') == 1
    assert (course / "gradebook.db").is_file()


def test_the_course_config_is_one_file_configuring_the_course_it_is_copied_into(course):
    assert (course / "nbgrader_config.py").read_text(encoding="utf-8") == CONFIG_FILE.read_text(encoding="utf-8")
    config = course_config(course)
    assert config.CourseDirectory.course_id == COURSE_ID
    assert config.CourseDirectory.root == str(course.resolve())
    assert config.CourseDirectory.db_url == f"sqlite:///{course.resolve() / 'gradebook.db'}"
    assert config.ClearSolutions.text_stub == ANSWER_STUB
    shipped = course_config(CONFIG_FILE.parent)
    assert shipped.CourseDirectory.db_url == f"sqlite:///{CONFIG_FILE.parent / 'gradebook.db'}"


def test_the_notebook_cells_follow_the_spec(course, tmp_path):
    paper = small_paper(tmp_path)
    by_id = {q.id: q for q in bank_questions()}
    nb = nbformat.read(course / "release" / "cert-test-q4-a" / "exam.ipynb", as_version=4)
    cells = nb.cells
    assert cells[0].cell_type == "markdown" and cells[0].source.startswith("# 测试用行政执法人员资格考试")
    assert "90 分钟" in cells[0].source and nbgrader_meta(cells[0])["locked"]
    assert cells[1].source == "from grading.exam_widget import ExamSession\n\nexam = ExamSession()\nexam"
    meta = nbgrader_meta(cells[1])
    assert {k: meta[k] for k in ("grade", "grade_id", "locked", "schema_version", "solution")} == {
        "grade": False, "grade_id": "session", "locked": True, "schema_version": 3, "solution": False}
    assert meta["checksum"]  # nbgrader's own GenerateAssignment made this notebook
    grade = {nbgrader_meta(c)["grade_id"]: c for c in cells if nbgrader_meta(c).get("grade")}
    expected = {}
    for section in paper.form("A").sections:
        sec = next(c for c in cells if nbgrader_meta(c).get("grade_id") == f"section-{section.id}")
        assert sec.source == f'exam.section("{section.id}")' and nbgrader_meta(sec)["locked"]
        assert not nbgrader_meta(sec)["grade"]
        for qid in section.questions:
            if section.type != "case":
                expected[f"q-{qid}"] = (f'exam.status("{qid}")', section.points, "code", False)
                continue
            for pid, (points, auto) in case_part_points(by_id[qid], section.points).items():
                if auto:
                    expected[f"q-{qid}-{pid}"] = (f'exam.status("{qid}/{pid}")', points, "code", False)
                else:
                    expected[f"case-{qid}-{pid}"] = (ANSWER_STUB, points, "markdown", True)
    assert set(grade) == set(expected)
    for grade_id, (source, points, kind, solution) in expected.items():
        cell, meta = grade[grade_id], nbgrader_meta(grade[grade_id])
        assert (cell.source, cell.cell_type) == (source, kind), grade_id
        assert meta["points"] == pytest.approx(points)
        assert meta["solution"] is solution and meta["locked"] is (not solution) and meta["schema_version"] == 3
        if kind == "code":
            assert cell.outputs == []
    assert sum(nbgrader_meta(c)["points"] for c in grade.values()) == pytest.approx(100)
    # every cell but the answer cells is locked
    assert all(nbgrader_meta(c)["locked"] for c in cells if not nbgrader_meta(c).get("solution"))


def test_exam_json_is_the_public_paper(course):
    public = json.loads((course / "release" / "cert-test-q4-b" / "exam.json").read_text(encoding="utf-8"))
    assert (public["exam"], public["assignment"], public["form"]) == (EXAM, "cert-test-q4-b", "B")
    assert public["duration_minutes"] == 90 and public["multiple_rule"] == "partial_half"
    assert [s["id"] for s in public["sections"]] == ["single", "multiple", "judge", "case"]
    single = public["sections"][0]["questions"][0]
    assert set(single) == {"id", "type", "stem", "points", "options"}
    case = public["sections"][3]["questions"][0]
    assert {p["type"] for p in case["parts"]} >= {"open"}
    assert all(set(p) <= {"id", "type", "stem", "points", "auto", "options"} for p in case["parts"])


def _strings(question):
    """Every piece of text of a question that is key material (to find in no released file)."""
    secret = [question.explanation]
    for part in question.parts:
        secret.append(part.reference)
        secret += [r.point for r in part.rubric]
    return [s for s in secret if s and s.strip()]


def _walk_keys(value, path=""):
    if isinstance(value, dict):
        for k, v in value.items():
            yield f"{path}.{k}", k
            yield from _walk_keys(v, f"{path}.{k}")
    elif isinstance(value, list):
        for i, v in enumerate(value):
            yield from _walk_keys(v, f"{path}[{i}]")


def test_no_key_in_any_released_file(course, tmp_path):
    paper = small_paper(tmp_path)
    by_id = {q.id: q for q in bank_questions()}
    questions = [by_id[qid] for qid in sorted(paper.question_ids())]
    files = [p for p in (course / "release").rglob("*") if p.is_file()]
    files += [p for p in (course / "source").rglob("*") if p.is_file()]
    assert len(files) == 8
    for path in files:
        text = path.read_text(encoding="utf-8")
        for q in questions:
            public_text = q.stem + "".join(q.options.values()) + "".join(
                p.stem + "".join(p.options.values()) for p in q.parts)
            for secret in _strings(q):
                if secret in public_text:  # a phrase of the stem itself is not a key
                    continue
                assert secret not in text, (path, q.id, secret)
        for word in ("解析", "评分要点", "参考答案", "answer\"", "rubric", "explanation", "reference", "basis"):
            assert word not in text, (path, word)
        data = json.loads(text)  # both the notebook and exam.json are JSON
        names = {name for _, name in _walk_keys(data)}
        assert not names & {"answer", "answers", "key", "explanation", "rubric", "reference", "basis", "accepted"}, path
    # the public paper holds the questions with exactly the whitelisted fields, nothing else of the bank
    for path in (course / "release").rglob("exam.json"):
        public = json.loads(path.read_text(encoding="utf-8"))
        for section in public["sections"]:
            for q in section["questions"]:
                bank_q = by_id[q["id"]]
                assert q["stem"] == bank_q.stem and q.get("options", {}) == bank_q.options
                for part, bank_part in zip(q.get("parts", []), bank_q.parts):
                    assert part["stem"] == bank_part.stem and part.get("options", {}) == bank_part.options


def test_a_paper_with_unknown_or_mistyped_questions_is_refused(tmp_path):
    raw = json.loads(json.dumps(SMALL_PAPER))
    raw["forms"] = raw["forms"][:1]
    raw["forms"][0]["sections"][0]["questions"][0] = "no-such-question"
    raw["forms"][0]["sections"][1]["questions"][0] = "qz-execution-016"  # a judge question in 多选
    with pytest.raises(BuildError) as info:
        build(paper_from_mapping(raw), bank_questions(), tmp_path / "course")
    message = str(info.value)
    assert "题库中没有题目 no-such-question" in message and "qz-execution-016" in message
    assert not (tmp_path / "course" / "release").exists()


def test_rebuilding_is_stable(tmp_path):
    course = built_course(tmp_path)
    first = {p: p.read_bytes() for p in (course / "release").rglob("*") if p.is_file()}
    build(small_paper(tmp_path), bank_questions(), course)
    second = {p: p.read_bytes() for p in (course / "release").rglob("*") if p.is_file()}
    assert first == second


def test_a_stray_file_in_the_source_is_never_released(tmp_path):
    course = built_course(tmp_path)
    (course / "source" / "cert-test-q4-a" / "keys.txt").write_text("B", encoding="utf-8")
    with pytest.raises(BuildError, match="keys.txt"):
        build(small_paper(tmp_path), bank_questions(), course)
    assert not (course / "release" / "cert-test-q4-a").exists()


def test_the_graders_get_the_rubric_outside_source_and_release(course):
    by_id = {q.id: q for q in bank_questions()}
    case = by_id["qz-execution-048"]
    guide = (course / "rubrics" / "cert-test-q4-a.md").read_text(encoding="utf-8")
    for part in case.parts:
        if part.type == "open":
            assert part.reference.strip()[:20] in guide and all(r.point in guide for r in part.rubric)
            points, _auto = case_part_points(case, 30)[part.id]
            assert f"答题框 case-qz-execution-048-{part.id}（{points:g} 分）" in guide
    released = [p for p in (course / "release").rglob("*") if p.is_file()]
    assert released and all("rubrics" not in str(p) for p in released)
    assert not list((course / "source").rglob("*.md"))
