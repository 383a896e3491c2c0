//! `scangate fetch` as users run it: the real binary against the fake API server, for exit
//! codes and what people read (insta snapshots, timings and temp paths filtered out).

use std::path::{Path, PathBuf};
use std::time::Duration;

use assert_cmd::Command;
use fake_kube::{ContainerSim, Denial, ExecFault, FakeKube, FakePod, Script};

struct Run {
    code: i32,
    stdout: String,
    stderr: String,
    dir: tempfile::TempDir,
}

impl Run {
    fn out(&self) -> PathBuf {
        self.dir.path().join("out")
    }

    /// Everything under `out/`, relative, sorted: proves what was (not) left behind.
    fn files(&self) -> Vec<String> {
        files_under(&self.out())
    }

    fn transcript(&self) -> String {
        format!(
            "exit: {}\n--- stdout\n{}--- stderr\n{}",
            self.code, self.stdout, self.stderr
        )
    }

    /// The transcript without the progress lines, whose order varies when pods run at once.
    fn report(&self) -> String {
        let stderr: String = self
            .stderr
            .lines()
            .filter(|l| !is_progress(l))
            .map(|l| format!("{l}\n"))
            .collect();
        format!(
            "exit: {}\n--- stdout\n{}--- stderr (progress left out)\n{stderr}",
            self.code, self.stdout
        )
    }
}

/// Progress lines: `ns/pod: waiting for ...`, `ns/pod: copying x`, `ns/pod: failed (label)`.
fn is_progress(line: &str) -> bool {
    let Some((pod, rest)) = line.split_once(": ") else {
        return false;
    };
    !pod.starts_with(' ')
        && pod.contains('/')
        && !rest.contains(": ")
        && [
            "waiting for",
            "copying ",
            "checking the results",
            "fetched ",
            "failed (",
        ]
        .iter()
        .any(|p| rest.starts_with(p))
}

/// Every file under `root` (not the directories), relative to it, sorted.
fn files_under(root: &Path) -> Vec<String> {
    let mut found = Vec::new();
    walk(root, root, &mut found);
    found.sort();
    found
}

fn walk(root: &Path, dir: &Path, found: &mut Vec<String>) {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return;
    };
    for entry in entries.flatten() {
        let path = entry.path();
        let meta = std::fs::symlink_metadata(&path).expect("stat");
        if meta.is_dir() {
            walk(root, &path, found);
        } else {
            found.push(
                path.strip_prefix(root)
                    .expect("under root")
                    .display()
                    .to_string(),
            );
        }
    }
}

fn scangate() -> Command {
    Command::from_std(scangate_process())
}

/// The binary with none of the caller's Kubernetes settings (or `NO_COLOR`) leaking in; as a
/// plain process for the tests that must interrupt it.
fn scangate_process() -> std::process::Command {
    let mut cmd = std::process::Command::new(env!("CARGO_BIN_EXE_scangate"));
    for var in [
        "KUBECONFIG",
        "KUBERNETES_SERVICE_HOST",
        "KUBERNETES_SERVICE_PORT",
        "NO_COLOR",
    ] {
        cmd.env_remove(var);
    }
    cmd
}

/// Runs `scangate fetch ARGS -o out` with a kubeconfig for `fake` (as `--kubeconfig`).
fn fetch(fake: &FakeKube, args: &[&str]) -> Run {
    let dir = tempfile::tempdir().expect("temp dir");
    let kubeconfig = fake.write_kubeconfig(dir.path());
    fetch_with(dir, args, Some(&kubeconfig))
}

fn fetch_with(dir: tempfile::TempDir, args: &[&str], kubeconfig: Option<&Path>) -> Run {
    let mut cmd = scangate();
    cmd.current_dir(dir.path())
        .env("HOME", dir.path())
        .arg("fetch")
        .args(args)
        .args(["-o", "out"]);
    if let Some(kubeconfig) = kubeconfig {
        cmd.env("KUBECONFIG", kubeconfig);
    }
    let output = cmd
        .timeout(Duration::from_secs(120))
        .output()
        .expect("run scangate");
    let run = Run {
        code: output.status.code().unwrap_or(-1),
        stdout: String::from_utf8_lossy(&output.stdout).into_owned(),
        stderr: String::from_utf8_lossy(&output.stderr).into_owned(),
        dir,
    };
    // Whatever happened, the kubeconfig's token is never printed.
    let token = "fake-token-s3cr3t";
    assert!(
        !run.stdout.contains(token) && !run.stderr.contains(token),
        "token leaked:\n{}",
        run.transcript()
    );
    run
}

macro_rules! snapshot {
    ($name:expr, $run:expr) => {
        insta::with_settings!({
            filters => vec![
                (r"\b\d+\.\ds\b", "[TIME]"),
                (r"127\.0\.0\.1:\d+", "127.0.0.1:[PORT]"),
                (r"/tmp/\.tmp[A-Za-z0-9]+", "[TMP]"),
            ],
            prepend_module_to_snapshot => false,
        }, {
            insta::assert_snapshot!($name, $run);
        });
    };
}

