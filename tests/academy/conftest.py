"""Fixtures of the course-glue tests."""

import pytest


@pytest.fixture
def study_database(tmp_path, monkeypatch):
    """A fresh local ledger for a module's quizzes, and nobody answering yet (no hub user, no ACADEMY_OFFICER, no
    officer remembered by the kernel's quiz)."""
    monkeypatch.setenv("ACADEMY_DB_URL", f"sqlite:///{tmp_path / 'study.sqlite3'}")
    for name in ("JUPYTERHUB_USER", "ACADEMY_OFFICER"):
        monkeypatch.delenv(name, raising=False)
    import questionbank.quiz as quiz_module

    monkeypatch.setattr(quiz_module, "_session_officer", None)
