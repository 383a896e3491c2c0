#!/usr/bin/env bash
# The deployment kit through its real consumers (scripts/tools.sh installs them on first use, pinned;
# the checks themselves are in .ci/lib/deploy-checks.sh):
#   charts       helm dependency build + lint + template of the three install commands of
#                sidecar-chart.md (and of the subcharts alone, and with waivers and attestations for the
#                gate in the pod), strict Kubernetes 1.33 schemas, checkov
#                with deploy/checkov-skips.yml; helm package renders like the directory
#   manifests    exactly what the inject/rbac snapshot tests snapshot (crates/scangate-sidecar/src/snapshots/*__manifest_*)
#   images       hadolint on Dockerfile and deploy/scanner/Dockerfile
#   CI           actionlint on examples/github/, the GitHub action schema on action.yml (plus shellcheck
#                on its run: scripts), the GitLab CI schema on examples/gitlab/.gitlab-ci.yml
#   scanner      shellcheck (on the project's .ci/ and scripts/ too) and the fake-/proc test of
#                scanner-entrypoint.sh under dash, bash and busybox sh; the entrypoint in a simulated
#                pod on the real kernel (PID and mount namespaces, UID 10001 without capabilities); the container-baseline profile's Ruby syntax,
#                and its controls against a fake target with a stand-in for the InSpec DSL
# Idempotent; needs no cluster. Ends with "N passed, N failed" and exits non-zero on any failure.
set -uo pipefail
cd "$(dirname "$0")/.." || exit 1

# shellcheck source=.ci/lib/deploy-checks.sh
. .ci/lib/deploy-checks.sh
SKIPS=deploy/checkov-skips.yml
passed=0
failed=0
step() { printf '\n==> %s\n' "$*"; }
run() { # label, command...
  local label=$1; shift
  if "$@"; then passed=$((passed + 1)); else failed=$((failed + 1)); echo "FAILED: $label"; fi
}

step "installing validators (first use only)"
{ scripts/tools.sh install helm deploy && deploy_tools; } || { echo "check-deploy: installing the validators failed"; exit 1; }

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

step "charts: the three install commands of sidecar-chart.md"
run "install 1 (test pod)" deploy_chart deploy/helm/sidecar-scanner --release sidecar-scanner --skips "$SKIPS" \
  --set common-scanner.scanner-infrastructure.targetNamespace=inspec-test \
  --set testPod.deploy=true
run "install 2 (label selector)" deploy_chart deploy/helm/sidecar-scanner --release sidecar-scanner --skips "$SKIPS" \
  --set common-scanner.scanner-infrastructure.targetNamespace=prod-scanning \
  --set testPod.deploy=false \
  --set common-scanner.scanner-infrastructure.rbac.useResourceNames=true \
  --set common-scanner.scanner-infrastructure.rbac.useLabelSelector=true \
  --set common-scanner.scanner-infrastructure.rbac.podSelectorLabels.app=target-app
run "install 3 (own scanner image)" deploy_chart deploy/helm/sidecar-scanner --release sidecar-scanner --skips "$SKIPS" \
  --set common-scanner.scanner-infrastructure.targetNamespace=scanning-namespace \
  --set scanner.image=registry.example.com/cinc-auditor:5.18.14 \
  --set scanner.resources.requests.cpu=100m \
  --set scanner.resources.requests.memory=256Mi \
  --set scanner.resources.limits.cpu=200m \
  --set scanner.resources.limits.memory=512Mi

step "charts: waivers and attestations for the gate in the pod"
printf 'V-72087:\n  justification: offload reviewed\n  expiration_date: 2099-01-01\n  run: false\n' > "$work/waivers.yml"
run "waivers and attestations (chart ConfigMaps)" deploy_chart deploy/helm/sidecar-scanner --release sidecar-scanner \
  --skips "$SKIPS" --set common-scanner.scanner-infrastructure.targetNamespace=inspec-test --set testPod.deploy=true \
  --set-file common-scanner.waivers.content="$work/waivers.yml" \
  --set-file common-scanner.attestations.content=fixtures/attestations/red_hat_good.attestations.yml
run "waivers and attestations (own ConfigMaps)" deploy_chart deploy/helm/sidecar-scanner --release sidecar-scanner \
  --skips "$SKIPS" --set common-scanner.scanner-infrastructure.targetNamespace=inspec-test --set testPod.deploy=true \
  --set results.waivers.configMap=team-waivers --set results.attestations.configMap=team-attestations \
  --set results.warnExpiring=30d

step "charts: the subcharts installed on their own"
run "common-scanner alone" deploy_chart deploy/helm/common-scanner --release scanner --skips "$SKIPS"
run "scanner-infrastructure alone" deploy_chart deploy/helm/scanner-infrastructure --release scanner --skips "$SKIPS" \
  --set rbac.resourceNames='{web-0}'

step "charts: helm package (symlinked thresholds are packaged as files)"
package_renders_alike() {
  local out=$work/packages sets=(--set testPod.deploy=true)
  mkdir -p "$out"
  HELM_CACHE_HOME=$work/helm HELM_CONFIG_HOME=$work/helm HELM_DATA_HOME=$work/helm \
    "$HELM" package deploy/helm/sidecar-scanner --destination "$out" > /dev/null || return 1
  tar -tzf "$out/sidecar-scanner-0.1.0.tgz" > "$work/package.list" || return 1
  grep -q 'common-scanner/files/thresholds/default.yml' "$work/package.list" ||
    { echo "package has no thresholds"; return 1; }
  diff <("$HELM" template sidecar-scanner "$out/sidecar-scanner-0.1.0.tgz" "${sets[@]}" 2>/dev/null) \
       <("$HELM" template sidecar-scanner deploy/helm/sidecar-scanner "${sets[@]}" 2>/dev/null) > /dev/null &&
    echo "helm package: renders like the directory                         ok"
}
run "helm package" package_renders_alike

