//! Reports of a run: for people (`human`) and for programs (`json`).

pub mod human;
pub mod json;

use serde::Serialize;

use crate::check::Outcome;
use crate::config::FailOn;
use crate::rules::Severity;

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
