//! The HTML audit report: one self-contained file. Styles are inline, fonts
//! are the system's, there is no script and no image, and a
//! Content-Security-Policy forbids the browser from fetching anything, so
//! opening the report tells nobody that it was opened (privacy first). A
//! print stylesheet puts each principle on its own page.
//!
//! Every piece of text from the run (messages, names, source lines) goes
//! through `escape`: a manifest value is never markup.

use std::fmt::Write;

use super::score::{self, Tally};
use super::{Audit, Item};
use crate::report::plural;

/// Forbids every fetch: styles only from the document, images only as
/// `data:` (none are used today).
pub const CSP: &str = "default-src 'none'; style-src 'unsafe-inline'; img-src data:";

const STYLE: &str = r#"
:root { color-scheme: light; --fg: #1b1f24; --muted: #57606a; --line: #d0d7de; --soft: #f6f8fa;
  --error: #b42318; --warning: #9a6700; --info: #0b5cad; --good: #1a7f37; }
* { box-sizing: border-box; }
body { margin: 0 auto; max-width: 72rem; padding: 1.5rem 2rem 4rem; color: var(--fg); background: #fff;
  font: 15px/1.5 system-ui, -apple-system, "Segoe UI", Roboto, "Noto Sans", "Liberation Sans", Arial, sans-serif; }
code, pre, .mono { font-family: ui-monospace, SFMono-Regular, "SF Mono", Menlo, Consolas, "DejaVu Sans Mono", "Liberation Mono", monospace; font-size: 0.9em; }
h1 { font-size: 1.8rem; margin: 0 0 .25rem; }
h2 { font-size: 1.4rem; margin: 2.5rem 0 .75rem; border-bottom: 2px solid var(--line); padding-bottom: .25rem; }
h3 { font-size: 1.2rem; margin: 2rem 0 .5rem; }
h4 { font-size: 1.05rem; margin: 1.5rem 0 .5rem; color: var(--muted); }
h5 { font-size: 1rem; margin: 1.25rem 0 .5rem; }
small, .muted { color: var(--muted); font-weight: normal; }
table { border-collapse: collapse; width: 100%; margin: .5rem 0 1rem; }
th, td { text-align: left; padding: .35rem .6rem; border-bottom: 1px solid var(--line); vertical-align: top; overflow-wrap: break-word; }
td .mono { overflow-wrap: anywhere; }
td code, td.date, td.num { white-space: nowrap; }
th { background: var(--soft); }
td.num, th.num { text-align: right; font-variant-numeric: tabular-nums; }
.overall { display: flex; align-items: baseline; gap: 1rem; margin: 1rem 0; }
.overall .value { font-size: 3rem; font-weight: 700; line-height: 1; }
.bar { display: inline-block; width: 10rem; height: .6rem; background: var(--soft); border: 1px solid var(--line);
  border-radius: .3rem; overflow: hidden; vertical-align: middle; margin-right: .5rem; }
.bar > span { display: block; height: 100%; background: var(--good); }
.grade-C .bar > span, .grade-D .bar > span { background: var(--warning); }
.grade-F .bar > span { background: var(--error); }
.grade { display: inline-block; min-width: 1.6rem; text-align: center; border-radius: .3rem; padding: 0 .3rem;
  color: #fff; background: var(--good); font-weight: 700; }
.grade-C .grade, .grade-D .grade { background: var(--warning); }
.grade-F .grade { background: var(--error); }
nav ul { columns: 2; padding-left: 1.2rem; }
a { color: var(--info); }
.finding { border: 1px solid var(--line); border-left: 4px solid var(--info); border-radius: .4rem; padding: .6rem .9rem; margin: .6rem 0; }
.finding.error { border-left-color: var(--error); }
.finding.warning { border-left-color: var(--warning); }
.finding p { margin: .2rem 0; }
.sev { font-weight: 700; text-transform: uppercase; font-size: .75rem; letter-spacing: .04em; }
.error .sev { color: var(--error); } .warning .sev { color: var(--warning); } .info .sev { color: var(--info); }
.loc { color: var(--muted); }
pre.snippet { background: var(--soft); border: 1px solid var(--line); border-radius: .3rem; padding: .5rem .75rem;
  overflow-x: auto; margin: .4rem 0; line-height: 1.4; }
pre.snippet .ln { color: var(--muted); display: inline-block; min-width: 3.5ch; text-align: right; margin-right: 1ch; user-select: none; }
pre.snippet .hit { background: #fff8c5; display: inline-block; width: 100%; }
.fix { border-top: 1px dashed var(--line); padding-top: .3rem; }
footer { margin-top: 3rem; color: var(--muted); font-size: .9rem; }
@media print {
  body { max-width: none; padding: 0; font-size: 11pt; }
  nav { display: none; }
  a { color: inherit; text-decoration: none; }
  h2, h3, h4, h5 { break-after: avoid; }
  /* Scores and worst resources on the first page; then a page per
     principle, and the suppressed findings on their own. */
  .principle, #suppressed, #not-checked { break-before: page; }
  .finding, tr, pre.snippet { break-inside: avoid; }
  pre.snippet { white-space: pre-wrap; overflow: visible; }
  .bar, .grade, pre.snippet .hit { -webkit-print-color-adjust: exact; print-color-adjust: exact; }
}
"#;

/// Text as HTML: `&`, `<`, `>` and both quotes escaped, so it is safe in
/// element content and in quoted attributes alike.
pub fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    out
}

/// Escaped text in which the rules' `code spans` become `<code>`; an odd
/// backtick out stays a backtick.
pub fn inline(text: &str) -> String {
    let parts: Vec<&str> = text.split('`').collect();
    if parts.len() % 2 == 0 {
        return escape(text);
    }
    let mut out = String::with_capacity(text.len() + 16);
    for (index, part) in parts.iter().enumerate() {
        match index % 2 {
            1 => {
                out.push_str("<code>");
                out.push_str(&escape(part));
                out.push_str("</code>");
            }
            _ => out.push_str(&escape(part)),
        }
    }
    out
}

pub fn render(audit: &Audit) -> String {
    let mut html = String::with_capacity(64 * 1024);
    let target = escape(&audit.target.describe());
    // Writing into a String cannot fail.
    let _ = write!(
        html,
        "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n\
         <meta http-equiv=\"Content-Security-Policy\" content=\"{CSP}\">\n\
         <meta name=\"referrer\" content=\"no-referrer\">\n\
         <meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n\
         <title>charter audit: {target}</title>\n<style>{STYLE}</style>\n</head>\n<body>\n\
         <header>\n<h1>charter audit</h1>\n<p class=\"muted\">{target} · {date} · {files} · {resources}</p>\n</header>\n",
        date = audit.date,
        files = plural(audit.files_read, "file"),
        resources = plural(audit.resources, "resource"),
    );
    scores(&mut html, audit);
    contents(&mut html, audit);
    worst(&mut html, audit);
    findings(&mut html, audit);
    suppressed(&mut html, audit);
    not_checked(&mut html, audit);
    let _ = write!(
        html,
        "<footer>\n<p>Scores: each unsuppressed finding costs 10 points (error), 3 (warning) or 1 (info); \
         with <var>P</var> points over <var>N</var> resources checked, a score is \
         ⌊1000·<var>N</var> / (10·<var>N</var> + <var>P</var>)⌋: 100 with no finding, 50 at one error per resource. \
         “not assessed”: no rule of the principle was on. \
         <code>charter explain RULE</code> tells why a rule exists and how to satisfy it.</p>\n\
         </footer>\n</body>\n</html>\n"
    );
    html
}

/// A score with its bar and grade, or "not assessed".
fn score_cell(value: Option<u32>) -> String {
    match value {
        Some(value) => {
            let grade = score::grade(value);
            format!(
                "<span class=\"grade-{grade}\"><span class=\"bar\"><span style=\"width:{value}%\"></span></span>\
                 <strong>{value}</strong> <span class=\"grade\">{grade}</span></span>"
            )
        }
        None => "<span class=\"muted\">not assessed</span>".to_owned(),
    }
}

fn tally_cells(tally: &Tally) -> String {
    format!(
        "<td class=\"num\">{}</td><td class=\"num\">{}</td><td class=\"num\">{}</td><td class=\"num\">{}</td>",
        tally.error, tally.warning, tally.info, tally.points
    )
}

fn scores(html: &mut String, audit: &Audit) {
    let scores = &audit.scores;
    let overall = match scores.overall {
        Some(value) => {
            let grade = score::grade(value);
            format!(
                "<div class=\"overall grade-{grade}\"><span class=\"value\">{value}</span>\
                 <span>/ 100 overall <span class=\"grade\">{grade}</span></span></div>"
            )
        }
        None => "<div class=\"overall\"><span class=\"muted\">Overall: not assessed (no rule was on)</span></div>".to_owned(),
    };
    let _ = write!(
        html,
        "<section id=\"scores\">\n<h2 id=\"scores-title\">Scores</h2>\n{overall}\n\
         <p class=\"muted\">{}, {}, {} info over {} (suppressed findings do not count).</p>\n\
         <table>\n<thead><tr><th>Principle</th><th>Score</th><th class=\"num\">Errors</th>\
         <th class=\"num\">Warnings</th><th class=\"num\">Info</th><th class=\"num\">Points</th></tr></thead>\n<tbody>\n",
        plural(scores.tally.error, "error"),
        plural(scores.tally.warning, "warning"),
        scores.tally.info,
        plural(scores.resources, "resource"),
    );
    for slot in &scores.principles {
        let _ = writeln!(
            html,
            "<tr><td>{}</td><td>{}</td>{}</tr>",
            escape(&slot.principle.to_string()),
            score_cell(slot.score),
            tally_cells(&slot.tally)
        );
    }
    html.push_str("</tbody>\n</table>\n</section>\n");
}

fn contents(html: &mut String, audit: &Audit) {
    html.push_str(
        "<nav>\n<h2>Contents</h2>\n<ul>\n<li><a href=\"#worst\">Worst resources</a></li>\n",
    );
    for group in &audit.principles {
        let count: usize = group.families.iter().map(|family| family.count()).sum();
        let _ = writeln!(
            html,
            "<li><a href=\"#{}\">{}</a> <small>({})</small></li>",
            group.principle.slug(),
            escape(&group.principle.to_string()),
            plural(count, "finding")
        );
    }
    let _ = writeln!(
        html,
        "<li><a href=\"#suppressed\">Suppressed findings</a> <small>({})</small></li>\n</ul>\n</nav>",
        audit.suppressed.len()
    );
}

fn worst(html: &mut String, audit: &Audit) {
    let _ = write!(
        html,
        "<section id=\"worst\">\n<h2>Worst resources (top {})</h2>\n",
        super::WORST
    );
    if audit.worst.is_empty() {
        html.push_str("<p>No resource has an unsuppressed finding.</p>\n</section>\n");
        return;
    }
    html.push_str(
        "<table>\n<thead><tr><th class=\"num\">#</th><th>Resource</th><th>File</th><th class=\"num\">Errors</th>\
         <th class=\"num\">Warnings</th><th class=\"num\">Info</th><th class=\"num\">Points</th></tr></thead>\n<tbody>\n",
    );
    for (rank, worst) in audit.worst.iter().enumerate() {
        let _ = writeln!(
            html,
            "<tr><td class=\"num\">{}</td><td>{}</td><td class=\"mono\">{}</td>{}</tr>",
            rank + 1,
            escape(&worst.subject),
            escape(&worst.file),
            tally_cells(&worst.tally)
        );
    }
    html.push_str("</tbody>\n</table>\n</section>\n");
}

fn findings(html: &mut String, audit: &Audit) {
    html.push_str("<section id=\"findings\">\n<h2>Findings</h2>\n");
    if audit.principles.is_empty() {
        html.push_str("<p>No unsuppressed finding.</p>\n");
    }
    for group in &audit.principles {
        let score = audit.scores.of(group.principle);
        let _ = writeln!(
            html,
            "<section class=\"principle\" id=\"{}\">\n<h3>{} <small>{}</small></h3>",
            group.principle.slug(),
            escape(&group.principle.to_string()),
            score.map_or_else(
                || "not assessed".to_owned(),
                |score| format!("score {score}")
            )
        );
        for family in &group.families {
            let _ = writeln!(
                html,
                "<section class=\"family\">\n<h4>{} <small>({})</small></h4>",
                escape(family.family),
                plural(family.count(), "finding")
            );
            for subject in &family.subjects {
                let _ = writeln!(
                    html,
                    "<h5>{} <small class=\"mono\">{}</small></h5>",
                    escape(&subject.subject),
                    escape(&subject.file)
                );
                for item in &subject.items {
                    finding(html, item);
                }
            }
            html.push_str("</section>\n");
        }
        html.push_str("</section>\n");
    }
    html.push_str("</section>\n");
}

fn location(item: &Item) -> String {
    let mut location = format!("<span class=\"mono\">{}</span>", escape(&item.location()));
    if let Some(template) = &item.template {
        let _ = write!(
            location,
            " · template <span class=\"mono\">{}</span>",
            escape(template)
        );
    }
    if let Some(path) = &item.path {
        let _ = write!(location, " · <span class=\"mono\">{}</span>", escape(path));
    }
    location
}

fn finding(html: &mut String, item: &Item) {
    let severity = item.severity.as_str();
    let _ = write!(
        html,
        "<div class=\"finding {severity}\">\n\
         <p><span class=\"sev\">{severity}</span> <code>{id}</code> {title}</p>\n\
         <p class=\"loc\">{location}</p>\n<p>{message}</p>\n",
        id = escape(item.rule.id),
        title = inline(item.rule.title),
        location = location(item),
        message = inline(&item.message),
    );
    snippet(html, item);
    let _ = write!(
        html,
        "<p class=\"fix\"><strong>Fix:</strong> {fix} <span class=\"muted\">More: <code>charter explain {id}</code></span></p>\n</div>\n",
        fix = inline(&item.fix),
        id = escape(item.rule.id),
    );
}

fn snippet(html: &mut String, item: &Item) {
    if item.snippet.is_empty() {
        return;
    }
    html.push_str("<pre class=\"snippet\">");
    for line in &item.snippet {
        let text = escape(&line.text);
        let number = line.number;
        match line.marked {
            true => {
                let _ = writeln!(
                    html,
                    "<span class=\"hit\"><span class=\"ln\">{number}</span>{text}</span>"
                );
            }
            false => {
                let _ = writeln!(html, "<span class=\"ln\">{number}</span>{text}");
            }
        }
    }
    html.push_str("</pre>\n");
}

fn suppressed(html: &mut String, audit: &Audit) {
    html.push_str("<section id=\"suppressed\">\n<h2>Suppressed findings</h2>\n");
    if audit.suppressed.is_empty() {
        html.push_str("<p>None.</p>\n</section>\n");
        return;
    }
    html.push_str(
        "<table>\n<thead><tr><th>Rule</th><th>Resource</th><th>Where</th><th>Reason</th><th>By</th>\
         <th>Expires</th></tr></thead>\n<tbody>\n",
    );
    for item in &audit.suppressed {
        let Some(suppression) = &item.suppression else {
            continue;
        };
        let _ = writeln!(
            html,
            "<tr><td><code>{}</code> <span class=\"muted\">{}</span></td><td>{}</td><td>{}</td><td>{}</td>\
             <td>{}: <span class=\"mono\">{}</span></td><td class=\"date\">{}</td></tr>",
            escape(item.rule.id),
            escape(item.severity.as_str()),
            escape(&item.subject),
            location(item),
            inline(&suppression.reason),
            suppression.kind.as_str(),
            escape(&suppression.origin),
            suppression
                .expires
                .map_or_else(|| "never".to_owned(), |date| date.to_string()),
        );
    }
    html.push_str("</tbody>\n</table>\n</section>\n");
}

fn not_checked(html: &mut String, audit: &Audit) {
    if audit.not_checked.is_empty() {
        return;
    }
    html.push_str("<section id=\"not-checked\">\n<h2>Not checked</h2>\n<ul>\n");
    for line in &audit.not_checked {
        let _ = writeln!(html, "<li>{}</li>", escape(line));
    }
    html.push_str("</ul>\n</section>\n");
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escape_makes_markup_text() {
        assert_eq!(
            escape("<script>alert('x & \"y\"')</script>"),
            "&lt;script&gt;alert(&#39;x &amp; &quot;y&quot;&#39;)&lt;/script&gt;"
        );
        assert_eq!(escape("plain é"), "plain é");
    }

    #[test]
    fn code_spans_become_code_elements() {
        assert_eq!(
            inline("set `a<b` to `c`"),
            "set <code>a&lt;b</code> to <code>c</code>"
        );
        assert_eq!(inline("odd ` one <"), "odd ` one &lt;");
    }
}
