//! Keeping each pod's latest state, by watch where allowed and by polling where not.
//!
//! Named pods are watched one by one with `fieldSelector=metadata.name=P` (needs `watch`);
//! a 403 on the watch falls back to `get` with backoff, so `get` on pods is enough (with `get`
//! and `create` on pods/exec for the execs).
//! A selector is watched once for all its pods (needs `watch`), falling back to `list` polling.

use std::collections::HashMap;
use std::time::Duration;

use futures::{StreamExt, TryStreamExt};
use k8s_openapi::api::core::v1::Pod;
use kube::Api;
use kube::api::{ListParams, WatchEvent, WatchParams};
use kube::core::ObjectList;
use tokio::sync::watch;

use crate::api::classify;
use crate::error::ErrorKind;

/// What we last knew of a pod.
#[derive(Debug, Clone)]
pub(crate) enum Seen {
    /// Nothing yet.
    Unknown,
    /// Its latest object.
    Pod(Box<Pod>),
    /// A watch or poll saw it go away.
    Deleted,
    /// Tracking failed (404, 403 on get, unreachable).
    Failed(ErrorKind),
}

/// Polling starts fast (a scanner pod is often nearly ready) and backs off to the 5 s the
/// shell loops used.
pub(crate) fn backoff(previous: Duration) -> Duration {
    (previous.mul_f32(1.6)).clamp(Duration::from_millis(200), Duration::from_secs(5))
}

const WATCH_TIMEOUT_SECS: u32 = 290;

/// Tracks one named pod until every receiver is gone.
pub(crate) async fn track_named(
    api: Api<Pod>,
    namespace: String,
    name: String,
    tx: watch::Sender<Seen>,
) {
    let mut delay = Duration::from_millis(200);
    let mut watch_allowed = true;
    loop {
        let version = match api.get(&name).await {
            Ok(pod) => {
                let version = pod.metadata.resource_version.clone().unwrap_or_default();
                tx.send_replace(Seen::Pod(Box::new(pod)));
                version
            }
            Err(err) => {
                let kind = classify(&err, &["get"], "pods", &namespace);
                if matches!(kind, ErrorKind::Connect(_)) && !tx.is_closed() {
                    // A blip on the way to the API server is retried until the pod's deadline.
                    tokio::time::sleep(delay).await;
                    delay = backoff(delay);
                    continue;
                }
                tx.send_replace(Seen::Failed(kind));
                return;
            }
        };
        if watch_allowed {
            let params = WatchParams::default()
                .fields(&format!("metadata.name={name}"))
                .timeout(WATCH_TIMEOUT_SECS);
            match watch_until_reset(
                &api,
                &params,
                &version,
                &namespace,
                |pod| {
                    if pod.metadata.name.as_deref() == Some(&name) {
                        tx.send_replace(Seen::Pod(Box::new(pod)));
                    }
                },
                |deleted| {
                    if deleted == name {
                        tx.send_replace(Seen::Deleted);
                    }
                },
            )
            .await
            {
                WatchEnd::Forbidden => watch_allowed = false,
                WatchEnd::Reset => {}
            }
        }
        if tx.is_closed() {
            return;
        }
        if !watch_allowed {
            tokio::select! {
                () = tokio::time::sleep(delay) => {}
                () = tx.closed() => return,
            }
            delay = backoff(delay);
        }
    }
}

/// Tracks the pods of a selector (already listed once) until every receiver is gone.
pub(crate) async fn track_selector(
    api: Api<Pod>,
    namespace: String,
    selector: String,
    mut version: String,
    senders: HashMap<String, watch::Sender<Seen>>,
) {
    let all_closed = || senders.values().all(watch::Sender::is_closed);
    let mut watch_allowed = true;
    let mut delay = Duration::from_millis(200);
    loop {
        if watch_allowed {
            let params = WatchParams::default()
                .labels(&selector)
                .timeout(WATCH_TIMEOUT_SECS);
            let end = watch_until_reset(
                &api,
                &params,
                &version,
                &namespace,
                |pod| {
                    if let Some(tx) = pod.metadata.name.as_deref().and_then(|n| senders.get(n)) {
                        tx.send_replace(Seen::Pod(Box::new(pod)));
                    }
                },
                |deleted| {
                    if let Some(tx) = senders.get(deleted) {
                        tx.send_replace(Seen::Deleted);
                    }
                },
            )
            .await;
            if let WatchEnd::Forbidden = end {
                watch_allowed = false;
            }
        }
        if all_closed() {
            return;
        }
        if !watch_allowed {
            tokio::time::sleep(delay).await;
            delay = backoff(delay);
        }
        // After a reset (410 Gone, stream end) or between polls: list again for a fresh view.
        match list_pods(&api, &selector, &namespace).await {
            Ok(list) => {
                version = list.metadata.resource_version.clone().unwrap_or_default();
                let mut present: HashMap<String, Pod> = HashMap::new();
                for pod in list.items {
                    if let Some(name) = pod.metadata.name.clone() {
                        present.insert(name, pod);
                    }
                }
                for (name, tx) in &senders {
                    match present.remove(name) {
                        Some(pod) => tx.send_replace(Seen::Pod(Box::new(pod))),
                        None => tx.send_replace(Seen::Deleted),
                    };
                }
            }
            Err(ErrorKind::Connect(_)) => {}
            Err(kind) => {
                for tx in senders.values() {
                    tx.send_replace(Seen::Failed(kind.clone()));
                }
                return;
            }
        }
        if all_closed() {
            return;
        }
    }
}

pub(crate) async fn list_pods(
    api: &Api<Pod>,
    selector: &str,
    namespace: &str,
) -> Result<ObjectList<Pod>, ErrorKind> {
    api.list(&ListParams::default().labels(selector))
        .await
        .map_err(|e| classify(&e, &["list"], "pods", namespace))
}

enum WatchEnd {
    /// The server refused the watch verb.
    Forbidden,
    /// The stream ended or the version expired: start again from a fresh get/list.
    Reset,
}

async fn watch_until_reset(
    api: &Api<Pod>,
    params: &WatchParams,
    version: &str,
    namespace: &str,
    mut on_pod: impl FnMut(Pod),
    mut on_deleted: impl FnMut(&str),
) -> WatchEnd {
    let stream = match api.watch(params, version).await {
        Ok(stream) => stream,
        Err(err) => {
            return match classify(&err, &["watch"], "pods", namespace) {
                ErrorKind::Forbidden { .. } => WatchEnd::Forbidden,
                _ => {
                    tokio::time::sleep(Duration::from_millis(500)).await;
                    WatchEnd::Reset
                }
            };
        }
    };
    let mut stream = std::pin::pin!(stream.into_stream());
    while let Some(event) = stream.next().await {
        match event {
            Ok(WatchEvent::Added(pod) | WatchEvent::Modified(pod)) => on_pod(pod),
            Ok(WatchEvent::Deleted(pod)) => {
                if let Some(name) = pod.metadata.name.as_deref() {
                    on_deleted(name);
                }
            }
            Ok(WatchEvent::Bookmark(_)) => {}
            Ok(WatchEvent::Error(status)) if status.code == 403 => return WatchEnd::Forbidden,
            Ok(WatchEvent::Error(_)) | Err(_) => return WatchEnd::Reset,
        }
    }
    WatchEnd::Reset
}
