use serde_json::json;

use super::*;

fn parse(text: &str) -> Vec<Document> {
    parse_stream(text, Limits::default())
}

fn only_root(text: &str) -> Node {
    let mut documents = parse(text);
    assert_eq!(documents.len(), 1, "{documents:#?}");
    let document = documents.remove(0);
    assert!(document.problems.is_empty(), "{:?}", document.problems);
    document.root.expect("document has a root")
}

fn locate(text: &str, pointer: &str) -> (Mark, bool) {
    let root = only_root(text);
    let (location, found) = root.locate(pointer);
    (location.mark, found)
}

fn json_of(document: &Document) -> Option<serde_json::Value> {
    document.root.as_ref().map(Node::to_json)
}

#[test]
fn positions_of_keys_items_and_nested_fields() {
    let text = "\
apiVersion: v1
kind: Pod
metadata:
  name: web
spec:
  containers:
    - name: app
      env:
        - name: A
          value: one
        - {name: B, value: two}
";
    assert_eq!(locate(text, "/kind"), (Mark::new(2, 1), true));
    assert_eq!(locate(text, "/metadata/name"), (Mark::new(4, 3), true));
    assert_eq!(locate(text, "/spec/containers/0"), (Mark::new(7, 7), true));
    assert_eq!(
        locate(text, "/spec/containers/0/env/0/value"),
        (Mark::new(10, 11), true)
    );
    assert_eq!(
        locate(text, "/spec/containers/0/env/1/value"),
        (Mark::new(11, 21), true)
    );
    // Absent fields are located at their deepest existing ancestor.
    assert_eq!(
        locate(text, "/spec/containers/0/resources/limits"),
        (Mark::new(7, 7), false)
    );
    assert_eq!(locate(text, "/spec/containers/9"), (Mark::new(6, 3), false));
}

#[test]
fn multi_document_streams_number_documents_and_keep_absolute_lines() {
    let documents = parse("a: 1\n---\nb: 2\n---\n# only a comment\n---\nc: 3\n");
    let summary: Vec<_> = documents
        .iter()
        .map(|d| (d.index, d.start.line, json_of(d)))
        .collect();
    assert_eq!(
        summary,
        [
            (1, 1, Some(json!({"a": 1}))),
            (2, 2, Some(json!({"b": 2}))),
            (3, 4, Some(serde_json::Value::Null)),
            (4, 6, Some(json!({"c": 3}))),
        ]
    );
    let root = documents[3].root.as_ref().unwrap();
    assert_eq!(root.entries().unwrap()[0].key_mark, Mark::new(7, 1));
}

#[test]
fn comment_only_stream_has_no_documents() {
    assert!(parse("# nothing here\n\n").is_empty());
    assert!(parse("").is_empty());
}

#[test]
fn json_with_tabs_parses() {
    let root = only_root("{\n\t\"kind\": \"Pod\",\n\t\"list\": [1,\t2]\n}\n");
    assert_eq!(root.to_json(), json!({"kind": "Pod", "list": [1, 2]}));
}

#[test]
fn syntax_error_costs_only_its_document() {
    let documents = parse("a: 1\n---\nb: c: d\n---\nc: 3\n---\ne: [1, 2\n---\nf: 6\n");
    let roots: Vec<_> = documents.iter().map(json_of).collect();
    assert_eq!(
        roots,
        [
            Some(json!({"a": 1})),
            None,
            Some(json!({"c": 3})),
            None,
            Some(json!({"f": 6}))
        ]
    );
    assert_eq!(documents[1].problems[0].kind, ProblemKind::Syntax);
    assert_eq!(documents[1].problems[0].mark.line, 3);
    assert_eq!(documents[3].problems[0].mark.line, 8);
    let indices: Vec<_> = documents.iter().map(|d| d.index).collect();
    assert_eq!(indices, [1, 2, 3, 4, 5]);
}

