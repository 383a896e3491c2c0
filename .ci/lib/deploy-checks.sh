# shellcheck shell=bash
# Validates deployment files with real, independent consumers; sourced by .ci/check-deploy.sh.
# Each check prints one "label ... ok|FAIL" line per step (a failure's output indented below it) and
# returns non-zero if any step failed. Each runs in a subshell of its own, so it keeps no state.
#
#   deploy_chart DIR [--set k=v ...] [--values F] [--release NAME] [--skips FILE]
#       helm dependency build (file:// dependencies first; writes charts/ and Chart.lock, which
#       .gitignore lists) + helm lint + helm template, then the rendered manifests go through
#       deploy_manifests
#   deploy_manifests [--skips FILE] FILE...
#       Kubernetes $K8S_VERSION schemas, strict (unknown fields rejected): kubernetes-validate;
#       checkov --framework kubernetes (fails on any failed check not listed in --skips)
#   deploy_dockerfile FILE...   hadolint (any finding fails; use inline `# hadolint ignore=`)
#   deploy_github FILE...       workflows: actionlint; action.yml/action.yaml: the GitHub action
#                               metadata schema (SchemaStore's, vendored by check-jsonschema)
#   deploy_gitlab FILE...       the GitLab CI schema (SchemaStore's, via check-jsonschema)
#
# --skips FILE: YAML mapping of checkov check id -> reason, e.g. `CKV_K8S_43: "digest pinned at release
#   time"`. Every entry needs a non-empty reason. Skipped ids are printed so they stay visible.
#
# Before use: `scripts/tools.sh install helm deploy`, then deploy_tools (sets the tool paths below).
# Why kubernetes-validate and not kubeconform: no registry reachable here ships kubeconform (no PyPI, npm
# or Debian package). kubernetes-validate checks against strict JSON schemas generated from Kubernetes'
# OpenAPI spec, the kind kubeconform uses; like kubeconform without -ignore-missing-schemas, a kind with
# no schema fails here.

K8S_VERSION=${K8S_VERSION:-1.33.0}

deploy_tools() { # resolves every tool once (they are installed: each call is quick)
  local t=scripts/tools.sh
  HELM=$($t path helm) KUBERNETES_VALIDATE=$($t path kubernetes-validate) CHECKOV=$($t path checkov) &&
    HADOLINT=$($t path hadolint) ACTIONLINT=$($t path actionlint) SHELLCHECK=$($t path shellcheck) &&
    CHECK_JSONSCHEMA=$($t path check-jsonschema) YAML_PYTHON=$($t path yaml-python)
}

# The helpers below run inside the subshells of the deploy_* checks: $W is that check's scratch
# directory, $fail its result.
_dc_say() { printf '%-64s %s\n' "$1" "$2"; }

_dc_run() { # label, command...: runs it, prints ok/FAIL and its output on failure
  local label=$1
  shift
  if "$@" >"$W/out" 2>&1; then
    _dc_say "$label" ok
  else
    _dc_say "$label" FAIL
    sed 's/^/    /' "$W/out"
    fail=1
  fi
}

_dc_scratch() { # sets W to a scratch directory that goes when the subshell ends
  W=$(mktemp -d)
  # shellcheck disable=SC2064 # $W is expanded now on purpose
  trap "rm -rf '$W'" EXIT
}

_dc_skip_ids() { # FILE: prints comma-separated ids; fails on entries without a reason
  "$YAML_PYTHON" - "$1" <<'PYEOF'
import sys, yaml
d = yaml.safe_load(open(sys.argv[1])) or {}
if not isinstance(d, dict):
    sys.exit(f"{sys.argv[1]}: must be a mapping of check id -> reason")
bad = [k for k, v in d.items() if not (isinstance(v, str) and v.strip())]
if bad:
    sys.exit(f"{sys.argv[1]}: no reason given for {', '.join(map(str, bad))}")
for k, v in d.items():
    print(f"    skipped {k}: {v}", file=sys.stderr)
print(",".join(d))
PYEOF
}

