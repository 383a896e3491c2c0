#!/usr/bin/env bash
# Validates report files with real, independent consumers. Exits non-zero if any check fails.
#   .ci/check-outputs.sh FILE...
# Checks by extension: .sarif  the OASIS SARIF 2.1.0 JSON schema + Microsoft's SARIF Multitool with
#                              GitHub code scanning's ingestion rule kind (Sarif;Gh)
#                      .xml    JUnit: parsed by junitparser (counts must agree) + Jenkins junit-10.xsd
#                      .md     markdownlint-cli2 (catches broken tables, e.g. an unescaped '|')
#                      .json   in a codequality/ directory or named gl-code-quality-report*.json: GitLab
#                              Code Quality, against the schema written from GitLab's documentation
#                              (crates/scangate-report/schemas/gitlab-codequality.schema.json)
#                      .json   otherwise InSpec/HDF results: accepted by inspecjs, Heimdall's own parser
# The validators come from scripts/tools.sh (group `reports`, installed on first use); the schemas
# from .ci/schemas/ and crates/scangate-report/schemas/.
set -uo pipefail
[ $# -gt 0 ] || { echo "usage: .ci/check-outputs.sh FILE..." >&2; exit 2; }
# No cd: FILEs are relative to the caller, and markdownlint-cli2 reads its configuration from there.
repo=$(cd "$(dirname "$0")/.." && pwd) || exit 2
t=$repo/scripts/tools.sh
"$t" install reports || exit 2
CHECK_JSONSCHEMA=$($t path check-jsonschema) MULTITOOL=$($t path sarif-multitool) || exit 2
JUNIT_PYTHON=$($t path junit-python) MARKDOWNLINT=$($t path markdownlint-cli2) INSPECJS=$($t path inspecjs) || exit 2
W=$(mktemp -d)
trap 'rm -rf "$W"' EXIT
fail=0
say() { printf '%-60s %s\n' "$1" "$2"; }
for f in "$@"; do
  [ -f "$f" ] || { say "$f" "FAIL (no such file)"; fail=1; continue; }
  case "$f" in
  *.sarif | *.sarif.json)
    if "$CHECK_JSONSCHEMA" --schemafile "$repo"/.ci/schemas/oasis-sarif-schema-2.1.0.json "$f" >"$W/out" 2>&1; then
      say "$f: SARIF 2.1.0 schema" ok
    else
      say "$f: SARIF 2.1.0 schema" FAIL; cat "$W/out"; fail=1
    fi
    "$MULTITOOL" validate "$f" -o "$W/mt.sarif" --log ForceOverwrite --rule-kind "Sarif;Gh" >/dev/null 2>&1
    # The Multitool's own exit code says nothing about the log: its findings are in its output log.
    if python3 - "$W/mt.sarif" <<'PYEOF'
import json, sys
try:
    res = json.load(open(sys.argv[1]))["runs"][0].get("results", [])
except (OSError, ValueError, KeyError, IndexError) as e:
    sys.exit(f"    the Multitool wrote no readable log: {e}")
for r in res:
    m = r.get("message", {}); t = m.get("text") or (m.get("id", "") + " " + " | ".join(m.get("arguments", [])))
    print("   ", r.get("level"), r.get("ruleId"), t[:200])
sys.exit(1 if any(r.get("level") == "error" for r in res) else 0)
PYEOF
    then say "$f: SARIF Multitool (Sarif;Gh rules)" ok; else say "$f: SARIF Multitool (Sarif;Gh rules)" FAIL; fail=1; fi ;;
  *.xml)
    if "$JUNIT_PYTHON" - "$f" "$repo"/.ci/schemas/junit-10.xsd <<'PYEOF'
import sys, junitparser, xmlschema
x = junitparser.JUnitXml.fromfile(sys.argv[1])
suites = list(x) if isinstance(x, junitparser.JUnitXml) else [x]
assert suites, "no testsuite"
for s in suites:
    n = sum(1 for _ in s)
    assert int(s.tests) == n, f"suite {s.name}: tests={s.tests} but {n} testcases"
# The one finding tolerated: junit-10.xsd lists no 'skipped' on <testsuites>, a count the reports carry.
errs = [e for e in xmlschema.XMLSchema(sys.argv[2]).iter_errors(sys.argv[1])
        if not (e.path == "/testsuites" and "'skipped' attribute not allowed" in str(e.reason))]
for e in errs: print("   ", e.path, e.reason)
sys.exit(1 if errs else 0)
PYEOF
    then say "$f: JUnit (junitparser + junit-10.xsd)" ok; else say "$f: JUnit (junitparser + junit-10.xsd)" FAIL; fail=1; fi ;;
  *.md)
    if "$MARKDOWNLINT" "$f" >"$W/out" 2>&1; then say "$f: markdownlint" ok; else say "$f: markdownlint" FAIL; cat "$W/out"; fail=1; fi ;;
  */codequality/*.json | codequality/*.json | *gl-code-quality-report*.json)
    if "$CHECK_JSONSCHEMA" --schemafile "$repo"/crates/scangate-report/schemas/gitlab-codequality.schema.json "$f" >"$W/out" 2>&1; then
      say "$f: GitLab Code Quality schema" ok
    else
      say "$f: GitLab Code Quality schema" FAIL; cat "$W/out"; fail=1
    fi ;;
  *.json)
    if node -e '
      const fs = require("fs"); const ij = require(process.argv[1]);
      const r = ij.convertFile(fs.readFileSync(process.argv[2], "utf8"), true);
      if (!r["1_0_ExecJson"]) { console.error("not InSpec/HDF results"); process.exit(1); }' "$INSPECJS" "$f" 2>"$W/out"
    then say "$f: inspecjs" ok; else say "$f: inspecjs" FAIL; cat "$W/out"; fail=1; fi ;;
  *) say "$f" "skipped (unknown kind)" ;;
  esac
done
exit $fail
