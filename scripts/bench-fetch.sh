#!/usr/bin/env bash
# Measures `scangate fetch` from 1 pod and from 50 pods against the fake API server
# (examples/fake-apiserver.rs), with the release binary. The target: 50 pods take at most
# 3x the time of one. Prints the median of RUNS runs of each (wall and scangate's CPU), the
# fake server's CPU, the ratio, and the floor: the fake runs on the same cores, so the 50-pod
# run cannot take less than all the CPU of both spread over every core. A floor near 3x says
# that the machine, not the schedule, is what stands between the ratio and the target.
#
#   scripts/bench-fetch.sh            # 50 pods, 256 KiB results each, 7 runs
#   PODS=50 BYTES=1048576 RUNS=9 scripts/bench-fetch.sh
#   TMPDIR=target/tmp scripts/bench-fetch.sh   # the output somewhere other than /tmp
#   TLS=1 scripts/bench-fetch.sh               # HTTPS, as every real API server: a handshake per exec
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
tls=()
[ "${TLS:-0}" = 1 ] && tls=(--tls)

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
"$fake" --pods "$pods" --bytes "$bytes" --kubeconfig "$work/kubeconfig" "${tls[@]}" <"$fifo" >"$work/fake.out" &
fake_pid=$!
exec 3>"$fifo"
for _ in $(seq 50); do grep -q '^ready ' "$work/fake.out" 2>/dev/null && break; sleep 0.1; done
grep -q '^ready ' "$work/fake.out" || { echo "the fake API server did not start" >&2; exit 1; }

# One fetch: wall-clock microseconds, then its user and system CPU seconds. Bash's own clock
# and `time` keyword: timing with `date` would add two process start-ups to every run, and
# flatter the ratio.
one_run() {
    rm -rf "$work/out"
    local start end TIMEFORMAT='%3U %3S'
    start=$EPOCHREALTIME
    { time KUBECONFIG="$work/kubeconfig" "$bin" fetch "$@" -o "$work/out" --concurrency "$concurrency" \
        --timeout 60s >/dev/null 2>"$work/err"; } 2>"$work/time" || { cat "$work/err" >&2; exit 1; }
    end=$EPOCHREALTIME
    echo "$(( ${end/./} - ${start/./} )) $(cat "$work/time")"
}

# The fake's CPU so far, in clock ticks (utime + stime in /proc/PID/stat).
fake_ticks() { awk '{print $14 + $15}' "/proc/$fake_pid/stat"; }

median() { sort -n | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}'; }

# Medians of the columns "wall_us user_s sys_s": wall in microseconds, CPU in milliseconds.
medians() {
    local rows
    rows=$(cat)
    echo "$(cut -d' ' -f1 <<<"$rows" | median) $(awk '{print ($2 + $3) * 1000}' <<<"$rows" | median)"
}

one_run scan-0 >/dev/null  # warm-up
# Collected first: a failed run then stops the script (set -e), which a pipe would hide.
rows=$(for _ in $(seq "$runs"); do one_run scan-0; done)
read -r single single_cpu <<<"$(medians <<<"$rows")"
ticks_before=$(fake_ticks)
rows=$(for _ in $(seq "$runs"); do one_run -l app=web; done)
ticks_after=$(fake_ticks)
read -r many many_cpu <<<"$(medians <<<"$rows")"
files=$(find "$work/out" -name scan-results.json | wc -l)
[ "$files" -eq "$pods" ] || { echo "expected $pods results files, found $files" >&2; exit 1; }

# The fake serves from the same cores: no schedule can finish the 50-pod run faster than all
# the CPU it takes, scangate's and the fake's, spread over every core.
awk -v s="$single" -v sc="$single_cpu" -v m="$many" -v mc="$many_cpu" -v p="$pods" -v b="$bytes" \
    -v r="$runs" -v c="$concurrency" -v cores="$(nproc)" -v hz="$(getconf CLK_TCK)" \
    -v ticks="$(( ticks_after - ticks_before ))" -v tls="${#tls[@]}" 'BEGIN {
    fake = ticks * 1000 / hz / r
    floor = (mc + fake) / cores
    printf "fetch over %s, %d KiB results per pod, concurrency %d, median of %d runs (release build)\n",
        tls ? "HTTPS" : "HTTP", b/1024, c, r
    printf "             wall   scangate CPU   fake server CPU\n"
    printf "  1 pod:   %5.1f ms  %6.1f ms\n", s/1000, sc
    printf "  %d pods: %5.1f ms  %6.1f ms      about %.0f ms\n", p, m/1000, mc, fake
    printf "  ratio:   %5.2fx (target: at most 3x)\n", m/s
    printf "  floor:   %5.1f ms for %d pods: their CPU over %d cores, a ratio of at least %.2fx here\n",
        floor, p, cores, floor * 1000 / s
    exit (m > 3*s) ? 1 : 0
}'
