//! The Helm charts under deploy/helm, rendered by the real helm: insta snapshots of the three
//! install commands of sidecar-chart.md, the thresholds ConfigMap byte for byte equal to the
//! repository's thresholds/, `helm package` rendering the same as the directory, the chart's
//! scanner carrying the same hardening as `scangate sidecar inject`'s, and waivers and attestations
//! reaching the gate in the pod.
//!
//! helm comes from $SCANGATE_HELM (scripts/test.sh sets it to the pinned helm that
//! `scripts/tools.sh path helm` installs), else PATH. Without helm these tests fail, saying how to
//! install it, unless SCANGATE_SKIP_HELM=1.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::OnceLock;

use serde_json::Value;

use crate::common::{self, root};

const CHARTS: [&str; 3] = [
    "scanner-infrastructure",
    "common-scanner",
    "sidecar-scanner",
];

/// The three install commands of sidecar-chart.md (their --set lines, verbatim).
const INSTALLS: [(&str, &[&str]); 3] = [
    (
        "install_1_test_pod",
        &[
            "common-scanner.scanner-infrastructure.targetNamespace=inspec-test",
            "testPod.deploy=true",
        ],
    ),
    (
        "install_2_label_selector",
        &[
            "common-scanner.scanner-infrastructure.targetNamespace=prod-scanning",
            "testPod.deploy=false",
            "common-scanner.scanner-infrastructure.rbac.useResourceNames=true",
            "common-scanner.scanner-infrastructure.rbac.useLabelSelector=true",
            "common-scanner.scanner-infrastructure.rbac.podSelectorLabels.app=target-app",
        ],
    ),
    (
        "install_3_custom_scanner",
        &[
            "common-scanner.scanner-infrastructure.targetNamespace=scanning-namespace",
            "scanner.image=registry.example.com/cinc-auditor:5.18.14",
            "scanner.resources.requests.cpu=100m",
            "scanner.resources.requests.memory=256Mi",
            "scanner.resources.limits.cpu=200m",
            "scanner.resources.limits.memory=512Mi",
        ],
    ),
];

fn helm() -> Option<PathBuf> {
    if let Some(h) = std::env::var_os("SCANGATE_HELM") {
        return Some(PathBuf::from(h));
    }
    let on_path = std::env::var_os("PATH")?;
    std::env::split_paths(&on_path)
        .map(|d| d.join("helm"))
        .find(|p| p.is_file())
}

/// The charts copied to a temporary directory (symlinks resolved, no charts/ or Chart.lock), with
/// their file:// dependencies built bottom-up, and the helm to run. `None`: skipped.
struct Env {
    helm: PathBuf,
    dir: tempfile::TempDir,
}

fn env() -> Option<&'static Env> {
    static ENV: OnceLock<Option<Env>> = OnceLock::new();
    ENV.get_or_init(|| {
        let Some(helm) = helm() else {
            if std::env::var_os("SCANGATE_SKIP_HELM").is_some_and(|v| v == "1") {
                return None;
            }
            panic!(
                "helm not found: run the tests with scripts/test.sh, which installs the pinned helm, \
                 or set SCANGATE_HELM=\"$(scripts/tools.sh path helm)\"; \
                 SCANGATE_SKIP_HELM=1 skips these tests"
            );
        };
        let dir = tempfile::tempdir().unwrap();
        for chart in CHARTS {
            copy_resolving(&root().join("deploy/helm").join(chart), &dir.path().join(chart));
        }
        let env = Env { helm, dir };
        for chart in ["common-scanner", "sidecar-scanner"] {
            env.run(&["dependency", "build", "--skip-refresh", chart]);
        }
        Some(env)
    })
    .as_ref()
}

fn copy_resolving(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).unwrap();
    for entry in std::fs::read_dir(from).unwrap() {
        let entry = entry.unwrap();
        let name = entry.file_name();
        if name == "charts" || name == "Chart.lock" {
            continue;
        }
        let src = entry.path();
        // fs::metadata follows symlinks: a symlinked file is copied as its target's content.
        if std::fs::metadata(&src).unwrap().is_dir() {
            copy_resolving(&src, &to.join(&name));
        } else {
            std::fs::copy(&src, to.join(&name)).unwrap();
        }
    }
}

