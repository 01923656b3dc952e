//! `--format sarif`: SARIF 2.1.0 (OASIS), the format of code scanning
//! (GitHub's `upload-sarif`, Azure DevOps, IDE viewers). Validated against
//! the official schema, `docs/sarif-2.1.0.json`, by `tests/formats.rs`.

use std::collections::HashMap;

use serde_json::{Map, Value, json};

use super::Context;
use super::fingerprint::{SARIF_KEY, fingerprints};
use super::location::{Anchor, Place, place, resource};
use super::redacted::{self, RedactedSources};
use crate::finding::Finding;
use crate::rules::{Principle, RuleMeta, Severity};

const SCHEMA: &str =
    "https://docs.oasis-open.org/sarif/sarif/v2.1.0/errata01/os/schemas/sarif-schema-2.1.0.json";
const SRCROOT: &str = "%SRCROOT%";

pub fn render(context: &Context<'_>) -> String {
    let outcome = context.outcome;
    // Charter's rules, then those the run's policies made (`REGO-main.deny`,
    // `GK-Kind/name`), which no rule list holds.
    let mut metas: Vec<&RuleMeta> = context.rules.iter().map(|rule| rule.meta).collect();
    for finding in &outcome.findings {
        if !metas.iter().any(|meta| meta.id == finding.rule.id) {
            metas.push(finding.rule);
        }
    }
    let index: HashMap<&str, usize> = metas
        .iter()
        .enumerate()
        .map(|(index, meta)| (meta.id, index))
        .collect();
    let fingerprints = fingerprints(outcome, context.root);
    let mut sources = RedactedSources::new(&outcome.files);
    let results: Vec<Value> = outcome
        .findings
        .iter()
        .zip(&fingerprints)
        .map(|(finding, fingerprint)| {
            let mut result = result(context, finding, &mut sources);
            result["partialFingerprints"] = json!({ SARIF_KEY: fingerprint });
            if let Some(&index) = index.get(finding.rule.id) {
                result["ruleIndex"] = json!(index);
            }
            result
        })
        .collect();
    let mut driver = json!({
        "name": "charter",
        "version": env!("CARGO_PKG_VERSION"),
        "semanticVersion": env!("CARGO_PKG_VERSION"),
        "rules": metas
            .iter()
            .map(|meta| descriptor(meta, context.config.severity_of(meta)))
            .collect::<Vec<_>>(),
    });
    // Only a real address: Cargo.toml names none until the project is published.
    let information = [env!("CARGO_PKG_HOMEPAGE"), env!("CARGO_PKG_REPOSITORY")]
        .into_iter()
        .find(|uri| !uri.is_empty());
    if let Some(uri) = information {
        driver["informationUri"] = json!(uri);
    }
    let report = json!({
        "$schema": SCHEMA,
        "version": "2.1.0",
        "runs": [{
            "tool": { "driver": driver },
            "invocations": [{
                // Findings are the run's result, not its failure: a run that
                // could not check its input ends in a usage error instead.
                "executionSuccessful": true,
                "properties": {
                    "failOn": context.fail_on.as_str(),
                    "failed": super::failed(outcome, context.fail_on),
                },
            }],
            "originalUriBaseIds": {
                SRCROOT: { "uri": directory_uri(context.root) },
            },
            // charter counts columns in characters, as editors do, not in
            // SARIF's default UTF-16 code units.
            "columnKind": "unicodeCodePoints",
            "results": results,
        }],
    });
    let mut text = serde_json::to_string_pretty(&report).unwrap_or_default();
    text.push('\n');
    text
}

/// A rule's documentation; `configured` is its severity in this run, `None`
/// when the configuration turned it off.
fn descriptor(meta: &RuleMeta, configured: Option<Severity>) -> Value {
    let mut tags = vec![meta.family(), meta.principle.slug()];
    // GitHub files results tagged `security` under security alerts.
    if matches!(
        meta.principle,
        Principle::SecurityByDesign | Principle::PrivacyFirst
    ) {
        tags.push("security");
    }
    json!({
        "id": meta.id,
        "shortDescription": { "text": meta.title },
        "fullDescription": { "text": meta.rationale },
        "help": {
            "text": format!(
                "{}\n\n`charter explain {}` shows an example that fails and one that passes.",
                meta.fix, meta.id
            ),
        },
        "defaultConfiguration": {
            "enabled": configured.is_some(),
            "level": level(configured.unwrap_or(meta.severity)),
        },
        "properties": {
            "family": meta.family(),
            "principle": meta.principle.slug(),
            "severity": meta.severity.as_str(),
            "tags": tags,
        },
    })
}