#[test]
fn ready_pod_is_fetched_into_namespace_and_pod_dirs() {
    let fake = FakeKube::start(Script::new().pod(FakePod::new("scan-0")));
    let run = fetch(&fake, &["scan-0", "--timeout", "10s"]);
    assert_eq!(run.code, 0, "{}", run.transcript());
    assert_eq!(run.files(), ["scans/scan-0/scan-results.json"]);
    let copied =
        std::fs::read_to_string(run.out().join("scans/scan-0/scan-results.json")).expect("results");
    assert_eq!(copied, fake_kube::sample_results("scan-0"));
    snapshot!("fetch_ready_now", run.transcript());
}

#[test]
fn pod_ready_later_and_marker_later_are_waited_for() {
    let fake = FakeKube::start(
        Script::new()
            .pod(FakePod::new("scan-0").ready_after(Some(Duration::from_millis(700))))
            .pod(FakePod::new("scan-1").marker_after(Some(Duration::from_millis(900)))),
    );
    let run = fetch(&fake, &["scan-0", "scan-1", "--timeout", "20s"]);
    assert_eq!(run.code, 0, "{}", run.transcript());
    assert_eq!(
        run.files(),
        [
            "scans/scan-0/scan-results.json",
            "scans/scan-1/scan-results.json"
        ]
    );
    assert!(
        run.stderr
            .contains("scans/scan-0: waiting for Ready (phase Running)"),
        "{}",
        run.stderr
    );
    assert!(
        run.stderr.contains("scans/scan-1: waiting for the marker"),
        "{}",
        run.stderr
    );
}

#[test]
fn pod_never_ready_reports_phase_container_state_and_logs() {
    let fake = FakeKube::start(Script::new().pod(FakePod::new("scan-0").ready_after(None)));
    let run = fetch(&fake, &["scan-0", "--timeout", "2s"]);
    assert_eq!(run.code, 3, "{}", run.transcript());
    assert!(run.files().is_empty());
    snapshot!("fetch_never_ready", run.transcript());
}

#[test]
fn marker_never_appears() {
    let fake = FakeKube::start(Script::new().pod(FakePod::new("scan-0").marker_after(None)));
    let run = fetch(&fake, &["scan-0", "--timeout", "2s"]);
    assert_eq!(run.code, 3, "{}", run.transcript());
    assert!(run.files().is_empty());
    snapshot!("fetch_marker_never", run.transcript());
}

#[test]
fn exec_failure_is_reported_with_the_pod_state() {
    let fake = FakeKube::start(Script::new().pod(FakePod::new("scan-0").exec_fault(ExecFault::InternalError(
        "Internal error occurred: error executing command in container: container runtime is down".into(),
    ))));
    let run = fetch(&fake, &["scan-0", "--timeout", "2s"]);
    assert_eq!(run.code, 3, "{}", run.transcript());
    snapshot!("fetch_exec_failure", run.transcript());
}

#[test]
fn container_not_running_is_reported() {
    let fake = FakeKube::start(Script::new().pod(FakePod::new("scan-0").scanner(
        ContainerSim::Waiting {
            reason: "CrashLoopBackOff".into(),
            message: "back-off 40s restarting failed container=scanner".into(),
        },
    )));
    let run = fetch(&fake, &["scan-0", "--timeout", "2s"]);
    assert_eq!(run.code, 3, "{}", run.transcript());
    snapshot!("fetch_container_not_running", run.transcript());
}

#[test]
fn unknown_container() {
    let fake = FakeKube::start(Script::new().pod(FakePod::new("scan-0")));
    let run = fetch(&fake, &["scan-0", "-c", "inspec", "--timeout", "2s"]);
    assert_eq!(run.code, 3, "{}", run.transcript());
    snapshot!("fetch_unknown_container", run.transcript());
}

#[test]
fn missing_pod_is_404() {
    let fake = FakeKube::start(Script::new().pod(FakePod::new("scan-0")));
    let run = fetch(&fake, &["scan-0", "gone", "--timeout", "5s"]);
    assert_eq!(run.code, 3, "{}", run.transcript());
    assert_eq!(
        run.files(),
        ["scans/scan-0/scan-results.json"],
        "one pod's failure never stops the others"
    );
    snapshot!("fetch_not_found", run.report());
}

#[test]
fn forbidden_exec_names_verb_and_resource() {
    let fake = FakeKube::start(
        Script::new()
            .pod(FakePod::new("scan-0"))
            .forbid("create", "pods/exec"),
    );
    let run = fetch(&fake, &["scan-0", "--timeout", "2s"]);
    assert_eq!(run.code, 3, "{}", run.transcript());
    assert!(
        run.stdout.contains(
            r#"forbidden: cannot create pods/exec in namespace "scans" (the Role needs verbs [get, create] on pods/exec)"#
        ),
        "{}",
        run.transcript()
    );
    snapshot!("fetch_forbidden_exec", run.transcript());
}

