//! The test suite's fake Kubernetes API server (`crates/fake-kube`), standalone, for
//! benchmarks and manual runs.
//!
//! ```text
//! cargo run --example fake-apiserver -- --pods 50 --bytes 1048576 --kubeconfig /tmp/fake-kubeconfig
//! KUBECONFIG=/tmp/fake-kubeconfig scangate fetch -n scans -l app=web -o /tmp/out
//! ```
//!
//! Pods `scan-0` … `scan-N-1` in namespace `scans`, labelled `app=web`, Ready, marker present,
//! each with a valid JSON results file of about `--bytes` bytes. Prints `ready <url>` on stdout
//! once listening and serves until stdin closes (or it is killed).

use std::io::{BufRead, Write};
use std::path::PathBuf;

use fake_kube::{FakeKube, FakePod, Script};

fn main() -> Result<(), String> {
    let mut pods = 1usize;
    let mut bytes = 4096usize;
    let mut kubeconfig = PathBuf::from("fake-kubeconfig");
    let mut port = 0u16;
    let mut tls = false;
    let mut args = std::env::args().skip(1);
    while let Some(flag) = args.next() {
        let mut value = || args.next().ok_or_else(|| format!("{flag} needs a value"));
        match flag.as_str() {
            "--pods" => pods = value()?.parse().map_err(|e| format!("--pods: {e}"))?,
            "--bytes" => bytes = value()?.parse().map_err(|e| format!("--bytes: {e}"))?,
            "--kubeconfig" => kubeconfig = PathBuf::from(value()?),
            "--port" => port = value()?.parse().map_err(|e| format!("--port: {e}"))?,
            // kubectl sends bearer tokens only over HTTPS.
            "--tls" => tls = true,
            other => {
                return Err(format!(
                    "unknown flag {other} (use --pods N --bytes N --kubeconfig PATH --port N --tls)"
                ));
            }
        }
    }
    let results = padded_results(bytes);
    let mut script = Script::new();
    for i in 0..pods {
        script = script.pod(
            FakePod::new(&format!("scan-{i}")).file("/results/scan-results.json", results.clone()),
        );
    }
    if tls {
        script = script.tls();
    }
    let fake = FakeKube::start_on(script, port);
    let dir = kubeconfig
        .parent()
        .filter(|p| !p.as_os_str().is_empty())
        .unwrap_or(std::path::Path::new("."));
    let written = fake.write_kubeconfig(dir);
    if written != kubeconfig {
        std::fs::rename(&written, &kubeconfig)
            .map_err(|e| format!("cannot write {}: {e}", kubeconfig.display()))?;
    }
    let mut out = std::io::stdout().lock();
    writeln!(out, "ready {}", fake.url()).map_err(|e| e.to_string())?;
    out.flush().map_err(|e| e.to_string())?;
    drop(out);
    // Serve until whoever started us closes our stdin.
    for line in std::io::stdin().lock().lines() {
        if line.is_err() {
            break;
        }
    }
    Ok(())
}

/// Complete InSpec results (fetch validates them) of about `size` bytes: the fake's sample,
/// with a padding field it ignores.
fn padded_results(size: usize) -> Vec<u8> {
    let sample = fake_kube::sample_results("scan");
    let head = sample
        .trim_end()
        .strip_suffix('}')
        .unwrap_or(&sample)
        .to_owned()
        + r#","padding":""#;
    let tail = "\"}";
    let mut doc = head.into_bytes();
    doc.resize(size.saturating_sub(tail.len()).max(doc.len()), b'x');
    doc.extend_from_slice(tail.as_bytes());
    doc
}
