#!/usr/bin/env bash
# scangate against the reference SAF CLI 1.5.3, side by side, on generated InSpec results.
#
#   scripts/bench-vs-saf.sh                 # everything (saf on 250 MB takes about a minute a run)
#   RUNS=3 SAF_RUNS=1 scripts/bench-vs-saf.sh
#   SKIP_SAF=1 scripts/bench-vs-saf.sh      # scangate only
#
# Inputs come from scripts/gen-results (deterministic), cached in $BENCH_DIR
# (default target/bench-inputs). Each command runs RUNS times (SAF_RUNS for saf) after a
# warm-up; the table shows the median wall time and the largest peak RSS of the runs.
# Needs: a release build (built here), python3; for saf: node + npm (`scripts/tools.sh path saf`
# installs SAF CLI 1.5.3 on first use).
set -euo pipefail
cd "$(dirname "$0")/.."

RUNS=${RUNS:-5}
SAF_RUNS=${SAF_RUNS:-3}
BENCH_DIR=${BENCH_DIR:-target/bench-inputs}
GEN=scripts/gen-results
THRESHOLD=thresholds/basic.yml

cargo build --locked --release --quiet
if [ -z "${SKIP_SAF:-}" ]; then SAF=$(scripts/tools.sh path saf); fi
BIN=target/release/scangate
mkdir -p "$BENCH_DIR"

generate() { # name args...
  local name=$1; shift
  [ -s "$BENCH_DIR/$name.json" ] || python3 "$GEN" "$BENCH_DIR/$name.json" "$@" >&2
}
# The start-up input: a real 2 KB HDF file from SAF CLI's test data.
cp fixtures/results/minimal_hdf.json "$BENCH_DIR/small.json"
generate 50mb --controls 8500 --results 8
generate 250mb --controls 42500 --results 8
generate 250mb-overlay --controls 42500 --results 8 --overlay
if [ ! -d "$BENCH_DIR/pods" ]; then
  mkdir -p "$BENCH_DIR/pods"
  for i in $(seq 1 50); do python3 "$GEN" "$BENCH_DIR/pods/pod-$i.json" --controls 850 --results 8 --seed "$i"; done
fi

# measure RUNS CMD...: prints "median_wall_s max_rss_kb median_cpu_s" over RUNS runs after a
# warm-up. Wall time from a monotonic clock around each process; CPU time and peak RSS from the
# kernel's accounting of the finished child (wait4: the figures /usr/bin/time -v reports).
measure() {
  python3 - "$@" <<'PY'
import os, statistics, subprocess, sys, time
runs, cmd = int(sys.argv[1]), sys.argv[2:]
def once():
    start = time.perf_counter()
    child = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    _, _, usage = os.wait4(child.pid, 0)
    child.returncode = 0  # reaped here; the command's own exit code does not matter
    return time.perf_counter() - start, usage.ru_maxrss, usage.ru_utime + usage.ru_stime
once()
samples = [once() for _ in range(runs)]
print(f"{statistics.median(s[0] for s in samples):.4f} {max(s[1] for s in samples)} {statistics.median(s[2] for s in samples):.4f}")
PY
}

mb() { python3 -c "import os,sys; print(f'{sum(os.path.getsize(p) for p in sys.argv[1:])/1e6:.3f}')" "$@"; }

reports=(--report "markdown=$BENCH_DIR/out.md" --report "junit=$BENCH_DIR/out.xml" --report "sarif=$BENCH_DIR/out.sarif"
         --report "html=$BENCH_DIR/out.html" --report "json=$BENCH_DIR/out.json")

