//! `--format gitlab`: a GitLab Code Quality report (the subset of the Code
//! Climate format GitLab reads), shown on merge requests as new and fixed
//! issues. Suppressed findings are left out: they are accepted, not issues.

use serde::Serialize;

use super::Context;
use super::fingerprint::fingerprints;
use super::location::place;
use crate::rules::Severity;

#[derive(Serialize)]
struct Issue<'a> {
    description: String,
    check_name: &'static str,
    fingerprint: &'a str,
    severity: &'static str,
    location: Location,
}

#[derive(Serialize)]
struct Location {
    path: String,
    lines: Lines,
}

#[derive(Serialize)]
struct Lines {
    begin: u32,
}

pub fn render(context: &Context<'_>) -> String {
    let outcome = context.outcome;
    let fingerprints = fingerprints(outcome, context.root);
    let issues: Vec<Issue<'_>> = outcome
        .findings
        .iter()
        .zip(&fingerprints)
        .filter(|(finding, _)| !finding.is_suppressed())
        .map(|(finding, fingerprint)| {
            let place = place(outcome, finding, context.root);
            let mut description = format!("{}: {}", finding.rule.id, finding.message);
            if let Some((stream, mark)) = place.rendered {
                description.push_str(&format!(" (rendered by Helm: {stream}, line {mark})"));
            }
            Issue {
                description,
                check_name: finding.rule.id,
                fingerprint,
                severity: severity(finding.severity),
                location: Location {
                    path: place.path,
                    // A template's own lines are not known: its first line
                    // stands for it.
                    lines: Lines {
                        begin: place.position.map_or(1, |mark| mark.line),
                    },
                },
            }
        })
        .collect();
    let mut text = serde_json::to_string_pretty(&issues).unwrap_or_default();
    text.push('\n');
    text
}

/// GitLab's scale has five steps: errors are `critical` (they fail the gate
/// by default), warnings `major`, info `info`; `minor` and `blocker` are
/// not used.
fn severity(severity: Severity) -> &'static str {
    match severity {
        Severity::Error => "critical",
        Severity::Warning => "major",
        Severity::Info => "info",
    }
}
