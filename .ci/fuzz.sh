#!/usr/bin/env bash
# Fuzz smoke run for CI: seeds the corpora from fixtures/ and runs every cargo-fuzz target
# for a fixed number of executions; any crash (a panic, or a report that fails on input the
# parser accepted) fails the script, with the crashing input under fuzz/artifacts/TARGET/.
# About 7 minutes on 2 cores once built. Needs the nightly toolchain (cargo-fuzz does).
set -euo pipefail
cd "$(dirname "$0")/../fuzz"

CARGO_FUZZ_VERSION=0.13.2
# Largest results input; seed.sh cuts bigger fixtures down to it.
export MAX_LEN=16384
# Executions per target: a few hundred thousand each on this machine's speed (README, "Fuzzing").
RUNS_RESULTS=${RUNS_RESULTS:-400000}
RUNS_THRESHOLD=${RUNS_THRESHOLD:-1000000}
# Waivers and attestations: an accepted file is also applied and rendered in every format,
# about 1,100-1,500 executions a second, so about a minute each.
RUNS_RISK=${RUNS_RISK:-60000}

step() { printf '\n==> %s\n' "$*"; }

if ! cargo +nightly --version >/dev/null 2>&1; then
  echo "fuzz: the nightly toolchain is needed (cargo +nightly), and is not installed" >&2
  exit 1
fi
if [ "$(cargo fuzz --version 2>/dev/null)" != "cargo-fuzz $CARGO_FUZZ_VERSION" ]; then
  step "installing cargo-fuzz $CARGO_FUZZ_VERSION"
  cargo install cargo-fuzz --version "$CARGO_FUZZ_VERSION" --locked
fi

step "seeding the corpora from fixtures/"
./seed.sh

# No sanitizer: the workspace forbids unsafe code, so what is looked for is panics and
# wrong errors, and without ASan the same time buys about three times the executions.
step "building the fuzz targets"
cargo +nightly fuzz build -s none

run() {
  local target=$1 runs=$2
  shift 2
  step "fuzzing $target: $runs executions"
  cargo +nightly fuzz run -s none "$target" "corpus/$target" -- \
    -runs="$runs" -timeout=10 -print_final_stats=1 "$@" 2>&1 |
    grep -Ev '^#[0-9]+[[:space:]]+(NEW|REDUCE|pulse)' ||
    { echo "fuzz: $target crashed; the input is in fuzz/artifacts/$target/" >&2; exit 1; }
}
set -o pipefail
run results "$RUNS_RESULTS" -max_len="$MAX_LEN"
run threshold_file "$RUNS_THRESHOLD"
run threshold_inline "$RUNS_THRESHOLD"
run baseline "$RUNS_RESULTS" -max_len=32768
run waivers "$RUNS_RISK"
run attestations "$RUNS_RISK"

echo
echo "fuzz: no crashes."
