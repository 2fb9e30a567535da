# govtier — the two commands of the README's quick start are `make demo` and `make test`.
# Both create .venv and install the project on a fresh machine; nothing is installed by hand.

PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed-stamp
RUNTIME := $(VENV)/.runtime-stamp
LINTED := $(wildcard src tests examples benchmarks scripts docs conftest.py hatch_build.py)
# the message catalogues: the build hook compiles them on install, so an edit reinstalls
CATALOGUES := hatch_build.py $(wildcard src/govtier/locale/*/LC_MESSAGES/govtier.po)

.PHONY: help install demo test lint typecheck pytest docs data schemas bench fuzz clean

help:
	@echo "make demo    run the main example (creates .venv and installs the runtime on first use)"
	@echo "make install the development set: tests, docs, lint, benchmarks"
	@echo "make test    ruff, mypy --strict, pytest (with every README/docs example and examples/), docs build"
	@echo "make docs    build the Sphinx site into docs/_build/html (fails on warnings)"
	@echo "make data    rebuild src/govtier/data from ../shared/data"
	@echo "make schemas regenerate src/govtier/schemas/*.schema.json from the classes"
	@echo "make bench   benchmarks in one table (GOVTIER_BENCH_DOSSIERS=N; GOVTIER_BENCH_FULL=1 for"
	@echo "             a year of Ha Noi; RESULTS=benchmarks/RESULTS.md to write the results file)"
	@echo "make fuzz    a long fuzzing run (3,000 inputs per entry point)"

# everything for development (tests, docs, lint, benchmarks)
$(STAMP): pyproject.toml $(CATALOGUES)
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --disable-pip-version-check -e '.[dev,bench]'
	@touch $(STAMP) $(RUNTIME)

# the runtime only (attrs, cattrs, python-dateutil, holidays): all the demo needs
$(RUNTIME): pyproject.toml $(CATALOGUES)
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --disable-pip-version-check -e .
	@touch $(RUNTIME)

install: $(STAMP)

demo: $(RUNTIME)
	$(BIN)/python examples/quickstart.py

lint: $(STAMP)
	$(BIN)/ruff check $(LINTED)
	$(BIN)/ruff format --check $(LINTED)

typecheck: $(STAMP)
	$(BIN)/mypy --strict src

pytest: $(STAMP)
	$(BIN)/python -m pytest $(PYTEST_ARGS)

test: lint typecheck pytest docs

docs: $(STAMP)
	$(BIN)/sphinx-build -n -W --keep-going -b html docs docs/_build/html

data: $(STAMP)
	$(BIN)/python scripts/build_units.py ../shared/data/admin-units src/govtier/data
	$(BIN)/python scripts/hash_data.py src/govtier/data

schemas: $(STAMP)
	$(BIN)/python scripts/generate_schemas.py

fuzz: $(STAMP)
	HYPOTHESIS_PROFILE=fuzz $(BIN)/python -m pytest tests/test_fuzz.py tests/test_fuzz_records.py tests/test_fuzz_inputs.py -q $(PYTEST_ARGS)

bench: $(STAMP)
	$(BIN)/python benchmarks/run_all.py $(if $(RESULTS),--results $(RESULTS))

clean:
	rm -rf $(VENV) docs/_build .mypy_cache .ruff_cache .hypothesis build dist