#[test]
fn duplicate_keys_are_reported_and_the_last_value_kept() {
    let documents = parse("a: 1\nb: 2\na: 3\n");
    let document = &documents[0];
    assert_eq!(document.problems.len(), 1);
    let problem = &document.problems[0];
    assert_eq!(problem.kind, ProblemKind::DuplicateKey);
    assert_eq!(problem.mark, Mark::new(3, 1));
    assert!(
        problem.message.contains("first at line 1"),
        "{}",
        problem.message
    );
    let root = document.root.as_ref().unwrap();
    assert_eq!(root.to_json(), json!({"a": 3, "b": 2}));
    assert_eq!(root.locate("/a").0.mark, Mark::new(3, 1));
}

#[test]
fn anchors_aliases_and_merge_keys() {
    let text = "\
base: &base
  cpu: 100m
  memory: 1Gi
copy: *base
merged:
  <<: *base
  memory: 2Gi
";
    let root = only_root(text);
    assert_eq!(
        root["copy"].to_json(),
        json!({"cpu": "100m", "memory": "1Gi"})
    );
    assert_eq!(
        root["merged"].to_json(),
        json!({"memory": "2Gi", "cpu": "100m"})
    );
    // A merged field is found where it is written: in the anchor.
    assert_eq!(root.locate("/merged/cpu").0.mark, Mark::new(2, 3));
    assert_eq!(root.locate("/merged/memory").0.mark, Mark::new(7, 3));
    assert_eq!(root.locate("/copy").0.mark, Mark::new(4, 1));
    assert_eq!(root["copy"].start, Mark::new(4, 7));
}

#[test]
fn billion_laughs_is_bounded() {
    let mut text = String::from(
        "a: &a [\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\"]\n",
    );
    let names = ["a", "b", "c", "d", "e", "f", "g", "h", "i"];
    for pair in names.windows(2) {
        let (previous, name) = (pair[0], pair[1]);
        let refs = vec![format!("*{previous}"); 9].join(",");
        text.push_str(&format!("{name}: &{name} [{refs}]\n"));
    }
    let documents = parse(&text);
    assert!(documents[0].root.is_none());
    assert_eq!(documents[0].problems[0].kind, ProblemKind::AliasExpansion);
    assert_eq!(documents[0].problems[0].mark.line, 6);
}

#[test]
fn deep_nesting_is_bounded_for_block_and_flow_styles() {
    let flow = "[".repeat(100_000);
    let documents = parse(&flow);
    assert_eq!(documents[0].problems[0].kind, ProblemKind::TooDeep);

    let block: String = (0..1_000)
        .map(|depth| format!("{}k:\n", "  ".repeat(depth)))
        .collect();
    let documents = parse(&block);
    assert!(documents[0].root.is_none());
    assert_eq!(documents[0].problems[0].kind, ProblemKind::TooDeep);
    assert_eq!(documents[0].problems[0].mark.line, 201);
}

#[test]
fn complex_keys_are_rejected() {
    let documents = parse("? [a, b]\n: c\n");
    assert_eq!(documents[0].problems[0].kind, ProblemKind::Syntax);
    assert!(documents[0].root.is_none());
}

#[test]
fn quoted_and_tagged_scalars_stay_strings() {
    let root = only_root("a: \"yes\"\nb: '8080'\nc: !!str 0755\nd: yes\ne: |\n  text\n");
    assert_eq!(
        root.to_json(),
        json!({"a": "yes", "b": "8080", "c": "0755", "d": true, "e": "text\n"})
    );
}

#[test]
fn large_mappings_still_catch_duplicates() {
    let mut text: String = (0..40).map(|i| format!("k{i}: {i}\n")).collect();
    text.push_str("k3: again\nk39: again\n");
    let documents = parse(&text);
    let lines: Vec<u32> = documents[0].problems.iter().map(|p| p.mark.line).collect();
    assert_eq!(lines, [41, 42]);
    let root = documents[0].root.as_ref().unwrap();
    assert_eq!(root.entries().unwrap().len(), 40);
    assert_eq!(root["k3"].as_str(), Some("again"));
}
