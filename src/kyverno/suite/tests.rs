use std::path::{Path, PathBuf};

use serde_json::json;

use super::*;

fn write(dir: &Path, name: &str, text: &str) -> PathBuf {
    let path = dir.join(name);
    if let Some(parent) = path.parent() {
        std::fs::create_dir_all(parent).unwrap();
    }
    std::fs::write(&path, text).unwrap();
    path
}

const CURRENT: &str = "\
apiVersion: cli.kyverno.io/v1alpha1
kind: Test
metadata:
  name: require-labels
policies:
  - policy.yaml
resources:
  - resources.yaml
  - more/pods.yaml
variables: values.yaml
results:
  - policy: require-labels
    rule: check-team
    kind: Pod
    resources: [good-pod, team-a/other-pod]
    result: pass
  - policy: team-a/ns-policy
    rule: check
    kind: Deployment
    resources:
      - bad-deployment
    result: fail
";

#[test]
fn reads_the_current_format() {
    let dir = tempfile::tempdir().unwrap();
    let path = write(dir.path(), "kyverno-test.yaml", CURRENT);
    let suite = load_suite(&path).unwrap();
    assert_eq!(suite.name, "require-labels");
    assert_eq!(suite.path, path);
    assert_eq!(suite.policies, vec![dir.path().join("policy.yaml")]);
    assert_eq!(
        suite.resources,
        vec![
            dir.path().join("resources.yaml"),
            dir.path().join("more/pods.yaml")
        ]
    );
    assert_eq!(suite.variables, Some(dir.path().join("values.yaml")));
    assert_eq!(
        suite.expectations,
        vec![
            Expectation {
                policy: "require-labels".into(),
                rule: "check-team".into(),
                kind: "Pod".into(),
                resources: vec!["good-pod".into(), "team-a/other-pod".into()],
                namespace: None,
                result: Status::Pass,
                line: 12,
            },
            Expectation {
                policy: "team-a/ns-policy".into(),
                rule: "check".into(),
                kind: "Deployment".into(),
                resources: vec!["bad-deployment".into()],
                namespace: None,
                result: Status::Fail,
                line: 17,
            },
        ]
    );
    assert!(suite.unsupported.is_empty());
}

#[test]
fn reads_the_older_format() {
    let dir = tempfile::tempdir().unwrap();
    let path = write(
        dir.path(),
        "kyverno-test.yaml",
        "\
name: legacy
policies: [policy.yaml]
resources: [resource.yaml]
results:
  - policy: p
    rule: r
    resource: old-pod
    namespace: team-b
    kind: Pod
    status: skip
  - policy: p
    rule: r
    resource: ignored
    resources: [wins]
    kind: Pod
    result: warn
    status: pass
",
    );
    let suite = load_suite(&path).unwrap();
    assert_eq!(suite.name, "legacy");
    assert_eq!(suite.variables, None);
    let first = &suite.expectations[0];
    assert_eq!(first.resources, vec!["old-pod".to_string()]);
    assert_eq!(first.namespace.as_deref(), Some("team-b"));
    assert_eq!(first.result, Status::Skip);
    assert_eq!(first.line, 5);
    // `resources` wins over `resource`, `result` over `status`.
    let second = &suite.expectations[1];
    assert_eq!(second.resources, vec!["wins".to_string()]);
    assert_eq!(second.result, Status::Warn);
}

#[test]
fn names_a_suite_by_its_directory_without_a_name() {
    let dir = tempfile::tempdir().unwrap();
    let path = write(dir.path(), "anchors/kyverno-test.yaml", "policies: []\n");
    assert_eq!(load_suite(&path).unwrap().name, "anchors");
}

#[test]
fn lists_what_charter_does_not_check() {
    let dir = tempfile::tempdir().unwrap();
    let path = write(
        dir.path(),
        "kyverno-test.yaml",
        "\
name: t
userinfo: user.yaml
exceptions: []
checks:
  - assert: {status: pass}
results:
  - policy: p
    rule: r
    kind: Pod
    resources: [a]
    patchedResource: patched.yaml
    result: pass
  - policy: p
    rule: r
    kind: Pod
    result: fail
",
    );
    let suite = load_suite(&path).unwrap();
    assert_eq!(
        suite.unsupported,
        vec![
            "line 2: userinfo: request user info (roles, subjects) for match/exclude",
            "line 4: checks: assertions on rule responses",
            "line 11: results[0].patchedResource: the mutated resource to compare",
            "line 13: results[1]: no resources (Kyverno then checks every resource)",
        ]
    );
    assert!(suite.expectations[1].resources.is_empty());
}

