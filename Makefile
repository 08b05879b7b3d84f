# 执法学堂 — two commands on a fresh machine:
#   make run    the officers' learning pages (Voilà on courses/, embedded SQLite in the data folder), on $(PORT)
#   make test   the whole test suite
#   make hub    the site for many users (JupyterHub + 学堂服务), as root, on $(PORT)
#   make lab    JupyterLab on courses/ for course authors and administrators, on $(PORT)
PORT ?= 8888
VENV ?= .venv
export PORT
# nbgrader runs the environment's own scripts (alembic) by name
export PATH := $(CURDIR)/$(VENV)/bin:$(PATH)

.PHONY: run lab test hub setup setup-run setup-test setup-hub lock bench

# Debian packages: a Chinese font for charts (run and test); PostgreSQL and Chromium for the test suite.
RUN_PACKAGES := fonts-wqy-microhei
TEST_PACKAGES := $(RUN_PACKAGES) postgresql chromium

setup:
	@VENV=$(VENV) sh scripts/ensure-venv

setup-run: setup
	@sh scripts/ensure-debian-packages $(RUN_PACKAGES)
	@sh scripts/ensure-mermaid

setup-test: setup
	@sh scripts/ensure-debian-packages $(TEST_PACKAGES)
	@sh scripts/ensure-mermaid
	@sh scripts/ensure-proxy

setup-hub: setup-run
	@sh scripts/ensure-proxy

run: setup-run
	$(VENV)/bin/academy pages --port $(PORT)

lab: setup-run
	$(VENV)/bin/academy lab --port $(PORT)

hub: setup-hub
	$(VENV)/bin/academy hub start

test: setup-test
	$(VENV)/bin/ruff check .
	$(VENV)/bin/python -m pytest

bench: setup-test
	$(VENV)/bin/python bench/bank_load.py
	$(VENV)/bin/python bench/exam_assembly.py
	$(VENV)/bin/python bench/exam_grading.py
	$(VENV)/bin/python bench/tracker_report.py
	$(VENV)/bin/python bench/service_load.py
	PYTHONPATH=. $(VENV)/bin/python bench/quiz_guessing.py --officers 25
	$(VENV)/bin/python bench/exam_clicks.py

# Record the resolved versions of every dependency (run after changing pyproject.toml).
lock: setup
	$(VENV)/bin/python -m pip freeze --exclude-editable | grep -v '^-e' > constraints.txt
