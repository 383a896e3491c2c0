#!/usr/bin/env bash
# Measures `scangate fetch` from 1 pod and from 50 pods against the fake API server
# (examples/fake-apiserver.rs), with the release binary. The target: 50 pods take at most
# 3x the time of one. Prints the median of RUNS runs of each and the ratio.
#
#   scripts/bench-fetch.sh            # 50 pods, 256 KiB results each, 7 runs
#   PODS=50 BYTES=1048576 RUNS=9 scripts/bench-fetch.sh
#   TMPDIR=target/tmp scripts/bench-fetch.sh   # the output somewhere other than /tmp
#
# Every run starts from an empty output directory, so each pod costs a directory and a file
# created. Where /tmp sees heavy churn (a test suite creating and deleting thousands of files),
# ext4 takes up to ten times longer to find a free inode there than elsewhere on the same disk.
set -euo pipefail
cd "$(dirname "$0")/.."

pods="${PODS:-50}"
bytes="${BYTES:-262144}"
runs="${RUNS:-7}"
concurrency="${CONCURRENCY:-8}"

cargo build --release --locked --bin scangate --example fake-apiserver >&2
bin=target/release/scangate
fake=target/release/examples/fake-apiserver

work="$(mktemp -d)"
fifo="$work/stdin"
mkfifo "$fifo"
cleanup() {
    exec 3>&- 2>/dev/null || true
    [ -n "${fake_pid:-}" ] && kill "$fake_pid" 2>/dev/null || true
    rm -rf "$work"
}
trap cleanup EXIT

# The fake serves until its stdin closes; keep a writer open on the fifo for that.
"$fake" --pods "$pods" --bytes "$bytes" --kubeconfig "$work/kubeconfig" <"$fifo" >"$work/fake.out" &
fake_pid=$!
exec 3>"$fifo"
for _ in $(seq 50); do grep -q '^ready ' "$work/fake.out" 2>/dev/null && break; sleep 0.1; done
grep -q '^ready ' "$work/fake.out" || { echo "the fake API server did not start" >&2; exit 1; }

# Wall-clock microseconds of one fetch. Bash's own clock: timing with `date` would add two
# process start-ups to every run, and flatter the ratio.
one_run() {
    rm -rf "$work/out"
    local start end
    start=$EPOCHREALTIME
    KUBECONFIG="$work/kubeconfig" "$bin" fetch "$@" -o "$work/out" --concurrency "$concurrency" --timeout 60s \
        >/dev/null 2>"$work/err" || { cat "$work/err" >&2; exit 1; }
    end=$EPOCHREALTIME
    echo $(( ${end/./} - ${start/./} ))
}

median() { sort -n | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}'; }

one_run scan-0 >/dev/null  # warm-up
single=$(for _ in $(seq "$runs"); do one_run scan-0; done | median)
many=$(for _ in $(seq "$runs"); do one_run -l app=web; done | median)
files=$(find "$work/out" -name scan-results.json | wc -l)
[ "$files" -eq "$pods" ] || { echo "expected $pods results files, found $files" >&2; exit 1; }

awk -v s="$single" -v m="$many" -v p="$pods" -v b="$bytes" -v r="$runs" -v c="$concurrency" 'BEGIN {
    printf "fetch, %d KiB results per pod, concurrency %d, median of %d runs (release build)\n", b/1024, c, r
    printf "  1 pod:   %8.1f ms\n", s/1000
    printf "  %d pods: %8.1f ms\n", p, m/1000
    printf "  ratio:   %8.2fx (target: at most 3x)\n", m/s
    exit (m > 3*s) ? 1 : 0
}'
