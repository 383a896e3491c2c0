#!/usr/bin/env bash
# Validates the golden reports that `cargo test` wrote to target/golden/ with real consumers:
# markdownlint (Markdown), junitparser + Jenkins junit-10.xsd (JUnit), the OASIS schema and
# Microsoft's SARIF Multitool with GitHub's ingestion rules (SARIF). ../shared/tools/check-outputs
# installs them on first use and caches them in ~/.cache/scangate/validators.
set -euo pipefail
cd "$(dirname "$0")/.."
shopt -s nullglob
files=(target/golden/markdown/*.md target/golden/junit/*.xml target/golden/sarif/*.sarif)
for kind in markdown junit; do
  ls target/golden/$kind/* >/dev/null 2>&1 || { echo "check-reports: no golden $kind reports; run cargo test first" >&2; exit 1; }
done
../shared/tools/check-outputs "${files[@]}"