/// A Role with `create` but not `get` on pods/exec, measured against a real v1.36 API server:
/// the message names what the server denied, not what the Role already has.
#[test]
fn forbidden_exec_names_the_verb_the_server_denied() {
    let fake = FakeKube::start(
        Script::new()
            .pod(FakePod::new("scan-0"))
            .forbid("get", "pods/exec"),
    );
    let run = fetch(&fake, &["scan-0", "--timeout", "2s"]);
    assert_eq!(run.code, 3, "{}", run.transcript());
    assert!(
        run.stdout.contains(
            r#"forbidden: cannot get pods/exec in namespace "scans" (the Role needs verbs [get, create] on pods/exec)"#
        ),
        "{}",
        run.transcript()
    );
    snapshot!("fetch_forbidden_exec_get", run.transcript());
}

/// Real API servers can answer `pods "scan-3" is forbidden: ` and nothing more, or nothing at
/// all: then the message says what an exec needs, both verbs.
#[test]
fn forbidden_exec_without_a_reason_names_both_verbs() {
    for denial in [Denial::NoReason, Denial::Empty] {
        let fake = FakeKube::start(
            Script::new()
                .pod(FakePod::new("scan-0"))
                .forbid("get", "pods/exec")
                .denial(denial),
        );
        let run = fetch(&fake, &["scan-0", "--timeout", "2s"]);
        assert_eq!(run.code, 3, "{denial:?}: {}", run.transcript());
        assert!(
            run.stdout.contains(
                r#"forbidden: the API server did not say what it denied in namespace "scans" (the Role needs verbs [get, create] on pods/exec)"#
            ),
            "{denial:?}: {}",
            run.transcript()
        );
        if denial == Denial::NoReason {
            snapshot!("fetch_forbidden_exec_no_reason", run.transcript());
        }
    }
}

#[test]
fn forbidden_list_for_a_selector() {
    let fake = FakeKube::start(
        Script::new()
            .pod(FakePod::new("scan-0"))
            .forbid("list", "pods"),
    );
    let run = fetch(&fake, &["-l", "app=web"]);
    assert_eq!(run.code, 3, "{}", run.transcript());
    snapshot!("fetch_forbidden_list", run.transcript());
}

#[test]
fn forbidden_get_for_a_named_pod() {
    let fake = FakeKube::start(
        Script::new()
            .pod(FakePod::new("scan-0"))
            .forbid("get", "pods"),
    );
    let run = fetch(&fake, &["scan-0", "--timeout", "2s"]);
    assert_eq!(run.code, 3, "{}", run.transcript());
    assert!(
        run.stdout.contains(
            r#"cannot get pods in namespace "scans" (the Role needs verbs [get] on pods)"#
        )
    );
}

#[test]
fn forbidden_get_without_a_reason_names_what_the_request_needs() {
    let fake = FakeKube::start(
        Script::new()
            .pod(FakePod::new("scan-0"))
            .forbid("get", "pods")
            .denial(Denial::NoReason),
    );
    let run = fetch(&fake, &["scan-0", "--timeout", "2s"]);
    assert_eq!(run.code, 3, "{}", run.transcript());
    assert!(
        run.stdout.contains(
            r#"forbidden: the API server did not say what it denied in namespace "scans" (the Role needs verbs [get] on pods)"#
        ),
        "{}",
        run.transcript()
    );
    snapshot!("fetch_forbidden_get_no_reason", run.transcript());
}

#[test]
fn get_and_exec_alone_are_enough_for_named_pods() {
    // No list, no watch, no logs: the watch falls back to polling `get`.
    let fake = FakeKube::start(
        Script::new()
            .pod(FakePod::new("scan-0").ready_after(Some(Duration::from_millis(600))))
            .forbid("list", "pods")
            .forbid("watch", "pods")
            .forbid("get", "pods/log"),
    );
    let run = fetch(&fake, &["scan-0", "--timeout", "20s"]);
    assert_eq!(run.code, 0, "{}", run.transcript());
    let requests = fake.requests();
    assert!(!requests.iter().any(|r| r == "list pods"), "{requests:?}");
}

#[test]
fn logs_forbidden_is_one_phrase() {
    let fake = FakeKube::start(
        Script::new()
            .pod(FakePod::new("scan-0").ready_after(None))
            .forbid("get", "pods/log"),
    );
    let run = fetch(&fake, &["scan-0", "--timeout", "1s"]);
    assert_eq!(run.code, 3, "{}", run.transcript());
    assert!(
        run.stderr
            .contains("logs not shown: the Role does not grant get on pods/log"),
        "{}",
        run.stderr
    );
}

