#!/bin/sh
# The entrypoint on the real kernel, in a simulated pod: a new PID namespace (its own /proc) holds a
# "pause" process, a target in its own mount namespace (a tmpfs with a file only it can see) and the
# scanner, run with no capabilities and no_new_privs as the unprivileged UID 10001. Checks what
# sidecar-chart.md says about /proc/PID/root: the same UID reads the target's files with no
# capability; another UID (root here) is refused, and the entrypoint says why and writes no marker.
# Needs root for unshare and setpriv; prints "skipped" and exits 0 without them.
# Usage: deploy/tests/podsim-test.sh   Prints "N passed, N failed".
set -u
here=$(cd "$(dirname "$0")" && pwd)
script=$here/../helm/common-scanner/files/scripts/scanner-entrypoint.sh
if [ "$(id -u)" != 0 ] || ! command -v unshare > /dev/null || ! command -v setpriv > /dev/null ||
  ! unshare --pid --fork --mount-proc true 2> /dev/null; then
  echo "skipped: needs root, unshare and setpriv (util-linux)"
  exit 0
fi
w=$(mktemp -d)
trap 'rm -rf "$w"' EXIT
mkdir -p "$w/bin"
chmod 755 "$w"
cp "$(command -v sleep)" "$w/bin/pause"
# The auditor stand-in copies what it reads through target_root into the report.
cat > "$w/bin/cinc-auditor" <<'EOF'
#!/bin/sh
out=""; inputs=""; prev=""
for a in "$@"; do
  case $prev in --input-file) inputs=$a ;; esac
  case $a in json:*) out=${a#json:} ;; esac
  prev=$a
done
root=$(sed -n 's/^target_root: "\(.*\)"$/\1/p' "$inputs")
seen=$(cat "$root/mnt/target-only" 2>/dev/null || echo unreadable)
printf '{"target_root":"%s","seen":"%s"}\n' "$root" "$seen" > "$out"
EOF
chmod 755 "$w/bin/cinc-auditor" "$w/bin/pause"
passed=0
failed=0

# pod TARGET_UID: runs the simulated pod; results in $w/$1/results, the scanner's stderr in $w/$1/stderr.
pod() {
  d=$w/$1
  mkdir -p "$d/results" "$d/tmp"
  chmod 777 "$d/results" "$d/tmp"
  D=$d
  export D
  # shellcheck disable=SC2016 # expanded by the inner shell, from the exported W, D, PROFILE and SCRIPT
  timeout 60 unshare --pid --fork --mount-proc sh -c '
    "$W/bin/pause" 300 &
    unshare -m sh -c "mount -t tmpfs target /mnt && echo target-file > /mnt/target-only &&
      exec setpriv --reuid $1 --regid $1 --clear-groups sleep 300" &
    sleep 1
    setpriv --reuid 10001 --regid 10001 --clear-groups --inh-caps=-all --bounding-set=-all --no-new-privs \
      env PATH="$W/bin:$PATH" SCANNER_AFTER_SCAN=exit SCANNER_RESULTS_DIR="$D/results" TMPDIR="$D/tmp" \
      SCANNER_PROFILES="$PROFILE" SCANNER_WAIT_SECONDS=2 sh "$SCRIPT" 2> "$D/stderr"
  ' podsim "$1" > /dev/null 2>&1
}
check() { # DESCRIPTION COMMAND...
  d_=$1; shift
  if "$@"; then return 0; fi
  failed=$((failed + 1)); echo "FAILED $t: $d_"; sed 's/^/    | /' "$d/stderr"; return 1
}

export W="$w" SCRIPT="$script" PROFILE="$here/../helm/common-scanner/files/profiles/container-baseline"

t="same UID, no capabilities, no_new_privs: reads the target's own mount namespace"
pod 10001
check "results and marker" test -f "$d/results/scan-results.json" -a -f "$d/results/scan-complete" &&
  check "saw the file only the target's mount namespace has" grep -q '"seen":"target-file"' "$d/results/scan-results.json" &&
  { passed=$((passed + 1)); echo "ok     $t"; }

t="target runs as root, scanner as 10001: refused, no marker, says runAsUser"
pod 0
check "no marker" test ! -e "$d/results/scan-complete" -a ! -e "$d/results/scan-results.json" &&
  check "says why" grep -q 'must run as the target.s UID' "$d/stderr" &&
  { passed=$((passed + 1)); echo "ok     $t"; }

echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