fn load_error(text: &str) -> String {
    let dir = tempfile::tempdir().unwrap();
    let path = write(dir.path(), "kyverno-test.yaml", text);
    let error = load_suite(&path).unwrap_err();
    error.replace(&path.display().to_string(), "FILE")
}

#[test]
fn errors_name_the_file_and_line() {
    assert_eq!(
        load_error(
            "name: t\nresults:\n  - policy: p\n    rule: r\n    kind: Pod\n    resources: [a]\n    result: passed\n"
        ),
        "FILE:7: results[0].result: unknown result \"passed\" (want pass, fail, skip, error or warn)"
    );
    assert_eq!(
        load_error("name: t\npolicy: [a]\n"),
        "FILE:2: unknown field \"policy\" in the test"
    );
    assert_eq!(
        load_error("name: t\nresults:\n  - policy: p\n    rules: r\n"),
        "FILE:4: unknown field \"rules\" in results[0]"
    );
    assert_eq!(
        load_error("name: t\nresults:\n  - policy: p\n    kind: Pod\n    resources: [a]\n"),
        "FILE:3: results[0]: result is required (pass, fail, skip, error or warn)"
    );
    assert_eq!(
        load_error("name: t\nresults:\n  - rule: r\n    result: pass\n"),
        "FILE:3: results[0]: policy is required"
    );
    assert_eq!(
        load_error("apiVersion: v1\nkind: Test\n"),
        "FILE:1: apiVersion \"v1\": want cli.kyverno.io/v1alpha1"
    );
    assert_eq!(
        load_error("apiVersion: cli.kyverno.io/v1alpha1\nkind: Values\n"),
        "FILE:2: kind \"Values\": want Test"
    );
    assert_eq!(
        load_error("policies: a\n"),
        "FILE:1: policies must be a list"
    );
    assert_eq!(load_error("- a\n"), "FILE:1: the test must be a mapping");
    assert_eq!(load_error(""), "FILE: empty file");
    let syntax = load_error("name: t\nresults: [\n");
    assert!(syntax.starts_with("FILE:"), "{syntax}");
    assert_eq!(
        load_suite(Path::new("/nonexistent/kyverno-test.yaml"))
            .unwrap_err()
            .split(": ")
            .next(),
        Some("/nonexistent/kyverno-test.yaml")
    );
}

const VALUES: &str = "\
apiVersion: cli.kyverno.io/v1alpha1
kind: Values
metadata:
  name: values
globalValues:
  request.operation: UPDATE
  team: platform
policies:
  - name: p
    resources:
      - name: deleted-pod
        values:
          request.operation: DELETE
          team: ml
    rules:
      - name: r
        values:
          allowed.data.registries: [ghcr.io]
        foreachValues:
          - element.name: [a, b]
namespaceSelector:
  - name: team-a
    labels:
      tier: gold
  - name: team-b
    labels:
      tier: silver
namespaces:
  - apiVersion: v1
    kind: Namespace
    metadata:
      name: team-b
      labels:
        tier: bronze
subresources:
  - subresource:
      name: deployments/scale
      kind: Scale
      group: autoscaling
      version: v1
    parentResource:
      name: deployments
      kind: Deployment
      group: apps
      version: v1
";

#[test]
fn reads_a_values_file() {
    let dir = tempfile::tempdir().unwrap();
    let path = write(dir.path(), "values.yaml", VALUES);
    let values = load_values(&path).unwrap();
    assert_eq!(
        Value::Object(values.global().clone()),
        json!({"request.operation": "UPDATE", "team": "platform"})
    );
    assert_eq!(
        Value::Object(values.for_resource("p", "deleted-pod")),
        json!({"request.operation": "DELETE", "team": "ml"})
    );
    assert_eq!(
        Value::Object(values.for_resource("p", "other")),
        json!({"request.operation": "UPDATE", "team": "platform"})
    );
    assert_eq!(
        Value::Object(values.for_resource("q", "deleted-pod")),
        json!({"request.operation": "UPDATE", "team": "platform"})
    );
    assert_eq!(values.operation("p", "deleted-pod"), "DELETE");
    assert_eq!(values.operation("p", "other"), "UPDATE");
    assert_eq!(
        values.for_rule("p", "r").cloned().map(Value::Object),
        Some(json!({"allowed.data.registries": ["ghcr.io"]}))
    );
    assert_eq!(values.for_rule("p", "other"), None);
    assert_eq!(values.for_rule("q", "r"), None);
    assert_eq!(
        values
            .foreach_values("p", "r")
            .iter()
            .cloned()
            .map(Value::Object)
            .collect::<Vec<_>>(),
        vec![json!({"element.name": ["a", "b"]})]
    );
    assert!(values.foreach_values("p", "x").is_empty());
    assert_eq!(
        values
            .namespace_labels("team-a")
            .cloned()
            .map(Value::Object),
        Some(json!({"tier": "gold"}))
    );
    // A Namespace object wins over a namespaceSelector entry.
    assert_eq!(
        values
            .namespace_labels("team-b")
            .cloned()
            .map(Value::Object),
        Some(json!({"tier": "bronze"}))
    );
    assert_eq!(values.namespace_labels("team-c"), None);
    assert_eq!(
        values.subresources(),
        &[Subresource {
            subresource: ApiResource {
                name: "deployments/scale".into(),
                group: "autoscaling".into(),
                version: "v1".into(),
                kind: "Scale".into(),
            },
            parent: ApiResource {
                name: "deployments".into(),
                group: "apps".into(),
                version: "v1".into(),
                kind: "Deployment".into(),
            },
        }]
    );
}