#[test]
fn wrong_token_is_unauthorized_and_never_printed() {
    let fake = FakeKube::start(Script::new().pod(FakePod::new("scan-0")));
    let dir = tempfile::tempdir().expect("temp dir");
    let kubeconfig =
        fake.write_kubeconfig_with(dir.path(), Some("fake-token-s3cr3t-but-wrong"), "scans");
    let run = fetch_with(dir, &["scan-0", "--timeout", "2s"], Some(&kubeconfig));
    assert_eq!(run.code, 3, "{}", run.transcript());
    snapshot!("fetch_unauthorized", run.transcript());
}

#[test]
fn broken_kubeconfig_is_not_quoted() {
    let dir = tempfile::tempdir().expect("temp dir");
    let kubeconfig = dir.path().join("kubeconfig");
    std::fs::write(
        &kubeconfig,
        "users:\n- name: x\n  user:\n    token: fake-token-s3cr3t-9\n  : [unbalanced\n",
    )
    .expect("write");
    let run = fetch_with(dir, &["scan-0", "--kubeconfig", "kubeconfig"], None);
    assert_eq!(run.code, 3, "{}", run.transcript());
    snapshot!("fetch_broken_kubeconfig", run.transcript());
}

#[test]
fn no_kubeconfig_and_not_in_a_cluster() {
    let run = fetch_with(tempfile::tempdir().expect("temp dir"), &["scan-0"], None);
    assert_eq!(run.code, 3, "{}", run.transcript());
    snapshot!("fetch_no_config", run.transcript());
}

#[test]
fn context_chooses_the_namespace() {
    let fake = FakeKube::start(Script::new().pod(FakePod::new("scan-0").namespace("elsewhere")));
    let run = fetch(&fake, &["scan-0", "--context", "other", "--timeout", "5s"]);
    assert_eq!(run.code, 0, "{}", run.transcript());
    assert_eq!(run.files(), ["elsewhere/scan-0/scan-results.json"]);
}

#[test]
fn v4_only_server() {
    let fake = FakeKube::start(Script::new().pod(FakePod::new("scan-0")).v4_only());
    let run = fetch(&fake, &["scan-0", "--timeout", "5s"]);
    assert_eq!(run.code, 0, "{}", run.transcript());
    let protocols = fake.stats.protocols.lock().expect("stats").clone();
    assert!(
        !protocols.is_empty() && protocols.iter().all(|p| p == "v4.channel.k8s.io"),
        "{protocols:?}"
    );
}

#[test]
fn also_copies_extra_files() {
    let fake = FakeKube::start(
        Script::new().pod(FakePod::new("scan-0").file("/results/scan-summary.md", "# ok\n")),
    );
    let run = fetch(
        &fake,
        &[
            "scan-0",
            "--also",
            "/results/scan-summary.md",
            "--timeout",
            "5s",
        ],
    );
    assert_eq!(run.code, 0, "{}", run.transcript());
    assert_eq!(
        run.files(),
        [
            "scans/scan-0/scan-results.json",
            "scans/scan-0/scan-summary.md"
        ]
    );
}

#[test]
fn selector_fetches_every_matching_pod() {
    let fake = FakeKube::start(
        Script::new()
            .pod(FakePod::new("web-0"))
            .pod(FakePod::new("web-1").ready_after(Some(Duration::from_millis(500))))
            .pod(FakePod::new("db-0").label("app", "db")),
    );
    let run = fetch(&fake, &["-l", "app=web", "--timeout", "20s"]);
    assert_eq!(run.code, 0, "{}", run.transcript());
    assert_eq!(
        run.files(),
        [
            "scans/web-0/scan-results.json",
            "scans/web-1/scan-results.json"
        ]
    );
}

#[test]
fn selector_without_watch_polls_list() {
    let fake = FakeKube::start(
        Script::new()
            .pod(FakePod::new("web-0").ready_after(Some(Duration::from_millis(500))))
            .forbid("watch", "pods"),
    );
    let run = fetch(&fake, &["-l", "app=web", "--timeout", "20s"]);
    assert_eq!(run.code, 0, "{}", run.transcript());
    let requests = fake.requests();
    assert!(
        requests.iter().filter(|r| *r == "list pods").count() >= 2,
        "{requests:?}"
    );
}

#[test]
fn selector_matching_nothing() {
    let fake = FakeKube::start(Script::new().pod(FakePod::new("web-0")));
    let run = fetch(&fake, &["-l", "app=nothing"]);
    assert_eq!(run.code, 3, "{}", run.transcript());
    snapshot!("fetch_no_match", run.transcript());
}

#[test]
fn deleted_and_failed_pods_end_early() {
    let mut deleted = FakePod::new("scan-0").ready_after(None);
    deleted.delete_after = Some(Duration::from_millis(400));
    let mut failed = FakePod::new("scan-1").ready_after(None);
    failed.fail_after = Some(Duration::from_millis(400));
    let fake = FakeKube::start(Script::new().pod(deleted).pod(failed));
    let run = fetch(&fake, &["scan-0", "scan-1", "--timeout", "30s"]);
    assert_eq!(run.code, 3, "{}", run.transcript());
    assert!(run.stdout.contains("pod was deleted"), "{}", run.stdout);
    assert!(
        run.stdout
            .contains("pod is Failed and will not become ready"),
        "{}",
        run.stdout
    );
}

