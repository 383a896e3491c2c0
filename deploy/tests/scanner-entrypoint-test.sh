#!/bin/sh
# Tests deploy/helm/common-scanner/files/scripts/scanner-entrypoint.sh without a cluster: a fake /proc
# tree (PROC_ROOT) stands for a pod's shared process namespace and a fake auditor records how it was
# called. Usage: deploy/tests/scanner-entrypoint-test.sh [SHELL...]   (default: sh; e.g. dash "busybox sh")
# Prints "N passed, N failed" and exits non-zero when a case fails.
set -u
here=$(cd "$(dirname "$0")" && pwd)
script=$here/../helm/common-scanner/files/scripts/scanner-entrypoint.sh
[ -f "$script" ] || { echo "missing $script" >&2; exit 2; }
[ $# -gt 0 ] || set -- sh

base=$(mktemp -d)
trap 'rm -rf "$base"' EXIT
passed=0
failed=0

# A fake auditor: records its arguments and the inputs file, writes a JSON report to the json:PATH
# reporter target, and exits with $FAKE_RC. FAKE_OUTPUT=empty|text writes an empty / non-JSON report.
mkdir -p "$base/bin"
cat > "$base/bin/cinc-auditor" <<'EOF'
#!/bin/sh
out=""; inputs=""; prev=""
for a in "$@"; do
  case $prev in --input-file) inputs=$a ;; esac
  case $a in json:*|json-min:*) out=${a#*:} ;; esac
  prev=$a
done
printf '%s\n' "$@" > "$FAKE_LOG.args"
[ -n "$inputs" ] && cp "$inputs" "$FAKE_LOG.inputs"
for a in "$@"; do
  [ -d "$a/controls" ] && ls "$a/controls" > "$FAKE_LOG.controls"
done
[ -n "$out" ] || exit 1
case ${FAKE_OUTPUT:-json} in
  empty) : > "$out" ;;
  text) echo "not json" > "$out" ;;
  *) printf '{"platform":{"name":"fake"},"profiles":[],"statistics":{"duration":0.1},"version":"5.18.14"}\n' > "$out" ;;
esac
exit "${FAKE_RC:-0}"
EOF
chmod +x "$base/bin/cinc-auditor"
# A fake scangate for the in-pod gate: records its arguments, exits with $FAKE_GATE_RC.
cat > "$base/bin/scangate" <<'EOF'
#!/bin/sh
printf '%s\n' "$@" > "$FAKE_LOG.gate"
exit "${FAKE_GATE_RC:-0}"
EOF
chmod +x "$base/bin/scangate"

# proc DIR: a pod with the pause process (1), an nginx master (7) and worker (8) in the target
# container, and the scanner's own shell (20) in its own mount namespace; `self` is the scanner.
mkproc() {
  p=$1
  mkproc_entry "$p" 1 pause '/pause' 'mnt:[4026531001]'
  mkproc_entry "$p" 7 nginx 'nginx: master process nginx -g daemon off;' 'mnt:[4026532007]'
  mkproc_entry "$p" 8 nginx 'nginx: worker process' 'mnt:[4026532007]'
  mkproc_entry "$p" 20 sh '/bin/sh /scripts/scanner-entrypoint.sh' 'mnt:[4026533020]'
  ln -s 20 "$p/self"
  mkdir -p "$p/7/root/etc" "$p/8/root/etc"
  echo 'root:x:0:0:root:/root:/bin/sh' > "$p/7/root/etc/passwd"
}
mkproc_entry() { # DIR PID COMM CMDLINE MNT
  mkdir -p "$1/$2/ns" "$1/$2/root"
  printf '%s\n' "$3" > "$1/$2/comm"
  # shellcheck disable=SC2086 # split the command line into NUL-separated arguments, as the kernel does
  printf '%s\000' $4 > "$1/$2/cmdline"
  ln -s "$5" "$1/$2/ns/mnt"
}