#[test]
fn reads_the_plain_values_form() {
    let dir = tempfile::tempdir().unwrap();
    let path = write(
        dir.path(),
        "values.yaml",
        "policies:\n  - name: p\n    resources:\n      - name: a\n        values:\n          x: 1\n",
    );
    let values = load_values(&path).unwrap();
    assert!(values.global().is_empty());
    assert_eq!(
        Value::Object(values.for_resource("p", "a")),
        json!({"x": 1})
    );
    assert_eq!(values.operation("p", "a"), "CREATE");
}

fn values_error(text: &str) -> String {
    let dir = tempfile::tempdir().unwrap();
    let path = write(dir.path(), "values.yaml", text);
    load_values(&path)
        .unwrap_err()
        .replace(&path.display().to_string(), "FILE")
}

#[test]
fn values_errors_name_the_file_and_line() {
    assert_eq!(
        values_error("globalValue:\n  a: b\n"),
        "FILE:1: unknown field \"globalValue\" in the values"
    );
    assert_eq!(
        values_error("policies:\n  - name: p\n    rule: []\n"),
        "FILE:3: unknown field \"rule\" in policies[]"
    );
    assert_eq!(
        values_error("policies:\n  - resources: []\n"),
        "FILE:2: policies[]: name is required"
    );
    assert_eq!(
        values_error("namespaceSelector:\n  - name: a\n    labels:\n      n: 1\n"),
        "FILE:4: namespaceSelector[].labels.n must be a string"
    );
    assert_eq!(
        values_error("globalValues: [a]\n"),
        "FILE:1: globalValues must be a mapping"
    );
    assert_eq!(
        values_error("kind: Test\n"),
        "FILE:1: kind \"Test\": want Values"
    );
}

#[test]
fn finds_suites_recursively_sorted() {
    let dir = tempfile::tempdir().unwrap();
    let b = write(dir.path(), "b/kyverno-test.yaml", "name: b\n");
    let a = write(dir.path(), "a/deep/er/kyverno-test.yaml", "name: a\n");
    write(dir.path(), "a/test.yaml", "name: not-a-suite\n");
    write(dir.path(), "c/kyverno-test.yml", "name: not-a-suite\n");
    let single = write(dir.path(), "elsewhere/my-test.yaml", "name: c\n");
    assert_eq!(
        find_suites(&[dir.path().to_path_buf()]),
        vec![a.clone(), b.clone()]
    );
    // A file is taken as it is; duplicates collapse.
    assert_eq!(
        find_suites(&[single.clone(), dir.path().join("b"), b.clone()]),
        vec![b.clone(), single.clone()]
    );
    assert_eq!(
        find_suites_named(&[dir.path().to_path_buf()], "my-test.yaml"),
        vec![single]
    );
}

fn suite_expecting(expectations: Vec<Expectation>) -> Suite {
    Suite {
        path: PathBuf::from("kyverno-test.yaml"),
        name: "t".into(),
        policies: vec![],
        resources: vec![],
        variables: None,
        expectations,
        unsupported: vec![],
    }
}

fn expect(policy: &str, rule: &str, kind: &str, resources: &[&str], result: Status) -> Expectation {
    Expectation {
        policy: policy.into(),
        rule: rule.into(),
        kind: kind.into(),
        resources: resources.iter().map(|r| r.to_string()).collect(),
        namespace: None,
        result,
        line: 1,
    }
}

