//! `scangate_kube` driven directly against the fake API server, for assertions the CLI
//! cannot show: the concurrency bound, requests made, in-cluster auth, files on disk.

use std::sync::{Arc, Mutex};
use std::time::Duration;

use fake_kube::{Bytes, FakeKube, FakePod, Script};
use scangate_kube::{Cluster, Event, FetchOptions, InCluster, PodReport, Source, Targets};

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

/// Fetches pod `scan-0` with the default options.
async fn run_scan_0(fake: &FakeKube, dir: &std::path::Path) -> (Vec<PodReport>, Vec<Event>) {
    run(fake, dir, Targets::Named(vec!["scan-0".into()]), |_| {}).await
}

#[tokio::test]
async fn ready_pod_is_fetched() {
    let fake = FakeKube::start(Script::new().pod(FakePod::new("scan-0")));
    let dir = tempfile::tempdir().unwrap();
    let (reports, events) = run_scan_0(&fake, dir.path()).await;
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

fn names(prefix: &str, count: usize) -> Vec<String> {
    (0..count).map(|i| format!("{prefix}-{i}")).collect()
}

/// Fetches every pod of `pods` by selector with at most `concurrency` at once, and returns the
/// reports with the most exec sessions the server saw open together.
async fn bounded_fleet(
    pods: impl IntoIterator<Item = FakePod>,
    concurrency: usize,
    tweak: impl FnOnce(&mut FetchOptions),
) -> (Vec<PodReport>, FakeKube) {
    let script = pods.into_iter().fold(Script::new(), Script::pod);
    let fake = FakeKube::start(script);
    let dir = tempfile::tempdir().unwrap();
    let (reports, _) = run(
        &fake,
        dir.path(),
        Targets::Selector("app=web".into()),
        |o| {
            o.concurrency = concurrency;
            o.timeout = Duration::from_secs(60);
            tweak(o);
        },
    )
    .await;
    (reports, fake)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn fifty_pods_respect_the_concurrency_bound() {
    // Each exec is held open a little so that sessions overlap and the bound is what limits them.
    let pods = names("scan", 50)
        .into_iter()
        .map(|name| FakePod::new(&name).exec_delay(Duration::from_millis(40)));
    let (reports, fake) = bounded_fleet(pods, 5, |_| {}).await;
    assert_eq!(reports.len(), 50);
    assert!(reports.iter().all(|r| r.outcome.is_ok()), "{reports:?}");
    let max = fake.max_exec_in_flight();
    assert!(max <= 5, "at most 5 exec sessions at once, saw {max}");
    assert_eq!(max, 5, "the bound is reached, so pods do run at once");
    // The marker is there: one exec per pod checks it and copies.
    assert_eq!(
        fake.stats
            .exec_total
            .load(std::sync::atomic::Ordering::SeqCst),
        50
    );
}

/// The bound as the API server sees it: a session is open there from the upgrade until the
/// connection is closed, and a real server takes a while after the final Status to close it
/// (it tears down the kubelet's stream first). A slot given back on the Status alone let a
/// v1.36 server see 6 sessions with `--concurrency 5`; the fake's close delay makes that
/// overlap happen on every run instead of now and then.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_bound_holds_as_the_server_counts_sessions() {
    for attempt in 0..4 {
        let pods = names("scan", 40)
            .into_iter()
            .map(|name| FakePod::new(&name).close_delay(Duration::from_millis(30)));
        let (reports, fake) = bounded_fleet(pods, 5, |_| {}).await;
        assert!(reports.iter().all(|r| r.outcome.is_ok()), "{reports:?}");
        let max = fake.max_exec_in_flight();
        assert!(
            max <= 5,
            "run {attempt}: the server saw {max} exec sessions open at once"
        );
        assert_eq!(max, 5, "the bound is reached, so pods do run at once");
    }
}

/// The same when copies are cut (a pod that never stops sending): the session is ended and the
/// slot given back only once the server has closed it.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_bound_holds_when_copies_are_cut() {
    let pods = names("endless", 12).into_iter().map(|name| {
        FakePod::new(&name)
            .endless_file("/results/scan-results.json")
            .close_delay(Duration::from_millis(30))
    });
    let (reports, fake) = bounded_fleet(pods, 3, |o| o.max_bytes = 256 * 1024).await;
    assert!(
        reports.iter().all(|r| matches!(
            r.outcome.as_ref().map_err(|f| &f.error.kind),
            Err(scangate_kube::ErrorKind::TooLarge { .. })
        )),
        "{reports:?}"
    );
    let max = fake.max_exec_in_flight();
    assert!(max <= 3, "the server saw {max} exec sessions open at once");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn named_pods_need_no_list_and_try_the_watch_first() {
    let fake = FakeKube::start(
        Script::new()
            .pod(FakePod::new("scan-0").ready_after(Some(Duration::from_millis(300))))
            .pod(FakePod::new("scan-1")),
    );
    let dir = tempfile::tempdir().unwrap();
    let (reports, events) = run(&fake, dir.path(), Targets::Named(names("scan", 2)), |_| {}).await;
    assert!(reports.iter().all(|r| r.outcome.is_ok()), "{reports:?}");
    let requests = fake.requests();
    assert!(!requests.iter().any(|r| r == "list pods"), "{requests:?}");
    assert!(requests.iter().any(|r| r == "watch pods"), "{requests:?}");
    // The pod that became Ready later was seen through the watch, not by polling get.
    let gets = requests.iter().filter(|r| *r == "get pods").count();
    assert!(gets <= 3, "{requests:?}");
    let stages: Vec<_> = events
        .iter()
        .filter(|e| e.pod.name == "scan-0")
        .map(|e| e.stage.clone())
        .collect();
    assert!(
        stages.contains(&scangate_kube::Stage::WaitingMarker),
        "{stages:?}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_100_mb_file_streams_through() {
    let size = 100 * 1000 * 1000;
    let mut body = Vec::with_capacity(size);
    body.extend_from_slice(br#"{"padding":""#);
    body.resize(size - 2, b'x');
    body.extend_from_slice(br#""}"#);
    let body = Bytes::from(body);
    let fake = FakeKube::start(
        Script::new().pod(FakePod::new("big").file("/results/scan-results.json", body.clone())),
    );
    let dir = tempfile::tempdir().unwrap();
    let (reports, _) = run(&fake, dir.path(), Targets::Named(vec!["big".into()]), |o| {
        o.timeout = Duration::from_secs(300);
    })
    .await;
    let fetched = reports[0].outcome.as_ref().expect("fetched");
    assert_eq!(fetched.bytes, size as u64);
    let copied = std::fs::read(&fetched.results).unwrap();
    assert!(copied == body, "the copy differs from what the pod sent");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn v4_subprotocol_is_negotiated_when_v5_is_missing() {
    let fake = FakeKube::start(Script::new().pod(FakePod::new("scan-0")).v4_only());
    let dir = tempfile::tempdir().unwrap();
    let (reports, _) = run_scan_0(&fake, dir.path()).await;
    assert!(reports[0].outcome.is_ok(), "{reports:?}");
    let protocols = fake.stats.protocols.lock().unwrap().clone();
    assert_eq!(protocols, ["v4.channel.k8s.io"]);
    assert_eq!(
        fake.stats.commands.lock().unwrap().clone(),
        [after_marker()]
    );
}

/// The one exec that checks the marker and, when it is there, copies the results.
fn after_marker() -> Vec<&'static str> {
    vec![
        "sh",
        "-c",
        r#"test -e "$1" || exit 3; exec cat "$2""#,
        "sh",
        "/results/scan-complete",
        "/results/scan-results.json",
    ]
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn marker_later_is_retried_with_one_exec_per_attempt() {
    let fake = FakeKube::start(
        Script::new().pod(FakePod::new("scan-0").marker_after(Some(Duration::from_millis(300)))),
    );
    let dir = tempfile::tempdir().unwrap();
    let (reports, events) = run_scan_0(&fake, dir.path()).await;
    assert!(reports[0].outcome.is_ok(), "{reports:?}");
    let commands = fake.stats.commands.lock().unwrap().clone();
    assert!(commands.len() >= 2, "{commands:?}");
    assert!(
        commands.iter().all(|c| *c == after_marker()),
        "{commands:?}"
    );
    // The attempts that found no marker are not announced as copies.
    let copying = events
        .iter()
        .filter(|e| matches!(e.stage, scangate_kube::Stage::Copying { .. }))
        .count();
    assert_eq!(copying, 1, "{events:?}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn containers_without_a_shell_get_a_marker_check_and_a_copy() {
    let pods = names("scan", 3).into_iter().map(|name| {
        FakePod::new(&name)
            .without_shell()
            .file("/results/scan-summary.md", "# summary\n")
    });
    let (reports, fake) = bounded_fleet(pods, 1, |o| {
        o.also = vec!["/results/scan-summary.md".into()];
    })
    .await;
    assert!(reports.iter().all(|r| r.outcome.is_ok()), "{reports:?}");
    for report in &reports {
        let fetched = report.outcome.as_ref().expect("fetched");
        let names: Vec<_> = fetched
            .files
            .iter()
            .map(|(p, _)| p.file_name().unwrap())
            .collect();
        assert_eq!(names, ["scan-summary.md", "scan-results.json"]);
    }
    // The first pod tries the shell once; after that, the run knows.
    let commands = fake.stats.commands.lock().unwrap().clone();
    let shell = commands.iter().filter(|c| c[0] == "sh").count();
    assert_eq!(shell, 1, "{commands:?}");
    let tests = commands.iter().filter(|c| c[0] == "test").count();
    assert_eq!(tests, 3, "{commands:?}");
    let copies = commands.iter().filter(|c| c[0] == "cat").count();
    assert_eq!(copies, 6, "{commands:?}");
}

/// A service account's files in a temp dir: what Kubernetes mounts into a pod.
fn service_account(fake: &FakeKube, token: &str) -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("token"), token).unwrap();
    std::fs::write(
        dir.path().join("ca.crt"),
        fake.ca_pem.as_deref().expect("tls fake"),
    )
    .unwrap();
    std::fs::write(dir.path().join("namespace"), "scans").unwrap();
    dir
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn in_cluster_service_account_over_tls() {
    let fake = FakeKube::start(Script::new().pod(FakePod::new("scan-0")).tls());
    let account = service_account(&fake, fake.token.as_deref().unwrap());
    let source = Source::InCluster(InCluster {
        host: "127.0.0.1".into(),
        port: fake.addr.port(),
        account_dir: account.path().to_owned(),
    });
    let cluster = Cluster::connect(&source).await.expect("connect");
    assert_eq!(
        cluster.default_namespace(),
        "scans",
        "the namespace file is used"
    );
    let out = tempfile::tempdir().unwrap();
    let mut options = FetchOptions::new(cluster.default_namespace(), out.path());
    options.targets = Targets::Named(vec!["scan-0".into()]);
    options.validator = json_validator();
    let reports = scangate_kube::fetch(&cluster, &options, &|_| {})
        .await
        .expect("fetch");
    assert!(reports[0].outcome.is_ok(), "{reports:?}");
    assert!(out.path().join("scans/scan-0/scan-results.json").is_file());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn in_cluster_with_a_wrong_token_or_missing_files() {
    let fake = FakeKube::start(Script::new().pod(FakePod::new("scan-0")).tls());
    let account = service_account(&fake, "not-the-token");
    let source = |dir: &std::path::Path| {
        Source::InCluster(InCluster {
            host: "127.0.0.1".into(),
            port: fake.addr.port(),
            account_dir: dir.to_owned(),
        })
    };
    let cluster = Cluster::connect(&source(account.path()))
        .await
        .expect("connect");
    let out = tempfile::tempdir().unwrap();
    let mut options = FetchOptions::new("scans", out.path());
    options.targets = Targets::Named(vec!["scan-0".into()]);
    let reports = scangate_kube::fetch(&cluster, &options, &|_| {})
        .await
        .expect("fetch");
    let failure = reports[0].outcome.as_ref().expect_err("unauthorized");
    assert!(
        matches!(failure.error.kind, scangate_kube::ErrorKind::Unauthorized),
        "{failure:?}"
    );
    assert!(!failure.error.to_string().contains("not-the-token"));

    let empty = tempfile::tempdir().unwrap();
    let err = Cluster::connect(&source(empty.path()))
        .await
        .expect_err("no token file");
    assert!(
        err.to_string().contains("service account incomplete"),
        "{err}"
    );
}

/// The tracker's failure reaches the pod whole: the same kind, the message said once.
#[tokio::test]
async fn an_api_error_while_tracking_the_pod_is_reported_as_it_was() {
    let fake = FakeKube::start(Script::new().pod(FakePod::new("scan-0")).fail(
        "get",
        "pods",
        "etcdserver: request timed out",
    ));
    let dir = tempfile::tempdir().unwrap();
    let (reports, _) = run_scan_0(&fake, dir.path()).await;
    let failure = reports[0].outcome.as_ref().expect_err("api error");
    assert!(
        matches!(failure.error.kind, scangate_kube::ErrorKind::Api(_)),
        "{failure:?}"
    );
    assert_eq!(
        failure.error.to_string(),
        "pod scans/scan-0: api error: etcdserver: request timed out"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn nothing_is_left_behind_when_validation_fails() {
    let fake = FakeKube::start(
        Script::new().pod(
            FakePod::new("scan-0")
                .file("/results/scan-summary.md", "# summary\n")
                .file("/results/scan-results.json", "{\"truncated\": "),
        ),
    );
    let dir = tempfile::tempdir().unwrap();
    let (reports, _) = run(
        &fake,
        dir.path(),
        Targets::Named(vec!["scan-0".into()]),
        |o| {
            o.also = vec!["/results/scan-summary.md".into()];
        },
    )
    .await;
    assert!(matches!(
        reports[0].outcome.as_ref().expect_err("invalid").error.kind,
        scangate_kube::ErrorKind::Invalid(_)
    ));
    let left = left_in(&dir.path().join("out/scans/scan-0"));
    assert!(
        left.is_empty(),
        "the summary must not be kept without valid results, nor temp files: {left:?}"
    );
}

/// Files past the in-memory limit (8 MiB) are streamed to a temporary file as they arrive;
/// that file must go too when the copy is cut or the results are rejected.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn spilled_copies_leave_nothing_behind_when_cut_or_invalid() {
    let not_json = Bytes::from(vec![b'<'; 20 << 20]);
    let fake = FakeKube::start(
        Script::new()
            .pod(FakePod::new("endless").endless_file("/results/scan-results.json"))
            .pod(FakePod::new("garbage").file("/results/scan-results.json", not_json)),
    );
    let dir = tempfile::tempdir().unwrap();
    let (reports, _) = run(
        &fake,
        dir.path(),
        Targets::Named(vec!["endless".into(), "garbage".into()]),
        |o| {
            o.max_bytes = 32 << 20;
            o.timeout = Duration::from_secs(60);
        },
    )
    .await;
    let kinds: Vec<_> = reports
        .iter()
        .map(|r| {
            (
                r.pod.name.as_str(),
                &r.outcome.as_ref().expect_err("rejected").error.kind,
            )
        })
        .collect();
    assert!(
        matches!(kinds[..], [
            ("endless", scangate_kube::ErrorKind::TooLarge { limit }),
            ("garbage", scangate_kube::ErrorKind::Invalid(_)),
        ] if *limit == 32 << 20),
        "{kinds:?}"
    );
    for pod in ["endless", "garbage"] {
        let left = left_in(&dir.path().join("out/scans").join(pod));
        assert!(left.is_empty(), "{pod}: {left:?}");
    }
}

/// What a failed pod left in its directory (which is removed when it ends up empty).
fn left_in(pod_dir: &std::path::Path) -> Vec<std::ffi::OsString> {
    match std::fs::read_dir(pod_dir) {
        Ok(entries) => entries.flatten().map(|e| e.file_name()).collect(),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Vec::new(),
        Err(e) => panic!("{}: {e}", pod_dir.display()),
    }
}

/// Copy buffers are reused from pod to pod; each file must still be exactly what its pod sent,
/// never a remnant of a larger earlier one.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_pod_gets_its_own_bytes_when_buffers_are_reused() {
    let padded = |fill: u8, size: usize| {
        let mut body = br#"{"padding":""#.to_vec();
        body.resize(size - 2, fill);
        body.extend_from_slice(br#""}"#);
        Bytes::from(body)
    };
    let bodies = [
        ("big", padded(b'a', 3 << 20)),
        ("small", padded(b'b', 100)),
        ("middle", padded(b'c', 1 << 20)),
        ("tiny", padded(b'd', 20)),
    ];
    let mut script = Script::new();
    for (name, body) in &bodies {
        script = script.pod(FakePod::new(name).file("/results/scan-results.json", body.clone()));
    }
    let fake = FakeKube::start(script);
    let dir = tempfile::tempdir().unwrap();
    let names: Vec<String> = bodies.iter().map(|(n, _)| (*n).to_owned()).collect();
    let (reports, _) = run(&fake, dir.path(), Targets::Named(names), |o| {
        o.concurrency = 1;
    })
    .await;
    for (name, body) in &bodies {
        let report = reports.iter().find(|r| r.pod.name == *name).unwrap();
        let fetched = report.outcome.as_ref().expect("fetched");
        let copied = std::fs::read(&fetched.results).unwrap();
        assert_eq!(copied.len(), body.len(), "{name}");
        assert!(
            copied == *body,
            "{name}: the copy differs from what the pod sent"
        );
    }
}

/// Giving up on a fetch (Ctrl-C in the CLI drops it) stops every pod's copy, which runs on a
/// task of its own, and deletes its temporary file.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_dropped_fetch_stops_its_copies_and_leaves_nothing_behind() {
    let fake = FakeKube::start(
        Script::new()
            .pod(FakePod::new("endless-0").endless_file("/results/scan-results.json"))
            .pod(FakePod::new("endless-1").endless_file("/results/scan-results.json")),
    );
    let dir = tempfile::tempdir().unwrap();
    let kubeconfig = fake.write_kubeconfig(dir.path());
    let cluster = Cluster::connect(&Source::Infer {
        kubeconfig: Some(kubeconfig),
        context: None,
    })
    .await
    .expect("connect");
    let mut options = FetchOptions::new("scans", dir.path().join("out"));
    options.targets = Targets::Named(vec!["endless-0".into(), "endless-1".into()]);
    options.validator = json_validator();
    options.max_bytes = u64::MAX / 2;
    options.timeout = Duration::from_secs(60);
    // Past 8 MiB a copy streams to a temporary file: wait until both have one, then give up.
    let spilled = Arc::new(Mutex::new(std::collections::HashSet::new()));
    let seen = Arc::clone(&spilled);
    let on_event = move |event: Event| {
        if let scangate_kube::Stage::Copying { bytes, .. } = event.stage
            && bytes > 16 << 20
        {
            seen.lock().unwrap().insert(event.pod.name);
        }
    };
    // Boxed, so that dropping it below drops the fetch itself and not a pinned reference.
    let mut fetch = Box::pin(scangate_kube::fetch(&cluster, &options, &on_event));
    let deadline = tokio::time::Instant::now() + Duration::from_secs(30);
    loop {
        tokio::select! {
            done = &mut fetch => panic!("an endless copy ended: {done:?}"),
            () = tokio::time::sleep(Duration::from_millis(20)) => {}
        }
        if spilled.lock().unwrap().len() == 2 {
            break;
        }
        assert!(tokio::time::Instant::now() < deadline, "no spilled copies");
    }
    let temp_files = || -> Vec<std::ffi::OsString> {
        ["endless-0", "endless-1"]
            .iter()
            .flat_map(|pod| left_in(&dir.path().join("out/scans").join(pod)))
            .collect()
    };
    assert_eq!(temp_files().len(), 2, "{:?}", temp_files());
    drop(fetch);
    // The tasks are aborted with the fetch and dropped by the runtime right after.
    let deadline = tokio::time::Instant::now() + Duration::from_secs(5);
    while !temp_files().is_empty() {
        assert!(
            tokio::time::Instant::now() < deadline,
            "left behind: {:?}",
            temp_files()
        );
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
    // And the pods' streams are closed: the fake sees no session still open.
    let deadline = tokio::time::Instant::now() + Duration::from_secs(5);
    while fake.open_exec_sessions() > 0 {
        assert!(
            tokio::time::Instant::now() < deadline,
            "exec sessions still open"
        );
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
}
