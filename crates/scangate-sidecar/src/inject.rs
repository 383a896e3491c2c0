//! `scangate sidecar inject`: adds the hardened scanner sidecar to workloads, typed with k8s-openapi.
//!
//! For every Pod, Deployment, StatefulSet, DaemonSet, ReplicaSet, Job and CronJob (also inside a
//! `kind: List`) the pod spec gets `shareProcessNamespace: true`, the pod-level hardening that is
//! missing (non-root UID/GID shared with the target, seccomp RuntimeDefault, no API token), the
//! scanner container and its volumes. Everything else passes through byte for byte. Injecting
//! twice gives the same output as injecting once.

use std::collections::BTreeSet;
use std::fmt;

use k8s_openapi::api::apps::v1::{DaemonSet, Deployment, ReplicaSet, StatefulSet};
use k8s_openapi::api::batch::v1::{CronJob, Job};
use k8s_openapi::api::core::v1::{Pod, PodSecurityContext, PodSpec, SeccompProfile};
use k8s_openapi::apimachinery::pkg::apis::meta::v1::ObjectMeta;
use scangate_kube::names;
use serde::Serialize;
use serde::de::DeserializeOwned;
use serde_json::Value;

use crate::scanner::{self, ScannerSpec};
use crate::yaml;

/// The options of one injection (the CLI flags, without clap).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct InjectOptions {
    pub image: String,
    pub profile: String,
    pub profiles_configmap: String,
    pub scripts_configmap: String,
    pub results_dir: String,
    /// The target's UID; `None`: the pod's runAsUser, else the app containers' common one, else 10001.
    pub run_as_user: Option<i64>,
    /// The target's GID; `None`: the pod's runAsGroup, else the UID.
    pub run_as_group: Option<i64>,
    pub target_process: Option<String>,
}

impl Default for InjectOptions {
    fn default() -> Self {
        InjectOptions {
            image: "chef/inspec:5.18.14".into(),
            profile: "/profiles/container-baseline".into(),
            profiles_configmap: "sidecar-scanner-profiles".into(),
            scripts_configmap: "sidecar-scanner-scripts".into(),
            results_dir: "/results".into(),
            run_as_user: None,
            run_as_group: None,
            target_process: None,
        }
    }
}

/// Why a stream could not be injected: one line naming the document and what is wrong.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{0}")]
pub struct InjectError(pub String);

/// Which document an error is about: "document 2 (Deployment web)".
#[derive(Debug, Clone)]
struct Where {
    index: usize,
    line: usize,
    kind: Option<String>,
    name: Option<String>,
    item: Option<usize>,
}

impl fmt::Display for Where {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "document {} (line {}", self.index, self.line)?;
        if let Some(i) = self.item {
            write!(f, ", List item {i}")?;
        }
        match (&self.kind, &self.name) {
            (Some(k), Some(n)) => write!(f, ", {k} {n})"),
            (Some(k), None) => write!(f, ", {k})"),
            _ => write!(f, ")"),
        }
    }
}

impl Where {
    fn err(&self, msg: impl fmt::Display) -> InjectError {
        InjectError(format!("{self}: {msg}"))
    }
}

/// Validates the options once, before any document.
pub fn validate_options(opts: &InjectOptions) -> Result<(), InjectError> {
    let bad = |m: String| Err(InjectError(m));
    if opts.image.trim().is_empty() {
        return bad("--image must not be empty".into());
    }
    for (flag, path) in [
        ("--profile", &opts.profile),
        ("--results-dir", &opts.results_dir),
    ] {
        if !path.starts_with('/') || path.split('/').any(|c| c == "..") || path.contains(':') {
            return bad(format!(
                "{flag} must be an absolute path without '..' or ':', not {path:?}"
            ));
        }
    }
    if opts.profile.trim_end_matches('/') == opts.results_dir.trim_end_matches('/') {
        return bad("--profile and --results-dir must be different directories".into());
    }
    for reserved in ["/tmp", "/scripts"] {
        for (flag, path) in [
            ("--profile", &opts.profile),
            ("--results-dir", &opts.results_dir),
        ] {
            if path.trim_end_matches('/') == reserved {
                return bad(format!(
                    "{flag} cannot be {reserved}: the scanner mounts its own volume there"
                ));
            }
        }
    }
    for (flag, name) in [
        ("--profiles-configmap", &opts.profiles_configmap),
        ("--scripts-configmap", &opts.scripts_configmap),
    ] {
        // ConfigMap names are DNS-1123 subdomains, as pod names are.
        if !names::is_valid_pod_name(name) {
            return bad(format!(
                "{flag} {name:?} is not a valid ConfigMap name (lowercase DNS subdomain)"
            ));
        }
    }
    for (flag, id) in [
        ("--run-as-user", opts.run_as_user),
        ("--run-as-group", opts.run_as_group),
    ] {
        if id.is_some_and(|v| v <= 0) {
            return bad(format!("{flag} must be a non-root ID (> 0)"));
        }
    }
    Ok(())
}

