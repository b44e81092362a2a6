#!/usr/bin/env bash
# What the browser downloads for the SPA (dist/: wasm, JS, CSS), raw, gzip -9 and brotli -q 11,
# with the total. With --budget N, fails when the brotli total is above N bytes (make test).
set -euo pipefail
cd "$(dirname "$0")/.."
budget=""
[ "${1:-}" = "--budget" ] && budget=$2

total_raw=0 total_gz=0 total_br=0
printf '%-40s %10s %10s %10s\n' file raw gzip brotli
for f in dist/*.wasm dist/*.js dist/*.css; do
  raw=$(stat -c %s "$f")
  gz=$(gzip -9c "$f" | wc -c)
  br=$(brotli -c -q 11 "$f" | wc -c)
  printf '%-40s %10d %10d %10d\n' "$f" "$raw" "$gz" "$br"
  total_raw=$((total_raw + raw)) total_gz=$((total_gz + gz)) total_br=$((total_br + br))
done
printf '%-40s %10d %10d %10d\n' total "$total_raw" "$total_gz" "$total_br"

if [ -n "$budget" ]; then
  if [ "$total_br" -gt "$budget" ]; then
    echo "The SPA is $total_br bytes with brotli, over its budget of $budget (the size reached plus 5 %)." >&2
    echo "Find what grew with twiggy (README, Performance) before raising SPA_BROTLI_BUDGET in the Makefile." >&2
    exit 1
  fi
  echo "within the budget of $budget bytes with brotli"
fi
