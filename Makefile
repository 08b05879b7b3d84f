# 执法学堂 — two commands on a fresh machine:
#   make run    JupyterLab with the courses (embedded SQLite in the data folder), on $(PORT)
#   make test   the whole test suite
PORT ?= 8888
VENV ?= .venv
export PORT
# nbgrader runs the environment's own scripts (alembic) by name
export PATH := $(CURDIR)/$(VENV)/bin:$(PATH)

.PHONY: run test setup setup-run setup-test lock bench

# Debian packages: a Chinese font for charts (run and test); PostgreSQL and Chromium for the test suite.
RUN_PACKAGES := fonts-wqy-microhei
TEST_PACKAGES := $(RUN_PACKAGES) postgresql chromium

setup:
	@VENV=$(VENV) sh scripts/ensure-venv

setup-run: setup
	@sh scripts/ensure-debian-packages $(RUN_PACKAGES)

setup-test: setup
	@sh scripts/ensure-debian-packages $(TEST_PACKAGES)

run: setup-run
	$(VENV)/bin/academy lab --port $(PORT)

test: setup-test
	$(VENV)/bin/ruff check .
	$(VENV)/bin/python -m pytest

bench: setup-test
	$(VENV)/bin/python bench/bank_load.py
	$(VENV)/bin/python bench/exam_assembly.py
	$(VENV)/bin/python bench/exam_grading.py
	$(VENV)/bin/python bench/tracker_report.py

# Record the resolved versions of every dependency (run after changing pyproject.toml).
lock: setup
	$(VENV)/bin/python -m pip freeze --exclude-editable | grep -v '^-e' > constraints.txt
