#!/bin/sh
# scangate scanner entrypoint: scan this pod's target container once, through /proc/PID/root in the
# shared process namespace, write the results atomically, then idle without a shell so that
# `scangate fetch` can exec `cat` in this container.
#
# One script for the chart's test pod (scripts ConfigMap), for pods changed by `scangate sidecar inject`
# (embedded in the container command) and for deploy/scanner/Dockerfile. POSIX sh: dash, busybox, bash.
#
# Environment (all optional):
#   SCANNER_PROFILES        colon-separated profile paths        (default /profiles/container-baseline)
#                           A directory with controls/ is used as it is. A flat directory, as a ConfigMap
#                           mount gives it (inspec.yml and *.rb side by side), is assembled into a profile
#                           under $TMPDIR first. A file (.tar.gz, .zip, .rb) is passed as it is.
#   SCANNER_RESULTS_DIR     results and completion marker       (default /results)
#   SCANNER_REPORTER        json or json-min                      (default json)
#   SCANNER_TARGET_PROCESS  extended regex matched against a candidate's command line; without it the
#                           target is the lowest PID outside this container that is not the pause process
#   SCANNER_WAIT_SECONDS    how long to wait for the target process to appear (default 120)
#   SCANNER_THRESHOLD       threshold file: when scangate is installed too, gate in the pod and write
#                           scan-summary.md and threshold-result.txt (the exit code of `scangate check`)
#   SCANNER_WAIVERS         an InSpec waiver file that gate applies (scangate check --waivers)
#   SCANNER_ATTESTATIONS    a SAF CLI attestation file that gate applies (scangate check --attestations)
#   SCANNER_WARN_EXPIRING   how early that gate warns of expiring waivers and attestations: a whole number
#                           of days or weeks, e.g. 30d or 2w; 0d never (default: scangate's, 14d)
#   SCANNER_AFTER_SCAN      sleep (default): exec `sleep`, one non-root process and no loop, so the results
#                           stay reachable; exit: end the container (Jobs, tests)
#   SCANNER_AUDITOR         the auditor command (default: cinc-auditor, else inspec, from PATH)
#   SCANNER_ALLOW_ROOT      1 to run as uid 0 (only with the chart's scanner.sysPtrace opt-in)
#   PROC_ROOT               the proc file system (default /proc; tests point it at a fake tree)
#   TMPDIR                  scratch space, a writable emptyDir in the pod (default /tmp)
#
# Exit codes: 1 no target or unreadable target, 2 bad configuration, 3 the auditor failed,
# 127 no auditor. On any failure no completion marker is written.
set -u

PROC_ROOT=${PROC_ROOT:-/proc}
RESULTS=${SCANNER_RESULTS_DIR:-/results}
PROFILES=${SCANNER_PROFILES:-/profiles/container-baseline}
REPORTER=${SCANNER_REPORTER:-json}
PATTERN=${SCANNER_TARGET_PROCESS:-}
WAIT=${SCANNER_WAIT_SECONDS:-120}
SCRATCH=${TMPDIR:-/tmp}
MARKER=$RESULTS/scan-complete

log() { printf 'scanner: %s\n' "$*" >&2; }
die() { code=$1; shift; printf 'scanner: ERROR: %s\n' "$*" >&2; exit "$code"; }

idle() {
  case ${SCANNER_AFTER_SCAN:-sleep} in
    exit) exit 0 ;;
    # exec: the shell is replaced, nothing loops; 2^31-1 s because not every sleep knows "infinity".
    *) exec sleep 2147483647 ;;
  esac
}

case $REPORTER in json|json-min) ;; *) die 2 "SCANNER_REPORTER must be json or json-min, not '$REPORTER'" ;; esac
case $WAIT in ''|*[!0-9]*) die 2 "SCANNER_WAIT_SECONDS must be a number of seconds, not '$WAIT'" ;; esac
# The gate's waivers and attestations: checked now, so that a mistake costs no scan.
WAIVERS=${SCANNER_WAIVERS:-}
ATTESTATIONS=${SCANNER_ATTESTATIONS:-}
WARN_EXPIRING=${SCANNER_WARN_EXPIRING:-}
if [ -n "$WARN_EXPIRING" ]; then
  case ${WARN_EXPIRING%[dw]} in
    ''|*[!0-9]*|"$WARN_EXPIRING") die 2 "SCANNER_WARN_EXPIRING must be a number of days or weeks (30d, 2w; 0d: never), not '$WARN_EXPIRING'" ;;
  esac
