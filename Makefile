# heartbeat — the commands a newcomer needs. `make run` and `make test` install what they need.
SHELL := /bin/bash
.DEFAULT_GOAL := help

CARGO ?= cargo
NODE_MODULES := node_modules/.package-lock.json

.PHONY: help run test ci fmt fmt-check clippy unit-and-e2e browser build bench clean

help:
	@echo "make run    start heartbeat locally (http://127.0.0.1:3000/heartbeat/…)"
	@echo "make test   run every test (unit, end-to-end on dynalite, browser)"
	@echo "make ci     what CI runs: format check, clippy, make test, template lint"
	@echo "make build  build the five Lambda bootstraps (cargo lambda, arm64)"

# npm ci only when the lockfile changed since the last install.
$(NODE_MODULES): package-lock.json
	npm ci --no-audit --no-fund
	@touch $@

run: $(NODE_MODULES)
	$(CARGO) run --quiet -p heartbeat-local

test: $(NODE_MODULES) unit-and-e2e browser

unit-and-e2e:
	$(CARGO) nextest run --workspace --no-fail-fast

browser: $(NODE_MODULES)
	bash tests/browser/run.sh

fmt:
	$(CARGO) fmt --all

fmt-check:
	$(CARGO) fmt --all -- --check

clippy:
	$(CARGO) clippy --workspace --all-targets -- -D warnings

ci: fmt-check clippy test lint-template

clean:
	$(CARGO) clean
	rm -rf node_modules .venv

include infra/lint.mk

build: build-lambda
