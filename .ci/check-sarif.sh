#!/usr/bin/env bash
# Validates the golden SARIF logs with independent consumers: the OASIS SARIF 2.1.0 schema and
# Microsoft's SARIF Multitool, through .ci/check-outputs.sh (scripts/tools.sh installs them on
# first use); then the Multitool once more with GitHub code scanning's ingestion rules (GH*)
# switched on: Multitool 5.7 leaves them off by default, even with `--rule-kind "Sarif;Gh"`, so
# check-outputs alone never runs them. Fails on any error or warning.
#
# The logs are the ones `cargo test` writes to target/golden/sarif/ (tests/it/sarif.rs,
# golden_logs and unreadable_inputs_..., the hostile logs of tests/it/untrusted.rs, the log
# against a baseline of tests/it/change.rs, and the log with waivers and attestations of
# tests/it/risk.rs); if some are
# missing, those tests are run first. Safe to re-run.
set -euo pipefail
cd "$(dirname "$0")/.."

dir="${CARGO_TARGET_DIR:-target}/golden/sarif"
logs=(rhel-8_hardened triple_overlay_profile_sample edge_cases hostile unreadable untrusted rhel-8_against_baseline accepted_risk untrusted_risk)

files=()
missing=0
for name in "${logs[@]}"; do
  files+=("$dir/$name.sarif")
  [ -s "$dir/$name.sarif" ] || missing=1
done
if [ "$missing" = 1 ]; then
  echo "check-sarif: writing the golden logs (cargo test -p scangate-report --test it)" >&2
  cargo test --locked -p scangate-report --test it >&2
fi

# The Multitool skips files over 10 MB without failing; the golden logs must stay below.
for f in "${files[@]}"; do
  if [ "$(wc -c <"$f")" -ge 10000000 ]; then
    echo "check-sarif: $f is over 10 MB, which the SARIF Multitool would skip unchecked" >&2
    exit 1
  fi
done

out="$(mktemp)"
trap 'rm -f "$out"' EXIT
status=0
.ci/check-outputs.sh "${files[@]}" >"$out" 2>&1 || status=$?
cat "$out"
if [ "$status" -ne 0 ]; then
  echo "check-sarif: FAILED" >&2
  exit "$status"
fi
# The strict pass, with the Multitool check-outputs.sh used (installed by now).
mt="$(scripts/tools.sh path sarif-multitool)"
work="$(mktemp -d)"
trap 'rm -f "$out"; rm -rf "$work"' EXIT
"$mt" export-validation-config "$work/all.xml" >/dev/null
sed -E '/Key="GH[0-9]+\./,/<\/Properties>/ s/Value="Default" Type="Driver.RuleEnabledState"/Value="Error" Type="Driver.RuleEnabledState"/' \
  "$work/all.xml" >"$work/gh.xml"
if [ "$(grep -c 'Value="Error" Type="Driver.RuleEnabledState"' "$work/gh.xml")" -lt 10 ]; then
  echo "check-sarif: could not switch on the GH rules in the Multitool's configuration" >&2
  exit 1
fi
failed=0
for f in "${files[@]}"; do
  "$mt" validate "$f" -o "$work/out.sarif" --log ForceOverwrite --rule-kind "Sarif;Gh" \
    --config "$work/gh.xml" --level "Error;Warning" >"$work/mt.log" 2>&1 || true
  # A result without a level is a warning (SARIF's default).
  if python3 - "$work/out.sarif" "$f" <<'PYEOF'
import json, sys
run = json.load(open(sys.argv[1]))["runs"][0]
found = [r for r in run.get("results", []) if r.get("level", "warning") in ("error", "warning")]
failed = [n for i in run.get("invocations", []) for n in i.get("toolExecutionNotifications", [])
          if n.get("level", "warning") == "error"]
for r in found:
    m = r.get("message", {})
    text = m.get("text") or " | ".join(m.get("arguments", []))
    print("   ", r.get("level", "warning"), r.get("ruleId"), text[:200])
for n in failed:
    print("    the Multitool failed:", n.get("message", {}).get("text", "")[:200])
sys.exit(1 if found or failed else 0)
PYEOF
  then
    printf '%-60s %s\n' "$f: SARIF Multitool (Sarif + GH rules on)" ok
  else
    printf '%-60s %s\n' "$f: SARIF Multitool (Sarif + GH rules on)" FAIL
    failed=1
  fi
done
if [ "$failed" -ne 0 ]; then
  echo "check-sarif: FAILED" >&2
  exit 1
fi
echo "check-sarif: ${#files[@]} SARIF logs valid (OASIS schema; SARIF Multitool with GitHub's rules: no errors, no warnings)"
