# Two commands set everything up on a fresh machine (Python >= 3.10 on PATH, no venv needed):
#   make demo   runs the main job on examples/
#   make test   lints, type-checks and runs the test suite (what .ci/run calls)
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed-stamp

.PHONY: demo test lint bench-langid bench-extract train-langid clean-venv

$(STAMP): pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	# torch is pinned here: 2.13.0 resolves to the CPU wheel; an open range pulls a multi-GB CUDA build.
	$(BIN)/python -m pip install --quiet "torch==2.13.0"
	$(BIN)/python -m pip install --quiet -e ".[all,dev]"
	touch $(STAMP)

demo: $(STAMP)
	$(BIN)/python examples/demo.py

lint: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy

test: lint
	$(BIN)/pytest

bench-langid: $(STAMP)
	$(BIN)/python benchmarks/bench_langid.py

bench-extract: $(STAMP)
	$(BIN)/python benchmarks/bench_extract.py

# Rebuilds src/ringkas/data/langid_regional.json.gz from ../shared/data (byte-identical output).
train-langid: $(STAMP)
	$(BIN)/python -m pip install --quiet -e ".[train]"
	$(BIN)/python scripts/train_langid.py

clean-venv:
	rm -rf $(VENV)
