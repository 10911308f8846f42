# Two commands set everything up on a fresh machine (Python >= 3.10 on PATH, no venv needed):
#   make demo   runs the main job on examples/
#   make test   lints, type-checks and runs the test suite (what .ci/run calls)
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed-stamp


.PHONY: demo test test-exact-paths lint lock bench bench-langid bench-extract train-langid clean-venv

$(STAMP): pyproject.toml constraints.txt
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	# torch is pinned here: 2.13.0 resolves to the CPU wheel; an open range pulls a multi-GB CUDA build.
	# constraints.txt holds the exact versions CI ran (make lock refreshes it).
	$(BIN)/python -m pip install --quiet -c constraints.txt "torch==2.13.0"
	$(BIN)/python -m pip install --quiet -c constraints.txt -e ".[all,dev]"
	touch $(STAMP)

demo: $(STAMP)
	$(BIN)/python examples/demo.py

lint: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy

# The suite once, then the exact-output tests under the other int8 kernel paths, so that green on
# one vendor's CPU means green on the other's: CTranslate2 oneDNN and MKL, torch limited to AVX2.
test: lint
	$(BIN)/pytest
	$(MAKE) test-exact-paths

test-exact-paths: $(STAMP)
	CT2_USE_MKL=0 $(BIN)/pytest -q -m "exact and not slow and not gpu"
	CT2_USE_MKL=1 $(BIN)/pytest -q -m "exact and not slow and not gpu"
	ATEN_CPU_CAPABILITY=avx2 $(BIN)/pytest -q -m "exact and not slow and not gpu"

# Rewrites constraints.txt from what pyproject asks for today, in a throw-away venv.
LOCK_VENV := $(shell mktemp -u /tmp/ringkas-lock.XXXXXX)
lock:
	$(PYTHON) -m venv $(LOCK_VENV)
	$(LOCK_VENV)/bin/python -m pip install --quiet "torch==2.13.0"
	$(LOCK_VENV)/bin/python -m pip install --quiet -e ".[all,dev]"
	{ echo "# Exact versions CI ran (pip constraints: make installs with -c constraints.txt)."; \
	  echo "# Refresh with 'make lock'; user installs from PyPI keep pyproject's open ranges."; \
	  $(LOCK_VENV)/bin/python -m pip freeze --exclude-editable \
	    | sed 's/^\(torch==[0-9.]*\)+cpu$$/\1/'; } > constraints.txt
	rm -rf $(LOCK_VENV)

# The engine comparison (benchmarks/suite.py): a small run by default; more with, e.g.,
#   make bench BENCH_ARGS="--full --out benchmarks/results --stem bench-cpu"
# Its input text is FLORES-200 from RINGKAS_DATA_DIR (default here: ../shared/data, this
# checkout's layout; generated text when the folder is absent).
RINGKAS_DATA_DIR ?= $(abspath ../shared/data)
bench: $(STAMP)
	RINGKAS_DATA_DIR="$(RINGKAS_DATA_DIR)" $(BIN)/python -m benchmarks.suite $(BENCH_ARGS)

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
