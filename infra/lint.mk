# Deployment checks and the Lambda build, as a Makefile fragment.
#
#   include infra/lint.mk              (from the main Makefile)
#   make -f infra/lint.mk lint-template
#   make -f infra/lint.mk build-lambda
#
# Every path is taken from this file's own location, so the targets work whether the fragment is
# included or named with -f, and from whatever directory make was started in.
#
#   lint-template  cfn-lint and `sam validate --lint` on template.yaml; both must be clean (no
#                  warning, no error: cfn-lint exits non-zero on warnings too). The linters live in
#                  .venv, installed once from infra/requirements-lint.txt (pinned) and again only
#                  when that file changes.
#   build-lambda   the eight functions for Graviton (aarch64-unknown-linux-gnu) with cargo-lambda,
#                  which cross-compiles through Zig (the `ziglang` wheel in .venv, found by
#                  cargo-zigbuild as `python3 -m ziglang` since .venv/bin comes first on PATH).
#                  Artifacts: target/lambda/<function>/bootstrap. cargo-lambda comes from its PyPI
#                  wheel into .venv (seconds), not `cargo install` (a 13-minute compile).
#   check-sam-build  `sam build` of template.yaml (each function with cargo-lambda, BuildMethod
#                  rust-cargolambda), then checks that .aws-sam/build/ holds one arm64 `bootstrap`
#                  for each function of the template, and nothing else in its folder.
#   deploy         `sam build`, then `sam deploy --guided` the first time (it saves the answers in
#                  samconfig.toml), `sam deploy --no-confirm-changeset` once samconfig.toml has them.
#   test-services  moto (the SSM stand-in of the secrets tests) into .venv, from
#                  infra/requirements-test.txt (pinned), again only when that file changes.

INFRA_MK := $(lastword $(MAKEFILE_LIST))
INFRA_ROOT := $(abspath $(dir $(INFRA_MK))..)
# Defining targets here must not change the including Makefile's default goal (restored below).
INFRA_PREVIOUS_GOAL := $(.DEFAULT_GOAL)
INFRA_VENV := $(INFRA_ROOT)/.venv
INFRA_PYTHON ?= python3
INFRA_FUNCTIONS := pulse dashboard monitor edit-get edit-post api badge detail
# Zig used by cargo-lambda (through cargo-zigbuild) as the cross linker; pinned like the linters.
INFRA_ZIGLANG_VERSION ?= 0.13.0
INFRA_CARGO_LAMBDA_VERSION ?= 1.9.2
INFRA_LAMBDA_TEMPLATE := template.yaml
# What --arm64 builds for (Graviton); rustup must have its standard library.
INFRA_LAMBDA_TARGET := aarch64-unknown-linux-gnu
INFRA_LINT_REGION ?= us-east-1

export SAM_CLI_TELEMETRY := 0

.PHONY: lint-template build-lambda check-sam-build deploy test-services

$(INFRA_VENV)/bin/python:
	$(INFRA_PYTHON) -m venv $(INFRA_VENV)

$(INFRA_VENV)/.lint-installed: $(INFRA_ROOT)/infra/requirements-lint.txt | $(INFRA_VENV)/bin/python
	$(INFRA_VENV)/bin/python -m pip install --disable-pip-version-check --quiet -r $<
	touch $@

lint-template: $(INFRA_VENV)/.lint-installed
	cd $(INFRA_ROOT) && $(INFRA_VENV)/bin/cfn-lint $(INFRA_LAMBDA_TEMPLATE)
	cd $(INFRA_ROOT) && $(INFRA_VENV)/bin/sam validate --lint --region $(INFRA_LINT_REGION) --template $(INFRA_LAMBDA_TEMPLATE)

$(INFRA_VENV)/.test-installed: $(INFRA_ROOT)/infra/requirements-test.txt | $(INFRA_VENV)/bin/python
	$(INFRA_VENV)/bin/python -m pip install --disable-pip-version-check --quiet -r $<
	touch $@

test-services: $(INFRA_VENV)/.test-installed