fn observed(
    rule: &str,
    kind: &str,
    namespace: Option<&str>,
    name: &str,
    status: Status,
) -> Observed {
    Observed {
        policy: "p".into(),
        policy_namespace: None,
        rule: rule.into(),
        kind: kind.into(),
        namespace: namespace.map(String::from),
        name: name.into(),
        status,
        message: if status == Status::Fail {
            "validation error: no. rule r failed at path /spec/".into()
        } else {
            String::new()
        },
    }
}

fn outcomes(suite: &Suite, seen: &[Observed]) -> Vec<(bool, String)> {
    compare(suite, seen)
        .into_iter()
        .map(|o| (o.ok, o.description))
        .collect()
}

#[test]
fn compares_status_for_each_resource() {
    let suite = suite_expecting(vec![
        expect("p", "r", "Pod", &["good", "bad"], Status::Pass),
        expect("p", "r", "Pod", &["bad"], Status::Fail),
    ]);
    let seen = [
        observed("r", "Pod", Some("default"), "good", Status::Pass),
        observed("r", "Pod", Some("default"), "bad", Status::Fail),
    ];
    assert_eq!(
        outcomes(&suite, &seen),
        vec![
            (true, "p/r Pod good: pass".to_string()),
            (
                false,
                "p/r Pod bad: want pass, got fail (validation error: no. rule r failed at path /spec/)"
                    .to_string()
            ),
            (true, "p/r Pod bad: fail".to_string()),
        ]
    );
}

#[test]
fn an_expected_fail_is_not_met_by_a_pass() {
    // Kyverno's CLI would count this as met (issues 9804, 11519).
    let suite = suite_expecting(vec![expect("p", "r", "Pod", &["good"], Status::Fail)]);
    let seen = [observed("r", "Pod", None, "good", Status::Pass)];
    assert_eq!(
        outcomes(&suite, &seen),
        vec![(false, "p/r Pod good: want fail, got pass".to_string())]
    );
}

#[test]
fn a_missing_result_meets_only_skip() {
    let suite = suite_expecting(vec![
        expect("p", "r", "Pod", &["excluded"], Status::Skip),
        expect("p", "r", "Pod", &["excluded"], Status::Pass),
        expect("p", "other", "Pod", &["good"], Status::Pass),
    ]);
    let seen = [observed("r", "Pod", None, "good", Status::Pass)];
    assert_eq!(
        outcomes(&suite, &seen),
        vec![
            (
                true,
                "p/r Pod excluded: skip (no result: the rule does not apply)".to_string()
            ),
            (
                false,
                "p/r Pod excluded: want pass, got no result (the rule does not apply)".to_string()
            ),
            (
                false,
                "p/other Pod good: want pass, got no result (the rule does not apply)".to_string()
            ),
        ]
    );
}

#[test]
fn a_resource_that_was_not_loaded_is_not_found() {
    let suite = suite_expecting(vec![
        expect("p", "r", "Pod", &["typo"], Status::Skip),
        expect("p", "r", "Pod", &["excluded"], Status::Skip),
        expect("p", "r", "Deployment", &["excluded"], Status::Skip),
    ]);
    let loaded = [Loaded {
        kind: "Pod".into(),
        namespace: Some("default".into()),
        name: "excluded".into(),
    }];
    let got: Vec<(bool, String)> = compare_loaded(&suite, &[], &loaded)
        .into_iter()
        .map(|o| (o.ok, o.description))
        .collect();
    assert_eq!(
        got,
        vec![
            (
                false,
                "p/r Pod typo: want skip, not found: no such resource in the suite".to_string()
            ),
            (
                true,
                "p/r Pod excluded: skip (no result: the rule does not apply)".to_string()
            ),
            (
                false,
                "p/r Deployment excluded: want skip, not found: no such resource in the suite"
                    .to_string()
            ),
        ]
    );
}

#[test]
fn matches_autogen_rules_by_their_base_name() {
    let suite = suite_expecting(vec![
        expect("p", "r", "Deployment", &["web"], Status::Fail),
        expect("p", "r", "CronJob", &["nightly"], Status::Pass),
    ]);
    let seen = [
        observed(
            "autogen-r",
            "Deployment",
            Some("default"),
            "web",
            Status::Fail,
        ),
        observed(
            "autogen-cronjob-r",
            "CronJob",
            Some("default"),
            "nightly",
            Status::Fail,
        ),
        // Another rule's autogen name must not count.
        observed(
            "autogen-rr",
            "Deployment",
            Some("default"),
            "web",
            Status::Pass,
        ),
    ];
    assert_eq!(
        outcomes(&suite, &seen),
        vec![
            (true, "p/autogen-r Deployment web: fail".to_string()),
            (
                false,
                "p/autogen-cronjob-r CronJob nightly: want pass, got fail (validation error: no. rule r failed at path /spec/)"
                    .to_string()
            ),
        ]
    );
}

