//! Schema validation from the command line: CRD directories (flag and
//! configuration), where a kind's schema comes from, unknown kinds as
//! errors, strict mode from the configuration.

mod common;

use common::{charter_in, write_file};

const CRD: &str = "\
apiVersion: apiextensions.k8s.io/v1
kind: CustomResourceDefinition
metadata:
  name: gadgets.example.com
spec:
  group: example.com
  names: {kind: Gadget, plural: gadgets}
  scope: Namespaced
  versions:
    - name: v1
      served: true
      storage: true
      schema:
        openAPIV3Schema:
          type: object
          properties:
            spec:
              type: object
              required: [size]
              properties:
                size: {type: integer}
";

const GADGETS: &str = "\
apiVersion: example.com/v1
kind: Gadget
metadata: {name: small, namespace: demo}
spec:
  size: 3
---
apiVersion: example.com/v1
kind: Gadget
metadata: {name: wrong, namespace: demo}
spec:
  size: large
  colour: red
";

/// `(rule, severity, line, column, message)` of every SCHEMA finding.
fn schema_findings(run: &common::Run) -> Vec<(String, String, u64, u64, String)> {
    run.json()["findings"]
        .as_array()
        .expect("findings")
        .iter()
        .filter(|f| f["rule"].as_str().unwrap_or_default().starts_with("SCHEMA"))
        .map(|f| {
            (
                f["rule"].as_str().unwrap_or_default().to_owned(),
                f["severity"].as_str().unwrap_or_default().to_owned(),
                f["line"].as_u64().unwrap_or_default(),
                f["column"].as_u64().unwrap_or_default(),
                f["message"].as_str().unwrap_or_default().to_owned(),
            )
        })
        .collect()
}

fn finding(
    rule: &str,
    severity: &str,
    line: u64,
    column: u64,
    message: &str,
) -> (String, String, u64, u64, String) {
    (rule.into(), severity.into(), line, column, message.into())
}

#[test]
fn a_crd_directory_validates_custom_resources() {
    let dir = tempfile::tempdir().expect("temp dir");
    write_file(dir.path(), "crds/gadget.yaml", CRD);
    write_file(dir.path(), "app/gadgets.yaml", GADGETS);

    // Without the CRD: one warning for the kind, nothing validated.
    let run = charter_in(
        dir.path(),
        &["check", "app", "--format", "json", "--no-config"],
        None,
    );
    assert_eq!(
        schema_findings(&run),
        [finding(
            "SCHEMA-003",
            "warning",
            2,
            1,
            "no schema for example.com/v1 Gadget: not a built-in kind of Kubernetes 1.31 and no known CRD defines it, so this resource is not validated (nor the other resource of this kind)"
        )]
    );
    // --reject-unknown-kinds makes it an error, and the run fails.
    let run = charter_in(
        dir.path(),
        &[
            "check",
            "app",
            "--format",
            "json",
            "--no-config",
            "--reject-unknown-kinds",
        ],
        None,
    );
    assert_eq!(run.code, 1, "{}", run.stderr);
    assert_eq!(schema_findings(&run)[0].1, "error");

    // With --crd-dir: validated, strict mode on top.
    let run = charter_in(
        dir.path(),
        &[
            "check",
            "app",
            "--format",
            "json",
            "--no-config",
            "--crd-dir",
            "crds",
            "--strict",
        ],
        None,
    );
    assert_eq!(
        schema_findings(&run),
        [
            finding(
                "SCHEMA-001",
                "error",
                11,
                3,
                "`spec.size`: \"large\" is not of type \"integer\""
            ),
            finding(
                "SCHEMA-002",
                "error",
                12,
                3,
                "unknown field `colour` in `spec` of example.com/v1 Gadget"
            ),
        ]
    );

    // The same from the configuration, relative to its directory.
    write_file(
        dir.path(),
        ".charter.yaml",
        "crdDirs: [crds]\nstrict: true\n",
    );
    let run = charter_in(dir.path(), &["check", "app", "--format", "json"], None);
    assert_eq!(schema_findings(&run).len(), 2, "{}", run.stdout);
}

#[test]
fn a_crd_in_the_set_wins_over_the_shipped_one() {
    let dir = tempfile::tempdir().expect("temp dir");
    // A Certificate as cert-manager v1.16 defines it: `size` is an integer...
    let certificate = "\
apiVersion: cert-manager.io/v1
kind: Certificate
metadata: {name: web, namespace: demo}
spec:
  secretName: web-tls
  issuerRef: {name: ca}
  privateKey: {size: big}
";
    write_file(dir.path(), "certificate.yaml", certificate);
    let run = charter_in(
        dir.path(),
        &["check", ".", "--format", "json", "--no-config"],
        None,
    );
    assert_eq!(
        schema_findings(&run),
        [finding(
            "SCHEMA-001",
            "error",
            7,
            16,
            "`spec.privateKey.size`: \"big\" is not of type \"integer\""
        )]
    );
    // ...unless the checked files bring a CRD of their own that says otherwise.
    let own = "\
apiVersion: apiextensions.k8s.io/v1
kind: CustomResourceDefinition
metadata: {name: certificates.cert-manager.io}
spec:
  group: cert-manager.io
  names: {kind: Certificate, plural: certificates}
  scope: Namespaced
  versions:
    - name: v1
      served: true
      storage: true
      schema:
        openAPIV3Schema:
          type: object
          x-kubernetes-preserve-unknown-fields: true
";
    write_file(dir.path(), "crd.yaml", own);
    let run = charter_in(
        dir.path(),
        &["check", ".", "--format", "json", "--no-config", "--strict"],
        None,
    );
    assert_eq!(schema_findings(&run), []);
}

#[test]
fn a_missing_crd_directory_is_a_usage_error() {
    let dir = tempfile::tempdir().expect("temp dir");
    write_file(dir.path(), "app.yaml", GADGETS);
    let run = charter_in(
        dir.path(),
        &["check", ".", "--no-config", "--crd-dir", "nowhere"],
        None,
    );
    assert_eq!(run.code, 2);
    assert!(
        run.stderr.contains("cannot read CRD directory nowhere"),
        "{}",
        run.stderr
    );
}

#[test]
fn explain_names_where_schemas_come_from() {
    let dir = tempfile::tempdir().expect("temp dir");
    let run = charter_in(dir.path(), &["explain", "SCHEMA-001"], None);
    assert_eq!(run.code, 0, "{}", run.stderr);
    let knows = run.stdout.split("\nKnows\n").nth(1).unwrap_or_default();
    assert!(
        knows.starts_with("  80 built-in kinds of Kubernetes 1.31 (k8s-openapi 0.25).\n"),
        "{knows}"
    );
    for kind in [
        "- argoproj.io/v1alpha1 Application (rules/crds/argocd-application.yaml)",
        "- bitnami.com/v1alpha1 SealedSecret (rules/crds/sealed-secrets.yaml)",
        "- cert-manager.io/v1 ClusterIssuer (rules/crds/cert-manager-issuer.yaml)",
        "- kyverno.io/v1 Policy (rules/crds/kyverno-policy.yaml)",
        "- monitoring.coreos.com/v1 ServiceMonitor (rules/crds/prometheus-servicemonitor.yaml)",
        "- traefik.io/v1alpha1 IngressRoute (rules/crds/traefik-ingressroute.yaml)",
    ] {
        assert!(knows.contains(kind), "{kind} missing from\n{knows}");
    }
}
