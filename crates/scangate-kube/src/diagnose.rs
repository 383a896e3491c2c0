//! What a failed pod looked like: its phase, the scanner container's state, its last log lines.

use std::time::Duration;

use k8s_openapi::api::core::v1::{ContainerStatus, Pod};
use kube::Api;
use kube::api::LogParams;

use crate::api;
use crate::error::ErrorKind;
use crate::names::{self, clean_text};
use crate::outcome::{Diagnosis, Logs, PodRef};

/// How many log lines a failure report carries.
const LOG_LINES: i64 = 10;

/// The pod's phase and container state as last seen (`None`: it was never seen), and its last
/// log lines.
pub(crate) async fn diagnose(
    pods: &Api<Pod>,
    pod: &PodRef,
    container: &str,
    object: Option<&Pod>,
) -> Diagnosis {
    let (phase, state) = match object {
        Some(object) => (
            object
                .status
                .as_ref()
                .and_then(|s| s.phase.as_deref())
                .map(|p| clean_text(p, 40)),
            describe_container(object, container),
        ),
        None => (None, "unknown (the pod could not be read)".to_owned()),
    };
    let logs = last_logs(pods, pod, container).await;
    Diagnosis {
        phase,
        container: state,
        logs,
    }
}

async fn last_logs(pods: &Api<Pod>, pod: &PodRef, container: &str) -> Logs {
    let params = LogParams {
        container: Some(container.to_owned()),
        tail_lines: Some(LOG_LINES),
        limit_bytes: Some(16 * 1024),
        ..LogParams::default()
    };
    match tokio::time::timeout(Duration::from_secs(5), pods.logs(&pod.name, &params)).await {
        Ok(Ok(text)) => Logs::Lines(
            text.lines()
                .rev()
                .take(LOG_LINES as usize)
                .map(|l| clean_text(l, 200))
                .collect::<Vec<_>>()
                .into_iter()
                .rev()
                .collect(),
        ),
        Ok(Err(err)) => match api::classify(&err, &["get"], "pods/log", &pod.namespace) {
            ErrorKind::Forbidden { .. } => Logs::Forbidden,
            other => Logs::Unavailable(other.to_string()),
        },
        Err(_) => Logs::Unavailable("timed out".into()),
    }
}

/// `running, not ready`, `waiting (CrashLoopBackOff: ...)`, `terminated (Error, exit code 1)`.
fn describe_container(pod: &Pod, container: &str) -> String {
    let in_spec = pod
        .spec
        .as_ref()
        .is_some_and(|spec| spec.containers.iter().any(|c| c.name == container));
    if !in_spec {
        let names: Vec<String> = pod
            .spec
            .as_ref()
            .map(|spec| {
                spec.containers
                    .iter()
                    .map(|c| clean_text(&c.name, 60))
                    .collect()
            })
            .unwrap_or_default();
        return format!(
            "no container {} in the pod (containers: {})",
            names::quoted(container),
            names.join(", ")
        );
    }
    let status: Option<&ContainerStatus> = pod
        .status
        .as_ref()
        .and_then(|s| s.container_statuses.as_ref())
        .and_then(|all| all.iter().find(|c| c.name == container));
    let Some(status) = status else {
        return "not started".to_owned();
    };
    let detail = |reason: Option<&String>, message: Option<&String>| -> String {
        match (reason, message) {
            (Some(r), Some(m)) => format!(" ({}: {})", clean_text(r, 60), clean_text(m, 160)),
            (Some(r), None) => format!(" ({})", clean_text(r, 60)),
            (None, Some(m)) => format!(" ({})", clean_text(m, 160)),
            (None, None) => String::new(),
        }
    };
    let restarts = if status.restart_count > 0 {
        format!(", {} restarts", status.restart_count)
    } else {
        String::new()
    };
    match &status.state {
        Some(state) if state.running.is_some() => {
            format!(
                "running, {}{restarts}",
                if status.ready { "ready" } else { "not ready" }
            )
        }
        Some(state) if state.waiting.is_some() => {
            let w = state
                .waiting
                .as_ref()
                .map(|w| detail(w.reason.as_ref(), w.message.as_ref()))
                .unwrap_or_default();
            format!("waiting{w}{restarts}")
        }
        Some(state) if state.terminated.is_some() => {
            let t = state.terminated.as_ref();
            let code = t.map(|t| t.exit_code).unwrap_or_default();
            let reason = t
                .and_then(|t| t.reason.as_deref())
                .map(|r| clean_text(r, 60))
                .unwrap_or_else(|| "exited".into());
            format!("terminated ({reason}, exit code {code}){restarts}")
        }
        _ => "unknown".to_owned(),
    }
}