#[test]
fn matches_namespaces_of_resources_and_policies() {
    let mut older = expect("p", "r", "Pod", &["app"], Status::Pass);
    older.namespace = Some("b".into());
    let suite = suite_expecting(vec![
        expect("p", "r", "Pod", &["a/app"], Status::Pass),
        older,
        expect("team/p", "r", "Pod", &["app"], Status::Pass),
    ]);
    let mut namespaced = observed("r", "Pod", Some("a"), "app", Status::Pass);
    namespaced.policy_namespace = Some("team".into());
    let seen = [
        observed("r", "Pod", Some("a"), "app", Status::Pass),
        observed("r", "Pod", Some("b"), "app", Status::Fail),
        namespaced,
    ];
    assert_eq!(
        outcomes(&suite, &seen),
        vec![
            // `a/app` finds both results for that resource: the
            // ClusterPolicy's and the namespaced Policy's of the same name.
            (true, "p/r Pod a/app: pass".to_string()),
            (true, "p/r Pod a/app: pass".to_string()),
            (
                false,
                "p/r Pod app: want pass, got fail (validation error: no. rule r failed at path /spec/)"
                    .to_string()
            ),
            (true, "team/p/r Pod app: pass".to_string()),
        ]
    );
}

#[test]
fn status_round_trips() {
    for status in [
        Status::Pass,
        Status::Fail,
        Status::Skip,
        Status::Error,
        Status::Warn,
    ] {
        assert_eq!(Status::parse(status.as_str()), Some(status));
        assert_eq!(status.to_string(), status.as_str());
    }
    assert_eq!(Status::parse("Pass"), None);
}

/// Every suite shipped under `tests/kyverno/` loads, with its values file,
/// and has something to check. `failing/` too: it fails on its results,
/// not on its form.
#[test]
fn the_shipped_suites_load() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/kyverno");
    let suites = find_suites(std::slice::from_ref(&root));
    assert!(suites.len() >= 13, "{suites:?}");
    let mut rows = 0;
    for path in &suites {
        let suite = load_suite(path).unwrap();
        assert!(
            suite.unsupported.is_empty(),
            "{}: {:?}",
            path.display(),
            suite.unsupported
        );
        assert!(!suite.expectations.is_empty(), "{}", path.display());
        for file in suite.policies.iter().chain(&suite.resources) {
            let text = std::fs::read_to_string(file)
                .unwrap_or_else(|e| panic!("{}: {}: {e}", path.display(), file.display()));
            for document in crate::yaml::parse_stream(&text, crate::yaml::Limits::default()) {
                assert!(
                    document.problems.is_empty() && document.root.is_some(),
                    "{}: {:?}",
                    file.display(),
                    document.problems
                );
            }
        }
        if let Some(values) = &suite.variables {
            load_values(values).unwrap();
        }
        if !path.starts_with(root.join("failing")) {
            rows += suite
                .expectations
                .iter()
                .map(|e| e.resources.len())
                .sum::<usize>();
        }
    }
    assert!(rows >= 150, "{rows} rows");
}

#[test]
fn an_expectation_without_a_kind_matches_any_kind() {
    let suite = suite_expecting(vec![expect("p", "r", "", &["web"], Status::Pass)]);
    let seen = [observed(
        "autogen-r",
        "Deployment",
        None,
        "web",
        Status::Pass,
    )];
    assert_eq!(
        outcomes(&suite, &seen),
        vec![(true, "p/autogen-r web: pass".to_string())]
    );
}

#[test]
fn the_last_namespace_entry_of_a_name_wins() {
    let dir = tempfile::tempdir().unwrap();
    let path = write(
        dir.path(),
        "values.yaml",
        "\
namespaces:
  - metadata: {name: a, labels: {from: namespaces}}
namespaceSelector:
  - name: a
    labels: {from: first-selector}
  - name: b
    labels: {from: first-selector}
  - name: b
    labels: {from: second-selector}
",
    );
    let values = load_values(&path).unwrap();
    assert_eq!(
        values.namespace_labels("a").cloned().map(Value::Object),
        Some(json!({"from": "namespaces"}))
    );
    assert_eq!(
        values.namespace_labels("b").cloned().map(Value::Object),
        Some(json!({"from": "second-selector"}))
    );
}
