//! Criterion benchmarks of every stage, on InSpec results generated at bench time (the same
//! shape and status mix as `scripts/gen-results`, in Rust so the benches need nothing
//! else): parse, summarise, evaluate a threshold, the whole pipeline, and render each report
//! format.
//!
//! `cargo bench --bench scangate` (all), `cargo bench --bench scangate -- render` (a group).
//! `SCANGATE_BENCH_CONTROLS=8500` sets the input size (default 2,000 controls, about 12 MB).

use std::hint::black_box;

use criterion::{BenchmarkId, Criterion, Throughput, criterion_group, criterion_main};
use scangate_pipeline::{Batch, Gate, Source};
use scangate_report::{Format, RenderOptions};
use scangate_results::{Input, Summary};

/// A small deterministic generator (xorshift), so every run benches the same bytes.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0
    }
    fn below(&mut self, n: u64) -> u64 {
        self.next() % n
    }
    fn text(&mut self, chars: usize) -> String {
        const WORDS: &[&str] = &[
            "the",
            "system",
            "must",
            "be",
            "configured",
            "to",
            "audit",
            "all",
            "use",
            "of",
            "setuid",
            "and",
            "setgid",
            "programs",
            "ensure",
            "file",
            "permissions",
            "ownership",
            "group",
            "membership",
            "match",
            "vendor",
            "values",
            "verify",
            "operating",
            "enforces",
            "delay",
            "between",
            "logon",
            "prompts",
        ];
        let mut out = String::with_capacity(chars + 16);
        while out.len() < chars {
            out.push_str(WORDS[self.below(WORDS.len() as u64) as usize]);
            out.push(' ');
        }
        out
    }
}

/// An InSpec exec-JSON document with `controls` controls of `results` results each:
/// ~55% passed, 30% failed, 8% not reviewed, 5% not applicable, 1% error, 1% no results.
fn generate(controls: usize, results: usize, overlay: bool) -> Vec<u8> {
    use serde_json::json;
    let mut rng = Rng(0x5ca9_6a7e);
    let list: Vec<serde_json::Value> = (0..controls)
        .map(|i| {
            let id = format!("SV-{}", 200_000 + i);
            let roll = rng.below(100);
            let (kind, impact) = match roll {
                0..=4 => ("na", 0.0),
                5 => ("error", 0.5),
                6 => ("none", 0.5),
                7..=14 => ("skipped", 0.5),
                15..=44 => ("failed", [0.7, 0.5, 0.3][i % 3]),
                _ => ("passed", [0.7, 0.5, 0.3][i % 3]),
            };
            let count = if kind == "none" { 0 } else { results };
            let rs: Vec<serde_json::Value> = (0..count)
                .map(|k| {
                    let mut r = json!({"status": "passed", "code_desc": format!("File /etc/conf{k}.d/{id} is expected to exist"),
                                       "run_time": 0.001, "start_time": "2024-06-01T12:00:00+00:00", "resource": "File"});
                    match (kind, k) {
                        ("failed", k) if k == count - 1 => {
                            r["status"] = json!("failed");
                            r["message"] = json!("expected `File /etc/x.mode` to cmp == \"0644\"\n\n     got: 0755\n");
                        }
                        ("skipped" | "na", _) => {
                            r["status"] = json!("skipped");
                            r["skip_message"] = json!(rng.text(80));
                        }
                        ("error", 0) => r["backtrace"] = json!(["/opt/inspec/lib/resource.rb:7:in `block'"]),
                        _ => {}
                    }
                    r
                })
                .collect();
            json!({
                "id": id, "title": format!("The operating system must {}", rng.text(90)), "desc": rng.text(300),
                "descriptions": [{"label": "default", "data": rng.text(200)}, {"label": "check", "data": rng.text(1000)},
                                 {"label": "fix", "data": rng.text(700)}],
                "impact": impact, "refs": [],
                "tags": {"severity": match impact { x if x >= 0.7 => "high", x if x >= 0.4 => "medium", _ => "low" },
                         "gid": format!("V-{}", 200_000 + i), "cci": ["CCI-000366"], "nist": ["CM-6 b"]},
                "code": format!("control '{id}' do\n  desc '{}'\nend\n", rng.text(600)),
                "source_location": {"ref": format!("./controls/{id}.rb"), "line": 3},
                "results": rs,
            })
        })
        .collect();
    let base = json!({"name": "baseline", "sha256": "b", "supports": [], "attributes": [], "groups": [],
                      "controls": list, "parent_profile": if overlay { json!("overlay") } else { json!(null) }});
    let mut profiles = vec![base];
    if overlay {
        let wrapper: Vec<serde_json::Value> = (0..controls)
            .map(|i| {
                json!({"id": format!("SV-{}", 200_000 + i), "impact": 0.5, "refs": [], "tags": {},
                            "source_location": {}, "results": []})
            })
            .collect();
        profiles.insert(
            0,
            json!({"name": "overlay", "sha256": "w", "supports": [], "attributes": [], "groups": [],
                                  "depends": [{"name": "baseline"}], "controls": wrapper}),
        );
    }
    serde_json::to_vec(
        &json!({"platform": {"name": "redhat", "release": "8.9"}, "profiles": profiles,
                               "statistics": {"duration": 1.0}, "version": "5.22.3"}),
    )
    .expect("serialises")
}

