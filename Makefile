# The two commands of the README: `make run` and `make test`. Nothing else is needed on a fresh machine.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
PORT   ?= 8501

.PHONY: run test test-all bench sample template clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install -q --upgrade pip

$(VENV)/.requirements: requirements.txt | $(BIN)/python
	$(BIN)/python -m pip install -q -r requirements.txt
	touch $@

$(VENV)/.requirements-dev: requirements.txt requirements-dev.txt $(VENV)/.requirements
	$(BIN)/python -m pip install -q -r requirements-dev.txt
	touch $@

run: $(VENV)/.requirements  ## set up and start the dashboard on the sample data (embedded SQLite)
	PORT=$(PORT) $(BIN)/python -m ytsupport serve --port $(PORT)

test: $(VENV)/.requirements-dev  ## set up and run the whole test suite
	$(BIN)/python -m pytest -q -rs

bench: $(VENV)/.requirements-dev  ## measured ratios (not part of the test suite), then one table with PASS/FAIL
	@$(BIN)/python benchmarks/summary.py --reset
	@failed=0; for f in benchmarks/bench_*.py; do $(BIN)/python $$f || failed=1; done; \
	$(BIN)/python benchmarks/summary.py; exit $$failed

sample: $(VENV)/.requirements
	$(BIN)/python -m ytsupport sample sample_data

template: $(VENV)/.requirements
	$(BIN)/python -m ytsupport template mau_bao_cao.xlsx

clean:
	rm -rf $(VENV) .pytest_cache