$(INFRA_VENV)/.zig-installed: | $(INFRA_VENV)/bin/python
	$(INFRA_VENV)/bin/python -m pip install --disable-pip-version-check --quiet ziglang==$(INFRA_ZIGLANG_VERSION) cargo-lambda==$(INFRA_CARGO_LAMBDA_VERSION)
	touch $@

build-lambda: $(INFRA_VENV)/.zig-installed
	cd $(INFRA_ROOT) && export PATH="$(INFRA_VENV)/bin:$$PATH" \
	  && { ! command -v rustup >/dev/null 2>&1 \
	       || rustup target list --installed | grep -qx $(INFRA_LAMBDA_TARGET) \
	       || rustup target add $(INFRA_LAMBDA_TARGET) \
	       || { echo "build-lambda: Rust's standard library for $(INFRA_LAMBDA_TARGET) is missing and rustup could not fetch it" >&2; exit 1; }; } \
	  && cargo lambda --version \
	  && cargo lambda build --release --arm64 $(addprefix -p ,$(INFRA_FUNCTIONS))
	@cd $(INFRA_ROOT) && printf '%-10s %12s %12s\n' function bytes zipped \
	  && for f in $(INFRA_FUNCTIONS); do \
	       bin=target/lambda/$$f/bootstrap; \
	       test -f $$bin || { echo "missing $$bin" >&2; exit 1; }; \
	       zipped=$$(python3 -c 'import io,sys,zipfile; b=io.BytesIO(); z=zipfile.ZipFile(b,"w",zipfile.ZIP_DEFLATED,compresslevel=9); z.write(sys.argv[1],"bootstrap"); z.close(); print(len(b.getvalue()))' $$bin); \
	       printf '%-10s %12s %12s\n' $$f $$(wc -c < $$bin) $$zipped; \
	     done

# What `sam build` needs on PATH: cargo-lambda and Zig from .venv, the arm64 standard library.
INFRA_SAM_ENV = cd $(INFRA_ROOT) && export PATH="$(INFRA_VENV)/bin:$$PATH" \
	  && { ! command -v rustup >/dev/null 2>&1 \
	       || rustup target list --installed | grep -qx $(INFRA_LAMBDA_TARGET) \
	       || rustup target add $(INFRA_LAMBDA_TARGET) \
	       || { echo "Rust's standard library for $(INFRA_LAMBDA_TARGET) is missing and rustup could not fetch it" >&2; exit 1; }; }

# The check proves the template's build wiring (every function found, built by cargo-lambda for arm64),
# not the optimisation: it builds without LTO at opt-level 1, which takes a fraction of the release
# profile's time on a 2-core CI machine. `make deploy` and `make build` use the real release profile.
INFRA_CHECK_PROFILE := CARGO_PROFILE_RELEASE_LTO=off CARGO_PROFILE_RELEASE_CODEGEN_UNITS=16 CARGO_PROFILE_RELEASE_OPT_LEVEL=1
check-sam-build: $(INFRA_VENV)/.lint-installed $(INFRA_VENV)/.zig-installed
	$(INFRA_SAM_ENV) && rm -rf .aws-sam/build \
	  && export $(INFRA_CHECK_PROFILE) && sam build --template $(INFRA_LAMBDA_TEMPLATE)
	cd $(INFRA_ROOT) && $(INFRA_VENV)/bin/python infra/check_sam_build.py $(INFRA_LAMBDA_TEMPLATE) .aws-sam/build

deploy: $(INFRA_VENV)/.lint-installed $(INFRA_VENV)/.zig-installed
	$(INFRA_SAM_ENV) && sam build --template $(INFRA_LAMBDA_TEMPLATE)
	$(INFRA_SAM_ENV) && if grep -q '^parameter_overrides' samconfig.toml; then \
	    sam deploy --no-confirm-changeset; \
	  else \
	    sam deploy --guided; \
	  fi

ifeq ($(INFRA_MK),$(firstword $(MAKEFILE_LIST)))
.DEFAULT_GOAL := lint-template
else
.DEFAULT_GOAL := $(INFRA_PREVIOUS_GOAL)
endif
