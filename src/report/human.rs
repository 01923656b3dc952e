//! `--format human`: each finding with its source snippet, then a summary.

use std::fmt;
use std::sync::Arc;
use std::time::Duration;

use miette::{
    Diagnostic, GraphicalReportHandler, GraphicalTheme, LabeledSpan, NamedSource, SourceCode,
};

use super::redacted::RedactedSources;
use super::{counts, failed, plural};
use crate::check::Outcome;
use crate::config::FailOn;
use crate::finding::Finding;
use crate::rules::Severity;
use crate::source::Mark;

pub struct Style {
    pub color: bool,
    pub show_suppressed: bool,
    pub width: usize,
}

pub fn render(outcome: &Outcome, fail_on: FailOn, style: &Style, elapsed: Duration) -> String {
    let theme = match style.color {
        true => GraphicalTheme::unicode(),
        false => GraphicalTheme::unicode_nocolor(),
    };
    let handler = GraphicalReportHandler::new_themed(theme)
        .with_width(style.width)
        .with_context_lines(1)
        .with_wrap_lines(false)
        .without_syntax_highlighting();
    let mut sources = RedactedSources::new(&outcome.files);
    let mut output = String::new();
    for finding in &outcome.findings {
        if finding.is_suppressed() && !style.show_suppressed {
            continue;
        }
        let diagnostic = FindingDiagnostic::new(outcome, finding, &mut sources);
        // Rendering into a String cannot fail.
        let _ = handler.render_report(&mut output, &diagnostic);
        output.push('\n');
    }
    output.push_str(&summary(outcome, fail_on, elapsed));
    output
}

fn summary(outcome: &Outcome, fail_on: FailOn, elapsed: Duration) -> String {
    let counts = counts(outcome);
    let tally = &outcome.tally;
    let mut found = [
        plural(counts.error, "error"),
        plural(counts.warning, "warning"),
        format!("{} info", counts.info),
    ]
    .join(", ");
    if counts.suppressed > 0 {
        found.push_str(&format!(" ({} suppressed)", counts.suppressed));
    }
    let mut scanned = match tally.files_scanned {
        0 => String::new(),
        count => format!("; {} scanned for secrets", plural(count, "file")),
    };
    if !outcome.rendered.is_empty() {
        scanned.push_str(&format!(
            "; {} rendered",
            plural(outcome.rendered.len(), "Helm release")
        ));
    }
    let mut text = format!(
        "charter: {found} in {} ({}, {}{scanned}) [{:.2}s]\n",
        plural(tally.files_read, "file"),
        plural(tally.documents, "document"),
        plural(tally.resources, "resource"),
        elapsed.as_secs_f64(),
    );
    let mut skipped = Vec::new();
    if tally.files_unreadable > 0 {
        skipped.push(format!(
            "{} not readable (see PARSE findings)",
            plural(tally.files_unreadable, "file")
        ));
    }
    if tally.empty_documents > 0 {
        skipped.push(plural(tally.empty_documents, "empty document"));
    }
    if tally.non_kubernetes_documents > 0 {
        skipped.push(plural(
            tally.non_kubernetes_documents,
            "non-Kubernetes document",
        ));
    }
    if tally.tool_configurations > 0 {
        skipped.push(plural(tally.tool_configurations, "tool configuration"));
    }
    if tally.binary_files > 0 {
        skipped.push(format!(
            "{} not scanned for secrets",
            plural(tally.binary_files, "binary file")
        ));
    }
    if tally.large_files > 0 {
        skipped.push(format!(
            "{} over the size limit not scanned for secrets",
            plural(tally.large_files, "file")
        ));
    }
    if !outcome.charts.is_empty() {
        skipped.push(format!(
            "{} not rendered, {} ({})",
            plural(outcome.charts.len(), "Helm chart"),
            outcome
                .charts_not_rendered_because
                .as_deref()
                .unwrap_or("no helm"),
            outcome.charts.join(", ")
        ));
    }
    if !skipped.is_empty() {
        text.push_str(&format!("skipped: {}\n", skipped.join("; ")));
    }
    if failed(outcome, fail_on) {
        text.push_str(&format!(
            "failed: findings at or above `{}`\n",
            fail_on.as_str()
        ));
    }
    text
}

struct FindingDiagnostic {
    header: String,
    severity: miette::Severity,
    hint: String,
    source: Option<NamedSource<Arc<str>>>,
    label: Option<LabeledSpan>,
}

impl FindingDiagnostic {
    fn new(outcome: &Outcome, finding: &Finding, sources: &mut RedactedSources<'_>) -> Self {
        let file = &outcome.files[finding.file];
        let mut header = format!(
            "{}[{}]: {}",
            finding.severity, finding.rule.id, finding.message
        );
        if let Some(template) = file.template_at(finding.mark.line) {
            header.push_str(&format!("\n  in template {}", template.name));
        }
        if let Some(suppression) = &finding.suppression {
            header.push_str(&format!(
                " (suppressed by {}: {})",
                suppression.origin, suppression.reason
            ));
        }
        let snippet = sources.get(finding.file).and_then(|redacted| {
            let offset = redacted.offset_of(finding.mark)?;
            let rest = redacted.line_text(finding.mark.line).unwrap_or_default();
            let column_offset = offset - redacted.offset_of(Mark::new(finding.mark.line, 1))?;
            let length = rest
                .get(column_offset..)
                .map_or(0, |tail| tail.trim_end().len());
            let text = redacted.text.clone()?;
            let label = LabeledSpan::new(Some(finding.rule.title.to_owned()), offset, length);
            Some((
                NamedSource::new(file.name.clone(), text).with_language("yaml"),
                label,
            ))
        });
        if snippet.is_none() {
            header = format!("{}:{}: {header}", file.name, finding.mark);
        }
        let (source, label) = snippet.unzip();
        FindingDiagnostic {
            header,
            severity: match finding.severity {
                Severity::Error => miette::Severity::Error,
                Severity::Warning => miette::Severity::Warning,
                Severity::Info => miette::Severity::Advice,
            },
            hint: finding.hint.to_string(),
            source,
            label,
        }
    }
}

impl fmt::Display for FindingDiagnostic {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.header)
    }
}

impl fmt::Debug for FindingDiagnostic {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.header)
    }
}

impl std::error::Error for FindingDiagnostic {}

impl Diagnostic for FindingDiagnostic {
    fn severity(&self) -> Option<miette::Severity> {
        Some(self.severity)
    }

    fn help<'a>(&'a self) -> Option<Box<dyn fmt::Display + 'a>> {
        Some(Box::new(&self.hint))
    }

    fn source_code(&self) -> Option<&dyn SourceCode> {
        self.source.as_ref().map(|source| source as &dyn SourceCode)
    }

    fn labels(&self) -> Option<Box<dyn Iterator<Item = LabeledSpan> + '_>> {
        self.label
            .clone()
            .map(|label| Box::new(std::iter::once(label)) as Box<dyn Iterator<Item = LabeledSpan>>)
    }
}
