//! Rego policies: Conftest policies (`--policy`), Gatekeeper templates and
//! Constraints (in policy directories or among the manifests) and
//! `charter verify`, run on the policies and manifests of `tests/policies/`
//! (see its README).

mod common;

use std::collections::BTreeMap;
use std::path::Path;

use common::{Key, charter, charter_in, parse_expectation, repo_root, write_file};

/// Runs of `charter check` over the manifests of `tests/policies/`, each
/// with its flags. Their files declare the REGO and GK findings they must
/// produce, as fixtures do (`# expect: RULE LINE:COLUMN`).
const RUNS: [(&str, &[&str]); 4] = [
    (
        "tests/policies/conftest/manifests",
        &["--policy", "tests/policies/conftest/policy"],
    ),
    ("tests/policies/gatekeeper-in-set", &[]),
    ("tests/policies/gatekeeper-problems", &[]),
    (
        "tests/policies/referential",
        &["--policy", "tests/policies/gatekeeper/unique-ingress-host"],
    ),
];

fn is_policy_family(rule: &str) -> bool {
    rule.starts_with("REGO-") || rule.starts_with("GK-")
}

fn declared(directory: &str) -> BTreeMap<String, BTreeMap<Key, u64>> {
    let mut declared = BTreeMap::new();
    let root = repo_root();
    for entry in std::fs::read_dir(root.join(directory)).expect("a directory") {
        let path = entry.expect("an entry").path();
        let name = format!(
            "{directory}/{}",
            path.file_name().and_then(|n| n.to_str()).expect("a name")
        );
        let text = std::fs::read_to_string(&path).expect("readable");
        let expected: &mut BTreeMap<Key, u64> = declared.entry(name.clone()).or_default();
        for line in text.lines() {
            if let Some(rest) = line.trim_start().strip_prefix("# expect:") {
                let (key, count) = parse_expectation(rest, &name);
                *expected.entry(key).or_default() += count;
            }
        }
    }
    declared
}

fn reported(report: &serde_json::Value) -> BTreeMap<String, BTreeMap<Key, u64>> {
    let mut reported: BTreeMap<String, BTreeMap<Key, u64>> = BTreeMap::new();
    for finding in report["findings"].as_array().expect("findings") {
        let rule = finding["rule"].as_str().expect("rule");
        if !is_policy_family(rule) {
            continue;
        }
        let key = (
            rule.to_owned(),
            finding["line"].as_u64().expect("line"),
            finding["column"].as_u64().expect("column"),
            finding["suppressed"].as_bool().expect("suppressed"),
        );
        let file = finding["file"].as_str().expect("file").to_owned();
        *reported.entry(file).or_default().entry(key).or_default() += 1;
    }
    reported
}

#[test]
fn every_policy_run_reports_exactly_what_its_files_declare() {
    for (directory, flags) in RUNS {
        let mut args = vec!["check", directory, "--format", "json"];
        args.extend(flags);
        let run = charter(&args);
        assert_eq!(run.code, 1, "{directory}: {}", run.stderr);
        let mut reported = reported(&run.json());
        for (file, expected) in declared(directory) {
            let actual = reported.remove(&file).unwrap_or_default();
            assert_eq!(actual, expected, "{file}");
        }
        assert!(reported.is_empty(), "undeclared: {reported:?}");
    }
}

#[test]
fn policy_findings_carry_the_policy_message_severity_and_field() {
    let run = charter(&[
        "check",
        "tests/policies/conftest/manifests/litellm.yaml",
        "--policy",
        "tests/policies/conftest/policy",
        "--format",
        "json",
    ]);
    let report = run.json();
    let finding = report["findings"]
        .as_array()
        .expect("findings")
        .iter()
        .find(|f| f["rule"] == "REGO-main.deny_missing_memory_limit")
        .expect("the memory rule fires");
    assert_eq!(finding["severity"], "error");
    assert_eq!(
        finding["message"],
        "Deployment/litellm: container \"litellm\" has no memory limit; set resources.limits.memory"
    );
    assert_eq!(
        finding["path"],
        "/spec/template/spec/containers/0/resources"
    );
    let warning = report["findings"]
        .as_array()
        .expect("findings")
        .iter()
        .find(|f| f["rule"] == "REGO-main.warn")
        .expect("the tag rule warns");
    assert_eq!(warning["severity"], "warning");
}

