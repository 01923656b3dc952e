//! The hardening families (POD, NET, RBAC) as configured in `.charter.yaml`:
//! every list and threshold of `rules/hardening.yaml` can be replaced, and
//! whole-set rules speak softly on partial runs.

mod common;

use common::write_file as write;

use common::{charter_in, locations};
use serde_json::Value;

/// A hardened workload with a few deliberate exceptions: it adds NET_ADMIN,
/// mounts /var/log of the node and runs three replicas without a budget; a
/// NodePort Service exposes it; a binding lets its account read Secrets.
const MANIFEST: &str = "\
apiVersion: apps/v1
kind: Deployment
metadata:
  name: collector
  namespace: monitoring
spec:
  replicas: 3
  selector:
    matchLabels: {app: collector}
  template:
    metadata:
      labels: {app: collector}
    spec:
      serviceAccountName: collector
      securityContext:
        runAsNonRoot: true
        runAsUser: 10001
        seccompProfile: {type: RuntimeDefault}
      containers:
        - name: collector
          image: registry.homelab.lan/collector:1.0
          securityContext:
            allowPrivilegeEscalation: false
            readOnlyRootFilesystem: true
            capabilities:
              drop: [ALL]
              add: [NET_ADMIN]
          resources:
            requests: {cpu: 50m, memory: 64Mi}
            limits: {memory: 128Mi}
          readinessProbe: {tcpSocket: {port: 9000}}
          livenessProbe: {tcpSocket: {port: 9000}}
          volumeMounts:
            - {name: logs, mountPath: /logs, readOnly: true}
      volumes:
        - name: logs
          hostPath: {path: /var/log/pods}
---
apiVersion: v1
kind: Service
metadata:
  name: collector
  namespace: monitoring
spec:
  type: NodePort
  selector: {app: collector}
  ports:
    - {port: 9000}
---
apiVersion: rbac.authorization.k8s.io/v1
kind: Role
metadata:
  name: collector
  namespace: monitoring
rules:
  - apiGroups: ['']
    resources: [pods, secrets]
    verbs: [list]
---
apiVersion: rbac.authorization.k8s.io/v1
kind: RoleBinding
metadata:
  name: collector
  namespace: monitoring
roleRef:
  apiGroup: rbac.authorization.k8s.io
  kind: Role
  name: collector
subjects:
  - kind: ServiceAccount
    name: collector
";

/// Checks the manifest (as a directory, or as a single file) with `config`.
fn check(config: &str, single_file: bool) -> (i32, Vec<(String, u64, u64)>, Value) {
    let dir = tempfile::tempdir().expect("temp dir");
    write(dir.path(), "manifests/collector.yaml", MANIFEST);
    // The other families are not what this test is about.
    let config = format!("rules:\n  PRIV: off\n  HELM: off\n  GPU: off\n{config}");
    write(dir.path(), ".charter.yaml", &config);
    let target = match single_file {
        true => "manifests/collector.yaml",
        false => "manifests",
    };
    let run = charter_in(dir.path(), &["check", "--format", "json", target], None);
    assert_ne!(run.code, 2, "usage error: {}", run.stderr);
    let report = run.json();
    (run.code, locations(&report), report)
}

fn at(rule: &str, line: u64, column: u64) -> (String, u64, u64) {
    (rule.to_owned(), line, column)
}

fn severities(report: &Value) -> Vec<(String, String)> {
    report["findings"]
        .as_array()
        .expect("findings")
        .iter()
        .map(|f| {
            (
                f["rule"].as_str().unwrap_or_default().to_owned(),
                f["severity"].as_str().unwrap_or_default().to_owned(),
            )
        })
        .collect()
}

#[test]
fn shipped_data_reports_each_exception() {
    let (code, found, report) = check("", false);
    assert_eq!(code, 1);
    assert_eq!(
        found,
        [
            at("POD-013", 7, 3),
            at("POD-005", 27, 21),
            at("POD-007", 37, 22),
            at("NET-001", 45, 3),
            at("RBAC-002", 70, 5),
        ]
    );
    assert_eq!(
        report["findings"][1]["message"],
        "Deployment monitoring/collector container `collector` adds capability `NET_ADMIN`, which \
         lets it escape or weaken its isolation"
    );
    // Not partial: the set rule keeps its severity.
    assert_eq!(severities(&report)[0], ("POD-013".into(), "warning".into()));
}

#[test]
fn every_data_file_entry_can_be_replaced_from_the_configuration() {
    let config = concat!(
        "  POD-005:\n",
        "    dangerousCapabilities: [SYS_ADMIN]\n",
        "  POD-007:\n",
        "    allowedHostPaths: ['/var/log/**']\n",
        "  POD-013:\n",
        "    pdbMinReplicas: 4\n",
        "  NET-001:\n",
        "    exposedServiceTypes: [LoadBalancer]\n",
        "  RBAC-002:\n",
        "    secretReaders: [collector]\n",
    );
    let (code, found, _) = check(config, false);
    assert_eq!((code, found), (0, vec![]));
    // A built-in role list replaced: `view` now counts as reading Secrets.
    let (_, found, _) = check(
        "  RBAC-002:\n    secretReadingClusterRoles: [view]\n    secretReaders: []\n",
        false,
    );
    assert!(found.contains(&at("RBAC-002", 70, 5)), "{found:?}");
}

#[test]
fn whole_set_rules_are_info_on_a_partial_run_unless_configured() {
    let (_, found, report) = check("", true);
    assert_eq!(found[0], at("POD-013", 7, 3));
    assert_eq!(severities(&report)[0], ("POD-013".into(), "info".into()));
    // The family parameter reaches every whole-set rule of the family.
    let (_, _, report) = check("  POD: {partialSetSeverity: warning}\n", true);
    assert_eq!(severities(&report)[0], ("POD-013".into(), "warning".into()));
    // Severity is configurable like any rule's.
    let (_, _, report) = check("  POD-005: warning\n", false);
    assert!(severities(&report).contains(&("POD-005".into(), "warning".into())));
}

#[test]
fn bad_parameters_are_configuration_errors() {
    let dir = tempfile::tempdir().expect("temp dir");
    write(dir.path(), "manifests/collector.yaml", MANIFEST);
    for (config, message) in [
        (
            "rules:\n  POD-007:\n    allowedHostPath: []\n",
            "`POD-007` has no parameter `allowedHostPath` (known: allowedHostPaths)",
        ),
        (
            "rules:\n  POD-013:\n    pdbMinReplicas: two\n",
            "`POD-013` `pdbMinReplicas`: invalid type",
        ),
        (
            "rules:\n  POD:\n    dangerousCapabilities: []\n",
            "`dangerousCapabilities` is not a parameter of the POD family",
        ),
    ] {
        write(dir.path(), ".charter.yaml", config);
        let run = charter_in(dir.path(), &["check", "manifests"], None);
        assert_eq!(run.code, 2, "{config}");
        assert!(run.stderr.contains(message), "{config}: {}", run.stderr);
    }
}
