# 执法学堂 — two commands on a fresh machine:
#   make run    JupyterLab with the courses (embedded SQLite in the data folder), on $(PORT)
#   make test   the whole test suite
PORT ?= 8888
VENV ?= .venv
export PORT

.PHONY: run test setup lock bench

setup:
	@VENV=$(VENV) sh scripts/ensure-venv

run: setup
	$(VENV)/bin/academy lab --port $(PORT)

test: setup
	$(VENV)/bin/python -m pytest

bench: setup
	$(VENV)/bin/python bench/bank_load.py

# Record the resolved versions of every dependency (run after changing pyproject.toml).
lock: setup
	$(VENV)/bin/python -m pip freeze --exclude-editable | grep -v '^-e' > constraints.txt
