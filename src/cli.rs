//! The command-line surface: every flag of every subcommand, and nothing else.
//!
//! Subcommand modules turn these into the libraries' plain option structs, so
//! clap never leaks into `crates/`.

use std::path::PathBuf;

use clap::{Args, Parser, Subcommand, ValueEnum};
#[cfg(feature = "kube")]
use scangate_kube::FetchOptions;
use scangate_sidecar::inject::InjectOptions;

mod pairs;
#[cfg(feature = "kube")]
mod values;
#[cfg(feature = "kube")]
pub use values::{ByteSize, DurationArg};

pub use pairs::{ReportArg, TemplateArg};

/// Summarise and gate InSpec / CINC Auditor results; fetch them from scanner sidecars.
#[derive(Debug, Parser)]
#[command(
    name = "scangate",
    version,
    about,
    long_about = "Summarise and gate InSpec / CINC Auditor results; fetch them from scanner sidecars.\n\n\
                  Exit codes: 0 gate passed, 1 gate failed, 2 usage, input or threshold-file error, \
                  3 Kubernetes/fetch error.",
    propagate_version = true,
    max_term_width = 100
)]
pub struct Cli {
    /// When to colour terminal output.
    #[arg(long, global = true, value_enum, default_value_t = ColorChoice::Auto, value_name = "WHEN")]
    pub color: ColorChoice,

    #[command(subcommand)]
    pub command: Command,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum ColorChoice {
    /// Colour when stdout is a terminal and NO_COLOR is unset.
    Auto,
    Always,
    Never,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Count controls by status and severity, and compute compliance.
    Summary(SummaryArgs),
    /// Gate results against a threshold: exit 0 when it passes, 1 when it fails.
    Check(CheckArgs),
    /// Generate, validate or describe threshold files.
    #[command(subcommand)]
    Threshold(ThresholdCommand),
    /// Record today's failing controls, so that later runs can gate on change (`--baseline`).
    #[command(subcommand)]
    Baseline(BaselineCommand),
    /// Validate or describe InSpec waiver files (`--waivers`).
    #[command(subcommand)]
    Waivers(RiskFileCommand),
    /// Validate or describe SAF CLI attestation files (`--attestations`).
    #[command(subcommand)]
    Attestations(RiskFileCommand),
    /// Describe the report formats.
    #[command(subcommand)]
    Report(ReportCommand),
    /// Fetch results from scanner sidecars through the Kubernetes API.
    Fetch(Box<FetchArgs>),
    /// Add a scanner sidecar to workloads, or print the RBAC that `fetch` needs.
    #[command(subcommand)]
    Sidecar(SidecarCommand),
    /// Run a SAF CLI 1.5.3 command line as scangate, naming scangate's own on stderr.
    #[command(subcommand, long_about = crate::saf::LONG_ABOUT)]
    Saf(crate::saf::SafCommand),
}

/// Input files, shared by `summary` and `check`.
#[derive(Debug, Args)]
pub struct InputArgs {
    /// InSpec/CINC JSON, HDF or json-min results (repeatable, or several after one -i).
    #[arg(short, long = "input", value_name = "FILE", required = true, num_args = 1..)]
    pub input: Vec<PathBuf>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum SummaryFormat {
    /// A terminal table.
    Table,
    /// saf's JSON structure and key order, plus scangate's `none` buckets.
    Json,
    /// The same structure as YAML.
    Yaml,
    /// saf's GitHub Markdown table.
    Markdown,
}

#[derive(Debug, Args)]
// The summary is printed anyway, so its reports come in addition.
#[command(mut_arg("reports", |arg| arg.help(
    "Also write a report: FORMAT=PATH (markdown, junit, sarif, html, json, codequality; `-` is stdout). Repeatable"
)))]
pub struct SummaryArgs {
    #[command(flatten)]
    pub inputs: InputArgs,