/// Ctrl-C in the middle of a copy: exit 3, the reason on stderr, no file of any kind left in
/// the output directory, and the pod's stream closed.
#[test]
fn an_interrupted_fetch_exits_3_and_leaves_no_file_behind() {
    let fake = FakeKube::start(
        Script::new().pod(FakePod::new("endless").endless_file("/results/scan-results.json")),
    );
    let dir = tempfile::tempdir().expect("temp dir");
    let kubeconfig = fake.write_kubeconfig(dir.path());
    let stderr_path = dir.path().join("stderr");
    // Spawned, not run to the end: the test interrupts it.
    let mut child = scangate_process()
        .current_dir(dir.path())
        .env("HOME", dir.path())
        .env("KUBECONFIG", &kubeconfig)
        .args([
            "fetch",
            "endless",
            "--max-bytes",
            "4G",
            "--timeout",
            "60s",
            "-o",
            "out",
        ])
        .stdout(std::process::Stdio::null())
        .stderr(std::fs::File::create(&stderr_path).expect("stderr file"))
        .spawn()
        .expect("start scangate");
    let pod_dir = dir.path().join("out/scans/endless");
    let listing = || files_under(&dir.path().join("out"));
    // Past 8 MiB the copy streams to a temporary file in the pod's directory.
    let deadline = std::time::Instant::now() + Duration::from_secs(30);
    while std::fs::read_dir(&pod_dir).map_or(true, |mut d| d.next().is_none()) {
        assert!(std::time::Instant::now() < deadline, "no copy in progress");
        assert!(
            child.try_wait().expect("poll").is_none(),
            "scangate ended early"
        );
        std::thread::sleep(Duration::from_millis(10));
    }
    assert!(
        listing().iter().all(|f| f.ends_with(".part")),
        "only a temporary file while copying: {:?}",
        listing()
    );
    let signal = std::process::Command::new("sh")
        .args(["-c", &format!("kill -INT {}", child.id())])
        .status()
        .expect("kill");
    assert!(signal.success());
    let deadline = std::time::Instant::now() + Duration::from_secs(10);
    let status = loop {
        if let Some(status) = child.try_wait().expect("poll") {
            break status;
        }
        if std::time::Instant::now() > deadline {
            let _ = child.kill();
            panic!("scangate did not stop on SIGINT");
        }
        std::thread::sleep(Duration::from_millis(10));
    };
    let stderr = std::fs::read_to_string(&stderr_path).expect("stderr");
    assert_eq!(status.code(), Some(3), "{stderr}");
    assert!(
        stderr.contains("interrupted; nothing partial was kept"),
        "{stderr}"
    );
    assert_eq!(listing(), Vec::<String>::new(), "left behind");
    let deadline = std::time::Instant::now() + Duration::from_secs(5);
    while fake.open_exec_sessions() > 0 {
        assert!(
            std::time::Instant::now() < deadline,
            "the pod's stream is still open"
        );
        std::thread::sleep(Duration::from_millis(10));
    }
}

// ---------------------------------------------------------------- hostile pods

#[test]
fn hostile_oversized_file_is_cut_and_nothing_is_left() {
    let fake = FakeKube::start(
        Script::new()
            .pod(FakePod::new("big").file("/results/scan-results.json", vec![b' '; 8192]))
            .pod(FakePod::new("endless").endless_file("/results/scan-results.json")),
    );
    let run = fetch(
        &fake,
        &["big", "endless", "--max-bytes", "4KiB", "--timeout", "10s"],
    );
    assert_eq!(run.code, 3, "{}", run.transcript());
    assert!(run.files().is_empty(), "{:?}", run.files());
    snapshot!("fetch_hostile_too_large", run.report());
}

#[test]
fn hostile_non_json_and_truncated_streams_are_rejected() {
    let mut no_status = FakePod::new("no-status");
    no_status.exec_fault = Some(ExecFault::NoStatus);
    no_status.fault_on_cat_only = true;
    // Two frames' worth, so that the connection breaks off after the first.
    let results = format!("{{\"pad\": \"{}\"}}", "x".repeat(100 * 1024));
    let mut reset = FakePod::new("reset").file("/results/scan-results.json", results);
    reset.exec_fault = Some(ExecFault::Reset);
    reset.fault_on_cat_only = true;
    let fake = FakeKube::start(
        Script::new()
            .pod(FakePod::new("html").file("/results/scan-results.json", "<html>pwned</html>"))
            .pod(no_status)
            .pod(reset)
            .pod(FakePod::new("fine")),
    );
    let run = fetch(
        &fake,
        &["html", "no-status", "reset", "fine", "--timeout", "10s"],
    );
    assert_eq!(run.code, 3, "{}", run.transcript());
    assert_eq!(run.files(), ["scans/fine/scan-results.json"]);
    snapshot!("fetch_hostile_content", run.report());
}

