#!/usr/bin/env bash
# The whole test suite: `cargo test --locked --workspace`, with the two real tools some tests
# check against installed first (cached, pinned): helm, which renders the Helm charts, and
# kubectl, against which the fake Kubernetes API server is checked. Extra arguments go to
# cargo test. Set SCANGATE_HELM / SCANGATE_KUBECTL to use your own binaries.
set -euo pipefail
cd "$(dirname "$0")/.."

if [ -z "${SCANGATE_KUBECTL:-}" ] && [ "${SCANGATE_SKIP_KUBECTL:-}" != 1 ]; then
  SCANGATE_KUBECTL=$(.ci/check-kubectl.sh --install-only)
  export SCANGATE_KUBECTL
fi
if [ -z "${SCANGATE_HELM:-}" ] && [ "${SCANGATE_SKIP_HELM:-}" != 1 ]; then
  [ -x ../shared/tools/check-deploy ] || {
    echo "scripts/test.sh: ../shared/tools/check-deploy (which installs helm) is missing;" \
         "set SCANGATE_HELM=/path/to/helm, or SCANGATE_SKIP_HELM=1 to skip the chart tests" >&2
    exit 2
  }
  SCANGATE_HELM="$(../shared/tools/check-deploy install)/bin/helm"
  export SCANGATE_HELM
fi
exec cargo test --locked --workspace "$@"