#[test]
fn namespaces_select_the_packages_that_judge() {
    let count = |args: &[&str]| -> BTreeMap<String, usize> {
        let mut all = vec![
            "check",
            "tests/policies/conftest/manifests/debug-pod.yaml",
            "--policy",
            "tests/policies/conftest/policy",
            "--format",
            "json",
        ];
        all.extend(args);
        let mut counts = BTreeMap::new();
        for finding in charter(&all).json()["findings"]
            .as_array()
            .expect("findings")
        {
            let rule = finding["rule"].as_str().expect("rule");
            if is_policy_family(rule) {
                *counts.entry(rule.to_owned()).or_default() += 1;
            }
        }
        counts
    };
    let labels = BTreeMap::from([
        ("REGO-kubernetes.labels.deny".to_owned(), 2),
        ("REGO-kubernetes.labels.warn".to_owned(), 1),
    ]);
    assert_eq!(count(&["--namespace", "kubernetes.labels"]), labels);
    assert_eq!(count(&["--policy-namespace", "kubernetes.labels"]), labels);
    let all = count(&["--all-namespaces"]);
    assert_eq!(all.get("REGO-kubernetes.labels.deny"), Some(&2));
    assert_eq!(all.get("REGO-main.violation_privileged"), Some(&1));
    assert_eq!(count(&[]).get("REGO-kubernetes.labels.deny"), None);
}

#[test]
fn verify_runs_suites_and_rego_tests_and_fails_on_any_failure() {
    let passing = charter(&[
        "verify",
        "tests/policies/gatekeeper",
        "tests/policies/conftest/policy",
    ]);
    assert_eq!(passing.code, 0, "{}{}", passing.stdout, passing.stderr);
    assert!(
        passing.stdout.ends_with("\n47 passed, 0 failed\n"),
        "{}",
        passing.stdout
    );
    assert!(passing.stdout.contains(
        "PASS tests/policies/gatekeeper/unique-ingress-host/suite.yaml: ingress-hosts / three-conflicts\n"
    ));
    assert!(passing.stdout.contains(
        "PASS tests/policies/conftest/policy/workloads_test.rego: main.test_ollama_is_excepted_from_run_as_root\n"
    ));

    let failing = charter(&["verify", "tests/policies/verify-failing"]);
    assert_eq!(failing.code, 1, "{}", failing.stderr);
    let failures: Vec<&str> = failing
        .stdout
        .lines()
        .filter(|line| line.starts_with("FAIL "))
        .collect();
    assert_eq!(
        failures,
        [
            "FAIL tests/policies/verify-failing/suite.yaml: floating-tags / latest-wrongly-expected-clean",
            "FAIL tests/policies/verify-failing/suite.yaml: floating-tags / wrong-message",
            "FAIL tests/policies/verify-failing/policy/tags_test.rego: main.test_pinned_image_is_denied",
        ]
    );
    assert!(failing.stdout.contains(
        "     got 0 violations containing \"digest\" but want exactly 1 (all messages: "
    ));
    assert!(
        failing.stdout.ends_with("\n5 passed, 3 failed\n"),
        "{}",
        failing.stdout
    );
}

