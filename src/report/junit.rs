//! `--format junit`: JUnit XML, as GitLab, Jenkins and Azure DevOps read
//! test reports.
//!
//! A test case is one resource checked by one rule family (`POD Deployment
//! apps/web`), so resources that pass count as passing tests. Every
//! resource gets a case for each family whose rules ran, except the
//! families about files rather than resources (`PARSE`, `LEAK`, `SUPP`):
//! their findings, and any other finding outside a resource, make a case of
//! their file (`LEAK (file)`). A case fails on unsuppressed findings at or
//! above `--fail-on`, so the report agrees with the exit status; findings
//! below it are listed in the case's `system-out`; a case with only
//! suppressed findings is skipped. Each file is a test suite. The families
//! of Rego policies (`REGO`, `GK`) make cases when the run has findings of
//! them: without policies they judge nothing.

use std::collections::BTreeMap;
use std::fmt::Write;

use super::Context;
use super::location::{Anchor, on_disk};
use super::xml::escape;
use crate::finding::Finding;
use crate::source::FileId;

/// Families whose findings are about files, not resources.
const FILE_FAMILIES: [&str; 3] = ["PARSE", "LEAK", "SUPP"];

/// Where a case's findings are: a resource (by index), or the file itself.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
enum Subject {
    Resource(usize),
    File,
}

#[derive(Default)]
struct Case<'a> {
    failures: Vec<&'a Finding>,
    below: Vec<&'a Finding>,
    suppressed: Vec<&'a Finding>,
}

#[derive(Default)]
struct Totals {
    tests: usize,
    failures: usize,
    skipped: usize,
}

pub fn render(context: &Context<'_>) -> String {
    let outcome = context.outcome;
    // Families in the order of `charter rules`, with whether any rule ran.
    let mut families: Vec<(&str, bool)> = Vec::new();
    let policy_family = |family: &str| crate::rules::rego::POLICY_FAMILIES.contains(&family);
    let metas = context.rules.iter().map(|rule| rule.meta);
    let policy_findings = outcome.findings.iter().map(|finding| finding.rule);
    for meta in metas.chain(policy_findings) {
        let on = context.config.severity_of(meta).is_some()
            && (!policy_family(meta.family())
                || outcome
                    .findings
                    .iter()
                    .any(|finding| finding.rule.family() == meta.family()));
        match families.iter_mut().find(|(f, _)| *f == meta.family()) {
            Some((_, any)) => *any |= on,
            None => families.push((meta.family(), on)),
        }
    }
    let position = |family: &str| families.iter().position(|(f, _)| *f == family);
    let mut cases: BTreeMap<(FileId, Subject, usize), Case<'_>> = BTreeMap::new();
    for resource in &outcome.resources {
        for (index, (family, on)) in families.iter().enumerate() {
            if *on && !FILE_FAMILIES.contains(family) {
                cases.insert(
                    (resource.file, Subject::Resource(resource.index), index),
                    Case::default(),
                );
            }
        }
    }
    for finding in &outcome.findings {
        let family = position(finding.rule.family()).unwrap_or(usize::MAX);
        let resource = finding
            .resource
            .and_then(|index| outcome.resources.get(index));
        let key = match resource {
            Some(resource) if !FILE_FAMILIES.contains(&finding.rule.family()) => {
                (resource.file, Subject::Resource(resource.index), family)
            }
            _ => (finding.file, Subject::File, family),
        };
        let case = cases.entry(key).or_default();
        match (
            finding.is_suppressed(),
            context.fail_on.fails(finding.severity),
        ) {
            (true, _) => case.suppressed.push(finding),
            (false, true) => case.failures.push(finding),
            (false, false) => case.below.push(finding),
        }
    }

    let mut suites = String::new();
    let mut all = Totals::default();
    let mut cases = cases.into_iter().peekable();
    while let Some(((file, _, _), _)) = cases.peek() {
        let file = *file;
        let source = &outcome.files[file];
        let located = source
            .path
            .as_deref()
            .map(|path| on_disk(path, context.root))
            .filter(|(_, anchor)| *anchor == Anchor::Root);
        let mut body = String::new();
        let mut totals = Totals::default();
        while let Some(((_, subject, family), case)) = cases.next_if(|((f, _, _), _)| *f == file) {
            let family = families.get(family).map_or("", |(name, _)| *name);
            let subject = match subject {
                Subject::Resource(index) => outcome.resources[index].display(),
                Subject::File => "(file)".to_owned(),
            };
            let name = format!("{family} {subject}");
            let children = children(&case, &mut totals);
            let _ = write!(
                body,
                "    <testcase classname=\"{}\" name=\"{}\"",
                escape(&source.name, true),
                escape(&name, true)
            );
            if let Some((path, _)) = &located {
                let _ = write!(body, " file=\"{}\"", escape(path, true));
            }
            match children.is_empty() {
                true => body.push_str("/>\n"),
                false => {
                    let _ = writeln!(body, ">{children}\n    </testcase>");
                }
            }
        }
        let _ = write!(
            suites,
            "  <testsuite name=\"{}\" tests=\"{}\" failures=\"{}\" errors=\"0\" skipped=\"{}\">\n{body}  </testsuite>\n",
            escape(&source.name, true),
            totals.tests,
            totals.failures,
            totals.skipped,
        );
        all.tests += totals.tests;
        all.failures += totals.failures;
        all.skipped += totals.skipped;
    }
    format!(
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<testsuites name=\"charter\" tests=\"{}\" failures=\"{}\" errors=\"0\" skipped=\"{}\">\n{suites}</testsuites>\n",
        all.tests, all.failures, all.skipped
    )
}