/// Injects every workload of a YAML stream; the other documents come back as they were.
pub fn inject_stream(input: &str, opts: &InjectOptions) -> Result<String, InjectError> {
    validate_options(opts)?;
    let mut out = Vec::new();
    for doc in yaml::split_documents(input) {
        let at = Where {
            index: doc.index,
            line: doc.line,
            kind: None,
            name: None,
            item: None,
        };
        let value: Value = doc
            .parse()
            .map_err(|e| at.err(format!("invalid YAML: {e}")))?;
        match inject_document(&doc, &value, opts, at)? {
            Some(changed) => out.push(changed),
            None => out.push(doc.text),
        }
    }
    Ok(yaml::join_documents(&out))
}

/// `Some(new text)` for a workload or a List, `None` to pass the document through untouched.
fn inject_document(
    doc: &yaml::RawDocument,
    value: &Value,
    opts: &InjectOptions,
    mut at: Where,
) -> Result<Option<String>, InjectError> {
    let Some(obj) = value.as_object() else {
        return Ok(None);
    };
    let kind = obj.get("kind").and_then(Value::as_str);
    let api_version = obj.get("apiVersion").and_then(Value::as_str);
    at.kind = kind.map(str::to_string);
    at.name = obj
        .get("metadata")
        .and_then(|m| m.get("name"))
        .and_then(Value::as_str)
        .map(str::to_string);
    let Some(kind) = kind else { return Ok(None) };
    if kind == "List" {
        let Some(items) = obj.get("items").and_then(Value::as_array) else {
            return Ok(None);
        };
        let mut list = obj.clone();
        let mut new_items = Vec::with_capacity(items.len());
        for (i, item) in items.iter().enumerate() {
            let item_doc = yaml::RawDocument {
                index: doc.index,
                line: 1,
                text: yaml::to_yaml(item).map_err(|e| at.err(e))?,
            };
            let mut item_at = at.clone();
            item_at.item = Some(i + 1);
            item_at.kind = None;
            item_at.name = None;
            new_items.push(match inject_document(&item_doc, item, opts, item_at)? {
                Some(t) => yaml::parse::<Value>(&t).map_err(|e| at.err(e))?,
                None => item.clone(),
            });
        }
        list.insert("items".into(), Value::Array(new_items));
        return yaml::to_yaml(&list).map(Some).map_err(|e| at.err(e));
    }
    let Some(workload) = Workload::from_kind(kind) else {
        return Ok(None);
    };
    if api_version != Some(workload.api_version()) {
        return Err(at.err(format!(
            "apiVersion {} is not supported for {kind}: use {}",
            api_version.unwrap_or("(none)"),
            workload.api_version()
        )));
    }
    let out = match workload {
        Workload::Pod => typed::<Pod>(doc, value, opts, &at, |o| {
            let spec = o.spec.get_or_insert_with(Default::default);
            let meta = &mut o.metadata;
            Ok((meta, spec, false))
        }),
        Workload::Deployment => typed::<Deployment>(doc, value, opts, &at, |o| {
            let t = &mut o.spec.get_or_insert_with(Default::default).template;
            Ok((
                t.metadata.get_or_insert_with(Default::default),
                t.spec.get_or_insert_with(Default::default),
                false,
            ))
        }),
        Workload::StatefulSet => typed::<StatefulSet>(doc, value, opts, &at, |o| {
            let t = &mut o.spec.get_or_insert_with(Default::default).template;
            Ok((
                t.metadata.get_or_insert_with(Default::default),
                t.spec.get_or_insert_with(Default::default),
                false,
            ))
        }),
        Workload::DaemonSet => typed::<DaemonSet>(doc, value, opts, &at, |o| {
            let t = &mut o.spec.get_or_insert_with(Default::default).template;
            Ok((
                t.metadata.get_or_insert_with(Default::default),
                t.spec.get_or_insert_with(Default::default),
                false,
            ))
        }),
        Workload::ReplicaSet => typed::<ReplicaSet>(doc, value, opts, &at, |o| {
            let t = o
                .spec
                .get_or_insert_with(Default::default)
                .template
                .get_or_insert_with(Default::default);
            Ok((
                t.metadata.get_or_insert_with(Default::default),
                t.spec.get_or_insert_with(Default::default),
                false,
            ))
        }),
        Workload::Job => typed::<Job>(doc, value, opts, &at, |o| {
            let t = &mut o.spec.get_or_insert_with(Default::default).template;
            Ok((
                t.metadata.get_or_insert_with(Default::default),
                t.spec.get_or_insert_with(Default::default),
                true,
            ))
        }),
        Workload::CronJob => typed::<CronJob>(doc, value, opts, &at, |o| {
            let job = o
                .spec
                .get_or_insert_with(Default::default)
                .job_template
                .spec
                .get_or_insert_with(Default::default);
            let t = &mut job.template;
            Ok((
                t.metadata.get_or_insert_with(Default::default),
                t.spec.get_or_insert_with(Default::default),
                true,
            ))
        }),
    }?;
    Ok(Some(out))
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Workload {
    Pod,
    Deployment,
    StatefulSet,
    DaemonSet,
    ReplicaSet,
    Job,
    CronJob,
}

impl Workload {
    fn from_kind(kind: &str) -> Option<Workload> {
        Some(match kind {
            "Pod" => Workload::Pod,
            "Deployment" => Workload::Deployment,
            "StatefulSet" => Workload::StatefulSet,
            "DaemonSet" => Workload::DaemonSet,
            "ReplicaSet" => Workload::ReplicaSet,
            "Job" => Workload::Job,
            "CronJob" => Workload::CronJob,
            _ => return None,
        })
    }

    fn api_version(self) -> &'static str {
        match self {
            Workload::Pod => "v1",
            Workload::Deployment
            | Workload::StatefulSet
            | Workload::DaemonSet
            | Workload::ReplicaSet => "apps/v1",
            Workload::Job | Workload::CronJob => "batch/v1",
        }
    }
}

