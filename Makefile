# heartbeat — the commands a newcomer needs. `make run` and `make test` install what they need.
SHELL := /bin/bash
.DEFAULT_GOAL := help

CARGO ?= cargo
NODE_MODULES := node_modules/.package-lock.json

.PHONY: help run test ci fmt fmt-check clippy unit-and-e2e test-bins browser api-contract build bench clean

help:
	@echo "make run    start heartbeat locally (http://127.0.0.1:3000/heartbeat/…)"
	@echo "make test   run every test (unit, end-to-end on dynalite and moto, browser, API contract)"
	@echo "make ci     what CI runs: format check, clippy, make test, template lint, sam build check"
	@echo "make build  build the eight Lambda bootstraps (cargo lambda, arm64)"
	@echo "make client build the heartbeat client as one static binary (musl) for the machines that run jobs"
	@echo "make deploy sam build, then sam deploy (--guided the first time): see README, Deploy to AWS"

# npm ci only when the lockfile changed since the last install.
$(NODE_MODULES): package-lock.json
	npm ci --no-audit --no-fund
	@touch $@

run: $(NODE_MODULES)
	$(CARGO) run --quiet -p heartbeat-local

# moto (SSM Parameter Store stand-in of the boot tests) comes into .venv with test-services.
test: $(NODE_MODULES) test-services unit-and-e2e browser api-contract

# The binaries the end-to-end tests run as processes of their own (the Lambda functions, the
# `heartbeat` client), built before the suite instead of from inside a test; with the tests' feature
# set, so that the AWS SDK is compiled once for both.
test-bins:
	$(CARGO) build --quiet --workspace --tests --bins

# cargo-nextest runs each test in its own process; the end-to-end tests share one dynalite that its
# setup script starts (.config/nextest.toml). It is installed when missing (a few minutes, once);
# where it cannot be, the same tests run under plain `cargo test`.
unit-and-e2e: test-services test-bins
	@$(CARGO) nextest --version >/dev/null 2>&1 || $(CARGO) install cargo-nextest --locked || true
	@if $(CARGO) nextest --version >/dev/null 2>&1; then \
	  echo "$(CARGO) nextest run --workspace --no-fail-fast"; \
	  $(CARGO) nextest run --workspace --no-fail-fast; \
	else \
	  echo "cargo-nextest is missing and could not be installed: running cargo test instead"; \
	  $(CARGO) test --workspace --no-fail-fast; \
	fi

browser: $(NODE_MODULES)
	bash tests/browser/run.sh

# The JSON API against its OpenAPI document: schemathesis (pinned in tests/api/requirements.txt,
# installed into .venv once and again only when that file changes) against heartbeat-local on dynalite.
API_VENV := .venv
$(API_VENV)/.api-contract-installed: tests/api/requirements.txt
	test -x $(API_VENV)/bin/python || python3 -m venv $(API_VENV)
	$(API_VENV)/bin/pip install --quiet --disable-pip-version-check -r tests/api/requirements.txt
	@touch $@

api-contract: $(NODE_MODULES) $(API_VENV)/.api-contract-installed
	bash tests/api/run.sh

fmt:
	$(CARGO) fmt --all

fmt-check:
	$(CARGO) fmt --all -- --check

clippy:
	$(CARGO) clippy --workspace --all-targets -- -D warnings

ci: fmt-check clippy test lint-template check-sam-build

clean:
	$(CARGO) clean
	rm -rf node_modules .venv

include infra/lint.mk

# The `heartbeat` client as one static binary for the machines that run jobs (any x86-64 Linux, no
# libc needed). rustls' crypto (aws-lc) is C: musl-gcc compiles it where musl-tools is installed,
# the system gcc otherwise.
CLIENT_TARGET := x86_64-unknown-linux-musl
CLIENT_BIN := target/$(CLIENT_TARGET)/release/heartbeat
.PHONY: client
client:
	@rustup target list --installed | grep -qx $(CLIENT_TARGET) || rustup target add $(CLIENT_TARGET)
	CC_x86_64_unknown_linux_musl=$${CC_x86_64_unknown_linux_musl:-$$(command -v musl-gcc || echo gcc)} \
	  $(CARGO) build --release --locked -p heartbeat-client --target $(CLIENT_TARGET)
	@if command -v file >/dev/null; then \
	  file $(CLIENT_BIN) | grep -q 'static' || { file $(CLIENT_BIN); echo "$(CLIENT_BIN) is not static"; exit 1; }; \
	fi
	@printf '%s: %s bytes, static\n' $(CLIENT_BIN) $$(wc -c < $(CLIENT_BIN))

build: build-lambda

# The benchmarks of docs/PERFORMANCE.md: criterion on the handlers (in-memory store), then one table of
# throughput, DynamoDB requests per pulse, cold starts (it builds the release functions), the monitor's
# due index against a full Scan and the dashboard at 10,000 pulses; then the Lambda bootstraps' sizes,
# zipped as `make build` zips them, when `make build` has made them.
# The CPU comparison runs the local runtime's `profiling` build (release with symbols, for perf)
# against bench/node's aws-sdk v2 handler; the bench binary itself is built with the same profile, so
# one build of the dependencies serves both.
BENCH_FUNCTIONS := pulse dashboard monitor edit-get edit-post api badge detail
BENCH_NODE_MODULES := bench/node/node_modules/.package-lock.json
$(BENCH_NODE_MODULES): bench/node/package-lock.json
	npm ci --prefix bench/node --no-audit --no-fund
	@touch $@
bench: $(NODE_MODULES) $(BENCH_NODE_MODULES)
	@bash tests/browser/chromium.sh || echo "make bench: without Chromium the dashboard's browser row fails; the rest runs"
	$(CARGO) bench -p heartbeat-shared --bench handlers
	$(CARGO) build --profile profiling -p heartbeat-local -p heartbeat-bench
	$(CARGO) run --profile profiling -p heartbeat-bench -- $(BENCH_ARGS)
	python3 bench/cost.py --check
	@printf '\n%-10s %12s %12s\n' bootstrap bytes zipped; \
	for f in $(BENCH_FUNCTIONS); do \
	  bin=target/lambda/$$f/bootstrap; \
	  if test -f $$bin; then \
	    zipped=$$(python3 -c 'import io,sys,zipfile; b=io.BytesIO(); z=zipfile.ZipFile(b,"w",zipfile.ZIP_DEFLATED,compresslevel=9); z.write(sys.argv[1],"bootstrap"); z.close(); print(len(b.getvalue()))' $$bin); \
	    printf '%-10s %12s %12s\n' $$f $$(wc -c < $$bin) $$zipped; \
	  else \
	    printf '%-10s %12s\n' $$f "absent: make build makes target/lambda/$$f/bootstrap"; \
	  fi; \
	done

# Fuzzing (not part of `make test`): installs cargo-fuzz when missing, then runs every target in fuzz/
# for FUZZ_SECONDS each (default 600), one after the other at nice 19, and prints libFuzzer's summary
# (executions, exec/s, corpus, crashes). Stable Rust with RUSTC_BOOTSTRAP=1; see fuzz/README.md.
FUZZ_SECONDS ?= 600
.PHONY: fuzz
fuzz:
	@$(CARGO) fuzz --version >/dev/null 2>&1 || $(CARGO) install cargo-fuzz --locked
	RUSTC_BOOTSTRAP=1 FUZZ_SECONDS=$(FUZZ_SECONDS) bash fuzz/run.sh $(FUZZ_TARGETS)
