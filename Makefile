# likeminded: `make demo` runs the pipeline on the bundled sample corpus, `make test` runs the suite.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
DEMO_DIR ?= data/demo
GD_DB ?= data/gd.duckdb

.PHONY: demo test lint bench bench-real bench-gd-settings bench-gd-scaling server clean help
PREFECT_PORT ?= 4200

help:
	@echo "make demo   - install into .venv and run the whole pipeline on the sample corpus"
	@echo "make test   - install into .venv, lint with ruff, run the test suite"
	@echo "make bench  - run the benchmarks (tables on stdout, JSON in benchmarks/results/)"
	@echo "make bench-real - the whole General Debate archive in ../shared/data, stage by stage (long)"
	@echo "make bench-gd-settings GD_DB=... - General Debate settings chosen out of sample"
	@echo "make bench-gd-scaling GD_DB=... - low-dimensional text positions against UN votes"
	@echo "make server - start a local Prefect server for scheduled runs (likeminded serve)"
	@echo "make clean  - remove .venv and generated data"

$(STAMP): pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	# torch first and pinned: an unpinned resolver would pull a multi-GB CUDA build
	$(BIN)/python -m pip install --quiet torch==2.13.0
	$(BIN)/python -m pip install --quiet -e ".[dev]"
	touch $(STAMP)

demo: $(STAMP)
	$(BIN)/likeminded run --corpus corpora/sample --db $(DEMO_DIR)/likeminded.duckdb --out $(DEMO_DIR)/out
	@echo
	@echo "Demo store:   $(DEMO_DIR)/likeminded.duckdb"
	@echo "Demo outputs: $(DEMO_DIR)/out"
	@echo "Report:       $(DEMO_DIR)/out/report/index.html"

# ruff, the import contracts of pyproject.toml (the layers of ARCHITECTURE.md), then mypy on
# corpora, nlp, reports and pipelines ([tool.mypy]; cache in .mypy_cache)
lint: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/lint-imports
	$(BIN)/mypy

# pytest exits 5 when it collects no test: that is not a failure of the suite.
test: $(STAMP) lint
	$(BIN)/python -m pytest -q -p no:cacheprovider || { rc=$$?; \
	  if [ $$rc -eq 5 ]; then echo "pytest collected no tests (exit 5)"; else exit $$rc; fi; }

bench: $(STAMP)
	$(BIN)/python benchmarks/run_all.py

# Opt-in (about an hour on 2 cores): ingest-ungdc + run + validate-votes --per-session on the
# whole archive, time and peak memory per stage. BENCH_REAL_ARGS="--years 2013" for one session.
bench-real: $(STAMP)
	$(BIN)/python benchmarks/bench_real.py $(BENCH_REAL_ARGS)

# Opt-in: the General Debate settings chosen on some sessions and reported on the others, on a
# store analysed with the unga taxonomy (README "Validation on real data"): GD_DB=data/gd.duckdb
bench-gd-settings: $(STAMP)
	$(BIN)/python benchmarks/bench_gd_settings.py --db $(GD_DB)

bench-gd-scaling: $(STAMP)
	$(BIN)/python benchmarks/bench_gd_scaling.py --db $(GD_DB)

# A local Prefect server for `likeminded serve` (scheduled runs); Ctrl-C stops it.
server: $(STAMP)
	@echo "Prefect API on http://127.0.0.1:$(PREFECT_PORT)/api (export PREFECT_API_URL to use it)"
	PREFECT_HOME=$${PREFECT_HOME:-data/prefect} PREFECT_SERVER_ANALYTICS_ENABLED=false DO_NOT_TRACK=1 \
	  $(BIN)/prefect server start --host 127.0.0.1 --port $(PREFECT_PORT)

clean:
	rm -rf $(VENV) data .pytest_cache .ruff_cache .mypy_cache *.egg-info
