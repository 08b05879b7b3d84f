"""The site's files on one machine, with real unix accounts (root only): exam material readable by root and the exam
administrators' group, never by an officer; the exam course shared by that group as nbgrader's ``groupshared`` expects;
nbgrader's exchange for many users — an administrator releases and collects, officers fetch and submit with the
site's nbgrader configuration (deploy/nbgrader/), and no officer can see another's submission."""

from __future__ import annotations

import grp
import json
import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

import nbformat
import pytest
from traitlets.config.loader import PyFileConfigLoader

from grading.build import CONFIG_FILE, COURSE_ID
from ground.settings import PROJECT_ROOT
from service import site

pytestmark = pytest.mark.skipif(os.geteuid() != 0, reason="real unix accounts and groups: run as root")

NBGRADER = PROJECT_ROOT / "deploy" / "nbgrader"
TAG = f"{os.getpid() % 100000}"
GROUP = f"zfexam{TAG}"  # a group of the test's own, so that a site running beside the tests is not touched
ADMIN, OFFICER, OTHER = f"zfk{TAG}", f"zfa{TAG}", f"zfb{TAG}"
SERVER_PATH = f"{Path(sys.executable).parent}{os.pathsep}{os.environ['PATH']}"  # as the site gives servers (nbgrader runs alembic)


@pytest.fixture(scope="module")
def accounts():
    """An exam administrator (in GROUP) and two officers, with home folders; removed afterwards."""
    site.make_reachable()  # as `academy hub start` does: the accounts run the project's Python
    site.unix_group(GROUP)
    for name in (ADMIN, OFFICER, OTHER):
        subprocess.run(["useradd", "--create-home", "--shell", "/usr/sbin/nologin", name], check=True)
    site.set_group_members({ADMIN}, {ADMIN, OFFICER, OTHER}, GROUP)
    try:
        yield
    finally:
        for name in (ADMIN, OFFICER, OTHER):
            subprocess.run(["userdel", "--remove", name], capture_output=True)
        subprocess.run(["groupdel", GROUP], capture_output=True)


@pytest.fixture
def place():
    """A folder every account can pass through (pytest's own temporary folder is root's only)."""
    folder = Path(tempfile.mkdtemp(prefix="zhifa-site-"))
    folder.chmod(0o755)
    yield folder
    shutil.rmtree(folder, ignore_errors=True)


def run_as(account: str, code: str, env: dict | None = None, cwd: str = "/tmp") -> subprocess.CompletedProcess:
    environment = {"PATH": os.environ["PATH"], "HOME": f"/home/{account}", "PYTHONPATH": str(PROJECT_ROOT),
                   "LANG": "C.UTF-8", **(env or {})}
    return subprocess.run(["runuser", "-u", account, "--", sys.executable, "-c", code], capture_output=True, text=True,
                          env=environment, cwd=cwd, timeout=120)


PROBE = """
import json, os
out = {}
for path in PATHS:
    try:
        if os.path.isdir(path):
            os.listdir(path)
        else:
            open(path, "rb").read(1)
        out[path] = "read"
    except OSError as exc:
        out[path] = type(exc).__name__
print(json.dumps(out))
"""


def probe(account: str, paths: list[Path]) -> dict[str, str]:
    done = run_as(account, f"PATHS = {json.dumps([str(p) for p in paths])}\n" + PROBE)
    assert done.returncode == 0, done.stderr
    return json.loads(done.stdout)


