#!/usr/bin/env bash
# Validates the golden Markdown and JUnit reports that `cargo test` wrote to target/golden/
# with real consumers: markdownlint, and junitparser + Jenkins junit-10.xsd (SARIF and HTML
# have scripts of their own). ../shared/tools/check-outputs installs them on first use and
# caches them in ~/.cache/scangate/validators.
set -euo pipefail
cd "$(dirname "$0")/.."
shopt -s nullglob
files=(target/golden/markdown/*.md target/golden/junit/*.xml)
for kind in markdown junit; do
  ls target/golden/$kind/* >/dev/null 2>&1 || { echo "check-reports: no golden $kind reports; run cargo test first" >&2; exit 1; }
done
../shared/tools/check-outputs "${files[@]}"