impl Env {
    fn output(&self, args: &[&str]) -> std::process::Output {
        let helm_home = self.dir.path().join(".helm");
        Command::new(&self.helm)
            .args(args)
            .current_dir(self.dir.path())
            .env("HELM_CACHE_HOME", helm_home.join("cache"))
            .env("HELM_CONFIG_HOME", helm_home.join("config"))
            .env("HELM_DATA_HOME", helm_home.join("data"))
            .output()
            .expect("run helm")
    }

    fn run(&self, args: &[&str]) -> String {
        let out = self.output(args);
        assert!(
            out.status.success(),
            "helm {} failed:\n{}",
            args.join(" "),
            String::from_utf8_lossy(&out.stderr)
        );
        String::from_utf8(out.stdout).unwrap()
    }

    /// helm's stderr for a command that must fail.
    fn run_failing(&self, args: &[&str]) -> String {
        let out = self.output(args);
        assert!(
            !out.status.success(),
            "helm {} succeeded, expected a failure",
            args.join(" ")
        );
        String::from_utf8_lossy(&out.stderr).into_owned()
    }

    fn template(&self, chart: &str, sets: &[&str]) -> String {
        let mut args = vec!["template", "sidecar-scanner", chart];
        for s in sets {
            args.extend(["--set", s]);
        }
        self.run(&args)
    }
}

fn documents(rendered: &str) -> Vec<Value> {
    serde_saphyr::from_multiple::<Value>(rendered)
        .unwrap()
        .into_iter()
        .filter(|v| !v.is_null())
        .collect()
}

fn find<'a>(docs: &'a [Value], kind: &str, name: &str) -> &'a Value {
    docs.iter()
        .find(|d| d["kind"] == kind && d["metadata"]["name"] == name)
        .unwrap_or_else(|| panic!("no {kind} {name} rendered"))
}

#[test]
fn the_three_install_commands_render() {
    let Some(env) = env() else { return };
    for (name, sets) in INSTALLS {
        let rendered = env.template("sidecar-scanner", sets);
        insta::assert_snapshot!(name, rendered);
        let mut lint = vec!["lint", "sidecar-scanner", "--strict"];
        for s in sets {
            lint.extend(["--set", s]);
        }
        env.run(&lint);
    }
}

#[test]
fn rbac_follows_the_install_command() {
    let Some(env) = env() else { return };
    let role_rules = |sets: &[&str]| {
        let docs = documents(&env.template("sidecar-scanner", sets));
        find(&docs, "Role", "inspec-container-role")["rules"].clone()
    };
    // 1: the test pod, by name.
    let rules = role_rules(INSTALLS[0].1);
    for rule in rules.as_array().unwrap() {
        assert_eq!(rule["resourceNames"], serde_json::json!(["sidecar-target"]));
    }
    // 2: a label selector cannot be expressed in RBAC: the whole namespace, and no invalid `selector`.
    let rules = role_rules(INSTALLS[1].1);
    for rule in rules.as_array().unwrap() {
        assert!(
            rule.get("resourceNames").is_none() && rule.get("selector").is_none(),
            "{rule}"
        );
    }
    // Named pods beyond the test pod, and nothing but pods and pods/exec.
    let rules = role_rules(&[
        "testPod.deploy=true",
        "testPod.name=demo",
        "common-scanner.scanner-infrastructure.rbac.resourceNames={web-0,web-1}",
    ]);
    let rules = rules.as_array().unwrap();
    assert_eq!(rules.len(), 2);
    assert_eq!(rules[0]["resources"], serde_json::json!(["pods"]));
    assert_eq!(
        rules[0]["verbs"],
        serde_json::json!(["get", "list", "watch"])
    );
    assert_eq!(rules[1]["resources"], serde_json::json!(["pods/exec"]));
    assert_eq!(
        rules[1]["resourceNames"],
        serde_json::json!(["web-0", "web-1", "demo"])
    );
}

#[test]
fn thresholds_configmap_is_the_repository_files_byte_for_byte() {
    let Some(env) = env() else { return };
    let docs = documents(&env.template("sidecar-scanner", INSTALLS[0].1));
    let cm = find(&docs, "ConfigMap", "sidecar-scanner-thresholds");
    let data: BTreeMap<String, String> = serde_json::from_value(cm["data"].clone()).unwrap();
    let mut expected = BTreeMap::new();
    for name in ready_thresholds() {
        expected.insert(
            name.clone(),
            std::fs::read_to_string(root().join("thresholds").join(&name)).unwrap(),
        );
    }
    assert!(!expected.is_empty());
    assert_eq!(data, expected);
}

