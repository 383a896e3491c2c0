#!/usr/bin/env bash
# Validates the golden Markdown, JUnit and GitLab Code Quality reports that `cargo test` wrote to
# target/golden/ (crates/scangate-report/tests/it/golden.rs, codequality.rs and untrusted.rs; run
# first if they are missing) with real consumers: markdownlint; junitparser + Jenkins
# junit-10.xsd; check-jsonschema with the Code Quality schema written from GitLab's documentation
# (SARIF and HTML have scripts of their own). .ci/check-outputs.sh runs them; scripts/tools.sh
# installs them on first use. Safe to re-run.
set -euo pipefail
cd "$(dirname "$0")/.."
shopt -s nullglob
golden=target/golden  # where tests/it/golden.rs writes them, whatever CARGO_TARGET_DIR says
markdown=("$golden"/markdown/*.md)
junit=("$golden"/junit/*.xml)
codequality=("$golden"/codequality/*.json)
if [ ${#markdown[@]} -eq 0 ] || [ ${#junit[@]} -eq 0 ] || [ ${#codequality[@]} -eq 0 ]; then
  echo "check-reports: writing the golden reports (cargo test -p scangate-report --test it)" >&2
  cargo test --locked --quiet -p scangate-report --test it >&2
  markdown=("$golden"/markdown/*.md)
  junit=("$golden"/junit/*.xml)
  codequality=("$golden"/codequality/*.json)
fi
if [ ${#markdown[@]} -eq 0 ] || [ ${#junit[@]} -eq 0 ] || [ ${#codequality[@]} -eq 0 ]; then
  echo "check-reports: no golden Markdown, JUnit or Code Quality reports in $golden; cargo test wrote none" >&2
  exit 1
fi
.ci/check-outputs.sh "${markdown[@]}" "${junit[@]}" "${codequality[@]}"
