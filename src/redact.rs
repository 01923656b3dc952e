//! Keeping secrets out of charter's own output.
//!
//! Messages never quote secret values (rules name keys, not values); the one
//! place source text is printed is the snippet under a human-format finding,
//! and that text goes through here first.

use crate::resource::Resource;
use crate::source::{Mark, line_slice, line_starts};
use crate::yaml::Node;

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

/// Source ranges of `resource` that hold secret values.
pub fn sensitive_spans(resource: &Resource) -> Vec<(Mark, Mark)> {
    let mut spans = Vec::new();
    if !resource.is("", "Secret") {
        return spans;
    }
    for field in ["data", "stringData"] {
        let entries = resource
            .object
            .get(field)
            .and_then(Node::entries)
            .unwrap_or_default();
        spans.extend(entries.iter().map(|entry| value_span(&entry.node)));
    }
    // kubectl copies the whole Secret, data included, into this annotation.
    let annotation = format!(
        "/metadata/annotations/{}",
        crate::yaml::node::escape_token(LAST_APPLIED)
    );
    spans.extend(resource.get(&annotation).map(value_span));
    spans
}

fn value_span(node: &Node) -> (Mark, Mark) {
    (node.start, node.end)
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
        let from = (from as usize - 1).max(cursor).min(chars.len());
        let to = to.map_or(chars.len(), |to| (to as usize - 1).min(chars.len()));
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
            let inner = inner.strip_suffix(quote).unwrap_or(inner);
            return format!("{quote}{}{quote}", redact(inner));
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
        let redacted = redacted_text(text, &sensitive_spans(&resources[0]));
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
    fn other_kinds_have_no_sensitive_spans() {
        let resources = resources_of(
            "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: a}\ndata: {password: x}\n",
        );
        assert!(sensitive_spans(&resources[0]).is_empty());
    }
}
