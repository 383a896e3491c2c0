#!/usr/bin/env bash
# Runs the `scangate check` step of action.yml as GitHub would (inputs through env), with a fake scangate
# that records its arguments and exits as told: verdict and exit-code outputs, report paths, the step
# summary, fail-on-gate, glob expansion, baseline, waivers, attestations and warn-expiring (a bad value refused
# before scangate runs), and inputs that are never evaluated as shell.
# Usage: deploy/tests/action-test.sh PYTHON   (a python with PyYAML, e.g. `scripts/tools.sh path yaml-python`)
set -uo pipefail
py=${1:-python3}
here=$(cd "$(dirname "$0")" && pwd)
w=$(mktemp -d)
trap 'rm -rf "$w"' EXIT
"$py" - "$here/../../action.yml" "$w/step.sh" <<'PYEOF' || exit 2
import sys, yaml
steps = yaml.safe_load(open(sys.argv[1]))["runs"]["steps"]
step = next(s for s in steps if s.get("id") == "check")
open(sys.argv[2], "w").write(step["run"])
PYEOF
mkdir -p "$w/bin"
cat > "$w/bin/scangate" <<'FAKE'
#!/usr/bin/env bash
printf '%s\n' "$@" > "$FAKE_ARGS"
prev=""
for a in "$@"; do
  if [ "$prev" = --report ]; then
    case $a in markdown=*) printf '| compliance | 90 %% |\n' > "${a#markdown=}" ;; *) : > "${a#*=}" ;; esac
  fi
  prev=$a
done
exit "${FAKE_RC:-0}"
FAKE
chmod +x "$w/bin/scangate"
passed=0 failed=0
# case NAME EXPECTED_RC [VAR=VALUE...]: runs the step in a fresh directory with two results files.
case_() {
  local name=$1 want=$2; shift 2
  local d=$w/$name
  mkdir -p "$d/scan-results/ns/pod-a" "$d/scan-results/ns/pod b"
  echo '{}' > "$d/scan-results/ns/pod-a/scan-results.json"
  echo '{}' > "$d/scan-results/ns/pod b/scan-results.json"
  : > "$d/output"; : > "$d/summary"
  (cd "$d" && env PATH="$w/bin:$PATH" GITHUB_OUTPUT="$d/output" GITHUB_STEP_SUMMARY="$d/summary" FAKE_ARGS="$d/args" \
    SG_RESULTS='scan-results/**/scan-results.json' SG_THRESHOLD=thresholds/default.yml SG_THRESHOLD_INLINE= \
    SG_BASELINE= SG_FAIL_ON_NEW= SG_WAIVERS= SG_ATTESTATIONS= SG_WARN_EXPIRING= \
    SG_MARKDOWN=reports/summary.md SG_JUNIT=reports/junit.xml SG_SARIF=reports/scan.sarif SG_HTML= SG_JSON= \
    SG_STEP_SUMMARY=true SG_FAIL_ON_GATE=true "$@" bash "$w/step.sh" > "$d/log" 2>&1)
  rc=$?
  D=$d
  if [ "$rc" -ne "$want" ]; then
    failed=$((failed + 1)); echo "FAILED $name: exit $rc, expected $want"; sed 's/^/    | /' "$d/log"; return 1
  fi
}
expect() { # NAME DESCRIPTION COMMAND...
  local name=$1 what=$2; shift 2
  if "$@"; then return 0; fi
  failed=$((failed + 1)); echo "FAILED $name: $what"; sed 's/^/    | /' "$D/log"; return 1
}
ok() { passed=$((passed + 1)); echo "ok     $1"; }

case_ pass 0 && expect pass "verdict pass" grep -qx 'verdict=pass' "$D/output" &&
  expect pass "exit-code 0" grep -qx 'exit-code=0' "$D/output" &&
  expect pass "both files, the one with a space too" grep -qx 'scan-results/ns/pod b/scan-results.json' "$D/args" &&
  expect pass "threshold passed" grep -qx 'thresholds/default.yml' "$D/args" &&
  expect pass "sarif report path output" grep -qx "report-sarif=$D/reports/scan.sarif" "$D/output" &&
  expect pass "no html output" grep -qx 'report-html=' "$D/output" &&
  expect pass "summary appended" grep -q 'compliance' "$D/summary" && ok "pass: outputs, reports, step summary"

case_ fail 1 FAKE_RC=1 && expect fail "verdict fail" grep -qx 'verdict=fail' "$D/output" && ok "fail: exit 1, verdict fail"
case_ soft 0 FAKE_RC=1 SG_FAIL_ON_GATE=false && expect soft "verdict fail" grep -qx 'verdict=fail' "$D/output" &&
  ok "fail-on-gate false: step passes, verdict fail"
