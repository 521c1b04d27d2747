# govwatch — every target sets itself up from nothing (Python 3.11 + make).
PY ?= python3.11
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed-$(shell cat pyproject.toml | sha1sum | cut -c1-12)

.PHONY: demo test lint format bench bench-scale eval soak eval-lists screenshots browser-deps clean

$(BIN)/python:
	$(PY) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip

$(STAMP): $(BIN)/python pyproject.toml
	$(BIN)/pip install --quiet -e '.[test]'
	rm -f $(VENV)/.installed-*
	touch $(STAMP)

install: $(STAMP)

demo: $(STAMP)
	$(BIN)/govwatch demo

browser-deps: $(STAMP)
	@bash .ci/browser-deps

test: $(STAMP) browser-deps
	$(BIN)/python -m pytest

lint: $(STAMP)
	$(BIN)/ruff check crawler tests bench scheduler.py
	$(BIN)/ruff format --check crawler tests bench scheduler.py
	$(BIN)/mypy

format: $(STAMP)
	$(BIN)/ruff format crawler tests bench scheduler.py
	$(BIN)/ruff check --fix crawler tests bench scheduler.py

bench: $(STAMP)
	$(BIN)/python bench/run_all.py

bench-scale: $(STAMP)
	$(BIN)/python bench/scale.py --sizes 100,1000 --large

eval: $(STAMP)
	$(BIN)/python bench/eval.py

soak: $(STAMP)
	$(BIN)/python bench/soak.py

eval-lists: $(STAMP)
	$(BIN)/python bench/eval_lists.py

screenshots: $(STAMP) browser-deps
	$(BIN)/python -m tests.browse.screenshots --out docs

clean:
	rm -rf $(VENV) .pytest_cache tests/artifacts