fn level(severity: Severity) -> &'static str {
    match severity {
        Severity::Error => "error",
        Severity::Warning => "warning",
        Severity::Info => "note",
    }
}

fn result(context: &Context<'_>, finding: &Finding, sources: &mut RedactedSources<'_>) -> Value {
    let outcome = context.outcome;
    let place = place(outcome, finding, context.root);
    let mut physical = json!({ "artifactLocation": artifact(&place) });
    if let Some(mark) = place.position {
        let mut region = json!({ "startLine": mark.line, "startColumn": mark.column });
        if let Some(end) = place.end {
            region["endLine"] = json!(end.line);
            region["endColumn"] = json!(end.column);
        }
        // Without an end, a region runs to the end of its start line. The
        // snippet is the region's text, secrets masked.
        let snippet = match place.end {
            Some(end) => redacted::region(&outcome.files[finding.file], mark, end),
            None => sources.line(finding.file, mark.line).map(|line| {
                let from = mark.column.saturating_sub(1) as usize;
                line.chars().skip(from).collect()
            }),
        };
        if let Some(text) = snippet.filter(|text| !text.trim().is_empty()) {
            region["snippet"] = json!({ "text": text });
        }
        physical["region"] = region;
    }
    let mut location = json!({ "physicalLocation": physical });
    if let Some(name) = resource(outcome, finding) {
        location["logicalLocations"] = json!([{ "fullyQualifiedName": name, "kind": "resource" }]);
    }
    let mut properties = Map::new();
    properties.insert("severity".into(), json!(finding.severity.as_str()));
    if let Some(pointer) = &finding.path {
        properties.insert("jsonPointer".into(), json!(pointer));
    }
    if let Some(document) = finding.document {
        properties.insert("document".into(), json!(document));
    }
    if let Some((stream, mark)) = place.rendered {
        properties.insert(
            "rendered".into(),
            json!({ "stream": stream, "line": mark.line, "column": mark.column }),
        );
    }
    let mut result = json!({
        "ruleId": finding.rule.id,
        "level": level(finding.severity),
        "message": { "text": finding.message },
        "locations": [location],
        "properties": properties,
    });
    if let Some(suppression) = &finding.suppression {
        result["suppressions"] = json!([{
            "kind": if suppression.in_source() { "inSource" } else { "external" },
            "status": "accepted",
            "justification": suppression.reason,
            "properties": { "origin": suppression.origin },
        }]);
    }
    result
}

fn artifact(place: &Place<'_>) -> Value {
    match place.anchor {
        Anchor::Root => json!({ "uri": encode(&place.path), "uriBaseId": SRCROOT }),
        Anchor::Absolute => json!({ "uri": format!("file://{}", encode(&place.path)) }),
        Anchor::Named => json!({ "uri": encode(&place.path) }),
    }
}

fn directory_uri(root: &std::path::Path) -> String {
    let path = root.to_string_lossy().replace('\\', "/");
    let path = encode(&path);
    let path = path.trim_end_matches('/');
    match path.starts_with('/') {
        true => format!("file://{path}/"),
        false => format!("file:///{path}/"),
    }
}

/// Percent-encodes what a URI path cannot hold as is (spaces, `%`, `#`,
/// `?`, `<`, non-ASCII), byte by byte in UTF-8 (RFC 3986).
fn encode(path: &str) -> String {
    let mut encoded = String::with_capacity(path.len());
    for byte in path.bytes() {
        let plain = byte.is_ascii_alphanumeric() || b"-._~/!$&'()*+,;=:@".contains(&byte);
        match plain {
            true => encoded.push(char::from(byte)),
            false => encoded.push_str(&format!("%{byte:02X}")),
        }
    }
    encoded
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn uris_encode_what_a_path_segment_cannot_hold() {
        assert_eq!(encode("deploy/a b/x#1.yaml"), "deploy/a%20b/x%231.yaml");
        assert_eq!(encode("<stdin>"), "%3Cstdin%3E");
        assert_eq!(encode("é"), "%C3%A9");
        assert_eq!(
            directory_uri(std::path::Path::new("/work/my repo")),
            "file:///work/my%20repo/"
        );
    }
}