/// The elements inside a test case: its failure or why it was skipped, and
/// the findings below `--fail-on`; counted in `totals`.
fn children(case: &Case<'_>, totals: &mut Totals) -> String {
    let mut children = String::new();
    totals.tests += 1;
    if !case.failures.is_empty() {
        totals.failures += 1;
        let (message, kind) = match case.failures.as_slice() {
            [one] => (
                format!("{}: {}", one.rule.id, one.message),
                one.rule.id.to_owned(),
            ),
            many => (format!("{} findings", many.len()), ids(many)),
        };
        let _ = write!(
            children,
            "\n      <failure message=\"{}\" type=\"{}\">{}</failure>",
            escape(&message, true),
            escape(&kind, true),
            escape(&listing(&case.failures, &case.suppressed), false)
        );
    } else if !case.suppressed.is_empty() && case.below.is_empty() {
        totals.skipped += 1;
        let reasons: Vec<String> = case
            .suppressed
            .iter()
            .map(|finding| format!("{} suppressed: {}", finding.rule.id, reason(finding)))
            .collect();
        let _ = write!(
            children,
            "\n      <skipped message=\"{}\"/>",
            escape(&reasons.join("; "), true)
        );
    }
    if !case.below.is_empty() {
        // Suppressed findings are listed once: under the failure when
        // there is one, else here.
        let suppressed: &[&Finding] = match case.failures.is_empty() {
            true => &case.suppressed,
            false => &[],
        };
        let _ = write!(
            children,
            "\n      <system-out>{}</system-out>",
            escape(&listing(&case.below, suppressed), false)
        );
    }
    children
}

/// The rule ids of `findings`, each once, in order.
fn ids(findings: &[&Finding]) -> String {
    let mut ids: Vec<&str> = Vec::new();
    for finding in findings {
        if !ids.contains(&finding.rule.id) {
            ids.push(finding.rule.id);
        }
    }
    ids.join(", ")
}

/// Findings one per paragraph: rule, severity, position, field, message,
/// fix; then the suppressed ones with their reasons.
fn listing(findings: &[&Finding], suppressed: &[&Finding]) -> String {
    let mut text = String::new();
    for finding in findings {
        let _ = write!(
            text,
            "{} {} at line {}",
            finding.rule.id,
            finding.severity.as_str(),
            finding.mark
        );
        if let Some(pointer) = &finding.path {
            let _ = write!(text, " ({pointer})");
        }
        let _ = write!(text, ": {}\nfix: {}\n", finding.message, finding.hint);
    }
    for finding in suppressed {
        let _ = writeln!(
            text,
            "{} at line {} suppressed: {}",
            finding.rule.id,
            finding.mark,
            reason(finding)
        );
    }
    text
}

fn reason(finding: &Finding) -> &str {
    finding
        .suppression
        .as_ref()
        .map_or("", |suppression| suppression.reason.as_str())
}
