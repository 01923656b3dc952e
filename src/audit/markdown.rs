//! The Markdown audit report, for GitHub and GitLab (GitHub Flavored
//! Markdown: tables, fenced code). Text from the run is escaped so that a
//! manifest value never becomes markup or raw HTML; rule messages keep
//! their `code spans`.

use std::fmt::Write;

use super::score::{self, Tally};
use super::{Audit, Item};
use crate::report::plural;

pub fn render(audit: &Audit) -> String {
    let mut md = String::with_capacity(32 * 1024);
    // Writing into a String cannot fail.
    let _ = write!(
        md,
        "# charter audit: {}\n\n{} · {} · {}\n\n",
        text(&audit.target.describe()),
        audit.date,
        plural(audit.files_read, "file"),
        plural(audit.resources, "resource"),
    );
    scores(&mut md, audit);
    worst(&mut md, audit);
    findings(&mut md, audit);
    suppressed(&mut md, audit);
    if !audit.not_checked.is_empty() {
        md.push_str("## Not checked\n\n");
        for line in &audit.not_checked {
            let _ = writeln!(md, "- {}", text(line));
        }
        md.push('\n');
    }
    md.push_str(
        "---\n\nScores: each unsuppressed finding costs 10 points (error), 3 (warning) or 1 (info); \
         with P points over N resources checked, a score is ⌊1000·N / (10·N + P)⌋ \
         (100 with no finding, 50 at one error per resource). \
         `charter explain RULE` tells why a rule exists and how to satisfy it.\n",
    );
    md
}

/// Escapes Markdown outside `code spans` (kept as the rules wrote them) and
/// makes `<`, `>`, `&` entities everywhere outside them, so no raw HTML gets
/// through. An odd backtick out is escaped too.
pub fn text(input: &str) -> String {
    let balanced = input.matches('`').count() % 2 == 0;
    let mut out = String::with_capacity(input.len());
    let mut in_code = false;
    for c in input.chars() {
        match c {
            '`' if balanced => {
                in_code = !in_code;
                out.push('`');
            }
            // A line break would end a list item or table row.
            '\n' | '\r' => out.push(' '),
            c if in_code => out.push(c),
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '\\' | '`' | '*' | '_' | '[' | ']' | '#' | '|' | '~' | '!' => {
                out.push('\\');
                out.push(c);
            }
            c => out.push(c),
        }
    }
    out
}

/// `text` for a table cell: a `|` inside a code span must be escaped too.
fn cell(input: &str) -> String {
    let mut out = String::with_capacity(input.len());
    let escaped = text(input);
    let mut previous = None;
    for c in escaped.chars() {
        if c == '|' && previous != Some('\\') {
            out.push('\\');
        }
        out.push(c);
        previous = Some(c);
    }
    out
}

fn score_text(value: Option<u32>) -> String {
    match value {
        Some(value) => format!("**{value}** ({})", score::grade(value)),
        None => "not assessed".to_owned(),
    }
}

fn tally_cells(tally: &Tally) -> String {
    format!(
        "{} | {} | {} | {}",
        tally.error, tally.warning, tally.info, tally.points
    )
}

fn scores(md: &mut String, audit: &Audit) {
    let scores = &audit.scores;
    let _ = write!(
        md,
        "## Scores\n\n**Overall: {}** · {}, {}, {} info over {} \
         (suppressed findings do not count)\n\n\
         | Principle | Score | Errors | Warnings | Info | Points |\n|---|---|--:|--:|--:|--:|\n",
        match scores.overall {
            Some(value) => format!("{value}/100 ({})", score::grade(value)),
            None => "not assessed".to_owned(),
        },
        plural(scores.tally.error, "error"),
        plural(scores.tally.warning, "warning"),
        scores.tally.info,
        plural(scores.resources, "resource"),
    );
    for slot in &scores.principles {
        let _ = writeln!(
            md,
            "| {} | {} | {} |",
            cell(&slot.principle.to_string()),
            score_text(slot.score),
            tally_cells(&slot.tally)
        );
    }
    md.push('\n');
}

fn worst(md: &mut String, audit: &Audit) {
    let _ = write!(md, "## Worst resources (top {})\n\n", super::WORST);
    if audit.worst.is_empty() {
        md.push_str("No resource has an unsuppressed finding.\n\n");
        return;
    }
    md.push_str(
        "| # | Resource | File | Errors | Warnings | Info | Points |\n|--:|---|---|--:|--:|--:|--:|\n",
    );
    for (rank, worst) in audit.worst.iter().enumerate() {
        let _ = writeln!(
            md,
            "| {} | {} | `{}` | {} |",
            rank + 1,
            cell(&worst.subject),
            worst.file.replace('`', "'").replace('|', "\\|"),
            tally_cells(&worst.tally)
        );
    }
    md.push('\n');
}

