# The two set-up commands are `make run` and `make test`; both install what they need first.
SHELL := /bin/bash
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed

.PHONY: run test lint bench chaos replay asyncapi lock clean help

help:
	@echo "make run     - the whole system on embedded defaults (PostgreSQL, Kafka broker, services)"
	@echo "make test    - the whole test suite (real PostgreSQL and a real Kafka-protocol broker)"
	@echo "make lint    - ruff, mypy (strict on shared/), import-linter contracts"
	@echo "make bench   - benchmarks that print figures and ratios"
	@echo "make chaos   - kill -9 each service, the broker and PostgreSQL under load; audit what was acked"
	@echo "make replay  - ops CLI: ARGS='positions' | 'republish payments --from 1' | 'rebuild ...'"

# A virtualenv with the locked packages, verified by their hashes.
$(STAMP): requirements-dev.lock requirements-bootstrap.lock
	@test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --disable-pip-version-check --require-hashes --no-deps -r requirements-bootstrap.lock
	$(VENV)/bin/uv pip sync --quiet --python $(PY) --require-hashes requirements-dev.lock
	$(PY) -c "import site, pathlib; pathlib.Path(site.getsitepackages()[0], 'billing-repo.pth').write_text('$(CURDIR)\n')"
	@touch $(STAMP)

run: $(STAMP)
	$(PY) -m shared.run

test: $(STAMP)
	$(PY) -m pytest

lint: $(STAMP)
	$(VENV)/bin/ruff check shared services tests bench
	$(VENV)/bin/mypy
	$(VENV)/bin/lint-imports

bench: $(STAMP)
	$(PY) -m bench

chaos: $(STAMP)
	$(PY) -m tests.chaos

replay: $(STAMP)
	$(PY) -m shared.ops $(ARGS)

asyncapi: $(STAMP)
	$(PY) -m shared.ops asyncapi docs/asyncapi

# Re-resolve the locks after editing pyproject.toml (hashes only: no index URL is recorded).
lock: $(STAMP)
	$(VENV)/bin/uv pip compile pyproject.toml --generate-hashes --python-version 3.11 --no-header -o requirements.lock
	$(VENV)/bin/uv pip compile pyproject.toml --extra dev --generate-hashes --python-version 3.11 --no-header -o requirements-dev.lock

clean:
	rm -rf $(VENV) .run .pytest_cache .mypy_cache .ruff_cache