step "manifests: the inject and rbac snapshots"
snaps=(crates/scangate-sidecar/src/snapshots/*__manifest_*.snap)
manifests=()
for snap in "${snaps[@]}"; do
  [ -f "$snap" ] || continue
  out=$work/$(basename "$snap" .snap).yaml
  # an insta snapshot: a "---" line, its metadata, a "---" line, then the snapshot itself
  awk 'NR == 1 && $0 == "---" { header = 1; next } header && $0 == "---" { header = 0; next } !header' "$snap" > "$out"
  # kind: List is kubectl's client-side wrapper: no API schema exists for it, so its items are checked.
  "$YAML_PYTHON" - "$out" <<'PYEOF' || { echo "$snap: cannot read the snapshot"; failed=$((failed + 1)); }
import sys, yaml
docs = [d for d in yaml.safe_load_all(open(sys.argv[1])) if d is not None]
if any(d.get("kind") == "List" for d in docs):
    flat = []
    for d in docs:
        flat.extend((d.get("items") or []) if d.get("kind") == "List" else [d])
    yaml.safe_dump_all(flat, open(sys.argv[1], "w"), sort_keys=False)
PYEOF
  manifests+=("$out")
done
if [ ${#manifests[@]} -lt 10 ]; then
  echo "expected the inject snapshots of 8 kinds and 2 rbac snapshots, found ${#manifests[@]}"
  failed=$((failed + 1))
else
  run "inject/rbac snapshots" deploy_manifests --skips "$SKIPS" "${manifests[@]}"
fi

step "images"
run "Dockerfiles" deploy_dockerfile Dockerfile deploy/scanner/Dockerfile

step "CI files"
run "GitHub action and workflow" deploy_github action.yml examples/github/sidecar-scan.yml
run "GitLab CI" deploy_gitlab examples/gitlab/.gitlab-ci.yml
shellcheck_action() { # the composite action's run: scripts, as actionlint does for workflows
  local i=0 f
  "$YAML_PYTHON" - action.yml "$work/action" <<'PYEOF' || return 1
import os, sys, yaml
steps = yaml.safe_load(open(sys.argv[1]))["runs"]["steps"]
os.makedirs(sys.argv[2], exist_ok=True)
for i, s in enumerate(steps):
    if "run" in s:
        open(os.path.join(sys.argv[2], f"step{i}.sh"), "w").write(s["run"])
PYEOF
  for f in "$work"/action/step*.sh; do
    "$SHELLCHECK" -s bash "$f" || return 1
    i=$((i + 1))
  done
  echo "action.yml: shellcheck on $i run: scripts                              ok"
}
run "action.yml run scripts" shellcheck_action
run "action.yml check step (fake scangate)" bash deploy/tests/action-test.sh "$YAML_PYTHON"

step "scanner entrypoint"
if ! command -v busybox > /dev/null 2>&1 || ! command -v ruby > /dev/null 2>&1; then
  if [ "$(id -u)" = 0 ] && command -v apt-get > /dev/null 2>&1; then
    { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq busybox ruby; } > "$work/apt.log" 2>&1 ||
      echo "note: could not install busybox/ruby with apt-get (see below); those checks are skipped"
  fi
fi
ENTRY=deploy/helm/common-scanner/files/scripts/scanner-entrypoint.sh
run "shellcheck scripts" "$SHELLCHECK" -x "$ENTRY" deploy/tests/scanner-entrypoint-test.sh \
  deploy/tests/action-test.sh deploy/tests/podsim-test.sh .ci/*.sh .ci/lib/*.sh scripts/*.sh
shells=(dash "bash --posix")
if command -v busybox > /dev/null 2>&1; then shells+=("busybox sh"); else echo "note: busybox not found: skipped"; fi
run "entrypoint fake-/proc test" sh deploy/tests/scanner-entrypoint-test.sh "${shells[@]}"
run "entrypoint in a simulated pod (real kernel)" sh deploy/tests/podsim-test.sh
if command -v ruby > /dev/null 2>&1; then
  ruby_syntax() {
    local f
    for f in deploy/helm/common-scanner/files/profiles/container-baseline/controls/*.rb; do
      ruby -c "$f" > /dev/null || { echo "$f: Ruby syntax error"; return 1; }
    done
    ruby -ryaml -e 'y = YAML.safe_load(File.read(ARGV[0])); abort "inspec.yml: no name" unless y["name"] == "container-baseline"' \
      deploy/helm/common-scanner/files/profiles/container-baseline/inspec.yml &&
      echo "container-baseline: Ruby syntax of controls, inspec.yml parses    ok"
  }
  run "profile syntax" ruby_syntax
  run "profile logic (InSpec DSL stand-in, fake target)" ruby deploy/tests/profile-harness.rb \
    deploy/helm/common-scanner/files/profiles/container-baseline
else
  echo "note: ruby not found: the profile's Ruby syntax was not checked"
fi

echo
echo "check-deploy: $passed passed, $failed failed"
[ "$failed" -eq 0 ]
