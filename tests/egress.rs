//! The egress rules as configured in `.charter.yaml`: PRIV-007's
//! `internetEgress` allow-list, PRIV-006's exemptions and partial runs.

mod common;

use common::write_unhardened as write;

use std::path::Path;

use common::{charter_in, locations};
use serde_json::Value;

/// The report with only the PRIV family's findings: these tests are about
/// privacy, and the same manifests also draw other families' findings (HELM
/// labels and digests), which their own tests cover.
fn privacy_only(mut report: Value) -> Value {
    if let Some(findings) = report["findings"].as_array_mut() {
        findings.retain(|f| {
            f["rule"]
                .as_str()
                .is_some_and(|rule| rule.starts_with("PRIV-"))
        });
    }
    report
}

const SEARXNG: &str = "\
apiVersion: apps/v1
kind: Deployment
metadata:
  name: searxng
  namespace: searxng
spec:
  template:
    metadata:
      labels: {app: searxng}
    spec:
      containers:
        - name: searxng
          image: registry.homelab.lan/search:1.0
---
apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata:
  name: default-deny-egress
  namespace: searxng
spec:
  podSelector: {}
  policyTypes: [Egress]
---
apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata:
  name: searxng-to-search-engines
  namespace: searxng
spec:
  podSelector:
    matchLabels: {app: searxng}
  policyTypes: [Egress]
  egress:
    - to:
        - ipBlock: {cidr: 0.0.0.0/0}
      ports:
        - {port: 443, protocol: TCP}
";

const OPEN_WEBUI: &str = "\
apiVersion: apps/v1
kind: Deployment
metadata:
  name: open-webui
  namespace: ai-frontend
spec:
  template:
    metadata:
      labels: {app: open-webui}
    spec:
      containers:
        - name: open-webui
          image: registry.homelab.lan/chat-ui:1.0
---
apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata:
  name: open-webui-egress
  namespace: ai-frontend
spec:
  podSelector: {}
  policyTypes: [Egress]
  egress:
    - ports:
        - {port: 443, protocol: TCP}
";

/// A directory with the two manifests and `config` as `.charter.yaml`.
fn setup(config: &str) -> tempfile::TempDir {
    let dir = tempfile::tempdir().expect("temp dir");
    write(dir.path(), "manifests/searxng.yaml", SEARXNG);
    write(dir.path(), "manifests/open-webui.yaml", OPEN_WEBUI);
    write(dir.path(), ".charter.yaml", config);
    dir
}

fn check(dir: &Path, args: &[&str]) -> (i32, Value) {
    let mut all = vec!["check", "--format", "json"];
    all.extend(args);
    let run = charter_in(dir, &all, None);
    assert_ne!(run.code, 2, "usage error: {}", run.stderr);
    (run.code, privacy_only(run.json()))
}

/// `(rule, file, line, column, severity)` of every finding.
fn found(report: &Value) -> Vec<(String, String, u64, u64, String)> {
    report["findings"]
        .as_array()
        .expect("findings")
        .iter()
        .map(|f| {
            let text = |key: &str| f[key].as_str().unwrap_or_default().to_owned();
            (
                text("rule"),
                text("file"),
                f["line"].as_u64().unwrap_or_default(),
                f["column"].as_u64().unwrap_or_default(),
                text("severity"),
            )
        })
        .collect()
}

fn finding(
    rule: &str,
    file: &str,
    line: u64,
    column: u64,
    severity: &str,
) -> (String, String, u64, u64, String) {
    (rule.into(), file.into(), line, column, severity.into())
}