/// The ready threshold files scangate ships: thresholds/*.yml but the *.example.yml reference files.
fn ready_thresholds() -> Vec<String> {
    let mut names = common::file_names(&root().join("thresholds"));
    names.retain(|n| n.ends_with(".yml") && !n.ends_with(".example.yml"));
    assert!(names.contains(&"default.yml".to_string()), "{names:?}");
    names
}

#[test]
fn chart_threshold_files_are_symlinks_to_the_repository_files() {
    let dir = root().join("deploy/helm/common-scanner/files/thresholds");
    let mut links = Vec::new();
    for entry in std::fs::read_dir(&dir).unwrap() {
        let path = entry.unwrap().path();
        let target = std::fs::read_link(&path)
            .unwrap_or_else(|_| panic!("{} must be a symlink", path.display()));
        let name = path.file_name().unwrap().to_string_lossy().into_owned();
        assert_eq!(
            target,
            Path::new("../../../../../thresholds").join(&name),
            "{}",
            path.display()
        );
        links.push(name);
    }
    links.sort();
    assert_eq!(
        links,
        ready_thresholds(),
        "one symlink per ready thresholds/*.yml"
    );
}

#[test]
fn profiles_and_scripts_configmaps_hold_the_files() {
    let Some(env) = env() else { return };
    let docs = documents(&env.template("sidecar-scanner", INSTALLS[2].1));
    let files = root().join("deploy/helm/common-scanner/files");
    let profiles = find(&docs, "ConfigMap", "sidecar-scanner-profiles");
    let profile = files.join("profiles/container-baseline");
    let mut expected = BTreeMap::new();
    expected.insert(
        "inspec.yml".to_string(),
        std::fs::read_to_string(profile.join("inspec.yml")).unwrap(),
    );
    for entry in std::fs::read_dir(profile.join("controls")).unwrap() {
        let path = entry.unwrap().path();
        expected.insert(
            path.file_name().unwrap().to_string_lossy().into_owned(),
            std::fs::read_to_string(&path).unwrap(),
        );
    }
    let data: BTreeMap<String, String> = serde_json::from_value(profiles["data"].clone()).unwrap();
    assert_eq!(data, expected);
    let scripts = find(&docs, "ConfigMap", "sidecar-scanner-scripts");
    assert_eq!(
        scripts["data"]["scanner-entrypoint.sh"].as_str().unwrap(),
        std::fs::read_to_string(files.join("scripts/scanner-entrypoint.sh")).unwrap()
    );
}

#[test]
fn helm_package_renders_like_the_directory() {
    let Some(env) = env() else { return };
    let out = env.dir.path().join("packages");
    env.run(&[
        "package",
        "sidecar-scanner",
        "--destination",
        out.to_str().unwrap(),
    ]);
    let tgz = out.join("sidecar-scanner-0.1.0.tgz");
    assert!(tgz.is_file());
    for (_, sets) in INSTALLS {
        assert_eq!(
            env.template(tgz.to_str().unwrap(), sets),
            env.template("sidecar-scanner", sets)
        );
    }
}

