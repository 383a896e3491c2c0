//! `scangate_kube` driven directly against the fake API server, for assertions the CLI
//! cannot show: the concurrency bound, requests made, in-cluster auth, files on disk.

mod support;

use std::sync::{Arc, Mutex};
use std::time::Duration;

use scangate_kube::{Cluster, Event, FetchOptions, PodReport, Source, Targets};
use support::fake_kube::{FakeKube, FakePod, Script};

fn json_validator() -> scangate_kube::Validator {
    Arc::new(|bytes: &[u8]| {
        serde_json::from_slice::<serde::de::IgnoredAny>(bytes)
            .map(|_| ())
            .map_err(|e| e.to_string())
    })
}

async fn run(
    fake: &FakeKube,
    dir: &std::path::Path,
    targets: Targets,
    tweak: impl FnOnce(&mut FetchOptions),
) -> (Vec<PodReport>, Vec<Event>) {
    let kubeconfig = fake.write_kubeconfig(dir);
    let cluster = Cluster::connect(&Source::Infer {
        kubeconfig: Some(kubeconfig),
        context: None,
    })
    .await
    .expect("connect");
    let mut options = FetchOptions::new("scans", dir.join("out"));
    options.targets = targets;
    options.validator = json_validator();
    options.timeout = Duration::from_secs(5);
    tweak(&mut options);
    let events = Mutex::new(Vec::new());
    let reports = scangate_kube::fetch(&cluster, &options, &|e| events.lock().unwrap().push(e))
        .await
        .expect("fetch");
    (reports, events.into_inner().unwrap())
}

#[tokio::test]
async fn ready_pod_is_fetched() {
    let fake = FakeKube::start(Script::new().pod(FakePod::new("scan-0")));
    let dir = tempfile::tempdir().unwrap();
    let (reports, events) = run(
        &fake,
        dir.path(),
        Targets::Named(vec!["scan-0".into()]),
        |_| {},
    )
    .await;
    assert_eq!(reports.len(), 1, "{reports:?}");
    let fetched = reports[0].outcome.as_ref().expect("fetched");
    assert_eq!(
        fetched.results,
        dir.path()
            .join("out/scans/scan-0/scan-results.json")
            .canonicalize()
            .unwrap()
    );
    assert!(!events.is_empty());
}
