//! SAF CLI 1.5.3's command lines, so that switching from saf is one word: `scangate saf
//! summary -i scan.json`, or the binary run under the name `saf` (a symlink).
//!
//! saf's flags are translated into scangate's own command line, which is named on stderr so it
//! can be pasted in place of the saf one, and then parsed and run like any other. What runs is
//! therefore exactly what the note says, through the native code path: output, files and exit
//! codes are scangate's, nothing here renders or gates anything itself.

use std::ffi::{OsStr, OsString};
use std::path::{Path, PathBuf};

use anyhow::{Result, anyhow, bail};
use clap::{Arg, ArgAction, ArgMatches, Args, FromArgMatches, Parser, Subcommand, ValueEnum};

use crate::cli::{Cli, ColorChoice, SummaryFormat};
use crate::exit::Outcome;

/// What `scangate saf --help` and `saf --help` explain under the one-line description.
pub const LONG_ABOUT: &str = "Run a SAF CLI 1.5.3 command line as scangate.\n\n\
    saf's flags and defaults are accepted (summary, view summary, validate threshold, generate \
    threshold, and the sidecar-scanner docs' `threshold -t` and `summary --output-md`). The \
    equivalent scangate command is printed on stderr and run: its output is scangate's, and so \
    are its exit codes (0 gate passed, 1 gate failed, 2 usage, input or threshold-file error).";

/// The binary run under the name `saf`: the same commands as `scangate saf`.
#[derive(Debug, Parser)]
#[command(
    name = "saf",
    version = concat!("(scangate ", env!("CARGO_PKG_VERSION"), ")"),
    about = "Run a SAF CLI 1.5.3 command line as scangate",
    long_about = LONG_ABOUT,
    max_term_width = 100
)]
pub struct SafCli {
    #[command(subcommand)]
    pub command: SafCommand,
}

#[derive(Debug, Subcommand)]
pub enum SafCommand {
    /// saf summary: counts and compliance per profile (YAML unless -f says otherwise).
    Summary(SafSummaryArgs),
    /// saf view summary: the same as `summary`.
    #[command(subcommand)]
    View(ViewCommand),
    /// saf validate threshold: gate a results file against a threshold.
    #[command(subcommand)]
    Validate(ValidateCommand),
    /// saf generate threshold: write a threshold from a baseline scan.
    #[command(subcommand)]
    Generate(GenerateCommand),
    /// `threshold -i FILE -t FILE`, as the sidecar-scanner docs write `validate threshold -T`.
    Threshold(SafDocThresholdArgs),
}

#[derive(Debug, Subcommand)]
pub enum ViewCommand {
    /// The same as `summary`.
    Summary(SafSummaryArgs),
}

#[derive(Debug, Subcommand)]
pub enum ValidateCommand {
    /// Gate a results file against a threshold: exit 0 when it passes, 1 when it fails.
    Threshold(SafValidateArgs),
}

#[derive(Debug, Subcommand)]
pub enum GenerateCommand {
    /// Write a threshold file from a baseline scan.
    Threshold(SafGenerateArgs),
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum SafFormat {
    Json,
    Yaml,
    Markdown,
}

impl From<SafFormat> for SummaryFormat {
    fn from(format: SafFormat) -> Self {
        match format {
            SafFormat::Json => SummaryFormat::Json,
            SafFormat::Yaml => SummaryFormat::Yaml,
            SafFormat::Markdown => SummaryFormat::Markdown,
        }
    }
}

/// The levels saf's `-L` takes; scangate has no logging to tune, so only the spelling matters.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum LogLevel {
    Info,
    Warn,
    Debug,
    Verbose,
}

#[derive(Debug, Args)]
pub struct SafSummaryArgs {
    /// Input HDF or InSpec JSON files (repeatable, or several after one -i).
    #[arg(short, long, value_name = "FILE", required = true, num_args = 1..)]
    input: Vec<PathBuf>,

    /// Also write the summary to FILE (stdout still gets it unless --no-stdout).
    #[arg(short, long, value_name = "FILE")]
    output: Option<PathBuf>,