fn controls() -> usize {
    std::env::var("SCANGATE_BENCH_CONTROLS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(2000)
}

fn benches(c: &mut Criterion) {
    let n = controls();
    for overlay in [false, true] {
        let bytes = generate(n, 8, overlay);
        let name = if overlay { "overlay" } else { "plain" };
        let mut group = c.benchmark_group("parse");
        group.throughput(Throughput::Bytes(bytes.len() as u64));
        group.sample_size(10);
        group.bench_function(BenchmarkId::new("parse", name), |b| {
            let input = Input::from_bytes("bench.json", bytes.clone());
            b.iter(|| black_box(input.parse().expect("parses").profiles.len()));
        });
        group.bench_function(BenchmarkId::new("parse+summary", name), |b| {
            let input = Input::from_bytes("bench.json", bytes.clone());
            b.iter(|| {
                let results = input.parse().expect("parses");
                black_box(Summary::new(&results).compliance())
            });
        });
        group.finish();
    }

    let bytes = generate(n, 8, false);
    let input = Input::from_bytes("bench.json", bytes.clone());
    let results = input.parse().expect("parses");
    let threshold = scangate_threshold::load(
        include_str!("../thresholds/threshold.example.yml")
            .replace("SV-230235", "SV-200007")
            .as_str(),
        "example.yml",
    )
    .expect("loads");

    let mut group = c.benchmark_group("gate");
    group.throughput(Throughput::Bytes(bytes.len() as u64));
    group.bench_function("summary", |b| {
        b.iter(|| black_box(Summary::new(&results).counts))
    });
    let summary = Summary::new(&results);
    group.bench_function("evaluate", |b| {
        b.iter(|| black_box(scangate_threshold::evaluate(&summary, &threshold).passed()))
    });

    group.finish();

    // The whole run as `check` does it, and the reports rendered from it.
    let gate = Gate {
        threshold,
        name: "example.yml".to_owned(),
    };
    let mut batch = Batch::new();
    batch.push_bytes(Source::file("bench.json"), bytes.clone());
    let mut group = c.benchmark_group("pipeline");
    group.throughput(Throughput::Bytes(bytes.len() as u64));
    group.sample_size(10);
    group.bench_function("run", |b| {
        b.iter(|| batch.run(Some(&gate), |run| black_box(run.outcome())))
    });
    group.finish();

    batch.run(Some(&gate), |run| {
        let report = run.report();
        let mut group = c.benchmark_group("render");
        group.throughput(Throughput::Bytes(bytes.len() as u64));
        group.sample_size(10);
        for format in Format::ALL {
            group.bench_function(format.name(), |b| {
                let mut out = Vec::with_capacity(bytes.len());
                b.iter(|| {
                    out.clear();
                    scangate_report::render(format, &report, &mut out, &RenderOptions::default())
                        .expect("renders");
                    black_box(out.len())
                });
            });
        }
        group.finish();
    });
}

criterion_group!(scangate, benches);
criterion_main!(scangate);
