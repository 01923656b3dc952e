//! Scores out of 100, per principle and overall (README, "Audit reports").
//!
//! Each unsuppressed finding costs points by severity; the points are
//! spread over the resources checked, and the score falls as
//! `1000 / (10 + points per resource)`: half marks at one error per
//! resource, never below zero, and each further finding costs less than the
//! one before (a thousand warnings in one chart do not hide everything
//! else). Integer arithmetic only, so a score never depends on rounding.

use serde::Serialize;

use crate::finding::Finding;
use crate::rules::{Principle, Severity};

/// What one unsuppressed finding costs.
pub fn weight(severity: Severity) -> u64 {
    match severity {
        Severity::Error => 10,
        Severity::Warning => 3,
        Severity::Info => 1,
    }
}

/// `⌊1000·n / (10·n + points)⌋` for `n` resources (at least one): 100 with
/// no points, at most 99 with any.
pub fn score(points: u64, resources: usize) -> u32 {
    let n = resources.max(1) as u64;
    // Bounded by 100: 1000·n / (10·n) is the largest value.
    (1000 * n / (10 * n + points)) as u32
}

/// A grade for people skimming a report.
pub fn grade(score: u32) -> &'static str {
    match score {
        90.. => "A",
        75..=89 => "B",
        50..=74 => "C",
        25..=49 => "D",
        _ => "F",
    }
}

/// The unsuppressed findings and points of one principle (or of all).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct Tally {
    pub error: usize,
    pub warning: usize,
    pub info: usize,
    pub points: u64,
}

impl Tally {
    fn add(&mut self, severity: Severity) {
        match severity {
            Severity::Error => self.error += 1,
            Severity::Warning => self.warning += 1,
            Severity::Info => self.info += 1,
        }
        self.points += weight(severity);
    }
}

/// One principle's score; `score` is `None` when no rule of the principle
/// was on (nothing was assessed, which is not the same as a clean 100).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PrincipleScore {
    pub principle: Principle,
    pub score: Option<u32>,
    pub tally: Tally,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Scores {
    /// `None` when no rule at all was on.
    pub overall: Option<u32>,
    pub tally: Tally,
    /// In the constitution's order, all five.
    pub principles: Vec<PrincipleScore>,
    /// The divisor of the formula (at least one).
    pub resources: usize,
}

impl Scores {
    /// The score of `principle`, `None` when it was not assessed.
    pub fn of(&self, principle: Principle) -> Option<u32> {
        self.principles
            .iter()
            .find(|slot| slot.principle == principle)
            .and_then(|slot| slot.score)
    }
}

pub const PRINCIPLES: [Principle; 5] = [
    Principle::PrivacyFirst,
    Principle::SecurityByDesign,
    Principle::InfrastructureAsCode,
    Principle::OperationalExcellence,
    Principle::DeveloperExperience,
];

/// Scores `findings` over `resources` checked; `assessed` says which
/// principles had at least one rule on.
pub fn scores(findings: &[Finding], resources: usize, assessed: &[Principle]) -> Scores {
    let mut overall = Tally::default();
    let mut principles: Vec<PrincipleScore> = PRINCIPLES
        .iter()
        .map(|&principle| PrincipleScore {
            principle,
            score: None,
            tally: Tally::default(),
        })
        .collect();
    for finding in findings.iter().filter(|finding| !finding.is_suppressed()) {
        overall.add(finding.severity);
        if let Some(slot) = principles
            .iter_mut()
            .find(|slot| slot.principle == finding.rule.principle)
        {
            slot.tally.add(finding.severity);
        }
    }
    for slot in &mut principles {
        // A finding of a principle whose rules are off can still come from
        // charter itself (a PARSE error): it is assessed then.
        let any = slot.tally.points > 0;
        if any || assessed.contains(&slot.principle) {
            slot.score = Some(score(slot.tally.points, resources));
        }
    }
    Scores {
        overall: (!assessed.is_empty() || overall.points > 0)
            .then(|| score(overall.points, resources)),
        tally: overall,
        principles,
        resources: resources.max(1),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::finding::{Suppression, SuppressionKind};
    use crate::rules::{parse, supp};
    use crate::source::Mark;

    fn finding(meta: &'static crate::rules::RuleMeta, severity: Severity) -> Finding {
        let mut finding = Finding::at(meta, 0, Mark::FILE_START, "x");
        finding.severity = severity;
        finding
    }

    #[test]
    fn the_formula_at_its_landmarks() {
        assert_eq!(score(0, 0), 100);
        assert_eq!(score(0, 40), 100);
        // One error per resource: half marks.
        assert_eq!(score(10 * 40, 40), 50);
        // One warning among ten resources: 1000·10 / (100 + 3).
        assert_eq!(score(3, 10), 97);
        // Any finding at all keeps a score off 100.
        assert_eq!(score(1, 1000), 99);
        // Diminishing returns: the second hundred points cost less than the first.
        let (a, b, c) = (score(0, 10), score(100, 10), score(200, 10));
        assert_eq!((a, b, c), (100, 50, 33));
        assert!(a - b > b - c);
        assert_eq!(score(u32::MAX as u64, 1), 0);
    }

    #[test]
    fn grades_follow_the_score() {
        let grades: Vec<_> = [100, 90, 89, 75, 74, 50, 49, 25, 24, 0]
            .into_iter()
            .map(grade)
            .collect();
        assert_eq!(grades, ["A", "A", "B", "B", "C", "C", "D", "D", "F", "F"]);
    }

    #[test]
    fn principles_score_their_own_unsuppressed_findings() {
        let mut suppressed = finding(&parse::SYNTAX, Severity::Error);
        suppressed.suppression = Some(Suppression {
            reason: "accepted".into(),
            origin: ".charter.yaml:3".into(),
            kind: SuppressionKind::Exemption,
            expires: None,
        });
        let findings = vec![
            finding(&parse::SYNTAX, Severity::Error),
            finding(&parse::SYNTAX, Severity::Warning),
            finding(&supp::supp_003_expired_exemption::META, Severity::Warning),
            suppressed,
        ];
        let assessed = [
            Principle::InfrastructureAsCode,
            Principle::OperationalExcellence,
            Principle::SecurityByDesign,
        ];
        let scores = scores(&findings, 4, &assessed);
        let by: Vec<_> = scores
            .principles
            .iter()
            .map(|slot| (slot.principle.slug(), slot.score, slot.tally.points))
            .collect();
        assert_eq!(
            by,
            [
                ("privacy-first", None, 0),
                ("security-by-design", Some(100), 0),
                // 13 points over 4 resources: 4000 / 53.
                ("infrastructure-as-code", Some(75), 13),
                ("operational-excellence", Some(93), 3),
                ("developer-experience", None, 0),
            ]
        );
        assert_eq!(scores.overall, Some(4000 / 56));
        assert_eq!(
            scores.tally,
            Tally {
                error: 1,
                warning: 2,
                info: 0,
                points: 16
            }
        );
    }

    #[test]
    fn nothing_assessed_is_no_score_at_all() {
        let scores = scores(&[], 0, &[]);
        assert_eq!(scores.overall, None);
        assert!(scores.principles.iter().all(|slot| slot.score.is_none()));
    }
}
