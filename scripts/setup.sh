#!/usr/bin/env bash
# Installs every tool the build and the tests need, idempotently: each step checks the version
# already present and skips when it matches. Nothing is downloaded from outside the package
# registries (crates.io, npm, apt).
set -euo pipefail
cd "$(dirname "$0")/.."

TRUNK_VERSION=0.21.14
WORKER_BUILD_VERSION=0.8.7
# The wasm-bindgen CLI must match the library version that Cargo.lock pins exactly.
WASM_BINDGEN_VERSION=$(awk '/^name = "wasm-bindgen"$/ {getline; gsub(/"/, "", $3); print $3; exit}' Cargo.lock)

step() { printf '\n==> %s\n' "$*"; }
timed() {
  local label=$1; shift
  local start=$SECONDS
  "$@"
  printf '    %s took %ss\n' "$label" $((SECONDS - start))
}

export PATH="$HOME/.cargo/bin:$PATH"

step "Rust toolchain and wasm32 target (rust-toolchain.toml)"
if ! rustup target list --installed | grep -qx wasm32-unknown-unknown; then
  timed "wasm32 target" rustup target add wasm32-unknown-unknown
else
  echo "    present"
fi

cargo_tool() { # name binary version [extra cargo install args...]
  local crate=$1 bin=$2 version=$3; shift 3
  if command -v "$bin" >/dev/null 2>&1 && "$bin" --version 2>/dev/null | grep -qwF "$version"; then
    echo "    $crate $version present"
  else
    timed "$crate $version" cargo install "$crate" --version "$version" "$@"
  fi
}

step "Trunk"
cargo_tool trunk trunk "$TRUNK_VERSION" --locked
step "wasm-bindgen CLI (matches Cargo.lock: $WASM_BINDGEN_VERSION)"
# Without --locked: the crate's own lock file names a yanked webpki-roots.
cargo_tool wasm-bindgen-cli wasm-bindgen "$WASM_BINDGEN_VERSION"
step "worker-build"
cargo_tool worker-build worker-build "$WORKER_BUILD_VERSION" --locked

step "npm packages (wrangler, binaryen)"
lock_sum=$(sha256sum package-lock.json | cut -d' ' -f1)
if [ -d node_modules ] && [ "$(cat node_modules/.setup-lock-sum 2>/dev/null)" = "$lock_sum" ]; then
  echo "    node_modules matches package-lock.json"
else
  timed "npm ci" npm ci --no-audit --no-fund
  echo "$lock_sum" > node_modules/.setup-lock-sum
fi

# Chromium and its driver for the browser tests, wrk for the benchmarks, brotli for `make
# sizes` and the SPA's size budget: one apt run installs whichever is missing.
step "Chromium, chromedriver, wrk, brotli (apt)"
missing=()
command -v chromium >/dev/null 2>&1 || missing+=(chromium)
command -v chromedriver >/dev/null 2>&1 || missing+=(chromium-driver)
command -v wrk >/dev/null 2>&1 || missing+=(wrk)
command -v brotli >/dev/null 2>&1 || missing+=(brotli)
if [ ${#missing[@]} -eq 0 ]; then
  echo "    present: $(chromium --version 2>/dev/null | head -1), $(wrk --version 2>&1 | head -1 | cut -d' ' -f1-2), brotli"
else
  SUDO=""; [ "$(id -u)" = 0 ] || SUDO=sudo
  timed "apt ${missing[*]}" bash -c "$SUDO apt-get update -qq && DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq ${missing[*]} >/dev/null"
fi
echo
echo "setup complete"
