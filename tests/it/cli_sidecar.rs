//! `scangate sidecar inject|rbac` as a user runs them: stdin and files, stdout, exit codes.

use assert_cmd::Command;
use predicates::prelude::*;

fn scangate() -> Command {
    Command::cargo_bin("scangate").unwrap()
}

const POD: &str = "apiVersion: v1\nkind: Pod\nmetadata:\n  name: web\nspec:\n  containers:\n  - name: web\n    image: nginx:1.27\n";

#[test]
fn inject_reads_stdin_and_writes_stdout() {
    let out = scangate()
        .args(["sidecar", "inject"])
        .write_stdin(POD)
        .assert()
        .success()
        .get_output()
        .stdout
        .clone();
    let out = String::from_utf8(out).unwrap();
    assert!(out.contains("shareProcessNamespace: true"), "{out}");
    assert!(out.contains("name: scanner"), "{out}");
    // Injecting the output again changes nothing.
    scangate()
        .args(["sidecar", "inject", "-f", "-"])
        .write_stdin(out.clone())
        .assert()
        .success()
        .stdout(out);
}

#[test]
fn inject_reads_a_file_with_several_documents() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("app.yaml");
    std::fs::write(
        &file,
        format!("{POD}---\napiVersion: v1\nkind: Service\nmetadata: {{name: web}}\n"),
    )
    .unwrap();
    scangate()
        .args([
            "sidecar",
            "inject",
            "-f",
            file.to_str().unwrap(),
            "--image",
            "scanner:1",
            "--run-as-user",
            "20000",
        ])
        .assert()
        .success()
        .stdout(predicate::str::contains("image: scanner:1"))
        .stdout(predicate::str::contains("runAsUser: 20000"))
        .stdout(predicate::str::contains(
            "---\napiVersion: v1\nkind: Service\nmetadata: {name: web}\n",
        ));
}

#[test]
fn inject_refusals_exit_2_with_one_line() {
    for (input, needle) in [
        (
            format!("{POD}  hostPID: true\n"),
            "document 1 (line 1, Pod web): hostPID is true",
        ),
        (
            format!("{POD}  - name: scanner\n    image: x:1\n"),
            "a container named \"scanner\" exists already",
        ),
        (
            "kind: Pod\nmetadata: [".to_string(),
            "document 1 (line 1): invalid YAML",
        ),
    ] {
        let assert = scangate()
            .args(["sidecar", "inject"])
            .write_stdin(input)
            .assert()
            .code(2)
            .stdout("");
        let stderr = String::from_utf8(assert.get_output().stderr.clone()).unwrap();
        assert!(stderr.contains(needle), "{stderr}");
        assert_eq!(stderr.lines().count(), 1, "{stderr}");
    }
}

#[test]
fn inject_missing_file_is_exit_2() {
    scangate()
        .args(["sidecar", "inject", "-f", "/nonexistent/app.yaml"])
        .assert()
        .code(2)
        .stderr(predicate::str::contains(
            "cannot read /nonexistent/app.yaml",
        ));
}

#[test]
fn inject_rejects_uid_0() {
    scangate()
        .args(["sidecar", "inject", "--run-as-user", "0"])
        .write_stdin(POD)
        .assert()
        .code(2);
}

#[test]
fn rbac_named_pods_and_selector() {
    scangate()
        .args(["sidecar", "rbac", "-n", "shop", "web-0", "web-1"])
        .assert()
        .success()
        .stdout(predicate::str::contains(
            "resourceNames:\n  - web-0\n  - web-1",
        ))
        .stdout(predicate::str::contains(
            "automountServiceAccountToken: false",
        ))
        .stdout(predicate::str::contains("name: scangate-fetch"));
    scangate()
        .args([
            "sidecar",
            "rbac",
            "-n",
            "shop",
            "-l",
            "app=web",
            "--service-account",
            "ci-fetch",
        ])
        .assert()
        .success()
        .stdout(predicate::str::contains("resourceNames").not())
        .stdout(predicate::str::contains("name: ci-fetch"));
}

#[test]
fn rbac_needs_pods_or_a_selector_but_not_both() {
    scangate()
        .args(["sidecar", "rbac", "-n", "shop"])
        .assert()
        .code(2);
    scangate()
        .args(["sidecar", "rbac", "-n", "shop", "web", "-l", "app=web"])
        .assert()
        .code(2);
    scangate()
        .args(["sidecar", "rbac", "-n", "Shop", "web"])
        .assert()
        .code(2)
        .stderr(predicate::str::contains("not a valid namespace name"));
}