fi
if [ -n "${SCANNER_THRESHOLD:-}" ]; then
  for f in "SCANNER_WAIVERS=$WAIVERS" "SCANNER_ATTESTATIONS=$ATTESTATIONS"; do
    path=${f#*=}
    [ -z "$path" ] || { [ -f "$path" ] && [ -r "$path" ]; } || die 2 "$f: no such readable file (is its ConfigMap mounted?)"
  done
elif [ -n "$WAIVERS$ATTESTATIONS" ]; then
  log "SCANNER_WAIVERS and SCANNER_ATTESTATIONS apply in the gate, which runs only with SCANNER_THRESHOLD: ignored"
fi
if [ "$(id -u)" = 0 ] && [ "${SCANNER_ALLOW_ROOT:-0}" != 1 ]; then
  die 2 "refusing to run as root: run the pod as the target's non-root UID (runAsUser), which needs no capability"
fi
[ -d "$RESULTS" ] && [ -w "$RESULTS" ] || die 2 "results directory $RESULTS is missing or not writable"

if [ -f "$MARKER" ]; then
  log "$MARKER exists: the results of an earlier run in this pod are complete; not scanning again"
  idle
fi

work=$SCRATCH/scangate-scan.$$
tmp=$RESULTS/.scan-results.json.tmp
cleanup() { rm -rf "$work"; rm -f "$tmp"; }
trap cleanup EXIT
trap 'exit 143' TERM INT
mkdir -p "$work" || die 2 "cannot create $work (TMPDIR must be writable)"

# --- find the target process -------------------------------------------------------------------
own_mnt=$(readlink "$PROC_ROOT/self/ns/mnt" 2>/dev/null) || die 1 "cannot read $PROC_ROOT/self/ns/mnt"

# Prints the target's PID, or nothing. Candidates: every process of the pod's shared PID namespace
# that lives in another mount namespace than this script (so: another container), is not the pause
# (sandbox) process that holds PID 1, and has a command line (not a zombie). Processes whose
# namespace links we may not read run as another user: they are noted in $work/denied.
find_target() {
  : > "$work/denied"
  for pid in $(printf '%s\n' "$PROC_ROOT"/[0-9]* | sed 's|.*/||' | grep -E '^[0-9]+$' | sort -n); do
    [ "$pid" = "$$" ] && continue
    comm=$(cat "$PROC_ROOT/$pid/comm" 2>/dev/null) || continue
    [ "$comm" = pause ] && continue
    if ! mnt=$(readlink "$PROC_ROOT/$pid/ns/mnt" 2>/dev/null); then
      printf '%s (%s)\n' "$pid" "$comm" >> "$work/denied"
      continue
    fi
    [ "$mnt" = "$own_mnt" ] && continue
    cmdline=$(tr '\000' ' ' < "$PROC_ROOT/$pid/cmdline" 2>/dev/null) || continue
    [ -n "$cmdline" ] || continue
    if [ -n "$PATTERN" ]; then
      printf '%s\n' "$cmdline" | grep -Eq -- "$PATTERN" || continue
    fi
    printf '%s\n' "$pid"
    return 0
  done
  return 1
}

waited=0
until pid=$(find_target); do
  if [ "$waited" -ge "$WAIT" ]; then
    if [ -s "$work/denied" ]; then
      log "processes of other users (their /proc entries are not readable):"
      sed 's/^/scanner:   PID /' "$work/denied" >&2
      die 1 "no readable target process after ${WAIT}s: the scanner must run as the target's UID (pod-level runAsUser/runAsGroup)"
    fi
    if [ -n "$PATTERN" ]; then
      die 1 "no process outside the scanner container matches SCANNER_TARGET_PROCESS='$PATTERN' after ${WAIT}s"
    fi
    die 1 "no target process after ${WAIT}s: is shareProcessNamespace true and the target container running?"
  fi
  sleep 2
  waited=$((waited + 2))
done

target_root=$PROC_ROOT/$pid/root
comm=$(cat "$PROC_ROOT/$pid/comm" 2>/dev/null || echo '?')
if ! ls "$target_root/" > /dev/null 2>&1; then
  die 1 "target PID $pid ($comm): $target_root is not readable: run the scanner as the target's UID"
fi
log "target: PID $pid ($comm), file system at $target_root"

# --- prepare the profiles ------------------------------------------------------------------------
set --
n=0
while IFS= read -r src; do
  [ -n "$src" ] || continue
  n=$((n + 1))
  if [ -f "$src" ] || [ -d "$src/controls" ]; then
    set -- "$@" "$src"
  elif [ -f "$src/inspec.yml" ]; then
    dst=$work/profiles/$n-$(basename "$src")
    mkdir -p "$dst/controls" || die 2 "cannot create $dst"
    cp "$src/inspec.yml" "$dst/inspec.yml" || die 2 "cannot copy $src/inspec.yml"
    for f in "$src"/*.rb; do
      if [ -f "$f" ]; then cp "$f" "$dst/controls/" || die 2 "cannot copy $f"; fi
    done
    set -- "$@" "$dst"
  else
    die 2 "profile $src is neither a profile directory nor a file (no inspec.yml)"
  fi
done <<EOF
$(printf '%s\n' "$PROFILES" | tr ':' '\n')
EOF
[ $# -gt 0 ] || die 2 "SCANNER_PROFILES names no profile"

auditor=${SCANNER_AUDITOR:-}
if [ -z "$auditor" ]; then
  for c in cinc-auditor inspec; do
    if command -v "$c" > /dev/null 2>&1; then auditor=$c; break; fi
  done
fi
[ -n "$auditor" ] || die 127 "neither cinc-auditor nor inspec is on PATH"

# Train has no chroot transport: the auditor runs locally and the profile reads the target through
# these inputs (see container-baseline's inspec.yml).
inputs=$work/inputs.yml
{
  printf 'target_root: "%s"\n' "$target_root"
  printf 'target_pid: "%s"\n' "$pid"
  printf 'proc_root: "%s"\n' "$PROC_ROOT"
} > "$inputs" || die 2 "cannot write $inputs"

# --- scan, then publish atomically ---------------------------------------------------------------
rm -f "$tmp"
log "running $auditor exec $* (reporter $REPORTER)"
"$auditor" exec "$@" -t local:// --input-file "$inputs" --no-color --reporter cli "$REPORTER:$tmp"
rc=$?
# 0: all passed, 100: some failed, 101: some skipped. Anything else is an error of the run itself.
case $rc in
  0|100|101) ;;
  *) die 3 "$auditor exited with $rc: no results published" ;;
esac
[ -s "$tmp" ] || die 3 "$auditor exited with $rc but wrote no results"
first=$(dd if="$tmp" bs=1 count=1 2>/dev/null)
[ "$first" = "{" ] || die 3 "$auditor wrote something that is not a JSON object to $tmp"
mv -f "$tmp" "$RESULTS/scan-results.json" || die 3 "cannot move the results into place"
log "results: $RESULTS/scan-results.json (auditor exit $rc)"

if [ -n "${SCANNER_THRESHOLD:-}" ]; then
  if command -v scangate > /dev/null 2>&1; then
    set -- -q -i "$RESULTS/scan-results.json" -T "$SCANNER_THRESHOLD"
    [ -z "$WAIVERS" ] || set -- "$@" --waivers "$WAIVERS"
    [ -z "$ATTESTATIONS" ] || set -- "$@" --attestations "$ATTESTATIONS"
    [ -z "$WARN_EXPIRING" ] || set -- "$@" --warn-expiring "$WARN_EXPIRING"
    scangate check "$@" --report "markdown=$RESULTS/scan-summary.md"
    gate=$?
    printf '%s\n' "$gate" > "$RESULTS/.threshold-result.txt.tmp" &&
      mv -f "$RESULTS/.threshold-result.txt.tmp" "$RESULTS/threshold-result.txt"
    log "threshold $SCANNER_THRESHOLD: scangate check exited $gate"
  else
    log "scangate is not in this image: gate the results in CI with scangate check"
  fi
fi

# The marker comes last: whoever sees it finds complete results.
: > "$MARKER" || die 3 "cannot write $MARKER"
log "scan complete"
rm -rf "$work"
trap - EXIT
idle
