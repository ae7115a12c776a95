# Everyday targets; each is one of the commands the README or CONTRIBUTING.md names.
PYTHON ?= .venv/bin/python
BIN := $(dir $(PYTHON))

.PHONY: help install setup test gates engines bench docs report clean

help:  ## list the targets
	@grep -E '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | awk -F ':.*## ' '{printf "  %-9s %s\n", $$1, $$2}'

install:  ## the virtual environment with the test tools
	python3 -m venv .venv && $(BIN)pip install -q -e '.[test]'

setup:  ## planwise-run setup (the bundled sample unless the configuration names a census)
	$(BIN)planwise-run setup

test:  ## the test suite (two workers)
	$(BIN)pytest

gates:  ## ruff, format, mypy, lint-imports, sqlfluff, dbt-score, conventions
	.ci/gates

engines:  ## the PostgreSQL and Spark matrix
	CI=1 .ci/engines

bench:  ## the benchmark at 100k employees (results in benchmarks/results/)
	$(PYTHON) benchmarks/bench_setup.py --repeat 3 --sizes 100000

docs:  ## dbt's docs site of the project (reports/docs/index.html)
	$(BIN)planwise-run docs

report:  ## the visual report of the live database (reports/live-report.html)
	$(BIN)planwise-run report

clean:  ## dbt's target/ and logs/ (never a database or its state)
	rm -rf target logs
