//! The PRIV rules as users meet them: `charter explain` listing what the
//! catalogue knows, the catalogue extended and overridden in
//! `.charter.yaml`, local hosts declared there, and mistakes in it.

mod common;

use common::write_unhardened as write;

use common::{charter, charter_in, locations};
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

/// An in-house image the shipped catalogue does not know, with a vLLM
/// beside it, and an agent that talks to a NAS outside the cluster.
const MANIFEST: &str = "\
apiVersion: apps/v1
kind: Deployment
metadata:
  name: agent-server
  namespace: ai-backend
spec:
  template:
    spec:
      containers:
        - name: agent
          image: registry.homelab.lan/agent-server:1.4.0
          env:
            - name: MODEL_ENDPOINT
              value: http://models.homelab.lan:8000/v1
            - name: OTEL_EXPORTER_OTLP_ENDPOINT
              value: http://tempo.homelab.lan:4317
        - name: vllm
          image: vllm/vllm-openai:v0.6.4
          env:
            - {name: HF_HUB_OFFLINE, value: \"1\"}
---
apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata: {name: default-deny-egress, namespace: ai-backend}
spec:
  podSelector: {}
  policyTypes: [Egress]
";

fn run(config: &str) -> (i32, Vec<(String, u64, u64)>, serde_json::Value) {
    let dir = tempfile::tempdir().expect("temp dir");
    write(dir.path(), "manifests/agent.yaml", MANIFEST);
    write(dir.path(), ".charter.yaml", config);
    let run = charter_in(
        dir.path(),
        &["check", "--format", "json", "manifests"],
        None,
    );
    assert_ne!(run.code, 2, "usage error: {}", run.stderr);
    let report = privacy_only(run.json());
    (run.code, locations(&report), report)
}

#[test]
fn explain_lists_what_each_rule_knows() {
    let explain = |id: &str| {
        let run = charter(&["explain", id]);
        assert_eq!(run.code, 0, "{}", run.stderr);
        run.stdout
    };
    let phone_home = explain("PRIV-001");
    assert!(phone_home.contains("Knows\n"), "{phone_home}");
    for component in [
        "- vLLM (usage statistics)",
        "- n8n (diagnostics",
        "- Grafana (usage reporting",
        "- Traefik (new-version check",
        "- Longhorn (upgrade checker",
    ] {
        assert!(
            phone_home.contains(component),
            "PRIV-001 knows {component}:\n{phone_home}"
        );
    }
    let downloads = explain("PRIV-005");
    assert!(
        downloads.contains("- vLLM (model downloads from the Hugging Face Hub)"),
        "{downloads}"
    );
    assert!(!downloads.contains("Traefik"), "{downloads}");
    let providers = explain("PRIV-003");
    assert!(
        providers.contains("- OpenAI (api.openai.com)"),
        "{providers}"
    );
    assert!(providers.contains("- xAI (api.x.ai)"), "{providers}");
    let reporters = explain("PRIV-004");
    assert!(
        reporters.contains("Sentry") && reporters.contains("langsmith"),
        "{reporters}"
    );
}

#[test]
fn a_user_component_extends_the_catalogue_and_a_disabled_one_leaves_it() {
    let (code, found, report) = run("\
rules:
  PRIV:
    localHosts: ['*.homelab.lan']
    components:
      - id: agent-server
        name: agent server
        recognise: {images: ['^registry\\.homelab\\.lan/agent-server']}
        settings:
          - id: crash-reports
            kind: telemetry
            title: crash reports
            sends: stack traces
            to: https://crash.vendor.example
            default: on
            source: vendor docs
            verified: yes
            switches: [{env: AGENT_CRASH_REPORTS, off: ['false'], caseless: true}]
      - {id: vllm, disabled: true}
");
    assert_eq!((code, found), (1, vec![("PRIV-002".to_owned(), 11, 11)]));
    let finding = &report["findings"][0];
    assert_eq!(
        finding["message"],
        "agent server crash reports on by default, and nothing turns it off (container `agent` of Deployment ai-backend/agent-server): it sends stack traces to https://crash.vendor.example"
    );
    assert_eq!(
        finding["hint"],
        "add to the env of container `agent`:\n  - name: AGENT_CRASH_REPORTS\n    value: \"false\""
    );
}

#[test]
fn hosts_outside_the_cluster_are_local_only_when_declared() {
    let (code, found, _) = run("rules:\n  PRIV: {localHosts: ['*.homelab.lan']}\n");
    // Without vLLM's usage switch, PRIV-002 still reports it.
    assert_eq!((code, found), (1, vec![("PRIV-002".to_owned(), 18, 11)]));
    let (_, found, report) = run("rules:\n  PRIV-002: off\n");
    assert_eq!(found, vec![("PRIV-004".to_owned(), 16, 15)]);
    assert_eq!(
        report["findings"][0]["message"],
        "Deployment ai-backend/agent-server `OTEL_EXPORTER_OTLP_ENDPOINT` sends traces, metrics and logs (OTLP) (an OpenTelemetry exporter) to `tempo.homelab.lan`, outside the cluster"
    );
}

#[test]
fn catalogue_mistakes_are_configuration_errors_at_their_line() {
    let dir = tempfile::tempdir().expect("temp dir");
    write(dir.path(), "manifests/agent.yaml", MANIFEST);
    write(
        dir.path(),
        ".charter.yaml",
        "rules:\n  PRIV:\n    components:\n      - id: broken\n        settings: [{id: s, kind: telemetry, title: t, sends: s, to: t, default: on, source: s, verified: yes, switches: [{env: A, off: ['1'], on: ['2']}]}]\n",
    );
    let run = charter_in(dir.path(), &["check", "manifests"], None);
    assert_eq!(run.code, 2, "{}", run.stderr);
    assert!(
        run.stderr.contains(".charter.yaml:2:3")
            && run.stderr.contains(
                "component `broken`, setting `s`: a switch says either which values turn it `off` or which turn it `on`"
            ),
        "{}",
        run.stderr
    );
    write(
        dir.path(),
        ".charter.yaml",
        "rules:\n  PRIV: {components: [{id: x, recognise: {images: ['(']}}]}\n",
    );
    let run = charter_in(dir.path(), &["check", "manifests"], None);
    assert_eq!(run.code, 2, "{}", run.stderr);
    assert!(
        run.stderr.contains("component `x`: recognise.images"),
        "{}",
        run.stderr
    );
}

#[test]
fn helm_value_files_in_the_checked_repository_count() {
    let app = "\
apiVersion: argoproj.io/v1alpha1
kind: Application
metadata: {name: longhorn, namespace: argocd}
spec:
  sources:
    - repoURL: https://charts.longhorn.io
      chart: longhorn
      targetRevision: 1.7.2
      helm:
        valueFiles: [$values/deploy/longhorn/values.yaml]
    - repoURL: https://git.homelab.lan/platform.git
      ref: values
";
    let dir = tempfile::tempdir().expect("temp dir");
    write(dir.path(), "deploy/apps/longhorn.yaml", app);
    // The Application is only a vehicle for its values here: the ArgoCD
    // hygiene rules (wave, project, repository) have their own tests.
    write(
        dir.path(),
        ".charter.yaml",
        "rules:\n  ARGO: {enabled: false}\n",
    );
    let check = || {
        let run = charter_in(dir.path(), &["check", "--format", "json", "deploy"], None);
        assert_ne!(run.code, 2, "{}", run.stderr);
        let report = privacy_only(run.json());
        (locations(&report), report)
    };
    // The value file is not there: it may turn the checker off, so only
    // what is written counts.
    assert_eq!(check().0, vec![]);
    write(
        dir.path(),
        "deploy/longhorn/values.yaml",
        "defaultSettings:\n  upgradeChecker: true\n",
    );
    let (found, report) = check();
    // The usage metrics ride on the checker, on by default.
    assert_eq!(
        found,
        vec![
            ("PRIV-002".to_owned(), 7, 7),
            ("PRIV-001".to_owned(), 10, 22)
        ]
    );
    let message = report["findings"][1]["message"]
        .as_str()
        .unwrap_or_default();
    assert!(
        message.starts_with("Longhorn upgrade checker turned on by `defaultSettings.upgradeChecker: true` in `deploy/longhorn/values.yaml:2`"),
        "{message}"
    );
    // Turned off there, the usage metrics that ride on it are off too.
    write(
        dir.path(),
        "deploy/longhorn/values.yaml",
        "defaultSettings: {upgradeChecker: false}\n",
    );
    assert_eq!(check().0, vec![]);
    // Without the file's setting, both default-on settings are reported at the chart.
    write(
        dir.path(),
        "deploy/longhorn/values.yaml",
        "persistence: {defaultClassReplicaCount: 2}\n",
    );
    assert_eq!(
        check().0,
        vec![("PRIV-002".to_owned(), 7, 7), ("PRIV-002".to_owned(), 7, 7)]
    );
}
