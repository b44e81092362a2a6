# Two commands matter: `make dev` serves the app on http://127.0.0.1:8787 and `make test`
# runs every test. Both install what is missing first (scripts/setup.sh, idempotent).

SHELL := /bin/bash
.SHELLFLAGS := -euo pipefail -c
export PATH := $(CURDIR)/node_modules/.bin:$(HOME)/.cargo/bin:$(PATH)
export WRANGLER_SEND_METRICS := false
export WRANGLER_SEND_ERROR_REPORTS := false
export CLOUDFLARE_CF_FETCH_ENABLED := false
# worker-build would otherwise download these from GitHub.
export WASM_BINDGEN_BIN = $(shell command -v wasm-bindgen)
export WASM_OPT_BIN := $(CURDIR)/node_modules/.bin/wasm-opt
export ESBUILD_BIN := $(CURDIR)/node_modules/.bin/esbuild
export CHROMEDRIVER := /usr/bin/chromedriver

DEV_STATE := .wrangler/state
DEV_PORT := 8787

.PHONY: dev test setup build build-frontend build-worker migrate-local unit-test wasm-test \
        integration-test bench deploy-dry-run deploy sizes clean

dev: setup build migrate-local
	@echo
	@echo "  Serving the app at http://127.0.0.1:$(DEV_PORT)/"
	@echo
	wrangler dev --ip 127.0.0.1 --port $(DEV_PORT) --persist-to $(DEV_STATE) --show-interactive-dev-session=false

test: setup build unit-test wasm-test integration-test bench
	@echo "All tests passed."

setup:
	scripts/setup.sh

build: build-frontend build-worker

build-frontend:
	trunk build --release

build-worker:
	cd worker && worker-build --release

migrate-local:
	wrangler d1 migrations apply DB --local --persist-to $(DEV_STATE)

# Pure logic: native, milliseconds.
unit-test:
	cargo test -p shared --all-features

# The frontend's own tests, compiled to wasm and run in headless Chromium.
wasm-test:
	cd frontend && CARGO_TARGET_WASM32_UNKNOWN_UNKNOWN_RUNNER=wasm-bindgen-test-runner \
	  cargo test --lib --target wasm32-unknown-unknown

# The real worker under wrangler dev with a private local D1 per test, and browser end-to-end tests.
integration-test:
	cargo test -p tests -- --skip list_page_cost

# Benchmarks print ratios against a baseline measured in the same run; they fail only on
# wrong answers, never on time.
bench:
	cargo test -p tests --test bench_list -- --nocapture

deploy-dry-run: build
	out=$$(mktemp -d) && wrangler deploy --dry-run --outdir "$$out" && du -sh "$$out"

deploy: build
	wrangler d1 migrations apply DB --remote
	wrangler deploy

sizes: build-frontend
	@for f in dist/*.wasm; do printf '%s: %s bytes raw, %s bytes gzip\n' "$$f" "$$(stat -c %s "$$f")" "$$(gzip -9c "$$f" | wc -c)"; done

clean:
	cargo clean
	rm -rf dist worker/build
