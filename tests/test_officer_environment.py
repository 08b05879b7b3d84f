"""The officer's environment holds no keys. The wheel the officers' image installs (deploy/officer-lab/Dockerfile)
has no item file and no confirmed key, and the image copies nothing else of the source tree; the exam widget works
and the course pages import where the items are absent (the image) or unreadable (one machine, as an officer's
account), while load_bank says clearly why it cannot read the bank."""

import json
import os
import pwd
import shutil
import subprocess
import sys
import tempfile
import zipfile
from pathlib import Path

import pytest
import yaml

from tests.grading.helpers import ASSIGNMENT, make_course

ROOT = Path(__file__).resolve().parents[1]
PACKAGES = ("ground", "academy", "curriculum", "questionbank", "grading", "tracker", "service")

# run in the officer's environment: the exam page (widget, one click, submit's module) and the course glue, then the bank
OFFICER_SCRIPT = r"""
import json, sys
from pathlib import Path
out = {}
import academy.learning, grading.exchange
from grading.exam_widget import ExamSession
out["where"] = str(Path(sys.modules["grading.exam_widget"].__file__).resolve())
exam = ExamSession(sys.argv[1], officer="A0001", timer=False)
for section in exam.paper["sections"]:
    exam.section(section["id"])
key = next(k for k, inputs in exam.inputs.items() if inputs[0].type == "judge")
exam.record(key, True)
out["answers"] = json.loads((Path(sys.argv[1]) / "answers.json").read_text(encoding="utf-8"))["answers"]
from questionbank.loading import load_bank
try:
    load_bank()
    out["bank"] = "loaded"
except Exception as exc:
    out["bank"] = f"{type(exc).__name__}: {exc}"
print(json.dumps(out, ensure_ascii=False))
"""


def copy_packages(target: Path) -> None:
    for package in PACKAGES:
        shutil.copytree(ROOT / package, target / package, ignore=shutil.ignore_patterns("__pycache__", "*.pyc"))


@pytest.fixture(scope="module")
def wheel(tmp_path_factory) -> Path:
    """The project's wheel, built by pip from a copy of the tree (the build leaves nothing in the worktree)."""
    source = tmp_path_factory.mktemp("source")
    for name in ("pyproject.toml", "README.md"):
        shutil.copyfile(ROOT / name, source / name)
    copy_packages(source)
    dist = tmp_path_factory.mktemp("dist")
    done = subprocess.run([sys.executable, "-m", "pip", "wheel", "--no-deps", "-q", "-w", str(dist), str(source)],
                          capture_output=True, text=True, timeout=600)
    assert done.returncode == 0, done.stdout + done.stderr
    (built,) = dist.glob("zhifa_xuetang-*.whl")
    return built


@pytest.fixture(scope="module")
def released(tmp_path_factory) -> Path:
    """A released exam folder (built on the administrator's side, where the bank is)."""
    course, _paper = make_course(tmp_path_factory.mktemp("exam"))
    return course / "release" / ASSIGNMENT


def run_officer(python_path: Path, folder: Path, home: Path, user: str | None = None) -> dict:
    env = {"PATH": os.environ["PATH"], "PYTHONPATH": str(python_path), "HOME": str(home),
           "ACADEMY_HOME": str(home / "academy"), "LANG": "C.UTF-8"}
    extra = {"user": user, "group": pwd.getpwnam(user).pw_gid, "extra_groups": []} if user else {}
    done = subprocess.run([sys.executable, "-c", OFFICER_SCRIPT, str(folder)], cwd=home, env=env, capture_output=True,
                          text=True, timeout=300, **extra)
    assert done.returncode == 0, done.stdout + done.stderr
    return json.loads(done.stdout.strip().splitlines()[-1])


def test_the_wheel_holds_no_item_and_no_key(wheel):
    with zipfile.ZipFile(wheel) as archive:
        names = archive.namelist()
        assert "grading/exam_widget.py" in names and "questionbank/catalog/laws.yaml" in names  # it is the project
        assert not [n for n in names if n.startswith("questionbank/items/") or "key_check_confirmed" in n]
        assert not [n for n in names if n.endswith((".db", ".sqlite3", "admin-token", "cookie_secret"))]
        assert not [n for n in names if n.startswith(("grading/course/source", "grading/course/release", "rubrics"))]
        for name in names:
            if name.endswith((".yaml", ".yml")):
                data = yaml.safe_load(archive.read(name))
                assert not (isinstance(data, dict) and ("questions" in data or "confirmed" in data)), name


def test_without_items_the_exam_works_and_load_bank_says_why(wheel, released, tmp_path):
    """The officers' image: only the wheel is installed, so there is no item folder at all."""
    site = tmp_path / "site"
    with zipfile.ZipFile(wheel) as archive:
        archive.extractall(site)
    folder = tmp_path / "desk" / ASSIGNMENT
    shutil.copytree(released, folder)
    home = tmp_path / "home"
    home.mkdir()
    out = run_officer(site, folder, home)
    assert out["where"].startswith(str(site.resolve()))  # the wheel's code, not the worktree's
    assert list(out["answers"].values()) == [True]
    assert out["bank"].startswith("FileNotFoundError") and "不含题库答案" in out["bank"]


def test_unreadable_items_on_one_machine(released):
    """One machine: the source tree with questionbank/items readable by root only, the exam run by another account."""
    if os.geteuid() != 0:
        pytest.fail("this test switches to the account nobody and needs root (CI runs as root)")
    base = Path(tempfile.mkdtemp(prefix="officer-env-", dir="/tmp"))
    try:
        os.chmod(base, 0o755)
        copy_packages(base / "tree")
        for dirname, _dirs, files in os.walk(base / "tree"):
            os.chmod(dirname, 0o755)
            for name in files:
                os.chmod(os.path.join(dirname, name), 0o644)
        os.chmod(base / "tree" / "questionbank" / "items", 0o700)
        nobody = pwd.getpwnam("nobody")
        folder = base / "desk" / ASSIGNMENT
        shutil.copytree(released, folder)
        home = base / "home"
        home.mkdir()
        for path in (base / "desk", folder, *folder.iterdir(), home):
            os.chown(path, nobody.pw_uid, nobody.pw_gid)
        out = run_officer(base / "tree", folder, home, user="nobody")
        assert out["where"].startswith(str(base / "tree"))
        assert list(out["answers"].values()) == [True]
        assert out["bank"].startswith("PermissionError") and "无权读取题库" in out["bank"]
    finally:
        shutil.rmtree(base)


def test_the_officers_image_copies_no_part_of_the_bank():
    text = (ROOT / "deploy" / "officer-lab" / "Dockerfile").read_text(encoding="utf-8").replace("\\\n", " ")
    sources = [s for line in text.splitlines() if line.startswith("COPY") for s in line.split()[1:-1]
               if not s.startswith("--")]
    allowed = {"constraints.txt", "dist/zhifa_xuetang-*.whl", "courses", "deploy/officer-lab/overrides.json",
               "deploy/officer-lab/page_config.json", "deploy/officer-lab/jupyter_server_config.py"}
    assert sources and set(sources) <= allowed, sources
    assert "pip install --no-cache-dir -c /tmp/constraints.txt /tmp/zhifa_xuetang-*.whl" in text
    for path in (ROOT / "courses").rglob("*.y*ml"):  # the course content the image copies holds no bank file
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
        assert not (isinstance(data, dict) and "questions" in data and isinstance(data["questions"], list)), path