    /// Output format.
    #[arg(short, long, value_enum, default_value_t = SummaryFormat::Table)]
    pub format: SummaryFormat,

    /// Indent JSON by two spaces, as `saf summary` prints it (other formats are unaffected).
    #[arg(long)]
    pub pretty: bool,

    /// Write the output to FILE (atomically) instead of stdout.
    #[arg(short, long, value_name = "FILE")]
    pub output: Option<PathBuf>,

    /// With -o, print the output to stdout as well.
    #[arg(long, requires = "output")]
    pub tee: bool,

    /// Leave out the `# <profile>` title above each Markdown table.
    #[arg(long)]
    pub no_title: bool,

    #[command(flatten)]
    pub baseline: BaselineArgs,

    #[command(flatten)]
    pub risk: RiskArgs,

    #[command(flatten)]
    pub reports: ReportArgs,
}

/// Accepted risk, shared by `summary`, `check` and `fetch`.
#[derive(Debug, Args)]
pub struct RiskArgs {
    /// Apply an InSpec waiver file (YAML or JSON, keyed by control id): a current
    /// `run: false` waiver makes its control Not Applicable, keeping its results.
    #[arg(long, value_name = "FILE")]
    pub waivers: Option<PathBuf>,

    /// Apply a SAF CLI attestation file (YAML or JSON list), as `saf attest apply` does:
    /// a current attestation decides a Not Reviewed control's status.
    #[arg(long, value_name = "FILE")]
    pub attestations: Option<PathBuf>,

    /// Warn about waivers and attestations that expire within DURATION (`14d`, `2w`; `0d`
    /// turns it off). Dates are judged at SOURCE_DATE_EPOCH when it is set.
    #[arg(long, value_name = "DURATION", default_value = "14d", value_parser = parse_lead)]
    pub warn_expiring: jiff::SignedDuration,
}

/// `14d`, `2w`, `0d`: days or weeks ahead.
fn parse_lead(text: &str) -> Result<jiff::SignedDuration, String> {
    let expected =
        || format!("expected a number of days or weeks such as `14d` or `2w`, found {text:?}");
    let (number, unit) = text.split_at(text.len().saturating_sub(1));
    let days_per = match unit {
        "d" => 1,
        "w" => 7,
        _ => return Err(expected()),
    };
    let n: i64 = number.parse().map_err(|_| expected())?;
    if !(0..=36_500).contains(&n) || number.starts_with('+') {
        return Err(expected());
    }
    Ok(jiff::SignedDuration::from_hours(n * days_per * 24))
}

#[derive(Debug, Subcommand)]
pub enum RiskFileCommand {
    /// Check a file: every problem at once, with line and column; exit 2 when invalid.
    Validate(RiskValidateArgs),
    /// Print the file format's JSON Schema.
    Schema,
}

#[derive(Debug, Args)]
pub struct RiskValidateArgs {
    /// The file to check.
    #[arg(value_name = "FILE")]
    pub file: PathBuf,
}

/// What to compare with, shared by `summary`, `check` and `fetch`.
#[derive(Debug, Args)]
pub struct BaselineArgs {
    /// Compare with an earlier run: a baseline file (`scangate baseline create`), a JSON
    /// report (--report json=…) or earlier results. Each failing control is then new or still
    /// failing, and the reports show what is new and what was fixed first.
    #[arg(long, value_name = "FILE")]
    pub baseline: Option<PathBuf>,
}

/// The lowest severity `--fail-on-new` fails on.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum NewSeverity {
    /// Any new failure, whatever its severity.
    Any,
    Low,
    Medium,
    High,
    Critical,
}

#[derive(Debug, Subcommand)]
pub enum BaselineCommand {
    /// Write a baseline file from results: one entry per failing control, sorted, to commit.
    Create(BaselineCreateArgs),
    /// Print the JSON Schema of baseline files.
    Schema,
}

