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

use crate::error::{DocumentError, Error, Flag, Id, Location};
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

// The defaults are the Helm chart's (deploy/helm/sidecar-scanner/values.yaml, release
// `sidecar-scanner`), so an injected workload finds the ConfigMaps that chart installs. The CLI
// shows these consts as its flags' defaults: they are written nowhere else.
impl InjectOptions {
    pub const DEFAULT_IMAGE: &'static str = "chef/inspec:5.18.14";
    pub const DEFAULT_PROFILE: &'static str = "/profiles/container-baseline";
    pub const DEFAULT_PROFILES_CONFIGMAP: &'static str = "sidecar-scanner-profiles";
    pub const DEFAULT_SCRIPTS_CONFIGMAP: &'static str = "sidecar-scanner-scripts";
    pub const DEFAULT_RESULTS_DIR: &'static str = "/results";
}

impl Default for InjectOptions {
    fn default() -> Self {
        InjectOptions {
            image: Self::DEFAULT_IMAGE.into(),
            profile: Self::DEFAULT_PROFILE.into(),
            profiles_configmap: Self::DEFAULT_PROFILES_CONFIGMAP.into(),
            scripts_configmap: Self::DEFAULT_SCRIPTS_CONFIGMAP.into(),
            results_dir: Self::DEFAULT_RESULTS_DIR.into(),
            run_as_user: None,
            run_as_group: None,
            target_process: None,
        }
    }
}

impl Location {
    fn err(&self, problem: DocumentError) -> Error {
        Error::Document {
            at: Box::new(self.clone()),
            problem,
        }
    }
}

/// Validates the options once, before any document.
pub fn validate_options(opts: &InjectOptions) -> Result<(), Error> {
    if opts.image.trim().is_empty() {
        return Err(Error::EmptyImage);
    }
    let paths = [
        (Flag::Profile, &opts.profile),
        (Flag::ResultsDir, &opts.results_dir),
    ];
    for (flag, path) in paths {
        if !path.starts_with('/') || path.split('/').any(|c| c == "..") || path.contains(':') {
            return Err(Error::NotAnAbsolutePath {
                flag,
                path: path.clone(),
            });
        }
    }
    if opts.profile.trim_end_matches('/') == opts.results_dir.trim_end_matches('/') {
        return Err(Error::SameDirectory);
    }
    for dir in ["/tmp", "/scripts"] {
        for (flag, path) in paths {
            if path.trim_end_matches('/') == dir {
                return Err(Error::ReservedDirectory { flag, dir });
            }
        }
    }
    for (flag, name) in [
        (Flag::ProfilesConfigMap, &opts.profiles_configmap),
        (Flag::ScriptsConfigMap, &opts.scripts_configmap),
    ] {
        // ConfigMap names are DNS-1123 subdomains, as pod names are.
        if !names::is_valid_pod_name(name) {
            return Err(Error::InvalidConfigMapName {
                flag,
                name: name.clone(),
            });
        }
    }
    for (flag, id) in [
        (Flag::RunAsUser, opts.run_as_user),
        (Flag::RunAsGroup, opts.run_as_group),
    ] {
        if let Some(id) = id.filter(|&id| id <= 0) {
            return Err(Error::RootId { flag, id });
        }
    }
    Ok(())
}

