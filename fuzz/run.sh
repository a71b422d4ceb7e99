#!/usr/bin/env bash
# Runs every fuzz target for SECONDS each (default 30) on its seed corpus; exits non-zero
# on the first crash, leaving the input in fuzz/artifacts/TARGET/.
#   bash fuzz/run.sh          # CI: 30 s a target
#   bash fuzz/run.sh 600      # ten minutes a target
# Needs nightly Rust and cargo-fuzz; installs them when missing (CI does the same).
set -euo pipefail
cd "$(dirname "$0")"
seconds="${1:-30}"
if ! rustup toolchain list | grep -q '^nightly'; then
  rustup toolchain install nightly --profile minimal
fi
if ! cargo +nightly fuzz --version >/dev/null 2>&1; then
  cargo install cargo-fuzz --locked
fi
cargo +nightly fuzz build
# Seeds: the shipped scenarios and the bad fixtures for the loader; a few committed
# inputs for the charts. New inputs the fuzzer finds go into corpus/ (not committed).
declare -A seeds=(
  [scenario]="../scenarios ../tests/bad"
  [charts]="seeds/charts"
)
for target in scenario charts; do
  mkdir -p "corpus/$target"
  echo "== fuzz $target for ${seconds} s"
  # shellcheck disable=SC2086
  cargo +nightly fuzz run "$target" "corpus/$target" ${seeds[$target]} -- \
    -max_total_time="$seconds" -max_len=8192 -len_control=0 -print_final_stats=1 2>&1 | tail -n 40
  test "${PIPESTATUS[0]}" -eq 0
done