case_ error 2 FAKE_RC=2 SG_FAIL_ON_GATE=false && expect error "verdict error" grep -qx 'verdict=error' "$D/output" &&
  ok "error: exit 2 even with fail-on-gate false"
case_ nomatch 2 SG_RESULTS='nothing/*.json' && expect nomatch "names the pattern" grep -q "no results file matches 'nothing/\*.json'" "$D/log" &&
  expect nomatch "scangate not run" test ! -e "$D/args" && ok "no matching results: error before scangate runs"
# shellcheck disable=SC2016 # literal $(...) and backticks: they must reach scangate unevaluated
case_ inject 2 SG_RESULTS='$(touch pwned)' SG_THRESHOLD='`touch pwned2`' &&
  expect inject "nothing evaluated" test ! -e "$w/inject/pwned" -a ! -e "$w/inject/pwned2" &&
  expect inject "reported as a missing file" grep -q 'no results file matches' "$D/log" && ok "inputs are data, not shell"
case_ inline 0 SG_THRESHOLD= SG_THRESHOLD_INLINE='{compliance.min: 80}' &&
  expect inline "-I passed" grep -qx '{compliance.min: 80}' "$D/args" && ok "inline threshold"
case_ both 2 SG_THRESHOLD_INLINE='{compliance.min: 80}' && ok "threshold and threshold-inline together: error"
case_ baseline 0 SG_BASELINE=baseline.json SG_FAIL_ON_NEW=high &&
  expect baseline "--baseline passed" grep -qx 'baseline.json' "$D/args" &&
  expect baseline "--fail-on-new passed" grep -qx -- '--fail-on-new=high' "$D/args" && ok "baseline and fail-on-new"
case_ nobaseline 0 && expect nobaseline "no --baseline by default" bash -c "! grep -q -- '--baseline' '$D/args'" &&
  ok "no baseline input: no --baseline"
case_ badnew 2 SG_BASELINE=baseline.json SG_FAIL_ON_NEW='high; rm -rf /' &&
  expect badnew "scangate not run" test ! -e "$D/args" && ok "fail-on-new outside its values: error before scangate runs"

# follows FLAG VALUE: scangate got FLAG with VALUE as the next argument.
follows() { awk -v f="$1" -v v="$2" 'p == f && $0 == v { ok = 1 } { p = $0 } END { exit !ok }' "$D/args"; }
case_ risk 0 SG_WAIVERS='risk files/waivers.yml' SG_ATTESTATIONS='risk files/attestations.json' SG_WARN_EXPIRING=30d &&
  expect risk "--waivers passed whole" follows --waivers 'risk files/waivers.yml' &&
  expect risk "--attestations passed whole" follows --attestations 'risk files/attestations.json' &&
  expect risk "--warn-expiring passed" follows --warn-expiring 30d && ok "waivers, attestations and warn-expiring"
case_ norisk 0 && expect norisk "none of them by default" \
  bash -c "! grep -qx -e '--waivers' -e '--attestations' -e '--warn-expiring' '$D/args'" &&
  ok "no waivers, attestations or warn-expiring inputs: no such options (scangate's default 14d)"
for good in 0d 2w; do
  case_ "warn-$good" 0 SG_WAIVERS=waivers.yml SG_WARN_EXPIRING="$good" &&
    expect "warn-$good" "--warn-expiring $good passed" follows --warn-expiring "$good" && ok "warn-expiring $good"
done
n=0
# shellcheck disable=SC2016 # literal $(...): refused, never evaluated
for bad in '14' '14 days' 'd' '2h' '-1d' '30dd' '1d; rm -rf /' '$(touch pwned)d'; do
  n=$((n + 1))
  case_ "badwarn$n" 2 SG_WAIVERS=waivers.yml SG_WARN_EXPIRING="$bad" &&
    expect "badwarn$n" "scangate not run" test ! -e "$D/args" &&
    expect "badwarn$n" "says why" grep -q "warn-expiring must be a number of days or weeks" "$D/log" &&
    expect "badwarn$n" "nothing evaluated" test ! -e "$D/pwned" &&
    ok "warn-expiring '$bad' refused before scangate runs"
done
# shellcheck disable=SC2016 # literal $(...): it must reach scangate unevaluated
case_ riskinject 0 SG_WAIVERS='$(touch pwned).yml' SG_ATTESTATIONS='`touch pwned2`' &&
  expect riskinject "nothing evaluated" test ! -e "$D/pwned" -a ! -e "$D/pwned2" &&
  expect riskinject "passed as data" follows --waivers '$(touch pwned).yml' && ok "waivers and attestations are data, not shell"

echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
