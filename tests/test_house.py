"""The rules of the house (DESIGN.md): one direction of imports, every setting declared once."""

import ast
import re
from pathlib import Path

from ground.settings import NAMES, PROJECT_ROOT, markdown_table

PACKAGES = ("ground", "questionbank", "grading", "tracker", "curriculum", "service", "academy")
# what each package may import of ours: the top (academy: CLI, notebooks' glue) imports the rest; nothing imports it
ALLOWED = {
    "ground": set(),
    "questionbank": {"ground"},
    "tracker": {"ground"},
    "grading": {"ground", "questionbank", "tracker"},
    "curriculum": {"ground", "questionbank"},
    "service": {"ground", "questionbank", "tracker", "grading", "curriculum"},
    "academy": set(PACKAGES) - {"academy"},
}


def _imports(path: Path) -> set[str]:
    found = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            found.update(alias.name.split(".")[0] for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            found.add(node.module.split(".")[0])
    return found


def test_imports_go_one_way():
    wrong = []
    for package, allowed in ALLOWED.items():
        for path in sorted((PROJECT_ROOT / package).rglob("*.py")):
            ours = _imports(path) & set(PACKAGES) - {package}
            if ours - allowed:
                wrong.append(f"{path.relative_to(PROJECT_ROOT)} imports {sorted(ours - allowed)}")
    assert wrong == []


def test_nbgrader_is_imported_only_inside_grading():
    outside = [p for package in PACKAGES if package != "grading" for p in (PROJECT_ROOT / package).rglob("*.py")
               if "nbgrader" in _imports(p)]
    assert outside == []


def test_every_academy_variable_read_anywhere_is_declared_in_settings():
    used = set()
    for folder in (*PACKAGES, "deploy"):
        for path in (PROJECT_ROOT / folder).rglob("*.py"):
            used.update(re.findall(r"\bACADEMY_[A-Z_]+\b", path.read_text(encoding="utf-8")))
    assert used - NAMES == set()


def test_the_readme_lists_every_setting():
    readme = (PROJECT_ROOT / "README.md").read_text(encoding="utf-8")
    assert markdown_table() in readme  # regenerate: python -c "from ground.settings import markdown_table as t; print(t())"


def test_one_rule_for_the_officer_the_environment_names(monkeypatch):
    from ground.identity import officer_from_environment

    monkeypatch.delenv("JUPYTERHUB_USER", raising=False)
    monkeypatch.delenv("ACADEMY_OFFICER", raising=False)
    assert officer_from_environment() is None
    monkeypatch.setenv("ACADEMY_OFFICER", " A0002 ")
    assert officer_from_environment() == "A0002"
    monkeypatch.setenv("JUPYTERHUB_USER", "  ")  # blank: unset
    assert officer_from_environment() == "A0002"
    monkeypatch.setenv("JUPYTERHUB_USER", "A0001\n")
    assert officer_from_environment() == "A0001"  # the hub user wins


def test_the_environment_is_read_for_the_officer_only_in_ground():
    readers = [str(p.relative_to(PROJECT_ROOT)) for package in PACKAGES if package != "ground"
               for p in (PROJECT_ROOT / package).rglob("*.py")
               if re.search(r"environ[^\n]*(JUPYTERHUB_USER|ACADEMY_OFFICER)", p.read_text(encoding="utf-8"))]
    assert readers == ["tracker/service.py"]  # current_user: the recorder (OS account), a different person
