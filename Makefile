# chiso766: `make report` builds every sample bulletin, `make test` runs the whole suite.
# Both set up what is missing first: a virtual environment with pinned packages (requirements.lock).

PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed

.PHONY: help setup sysdeps bytecode spark check test report lock bench clean

# Debian packages the tests need: pdftotext/pdftoppm/pdffonts and Chromium for the browser test.
# Installed when missing (as root), else named. The PDF's fonts come with the Python packages
# (Tinos in chiso766, DejaVu Sans in matplotlib), so a bulletin needs no system font on any platform.
SYSDEPS := poppler-utils chromium
# Spark (national scale) needs Java; only the Spark tests and extra install it.
SPARK_SYSDEPS := openjdk-17-jre-headless
SPARK_STAMP := $(VENV)/.installed-spark
BENCH_STAMP := $(VENV)/.installed-bench

help:
	@echo "make report   build the sample bulletins into outputs/"
	@echo "make test     run the static checks and the test suite"
	@echo "make check    lint, format, strict types and import layers only"
	@echo "make bench    run every benchmark (benchmarks/) and print each target with its ratio"

# Sample params and the synthetic dossier data they read (deterministic, seeded; git-ignored).
# Defined before the targets that list $(GENERATED) as a prerequisite: make expands a rule's
# prerequisites when it reads the rule, so a later definition would leave them empty.
SAMPLE_PARAMS := $(sort $(wildcard params/*/*.yaml))
GENERATED := data/generated/hai-phong-002/dossiers.csv data/generated/phu-tho-2026-08/dossiers.csv

# Each folder holds only what its rule makes, and is made again whole: one made before synth marked
# its folders (.chiso766-synth) would be refused as someone else's.
data/generated/hai-phong-002/dossiers.csv: lib/chiso766/samples/synthetic.py | $(STAMP)
	rm -rf $(@D)
	$(BIN)/chiso766 synth reference-002 --out $(@D)

data/generated/phu-tho-2026-08/dossiers.csv: lib/chiso766/samples/synthetic.py data/samples/phu-tho/portal/2026-08/*.json | $(STAMP)
	rm -rf $(@D)
	$(BIN)/chiso766 synth portal-match --params params/bulletin_766/2026-08.yaml --out $(@D)

setup: sysdeps $(STAMP) bytecode

# The package is installed editable, which skips the byte-compiling a regular install does: where
# PYTHONDONTWRITEBYTECODE is set (as on these machines), every process, each kernel among them,
# compiled the library's modules again (65 ms a process). Up-to-date files are left as they are.
bytecode: | $(STAMP)
	@$(BIN)/python -m compileall -q lib

sysdeps:
	@missing=""; for p in $(SYSDEPS); do dpkg -s $$p >/dev/null 2>&1 || missing="$$missing $$p"; done; \
	if [ -n "$$missing" ]; then \
	  if [ "$$(id -u)" = 0 ]; then \
	    echo "installing Debian packages:$$missing"; \
	    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq$$missing >/dev/null; \
	  else echo "missing Debian packages:$$missing (sudo apt-get install$$missing)"; exit 1; fi; \
	fi

$(STAMP): requirements.lock pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --disable-pip-version-check -r requirements.lock
	$(BIN)/python -m pip install --quiet --disable-pip-version-check --no-deps --no-build-isolation -e .
	@# ipykernel stages the spec in a temporary folder it leaves behind, empty: staged in one of ours
	tmp=$$(mktemp -d) && TMPDIR=$$tmp $(BIN)/python -m ipykernel install --sys-prefix --name chiso766 \
	  --display-name "Python (chiso766)" >/dev/null; status=$$?; rm -rf "$$tmp"; exit $$status
	@# Jupyter apps of this venv (JupyterLab, nbconvert) give kernels CurveZMQ keys, as chiso766 run
	@# does: an unencrypted kernel warns on every start ("Kernel is running over TCP without encryption").
	@mkdir -p $(VENV)/etc/jupyter
	@echo '{"KernelManager": {"transport_encryption": "auto"}}' > $(VENV)/etc/jupyter/jupyter_config.json
	touch $@

spark: sysdeps $(SPARK_STAMP)

$(SPARK_STAMP): requirements-spark.lock | $(STAMP)
	@command -v java >/dev/null 2>&1 || { [ "$$(id -u)" = 0 ] && apt-get update -qq && \
	  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $(SPARK_SYSDEPS) >/dev/null; } || \
	  { echo "Spark needs Java: sudo apt-get install $(SPARK_SYSDEPS)"; exit 1; }
	$(BIN)/python -m pip install --quiet --disable-pip-version-check -r requirements-spark.lock
	touch $@

# Two workers, one test file each (its module fixtures run once): the suite's notebooks, PDFs and
# browser sessions use both cores instead of one.
test: setup spark $(BENCH_STAMP) $(GENERATED) check
	$(BIN)/python -m pytest -n 2 --dist loadfile

# Static checks, configured in pyproject.toml: lint and format (ruff), strict types (mypy), and the
# layers of ARCHITECTURE.md (import-linter: no upward import, no cycle).
check: setup
	$(BIN)/ruff check lib
	$(BIN)/ruff format --check lib
	$(BIN)/mypy
	$(BIN)/lint-imports --no-cache --no-logo

report: setup $(GENERATED)
	$(BIN)/chiso766 run --if-changed $(SAMPLE_PARAMS)
	$(BIN)/chiso766 publish --site site --reason "make report: bản mẫu dựng lại sau khi mã nguồn thay đổi"

$(BENCH_STAMP): requirements-bench.lock | $(STAMP)
	$(BIN)/python -m pip install --quiet --disable-pip-version-check -r requirements-bench.lock
	touch $@

bench: setup spark $(BENCH_STAMP) $(GENERATED)
	$(BIN)/python benchmarks/bench_scoring.py
	$(BIN)/python benchmarks/bench_cli.py
	$(BIN)/python benchmarks/bench_bulletin.py
	$(BIN)/python benchmarks/bench_workbooks.py
	$(BIN)/python benchmarks/bench_ingest.py
	$(BIN)/python benchmarks/bench_indicators.py
	$(BIN)/python benchmarks/bench_spark.py
	$(BIN)/python benchmarks/readme_table.py

# Refresh the pins after changing dependencies in pyproject.toml.
lock:
	rm -rf .venv-lock && $(PYTHON) -m venv .venv-lock
	.venv-lock/bin/pip install --quiet -e '.[dev]'
	{ echo "# Pinned versions of every package the project installs (pip freeze of a working environment)."; \
	  echo "# Regenerate with: make lock"; .venv-lock/bin/pip freeze --all --exclude-editable | grep -v -e '^chiso766' -e '^pip=='; } > requirements.lock
	rm -rf .venv-lock

clean:
	rm -rf $(VENV) outputs/*/
