//! Helm charts as input: charter renders them with a real `helm template`
//! (Helm v4's engine, `tools/helm`), as the ArgoCD Application that deploys
//! them would, and points findings at the rendered line and its template.

mod common;

use common::{charter_in, charter_with_env, helm_bin, write_file};
use serde_json::Value;
use tempfile::TempDir;

const CHART: &str = "apiVersion: v2\nname: web\nversion: 0.1.0\n";

const VALUES: &str = "\
image: registry.homelab.lan/web:1.0
sidecarImage: registry.homelab.lan/proxy:2.0
initImage: registry.homelab.lan/init:3.0
";

const DEPLOYMENT: &str = "\
apiVersion: apps/v1
kind: Deployment
metadata:
  name: {{ .Release.Name }}
  namespace: {{ .Release.Namespace }}
spec:
  selector:
    matchLabels: {app: {{ .Release.Name }}}
  template:
    metadata:
      labels: {app: {{ .Release.Name }}}
    spec:
      initContainers:
        - name: init
          image: {{ .Values.initImage }}
      containers:
        - name: web
          image: {{ .Values.image }}
        - name: proxy
          image: {{ .Values.sidecarImage }}
";

/// Deploys `charts/web` as release `storefront` in `shop`, with a value
/// file, inline values and a parameter that each float one image.
const APPLICATION: &str = "\
apiVersion: argoproj.io/v1alpha1
kind: Application
metadata:
  name: web-prod
  namespace: argocd
  annotations:
    argocd.argoproj.io/sync-wave: \"5\"
spec:
  project: platform
  source:
    repoURL: https://git.homelab.internal/platform/shop.git
    targetRevision: v1.0.0
    path: charts/web
    helm:
      releaseName: storefront
      valueFiles: [values-prod.yaml]
      valuesObject:
        sidecarImage: registry.homelab.lan/proxy
      parameters:
        - name: initImage
          value: registry.homelab.lan/init:latest
  destination:
    server: https://kubernetes.default.svc
    namespace: shop
  syncPolicy:
    automated: {prune: true, selfHeal: true}
";

/// A Git checkout (a `.git` entry is what charter looks for) holding the
/// chart and the Application.
fn repository() -> TempDir {
    let dir = TempDir::new().expect("temp dir");
    std::fs::create_dir(dir.path().join(".git")).expect(".git");
    write_file(dir.path(), "charts/web/Chart.yaml", CHART);
    write_file(dir.path(), "charts/web/values.yaml", VALUES);
    write_file(
        dir.path(),
        "charts/web/values-prod.yaml",
        "image: registry.homelab.lan/web:latest\n",
    );
    write_file(
        dir.path(),
        "charts/web/templates/deployment.yaml",
        DEPLOYMENT,
    );
    write_file(dir.path(), "apps/web.yaml", APPLICATION);
    dir
}

/// `(file, template, line, column, message)` of every finding of `rule`.
fn findings_of(report: &Value, rule: &str) -> Vec<(String, String, u64, u64, String)> {
    report["findings"]
        .as_array()
        .expect("findings")
        .iter()
        .filter(|finding| finding["rule"] == rule)
        .map(|finding| {
            (
                finding["file"].as_str().unwrap_or_default().to_owned(),
                finding["template"].as_str().unwrap_or_default().to_owned(),
                finding["line"].as_u64().unwrap_or_default(),
                finding["column"].as_u64().unwrap_or_default(),
                finding["message"].as_str().unwrap_or_default().to_owned(),
            )
        })
        .collect()
}

fn check(dir: &TempDir, extra: &[&str]) -> common::Run {
    let helm = helm_bin();
    let mut args = vec![
        "check",
        "--no-config",
        "--format",
        "json",
        "--helm-bin",
        &helm,
    ];
    args.extend_from_slice(extra);
    args.push(".");
    charter_in(dir.path(), &args, None)
}