#[test]
fn verify_reads_yes_and_no_as_words_and_honours_skip() {
    let dir = tempfile::tempdir().expect("temp dir");
    let source = repo_root().join("tests/policies/gatekeeper/block-nodeport");
    for name in ["template.yaml", "constraint.yaml"] {
        std::fs::copy(source.join(name), dir.path().join(name)).expect("copy");
    }
    std::fs::create_dir(dir.path().join("samples")).expect("mkdir");
    for name in ["nodeport.yaml", "cluster-ip.yaml"] {
        std::fs::copy(
            source.join("samples").join(name),
            dir.path().join("samples").join(name),
        )
        .expect("copy");
    }
    write_file(
        dir.path(),
        "suite.yaml",
        "kind: Suite\napiVersion: test.gatekeeper.sh/v1alpha1\nmetadata:\n  name: words\ntests:\n- name: nodeport\n  template: template.yaml\n  constraint: constraint.yaml\n  cases:\n  - name: quoted-yes\n    object: samples/nodeport.yaml\n    assertions:\n    - violations: \"yes\"\n  - name: bare-no\n    object: samples/cluster-ip.yaml\n    assertions:\n    - violations: no\n  - name: default-is-yes\n    object: samples/nodeport.yaml\n    assertions:\n    - message: NodePort\n  - name: skipped\n    skip: true\n    object: samples/missing.yaml\n  - name: bad-word\n    object: samples/nodeport.yaml\n    assertions:\n    - violations: maybe\n",
    );
    let run = charter_in(dir.path(), &["verify", "."], None);
    assert_eq!(run.code, 1, "{}", run.stdout);
    let lines: Vec<&str> = run.stdout.lines().collect();
    assert_eq!(
        &lines[..6],
        [
            "PASS ./suite.yaml: nodeport / quoted-yes",
            "PASS ./suite.yaml: nodeport / bare-no",
            "PASS ./suite.yaml: nodeport / default-is-yes",
            "SKIP ./suite.yaml: nodeport / skipped",
            "FAIL ./suite.yaml: nodeport / bad-word",
            "     assertion `violations` must be a non-negative integer, \"yes\" or \"no\", not \"maybe\"",
        ]
    );
    assert!(
        run.stdout.ends_with("\n3 passed, 1 failed, 1 skipped\n"),
        "{}",
        run.stdout
    );
}

#[test]
fn bad_rego_is_a_usage_error_naming_file_line_and_message() {
    let dir = tempfile::tempdir().expect("temp dir");
    write_file(
        dir.path(),
        "policy/broken.rego",
        "package main\n\ndeny contains msg if {\n  msg := \n}\n",
    );
    write_file(
        dir.path(),
        "ok.yaml",
        "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: a\n",
    );
    let run = charter_in(dir.path(), &["check", "ok.yaml"], None);
    assert_eq!(run.code, 2, "{}", run.stdout);
    let path = Path::new("policy").join("broken.rego");
    assert!(
        run.stderr.contains(&format!(
            "policy {}/{}:4:",
            dir.path().display(),
            path.display()
        )),
        "{}",
        run.stderr
    );
    assert!(run.stderr.contains("expecting"), "{}", run.stderr);

    // A directory named on the command line must exist.
    let missing = charter_in(
        dir.path(),
        &["check", "ok.yaml", "--policy", "nowhere"],
        None,
    );
    assert_eq!(missing.code, 2);
    assert!(
        missing
            .stderr
            .contains("policy nowhere: no such file or directory"),
        "{}",
        missing.stderr
    );

    // A Constraint in a policy directory needs its template there.
    let orphan = tempfile::tempdir().expect("temp dir");
    write_file(
        orphan.path(),
        "policy/constraint.yaml",
        "apiVersion: constraints.gatekeeper.sh/v1beta1\nkind: K8sNowhere\nmetadata:\n  name: orphan\n",
    );
    write_file(
        orphan.path(),
        "ok.yaml",
        "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: a\n",
    );
    let run = charter_in(orphan.path(), &["check", "ok.yaml"], None);
    assert_eq!(run.code, 2);
    assert!(
        run.stderr.contains("constraint.yaml:1: K8sNowhere orphan: no ConstraintTemplate in the policy directories defines kind K8sNowhere"),
        "{}",
        run.stderr
    );
}