/// Parses the document as `T`, refuses fields the Kubernetes 1.33 types do not know (they would be
/// dropped silently), injects the pod spec that `pod` points at, and writes the object back.
fn typed<T>(
    doc: &yaml::RawDocument,
    original: &Value,
    opts: &InjectOptions,
    at: &Where,
    pod: impl FnOnce(&mut T) -> Result<(&mut ObjectMeta, &mut PodSpec, bool), InjectError>,
) -> Result<String, InjectError>
where
    T: DeserializeOwned + Serialize,
{
    let mut obj: T = doc
        .parse()
        .map_err(|e| at.err(format!("not a valid {}: {e}", kind_of(at))))?;
    let round_trip = serde_json::to_value(&obj).map_err(|e| at.err(e))?;
    if let Some(path) = dropped_field(original, &round_trip, String::new()) {
        return Err(at.err(format!(
            "field {path} is not part of the Kubernetes 1.33 {} schema; inject would drop it",
            kind_of(at)
        )));
    }
    let (meta, spec, native_sidecar) = pod(&mut obj)?;
    inject_pod(meta, spec, native_sidecar, opts).map_err(|e| at.err(e))?;
    yaml::to_yaml(&obj).map_err(|e| at.err(e))
}

fn kind_of(at: &Where) -> &str {
    at.kind.as_deref().unwrap_or("object")
}

/// The first path present (and not null) in `original` but missing after the typed round trip.
fn dropped_field(original: &Value, typed: &Value, path: String) -> Option<String> {
    match (original, typed) {
        (Value::Object(o), Value::Object(t)) => o.iter().find_map(|(k, v)| {
            let p = if path.is_empty() {
                k.clone()
            } else {
                format!("{path}.{k}")
            };
            match t.get(k) {
                _ if v.is_null() => None,
                None => Some(p),
                Some(tv) => dropped_field(v, tv, p),
            }
        }),
        (Value::Array(o), Value::Array(t)) => o
            .iter()
            .zip(t)
            .enumerate()
            .find_map(|(i, (ov, tv))| dropped_field(ov, tv, format!("{path}[{i}]"))),
        _ => None,
    }
}