#[test]
fn a_chart_renders_as_its_application_deploys_it() {
    let dir = repository();
    let run = check(&dir, &[]);
    let report = run.json();
    assert_eq!(run.code, 1, "{}", run.stderr);
    let stream = "charts/web (release storefront)";
    let template = "charts/web/templates/deployment.yaml";
    let floating = findings_of(&report, "HELM-004");
    let at: Vec<_> = floating
        .iter()
        .map(|(file, source, line, column, _)| (file.as_str(), source.as_str(), *line, *column))
        .collect();
    // Lines of the rendered stream (`---`, `# Source: ...`, then the
    // manifest: template line N is stream line N + 2), at the `image` key.
    assert_eq!(
        at,
        vec![
            (stream, template, 17, 11),
            (stream, template, 20, 11),
            (stream, template, 22, 11),
        ]
    );
    let messages: Vec<&str> = floating.iter().map(|f| f.4.as_str()).collect();
    // The parameter, the value file and `valuesObject` each reached Helm.
    assert!(
        messages[0].contains("registry.homelab.lan/init:latest"),
        "{messages:?}"
    );
    assert!(
        messages[1].contains("registry.homelab.lan/web:latest"),
        "{messages:?}"
    );
    assert!(
        messages[2].contains("registry.homelab.lan/proxy`"),
        "{messages:?}"
    );
    // Release name and destination namespace are the Application's.
    let resource = &report["findings"]
        .as_array()
        .expect("findings")
        .iter()
        .find(|finding| finding["rule"] == "HELM-004")
        .expect("a HELM-004")["resource"];
    assert_eq!(resource["namespace"], "shop");
    assert_eq!(resource["name"], "storefront");
    // Nothing is left unrendered.
    assert_eq!(
        report["summary"]["skipped"]["helm_charts"],
        serde_json::json!([])
    );
}

#[test]
fn helm_set_applies_last_to_every_render() {
    let dir = repository();
    let report = check(
        &dir,
        &["--helm-set", "sidecarImage=registry.homelab.lan/proxy:2.1"],
    )
    .json();
    let messages: Vec<String> = findings_of(&report, "HELM-004")
        .into_iter()
        .map(|finding| finding.4)
        .collect();
    assert_eq!(messages.len(), 2, "{messages:?}");
    assert!(!messages.iter().any(|message| message.contains("proxy")));
}

#[test]
fn a_chart_no_application_deploys_renders_with_its_own_values() {
    let dir = repository();
    std::fs::remove_file(dir.path().join("apps/web.yaml")).expect("remove app");
    write_file(
        dir.path(),
        "extra.yaml",
        "image: registry.homelab.lan/web\n",
    );
    let report = check(&dir, &["--helm-values", "extra.yaml"]).json();
    let floating = findings_of(&report, "HELM-004");
    assert_eq!(floating.len(), 1, "{floating:?}");
    assert_eq!(floating[0].0, "charts/web (release web)");
    assert!(
        floating[0].4.contains("registry.homelab.lan/web`"),
        "{floating:?}"
    );
}

#[test]
fn a_chart_that_fails_to_render_is_a_finding_with_helms_message() {
    let dir = repository();
    write_file(
        dir.path(),
        "charts/broken/Chart.yaml",
        "apiVersion: v2\nname: broken\nversion: 1.0.0\n",
    );
    write_file(
        dir.path(),
        "charts/broken/templates/configmap.yaml",
        "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: {{ .Values.name }\n",
    );
    let run = check(&dir, &[]);
    assert_eq!(run.code, 1);
    let report = run.json();
    let failures = findings_of(&report, "HELM-007");
    assert_eq!(failures.len(), 1, "{failures:?}");
    let (file, _, line, column, message) = &failures[0];
    assert_eq!(
        (file.as_str(), *line, *column),
        ("charts/broken (release broken)", 1, 1)
    );
    assert!(
        message.contains("parse error at (broken/templates/configmap.yaml:4)"),
        "{message}"
    );
    // The other chart is still rendered and checked.
    assert_eq!(findings_of(&report, "HELM-004").len(), 3);
}

#[test]
fn without_helm_the_charts_are_reported_as_not_rendered() {
    let dir = repository();
    let run = charter_with_env(
        dir.path(),
        &["check", "--no-config", "--format", "json", "."],
        None,
        &[("PATH", "/nonexistent")],
    );
    let report = run.json();
    assert_eq!(
        report["summary"]["skipped"]["helm_charts"],
        serde_json::json!(["charts/web"])
    );
    let reason = report["summary"]["skipped"]["helm_charts_reason"]
        .as_str()
        .unwrap_or_default();
    assert!(reason.contains("--helm-bin"), "{reason}");
    assert!(findings_of(&report, "HELM-004").is_empty());

    let human = charter_with_env(
        dir.path(),
        &["check", "--no-config", "."],
        None,
        &[("PATH", "/nonexistent")],
    );
    assert!(
        human.stdout.contains(
            "skipped: 1 Helm chart not rendered, no `helm` on PATH (install Helm, or name one with --helm-bin) (charts/web)"
        ),
        "{}",
        human.stdout
    );
}