#[derive(Debug, Args)]
pub struct BaselineCreateArgs {
    #[command(flatten)]
    pub inputs: InputArgs,

    /// Write the baseline to FILE (atomically) instead of stdout.
    #[arg(short, long, value_name = "FILE")]
    pub output: Option<PathBuf>,
}

/// The reports to write, shared by `summary` and `check`.
#[derive(Debug, Args)]
pub struct ReportArgs {
    /// Write a report: FORMAT=PATH (markdown, junit, sarif, html, json, codequality; `-` is
    /// stdout). Repeatable.
    #[arg(long = "report", value_name = "FORMAT=PATH")]
    pub reports: Vec<ReportArg>,

    /// Render a report with your own handlebars template: FORMAT=TEMPLATE (markdown or html).
    #[arg(long = "template", value_name = "FORMAT=TEMPLATE")]
    pub templates: Vec<TemplateArg>,
}

/// The pods to fetch from: by name, or by label selector. Shared by `fetch` and `sidecar rbac`.
#[derive(Debug, Args)]
pub struct PodArgs {
    /// Pods to fetch from (needs only `get` on pods, and `get` and `create` on pods/exec).
    #[arg(
        value_name = "POD",
        required_unless_present = "selector",
        conflicts_with = "selector"
    )]
    pub pods: Vec<String>,

    /// Fetch from every pod matching this label selector (needs `list pods` too).
    #[arg(short = 'l', long, value_name = "SELECTOR")]
    pub selector: Option<String>,
}

/// Where the threshold comes from; `thresholds/default.yml` when neither is given.
#[derive(Debug, Args)]
#[group(multiple = false)]
pub struct ThresholdSource {
    /// Threshold file (YAML or JSON; nested or flattened keys).
    #[arg(short = 'T', long = "threshold", value_name = "FILE")]
    pub file: Option<PathBuf>,

    /// Inline threshold in saf's syntax: "{compliance.min: 80}, {failed.total.max: 2}".
    #[arg(short = 'I', long = "threshold-inline", value_name = "TEXT")]
    pub inline: Option<String>,
}

#[derive(Debug, Args)]
pub struct CheckArgs {
    #[command(flatten)]
    pub inputs: InputArgs,

    #[command(flatten)]
    pub threshold: ThresholdSource,

    #[command(flatten)]
    pub baseline: BaselineArgs,

    /// Fail when any control fails now that did not fail in the baseline, at or above
    /// SEVERITY (default: any). Adds `new.<severity>.max: 0` rules to the threshold.
    #[arg(
        long,
        value_name = "SEVERITY",
        num_args = 0..=1,
        default_missing_value = "any",
        require_equals = true,
        requires = "baseline",
        value_enum
    )]
    pub fail_on_new: Option<NewSeverity>,

    #[command(flatten)]
    pub risk: RiskArgs,

    #[command(flatten)]
    pub reports: ReportArgs,

    /// Print only the final verdict line (and errors).
    #[arg(short, long)]
    pub quiet: bool,
}

#[derive(Debug, Subcommand)]
pub enum ThresholdCommand {
    /// Write a threshold file from a baseline scan (same keys and order as `saf generate threshold`).
    Generate(GenerateArgs),
    /// Check a threshold file without results: unknown keys, wrong types, impossible limits.
    Validate(ValidateArgs),
    /// Print the JSON Schema of threshold files.
    Schema,
}

#[derive(Debug, Args)]
pub struct GenerateArgs {
    /// The baseline results file.
    #[arg(short, long = "input", value_name = "FILE")]
    pub input: PathBuf,

    /// Pin every count exactly: write both min and max.
    #[arg(short, long)]
    pub exact: bool,

    /// List the expected control ids under each status and severity.
    #[arg(short = 'c', long = "control-ids")]
    pub control_ids: bool,

    /// Lower compliance.min by N percentage points, to allow some drift.
    #[arg(long, value_name = "N", default_value_t = 0)]
    pub margin: u8,