_dc_dep_build() { # DIR: helm dependency build, after building its file:// dependencies (helm does not recurse)
  local d
  while IFS= read -r d; do
    [ -n "$d" ] || continue
    if grep -q '^dependencies:' "$d/Chart.yaml" 2>/dev/null; then _dc_dep_build "$d" || return 1; fi
  done < <("$YAML_PYTHON" -c '
import os, sys, yaml
for dep in (yaml.safe_load(open(os.path.join(sys.argv[1], "Chart.yaml"))) or {}).get("dependencies") or []:
    repo = dep.get("repository") or ""
    if repo.startswith("file://"):
        print(os.path.normpath(os.path.join(sys.argv[1], repo[len("file://"):])))' "$1")
  "$HELM" dependency build --skip-refresh "$1"
}

_dc_manifests() { # SKIPS SHOWN FILE...: the manifest checks; SHOWN (if set) names a rendered temp file
  local skips=$1 shown=$2 f n ids=""
  shift 2
  for f in "$@"; do
    [ -f "$f" ] || { _dc_say "$f" "FAIL (no such file)"; fail=1; continue; }
    n=${shown:-$f}
    _dc_run "$n: k8s $K8S_VERSION strict schema (kubernetes-validate)" \
      "$KUBERNETES_VALIDATE" -k "$K8S_VERSION" --strict --quiet "$f"
    # kubernetes-validate passes a document whose kind it does not know with a warning only: make that fail
    if grep -qiE '^WARN' "$W/out"; then
      _dc_say "$n: unknown kinds (no schema)" FAIL
      sed 's/^/    /' "$W/out"
      fail=1
    fi
  done
  if [ -n "$skips" ]; then
    if ! ids=$(_dc_skip_ids "$skips" 2>"$W/sk"); then
      _dc_say "$skips: checkov skips file" FAIL
      sed 's/^/    /' "$W/sk"
      fail=1
      return
    fi
    cat "$W/sk"
  fi
  local args=(--framework kubernetes --compact --quiet --skip-download -o cli)
  [ -n "$ids" ] && args+=(--skip-check "$ids")
  for f in "$@"; do
    [ -f "$f" ] || continue
    n=${shown:-$f}
    # checkov only reads files named *.yaml/*.yml/*.json
    cp "$f" "$W/manifest.yaml"
    if "$CHECKOV" -f "$W/manifest.yaml" "${args[@]}" >"$W/ck" 2>"$W/ck.err"; then
      _dc_say "$n: checkov kubernetes" ok
    else
      _dc_say "$n: checkov kubernetes" FAIL
      fail=1
      grep -E '^Check:|FAILED for|Passed checks' "$W/ck" | sed 's/^/    /'
      [ -s "$W/ck" ] || sed 's/^/    /' "$W/ck.err"
    fi
  done
}

_dc_usage() { echo "deploy-checks: usage: $1" >&2; exit 2; }

deploy_chart() (
  local W fail=0
  _dc_scratch
  [ $# -ge 1 ] || _dc_usage "deploy_chart DIR [--set k=v ...] [--set-file k=F ...] [--values F] [--release NAME] [--skips FILE]"
  local dir=$1 sets=() skips="" release=""
  shift
  while [ $# -gt 0 ]; do
    case "$1" in
      --set | --set-string | --set-file | --values | -f) [ $# -ge 2 ] || _dc_usage "$1 needs a value"; sets+=("$1" "$2"); shift 2 ;;
      --skips) [ $# -ge 2 ] || _dc_usage "--skips FILE"; skips=$2; shift 2 ;;
      --release) [ $# -ge 2 ] || _dc_usage "--release NAME"; release=$2; shift 2 ;;
      *) _dc_usage "deploy_chart: unknown option $1" ;;
    esac
  done
  [ -f "$dir/Chart.yaml" ] || { _dc_say "$dir" "FAIL (no Chart.yaml)"; exit 1; }
  # No repositories or plugins of the user's: file:// dependencies only, built afresh every time.
  export HELM_CACHE_HOME=$W/helm/cache HELM_CONFIG_HOME=$W/helm/config HELM_DATA_HOME=$W/helm/data
  release=${release:-$(basename "$(cd "$dir" && pwd)")}
  if grep -q '^dependencies:' "$dir/Chart.yaml"; then
    _dc_run "$dir: helm dependency build (file:// ones first)" _dc_dep_build "$dir"
  fi
  _dc_run "$dir: helm lint" "$HELM" lint "$dir" "${sets[@]}"
  if "$HELM" template "$release" "$dir" "${sets[@]}" >"$W/rendered.yaml" 2>"$W/err"; then
    _dc_say "$dir: helm template" ok
    _dc_manifests "$skips" "$dir (rendered)" "$W/rendered.yaml"
  else
    _dc_say "$dir: helm template" FAIL
    sed 's/^/    /' "$W/err"
    fail=1
  fi
  exit "$fail"
)

deploy_manifests() (
  local W fail=0
  _dc_scratch
  local files=() skips=""
  while [ $# -gt 0 ]; do
    case "$1" in
      --skips) [ $# -ge 2 ] || _dc_usage "--skips FILE"; skips=$2; shift 2 ;;
      *) files+=("$1"); shift ;;
    esac
  done
  [ ${#files[@]} -gt 0 ] || _dc_usage "deploy_manifests [--skips FILE] FILE..."
  _dc_manifests "$skips" "" "${files[@]}"
  exit "$fail"
)

_dc_each() ( # CHECK USAGE FILE...: runs the function CHECK on each FILE; fails on a missing one
  local W fail=0 check=$1 usage=$2
  shift 2
  _dc_scratch
  [ $# -ge 1 ] || _dc_usage "$usage"
  local f
  for f in "$@"; do
    [ -f "$f" ] || { _dc_say "$f" "FAIL (no such file)"; fail=1; continue; }
    "$check" "$f"
  done
  exit "$fail"
)

_dc_dockerfile() { _dc_run "$1: hadolint" "$HADOLINT" --no-color "$1"; }

_dc_github() {
  case "$(basename "$1")" in
    action.yml | action.yaml)
      _dc_run "$1: GitHub action metadata schema" "$CHECK_JSONSCHEMA" --builtin-schema vendor.github-actions "$1" ;;
    *)
      # actionlint runs shellcheck on run: scripts only when it finds one on PATH, as in most CI setups
      _dc_run "$1: actionlint" env PATH="$(dirname "$SHELLCHECK"):$PATH" "$ACTIONLINT" -no-color -oneline "$1" ;;
  esac
}

_dc_gitlab() { _dc_run "$1: GitLab CI schema" "$CHECK_JSONSCHEMA" --builtin-schema vendor.gitlab-ci "$1"; }

deploy_dockerfile() { _dc_each _dc_dockerfile "deploy_dockerfile FILE..." "$@"; }
deploy_github() { _dc_each _dc_github "deploy_github FILE..." "$@"; }
deploy_gitlab() { _dc_each _dc_gitlab "deploy_gitlab FILE..." "$@"; }
