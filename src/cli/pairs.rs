//! `FORMAT=PATH` values, checked by clap while it parses the command line: a bad one is a
//! usage error naming the flag, before any file is read.

use std::path::PathBuf;
use std::str::FromStr;

use scangate_report::Format;
use scangate_report::template::TEMPLATE_FORMATS;

/// `--report FORMAT=PATH`; `-` is stdout.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ReportArg {
    pub format: Format,
    pub path: PathBuf,
}

/// `--template FORMAT=TEMPLATE`: a handlebars file replacing the markdown or html report.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TemplateArg {
    pub format: Format,
    pub file: PathBuf,
}

fn split(value: &str, shape: &str) -> Result<(Format, String), String> {
    let Some((format, rest)) = value.split_once('=') else {
        return Err(format!("expected {shape}, e.g. junit=out/junit.xml"));
    };
    Ok((format.parse()?, rest.to_owned()))
}

impl FromStr for ReportArg {
    type Err = String;

    fn from_str(value: &str) -> Result<ReportArg, String> {
        let (format, path) = split(value, "FORMAT=PATH")?;
        if path.is_empty() {
            return Err("no path after `=` (use `-` for stdout)".to_owned());
        }
        Ok(ReportArg {
            format,
            path: path.into(),
        })
    }
}

impl FromStr for TemplateArg {
    type Err = String;

    fn from_str(value: &str) -> Result<TemplateArg, String> {
        let (format, file) = split(value, "FORMAT=TEMPLATE")?;
        if !TEMPLATE_FORMATS.contains(&format) {
            return Err(format!(
                "templates replace the markdown or html report, not {format}"
            ));
        }
        if file.is_empty() {
            return Err("no template file after `=`".to_owned());
        }
        Ok(TemplateArg {
            format,
            file: file.into(),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pairs_are_checked_whole() {
        let report: ReportArg = "md=out/r.md".parse().unwrap();
        assert_eq!(report.format, Format::Markdown);
        assert_eq!(report.path, PathBuf::from("out/r.md"));
        // Only the first `=` splits: paths may hold more.
        let report: ReportArg = "json=a=b.json".parse().unwrap();
        assert_eq!(report.path, PathBuf::from("a=b.json"));
        assert!("junit".parse::<ReportArg>().is_err());
        assert!("junit=".parse::<ReportArg>().is_err());
        assert!("pdf=x".parse::<ReportArg>().is_err());
        let report: ReportArg = "codequality=gl-code-quality-report.json".parse().unwrap();
        assert_eq!(report.format, Format::CodeQuality);
        assert!("junit=t.hbs".parse::<TemplateArg>().is_err());
        assert!("codequality=t.hbs".parse::<TemplateArg>().is_err());
        assert!("html=".parse::<TemplateArg>().is_err());
        assert_eq!(
            "html=t.hbs".parse::<TemplateArg>().unwrap().format,
            Format::Html
        );
    }
}