    /// Write the threshold to FILE (atomically) instead of stdout.
    #[arg(short, long, value_name = "FILE")]
    pub output: Option<PathBuf>,
}

#[derive(Debug, Args)]
pub struct ValidateArgs {
    /// The threshold file to lint.
    #[arg(value_name = "FILE")]
    pub file: PathBuf,
}

#[derive(Debug, Subcommand)]
pub enum ReportCommand {
    /// Print the JSON Schema of the `json` report.
    Schema,
}

#[cfg(feature = "kube")]
const DEFAULT_TIMEOUT: DurationArg = DurationArg(FetchOptions::DEFAULT_TIMEOUT);
#[cfg(feature = "kube")]
const DEFAULT_MAX_BYTES: ByteSize = ByteSize(FetchOptions::DEFAULT_MAX_BYTES);

// Not a doc comment: clap would show it. The defaults are `scangate-kube`'s, so that the
// library and the flags cannot disagree.
#[cfg(feature = "kube")]
#[derive(Debug, Args)]
pub struct FetchArgs {
    #[command(flatten)]
    pub pods: PodArgs,

    /// Namespace (default: the kubeconfig context's, else `default`).
    #[arg(short, long, value_name = "NS")]
    pub namespace: Option<String>,

    /// The scanner container.
    #[arg(
        short,
        long,
        value_name = "CONTAINER",
        default_value = FetchOptions::DEFAULT_CONTAINER
    )]
    pub container: String,

    /// The results file inside the scanner container.
    #[arg(long, value_name = "PATH", default_value = FetchOptions::DEFAULT_RESULTS_PATH)]
    pub path: String,

    /// The file the scanner touches when the results are complete.
    #[arg(long, value_name = "PATH", default_value = FetchOptions::DEFAULT_MARKER_PATH)]
    pub marker: String,

    /// Also copy these files (e.g. /results/scan-summary.md). Repeatable.
    #[arg(long, value_name = "PATH", num_args = 1..)]
    pub also: Vec<String>,

    /// Local directory; files land in DIR/<namespace>/<pod>/<file name>.
    #[arg(
        short,
        long = "output-dir",
        value_name = "DIR",
        default_value = "./scan-results"
    )]
    pub output_dir: PathBuf,

    /// How long to wait for each pod to be Ready and its marker to appear (e.g. 90s, 10m, 1h).
    #[arg(long, value_name = "DURATION", default_value_t = DEFAULT_TIMEOUT)]
    pub timeout: DurationArg,

    /// How many pods to work on at once.
    #[arg(long, value_name = "N", default_value_t = FetchOptions::DEFAULT_CONCURRENCY)]
    pub concurrency: usize,

    /// Reject any file larger than this (e.g. 512MiB, 10MB, 4096).
    #[arg(long, value_name = "SIZE", default_value_t = DEFAULT_MAX_BYTES)]
    pub max_bytes: ByteSize,

    /// Path to a kubeconfig file (default: $KUBECONFIG, ~/.kube/config, then in-cluster).
    #[arg(long, value_name = "FILE")]
    pub kubeconfig: Option<PathBuf>,

    /// The kubeconfig context to use.
    #[arg(long, value_name = "NAME")]
    pub context: Option<String>,

    /// Gate each pod's results in the same run: -T FILE, -I TEXT, or --gate for the
    /// built-in threshold, as `check` takes them.
    #[command(flatten)]
    pub threshold: ThresholdSource,

    /// Gate each pod's results against the built-in threshold (thresholds/default.yml), the
    /// one `check` uses when neither -T nor -I is given.
    #[arg(long, conflicts_with = "ThresholdSource")]
    pub gate: bool,

    /// Compare the fetched results with an earlier run, as in `check` (a baseline file, a
    /// JSON report or earlier results). Pods match by namespace, workload and container, so a
    /// redeployed pod keeps its baseline.
    #[command(flatten)]
    pub baseline: BaselineArgs,

    /// Waivers and attestations, applied to each pod's results as in `check`.
    #[command(flatten)]
    pub risk: RiskArgs,

    /// Write a report of the gate: FORMAT=PATH, as in `check`. Repeatable.
    #[arg(long = "report", value_name = "FORMAT=PATH")]
    pub reports: Vec<ReportArg>,
}