/// The injection proper, on one pod spec and the metadata of its pod (template).
pub fn inject_pod(
    meta: &mut ObjectMeta,
    spec: &mut PodSpec,
    native_sidecar: bool,
    opts: &InjectOptions,
) -> Result<(), String> {
    if spec.host_pid == Some(true) {
        return Err(
            "hostPID is true: the scanner would see every process of the node; \
                    refusing to inject (remove hostPID or leave this workload out)"
                .into(),
        );
    }
    let ours = meta
        .annotations
        .as_ref()
        .and_then(|a| a.get(scanner::INJECTED_ANNOTATION))
        .is_some();
    if ours {
        // Injected before: take out our own container and volumes, then add them again below.
        spec.containers.retain(|c| c.name != scanner::CONTAINER);
        if let Some(init) = spec.init_containers.as_mut() {
            init.retain(|c| c.name != scanner::CONTAINER);
        }
        if spec.init_containers.as_ref().is_some_and(Vec::is_empty) {
            spec.init_containers = None;
        }
        if let Some(vols) = spec.volumes.as_mut() {
            vols.retain(|v| !scanner::VOLUMES.contains(&v.name.as_str()));
        }
    }
    let names = spec
        .containers
        .iter()
        .map(|c| c.name.as_str())
        .chain(
            spec.init_containers
                .iter()
                .flatten()
                .map(|c| c.name.as_str()),
        )
        .chain(
            spec.ephemeral_containers
                .iter()
                .flatten()
                .map(|c| c.name.as_str()),
        );
    for name in names {
        if name == scanner::CONTAINER {
            return Err(format!(
                "a container named {:?} exists already (not added by scangate); rename it",
                scanner::CONTAINER
            ));
        }
    }
    for v in spec.volumes.iter().flatten() {
        if scanner::VOLUMES.contains(&v.name.as_str()) {
            return Err(format!(
                "a volume named {:?} exists already (not added by scangate); rename it",
                v.name
            ));
        }
    }

    let (uid, gid) = resolve_ids(spec, opts)?;

    spec.share_process_namespace = Some(true);
    if spec.automount_service_account_token.is_none() {
        // No API token in the pod. An explicit `true` (the app needs the API) is kept.
        spec.automount_service_account_token = Some(false);
    }
    let psc = spec
        .security_context
        .get_or_insert_with(PodSecurityContext::default);
    psc.run_as_non_root.get_or_insert(true);
    psc.run_as_user.get_or_insert(uid);
    psc.run_as_group.get_or_insert(gid);
    psc.seccomp_profile.get_or_insert_with(|| SeccompProfile {
        type_: "RuntimeDefault".into(),
        localhost_profile: None,
    });

    let scanner_spec = ScannerSpec {
        image: opts.image.clone(),
        profile: opts.profile.trim_end_matches('/').to_string(),
        profiles_configmap: opts.profiles_configmap.clone(),
        scripts_configmap: opts.scripts_configmap.clone(),
        results_dir: opts.results_dir.clone(),
        run_as_user: uid,
        run_as_group: gid,
        target_process: opts.target_process.clone(),
    };
    let container = scanner::container(&scanner_spec, native_sidecar);
    if native_sidecar {
        spec.init_containers
            .get_or_insert_with(Vec::new)
            .push(container);
    } else {
        spec.containers.push(container);
    }
    spec.volumes
        .get_or_insert_with(Vec::new)
        .extend(scanner::volumes(&scanner_spec));
    meta.annotations
        .get_or_insert_with(Default::default)
        .insert(scanner::INJECTED_ANNOTATION.into(), "true".into());
    Ok(())
}

/// The UID/GID the scanner shares with the target. Reading /proc/PID/root needs no capability
/// only when the scanner's IDs equal the target's, so a conflict is an error, not a guess.
fn resolve_ids(spec: &PodSpec, opts: &InjectOptions) -> Result<(i64, i64), String> {
    let psc = spec.security_context.as_ref();
    let pod_uid = psc.and_then(|s| s.run_as_user);
    let pod_gid = psc.and_then(|s| s.run_as_group);
    let app_uids: BTreeSet<i64> = spec
        .containers
        .iter()
        .filter(|c| c.name != scanner::CONTAINER)
        .filter_map(|c| c.security_context.as_ref().and_then(|s| s.run_as_user))
        .collect();
    let uid = match (opts.run_as_user, pod_uid) {
        (Some(flag), Some(pod)) if flag != pod => {
            return Err(format!(
                "the pod runs as UID {pod} (securityContext.runAsUser) but --run-as-user is {flag}: \
                 the scanner must share the target's UID"
            ));
        }
        (Some(flag), _) => flag,
        (None, Some(pod)) => pod,
        (None, None) => match app_uids.len() {
            0 => scanner::DEFAULT_UID,
            1 => *app_uids.iter().next().unwrap_or(&scanner::DEFAULT_UID),
            _ => {
                let list: Vec<String> = app_uids.iter().map(i64::to_string).collect();
                return Err(format!(
                    "the containers run as different UIDs ({}): pass --run-as-user with the target's UID",
                    list.join(", ")
                ));
            }
        },
    };
    if uid == 0 {
        return Err(
            "the pod runs as root (runAsUser 0): the scanner runs as the target's non-root UID; \
                    set a runAsUser > 10000 for the pod"
                .into(),
        );
    }
    let gid = match (opts.run_as_group, pod_gid) {
        (Some(flag), Some(pod)) if flag != pod => {
            return Err(format!(
                "the pod runs as GID {pod} (securityContext.runAsGroup) but --run-as-group is {flag}: \
                 the scanner must share the target's GID"
            ));
        }
        (Some(flag), _) => flag,
        (None, Some(pod)) => pod,
        (None, None) => uid,
    };
    if gid == 0 {
        return Err(
            "the pod runs with GID 0 (runAsGroup 0): the scanner would need the root group; \
                    set a non-zero runAsGroup for the pod"
                .into(),
        );
    }
    Ok((uid, gid))
}