#[test]
fn hostile_pod_names_from_a_selector_never_become_paths() {
    let fake = FakeKube::start(
        Script::new()
            .pod(FakePod::new("../../escape"))
            .pod(FakePod::new("/abs"))
            .pod(FakePod::new("evil\u{1b}[31m"))
            .pod(FakePod::new("fine")),
    );
    let run = fetch(&fake, &["-l", "app=web", "--timeout", "10s"]);
    assert_eq!(run.code, 3, "{}", run.transcript());
    assert_eq!(run.files(), ["scans/fine/scan-results.json"]);
    assert!(!run.dir.path().join("escape").exists());
    assert!(
        !run.stdout.contains('\u{1b}') && !run.stderr.contains('\u{1b}'),
        "escape sequences printed"
    );
    snapshot!("fetch_hostile_names", run.report());
}

#[test]
fn hostile_stderr_escapes_are_neutralised() {
    let mut pod = FakePod::new("scan-0").without_file("/results/scan-results.json");
    pod.stderr_noise = Some(fake_kube::Bytes::from_static(
        b"\x1b]0;owned\x07\x1b[2Jcleared your screen\n",
    ));
    let fake = FakeKube::start(Script::new().pod(pod));
    let run = fetch(&fake, &["scan-0", "--timeout", "5s"]);
    assert_eq!(run.code, 3, "{}", run.transcript());
    assert!(
        !run.stdout.contains('\u{1b}') && !run.stderr.contains('\u{1b}'),
        "{}",
        run.transcript()
    );
}

#[test]
#[cfg(unix)]
fn symlinks_out_of_the_output_dir_are_refused() {
    let fake = FakeKube::start(Script::new().pod(FakePod::new("scan-0")));
    let dir = tempfile::tempdir().expect("temp dir");
    let elsewhere = tempfile::tempdir().expect("temp dir");
    std::fs::create_dir_all(dir.path().join("out")).expect("mkdir");
    std::os::unix::fs::symlink(elsewhere.path(), dir.path().join("out/scans")).expect("symlink");
    let kubeconfig = fake.write_kubeconfig(dir.path());
    let run = fetch_with(dir, &["scan-0", "--timeout", "5s"], Some(&kubeconfig));
    assert_eq!(run.code, 3, "{}", run.transcript());
    assert!(run.stdout.contains("unsafe path"), "{}", run.transcript());
    assert_eq!(
        std::fs::read_dir(elsewhere.path()).expect("read").count(),
        0,
        "wrote through the symlink"
    );
}

// ---------------------------------------------------------------- usage errors

/// The help text, pinned: its defaults come from `scangate-kube`, not from literals here.
#[test]
fn help_texts() {
    for (name, flag) in [("fetch_help", "--help"), ("fetch_h", "-h")] {
        let out = scangate()
            .args(["fetch", flag])
            .env("COLUMNS", "100")
            .output()
            .expect("run scangate");
        assert_eq!(out.status.code(), Some(0), "{name}");
        insta::assert_snapshot!(name, String::from_utf8(out.stdout).expect("UTF-8"));
    }
}

#[test]
fn usage_errors_exit_2() {
    let cases: &[(&str, &[&str])] = &[
        ("bad_timeout", &["scan-0", "--timeout", "10"]),
        ("bad_size", &["scan-0", "--max-bytes", "lots"]),
        ("bad_pod_name", &["../scan-0"]),
        ("relative_path", &["scan-0", "--path", "results/x.json"]),
        ("bad_marker", &["scan-0", "--marker", "/results/.."]),
        ("zero_timeout", &["scan-0", "--timeout", "0s"]),
        (
            "clashing_names",
            &["scan-0", "--also", "/other/scan-results.json"],
        ),
        ("zero_concurrency", &["scan-0", "--concurrency", "0"]),
        ("bad_namespace", &["scan-0", "-n", "Not_A_Namespace"]),
    ];
    let mut transcript = String::new();
    for (name, args) in cases {
        let run = fetch_with(tempfile::tempdir().expect("temp dir"), args, None);
        assert_eq!(run.code, 2, "{name}: {}", run.transcript());
        transcript.push_str(&format!("{name}: {}", run.stderr));
    }
    let run = fetch_with(
        tempfile::tempdir().expect("temp dir"),
        &["scan-0", "-l", "app=web"],
        None,
    );
    assert_eq!(run.code, 2, "pods and a selector: {}", run.transcript());
    let run = fetch_with(tempfile::tempdir().expect("temp dir"), &[], None);
    assert_eq!(run.code, 2, "no pods: {}", run.transcript());
    insta::assert_snapshot!("fetch_usage_errors", transcript);
}

