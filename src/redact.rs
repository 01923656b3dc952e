//! Keeping secrets out of charter's own output.
//!
//! Messages never quote secret values (rules name keys, not values); the one
//! place source text is printed is the snippet under a human-format finding,
//! and that text goes through here first. The loader records what to mask
//! while it reads, so that a Secret too broken to become a resource (no name,
//! a syntax error) is masked all the same.

use crate::source::{Mark, line_slice, line_starts};
use crate::yaml::Node;

/// A range of source text, from `.0` up to (not including) `.1`.
pub type Span = (Mark, Mark);

const LAST_APPLIED: &str = "kubectl.kubernetes.io/last-applied-configuration";

/// How a secret is shown: its first four characters, then `****`. Values of
/// eight characters or fewer show only `****`, since four characters would be
/// half of them.
pub fn redact(secret: &str) -> String {
    match secret.chars().count() {
        0..=8 => "****".to_owned(),
        _ => secret.chars().take(4).chain("****".chars()).collect(),
    }
}

/// Source ranges of a parsed object that hold secret values: a Secret's
/// `data` and `stringData` values, and kubectl's copy of them. Any object
/// with `kind: Secret` counts, named or not, whatever its `apiVersion`.
pub fn secret_spans(object: &Node) -> Vec<Span> {
    let mut spans = Vec::new();
    if object["kind"].as_str() != Some("Secret") {
        return spans;
    }
    for field in ["data", "stringData"] {
        let entries = object
            .get(field)
            .and_then(Node::entries)
            .unwrap_or_default();
        spans.extend(entries.iter().map(|entry| value_span(&entry.node)));
    }
    // kubectl copies the whole Secret, data included, into this annotation.
    let annotation = &object["metadata"]["annotations"][LAST_APPLIED];
    if !annotation.is_null() {
        spans.push(value_span(annotation));
    }
    spans
}

fn value_span(node: &Node) -> Span {
    (node.start, node.end)
}

/// For a document that could not be parsed (so its structure is unknown) and
/// that looks like a Secret: every value on lines `first..end`, keeping keys,
/// so a syntax error in a Secret never prints the secret.
pub fn unparsed_secret_spans(text: &str, first: u32, end: u32) -> Vec<Span> {
    let lines: Vec<(u32, &str)> = text
        .lines()
        .enumerate()
        .map(|(index, line)| (index as u32 + 1, line))
        .filter(|(number, _)| (first..end).contains(number))
        .collect();
    let looks_like_secret = lines.iter().any(|(_, line)| {
        let compact: String = line
            .chars()
            .filter(|c| !c.is_whitespace() && *c != '"' && *c != '\'')
            .collect();
        compact.starts_with("kind:Secret")
            || compact.contains(",kind:Secret")
            || compact.contains("{kind:Secret")
    });
    if !looks_like_secret {
        return Vec::new();
    }
    lines
        .into_iter()
        .filter_map(|(number, line)| {
            let content = line.trim_start();
            let bare_key = content.ends_with(':') && !content.contains(": ");
            let document_marker = line
                .strip_prefix("---")
                .is_some_and(|rest| rest.is_empty() || rest.starts_with([' ', '\t']));
            if content.is_empty() || bare_key || document_marker || content.starts_with('#') {
                return None;
            }
            let indent = line.chars().count() - content.chars().count();
            // After `key:` when the line has one, else the whole line.
            let value_from = content
                .find(": ")
                .map_or(0, |colon| content[..colon + 2].chars().count());
            let from = (indent + value_from) as u32 + 1;
            let to = line.chars().count() as u32 + 1;
            (to > from).then_some((Mark::new(number, from), Mark::new(number, to)))
        })
        .collect()
}

/// `text` with every span masked. Lines are kept (a multi-line secret leaves
/// its lines in place, masked), so line numbers stay true.
pub fn redacted_text(text: &str, spans: &[(Mark, Mark)]) -> String {
    if spans.is_empty() {
        return text.to_owned();
    }
    let starts = line_starts(text);
    let mut masks: Vec<(u32, u32, Option<u32>, bool)> = Vec::new();
    for &(start, end) in spans {
        if start.line == 0 {
            continue;
        }
        for line in start.line..=end.line {
            let from = if line == start.line { start.column } else { 1 };
            let to = if line == end.line {
                Some(end.column)
            } else {
                None
            };
            if to.is_some_and(|to| to <= from) {
                continue;
            }
            masks.push((line, from, to, line == start.line));
        }
    }
    masks.sort();
    let mut output = String::with_capacity(text.len());
    let mut masks = masks.into_iter().peekable();
    for (index, raw_line) in text.split_inclusive('\n').enumerate() {
        let number = index as u32 + 1;
        let mut line_masks = Vec::new();
        while let Some(mask) = masks.next_if(|mask| mask.0 == number) {
            line_masks.push(mask);
        }
        if line_masks.is_empty() {
            output.push_str(raw_line);
            continue;
        }
        let content = line_slice(text, &starts, number).unwrap_or_default();
        let ending = &raw_line[content.len()..];
        output.push_str(&mask_line(content, &line_masks));
        output.push_str(ending);
    }
    output
}

