# chiso766: `make report` builds every sample bulletin, `make test` runs the whole suite.
# Both set up what is missing first: a virtual environment with pinned packages (requirements.lock).

PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed

.PHONY: help setup test report lock bench clean

help:
	@echo "make report   build the sample bulletins into outputs/"
	@echo "make test     run the test suite"
	@echo "make bench    time the scoring engine (benchmarks/)"

setup: $(STAMP)

$(STAMP): requirements.lock pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --disable-pip-version-check -r requirements.lock
	$(BIN)/python -m pip install --quiet --disable-pip-version-check --no-deps --no-build-isolation -e .
	touch $@

test: $(STAMP)
	$(BIN)/python -m pytest

SAMPLE_PARAMS := $(sort $(wildcard params/*/*.yaml))

report: $(STAMP)
	@for p in $(SAMPLE_PARAMS); do \
	  echo "== $$p"; $(BIN)/chiso766 score $$p || exit 1; \
	done

bench: $(STAMP)
	$(BIN)/python benchmarks/bench_scoring.py

# Refresh the pins after changing dependencies in pyproject.toml.
lock:
	rm -rf .venv-lock && $(PYTHON) -m venv .venv-lock
	.venv-lock/bin/pip install --quiet -e '.[dev]'
	{ echo "# Pinned versions of every package the project installs (pip freeze of a working environment)."; \
	  echo "# Regenerate with: make lock"; .venv-lock/bin/pip freeze --all --exclude-editable | grep -v -e '^chiso766' -e '^pip=='; } > requirements.lock
	rm -rf .venv-lock

clean:
	rm -rf $(VENV) outputs/*/