#[test]
fn threshold_gates_each_fetched_pod_and_reports_name_the_pod() {
    let fake = FakeKube::start(
        Script::new()
            .pod(FakePod::new("scan-ok"))
            .pod(FakePod::new("scan-fail")),
    );
    let threshold = concat!(env!("CARGO_MANIFEST_DIR"), "/thresholds/default.yml");
    let run = fetch(
        &fake,
        &[
            "scan-ok",
            "scan-fail",
            "--threshold",
            threshold,
            "--report",
            "json=out/verdict.json",
            "--timeout",
            "5s",
        ],
    );
    assert_eq!(run.code, 1, "one pod fails the gate: {}", run.transcript());
    assert!(
        run.stdout
            .contains("PASS  scans/scan-ok: 5 of 5 rules passed"),
        "{}",
        run.stdout
    );
    assert!(
        run.stdout
            .contains("FAIL  scans/scan-fail: 2 of 5 rules failed"),
        "{}",
        run.stdout
    );
    let report: serde_json::Value = serde_json::from_str(
        &std::fs::read_to_string(run.out().join("verdict.json")).expect("report"),
    )
    .expect("json");
    assert_eq!(report["passed"], false);
    let inputs = report["inputs"].as_array().expect("inputs");
    let failing = inputs
        .iter()
        .find(|i| i["verdict"]["passed"] == false)
        .expect("a failing input");
    let origin = &failing["origin"];
    assert_eq!(origin["kind"], "pod");
    assert_eq!(origin["namespace"], "scans");
    assert_eq!(origin["pod"], "scan-fail");
    assert_eq!(origin["container"], "scanner");
}

#[test]
fn a_gate_that_passes_exits_0_and_bad_gate_flags_fail_before_connecting() {
    let fake = FakeKube::start(Script::new().pod(FakePod::new("scan-0")));
    let threshold = concat!(env!("CARGO_MANIFEST_DIR"), "/thresholds/basic.yml");
    let run = fetch(
        &fake,
        &["scan-0", "--threshold", threshold, "--timeout", "5s"],
    );
    assert_eq!(run.code, 0, "{}", run.transcript());
    assert!(run.stdout.contains("PASS  scans/scan-0"), "{}", run.stdout);
    let run = fetch(&fake, &["scan-0", "--threshold", "no-such-threshold.yml"]);
    assert_eq!(run.code, 2, "{}", run.transcript());
    assert!(
        run.stderr
            .contains("no-such-threshold.yml: cannot read file"),
        "{}",
        run.stderr
    );
    assert!(
        run.files().is_empty(),
        "nothing is fetched when the gate flags are wrong"
    );
    let run = fetch(&fake, &["scan-0", "--report", "pdf=x.pdf"]);
    assert_eq!(run.code, 2, "{}", run.transcript());
}

/// `fetch` takes its threshold as `check` does: `-T FILE`, `-I TEXT`, or the built-in one
/// (`--gate`, since `fetch` without a threshold flag does not gate).
#[test]
fn the_gate_takes_its_threshold_as_check_does() {
    let fake = FakeKube::start(
        Script::new()
            .pod(FakePod::new("scan-ok"))
            .pod(FakePod::new("scan-fail")),
    );
    let run = fetch(
        &fake,
        &[
            "scan-ok",
            "scan-fail",
            "--gate",
            "--report",
            "json=out/verdict.json",
            "--timeout",
            "5s",
        ],
    );
    assert_eq!(run.code, 1, "{}", run.transcript());
    assert!(
        run.stdout
            .contains("FAIL  scans/scan-fail: 2 of 5 rules failed"),
        "the built-in threshold, as with -T thresholds/default.yml: {}",
        run.stdout
    );
    let report: serde_json::Value = serde_json::from_str(
        &std::fs::read_to_string(run.out().join("verdict.json")).expect("report"),
    )
    .expect("json");
    assert_eq!(report["threshold"], "thresholds/default.yml (built in)");

    let run = fetch(
        &fake,
        &["scan-fail", "-I", "{compliance.min: 0}", "--timeout", "5s"],
    );
    assert_eq!(run.code, 0, "{}", run.transcript());
    assert!(
        run.stdout.contains("PASS  scans/scan-fail"),
        "{}",
        run.stdout
    );

    for bad in [
        &["scan-ok", "--gate", "-T", "x.yml"][..],
        &["scan-ok", "-I", "{compliance.min: 0}", "-T", "x.yml"],
        &["scan-ok", "-I", "{compliance.min: 80"],
    ] {
        let run = fetch(&fake, bad);
        assert_eq!(run.code, 2, "{bad:?}: {}", run.transcript());
        assert!(
            run.files().is_empty(),
            "{bad:?}: nothing is fetched when the gate flags are wrong"
        );
    }
}

