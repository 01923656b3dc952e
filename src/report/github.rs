//! `--format github`: GitHub Actions workflow commands. Printed in a step's
//! log, each becomes an annotation on the pull request at the finding's
//! line (docs.github.com, "Workflow commands for GitHub Actions").

use std::fmt::Write;

use super::location::{Anchor, place};
use super::{Context, counts, failed, plural};
use crate::finding::Finding;
use crate::rules::Severity;

pub fn render(context: &Context<'_>) -> String {
    let outcome = context.outcome;
    let mut text = String::new();
    for finding in outcome.findings.iter().filter(|f| !f.is_suppressed()) {
        text.push_str(&command(context, finding));
        text.push('\n');
    }
    let counts = counts(outcome);
    let _ = write!(
        text,
        "charter: {}, {}, {} info ({} suppressed)",
        plural(counts.error, "error"),
        plural(counts.warning, "warning"),
        counts.info,
        counts.suppressed
    );
    if failed(outcome, context.fail_on) {
        let _ = write!(
            text,
            "; failed: findings at or above `{}`",
            context.fail_on.as_str()
        );
    }
    text.push('\n');
    text
}

fn command(context: &Context<'_>, finding: &Finding) -> String {
    let place = place(context.outcome, finding, context.root);
    let name = match finding.severity {
        Severity::Error => "error",
        Severity::Warning => "warning",
        Severity::Info => "notice",
    };
    let mut properties = Vec::new();
    // A name that is no file (standard input) would only confuse the
    // annotation: without `file`, it goes on the run instead.
    if place.anchor != Anchor::Named {
        properties.push(("file", place.path.clone()));
    }
    if let Some(mark) = place.position {
        properties.push(("line", mark.line.to_string()));
        // The runner takes columns only within one line, and its end
        // column is the last character's (charter's ends are exclusive).
        match place.end {
            Some(end) if end.line > mark.line => {
                properties.push(("endLine", end.line.to_string()));
            }
            Some(end) if end.column > mark.column + 1 => {
                properties.push(("col", mark.column.to_string()));
                properties.push(("endLine", end.line.to_string()));
                properties.push(("endColumn", (end.column - 1).to_string()));
            }
            _ => properties.push(("col", mark.column.to_string())),
        }
    }
    properties.push(("title", finding.rule.id.to_owned()));
    let properties: Vec<String> = properties
        .into_iter()
        .map(|(key, value)| format!("{key}={}", escape_property(&value)))
        .collect();
    let mut message = finding.message.clone();
    if let Some((stream, mark)) = place.rendered {
        let _ = write!(message, "\n(rendered by Helm: {stream}, line {mark})");
    }
    let _ = write!(message, "\nfix: {}", finding.hint);
    format!(
        "::{name} {}::{}",
        properties.join(","),
        escape_data(&message)
    )
}

/// The message of a command, escaped as the runner unescapes it.
fn escape_data(text: &str) -> String {
    text.replace('%', "%25")
        .replace('\r', "%0D")
        .replace('\n', "%0A")
}

/// A property value: as data, and `:` and `,` too, which end a value.
fn escape_property(text: &str) -> String {
    escape_data(text).replace(':', "%3A").replace(',', "%2C")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn data_and_properties_are_escaped_as_the_runner_expects() {
        assert_eq!(
            escape_data("50% of a\r\nb: c, d"),
            "50%25 of a%0D%0Ab: c, d"
        );
        assert_eq!(escape_property("a:b,c%\n"), "a%3Ab%2Cc%25%0A");
    }
}
