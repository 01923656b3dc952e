//! The JSON audit report: versioned, described by
//! `docs/audit-report-v1.schema.json`. Its own format, not `check`'s: it
//! carries scores and the grouping, and keys never change meaning within a
//! version.

use serde::Serialize;

use super::score::{self, Tally};
use super::{Audit, Item, SnippetLine, Target};

pub const VERSION: u32 = 1;

#[derive(Serialize)]
struct Report<'a> {
    version: u32,
    date: String,
    target: JsonTarget<'a>,
    files_read: usize,
    resources: usize,
    scores: Scores<'a>,
    principles: Vec<Principle<'a>>,
    suppressed: Vec<JsonItem<'a>>,
    worst_resources: Vec<Worst<'a>>,
    not_checked: &'a [String],
}

#[derive(Serialize)]
#[serde(tag = "kind", rename_all = "lowercase")]
enum JsonTarget<'a> {
    Paths {
        paths: &'a [String],
    },
    Cluster {
        context: &'a str,
        namespace: Option<&'a str>,
    },
}

#[derive(Serialize)]
struct Scores<'a> {
    overall: Option<u32>,
    grade: Option<&'static str>,
    findings: &'a Tally,
    principles: Vec<PrincipleScore<'a>>,
}

#[derive(Serialize)]
struct PrincipleScore<'a> {
    principle: &'static str,
    title: &'static str,
    score: Option<u32>,
    grade: Option<&'static str>,
    findings: &'a Tally,
}

#[derive(Serialize)]
struct Principle<'a> {
    principle: &'static str,
    families: Vec<Family<'a>>,
}

#[derive(Serialize)]
struct Family<'a> {
    family: &'static str,
    resources: Vec<Subject<'a>>,
}

#[derive(Serialize)]
struct Subject<'a> {
    subject: &'a str,
    file: &'a str,
    findings: Vec<JsonItem<'a>>,
}

#[derive(Serialize)]
struct JsonItem<'a> {
    rule: &'static str,
    title: &'static str,
    severity: &'static str,
    principle: &'static str,
    message: &'a str,
    fix: &'a str,
    explain: String,
    file: &'a str,
    line: u32,
    column: u32,
    template: Option<&'a str>,
    path: Option<&'a str>,
    subject: &'a str,
    snippet: Vec<Line<'a>>,
    suppression: Option<Suppression<'a>>,
}

#[derive(Serialize)]
struct Line<'a> {
    line: u32,
    text: &'a str,
    marked: bool,
}

#[derive(Serialize)]
struct Suppression<'a> {
    kind: &'static str,
    reason: &'a str,
    origin: &'a str,
    expires: Option<String>,
}

#[derive(Serialize)]
struct Worst<'a> {
    resource: &'a str,
    file: &'a str,
    findings: &'a Tally,
}

pub fn render(audit: &Audit) -> String {
    let scores = &audit.scores;
    let report = Report {
        version: VERSION,
        date: audit.date.to_string(),
        target: match &audit.target {
            Target::Paths(paths) => JsonTarget::Paths { paths },
            Target::Cluster { context, namespace } => JsonTarget::Cluster {
                context,
                namespace: namespace.as_deref(),
            },
        },
        files_read: audit.files_read,
        resources: audit.resources,
        scores: Scores {
            overall: scores.overall,
            grade: scores.overall.map(score::grade),
            findings: &scores.tally,
            principles: scores
                .principles
                .iter()
                .map(|slot| PrincipleScore {
                    principle: slot.principle.slug(),
                    title: slot.principle.title(),
                    score: slot.score,
                    grade: slot.score.map(score::grade),
                    findings: &slot.tally,
                })
                .collect(),
        },
        principles: audit
            .principles
            .iter()
            .map(|group| Principle {
                principle: group.principle.slug(),
                families: group
                    .families
                    .iter()
                    .map(|family| Family {
                        family: family.family,
                        resources: family
                            .subjects
                            .iter()
                            .map(|subject| Subject {
                                subject: &subject.subject,
                                file: &subject.file,
                                findings: subject.items.iter().map(item).collect(),
                            })
                            .collect(),
                    })
                    .collect(),
            })
            .collect(),
        suppressed: audit.suppressed.iter().map(item).collect(),
        worst_resources: audit
            .worst
            .iter()
            .map(|worst| Worst {
                resource: &worst.subject,
                file: &worst.file,
                findings: &worst.tally,
            })
            .collect(),
        not_checked: &audit.not_checked,
    };
    let mut text = serde_json::to_string_pretty(&report).expect("a report always serializes");
    text.push('\n');
    text
}

fn item(item: &Item) -> JsonItem<'_> {
    JsonItem {
        rule: item.rule.id,
        title: item.rule.title,
        severity: item.severity.as_str(),
        principle: item.rule.principle.slug(),
        message: &item.message,
        fix: &item.fix,
        explain: format!("charter explain {}", item.rule.id),
        file: &item.file,
        line: item.mark.line,
        column: item.mark.column,
        template: item.template.as_deref(),
        path: item.path.as_deref(),
        subject: &item.subject,
        snippet: item.snippet.iter().map(line).collect(),
        suppression: item.suppression.as_ref().map(|suppression| Suppression {
            kind: suppression.kind.as_str(),
            reason: &suppression.reason,
            origin: &suppression.origin,
            expires: suppression.expires.map(|date| date.to_string()),
        }),
    }
}

fn line(line: &SnippetLine) -> Line<'_> {
    Line {
        line: line.number,
        text: &line.text,
        marked: line.marked,
    }
}