/// Injects every workload of a YAML stream; the other documents come back as they were.
pub fn inject_stream(input: &str, opts: &InjectOptions) -> Result<String, Error> {
    validate_options(opts)?;
    let mut out = Vec::new();
    for doc in yaml::split_documents(input) {
        let at = Location {
            document: doc.index,
            line: doc.line,
            list_item: None,
            kind: None,
            name: None,
        };
        let value: Value = doc
            .parse()
            .map_err(|e| at.err(DocumentError::InvalidYaml(e)))?;
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
    mut at: Location,
) -> Result<Option<String>, Error> {
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
                text: yaml::to_yaml(item).map_err(|e| at.err(DocumentError::Yaml(e)))?,
            };
            let mut item_at = at.clone();
            item_at.list_item = Some(i + 1);
            item_at.kind = None;
            item_at.name = None;
            new_items.push(match inject_document(&item_doc, item, opts, item_at)? {
                Some(t) => yaml::parse::<Value>(&t).map_err(|e| at.err(DocumentError::Yaml(e)))?,
                None => item.clone(),
            });
        }
        list.insert("items".into(), Value::Array(new_items));
        return yaml::to_yaml(&list)
            .map(Some)
            .map_err(|e| at.err(DocumentError::Yaml(e)));
    }
    let Some(workload) = Workload::from_kind(kind) else {
        return Ok(None);
    };
    if api_version != Some(workload.api_version()) {
        return Err(at.err(DocumentError::UnsupportedApiVersion {
            kind: workload,
            found: api_version.map(str::to_string),
        }));
    }
    let out = match workload {
        Workload::Pod => typed::<Pod>(doc, value, opts, &at, workload, |o| {
            let spec = o.spec.get_or_insert_with(Default::default);
            let meta = &mut o.metadata;
            Ok((meta, spec, false))
        }),
        Workload::Deployment => typed::<Deployment>(doc, value, opts, &at, workload, |o| {
            let t = &mut o.spec.get_or_insert_with(Default::default).template;
            Ok((
                t.metadata.get_or_insert_with(Default::default),
                t.spec.get_or_insert_with(Default::default),
                false,
            ))
        }),
        Workload::StatefulSet => typed::<StatefulSet>(doc, value, opts, &at, workload, |o| {
            let t = &mut o.spec.get_or_insert_with(Default::default).template;
            Ok((
                t.metadata.get_or_insert_with(Default::default),
                t.spec.get_or_insert_with(Default::default),
                false,
            ))
        }),
        Workload::DaemonSet => typed::<DaemonSet>(doc, value, opts, &at, workload, |o| {
            let t = &mut o.spec.get_or_insert_with(Default::default).template;
            Ok((
                t.metadata.get_or_insert_with(Default::default),
                t.spec.get_or_insert_with(Default::default),
                false,
            ))
        }),
        Workload::ReplicaSet => typed::<ReplicaSet>(doc, value, opts, &at, workload, |o| {
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
        Workload::Job => typed::<Job>(doc, value, opts, &at, workload, |o| {
            let t = &mut o.spec.get_or_insert_with(Default::default).template;
            Ok((
                t.metadata.get_or_insert_with(Default::default),
                t.spec.get_or_insert_with(Default::default),
                true,
            ))
        }),
        Workload::CronJob => typed::<CronJob>(doc, value, opts, &at, workload, |o| {
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

/// The kinds `inject` changes; every other kind passes through.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum Workload {
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

    /// The one apiVersion `inject` accepts for the kind: the one the typed objects are.
    pub fn api_version(self) -> &'static str {
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

impl fmt::Display for Workload {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Debug::fmt(self, f)
    }
}

/// Parses the document as `T`, refuses fields the Kubernetes 1.33 types do not know (they would be
/// dropped silently), injects the pod spec that `pod` points at, and writes the object back.
fn typed<T>(
    doc: &yaml::RawDocument,
    original: &Value,
    opts: &InjectOptions,
    at: &Location,
    kind: Workload,
    pod: impl FnOnce(&mut T) -> Result<(&mut ObjectMeta, &mut PodSpec, bool), Error>,
) -> Result<String, Error>
where
    T: DeserializeOwned + Serialize,
{
    let mut obj: T = doc
        .parse()
        .map_err(|error| at.err(DocumentError::NotValid { kind, error }))?;
    let round_trip = serde_json::to_value(&obj).map_err(|e| at.err(DocumentError::Json(e)))?;
    if let Some(path) = dropped_field(original, &round_trip, String::new()) {
        return Err(at.err(DocumentError::UnknownField { kind, path }));
    }
    let (meta, spec, native_sidecar) = pod(&mut obj)?;
    inject_pod(meta, spec, native_sidecar, opts).map_err(|e| at.err(e))?;
    yaml::to_yaml(&obj).map_err(|e| at.err(DocumentError::Yaml(e)))
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
) -> Result<(), DocumentError> {
    if spec.host_pid == Some(true) {
        return Err(DocumentError::HostPid);
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
            return Err(DocumentError::ContainerExists);
        }
    }
    for v in spec.volumes.iter().flatten() {
        if scanner::VOLUMES.contains(&v.name.as_str()) {
            return Err(DocumentError::VolumeExists {
                name: v.name.clone(),
            });
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
fn resolve_ids(spec: &PodSpec, opts: &InjectOptions) -> Result<(i64, i64), DocumentError> {
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
            return Err(DocumentError::IdConflict {
                id: Id::Uid,
                pod,
                requested: flag,
            });
        }
        (Some(flag), _) => flag,
        (None, Some(pod)) => pod,
        (None, None) => match app_uids.len() {
            0 => scanner::DEFAULT_UID,
            1 => *app_uids.iter().next().unwrap_or(&scanner::DEFAULT_UID),
            _ => return Err(DocumentError::DifferentUids(app_uids.into_iter().collect())),
        },
    };
    if uid == 0 {
        return Err(DocumentError::RootUid);
    }
    let gid = match (opts.run_as_group, pod_gid) {
        (Some(flag), Some(pod)) if flag != pod => {
            return Err(DocumentError::IdConflict {
                id: Id::Gid,
                pod,
                requested: flag,
            });
        }
        (Some(flag), _) => flag,
        (None, Some(pod)) => pod,
        (None, None) => uid,
    };
    if gid == 0 {
        return Err(DocumentError::RootGid);
    }
    Ok((uid, gid))
}
