//! Kyverno rules as configured: the baseline a platform must hold
//! (`--platform`, `platform: true`), and the policy lists overridden from
//! `.charter.yaml`.

mod common;

use common::write_file as write;

use common::{charter_in, locations};

const POLICIES: &str = "\
apiVersion: kyverno.io/v1
kind: ClusterPolicy
metadata:
  name: disallow-privileged-containers
spec:
  validationFailureAction: Enforce
  rules:
    - name: privileged-containers
      match:
        any:
          - resources: {kinds: [Pod]}
      validate:
        message: Privileged containers are not allowed.
        pattern: {spec: {containers: [{=(securityContext): {=(privileged): \"false\"}}]}}
---
apiVersion: kyverno.io/v1
kind: ClusterPolicy
metadata:
  name: homelab-no-host-paths
spec:
  rules:
    - name: host-path
      match:
        any:
          - resources: {kinds: [Pod]}
      validate:
        message: hostPath volumes are forbidden.
        pattern: {spec: {=(volumes): [{X(hostPath): \"null\"}]}}
";

fn run(config: &str, args: &[&str]) -> (i32, Vec<(String, u64, u64)>, serde_json::Value) {
    let dir = tempfile::tempdir().expect("temp dir");
    write(dir.path(), "deploy/kyverno/policies.yaml", POLICIES);
    // Beside the deployment it describes: `platform: true` applies when the
    // configuration's whole directory is checked.
    write(dir.path(), "deploy/.charter.yaml", config);
    let mut all = vec!["check", "--format", "json"];
    all.extend(args);
    all.push("deploy");
    let run = charter_in(dir.path(), &all, None);
    assert_ne!(run.code, 2, "{}", run.stderr);
    let report = run.json();
    (run.code, locations(&report), report)
}

fn messages(report: &serde_json::Value) -> Vec<String> {
    report["findings"]
        .as_array()
        .expect("findings")
        .iter()
        .map(|f| f["message"].as_str().unwrap_or_default().to_owned())
        .collect()
}

#[test]
fn the_baseline_is_required_only_of_a_platform() {
    let (code, found, _) = run("{}\n", &[]);
    assert_eq!((code, found), (0, vec![]));
    let (code, found, report) = run("{}\n", &["--platform"]);
    assert_eq!(code, 1);
    assert_eq!(found, vec![("KYV-008".to_owned(), 1, 1); 5]);
    let messages = messages(&report);
    assert!(
        messages.contains(&"the platform has no Kyverno policy to require resource limits (looked for require-requests-limits, require-pod-requests-limits, require-limits, charter-require-limits*)".to_owned()),
        "{messages:#?}"
    );
    assert!(!messages.iter().any(|m| m.contains("disallow privileged")));
    // The configuration says the same as the flag.
    let (_, found, _) = run("platform: true\n", &[]);
    assert_eq!(found.len(), 5);
}

#[test]
fn the_baseline_and_the_enforced_list_come_from_the_configuration() {
    let config = "\
platform: true
rules:
  KYV:
    baseline:
      - {requirement: disallow privileged containers, names: [disallow-privileged-containers]}
      - {requirement: restrict hostPath volumes, names: [homelab-no-host-*]}
    enforced: [homelab-*]
";
    // The house policy satisfies the baseline, and being listed as
    // enforcing, it must not audit (Kyverno's default).
    let (code, found, report) = run(config, &[]);
    assert_eq!((code, found), (1, vec![("KYV-007".to_owned(), 20, 1)]));
    assert_eq!(
        messages(&report),
        [
            "ClusterPolicy homelab-no-host-paths enforces the constitution, but rule `host-path` only audits: no failure action is written, and Kyverno's default is Audit"
        ]
    );
}

#[test]
fn a_broken_baseline_is_a_configuration_error_at_its_line() {
    let dir = tempfile::tempdir().expect("temp dir");
    write(dir.path(), "deploy/kyverno/policies.yaml", POLICIES);
    write(
        dir.path(),
        ".charter.yaml",
        "failOn: error\nrules:\n  KYV: {baseline: [{requirement: x}]}\n",
    );
    let run = charter_in(dir.path(), &["check", "deploy"], None);
    assert_eq!(run.code, 2, "{}", run.stderr);
    assert!(
        run.stderr
            .contains(".charter.yaml:3:3: `KYV-008` `baseline`: missing field `names`"),
        "{}",
        run.stderr
    );
}

#[test]
fn a_subdirectory_of_the_platform_is_not_the_platform() {
    let dir = tempfile::tempdir().expect("temp dir");
    write(dir.path(), "deploy/kyverno/policies.yaml", POLICIES);
    write(dir.path(), "deploy/.charter.yaml", "platform: true\n");
    let whole = charter_in(dir.path(), &["check", "--format", "json", "deploy"], None);
    assert_eq!(locations(&whole.json()).len(), 5, "{}", whole.stdout);
    // Checking one directory of it (a pre-commit run, a look at the
    // policies) does not claim the baseline is missing from the platform.
    let part = charter_in(
        dir.path(),
        &["check", "--format", "json", "deploy/kyverno"],
        None,
    );
    assert_eq!((part.code, locations(&part.json())), (0, vec![]));
}
