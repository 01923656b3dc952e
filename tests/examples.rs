//! The examples `charter explain` prints are true: every failing example
//! fires its rule, every passing one leaves nothing unsuppressed.

mod common;

use charter::rules::{self, Example};
use common::{charter_in, locations};

fn findings_for(text: &str) -> Vec<String> {
    let dir = tempfile::tempdir().expect("temp dir");
    let run = charter_in(
        dir.path(),
        &["check", "-", "--format", "json", "--no-config"],
        Some(text.as_bytes()),
    );
    assert_ne!(run.code, 2, "{}", run.stderr);
    let report = run.json();
    let suppressed: Vec<bool> = report["findings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["suppressed"] == true)
        .collect();
    locations(&report)
        .into_iter()
        .zip(suppressed)
        .filter(|(_, suppressed)| !suppressed)
        .map(|((rule, _, _), _)| rule)
        .collect()
}

#[test]
fn failing_examples_fire_and_passing_examples_pass() {
    let mut checked = 0;
    for rule in rules::builtin() {
        let meta = rule.meta;
        if let Example::Manifest(text) = meta.failing_example {
            let found = findings_for(text);
            assert!(
                found.iter().any(|id| id == meta.id),
                "{}: failing example gives {found:?}",
                meta.id
            );
            checked += 1;
        }
        if let Example::Manifest(text) = meta.passing_example {
            let found = findings_for(text);
            assert!(
                found.is_empty(),
                "{}: passing example gives {found:?}",
                meta.id
            );
            checked += 1;
        }
    }
    assert!(checked >= 20, "only {checked} examples checked");
}