/// A policy repository's own layout: `policy/` beside the manifests, and
/// rules named in `.charter.yaml` and in annotations like any rule.
#[test]
fn the_default_directory_configuration_and_inline_ignores() {
    let dir = tempfile::tempdir().expect("temp dir");
    write_file(
        dir.path(),
        "policy/names.rego",
        "package main\n\ndeny_short contains msg if {\n  count(input.metadata.name) < 3\n  msg := sprintf(\"%s: name too short\", [input.metadata.name])\n}\n\nwarn_upper contains msg if {\n  input.metadata.name != lower(input.metadata.name)\n  msg := \"name has capitals\"\n}\n",
    );
    write_file(
        dir.path(),
        "cm.yaml",
        "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: ab\n---\napiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: xy\n  annotations:\n    charter.io/ignore: REGO-main.deny_short\n    charter.io/ignore-reason: the name is fixed upstream\n",
    );
    let select = ["--select", "REGO", "--select", "SUPP", "--format", "json"];
    let mut args = vec!["check", "cm.yaml"];
    args.extend(select);
    let run = charter_in(dir.path(), &args, None);
    let report = run.json();
    let findings: Vec<(String, u64, bool)> = report["findings"]
        .as_array()
        .expect("findings")
        .iter()
        .map(|f| {
            (
                f["rule"].as_str().unwrap_or_default().to_owned(),
                f["line"].as_u64().unwrap_or_default(),
                f["suppressed"].as_bool().unwrap_or_default(),
            )
        })
        .collect();
    assert_eq!(
        findings,
        [
            ("REGO-main.deny_short".to_owned(), 1, false),
            ("REGO-main.deny_short".to_owned(), 6, true),
        ]
    );

    // Re-graded and turned off by id and family, any case.
    write_file(
        dir.path(),
        ".charter.yaml",
        "rules:\n  rego-main.deny_short: warning\n",
    );
    let run = charter_in(dir.path(), &args, None);
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert_eq!(run.json()["findings"][0]["severity"], "warning");
    write_file(dir.path(), ".charter.yaml", "rules:\n  REGO: off\n");
    let run = charter_in(dir.path(), &args, None);
    assert_eq!(run.json()["findings"], serde_json::json!([]));
}

#[test]
fn policy_messages_never_quote_a_secret() {
    let dir = tempfile::tempdir().expect("temp dir");
    write_file(
        dir.path(),
        "policy/echo.rego",
        "package main\n\ndeny contains msg if {\n  input.kind == \"Secret\"\n  some key, value in input.data\n  msg := sprintf(\"%s is %s (%s)\", [key, value, base64.decode(value)])\n}\n",
    );
    // `hunter2-Fixture-password` in base64.
    write_file(
        dir.path(),
        "secret.yaml",
        "apiVersion: v1\nkind: Secret\nmetadata:\n  name: db\ndata:\n  password: aHVudGVyMi1GaXh0dXJlLXBhc3N3b3Jk\n",
    );
    let run = charter_in(
        dir.path(),
        &["check", "secret.yaml", "--select", "REGO"],
        None,
    );
    assert_eq!(run.code, 1, "{}", run.stderr);
    assert!(
        !run.stdout.contains("hunter2-Fixture-password"),
        "{}",
        run.stdout
    );
    assert!(
        !run.stdout.contains("aHVudGVyMi1GaXh0dXJlLXBhc3N3b3Jk"),
        "{}",
        run.stdout
    );
    assert!(
        run.stdout.contains("password is aHVu**** (hunt****)"),
        "{}",
        run.stdout
    );
}

#[test]
fn sarif_lists_the_rules_policies_made() {
    let run = charter(&[
        "check",
        "tests/policies/gatekeeper-in-set",
        "--format",
        "sarif",
    ]);
    let sarif: serde_json::Value = serde_json::from_str(&run.stdout).expect("SARIF is JSON");
    let rules = sarif["runs"][0]["tool"]["driver"]["rules"]
        .as_array()
        .expect("rules");
    let results = sarif["runs"][0]["results"].as_array().expect("results");
    let result = results
        .iter()
        .find(|r| r["ruleId"] == "GK-K8sContainerLimits/container-memory-limits-ai")
        .expect("the deny constraint fires");
    let index = result["ruleIndex"].as_u64().expect("a rule index") as usize;
    assert_eq!(rules[index]["id"], result["ruleId"]);
    assert_eq!(result["level"], "error");
    assert_eq!(
        rules[index]["shortDescription"]["text"],
        "Gatekeeper Constraint K8sContainerLimits container-memory-limits-ai reports the resource"
    );
}