    /// Write the summary as Markdown to FILE (the sidecar-scanner docs' form of -f markdown -o).
    #[arg(long = "output-md", value_name = "FILE", conflicts_with_all = ["output", "format"])]
    output_md: Option<PathBuf>,

    /// Output format.
    #[arg(short, long, value_enum, default_value_t = SafFormat::Yaml)]
    format: SafFormat,

    #[command(flatten)]
    switches: Switches,

    /// Accepted for compatibility; scangate has no log levels.
    #[arg(short = 'l', long = "logLevel", value_name = "LEVEL")]
    _log_level: Option<String>,
}

/// saf's oclif `--X`/`--no-X` switches of `summary`, each on unless turned off; as in oclif, the
/// last one given wins.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct Switches {
    stdout: bool,
    print_pretty: bool,
    title_table: bool,
}

/// Each switch: `--X`, its short flag, `--no-X`, and the help of each.
const SWITCHES: [(&str, char, &str, &str, &str); 3] = [
    (
        "stdout",
        's',
        "no-stdout",
        "Print to stdout (the default, also when writing a file)",
        "Print nothing to stdout: only the file of -o or --output-md is written",
    ),
    (
        "print-pretty",
        'r',
        "no-print-pretty",
        "Indent JSON (the default)",
        "Compact JSON on one line",
    ),
    (
        "title-table",
        't',
        "no-title-table",
        "A `# <profile>` title above each Markdown table (the default)",
        "No titles above the Markdown tables",
    ),
];

impl Args for Switches {
    fn augment_args(cmd: clap::Command) -> clap::Command {
        SWITCHES
            .iter()
            .fold(cmd, |cmd, &(on, short, off, on_help, off_help)| {
                // Overriding works both ways, so `--no-X --X` keeps only `--X`.
                cmd.arg(
                    Arg::new(on)
                        .short(short)
                        .long(on)
                        .help(on_help)
                        .action(ArgAction::SetTrue)
                        .overrides_with(off),
                )
                .arg(
                    Arg::new(off)
                        .long(off)
                        .help(off_help)
                        .action(ArgAction::SetTrue),
                )
            })
    }

    fn augment_args_for_update(cmd: clap::Command) -> clap::Command {
        Self::augment_args(cmd)
    }
}

impl FromArgMatches for Switches {
    fn from_arg_matches(matches: &ArgMatches) -> Result<Self, clap::Error> {
        let on = |index: usize| !matches.get_flag(SWITCHES[index].2);
        Ok(Self {
            stdout: on(0),
            print_pretty: on(1),
            title_table: on(2),
        })
    }

    fn update_from_arg_matches(&mut self, matches: &ArgMatches) -> Result<(), clap::Error> {
        *self = Self::from_arg_matches(matches)?;
        Ok(())
    }
}

#[derive(Debug, Args)]
pub struct SafValidateArgs {
    /// The results file to gate.
    #[arg(short, long, value_name = "FILE")]
    input: PathBuf,

    #[command(flatten)]
    template: SafTemplate,

    /// Accepted for compatibility; scangate has no log levels.
    #[arg(short = 'L', long = "logLevel", value_enum, value_name = "LEVEL")]
    _log_level: Option<LogLevel>,
}

/// saf passes (exit 0) when given neither, having checked nothing: here one is required.
#[derive(Debug, Args)]
#[group(required = true, multiple = false)]
pub struct SafTemplate {
    /// Threshold file (YAML or JSON).
    #[arg(short = 'T', long = "templateFile", value_name = "FILE")]
    file: Option<PathBuf>,

    /// Inline threshold: "{compliance.min: 80}, {failed.total.max: 2}".
    #[arg(short = 'I', long = "templateInline", value_name = "TEXT")]
    inline: Option<String>,
}

#[derive(Debug, Args)]
pub struct SafDocThresholdArgs {
    /// The results file to gate.
    #[arg(short, long, value_name = "FILE")]
    input: PathBuf,