# prepare NAME SHELL [empty]: a fresh case directory $c with a fake proc tree at $c/proc (the pod
# above, or an empty one to fill), a flat profile at $c/profile, and empty results and scratch dirs.
prepare() {
  c=$base/$(printf '%s' "$2-$1" | tr -c 'A-Za-z0-9_-' '_')
  rm -rf "$c"
  mkdir -p "$c/results" "$c/tmp" "$c/profile" "$c/proc"
  [ "${3:-}" = empty ] || mkproc "$c/proc"
  printf 'name: p\n' > "$c/profile/inspec.yml"
  echo "control 'x'" > "$c/profile/10_files.rb"
  echo "control 'y'" > "$c/profile/20_process.rb"
}
# start SHELL [VAR=VALUE...]: runs the entrypoint in $c; sets $rc.
start() {
  sh=$1; shift
  # shellcheck disable=SC2086 # $sh may be "busybox sh"
  env PATH="$base/bin:$PATH" PROC_ROOT="$c/proc" SCANNER_RESULTS_DIR="$c/results" TMPDIR="$c/tmp" \
    SCANNER_PROFILES="$c/profile" SCANNER_WAIT_SECONDS=0 SCANNER_AFTER_SCAN=exit SCANNER_ALLOW_ROOT=1 \
    FAKE_LOG="$c/auditor" "$@" $sh "$script" > "$c/stdout" 2> "$c/stderr"
  rc=$?
}
# run NAME SHELL [VAR=VALUE...]: prepare + start with the default pod.
run() { prepare "$1" "$2"; n=$2; shift 2; start "$n" "$@"; }
ok() { passed=$((passed + 1)); printf 'ok     %s\n' "$1"; }
bad() { failed=$((failed + 1)); printf 'FAILED %s: %s\n' "$1" "$2"; sed 's/^/         | /' "$c/stderr"; }
check() { # NAME CONDITION-DESCRIPTION COMMAND...
  n=$1 d=$2; shift 2
  if "$@"; then :; else bad "$n" "$d"; return 1; fi
}
published() { [ -f "$c/results/scan-results.json" ] && [ -f "$c/results/scan-complete" ]; }
nothing_published() {
  [ ! -e "$c/results/scan-results.json" ] && [ ! -e "$c/results/scan-complete" ] &&
    [ ! -e "$c/results/.scan-results.json.tmp" ]
}
input_is() { grep -qx "target_root: \"$c/proc/$1/root\"" "$c/auditor.inputs"; }
stderr_has() { grep -q -- "$1" "$c/stderr"; }
# gate_has FLAG VALUE: the fake scangate got FLAG with VALUE as the next argument.
gate_has() { awk -v f="$1" -v v="$2" 'p == f && $0 == v { ok = 1 } { p = $0 } END { exit !ok }' "$c/auditor.gate"; }
gate_lacks() { ! grep -qx -- "$1" "$c/auditor.gate"; }
# risk_files: a threshold, waivers and attestations in "$c/risk files" (a space: arguments stay whole).
risk_files() {
  mkdir -p "$c/risk files"
  echo 'compliance.min: 80' > "$c/risk files/threshold.yml"
  printf 'cb-1.3:\n  justification: accepted\n  expiration_date: 2099-01-01\n' > "$c/risk files/waivers.yml"
  printf -- '- control_id: cb-2.5\n  status: passed\n' > "$c/risk files/attestations.yml"
}