fn findings(md: &mut String, audit: &Audit) {
    md.push_str("## Findings\n\n");
    if audit.principles.is_empty() {
        md.push_str("No unsuppressed finding.\n\n");
    }
    for group in &audit.principles {
        let score = audit.scores.of(group.principle);
        let _ = write!(
            md,
            "### {} (score {})\n\n",
            text(&group.principle.to_string()),
            score.map_or_else(|| "not assessed".to_owned(), |score| score.to_string())
        );
        for family in &group.families {
            let _ = write!(
                md,
                "#### {} ({})\n\n",
                family.family,
                plural(family.count(), "finding")
            );
            for subject in &family.subjects {
                let _ = write!(
                    md,
                    "##### {} in {}\n\n",
                    text(&subject.subject),
                    code(&subject.file)
                );
                for item in &subject.items {
                    finding(md, item);
                }
            }
        }
    }
}

/// A code span holding `value` whatever backticks it contains.
fn code(value: &str) -> String {
    let longest = longest_backtick_run(value);
    let fence = "`".repeat(longest + 1);
    match longest {
        0 => format!("`{value}`"),
        _ => format!("{fence} {value} {fence}"),
    }
}

fn longest_backtick_run(value: &str) -> usize {
    value.split(|c| c != '`').map(str::len).max().unwrap_or(0)
}

fn location(item: &Item) -> String {
    let mut location = code(&item.location());
    if let Some(template) = &item.template {
        let _ = write!(location, " (template {})", code(template));
    }
    if let Some(path) = &item.path {
        let _ = write!(location, " at {}", code(path));
    }
    location
}

fn finding(md: &mut String, item: &Item) {
    let _ = write!(
        md,
        "- **{}** `{}` {}: {}  \n  {}  \n  **Fix:** {} (`charter explain {}`)\n",
        item.severity,
        item.rule.id,
        text(item.rule.title),
        location(item),
        text(&item.message),
        text(&item.fix),
        item.rule.id,
    );
    if !item.snippet.is_empty() {
        let longest = item
            .snippet
            .iter()
            .map(|line| longest_backtick_run(&line.text))
            .max()
            .unwrap_or(0);
        let fence = "`".repeat(longest.max(2) + 1);
        let width = item
            .snippet
            .last()
            .map_or(1, |line| line.number.to_string().len());
        let _ = write!(md, "\n  {fence}yaml\n");
        for line in &item.snippet {
            let marker = if line.marked { '>' } else { ' ' };
            let _ = writeln!(md, "  {marker}{:>width$} | {}", line.number, line.text);
        }
        let _ = writeln!(md, "  {fence}");
    }
    md.push('\n');
}

fn suppressed(md: &mut String, audit: &Audit) {
    md.push_str("## Suppressed findings\n\n");
    if audit.suppressed.is_empty() {
        md.push_str("None.\n\n");
        return;
    }
    md.push_str("| Rule | Resource | Where | Reason | By | Expires |\n|---|---|---|---|---|---|\n");
    for item in &audit.suppressed {
        let Some(suppression) = &item.suppression else {
            continue;
        };
        let _ = writeln!(
            md,
            "| `{}` {} | {} | {} | {} | {}: {} | {} |",
            item.rule.id,
            item.severity,
            cell(&item.subject),
            location(item).replace('|', "\\|"),
            cell(&suppression.reason),
            suppression.kind.as_str(),
            cell(&suppression.origin),
            suppression
                .expires
                .map_or_else(|| "never".to_owned(), |date| date.to_string()),
        );
    }
    md.push('\n');
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn text_keeps_code_spans_and_stops_markup() {
        assert_eq!(
            text("grants `*` on <script>alert(1)</script> [x](y) a_b *c*"),
            "grants `*` on &lt;script&gt;alert(1)&lt;/script&gt; \\[x\\](y) a\\_b \\*c\\*"
        );
        // An odd backtick cannot open a code span that swallows the rest.
        assert_eq!(text("a ` b <i>"), "a \\` b &lt;i&gt;");
        assert_eq!(text("two\nlines"), "two lines");
    }

    #[test]
    fn cells_escape_pipes_even_in_code() {
        assert_eq!(cell("a | b `c|d`"), "a \\| b `c\\|d`");
    }

    #[test]
    fn code_spans_outgrow_their_backticks() {
        assert_eq!(code("plain"), "`plain`");
        assert_eq!(code("a`b"), "`` a`b ``");
    }
}