#[test]
fn explain_describes_policy_rules() {
    let run = charter(&["explain", "REGO-main.deny"]);
    assert_eq!(run.code, 0);
    assert!(
        run.stdout
            .starts_with("REGO-main.deny\n\nA rule of your own policies")
    );
    let run = charter(&["explain", "REGO-001"]);
    assert!(
        run.stdout
            .contains("A ConstraintTemplate's Rego does not compile")
    );
}

#[test]
fn junit_gives_policy_families_their_cases() {
    let run = charter(&[
        "check",
        "tests/policies/gatekeeper-in-set/litellm.yaml",
        "tests/policies/gatekeeper-in-set/template.yaml",
        "tests/policies/gatekeeper-in-set/constraint-deny-ai.yaml",
        "--format",
        "junit",
    ]);
    assert!(
        run.stdout.contains(
            "<testcase classname=\"tests/policies/gatekeeper-in-set/litellm.yaml\" name=\"GK Deployment ai/litellm\""
        ),
        "{}",
        run.stdout
    );
}

/// Reports with policy rules keep to the documented schemas.
#[test]
fn json_and_audit_reports_of_policy_runs_match_their_schemas() {
    let schema = |name: &str| -> serde_json::Value {
        let text = std::fs::read_to_string(repo_root().join("docs").join(name)).expect("schema");
        serde_json::from_str(&text).expect("schema is JSON")
    };
    let check = charter(&[
        "check",
        "tests/policies/conftest/manifests",
        "--policy",
        "tests/policies/conftest/policy",
        "--format",
        "json",
    ])
    .json();
    let validator = jsonschema::validator_for(&schema("report-v1.schema.json")).expect("compiles");
    let errors: Vec<String> = validator
        .iter_errors(&check)
        .map(|e| e.to_string())
        .collect();
    assert!(errors.is_empty(), "{errors:#?}");

    let dir = tempfile::tempdir().expect("temp dir");
    let report = dir.path().join("audit.json");
    let run = charter(&[
        "audit",
        "tests/policies/gatekeeper-in-set",
        "--report",
        report.to_str().expect("UTF-8 path"),
    ]);
    assert_ne!(run.code, 2, "{}", run.stderr);
    let audit: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(&report).expect("written")).expect("JSON");
    let validator =
        jsonschema::validator_for(&schema("audit-report-v1.schema.json")).expect("compiles");
    let errors: Vec<String> = validator
        .iter_errors(&audit)
        .map(|e| e.to_string())
        .collect();
    assert!(errors.is_empty(), "{errors:#?}");
    assert!(
        audit
            .to_string()
            .contains("GK-K8sContainerLimits/container-memory-limits-ai")
    );
}

#[test]
fn a_rule_that_fails_is_reported_and_the_others_still_judge() {
    let dir = tempfile::tempdir().expect("temp dir");
    write_file(
        dir.path(),
        "policy/p.rego",
        "package main\n\nname := \"a\" if { input.kind }\nname := \"b\" if { input.kind }\n\ndeny_conflict contains name if { input.kind == \"ConfigMap\" }\n\ndeny_kind contains msg if {\n  input.kind == \"ConfigMap\"\n  msg := \"no ConfigMaps here\"\n}\n",
    );
    write_file(
        dir.path(),
        "cm.yaml",
        "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: settings\n",
    );
    let run = charter_in(
        dir.path(),
        &["check", "cm.yaml", "--select", "REGO", "--format", "json"],
        None,
    );
    let report = run.json();
    let findings: Vec<(&str, &str)> = report["findings"]
        .as_array()
        .expect("findings")
        .iter()
        .map(|f| {
            (
                f["rule"].as_str().unwrap_or(""),
                f["message"].as_str().unwrap_or(""),
            )
        })
        .collect();
    assert_eq!(findings.len(), 2, "{findings:?}");
    assert_eq!(findings[0].0, "REGO-002");
    assert!(
        findings[0]
            .1
            .starts_with("policy `main.deny_conflict` failed on ConfigMap settings: "),
        "{findings:?}"
    );
    assert_eq!(findings[1], ("REGO-main.deny_kind", "no ConfigMaps here"));
}