#[test]
fn a_helm_bin_that_is_not_there_is_a_usage_error() {
    let dir = repository();
    let run = charter_in(
        dir.path(),
        &[
            "check",
            "--no-config",
            "--helm-bin",
            "/nonexistent/helm",
            ".",
        ],
        None,
    );
    assert_eq!(run.code, 2);
    assert!(
        run.stderr
            .contains("/nonexistent/helm: no such helm command (--helm-bin)"),
        "{}",
        run.stderr
    );
}

#[test]
fn piped_helm_output_names_the_templates() {
    let dir = repository();
    let rendered = std::process::Command::new(helm_bin())
        .args(["template", "web", "charts/web", "--namespace", "shop"])
        .current_dir(dir.path())
        .output()
        .expect("helm runs");
    assert!(
        rendered.status.success(),
        "{}",
        String::from_utf8_lossy(&rendered.stderr)
    );
    write_file(
        dir.path(),
        "charts/web/values.yaml",
        "image: registry.homelab.lan/web:latest\nsidecarImage: a:1\ninitImage: b:1\n",
    );
    let floating_output = std::process::Command::new(helm_bin())
        .args(["template", "web", "charts/web", "--namespace", "shop"])
        .current_dir(dir.path())
        .output()
        .expect("helm runs");
    let run = charter_in(
        dir.path(),
        &["check", "--no-config", "--format", "json", "-"],
        Some(&floating_output.stdout),
    );
    let floating = findings_of(&run.json(), "HELM-004");
    assert_eq!(floating.len(), 1, "{floating:?}");
    let (file, template, line, column, _) = &floating[0];
    assert_eq!(
        (file.as_str(), template.as_str(), *line, *column),
        ("<stdin>", "web/templates/deployment.yaml", 20, 11)
    );
    // The clean render has none.
    let clean = charter_in(
        dir.path(),
        &["check", "--no-config", "--format", "json", "-"],
        Some(&rendered.stdout),
    );
    assert!(findings_of(&clean.json(), "HELM-004").is_empty());
}

#[test]
fn exemptions_match_rendered_findings_by_template_path() {
    let dir = repository();
    write_file(
        dir.path(),
        ".charter.yaml",
        "exemptions:\n  - rules: HELM-004\n    files: charts/web/templates/deployment.yaml\n    reason: the shop pins images at release time\n",
    );
    let helm = helm_bin();
    let run = charter_in(
        dir.path(),
        &["check", "--format", "json", "--helm-bin", &helm, "."],
        None,
    );
    let report = run.json();
    let floating: Vec<&Value> = report["findings"]
        .as_array()
        .expect("findings")
        .iter()
        .filter(|finding| finding["rule"] == "HELM-004")
        .collect();
    assert_eq!(floating.len(), 3);
    assert!(floating.iter().all(|finding| finding["suppressed"] == true));
}

/// An Application for `charts/NAME` in namespace `shop`, in `wave`.
fn application(name: &str, wave: i32) -> String {
    format!(
        "apiVersion: argoproj.io/v1alpha1\nkind: Application\nmetadata:\n  name: {name}\n  namespace: argocd\n  annotations:\n    argocd.argoproj.io/sync-wave: \"{wave}\"\nspec:\n  project: platform\n  source:\n    repoURL: https://git.homelab.internal/platform/shop.git\n    targetRevision: v1.0.0\n    path: charts/{name}\n  destination:\n    server: https://kubernetes.default.svc\n    namespace: shop\n  syncPolicy:\n    automated: {{prune: true, selfHeal: true}}\n"
    )
}

