//! `--format json`: the versioned, documented machine format (README, "JSON
//! output"). Nothing in it depends on timing or thread count, so two runs over
//! the same input are byte-identical.

use serde::Serialize;

use super::{Counts, counts, failed};
use crate::check::Outcome;
use crate::config::FailOn;
use crate::finding::Finding;

pub const VERSION: u32 = 1;

#[derive(Serialize)]
struct Report<'a> {
    version: u32,
    summary: Summary<'a>,
    findings: Vec<JsonFinding<'a>>,
}

#[derive(Serialize)]
struct Summary<'a> {
    files_read: usize,
    files_unreadable: usize,
    files_scanned: usize,
    documents: usize,
    resources: usize,
    helm_renders: &'a [String],
    skipped: Skipped<'a>,
    findings: Counts,
    fail_on: &'static str,
    failed: bool,
}

#[derive(Serialize)]
struct Skipped<'a> {
    empty_documents: usize,
    non_kubernetes_documents: usize,
    tool_configurations: usize,
    helm_charts: &'a [String],
    helm_charts_reason: Option<&'a str>,
    binary_files: usize,
    large_files: usize,
}

#[derive(Serialize)]
struct JsonFinding<'a> {
    rule: &'static str,
    severity: &'static str,
    principle: &'static str,
    message: &'a str,
    hint: &'a str,
    file: &'a str,
    /// The Helm template the finding's line was rendered from.
    template: Option<&'a str>,
    line: u32,
    column: u32,
    document: Option<usize>,
    path: Option<&'a str>,
    resource: Option<JsonResource<'a>>,
    suppressed: bool,
    suppression_reason: Option<&'a str>,
    suppressed_by: Option<&'a str>,
}

#[derive(Serialize)]
struct JsonResource<'a> {
    #[serde(rename = "apiVersion")]
    api_version: &'a str,
    kind: &'a str,
    namespace: Option<&'a str>,
    name: &'a str,
}

pub fn render(outcome: &Outcome, fail_on: FailOn) -> String {
    let tally = &outcome.tally;
    let report = Report {
        version: VERSION,
        summary: Summary {
            files_read: tally.files_read,
            files_unreadable: tally.files_unreadable,
            files_scanned: tally.files_scanned,
            documents: tally.documents,
            resources: tally.resources,
            helm_renders: &outcome.rendered,
            skipped: Skipped {
                empty_documents: tally.empty_documents,
                non_kubernetes_documents: tally.non_kubernetes_documents,
                tool_configurations: tally.tool_configurations,
                helm_charts: &outcome.charts,
                helm_charts_reason: outcome.charts_not_rendered_because.as_deref(),
                binary_files: tally.binary_files,
                large_files: tally.large_files,
            },
            findings: counts(outcome),
            fail_on: fail_on.as_str(),
            failed: failed(outcome, fail_on),
        },
        findings: outcome
            .findings
            .iter()
            .map(|finding| json_finding(outcome, finding))
            .collect(),
    };
    let mut text = serde_json::to_string_pretty(&report).expect("a report always serializes");
    text.push('\n');
    text
}

fn json_finding<'a>(outcome: &'a Outcome, finding: &'a Finding) -> JsonFinding<'a> {
    let resource = finding.resource.map(|index| {
        let resource = &outcome.resources[index];
        JsonResource {
            api_version: &resource.api_version,
            kind: &resource.kind,
            namespace: resource.namespace.as_deref(),
            name: &resource.name,
        }
    });
    JsonFinding {
        rule: finding.rule.id,
        severity: finding.severity.as_str(),
        principle: finding.rule.principle.slug(),
        message: &finding.message,
        hint: &finding.hint,
        file: &outcome.files[finding.file].name,
        template: outcome.files[finding.file]
            .template_at(finding.mark.line)
            .map(|template| template.name.as_str()),
        line: finding.mark.line,
        column: finding.mark.column,
        document: finding.document,
        path: finding.path.as_deref(),
        resource,
        suppressed: finding.is_suppressed(),
        suppression_reason: finding.suppression.as_ref().map(|s| s.reason.as_str()),
        suppressed_by: finding.suppression.as_ref().map(|s| s.origin.as_str()),
    }
}
