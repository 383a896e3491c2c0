#!/usr/bin/env bash
# The whole test suite: `cargo test --locked --workspace`, with the two real tools some tests
# check against installed first by scripts/tools.sh (pinned, cached under
# ${SCANGATE_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/scangate}): helm, which renders the Helm
# charts, and kubectl, against which the fake Kubernetes API server is checked. Extra arguments
# go to cargo test. Set SCANGATE_HELM / SCANGATE_KUBECTL to use your own binaries, or
# SCANGATE_SKIP_HELM=1 / SCANGATE_SKIP_KUBECTL=1 to skip the tests that need them.
set -euo pipefail
cd "$(dirname "$0")/.."

if [ -z "${SCANGATE_KUBECTL:-}" ] && [ "${SCANGATE_SKIP_KUBECTL:-}" != 1 ]; then
  SCANGATE_KUBECTL=$(scripts/tools.sh path kubectl)
  export SCANGATE_KUBECTL
fi
if [ -z "${SCANGATE_HELM:-}" ] && [ "${SCANGATE_SKIP_HELM:-}" != 1 ]; then
  SCANGATE_HELM=$(scripts/tools.sh path helm)
  export SCANGATE_HELM
fi
exec cargo test --locked --workspace "$@"