for sh in "$@"; do
  t="[$sh] default target is the lowest PID outside the scanner, not pause"
  run default "$sh"
  check "$t" "exit 0" [ "$rc" -eq 0 ] && check "$t" "results and marker" published &&
    check "$t" "scans PID 7" input_is 7 && check "$t" "no temp file left" \
      [ ! -e "$c/results/.scan-results.json.tmp" ] &&
    check "$t" "local transport" grep -qx 'local://' "$c/auditor.args" &&
    check "$t" "json reporter into the results dir" grep -qx "json:$c/results/.scan-results.json.tmp" "$c/auditor.args" &&
    check "$t" "flat profile assembled into controls/" grep -qx '10_files.rb' "$c/auditor.controls" &&
    check "$t" "scratch cleaned" [ -z "$(ls "$c/tmp")" ] && ok "$t"

  t="[$sh] SCANNER_TARGET_PROCESS selects by command line"
  run pattern "$sh" SCANNER_TARGET_PROCESS='worker process'
  check "$t" "exit 0" [ "$rc" -eq 0 ] && check "$t" "scans PID 8" input_is 8 && ok "$t"

  t="[$sh] failing controls (auditor exit 100) still publish"
  run failing "$sh" FAKE_RC=100
  check "$t" "exit 0" [ "$rc" -eq 0 ] && check "$t" "published" published && ok "$t"

  t="[$sh] no target: loud failure, no marker"
  prepare notarget "$sh" empty
  mkproc_entry "$c/proc" 1 pause '/pause' 'mnt:[1]'; mkproc_entry "$c/proc" 20 sh '/bin/sh' 'mnt:[20]'
  ln -s 20 "$c/proc/self"
  start "$sh"
  check "$t" "exit 1" [ "$rc" -eq 1 ] && check "$t" "nothing published" nothing_published &&
    check "$t" "says why" stderr_has 'no target process' && check "$t" "auditor not run" [ ! -e "$c/auditor.args" ] &&
    ok "$t"

  t="[$sh] pattern matching nothing: loud failure"
  run nomatch "$sh" SCANNER_TARGET_PROCESS='^postgres'
  check "$t" "exit 1" [ "$rc" -eq 1 ] && check "$t" "nothing published" nothing_published &&
    check "$t" "names the pattern" stderr_has "SCANNER_TARGET_PROCESS='^postgres'" && ok "$t"

  t="[$sh] target of another UID: names the process and the fix"
  prepare denied "$sh" empty
  mkproc_entry "$c/proc" 1 pause '/pause' 'mnt:[1]'; mkproc_entry "$c/proc" 20 sh '/bin/sh' 'mnt:[20]'
  mkdir -p "$c/proc/7"; echo nginx > "$c/proc/7/comm"    # no readable ns/mnt: another user's process
  ln -s 20 "$c/proc/self"
  start "$sh"
  check "$t" "exit 1" [ "$rc" -eq 1 ] && check "$t" "nothing published" nothing_published &&
    check "$t" "lists PID 7" stderr_has 'PID 7 (nginx)' && check "$t" "says runAsUser" stderr_has 'runAsUser' && ok "$t"

  t="[$sh] auditor error (exit 1): no results, no marker, temp file removed"
  run autherr "$sh" FAKE_RC=1
  check "$t" "exit 3" [ "$rc" -eq 3 ] && check "$t" "nothing published" nothing_published && ok "$t"

  t="[$sh] empty report: no marker"
  run empty "$sh" FAKE_OUTPUT=empty
  check "$t" "exit 3" [ "$rc" -eq 3 ] && check "$t" "nothing published" nothing_published && ok "$t"

  t="[$sh] non-JSON report: no marker"
  run text "$sh" FAKE_OUTPUT=text
  check "$t" "exit 3" [ "$rc" -eq 3 ] && check "$t" "nothing published" nothing_published && ok "$t"

  t="[$sh] auditor that cannot run: exit 3, nothing published"
  run noauditor "$sh" SCANNER_AUDITOR=/nonexistent/cinc-auditor
  check "$t" "exit 3" [ "$rc" -eq 3 ] && check "$t" "nothing published" nothing_published && ok "$t"

  t="[$sh] an earlier complete run is not repeated"
  run again "$sh"
  rm -f "$c/auditor.args"
  start "$sh"
  check "$t" "exit 0" [ "$rc" -eq 0 ] && check "$t" "auditor not run again" [ ! -e "$c/auditor.args" ] &&
    check "$t" "says so" stderr_has 'not scanning again' && ok "$t"

  t="[$sh] bad reporter is a configuration error"
  run reporter "$sh" SCANNER_REPORTER=html
  check "$t" "exit 2" [ "$rc" -eq 2 ] && check "$t" "nothing published" nothing_published && ok "$t"

  t="[$sh] a profile directory with controls/ is used in place"
  prepare tree "$sh"
  mkdir -p "$c/tree/controls"; echo 'name: t' > "$c/tree/inspec.yml"
  start "$sh" SCANNER_PROFILES="$c/tree"
  check "$t" "exit 0" [ "$rc" -eq 0 ] && check "$t" "passed as is" grep -qx "$c/tree" "$c/auditor.args" && ok "$t"

  t="[$sh] in-pod gate: threshold, waivers, attestations and warn-expiring reach scangate check"
  prepare gate "$sh"; risk_files
  r="$c/risk files"
  start "$sh" SCANNER_THRESHOLD="$r/threshold.yml" SCANNER_WAIVERS="$r/waivers.yml" \
    SCANNER_ATTESTATIONS="$r/attestations.yml" SCANNER_WARN_EXPIRING=30d FAKE_GATE_RC=1
  check "$t" "exit 0" [ "$rc" -eq 0 ] && check "$t" "published" published &&
    check "$t" "-T" gate_has -T "$r/threshold.yml" && check "$t" "--waivers" gate_has --waivers "$r/waivers.yml" &&
    check "$t" "--attestations" gate_has --attestations "$r/attestations.yml" &&
    check "$t" "--warn-expiring" gate_has --warn-expiring 30d &&
    check "$t" "markdown report" gate_has --report "markdown=$c/results/scan-summary.md" &&
    check "$t" "the gate's exit code recorded" grep -qx 1 "$c/results/threshold-result.txt" && ok "$t"

  t="[$sh] in-pod gate without waivers or attestations: no such options"
  prepare gateonly "$sh"; risk_files
  start "$sh" SCANNER_THRESHOLD="$c/risk files/threshold.yml"
  check "$t" "exit 0" [ "$rc" -eq 0 ] && check "$t" "gated" gate_has -T "$c/risk files/threshold.yml" &&
    check "$t" "no --waivers" gate_lacks --waivers && check "$t" "no --attestations" gate_lacks --attestations &&
    check "$t" "no --warn-expiring" gate_lacks --warn-expiring && ok "$t"

  t="[$sh] missing waivers file: configuration error before the scan"
  prepare nowaivers "$sh"; risk_files
  start "$sh" SCANNER_THRESHOLD="$c/risk files/threshold.yml" SCANNER_WAIVERS="$c/nothing.yml"
  check "$t" "exit 2" [ "$rc" -eq 2 ] && check "$t" "nothing published" nothing_published &&
    check "$t" "auditor not run" [ ! -e "$c/auditor.args" ] &&
    check "$t" "names it" stderr_has "SCANNER_WAIVERS=$c/nothing.yml" && ok "$t"

  t="[$sh] attestations that are a directory: configuration error before the scan"
  prepare noattest "$sh"; risk_files
  start "$sh" SCANNER_THRESHOLD="$c/risk files/threshold.yml" SCANNER_ATTESTATIONS="$c/risk files"
  check "$t" "exit 2" [ "$rc" -eq 2 ] && check "$t" "auditor not run" [ ! -e "$c/auditor.args" ] &&
    check "$t" "names it" stderr_has "SCANNER_ATTESTATIONS=" && ok "$t"

  for bad in 14 '14 days' d 2h -1d 30dd '1d;id'; do
    t="[$sh] SCANNER_WARN_EXPIRING='$bad' is a configuration error"
    run warn-bad "$sh" SCANNER_WARN_EXPIRING="$bad"
    check "$t" "exit 2" [ "$rc" -eq 2 ] && check "$t" "auditor not run" [ ! -e "$c/auditor.args" ] &&
      check "$t" "says why" stderr_has 'SCANNER_WARN_EXPIRING must be' && ok "$t"
  done

  for good in 0d 2w 30d; do
    t="[$sh] SCANNER_WARN_EXPIRING=$good is accepted"
    run warn-good "$sh" SCANNER_WARN_EXPIRING="$good"
    check "$t" "exit 0" [ "$rc" -eq 0 ] && check "$t" "published" published && ok "$t"
  done

  t="[$sh] waivers without a threshold: no gate, and it says they are ignored"
  prepare nogate "$sh"; risk_files
  start "$sh" SCANNER_WAIVERS="$c/risk files/waivers.yml"
  check "$t" "exit 0" [ "$rc" -eq 0 ] && check "$t" "published" published &&
    check "$t" "scangate not run" [ ! -e "$c/auditor.gate" ] && check "$t" "says so" stderr_has 'ignored' && ok "$t"

  if [ "$(id -u)" = 0 ]; then
    t="[$sh] refuses to run as root without SCANNER_ALLOW_ROOT=1"
    run root "$sh" SCANNER_ALLOW_ROOT=0
    check "$t" "exit 2" [ "$rc" -eq 2 ] && check "$t" "says why" stderr_has 'refusing to run as root' && ok "$t"
  fi
done

echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
