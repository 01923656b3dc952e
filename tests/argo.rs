//! The ARGO rules as configured in `.charter.yaml`: the wave plan replaced
//! by the family parameter `waves`, the defaults of `rules/argocd.yaml`
//! replaced by rule and family parameters, partial runs and local checkouts.

mod common;

use common::write_file as write;

use std::path::Path;

use common::{charter_in, locations};
use serde_json::Value;

/// A hygienic Application; `{wave}`, `{name}` and `{source}` are replaced.
const APP: &str = "\
apiVersion: argoproj.io/v1alpha1
kind: Application
metadata:
  name: {name}
  namespace: argocd
  annotations:
    argocd.argoproj.io/sync-wave: \"{wave}\"
spec:
  project: platform
  source:
{source}  destination:
    server: https://kubernetes.default.svc
    namespace: ai
  syncPolicy:
    automated: {prune: true, selfHeal: true}
";

fn app(name: &str, wave: &str, source: &str) -> String {
    APP.replace("{name}", name)
        .replace("{wave}", wave)
        .replace("{source}", source)
}

fn chart(chart: &str, version: &str) -> String {
    format!(
        "    repoURL: https://charts.homelab.internal\n    chart: {chart}\n    targetRevision: {version}\n"
    )
}

fn git(url: &str, revision: &str, path: &str) -> String {
    format!("    repoURL: {url}\n    targetRevision: {revision}\n    path: {path}\n")
}

const PLATFORM: &str = "https://git.homelab.internal/platform/charter.git";

fn check(dir: &Path, args: &[&str]) -> (i32, Value) {
    let mut all = vec!["check", "--format", "json"];
    all.extend(args);
    let run = charter_in(dir, &all, None);
    assert_ne!(run.code, 2, "usage error: {}", run.stderr);
    (run.code, run.json())
}

/// `(rule, line, column)` of the ARGO findings.
fn argo(report: &Value) -> Vec<(String, u64, u64)> {
    locations(report)
        .into_iter()
        .filter(|(rule, _, _)| rule.starts_with("ARGO-"))
        .collect()
}

fn severities(report: &Value, rule: &str) -> Vec<String> {
    report["findings"]
        .as_array()
        .expect("findings")
        .iter()
        .filter(|f| f["rule"] == rule)
        .map(|f| f["severity"].as_str().unwrap_or_default().to_owned())
        .collect()
}

#[test]
fn the_wave_plan_is_replaced_from_the_configuration() {
    let dir = tempfile::tempdir().expect("temp dir");
    write(
        dir.path(),
        "apps/chat.yaml",
        &app("open-webui", "6", &chart("open-webui", "5.4.0")),
    );
    // The shipped plan puts Open WebUI in wave 6.
    let (code, report) = check(dir.path(), &["apps"]);
    assert_eq!((code, argo(&report)), (0, vec![]));

    write(
        dir.path(),
        ".charter.yaml",
        "\
rules:
  ARGO:
    waves:
      - {name: base, wave: 0, apps: [base-*]}
      - {name: chat frontends, wave: 9, charts: [open-webui]}
",
    );
    let (code, report) = check(dir.path(), &["apps"]);
    assert_eq!(code, 1);
    assert_eq!(argo(&report), [("ARGO-002".into(), 7, 5)]);
    let message = report["findings"][0]["message"]
        .as_str()
        .unwrap_or_default();
    assert!(
        message.contains("the plan puts `chat frontends` in wave 9"),
        "{message}"
    );

    // The plan's range follows the configured plan: 0 to 9 now.
    write(
        dir.path(),
        "apps/chat.yaml",
        &app("open-webui", "-2", &chart("open-webui", "5.4.0")),
    );
    let (_, report) = check(dir.path(), &["apps"]);
    assert_eq!(
        argo(&report),
        [("ARGO-001".into(), 7, 5), ("ARGO-002".into(), 7, 5)]
    );
}