#[test]
fn rendered_resources_belong_to_the_application_that_deploys_them() {
    let dir = TempDir::new().expect("temp dir");
    std::fs::create_dir(dir.path().join(".git")).expect(".git");
    write_file(
        dir.path(),
        "charts/api/Chart.yaml",
        "apiVersion: v2\nname: api\nversion: 0.1.0\n",
    );
    write_file(
        dir.path(),
        "charts/api/templates/service.yaml",
        "apiVersion: v1\nkind: Service\nmetadata:\n  name: api\n  namespace: {{ .Release.Namespace }}\nspec:\n  ports: [{port: 80}]\n",
    );
    write_file(
        dir.path(),
        "charts/shopfront/Chart.yaml",
        "apiVersion: v2\nname: shopfront\nversion: 0.1.0\n",
    );
    write_file(
        dir.path(),
        "charts/shopfront/templates/deployment.yaml",
        "apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: shopfront\n  namespace: {{ .Release.Namespace }}\nspec:\n  template:\n    spec:\n      containers:\n        - name: web\n          image: registry.homelab.lan/web:1.0\n          env:\n            - name: API_URL\n              value: http://api.{{ .Release.Namespace }}.svc:80\n",
    );
    write_file(dir.path(), "apps/api.yaml", &application("api", 5));
    write_file(
        dir.path(),
        "apps/shopfront.yaml",
        &application("shopfront", 5),
    );
    let order = |dir: &TempDir| {
        let report = check(dir, &[]).json();
        findings_of(&report, "ARGO-003")
            .into_iter()
            .map(|finding| (finding.0, finding.2, finding.4))
            .collect::<Vec<_>>()
    };
    // The consumer's chart calls the provider's Service: same wave, a
    // cold start finds it missing.
    let found = order(&dir);
    assert_eq!(found.len(), 1, "{found:?}");
    assert_eq!(
        (found[0].0.as_str(), found[0].1),
        ("apps/shopfront.yaml", 7)
    );
    assert!(
        found[0]
            .2
            .contains("uses Service `shop/api` from Application `api` (wave 5)"),
        "{found:?}"
    );
    write_file(
        dir.path(),
        "apps/shopfront.yaml",
        &application("shopfront", 6),
    );
    assert_eq!(order(&dir), vec![]);
}

#[test]
fn a_subchart_renders_with_its_parent_only() {
    let dir = repository();
    write_file(
        dir.path(),
        "charts/web/charts/cache/Chart.yaml",
        "apiVersion: v2\nname: cache\nversion: 0.1.0\n",
    );
    write_file(
        dir.path(),
        "charts/web/charts/cache/templates/deployment.yaml",
        "apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: {{ .Release.Name }}-cache\n  namespace: {{ .Release.Namespace }}\nspec:\n  template:\n    spec:\n      containers:\n        - name: cache\n          image: registry.homelab.lan/cache:latest\n",
    );
    let report = check(&dir, &[]).json();
    let cache: Vec<_> = findings_of(&report, "HELM-004")
        .into_iter()
        .filter(|finding| finding.4.contains("cache"))
        .collect();
    assert_eq!(cache.len(), 1, "{cache:?}");
    assert_eq!(cache[0].0, "charts/web (release storefront)");
    assert_eq!(
        cache[0].1,
        "charts/web/charts/cache/templates/deployment.yaml"
    );
}

#[test]
fn rendered_output_over_the_size_limit_is_not_checked_and_says_so() {
    let dir = repository();
    let report = check(&dir, &["--max-file-size", "256"]).json();
    let failures = findings_of(&report, "HELM-007");
    assert_eq!(failures.len(), 1, "{failures:?}");
    assert!(
        failures[0]
            .4
            .contains("is over the 256 bytes limit; not checked (raise it with --max-file-size)"),
        "{failures:?}"
    );
    assert!(findings_of(&report, "HELM-004").is_empty());
}

#[test]
fn a_render_that_does_not_finish_is_stopped_and_reported() {
    let dir = repository();
    // A helm that never answers (a wrapper stuck on the network, say).
    write_file(dir.path(), "stuck-helm", "#!/bin/sh\nexec sleep 60\n");
    let stuck = dir.path().join("stuck-helm");
    let mut permissions = std::fs::metadata(&stuck).expect("stat").permissions();
    std::os::unix::fs::PermissionsExt::set_mode(&mut permissions, 0o755);
    std::fs::set_permissions(&stuck, permissions).expect("chmod");
    let started = std::time::Instant::now();
    let run = charter_in(
        dir.path(),
        &[
            "check",
            "--no-config",
            "--format",
            "json",
            "--helm-bin",
            "stuck-helm",
            "--helm-timeout",
            "1",
            ".",
        ],
        None,
    );
    assert!(
        started.elapsed() < std::time::Duration::from_secs(30),
        "the run waited for helm"
    );
    let failures = findings_of(&run.json(), "HELM-007");
    assert_eq!(failures.len(), 1, "{failures:?}");
    assert!(
        failures[0]
            .4
            .contains("helm did not finish within 1 s and was stopped (--helm-timeout)"),
        "{failures:?}"
    );
}