#[test]
fn chart_scanner_has_the_same_hardening_as_inject() {
    let Some(env) = env() else { return };
    let docs = documents(&env.template("sidecar-scanner", INSTALLS[0].1));
    let pod = find(&docs, "Pod", "sidecar-target");
    let chart_scanner = scanner_of(pod);

    // Inject into the chart's pod without its scanner: the same pod comes back with inject's scanner.
    let mut bare = pod.clone();
    let spec = bare["spec"].as_object_mut().unwrap();
    spec["containers"]
        .as_array_mut()
        .unwrap()
        .retain(|c| c["name"] != "scanner");
    spec["volumes"]
        .as_array_mut()
        .unwrap()
        .retain(|v| !v["name"].as_str().unwrap().starts_with("scanner-"));
    let injected = assert_cmd::Command::cargo_bin("scangate")
        .unwrap()
        .args(["sidecar", "inject", "--run-as-user", "10001"])
        .write_stdin(serde_json::to_string(&bare).unwrap())
        .assert()
        .success()
        .get_output()
        .stdout
        .clone();
    let injected: Value = serde_saphyr::from_slice(&injected).unwrap();
    let inject_scanner = scanner_of(&injected);

    for key in [
        "securityContext",
        "resources",
        "command",
        "imagePullPolicy",
        "image",
        "livenessProbe",
    ] {
        assert_eq!(chart_scanner[key], inject_scanner[key], "scanner.{key}");
    }
    for key in [
        "securityContext",
        "shareProcessNamespace",
        "automountServiceAccountToken",
    ] {
        assert_eq!(pod["spec"][key], injected["spec"][key], "spec.{key}");
    }
    let mounts = |c: &Value| -> BTreeMap<String, String> {
        c["volumeMounts"]
            .as_array()
            .unwrap()
            .iter()
            .map(|m| {
                (
                    m["name"].as_str().unwrap().to_string(),
                    m["mountPath"].as_str().unwrap().to_string(),
                )
            })
            .collect()
    };
    let (chart_mounts, inject_mounts) = (mounts(chart_scanner), mounts(inject_scanner));
    for (name, path) in &inject_mounts {
        assert_eq!(chart_mounts.get(name), Some(path), "mount {name}");
    }
    let volume = |p: &Value, name: &str| {
        p["spec"]["volumes"]
            .as_array()
            .unwrap()
            .iter()
            .find(|v| v["name"] == name)
            .cloned()
            .unwrap()
    };
    for name in [
        "scanner-results",
        "scanner-tmp",
        "scanner-scripts",
        "scanner-profiles",
    ] {
        assert_eq!(volume(pod, name), volume(&injected, name), "volume {name}");
    }
    let env_names = |c: &Value| -> Vec<String> {
        c["env"]
            .as_array()
            .unwrap()
            .iter()
            .map(|e| e["name"].as_str().unwrap().to_string())
            .collect()
    };
    let chart_env = env_names(chart_scanner);
    for name in env_names(inject_scanner) {
        assert!(chart_env.contains(&name), "env {name}");
    }
}