rows=()
row() { # label input-files... -- scangate-args...
  local label=$1; shift
  local files=()
  while [ "$1" != "--" ]; do files+=("$1"); shift; done; shift
  local size; size=$(mb "${files[@]}")
  # shellcheck disable=SC2206 # PIN is a word list on purpose
  local pin=(${PIN:-})
  read -r s_wall s_rss s_cpu < <(measure "$RUNS" "${pin[@]}" "$BIN" "$@")
  local s_mbps; s_mbps=$(python3 -c "print(f'{$size/max($s_wall, 1e-9):.0f}')")
  # Peak RSS in MB (10^6 bytes) like the input size, so "input + N MB" reads off the table.
  local line="$label|$size|$s_wall|$s_mbps|$((s_rss * 1024 / 1000000))|$s_cpu"
  if [ -z "${SKIP_SAF:-}" ] && [ ${#files[@]} -eq 1 ] && [ -n "${SAF_ARGS:-}" ]; then
    # shellcheck disable=SC2086 # SAF_ARGS is a word list on purpose
    read -r f_wall f_rss _ < <(cd "$BENCH_DIR" && measure "$SAF_RUNS" "$SAF" $SAF_ARGS)
    line="$line|$f_wall|$((f_rss * 1024 / 1000000))|$(python3 -c "print(f'{$f_wall/$s_wall:.0f}x')")"
  else
    line="$line|-|-|-"
  fi
  rows+=("$line")
}

abs() { python3 -c "import os,sys; print(os.path.abspath(sys.argv[1]))" "$1"; }
for name in small 50mb 250mb 250mb-overlay; do
  f=$BENCH_DIR/$name.json
  SAF_ARGS="validate threshold -i $(abs "$f") -T $(abs "$THRESHOLD")" row "check $name" "$f" -- check -q -i "$f" -T "$THRESHOLD"
done
# One core, as the throughput target states it (the second parsing pass otherwise uses both).
if command -v taskset >/dev/null; then
  for name in 250mb 250mb-overlay; do
    f=$BENCH_DIR/$name.json
    PIN="taskset -c 0" SAF_ARGS="" row "check $name, 1 core" "$f" -- check -q -i "$f" -T "$THRESHOLD"
  done
fi
SAF_ARGS="summary -i $(abs "$BENCH_DIR/small.json") -f json" row "summary small (start-up)" "$BENCH_DIR/small.json" -- summary -f json -i "$BENCH_DIR/small.json"
# Gating change: the same gate against a baseline of the same scan (every failing control is
# still failing; the whole comparison runs), as a baseline file and as plain earlier results
# (which reads and parses a second 250 MB scan).
[ -s "$BENCH_DIR/250mb.baseline.json" ] || "$BIN" baseline create -i "$BENCH_DIR/250mb.json" -o "$BENCH_DIR/250mb.baseline.json"
SAF_ARGS="" row "check 250mb --baseline file" "$BENCH_DIR/250mb.json" -- check -q -i "$BENCH_DIR/250mb.json" -T "$THRESHOLD" --baseline "$BENCH_DIR/250mb.baseline.json"
SAF_ARGS="" row "check 250mb --baseline results" "$BENCH_DIR/250mb.json" -- check -q -i "$BENCH_DIR/250mb.json" -T "$THRESHOLD" --baseline "$BENCH_DIR/250mb.json"
# Accepted risk: 1,000 waivers and 1,000 attestations of the scan's failing controls (every
# entry matches; the attestations are checked against each control's first result).
if [ ! -s "$BENCH_DIR/250mb.waivers.yml" ]; then
  ids=$(grep -o '"control_id": "[^"]*"' "$BENCH_DIR/250mb.baseline.json" | cut -d'"' -f4)
  printf '%s\n' "$ids" | awk 'NR <= 1000 { printf "%s:\n  justification: accepted for the benchmark\n  expiration_date: 2099-01-01\n  run: false\n", $0 }' > "$BENCH_DIR/250mb.waivers.yml"
  printf '%s\n' "$ids" | awk 'NR > 1000 && NR <= 2000 { printf "- control_id: %s\n  explanation: checked by hand\n  frequency: annually\n  status: passed\n  updated: 2099-01-01\n  updated_by: bench\n", $0 }' > "$BENCH_DIR/250mb.attestations.yml"
fi
SAF_ARGS="" row "check 250mb --waivers --attestations" "$BENCH_DIR/250mb.json" -- check -q -i "$BENCH_DIR/250mb.json" -T "$THRESHOLD" --waivers "$BENCH_DIR/250mb.waivers.yml" --attestations "$BENCH_DIR/250mb.attestations.yml"
SAF_ARGS="" row "check 250mb + all 5 reports" "$BENCH_DIR/250mb.json" -- check -q -i "$BENCH_DIR/250mb.json" -T "$THRESHOLD" "${reports[@]}"
SAF_ARGS="" row "summary 250mb + all 5 reports" "$BENCH_DIR/250mb.json" -- summary -f json -i "$BENCH_DIR/250mb.json" "${reports[@]}"
pods=("$BENCH_DIR"/pods/*.json)
SAF_ARGS="" row "check 50 pods x 5 MB" "${pods[@]}" -- check -q -i "${pods[@]}" -T "$THRESHOLD"

printf '\nMachine: %s, %s cores, %s\n' "$(uname -m)" "$(nproc)" "$(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | xargs)"
printf 'scangate %s (release); medians of %s runs (saf: %s); peak RSS is the largest of the runs; MB = 10^6 bytes\n\n' "$("$BIN" --version | cut -d' ' -f2)" "$RUNS" "$SAF_RUNS"
printf '| run | input MB | scangate wall s | MB/s | peak RSS MB | CPU s | saf wall s | saf RSS MB | speed-up |\n'
printf '|---|---:|---:|---:|---:|---:|---:|---:|---:|\n'
for r in "${rows[@]}"; do
  IFS='|' read -r a b c d e f g h i <<<"$r"
  printf '| %s | %s | %s | %s | %s | %s | %s | %s | %s |\n' "$a" "$b" "$c" "$d" "$e" "$f" "$g" "$h" "$i"
done
