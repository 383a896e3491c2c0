//! Fetching from many pods at once: starting the trackers, one task per pod, the bound on
//! exec sessions, and handing every event to the caller in order.

use std::collections::HashMap;
use std::sync::atomic::AtomicBool;
use std::sync::{Arc, OnceLock};

use k8s_openapi::api::core::v1::Pod;
use kube::Api;
use tokio::sync::{Semaphore, mpsc, watch};
use tokio::task::JoinSet;
use tokio::time::Instant;

use crate::connect::Cluster;
use crate::copy;
use crate::error::{Error, ErrorKind};
use crate::options::{FetchOptions, Targets};
use crate::outcome::{Event, PodRef, PodReport};
use crate::pod::Shared;
use crate::track::{self, Seen};

/// Fetches from every target pod. Returns `Err` only when the run cannot start (bad options,
/// selector cannot be listed or matches nothing); each pod's failure is in its report.
pub async fn fetch(
    cluster: &Cluster,
    options: &FetchOptions,
    on_event: &(dyn Fn(Event) + Send + Sync),
) -> Result<Vec<PodReport>, Error> {
    options.check()?;
    let start = Instant::now();
    let namespace = options.namespace.clone();
    let api: Api<Pod> = Api::namespaced(cluster.client.clone(), &namespace);

    let mut trackers = Vec::new();
    let mut pods: Vec<(PodRef, watch::Receiver<Seen>)> = Vec::new();
    match &options.targets {
        Targets::Named(names) => {
            // A pod named twice is fetched once: two tasks would race for one directory.
            let mut unique: Vec<&String> = names.iter().collect();
            unique.sort();
            unique.dedup();
            for name in unique {
                let (tx, rx) = watch::channel(Seen::Unknown);
                trackers.push(tokio::spawn(track::track_named(
                    api.clone(),
                    namespace.clone(),
                    name.clone(),
                    tx,
                )));
                pods.push((
                    PodRef {
                        namespace: namespace.clone(),
                        name: name.clone(),
                    },
                    rx,
                ));
            }
        }
        Targets::Selector(selector) => {
            let list = track::list_pods(&api, selector, &namespace)
                .await
                .map_err(Error::new)?;
            let version = list.metadata.resource_version.clone().unwrap_or_default();
            let mut senders = HashMap::new();
            for pod in list.items {
                let Some(name) = pod.metadata.name.clone() else {
                    continue;
                };
                // Only a broken or hostile API server lists a name twice; it gets one task too.
                if senders.contains_key(&name) {
                    continue;
                }
                let (tx, rx) = watch::channel(Seen::Pod(Box::new(pod)));
                senders.insert(name.clone(), tx);
                pods.push((
                    PodRef {
                        namespace: namespace.clone(),
                        name,
                    },
                    rx,
                ));
            }
            if pods.is_empty() {
                return Err(Error::new(ErrorKind::NoPodsMatch {
                    namespace,
                    selector: selector.clone(),
                }));
            }
            pods.sort_by(|a, b| a.0.cmp(&b.0));
            trackers.push(tokio::spawn(track::track_selector(
                api.clone(),
                namespace.clone(),
                selector.clone(),
                version,
                senders,
            )));
        }
    }
    let _abort_trackers = AbortOnDrop(trackers);

    // Each pod is a task of its own, so that reading the exec streams and the bookkeeping around
    // them spread over the runtime's workers; their events come back here, in order per pod,
    // so `on_event` is only ever called from the caller's task.
    let (events, mut event_rx) = mpsc::unbounded_channel();
    let shared = Arc::new(Shared {
        api,
        client: cluster.client.clone(),
        options: options.clone(),
        slots: Arc::new(Semaphore::new(options.concurrency)),
        events,
        start,
        shell: AtomicBool::new(true),
        buffers: Arc::new(copy::BufferPool::new(options.concurrency)),
        root: OnceLock::new(),
    });
    // Dropping the set (the caller gave up on the fetch) aborts every pod's task.
    let mut running = JoinSet::new();
    for (pod, seen) in pods {
        let shared = Arc::clone(&shared);
        running.spawn(async move { shared.pod(pod, seen).await });
    }
    drop(shared);
    let mut reports = Vec::new();
    loop {
        tokio::select! {
            Some(event) = event_rx.recv() => on_event(event),
            joined = running.join_next() => match joined {
                Some(Ok(report)) => reports.push(report),
                Some(Err(err)) if err.is_panic() => std::panic::resume_unwind(err.into_panic()),
                // Only aborted tasks end without a report, and only dropping the set aborts.
                Some(Err(_)) => {}
                None => break,
            },
        }
    }
    // Every task has ended, so every sender is gone: what is queued is all there is.
    while let Some(event) = event_rx.recv().await {
        on_event(event);
    }
    reports.sort_by(|a, b| a.pod.cmp(&b.pod));
    Ok(reports)
}

/// Trackers end by themselves only once every pod's receiver is gone; this ends them also when
/// the fetch returns early or is dropped mid-way.
struct AbortOnDrop(Vec<tokio::task::JoinHandle<()>>);

impl Drop for AbortOnDrop {
    fn drop(&mut self) {
        for task in &self.0 {
            task.abort();
        }
    }
}