/// Waivers and attestations for the gate in the pod: the chart's ConfigMaps hold the files byte for
/// byte (`--set-file`), or the user's own ConfigMaps are named; either way the scanner mounts them
/// read-only and the entrypoint gets their paths and --warn-expiring. None by default.
#[test]
fn waivers_and_attestations_reach_the_gate_in_the_pod() {
    let Some(env) = env() else { return };
    let waivers = env.dir.path().join("gate-waivers.yml");
    let waivers_text = "SV-230221:\n  justification: \"accepted: vendor support ends 2027\"\n  expiration_date: 2099-01-01\n  run: false\n";
    std::fs::write(&waivers, waivers_text).unwrap();
    let attestations = common::fixture("attestations/red_hat_good.attestations.yml");
    let waivers_set = format!("common-scanner.waivers.content={}", waivers.display());
    let attestations_set = format!(
        "common-scanner.attestations.content={}",
        attestations.display()
    );
    let mut args = vec!["template", "sidecar-scanner", "sidecar-scanner"];
    for s in INSTALLS[0].1 {
        args.extend(["--set", s]);
    }
    args.extend(["--set-file", &waivers_set, "--set-file", &attestations_set]);
    let docs = documents(&env.run(&args));
    let mut lint = vec!["lint", "sidecar-scanner", "--strict"];
    lint.extend_from_slice(&args[3..]);
    env.run(&lint);

    let data = |cm: &str, key: &str| {
        find(&docs, "ConfigMap", cm)["data"][key]
            .as_str()
            .unwrap()
            .to_string()
    };
    assert_eq!(data("sidecar-scanner-waivers", "waivers.yml"), waivers_text);
    assert_eq!(
        data("sidecar-scanner-attestations", "attestations.yml"),
        std::fs::read_to_string(&attestations).unwrap()
    );
    let pod = find(&docs, "Pod", "sidecar-target");
    let scanner = scanner_of(pod);
    assert_eq!(
        env_value(scanner, "SCANNER_WAIVERS"),
        Some("/waivers/waivers.yml")
    );
    assert_eq!(
        env_value(scanner, "SCANNER_ATTESTATIONS"),
        Some("/attestations/attestations.yml")
    );
    assert_eq!(env_value(scanner, "SCANNER_WARN_EXPIRING"), Some("14d"));
    for (name, path, configmap) in [
        ("scanner-waivers", "/waivers", "sidecar-scanner-waivers"),
        (
            "scanner-attestations",
            "/attestations",
            "sidecar-scanner-attestations",
        ),
    ] {
        let mount = scanner["volumeMounts"]
            .as_array()
            .unwrap()
            .iter()
            .find(|m| m["name"] == name)
            .unwrap_or_else(|| panic!("no mount {name}"));
        assert_eq!(mount["mountPath"], path, "mount {name}");
        assert_eq!(mount["readOnly"], true, "mount {name}");
        assert_eq!(
            volume_of(pod, name)["configMap"]["name"],
            configmap,
            "volume {name}"
        );
    }

    // The user's own ConfigMap and key, another warning period; no attestations.
    let mut sets = INSTALLS[0].1.to_vec();
    sets.extend([
        "results.waivers.configMap=team-waivers",
        "results.waivers.key=waivers.json",
        "results.warnExpiring=30d",
    ]);
    let docs = documents(&env.template("sidecar-scanner", &sets));
    assert!(!docs.iter().any(|d| d["kind"] == "ConfigMap"
        && d["metadata"]["name"] == "sidecar-scanner-waivers"));
    let pod = find(&docs, "Pod", "sidecar-target");
    let scanner = scanner_of(pod);
    assert_eq!(
        env_value(scanner, "SCANNER_WAIVERS"),
        Some("/waivers/waivers.json")
    );
    assert_eq!(env_value(scanner, "SCANNER_ATTESTATIONS"), None);
    assert_eq!(env_value(scanner, "SCANNER_WARN_EXPIRING"), Some("30d"));
    assert_eq!(
        volume_of(pod, "scanner-waivers")["configMap"]["name"],
        "team-waivers"
    );

    // By default: none of it.
    let docs = documents(&env.template("sidecar-scanner", INSTALLS[0].1));
    let scanner = scanner_of(find(&docs, "Pod", "sidecar-target"));
    for name in [
        "SCANNER_WAIVERS",
        "SCANNER_ATTESTATIONS",
        "SCANNER_WARN_EXPIRING",
    ] {
        assert_eq!(env_value(scanner, name), None, "env {name}");
    }
    assert!(!docs.iter().any(|d| d["kind"] == "ConfigMap"
        && (d["metadata"]["name"] == "sidecar-scanner-waivers"
            || d["metadata"]["name"] == "sidecar-scanner-attestations")));

    // Mistakes fail the install, saying which value.
    for (extra, says) in [
        (
            vec![
                "--set-file",
                waivers_set.as_str(),
                "--set",
                "results.waivers.configMap=x",
            ],
            "give one, not both",
        ),
        (
            vec![
                "--set-file",
                waivers_set.as_str(),
                "--set",
                "results.thresholdEnabled=false",
            ],
            "results.thresholdEnabled",
        ),
        (
            vec![
                "--set",
                "results.attestations.configMap=x",
                "--set",
                "results.warnExpiring=14",
            ],
            "results.warnExpiring must be a number of days or weeks",
        ),
    ] {
        let mut args = vec!["template", "sidecar-scanner", "sidecar-scanner"];
        for s in INSTALLS[0].1 {
            args.extend(["--set", s]);
        }
        args.extend(extra);
        let err = env.run_failing(&args);
        assert!(err.contains(says), "{args:?}: {err}");
    }
}

fn env_value<'a>(container: &'a Value, name: &str) -> Option<&'a str> {
    container["env"]
        .as_array()
        .unwrap()
        .iter()
        .find(|e| e["name"] == name)
        .map(|e| e["value"].as_str().unwrap())
}

fn volume_of<'a>(pod: &'a Value, name: &str) -> &'a Value {
    pod["spec"]["volumes"]
        .as_array()
        .unwrap()
        .iter()
        .find(|v| v["name"] == name)
        .unwrap_or_else(|| panic!("no volume {name}"))
}

fn scanner_of(pod: &Value) -> &Value {
    pod["spec"]["containers"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["name"] == "scanner")
        .expect("scanner container")
}