#[test]
fn hygiene_defaults_are_replaced_by_parameters() {
    let dir = tempfile::tempdir().expect("temp dir");
    let text = [
        app("one", "3", &git(PLATFORM, "release-2", "deploy")),
        app("two", "3", &chart("x", "1.0.0")).replace(
            "https://charts.homelab.internal",
            "https://charts.example.org",
        ),
        app("three", "3", &chart("x", "1.0.0")).replace(", selfHeal: true", ""),
    ]
    .join("---\n");
    write(dir.path(), "apps/apps.yaml", &text);
    let (code, report) = check(dir.path(), &["apps"]);
    assert_eq!(code, 1);
    assert_eq!(
        argo(&report),
        [("ARGO-011".into(), 30, 5), ("ARGO-010".into(), 56, 5)]
    );

    write(
        dir.path(),
        ".charter.yaml",
        "\
rules:
  ARGO-006:
    floatingRevisions: [release-*]
  ARGO-010:
    requireSelfHeal: false
  ARGO-011:
    chartRepos: [https://charts.example.org, https://charts.homelab.internal]
",
    );
    let (code, report) = check(dir.path(), &["apps"]);
    assert_eq!(code, 1);
    assert_eq!(argo(&report), [("ARGO-006".into(), 12, 5)]);

    // The family's `platformRepos` replaces the platform's Git repositories.
    write(
        dir.path(),
        ".charter.yaml",
        "\
rules:
  ARGO:
    platformRepos: [https://git.example.org/*]
  ARGO-011:
    chartRepos: [https://charts.*]
",
    );
    let (_, report) = check(dir.path(), &["apps"]);
    assert_eq!(
        argo(&report),
        [("ARGO-011".into(), 11, 5), ("ARGO-010".into(), 56, 5)]
    );
}

#[test]
fn bad_parameters_are_configuration_errors() {
    let dir = tempfile::tempdir().expect("temp dir");
    write(
        dir.path(),
        "apps/a.yaml",
        &app("a", "3", &chart("x", "1.0.0")),
    );
    for (config, wanted) in [
        ("rules: {ARGO: {waves: [{name: x}]}}", "`waves`"),
        ("rules: {ARGO: {waves: []}}", "at least one wave"),
        (
            "rules: {ARGO-006: {floatingRevisions: main}}",
            "list of globs",
        ),
        (
            "rules: {ARGO-010: {requirePrune: yes please}}",
            "true or false",
        ),
        (
            "rules: {ARGO-003: {partialSetSeverity: loud}}",
            "partialSetSeverity",
        ),
    ] {
        write(dir.path(), ".charter.yaml", config);
        let run = charter_in(dir.path(), &["check", "apps"], None);
        assert_eq!(run.code, 2, "{config}: {}", run.stderr);
        assert!(run.stderr.contains(wanted), "{config}: {}", run.stderr);
    }
}

/// Two Applications: `shop` reads a Secret that `vault`'s SealedSecret makes.
fn dependent_apps(dir: &Path, shop_wave: &str) {
    write(
        dir,
        "apps/apps.yaml",
        &[
            app("vault", "3", &git(PLATFORM, "v1.0.0", "services/vault")),
            app("shop", shop_wave, &git(PLATFORM, "v1.0.0", "services/shop")),
        ]
        .join("---\n"),
    );
    write(
        dir,
        "services/vault/sealed.yaml",
        "\
apiVersion: bitnami.com/v1alpha1
kind: SealedSecret
metadata: {name: shop-token, namespace: ai}
spec:
  encryptedData: {}
",
    );
    write(
        dir,
        "services/shop/deployment.yaml",
        "\
apiVersion: apps/v1
kind: Deployment
metadata: {name: shop, namespace: ai}
spec:
  template:
    spec:
      containers:
        - name: shop
          image: registry.homelab.lan/app:1.2.3
          envFrom:
            - secretRef: {name: shop-token}
",
    );
}

#[test]
fn dependencies_order_applications_and_partial_runs_speak_softly() {
    let dir = tempfile::tempdir().expect("temp dir");
    dependent_apps(dir.path(), "3");
    let (code, report) = check(dir.path(), &["apps", "services"]);
    assert_eq!(code, 1);
    assert_eq!(argo(&report), [("ARGO-003".into(), 26, 5)]);
    let message = report["findings"]
        .as_array()
        .expect("findings")
        .iter()
        .find(|f| f["rule"] == "ARGO-003")
        .and_then(|f| f["message"].as_str())
        .unwrap_or_default()
        .to_owned();
    assert_eq!(
        message,
        "Application `shop` (wave 3) uses Secret `ai/shop-token` from Application `vault` \
         (wave 3): it must sync in a later wave, or a cold start finds the Secret missing"
    );

    // Named one by one, as a pre-commit hook names them: only a note.
    let (_, report) = check(
        dir.path(),
        &[
            "apps/apps.yaml",
            "services/vault/sealed.yaml",
            "services/shop/deployment.yaml",
        ],
    );
    assert_eq!(severities(&report, "ARGO-003"), ["info"]);
    write(
        dir.path(),
        ".charter.yaml",
        "rules: {ARGO-003: {partialSetSeverity: warning}}\n",
    );
    let (_, report) = check(
        dir.path(),
        &[
            "apps/apps.yaml",
            "services/vault/sealed.yaml",
            "services/shop/deployment.yaml",
        ],
    );
    assert_eq!(severities(&report, "ARGO-003"), ["warning"]);

    // In a later wave, the order holds.
    let dir = tempfile::tempdir().expect("temp dir");
    dependent_apps(dir.path(), "4");
    let (_, report) = check(dir.path(), &["apps", "services"]);
    assert_eq!(argo(&report), []);
}

#[test]
fn source_paths_are_looked_up_in_a_local_checkout() {
    let dir = tempfile::tempdir().expect("temp dir");
    dependent_apps(dir.path(), "4");
    write(
        dir.path(),
        "apps/missing.yaml",
        &app("gone", "4", &git(PLATFORM, "v1.0.0", "services/gone")),
    );
    // Not a Git checkout: nothing to compare with.
    let (_, report) = check(dir.path(), &["apps", "services"]);
    assert_eq!(argo(&report), []);

    std::fs::create_dir(dir.path().join(".git")).expect("mkdir .git");
    let (code, report) = check(dir.path(), &["apps", "services"]);
    assert_eq!(code, 1);
    assert_eq!(argo(&report), [("ARGO-005".into(), 13, 5)]);
    // Single files say nothing about the rest of the checkout.
    let (_, report) = check(dir.path(), &["apps/missing.yaml"]);
    assert_eq!(argo(&report), []);
    // Other repositories are not the checkout's.
    write(
        dir.path(),
        ".charter.yaml",
        "rules: {ARGO: {platformRepos: [https://git.example.org/*]}, ARGO-011: {enabled: false}}\n",
    );
    let (_, report) = check(dir.path(), &["apps", "services"]);
    assert_eq!(argo(&report), []);
}