fn mask_line(line: &str, masks: &[(u32, u32, Option<u32>, bool)]) -> String {
    let chars: Vec<char> = line.chars().collect();
    let mut result = String::with_capacity(line.len());
    let mut cursor = 0usize;
    for &(_, from, to, first_line) in masks {
        let from = (from as usize)
            .saturating_sub(1)
            .max(cursor)
            .min(chars.len());
        let to = to.map_or(chars.len(), |to| {
            (to as usize).saturating_sub(1).min(chars.len())
        });
        if to <= from {
            continue;
        }
        result.extend(&chars[cursor..from]);
        let segment: String = chars[from..to].iter().collect();
        let leading = segment.len() - segment.trim_start().len();
        result.push_str(&segment[..leading]);
        let body = segment.trim();
        if !body.is_empty() {
            result.push_str(&match first_line {
                true => redact_quoted(body),
                false => "****".to_owned(),
            });
        }
        cursor = to;
    }
    result.extend(&chars[cursor..]);
    result
}

/// Redacts a scalar as written, keeping its quotes outside the mask.
fn redact_quoted(written: &str) -> String {
    for quote in ['"', '\''] {
        if let Some(inner) = written.strip_prefix(quote) {
            // An unterminated quote stays unterminated: it may be the error shown.
            return match inner.strip_suffix(quote) {
                Some(inner) => format!("{quote}{}{quote}", redact(inner)),
                None => format!("{quote}{}", redact(inner)),
            };
        }
    }
    redact(written)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::loader::tests::resources_of;

    #[test]
    fn short_secrets_show_nothing() {
        assert_eq!(redact("hunter2"), "****");
        assert_eq!(redact("sk-proj-abcdefgh"), "sk-p****");
    }

    #[test]
    fn secret_values_are_masked_line_by_line() {
        let text = "\
apiVersion: v1
kind: Secret
metadata:
  name: db
  annotations:
    kubectl.kubernetes.io/last-applied-configuration: '{\"data\":{\"password\":\"c3VwZXJzZWNyZXQ=\"}}'
data:
  password: c3VwZXJzZWNyZXQ=
  short: aGk=
stringData:
  quoted: \"correct horse battery staple\"
  key.pem: |
    -----BEGIN PRIVATE KEY-----
    MIIEvQIBADANBgkqhkiG9w0BAQEFAASC
    -----END PRIVATE KEY-----
  flow: {nested: value}
";
        let resources = resources_of(text);
        let redacted = redacted_text(text, &secret_spans(&resources[0].object));
        let expected = "\
apiVersion: v1
kind: Secret
metadata:
  name: db
  annotations:
    kubectl.kubernetes.io/last-applied-configuration: '{\"da****'
data:
  password: c3Vw****
  short: ****
stringData:
  quoted: \"corr****\"
  key.pem: |
    ----****
    ****
    ****
  flow: {nes****
";
        assert_eq!(redacted, expected);
        assert_eq!(redacted.lines().count(), text.lines().count());
        for secret in ["c3VwZXJzZWNyZXQ=", "horse", "MIIEvQ", "PRIVATE", "value"] {
            assert!(!redacted.contains(secret), "{secret} leaked");
        }
    }

    #[test]
    fn unparsed_secrets_keep_keys_and_lose_values() {
        let text = "apiVersion: v1\nkind: Secret\nstringData:\n  password: \"hunter2-but-longer\n  # comment\n  -----BEGIN KEY-----\n  nested:\n";
        let redacted = redacted_text(text, &unparsed_secret_spans(text, 1, 99));
        assert_eq!(
            redacted,
            "apiVersion: ****\nkind: ****\nstringData:\n  password: \"hunt****\n  # comment\n  ----****\n  nested:\n"
        );
        let json = "{\"kind\": \"Secret\", \"data\": {\"k\": \"c2VjcmV0LXZhbHVl\"";
        assert!(!redacted_text(json, &unparsed_secret_spans(json, 1, 2)).contains("c2VjcmV0"));
        let config_map = "kind: ConfigMap\ndata:\n  a: [\n";
        assert!(unparsed_secret_spans(config_map, 1, 9).is_empty());
    }

    #[test]
    fn other_kinds_have_no_sensitive_spans() {
        let resources = resources_of(
            "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: a}\ndata: {password: x}\n",
        );
        assert!(secret_spans(&resources[0].object).is_empty());
    }
}
