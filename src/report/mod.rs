//! Reports of a run: for people (`human`), for programs (`json`), and for CI
//! systems (`sarif`, `junit`, `github`, `gitlab`). `render` turns a run into
//! any of them, so every command that reports findings shares the formats.

pub mod fingerprint;
pub mod github;
pub mod gitlab;
pub mod human;
pub mod json;
pub mod junit;
pub mod location;
pub mod redacted;
pub mod sarif;
pub mod xml;

use std::path::{Path, PathBuf};
use std::time::Duration;

use serde::Serialize;

use crate::check::Outcome;
use crate::config::{Config, FailOn};
use crate::rules::{Rule, Severity};

/// A report format.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum Format {
    /// Findings with source snippets, for people.
    Human,
    /// The versioned JSON report, for programs.
    Json,
    /// SARIF 2.1.0, for code scanning (GitHub `upload-sarif`, IDEs).
    Sarif,
    /// JUnit XML, for test report views (GitLab, Jenkins, Azure DevOps).
    Junit,
    /// GitHub Actions workflow commands: annotations on the pull request.
    Github,
    /// GitLab Code Quality JSON.
    Gitlab,
}

impl Format {
    pub const ALL: [Format; 6] = [
        Format::Human,
        Format::Json,
        Format::Sarif,
        Format::Junit,
        Format::Github,
        Format::Gitlab,
    ];

    pub fn name(self) -> &'static str {
        match self {
            Format::Human => "human",
            Format::Json => "json",
            Format::Sarif => "sarif",
            Format::Junit => "junit",
            Format::Github => "github",
            Format::Gitlab => "gitlab",
        }
    }

    pub fn parse(name: &str) -> Option<Format> {
        Format::ALL.into_iter().find(|format| format.name() == name)
    }

    /// Whether the format shows source text (snippets), which a run then
    /// has to keep in memory.
    pub fn shows_source(self) -> bool {
        matches!(self, Format::Human | Format::Sarif)
    }
}

/// One `--output FORMAT=FILE`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Output {
    pub format: Format,
    pub file: PathBuf,
}

/// Parses `FORMAT=FILE`, the value of `--output`.
pub fn parse_output(value: &str) -> Result<Output, String> {
    let names = Format::ALL.map(Format::name).join("|");
    let (format, file) = value
        .split_once('=')
        .ok_or_else(|| format!("expected FORMAT=FILE with FORMAT one of {names}"))?;
    let format = Format::parse(format)
        .ok_or_else(|| format!("unknown format `{format}`; expected one of {names}"))?;
    if file.is_empty() {
        return Err(format!("no file after `{}=`", format.name()));
    }
    Ok(Output {
        format,
        file: PathBuf::from(file),
    })
}

/// What every format may need besides the run itself.
pub struct Context<'a> {
    pub outcome: &'a Outcome,
    pub fail_on: FailOn,
    /// Every rule charter knows (SARIF lists them all).
    pub rules: &'a [Rule],
    /// Which rules ran, at which severity.
    pub config: &'a Config,
    /// The directory paths are reported relative to (`%SRCROOT%` in SARIF):
    /// the working directory, which is a CI job's checkout.
    pub root: &'a Path,
    /// How long the run took (only the human summary shows it).
    pub elapsed: Duration,
    /// Print suppressed findings in the human format.
    pub show_suppressed: bool,
}

/// The report of `context` in `format`. `color` applies to the human format.
pub fn render(format: Format, context: &Context<'_>, color: bool) -> String {
    let outcome = context.outcome;
    match format {
        Format::Human => {
            let style = human::Style {
                color,
                show_suppressed: context.show_suppressed,
                width: 100,
            };
            human::render(outcome, context.fail_on, &style, context.elapsed)
        }
        Format::Json => json::render(outcome, context.fail_on),
        Format::Sarif => sarif::render(context),
        Format::Junit => junit::render(context),
        Format::Github => github::render(context),
        Format::Gitlab => gitlab::render(context),
    }
}

/// Findings by severity; suppressed ones are counted apart and never fail a run.
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct Counts {
    pub error: usize,
    pub warning: usize,
    pub info: usize,
    pub suppressed: usize,
}

pub fn counts(outcome: &Outcome) -> Counts {
    let mut counts = Counts::default();
    for finding in &outcome.findings {
        let slot = match (finding.is_suppressed(), finding.severity) {
            (true, _) => &mut counts.suppressed,
            (false, Severity::Error) => &mut counts.error,
            (false, Severity::Warning) => &mut counts.warning,
            (false, Severity::Info) => &mut counts.info,
        };
        *slot += 1;
    }
    counts
}

/// An `--output` file that could not be written.
#[derive(Debug, thiserror::Error, miette::Diagnostic)]
#[error("--output {format}={file}: cannot write the report: {error}", format = .format.name(), file = .file.display())]
#[diagnostic(code(charter::usage))]
pub struct OutputError {
    pub format: Format,
    pub file: PathBuf,
    pub error: std::io::Error,
}

/// Writes each `--output` file (human without colour). A file that cannot
/// be written does not stop the others: every failure is returned.
pub fn write_outputs(outputs: &[Output], context: &Context<'_>) -> Vec<OutputError> {
    outputs
        .iter()
        .filter_map(|output| {
            let text = render(output.format, context, false);
            std::fs::write(&output.file, text)
                .err()
                .map(|error| OutputError {
                    format: output.format,
                    file: output.file.clone(),
                    error,
                })
        })
        .collect()
}

/// `1 error`, `2 errors`.
pub fn plural(count: usize, noun: &str) -> String {
    match count {
        1 => format!("1 {noun}"),
        _ => format!("{count} {noun}s"),
    }
}

/// Whether an unsuppressed finding reaches the `fail_on` severity.
pub fn failed(outcome: &Outcome, fail_on: FailOn) -> bool {
    outcome
        .findings
        .iter()
        .any(|finding| !finding.is_suppressed() && fail_on.fails(finding.severity))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::finding::{Finding, Suppression};
    use crate::loader::Tally;
    use crate::rules::parse;
    use crate::source::Mark;

    fn outcome(findings: Vec<Finding>) -> Outcome {
        Outcome {
            files: Vec::new(),
            resources: Vec::new(),
            findings,
            tally: Tally::default(),
            charts: Vec::new(),
            charts_not_rendered_because: None,
            rendered: Vec::new(),
        }
    }

    #[test]
    fn suppressed_findings_are_counted_apart_and_never_fail() {
        let mut warning = Finding::at(&parse::SYNTAX, 0, Mark::FILE_START, "w");
        warning.severity = Severity::Warning;
        let mut suppressed = Finding::at(&parse::SYNTAX, 0, Mark::FILE_START, "e");
        suppressed.suppression = Some(Suppression {
            reason: "accepted".into(),
            origin: ".charter.yaml:3".into(),
            kind: crate::finding::SuppressionKind::Exemption,
            expires: None,
        });
        let outcome = outcome(vec![warning, suppressed]);
        assert_eq!(
            counts(&outcome),
            Counts {
                error: 0,
                warning: 1,
                info: 0,
                suppressed: 1
            }
        );
        assert!(!failed(&outcome, FailOn::Error));
        assert!(failed(&outcome, FailOn::Warning));
        assert!(failed(&outcome, FailOn::Info));
        assert!(!failed(&outcome, FailOn::Never));
    }
}
