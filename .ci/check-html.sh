#!/usr/bin/env bash
# Validates the HTML report with the Nu Html Checker (vnu, the W3C's HTML5 conformance
# checker; also checks the inline CSS). The pages are the ones `tests/it/html.rs` in
# scangate-report renders from the golden fixtures into <target>/golden/html/, and the hostile
# page of `tests/it/untrusted.rs`; this script runs both tests first so they are current. vnu.jar
# comes from scripts/tools.sh (npm package `vnu-jar`, pinned there, installed once into the
# scangate cache); needs npm to install it and Java 11+ to run it. Safe to re-run.
#
#   .ci/check-html.sh                  # render, then validate every page
#   SCANGATE_CACHE=/ci/cache .ci/check-html.sh
set -euo pipefail
cd "$(dirname "$0")/.."

jar="$(scripts/tools.sh path vnu)"
command -v java >/dev/null || { echo "check-html: java (11+) is needed to run vnu" >&2; exit 2; }
vnu_version="$(java -jar "$jar" --version)"

echo "check-html: rendering the golden pages"
cargo test --locked --quiet -p scangate-report --test it >&2

target="${CARGO_TARGET_DIR:-target}"
shopt -s nullglob
pages=("$target"/golden/html/*.html)
if [ ${#pages[@]} -eq 0 ]; then
    echo "check-html: no pages in $target/golden/html" >&2
    exit 1
fi

echo "check-html: validating ${#pages[@]} pages with vnu $vnu_version"
# --Werror: warnings fail too. One message is filtered: vnu's CSP check hashes inline
# <style>/<script> text wrongly once it contains a newline (a one-line element with the
# same policy passes), so it reports every hash-pinned element of ours as blocked.
# tests/it/html.rs checks those hashes exactly, and the Chromium step below runs the page.
java -Xss16m -jar "$jar" --Werror --format gnu \
    --filterpattern '.*Inline (script|style) violates Content Security Policy.*' \
    "${pages[@]}"
echo "check-html: ${#pages[@]} pages valid"

# Where Chromium is installed, also load the pages in it. Every page's script must run (it
# marks <html class="js">), which it does only if the CSP's hash matches; nothing can be
# fetched (the policy forbids it, and the page names no URL to fetch). Then
# .ci/html-smoke.js drives the filters, sorting and links of two pages.
browser="$(command -v chromium || command -v chromium-browser || command -v google-chrome || true)"
if [ -n "$browser" ]; then
    work="$(mktemp -d)"
    trap 'rm -rf "$work"' EXIT
    dom() {
        timeout 60 "$browser" --headless --no-sandbox --disable-gpu --disable-quic \
            --no-first-run --disable-background-networking --disable-component-update \
            --disable-sync --user-data-dir="$work/profile" --virtual-time-budget=5000 \
            --dump-dom "file://$(realpath "$1")" 2>/dev/null
    }
    for page in "${pages[@]}"; do
        case "$(dom "$page")" in
            *'<html lang="en" class="js">'*) ;;
            *) echo "check-html: $page: the script did not run in $browser" >&2; exit 1 ;;
        esac
    done
    echo "check-html: ${#pages[@]} pages run their script in $(basename "$browser")"
    for name in rhel-8_hardened multi; do
        page="$target/golden/html/$name.html"
        [ -f "$page" ] || { echo "check-html: $page missing" >&2; exit 1; }
        awk -v smoke=".ci/html-smoke.js" '
            /^<meta http-equiv="Content-Security-Policy"/ { next }
            /^<\/body>$/ { print "<script>"; while ((getline line < smoke) > 0) print line; print "</script>" }
            { print }' "$page" > "$work/$name.html"
        result="$(dom "$work/$name.html" | tr '\n' ' ' | grep -o '<pre id="smoke">[^<]*</pre>' || true)"
        case "$result" in
            '<pre id="smoke">ok</pre>') echo "check-html: $name: the script behaves" ;;
            *) echo "check-html: $name: script misbehaves: ${result:-no result}" >&2; exit 1 ;;
        esac
    done
else
    echo "check-html: no Chromium found; skipped running the pages in a browser"
fi