    /// Threshold file (YAML or JSON).
    #[arg(
        short = 't',
        long = "templateFile",
        visible_short_alias = 'T',
        value_name = "FILE"
    )]
    template: PathBuf,
}

#[derive(Debug, Args)]
pub struct SafGenerateArgs {
    /// The baseline results file.
    #[arg(short, long, value_name = "FILE")]
    input: PathBuf,

    /// Write the threshold to FILE instead of stdout.
    #[arg(short, long, value_name = "FILE")]
    output: Option<PathBuf>,

    /// Pin every count exactly: write both min and max.
    #[arg(short, long, overrides_with = "exact")]
    exact: bool,

    /// List the expected control ids under each status and severity.
    #[arg(
        short = 'c',
        long = "generateControlIds",
        overrides_with = "generate_control_ids"
    )]
    generate_control_ids: bool,

    /// Accepted for compatibility; scangate has no log levels.
    #[arg(short = 'L', long = "logLevel", value_enum, value_name = "LEVEL")]
    _log_level: Option<LogLevel>,
}

/// Whether this process was started as `saf` (a symlink or copy named so).
pub fn invoked_as_saf() -> bool {
    std::env::args_os()
        .next()
        .is_some_and(|argv0| Path::new(&argv0).file_stem() == Some(OsStr::new("saf")))
}

/// The whole run of the binary started as `saf`: parse saf's command line and run it.
pub fn main() -> Result<Outcome> {
    run(SafCli::parse().command, ColorChoice::Auto)
}

/// Translates, names on stderr and runs the native command for one saf command line.
pub fn run(command: SafCommand, color: ColorChoice) -> Result<Outcome> {
    let native = translate(command, color)?;
    let cli = Cli::try_parse_from(&native)
        .map_err(|e| anyhow!("internal error: scangate cannot parse its own translation: {e}"))?;
    crate::output::to_stderr(|err| {
        writeln!(
            err,
            "note: saf's command line; scangate's own is: {}",
            shell_join(&native)
        )
    })?;
    crate::run(cli)
}

/// scangate's command line (program name first) for a saf command line.
fn translate(command: SafCommand, color: ColorChoice) -> Result<Vec<OsString>> {
    let mut native = Native(vec!["scangate".into()]);
    if color != ColorChoice::Auto {
        native.arg("--color").arg(name_of(color));
    }
    match command {
        SafCommand::Summary(args) | SafCommand::View(ViewCommand::Summary(args)) => {
            summary(args, &mut native)?;
        }
        SafCommand::Validate(ValidateCommand::Threshold(args)) => {
            // clap lets exactly one of the two through.
            native.arg("check").path("-i", &args.input);
            if let Some(file) = &args.template.file {
                native.path("-T", file);
            }
            if let Some(text) = &args.template.inline {
                native.text("-I", "--threshold-inline", text);
            }
        }
        SafCommand::Threshold(args) => {
            native
                .arg("check")
                .path("-i", &args.input)
                .path("-T", &args.template);
        }
        SafCommand::Generate(GenerateCommand::Threshold(args)) => {
            native
                .arg("threshold")
                .arg("generate")
                .path("-i", &args.input);
            if args.exact {
                native.arg("-e");
            }
            if args.generate_control_ids {
                native.arg("-c");
            }
            if let Some(output) = &args.output {
                native.path("-o", output);
            }
        }
    }
    Ok(native.0)
}

fn summary(args: SafSummaryArgs, native: &mut Native) -> Result<()> {
    let (format, output) = match args.output_md {
        Some(md) => (SummaryFormat::Markdown, Some(md)),
        None => (args.format.into(), args.output),
    };
    let stdout = args.switches.stdout;
    if output.is_none() && !stdout {
        // saf would run and write nothing at all: in CI that is a mistake, not a request.
        bail!("--no-stdout without -o/--output or --output-md writes nothing; add -o FILE");
    }
    native.arg("summary").arg("-i");
    for input in &args.input {
        native.arg(path_arg(input));
    }
    native.arg("-f").arg(name_of(format));
    // saf's pretty printing and titles only change JSON and Markdown; naming them for the
    // other formats would put flags that do nothing into the command to paste.
    if format == SummaryFormat::Json && args.switches.print_pretty {
        native.arg("--pretty");
    }
    if format == SummaryFormat::Markdown && !args.switches.title_table {
        native.arg("--no-title");
    }
    if let Some(output) = &output {
        native.path("-o", output);
        if stdout {
            native.arg("--tee");
        }
    }
    Ok(())
}

