use serde_json::json;

use super::*;
use crate::source::Mark;

/// Resources of a manifest stream, numbered as a run numbers them.
pub(crate) fn resources_of(text: &str) -> Vec<Resource> {
    let loaded = load_text(text);
    assert!(loaded.findings.is_empty(), "{:#?}", loaded.findings);
    loaded.resources
}

fn load_text(text: &str) -> Loaded {
    let kinds = DocumentKinds::builtin().expect("rules/documents.yaml is valid");
    let mut loaded = load(0, text, &kinds, yaml::Limits::default());
    for (index, resource) in loaded.resources.iter_mut().enumerate() {
        resource.index = index;
    }
    loaded
}

fn findings(loaded: &Loaded) -> Vec<(&'static str, String, Option<String>)> {
    loaded
        .findings
        .iter()
        .map(|f| (f.rule.id, f.mark.to_string(), f.path.clone()))
        .collect()
}

#[test]
fn classifies_every_kind_of_document() {
    let text = "\
replicaCount: 2          # Helm values: not Kubernetes
---
# a comment-only document
---
- a list at the top
---
apiVersion: kustomize.config.k8s.io/v1beta1
kind: Kustomization
resources: [a.yaml]
---
apiVersion: v2
name: ollama
version: 0.3.1
---
apiVersion: v1
kind: Namespace
metadata:
  name: ai-backend
---
apiVersion: batch/v1
kind: Job
metadata:
  generateName: migrate-
  namespace: ai-backend
";
    let loaded = load_text(text);
    assert!(loaded.findings.is_empty(), "{:?}", loaded.findings);
    assert_eq!(
        loaded.tally,
        Tally {
            files_read: 1,
            files_unreadable: 0,
            documents: 7,
            resources: 2,
            empty_documents: 1,
            non_kubernetes_documents: 2,
            tool_configurations: 2,
            ..Tally::default()
        }
    );
    let names: Vec<_> = loaded.resources.iter().map(Resource::display).collect();
    assert_eq!(names, ["Namespace ai-backend", "Job ai-backend/migrate-"]);
    assert_eq!(loaded.resources[1].document, 7);
}

#[test]
fn incomplete_objects_are_reported_where_they_are_incomplete() {
    let text = "\
kind: ConfigMap
metadata: {name: a}
---
apiVersion: v1
metadata: {name: b}
---
apiVersion: v1
kind: 12
metadata: {name: c}
---
apiVersion: v1
kind: ConfigMap
metadata:
  namespace: x
---
apiVersion: v1
kind: ConfigMap
data: {}
";
    let loaded = load_text(text);
    assert_eq!(
        findings(&loaded),
        [
            ("PARSE-008", "1:1".into(), Some("/kind".into())),
            ("PARSE-008", "4:1".into(), Some("/apiVersion".into())),
            ("PARSE-008", "8:1".into(), Some("/kind".into())),
            ("PARSE-009", "13:1".into(), Some("/metadata".into())),
            ("PARSE-009", "17:1".into(), Some("/kind".into())),
        ]
    );
    assert_eq!(
        loaded.findings[0].message,
        "has `kind: ConfigMap` but no `apiVersion`"
    );
    assert_eq!(
        loaded.findings[2].message,
        "`kind` must be a string, not a number"
    );
    assert!(loaded.resources.is_empty());
}

#[test]
fn list_items_become_resources_with_their_own_positions() {
    let text = "\
apiVersion: v1
kind: List
items:
  - apiVersion: v1
    kind: Secret
    metadata: {name: one, namespace: ns}
    data: {password: aGk=}
  - apiVersion: v1
    kind: ConfigMap
  - plain: value
";
    let loaded = load_text(text);
    assert_eq!(loaded.resources.len(), 1);
    let secret = &loaded.resources[0];
    assert_eq!(secret.prefix, "/items/0");
    assert_eq!(secret.object["data"].to_json(), json!({"password": "aGk="}));
    assert_eq!(secret.mark_of("/data"), Mark::new(7, 5));
    assert_eq!(secret.document_pointer("/data"), "/items/0/data");
    assert_eq!(
        findings(&loaded),
        [
            ("PARSE-009", "9:5".into(), Some("/items/1/kind".into())),
            ("PARSE-008", "10:5".into(), Some("/items/2".into())),
        ]
    );
}

#[test]
fn document_problems_become_parse_findings_and_the_stream_goes_on() {
    let text = "\
apiVersion: v1
kind: ConfigMap
metadata: {name: a}
data:
  k: 1
  k: 2
---
apiVersion: v1
kind: ConfigMap
metadata: {name: b
---
apiVersion: v1
kind: ConfigMap
metadata: {name: c}
";
    let loaded = load_text(text);
    let ids: Vec<_> = loaded
        .findings
        .iter()
        .map(|f| (f.rule.id, f.mark.line, f.document))
        .collect();
    assert_eq!(ids, [("PARSE-005", 6, Some(1)), ("PARSE-001", 11, Some(2))]);
    let names: Vec<_> = loaded.resources.iter().map(|r| r.name.as_str()).collect();
    assert_eq!(names, ["a", "c"]);
}

#[test]
fn comment_only_file_counts_as_one_empty_document() {
    let loaded = load_text("# nothing\n");
    assert_eq!(loaded.tally.empty_documents, 1);
    assert_eq!(loaded.tally.documents, 0);
}
