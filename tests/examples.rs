//! The examples `charter explain` prints are true: every failing example
//! fires its rule; a passing example does not, and leaves no unsuppressed
//! error or warning of its rule's family (other families judge other
//! things: a SEC example need not be a hardened pod). An example is
//! checked alone, as a partial set, so whole-set rules may add `info` notes.
//! SCHEMA examples are checked in strict mode, which SCHEMA-002 needs.

mod common;

use charter::rules::{self, Example};
use common::charter_in;

/// `(rule, severity)` of every unsuppressed finding.
fn findings_for(text: &str, strict: bool) -> Vec<(String, String)> {
    let dir = tempfile::tempdir().expect("temp dir");
    let mut args = vec!["check", "-", "--format", "json", "--no-config"];
    if strict {
        args.push("--strict");
    }
    let run = charter_in(dir.path(), &args, Some(text.as_bytes()));
    assert_ne!(run.code, 2, "{}", run.stderr);
    let report = run.json();
    report["findings"]
        .as_array()
        .expect("findings")
        .iter()
        .filter(|f| f["suppressed"] == false)
        .map(|f| {
            let text = |key: &str| f[key].as_str().unwrap_or_default().to_owned();
            (text("rule"), text("severity"))
        })
        .collect()
}

#[test]
fn failing_examples_fire_and_passing_examples_pass() {
    let mut checked = 0;
    let mut failures = Vec::new();
    for rule in rules::builtin() {
        let meta = rule.meta;
        let strict = meta.family() == "SCHEMA";
        if let Example::Manifest(text) = meta.failing_example {
            let found = findings_for(text, strict);
            if !found.iter().any(|(id, _)| id == meta.id) {
                failures.push(format!("{}: failing example gives {found:?}", meta.id));
            }
            checked += 1;
        }
        if let Example::Manifest(text) = meta.passing_example {
            let found = findings_for(text, strict);
            let wrong: Vec<_> = found
                .iter()
                .filter(|(id, severity)| {
                    id == meta.id
                        || (severity != "info" && id.split('-').next() == Some(meta.family()))
                })
                .collect();
            if !wrong.is_empty() {
                failures.push(format!("{}: passing example gives {wrong:?}", meta.id));
            }
            checked += 1;
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
    assert!(checked >= 40, "only {checked} examples checked");
}