#[test]
fn internet_egress_is_reported_unless_allowed_with_a_reason() {
    let dir = setup("");
    let (code, report) = check(dir.path(), &["manifests"]);
    assert_eq!(code, 1);
    // The open-webui policy opens the internet, so it is no baseline either.
    assert_eq!(
        found(&report),
        [
            finding("PRIV-006", "manifests/open-webui.yaml", 5, 3, "error"),
            finding("PRIV-007", "manifests/open-webui.yaml", 24, 7, "error"),
            finding("PRIV-007", "manifests/searxng.yaml", 35, 21, "error"),
        ]
    );
    let message = report["findings"][2]["message"]
        .as_str()
        .unwrap_or_default();
    assert_eq!(
        message,
        "NetworkPolicy searxng/searxng-to-search-engines lets pods matching `app=searxng` \
         (Deployment searxng) send data to any host on the internet: egress rule 0 allows \
         `0.0.0.0/0` on port 443/TCP"
    );

    let allowed = "\
rules:
  PRIV-007:
    internetEgress:
      - namespace: searxng
        workload: searxng
        reason: a metasearch engine's whole job is querying search engines
";
    write(dir.path(), ".charter.yaml", allowed);
    let (code, report) = check(dir.path(), &["manifests"]);
    assert_eq!(code, 1);
    assert_eq!(
        locations(&report),
        [("PRIV-006".into(), 5, 3), ("PRIV-007".into(), 24, 7),]
    );

    // With open-webui fixed, the run passes.
    let fixed = OPEN_WEBUI.replace(
        "    - ports:",
        "    - to: [{namespaceSelector: {matchLabels: {kubernetes.io/metadata.name: ai-backend}}}]\n      ports:",
    );
    write(dir.path(), "manifests/open-webui.yaml", &fixed);
    let (code, report) = check(dir.path(), &["manifests"]);
    assert_eq!((code, locations(&report)), (0, vec![]));

    // An entry for another workload of the namespace does not allow it.
    write(
        dir.path(),
        ".charter.yaml",
        &allowed.replace("workload: searxng", "workload: redis"),
    );
    let (code, report) = check(dir.path(), &["manifests"]);
    assert_eq!(
        (code, locations(&report)),
        (1, vec![("PRIV-007".into(), 35, 21)])
    );
}

#[test]
fn an_allow_list_entry_without_a_reason_is_a_configuration_error() {
    let dir = setup(
        "\
rules:
  PRIV-006: error
  PRIV-007:
    internetEgress:
      - {namespace: searxng, workload: searxng}
",
    );
    let run = charter_in(dir.path(), &["check", "manifests"], None);
    assert_eq!(run.code, 2);
    assert!(
        run.stderr
            .contains(".charter.yaml:3:3: `PRIV-007` `internetEgress[0]` needs a `reason`"),
        "{}",
        run.stderr
    );
    assert!(run.stdout.is_empty());

    write(
        dir.path(),
        ".charter.yaml",
        "rules:\n  PRIV-006: {exemptNamespace: [x]}\n",
    );
    let run = charter_in(dir.path(), &["check", "manifests"], None);
    assert_eq!(run.code, 2);
    assert!(
        run.stderr.contains(
            ".charter.yaml:2:3: `PRIV-006` has no parameter `exemptNamespace` (known: exemptNamespaces, partialSetSeverity)"
        ),
        "{}",
        run.stderr
    );
}

#[test]
fn a_partial_run_reports_a_missing_baseline_as_info() {
    let dir = setup("");
    let (code, report) = check(dir.path(), &["manifests/open-webui.yaml"]);
    assert_eq!(code, 1, "PRIV-007 is still an error");
    assert_eq!(
        found(&report),
        [
            finding("PRIV-006", "manifests/open-webui.yaml", 5, 3, "info"),
            finding("PRIV-007", "manifests/open-webui.yaml", 24, 7, "error"),
        ]
    );
    assert!(
        report["findings"][0]["message"]
            .as_str()
            .unwrap_or_default()
            .ends_with("(only some files were checked)")
    );

    // A workload file alone: only the note, and the run passes.
    write(
        dir.path(),
        "manifests/ollama.yaml",
        "\
apiVersion: apps/v1
kind: StatefulSet
metadata:
  name: ollama
  namespace: ai-backend
spec:
  template:
    spec:
      containers:
        - name: ollama
          image: registry.homelab.lan/inference:1.0
",
    );
    let (code, report) = check(dir.path(), &["manifests/ollama.yaml"]);
    assert_eq!(code, 0);
    assert_eq!(
        found(&report),
        [finding("PRIV-006", "manifests/ollama.yaml", 5, 3, "info")]
    );
    // The severity of a partial run is a parameter; the whole tree is never partial.
    write(
        dir.path(),
        ".charter.yaml",
        "rules:\n  PRIV-006: {partialSetSeverity: warning}\n",
    );
    let (_, report) = check(dir.path(), &["manifests/ollama.yaml"]);
    assert_eq!(report["findings"][0]["severity"], "warning");
    let (code, report) = check(dir.path(), &["manifests"]);
    assert_eq!(code, 1);
    assert_eq!(
        found(&report)[..2],
        [
            finding("PRIV-006", "manifests/ollama.yaml", 5, 3, "error"),
            finding("PRIV-006", "manifests/open-webui.yaml", 5, 3, "error"),
        ]
    );
}

#[test]
fn namespaces_can_be_exempted() {
    let dir = setup("rules:\n  PRIV-006: {exemptNamespaces: [\"ai-*\"]}\n  PRIV-007: off\n");
    let (code, report) = check(dir.path(), &["manifests"]);
    assert_eq!((code, locations(&report)), (0, vec![]));
}
