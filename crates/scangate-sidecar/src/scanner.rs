//! The hardened scanner container and its volumes, as `inject` adds them. The chart's test pod
//! (deploy/helm/sidecar-scanner/templates/test-pod.yaml) renders the same settings; the test
//! `tests/it/helm_charts.rs` compares the two.

use std::collections::BTreeMap;

use k8s_openapi::api::core::v1::{
    Capabilities, ConfigMapVolumeSource, Container, EmptyDirVolumeSource, EnvVar, ExecAction,
    Probe, ResourceRequirements, SeccompProfile, SecurityContext, Volume, VolumeMount,
};
use k8s_openapi::apimachinery::pkg::api::resource::Quantity;

/// The container's name: `scangate fetch`'s default `-c scanner`.
pub const CONTAINER: &str = "scanner";
/// Volumes the injection owns.
pub const RESULTS_VOLUME: &str = "scanner-results";
pub const TMP_VOLUME: &str = "scanner-tmp";
pub const SCRIPTS_VOLUME: &str = "scanner-scripts";
pub const PROFILES_VOLUME: &str = "scanner-profiles";
pub const VOLUMES: [&str; 4] = [RESULTS_VOLUME, TMP_VOLUME, SCRIPTS_VOLUME, PROFILES_VOLUME];
/// Marks a pod (template) that `inject` changed, so that injecting again replaces its own container
/// and volumes instead of reporting them as conflicts.
pub const INJECTED_ANNOTATION: &str = "scangate/sidecar-injected";
/// The UID when neither the flag nor the pod names one: > 10000, as the risk analysis asks.
pub const DEFAULT_UID: i64 = 10001;

/// Sizes and limits: the chart's defaults (scanner.resources, results.sizeLimit, scanner.tmpSizeLimit).
const REQUEST_CPU: &str = "100m";
const REQUEST_MEMORY: &str = "256Mi";
const LIMIT_CPU: &str = "200m";
const LIMIT_MEMORY: &str = "512Mi";
const RESULTS_SIZE: &str = "128Mi";
const TMP_SIZE: &str = "256Mi";
const WAIT_SECONDS: &str = "120";
/// A scan that has not completed this long after the start is presumed hung: the liveness probe
/// restarts the scanner (the chart's scanner.scanDeadlineSeconds).
pub const SCAN_DEADLINE_SECONDS: i32 = 600;

/// What the scanner container is made of, in plain values.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ScannerSpec {
    pub image: String,
    pub profile: String,
    pub profiles_configmap: String,
    pub scripts_configmap: String,
    pub results_dir: String,
    pub run_as_user: i64,
    pub run_as_group: i64,
    pub target_process: Option<String>,
}

fn env(name: &str, value: &str) -> EnvVar {
    EnvVar {
        name: name.into(),
        value: Some(value.into()),
        ..Default::default()
    }
}

fn mount(name: &str, path: &str, read_only: bool) -> VolumeMount {
    VolumeMount {
        name: name.into(),
        mount_path: path.into(),
        read_only: read_only.then_some(true),
        ..Default::default()
    }
}

fn quantities(cpu: &str, memory: &str) -> BTreeMap<String, Quantity> {
    BTreeMap::from([
        ("cpu".into(), Quantity(cpu.into())),
        ("memory".into(), Quantity(memory.into())),
    ])
}

/// The container-level security context: every mitigation of the risk analysis that a container
/// can carry. No capability is added: in the same-UID model reading /proc/PID/root needs none.
pub fn security_context(uid: i64, gid: i64) -> SecurityContext {
    SecurityContext {
        allow_privilege_escalation: Some(false),
        privileged: Some(false),
        read_only_root_filesystem: Some(true),
        run_as_non_root: Some(true),
        run_as_user: Some(uid),
        run_as_group: Some(gid),
        capabilities: Some(Capabilities {
            drop: Some(vec!["ALL".into()]),
            add: None,
        }),
        seccomp_profile: Some(SeccompProfile {
            type_: "RuntimeDefault".into(),
            localhost_profile: None,
        }),
        ..Default::default()
    }
}

/// The scanner container. `native_sidecar` makes it a restartable init container (Jobs and
/// CronJobs: the kubelet stops it when the job's containers are done, so it cannot keep a job running).
pub fn container(spec: &ScannerSpec, native_sidecar: bool) -> Container {
    let results = spec.results_dir.trim_end_matches('/');
    let results = if results.is_empty() { "/" } else { results };
    let mut env_vars = vec![
        env("SCANNER_PROFILES", &spec.profile),
        env("SCANNER_RESULTS_DIR", results),
        env("SCANNER_REPORTER", "json"),
        env("SCANNER_WAIT_SECONDS", WAIT_SECONDS),
    ];
    if let Some(p) = &spec.target_process {
        env_vars.push(env("SCANNER_TARGET_PROCESS", p));
    }
    env_vars.extend([
        env("HOME", "/tmp"),
        env("TMPDIR", "/tmp"),
        env("CHEF_LICENSE", "accept-no-persist"),
    ]);
    let marker = if results == "/" {
        "/scan-complete".to_string()
    } else {
        format!("{results}/scan-complete")
    };
    Container {
        name: CONTAINER.into(),
        image: Some(spec.image.clone()),
        image_pull_policy: Some("Always".into()),
        command: Some(vec![
            "/bin/sh".into(),
            "/scripts/scanner-entrypoint.sh".into(),
        ]),
        env: Some(env_vars),
        resources: Some(ResourceRequirements {
            requests: Some(quantities(REQUEST_CPU, REQUEST_MEMORY)),
            limits: Some(quantities(LIMIT_CPU, LIMIT_MEMORY)),
            claims: None,
        }),
        security_context: Some(security_context(spec.run_as_user, spec.run_as_group)),
        liveness_probe: Some(Probe {
            exec: Some(ExecAction {
                command: Some(vec!["cat".into(), marker]),
            }),
            initial_delay_seconds: Some(SCAN_DEADLINE_SECONDS),
            period_seconds: Some(30),
            failure_threshold: Some(3),
            ..Default::default()
        }),
        restart_policy: native_sidecar.then(|| "Always".into()),
        volume_mounts: Some(vec![
            mount(RESULTS_VOLUME, results, false),
            mount(TMP_VOLUME, "/tmp", false),
            mount(SCRIPTS_VOLUME, "/scripts", true),
            mount(PROFILES_VOLUME, &spec.profile, true),
        ]),
        ..Default::default()
    }
}

/// The scanner's volumes: the results and scratch emptyDirs (bounded) and the two ConfigMaps.
pub fn volumes(spec: &ScannerSpec) -> Vec<Volume> {
    let empty_dir = |name: &str, size: &str| Volume {
        name: name.into(),
        empty_dir: Some(EmptyDirVolumeSource {
            size_limit: Some(Quantity(size.into())),
            medium: None,
        }),
        ..Default::default()
    };
    let config_map = |name: &str, cm: &str| Volume {
        name: name.into(),
        config_map: Some(ConfigMapVolumeSource {
            name: cm.into(),
            ..Default::default()
        }),
        ..Default::default()
    };
    vec![
        empty_dir(RESULTS_VOLUME, RESULTS_SIZE),
        empty_dir(TMP_VOLUME, TMP_SIZE),
        config_map(SCRIPTS_VOLUME, &spec.scripts_configmap),
        config_map(PROFILES_VOLUME, &spec.profiles_configmap),
    ]
}