/// A native command line being built.
struct Native(Vec<OsString>);

impl Native {
    fn arg(&mut self, arg: impl Into<OsString>) -> &mut Self {
        self.0.push(arg.into());
        self
    }

    fn path(&mut self, flag: &str, path: &Path) -> &mut Self {
        self.arg(flag).arg(path_arg(path))
    }

    /// A text value, glued to its long flag when it would otherwise read as a flag itself.
    fn text(&mut self, short: &str, long: &str, text: &str) -> &mut Self {
        if text.starts_with('-') {
            self.arg(format!("{long}={text}"))
        } else {
            self.arg(short).arg(text)
        }
    }
}

/// saf reads `-x.json` and writes `-` as files; clap would take the first for a flag and
/// scangate the second for stdout, so such paths get a `./` that means the same file.
fn path_arg(path: &Path) -> OsString {
    if path.as_os_str().as_encoded_bytes().starts_with(b"-") {
        Path::new(".").join(path).into_os_string()
    } else {
        path.as_os_str().to_owned()
    }
}

/// The name clap accepts for a value of a `ValueEnum`.
fn name_of(value: impl ValueEnum) -> String {
    value
        .to_possible_value()
        .expect("no variant is skipped")
        .get_name()
        .to_owned()
}

/// The command line as a POSIX shell reads it back: arguments that need it in single quotes.
fn shell_join(args: &[OsString]) -> String {
    args.iter()
        .map(|a| shell_quote(a))
        .collect::<Vec<_>>()
        .join(" ")
}

fn shell_quote(arg: &OsStr) -> String {
    // Lossy: a path that is not UTF-8 cannot be pasted from a terminal line anyway.
    let text = arg.to_string_lossy();
    let plain = !text.is_empty()
        && !text.starts_with('=') // zsh expands a leading `=word` to a command's path
        && text
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || "-_./:,+=@".contains(c));
    if plain {
        text.into_owned()
    } else {
        format!("'{}'", text.replace('\'', r"'\''"))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn quoting_leaves_plain_words_and_quotes_the_rest() {
        let args: Vec<OsString> = [
            "scangate",
            "-i",
            "dir/scan-1.json",
            "{compliance.min: 80}",
            "it's",
            "",
            "=x",
            "a b",
        ]
        .iter()
        .map(OsString::from)
        .collect();
        assert_eq!(
            shell_join(&args),
            r#"scangate -i dir/scan-1.json '{compliance.min: 80}' 'it'\''s' '' '=x' 'a b'"#
        );
    }

    #[test]
    fn paths_that_look_like_flags_get_a_dot_slash() {
        assert_eq!(path_arg(Path::new("-")), OsString::from("./-"));
        assert_eq!(path_arg(Path::new("-a.json")), OsString::from("./-a.json"));
        assert_eq!(path_arg(Path::new("a-.json")), OsString::from("a-.json"));
    }

    #[test]
    fn inline_text_that_looks_like_a_flag_is_glued_to_it() {
        let cli = SafCli::try_parse_from([
            "saf",
            "validate",
            "threshold",
            "-i",
            "a.json",
            "--templateInline=-x",
        ])
        .unwrap();
        let native = translate(cli.command, ColorChoice::Auto).unwrap();
        assert_eq!(
            shell_join(&native),
            "scangate check -i a.json --threshold-inline=-x"
        );
        assert!(Cli::try_parse_from(&native).is_ok());
    }

    #[test]
    fn the_saf_parser_is_consistent() {
        use clap::CommandFactory;
        SafCli::command().debug_assert();
    }
}
