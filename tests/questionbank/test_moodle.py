"""Moodle XML: the structure Moodle's XML importer (qformat_xml) reads, with fractions from Moodle's grade list."""

from pathlib import Path

from lxml import etree

from questionbank.formats.moodle import moodle_xml
from questionbank.loading import load_bank

TEMPLATES = Path(__file__).resolve().parents[2] / "questionbank" / "templates"
# question/type/multichoice and lib/questionlib: the grade options Moodle accepts (percent)
MOODLE_GRADES = {100, 90, 83.33333, 80, 75, 70, 66.66667, 60, 50, 40, 33.33333, 30, 25, 20, 16.66667, 14.28571, 12.5,
                 11.11111, 10, 5, 0}


def test_every_type_maps_to_a_moodle_question():
    questions = load_bank().questions + load_bank([TEMPLATES]).questions
    root = etree.fromstring(moodle_xml(questions))
    exported = {q.findtext("idnumber"): q for q in root.findall("question") if q.get("type") != "category"}
    assert len(exported) == len({q.id for q in questions})
    for q in questions:
        element = exported[q.id]
        expected = {"single": "multichoice", "multiple": "multichoice", "judge": "truefalse", "case": "essay",
                    "numeric": "numerical" if q.answer is not None else "shortanswer"}[q.type]
        assert element.get("type") == expected
        assert element.findtext("name/text") == q.id
        assert q.stem.splitlines()[0][:10] in element.findtext("questiontext/text")
        answers = element.findall("answer")
        fractions = [float(a.get("fraction")) for a in answers]
        assert all(abs(abs(f) - min(MOODLE_GRADES, key=lambda g: abs(g - abs(f)))) < 1e-4 for f in fractions)
        if q.type in ("single", "multiple"):
            assert element.findtext("single") == ("true" if q.type == "single" else "false")
            assert len(answers) == len(q.options)
            correct = [a.findtext("text") for a in answers if float(a.get("fraction")) > 0]
            assert sorted(correct) == sorted(q.options[k] for k in q.key_options())
            assert round(sum(f for f in fractions if f > 0), 2) == 100
        if q.type == "judge":
            right = next(a.findtext("text") for a in answers if a.get("fraction") == "100")
            assert right == ("true" if q.answer else "false")
        if q.type == "case":
            info = element.findtext("graderinfo/text")
            assert all(r.point in info for p in q.parts for r in p.rubric)


def test_categories_come_from_topics():
    root = etree.fromstring(moodle_xml(load_bank([TEMPLATES]).questions))
    categories = [q.findtext("category/text") for q in root.findall("question[@type='category']")]
    assert "$course$/执法学堂/行政处罚听证程序" in categories