// A build without the `kube` feature takes any arguments to `fetch` and only says that it
// cannot fetch, rather than offering flags that do nothing (and it has no library defaults to
// show).
#[cfg(not(feature = "kube"))]
#[derive(Debug, Args)]
pub struct FetchArgs {
    #[arg(hide = true, num_args = 0.., allow_hyphen_values = true, trailing_var_arg = true)]
    _ignored: Vec<String>,
}

#[derive(Debug, Subcommand)]
pub enum SidecarCommand {
    /// Add the hardened scanner sidecar to Pods, Deployments, StatefulSets, DaemonSets, ReplicaSets, Jobs and CronJobs.
    Inject(InjectArgs),
    /// Print the least-privilege ServiceAccount, Role and RoleBinding that `scangate fetch` needs.
    Rbac(RbacArgs),
}

#[derive(Debug, Args)]
pub struct InjectArgs {
    /// Manifest file with one or more YAML documents (`-` is stdin).
    #[arg(short, long, value_name = "FILE", default_value = "-")]
    pub file: String,

    /// The scanner image (needs /bin/sh and cinc-auditor or inspec).
    #[arg(long, value_name = "IMG", default_value = InjectOptions::DEFAULT_IMAGE)]
    pub image: String,

    /// The profile to run: where the profiles ConfigMap is mounted.
    #[arg(long, value_name = "PATH", default_value = InjectOptions::DEFAULT_PROFILE)]
    pub profile: String,

    /// The ConfigMap holding the profile (the chart's `<release>-profiles`).
    #[arg(long, value_name = "NAME", default_value = InjectOptions::DEFAULT_PROFILES_CONFIGMAP)]
    pub profiles_configmap: String,

    /// The ConfigMap holding scanner-entrypoint.sh (the chart's `<release>-scripts`).
    #[arg(long, value_name = "NAME", default_value = InjectOptions::DEFAULT_SCRIPTS_CONFIGMAP)]
    pub scripts_configmap: String,

    /// Where the scanner writes results and the completion marker.
    #[arg(long, value_name = "DIR", default_value = InjectOptions::DEFAULT_RESULTS_DIR)]
    pub results_dir: String,

    /// UID of the target (and so of the scanner and the pod); default: the pod's runAsUser, else 10001.
    #[arg(long, value_name = "UID", value_parser = clap::value_parser!(i64).range(1..))]
    pub run_as_user: Option<i64>,

    /// GID of the target; default: the pod's runAsGroup, else the UID.
    #[arg(long, value_name = "GID", value_parser = clap::value_parser!(i64).range(1..))]
    pub run_as_group: Option<i64>,

    /// Extended regex on the target's command line (default: the lowest PID outside the scanner).
    #[arg(long, value_name = "REGEX")]
    pub target_process: Option<String>,
}

#[derive(Debug, Args)]
#[command(
    mut_arg("pods", |arg| arg.help("Named pods: the Role is restricted to them with `resourceNames`")),
    mut_arg("selector", |arg| arg.help(
        "Pods are chosen by label selector at fetch time (needs `list`)"
    ))
)]
pub struct RbacArgs {
    /// Namespace of the scanned pods.
    #[arg(short, long, value_name = "NS")]
    pub namespace: String,

    #[command(flatten)]
    pub pods: PodArgs,

    /// Name of the ServiceAccount, and of its Role and RoleBinding.
    #[arg(long, value_name = "NAME", default_value = "scangate-fetch")]
    pub service_account: String,
}