/// `fetch --baseline`: pods match the baseline by namespace, workload and container, so a
/// rolled-out deployment (new pod names) keeps the baseline its previous pods left, here the
/// JSON report of the previous fetch.
#[test]
fn fetch_gates_change_against_the_previous_runs_report() {
    let earlier: serde_json::Value = serde_json::from_slice(
        &std::fs::read(crate::common::fixture("results/rhel-8_hardened.json")).unwrap(),
    )
    .unwrap();
    let later = crate::common::later_scan::later_scan(&earlier, 3, 5, 7);
    let (earlier, later) = (
        serde_json::to_vec(&earlier).unwrap(),
        serde_json::to_vec(&later.doc).unwrap(),
    );
    let results = "/results/scan-results.json";
    let first = FakeKube::start(
        Script::new()
            .pod(FakePod::new("web-7d9f8b6c5-x2kz9").file(results, earlier.clone()))
            .pod(FakePod::new("db-0").file(results, earlier.clone())),
    );
    let run = fetch(
        &first,
        &[
            "web-7d9f8b6c5-x2kz9",
            "db-0",
            "--report",
            "json=out/report.json",
            "--timeout",
            "5s",
        ],
    );
    assert_eq!(run.code, 0, "{}", run.transcript());
    let baseline = run.out().join("report.json");

    // The web deployment was rolled out again: its pod has a new name and a later scan.
    let second = FakeKube::start(
        Script::new()
            .pod(FakePod::new("web-5c4b8d7f9-q8wz2").file(results, later))
            .pod(FakePod::new("db-0").file(results, earlier)),
    );
    let run2 = fetch(
        &second,
        &[
            "web-5c4b8d7f9-q8wz2",
            "db-0",
            "-I",
            "{new.total.max: 0}",
            "--baseline",
            baseline.to_str().unwrap(),
            "--report",
            "json=out/report.json",
            "--timeout",
            "5s",
        ],
    );
    assert_eq!(
        run2.code,
        1,
        "three new failures in web: {}",
        run2.transcript()
    );
    assert!(
        run2.stdout.contains(
            "FAIL  scans/web-5c4b8d7f9-q8wz2: 1 of 1 rules failed (compliance 67%; 3 new, 5 fixed)"
        ) && run2
            .stdout
            .contains("PASS  scans/db-0: 1 of 1 rules passed (compliance 66%; 0 new, 0 fixed)"),
        "{}",
        run2.transcript()
    );
    assert!(!run2.stderr.contains("warning:"), "{}", run2.stderr);
    let report: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(run2.out().join("report.json")).unwrap())
            .unwrap();
    let mut counts: Vec<(String, u64, u64)> = report["inputs"]
        .as_array()
        .unwrap()
        .iter()
        .map(|i| {
            let c = &i["change"]["counts"];
            (
                i["identity"]["workload"].as_str().unwrap().to_owned(),
                c["new"]["total"].as_u64().unwrap(),
                c["fixed"].as_u64().unwrap(),
            )
        })
        .collect();
    counts.sort();
    assert_eq!(
        counts,
        [("db-0".to_owned(), 0, 0), ("web".to_owned(), 3, 5)]
    );
}

/// `fetch --waivers` applies a waiver scoped to a workload to that workload's pod only,
/// whatever the pod's generated name.
#[test]
fn fetch_applies_waivers_scoped_to_a_workload() {
    let scan = std::fs::read(crate::common::fixture(
        "results/rhel8_sample_oneOfEachControlStatus.json",
    ))
    .unwrap();
    let results = "/results/scan-results.json";
    let fake = FakeKube::start(
        Script::new()
            .pod(FakePod::new("web-7d9f8b6c5-x2kz9").file(results, scan.clone()))
            .pod(FakePod::new("db-0").file(results, scan)),
    );
    let files = tempfile::tempdir().unwrap();
    let waivers = files.path().join("waivers.yml");
    std::fs::write(
        &waivers,
        "SV-230222:\n  justification: patched by image rebuilds\n  run: false\n  scope:\n    namespace: scans\n    workload: web\n",
    )
    .unwrap();
    let run = fetch(
        &fake,
        &[
            "web-7d9f8b6c5-x2kz9",
            "db-0",
            "-I",
            "{failed.total.max: 0}",
            "--waivers",
            waivers.to_str().unwrap(),
            "--report",
            "json=out/report.json",
            "--timeout",
            "5s",
        ],
    );
    assert_eq!(run.code, 1, "db-0 still fails: {}", run.transcript());
    assert!(
        run.stdout.contains("PASS  scans/web-7d9f8b6c5-x2kz9")
            && run.stdout.contains("FAIL  scans/db-0")
            && run
                .stdout
                .contains("Accepted risk in scans/web-7d9f8b6c5-x2kz9: 1 waived, 0 attested"),
        "{}",
        run.transcript()
    );
    let report: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(run.out().join("report.json")).unwrap())
            .unwrap();
    let waived: Vec<(String, u64)> = report["inputs"]
        .as_array()
        .unwrap()
        .iter()
        .map(|i| {
            (
                i["identity"]["workload"].as_str().unwrap().to_owned(),
                i["risk"]["waived"].as_u64().unwrap(),
            )
        })
        .collect();
    assert_eq!(waived, [("db-0".to_owned(), 0), ("web".to_owned(), 1)]);
}
