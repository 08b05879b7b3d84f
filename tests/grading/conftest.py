"""Fixtures of the grading tests."""

import pytest

from tests.grading.helpers import make_course


@pytest.fixture(scope="module")
def built(tmp_path_factory):
    """A built course (once per module); tests copy it."""
    base = tmp_path_factory.mktemp("exam-course")
    course, paper = make_course(base)
    return base
