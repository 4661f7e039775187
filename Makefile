# One command list for users, developers and CI.
PY ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
export GRADIO_ANALYTICS_ENABLED := False
export ANONYMIZED_TELEMETRY := False

.PHONY: install serve test test-fast lint eval bench ingest browser-deps pg-deps llm-local llm-deps clean
LLM ?= 1

$(STAMP): pyproject.toml requirements.lock
	$(PY) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -c requirements.lock -e ".[dev]"
	touch $(STAMP)

install: $(STAMP)

ingest: install
	$(BIN)/planqa ingest

serve: install
	$(BIN)/planqa serve

# Debian's Chromium and a CJK font for the browser tests (Playwright's own browser download fails offline).
# Under CI=true a failed install fails the target (and a missing browser fails tests/test_ui_browser.py).
browser-deps:
	@if [ ! -x /usr/bin/chromium ] || ! fc-list 2>/dev/null | grep -qi wqy; then \
		(apt-get update -qq && apt-get install -y -qq chromium fonts-wqy-microhei >/dev/null) \
		|| { if [ "$$CI" = "true" ]; then echo "browser-deps: could not install chromium (CI=true: the browser tests must run)"; exit 1; fi; \
		     echo "browser-deps: could not install chromium; browser tests will be skipped"; }; fi

# PostgreSQL 15 for the conversation-log tests (they start their own server in a temp folder).
pg-deps:
	@if ! ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1; then \
		(apt-get update -qq && apt-get install -y -qq postgresql >/dev/null) \
		|| echo "pg-deps: could not install postgresql; the PostgreSQL tests will be skipped"; fi

# The local model for PLANQA_LLM=openai:qwen2.5-coder-1.5b (not needed by `make serve`): the pinned
# runtime into .venv, the weights (1.1 GB, sha256-verified) into PLANQA_LLM_CACHE (~/.cache/planqa/llm).
llm-local: install
	$(BIN)/python -m assistant.llm_local install

# For `make test`: the model when the machine can fetch it (timed), else the llm tests skip.
# `make test LLM=0` leaves it out.
llm-deps: install
	@if [ "$(LLM)" != "0" ]; then start=$$(date +%s); 		if $(BIN)/python -m assistant.llm_local install >/dev/null; then 			echo "llm-deps: local model ready ($$(( $$(date +%s) - start )) s)"; 		else echo "llm-deps: could not install the local model; the llm tests will be skipped"; fi; fi

test: install browser-deps pg-deps llm-deps
	$(BIN)/python -m pytest -q -ra

test-fast: install
	$(BIN)/python -m pytest -q -m "not slow and not browser"

lint: install
	$(BIN)/ruff check assistant retrieval ui evals planqa tests
	$(BIN)/ruff format --check assistant retrieval ui evals planqa tests

eval: install
	$(BIN)/planqa eval --report

bench: install
	$(BIN)/python -m evals.bench

clean:
	rm -rf .index .pytest_cache test-output planqa-report