def test_exam_material_is_the_groups_and_never_an_officers(accounts, place):
    items = place / "questionbank" / "items"
    items.mkdir(parents=True)
    (items / "topic.yaml").write_text("questions: []\n", encoding="utf-8")
    (items / "law").mkdir(mode=0o700)  # as an atomic write leaves a file (a renamed temporary file): root only
    (items / "law" / "stamped.yaml").write_text("questions: []\n", encoding="utf-8")
    (items / "law" / "stamped.yaml").chmod(0o600)
    (place / "grading" / "blueprints").mkdir(parents=True)
    course = place / "grading" / "course"
    course.mkdir()
    shutil.copy(CONFIG_FILE, course / "nbgrader_config.py")
    (course / "source" / "cert-a").mkdir(parents=True)
    (course / "source" / "cert-a" / "exam.ipynb").write_text("{}", encoding="utf-8")

    site.protect_private_files(place, GROUP)
    site.share_exam_course(course, GROUP)

    gid = grp.getgrnam(GROUP).gr_gid
    assert (items.stat().st_gid, items.stat().st_mode & 0o7777) == (gid, 0o750)
    for folder in (course, course / "source", course / "source" / "cert-a"):
        assert (folder.stat().st_gid, folder.stat().st_mode & 0o7777) == (gid, 0o2770), folder
    gradebook = course / "gradebook.db"
    assert gradebook.stat().st_size == 0 and gradebook.stat().st_mode & 0o777 == 0o660

    private = [items / "topic.yaml", items / "law" / "stamped.yaml", course, course / "nbgrader_config.py", gradebook]
    assert set(probe(OFFICER, private).values()) == {"PermissionError"}
    assert set(probe(ADMIN, private).values()) == {"read"}

    # an administrator writes the gradebook (SQLite, journal beside it) and makes files the group keeps
    write = ("import sqlite3, sys; c = sqlite3.connect(sys.argv[1]); c.execute('create table t (x)'); c.commit()\n"
             "open(sys.argv[2], 'w').write('x')")
    done = subprocess.run(["runuser", "-u", ADMIN, "--", sys.executable, "-c", write, str(gradebook),
                           str(course / "source" / "cert-a" / "notes.md")], capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stderr
    assert (course / "source" / "cert-a" / "notes.md").stat().st_gid == gid  # setgid folders: the group's file


def test_group_membership_follows_the_roles_and_leaves_other_members_alone(accounts):
    subprocess.run(["gpasswd", "--add", "nobody", GROUP], check=True, capture_output=True)  # not the site's account
    try:
        site.set_group_members({OFFICER}, {ADMIN, OFFICER, OTHER}, GROUP)
        assert set(grp.getgrnam(GROUP).gr_mem) == {OFFICER, "nobody"}
    finally:
        site.set_group_members({ADMIN}, {ADMIN, OFFICER, OTHER, "nobody"}, GROUP)
    assert grp.getgrnam(GROUP).gr_mem == [ADMIN]


def test_the_site_nbgrader_configuration(monkeypatch, tmp_path):
    monkeypatch.setenv("ACADEMY_EXCHANGE", str(tmp_path / "exchange"))
    monkeypatch.setenv("ACADEMY_EXAM_COURSE", str(tmp_path / "course"))
    everyone = PyFileConfigLoader("nbgrader_config.py", path=str(NBGRADER / "site")).load_config()
    admins = PyFileConfigLoader("nbgrader_config.py", path=str(NBGRADER / "exam-administrators")).load_config()
    assert everyone.Exchange.root == str(tmp_path / "exchange")
    assert everyone.CourseDirectory.course_id == COURSE_ID == site.COURSE_ID
    assert admins.CourseDirectory.root == str(tmp_path / "course") and admins.CourseDirectory.groupshared is True
    assert "root" not in everyone.CourseDirectory  # officers' servers know nothing of the course folder


def nbgrader(account: str, command: list[str], env: dict, cwd: str) -> subprocess.CompletedProcess:
    code = "import sys; from nbgrader.apps.nbgraderapp import main; sys.argv = ['nbgrader'] + sys.argv[1:]; main()"
    environment = {"PATH": SERVER_PATH, "HOME": f"/home/{account}", "PYTHONPATH": str(PROJECT_ROOT),
                   "LANG": "C.UTF-8", **env}
    return subprocess.run(["runuser", "-u", account, "--", sys.executable, "-c", code, *command], capture_output=True,
                          text=True, env=environment, cwd=cwd, timeout=180)


def test_the_exchange_for_many_users(accounts, place):
    exchange, course = place / "exchange", place / "course"
    shutil.copytree(PROJECT_ROOT / "grading" / "course", course, ignore=shutil.ignore_patterns("*.db", "source",
                                                                                                "release", "submitted"))
    notebook = nbformat.v4.new_notebook(cells=[nbformat.v4.new_markdown_cell("考试")])
    (course / "release" / "ps1").mkdir(parents=True)
    nbformat.write(notebook, course / "release" / "ps1" / "exam.ipynb")
    site.share_exam_course(course, GROUP)
    site.make_exchange(exchange, GROUP)

    gid = grp.getgrnam(GROUP).gr_gid
    assert exchange.stat().st_mode & 0o7777 == 0o1777  # nbgrader's documented ugo+rw, and the sticky bit
    modes = {p.name: (p.stat().st_gid, p.stat().st_mode & 0o7777) for p in (exchange / COURSE_ID).iterdir()}
    assert modes == {"outbound": (gid, 0o2775), "inbound": (gid, 0o2773), "feedback": (gid, 0o2771)}

    everyone = {"ACADEMY_EXCHANGE": str(exchange), "JUPYTER_CONFIG_PATH": str(NBGRADER / "site")}
    admin = {**everyone, "ACADEMY_EXAM_COURSE": str(course),
             "JUPYTER_CONFIG_PATH": os.pathsep.join(str(NBGRADER / n) for n in ("exam-administrators", "site"))}
    done = nbgrader(ADMIN, ["release_assignment", "ps1"], admin, f"/home/{ADMIN}")
    assert done.returncode == 0, done.stdout + done.stderr

    for officer in (OFFICER, OTHER):
        done = nbgrader(officer, ["fetch_assignment", "ps1"], everyone, f"/home/{officer}")
        assert done.returncode == 0, done.stdout + done.stderr
        assert (Path(f"/home/{officer}") / "ps1" / "exam.ipynb").is_file()  # in his home, not the read-only courses/
        done = nbgrader(officer, ["submit", "ps1"], everyone, f"/home/{officer}")
        assert done.returncode == 0, done.stdout + done.stderr

    # an officer cannot list the inbound folder, nor remove the course's folders from the exchange
    snoop = ("import os, sys\nfor act in (lambda: os.listdir(sys.argv[1]), lambda: os.rename(sys.argv[2], sys.argv[2] + 'x')):\n"
             "    try:\n        act(); print('done')\n    except OSError as exc:\n        print(type(exc).__name__)\n")
    done = subprocess.run(["runuser", "-u", OTHER, "--", sys.executable, "-c", snoop, str(exchange / COURSE_ID / "inbound"),
                           str(exchange / COURSE_ID)], capture_output=True, text=True, timeout=60)
    assert done.stdout.split() == ["PermissionError", "PermissionError"], done.stdout + done.stderr

    done = nbgrader(ADMIN, ["collect", "ps1"], admin, f"/home/{ADMIN}")
    assert done.returncode == 0, done.stdout + done.stderr
    assert "cheating" not in done.stdout + done.stderr  # each submission is named after the account that owns it
    assert sorted(p.name for p in (course / "submitted").iterdir()) == sorted([OFFICER, OTHER])
    assert (course / "submitted" / OFFICER / "ps1" / "exam.ipynb").is_file()
