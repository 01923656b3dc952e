//! `deploy/`, the reference platform: clean as shipped (every chart rendered
//! with real Helm), and not clean the moment one of its safeguards goes.

mod common;

use std::path::Path;

use common::{charter, charter_in, repo_root};
use serde_json::Value;
use tempfile::TempDir;

/// `(rule, namespace/name)` of every unsuppressed finding.
fn unsuppressed(report: &Value) -> Vec<(String, String)> {
    let mut found: Vec<(String, String)> = report["findings"]
        .as_array()
        .expect("findings")
        .iter()
        .filter(|finding| finding["suppressed"] == false)
        .map(|finding| {
            let resource = &finding["resource"];
            let name = match resource.is_null() {
                true => finding["file"].as_str().unwrap_or_default().to_owned(),
                false => format!(
                    "{}/{}",
                    resource["namespace"].as_str().unwrap_or_default(),
                    resource["name"].as_str().unwrap_or_default()
                ),
            };
            (
                finding["rule"].as_str().unwrap_or_default().to_owned(),
                name,
            )
        })
        .collect();
    found.sort();
    found.dedup();
    found
}

#[test]
fn the_reference_platform_is_clean_with_every_chart_rendered() {
    let run = charter(&["check", "deploy/", "--format", "json"]);
    let report = run.json();
    assert_eq!(run.code, 0, "{:?}\n{}", unsuppressed(&report), run.stderr);
    assert_eq!(unsuppressed(&report), Vec::<(String, String)>::new());
    let summary = &report["summary"];
    assert_eq!(summary["skipped"]["helm_charts"], serde_json::json!([]));
    // Every exemption that is used carries its reason.
    for finding in report["findings"].as_array().expect("findings") {
        assert!(
            finding["suppression_reason"]
                .as_str()
                .is_some_and(|reason| reason.len() > 20),
            "{finding}"
        );
    }
    // The charts were rendered as their Applications deploy them: both
    // Ollama releases, each chart once, charter's own webhook included.
    assert_eq!(
        summary["helm_renders"],
        serde_json::json!([
            "deploy/charts/agent-server (release agent-server)",
            "deploy/charts/charter-webhook (release charter-webhook)",
            "deploy/charts/litellm (release litellm)",
            "deploy/charts/n8n (release n8n)",
            "deploy/charts/ollama (release ollama)",
            "deploy/charts/ollama (release ollama-gpu)",
            "deploy/charts/open-webui (release open-webui)",
            "deploy/charts/searxng (release searxng)",
        ])
    );
    assert!(
        summary["resources"].as_u64().unwrap_or_default() > 150,
        "{summary}"
    );
}

/// A copy of the repository's `deploy/` (and the `tools/helm` it renders
/// with) in a Git checkout of its own, for one mutation.
fn platform_copy() -> TempDir {
    let dir = TempDir::new().expect("temp dir");
    std::fs::create_dir(dir.path().join(".git")).expect(".git");
    copy_tree(&repo_root().join("deploy"), &dir.path().join("deploy"));
    std::os::unix::fs::symlink(repo_root().join("tools"), dir.path().join("tools"))
        .expect("tools link");
    dir
}

fn copy_tree(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).expect("create dir");
    for entry in std::fs::read_dir(from).expect("read dir") {
        let entry = entry.expect("entry");
        let target = to.join(entry.file_name());
        match entry.file_type().expect("file type").is_dir() {
            true => copy_tree(&entry.path(), &target),
            false => {
                std::fs::copy(entry.path(), &target).expect("copy file");
            }
        }
    }
}

/// Replaces `old` (which must be there, once) by `new` in `deploy/FILE`.
fn edit(dir: &TempDir, file: &str, old: &str, new: &str) {
    let path = dir.path().join("deploy").join(file);
    let text = std::fs::read_to_string(&path).expect("read");
    assert_eq!(text.matches(old).count(), 1, "{file} holds `{old}` once");
    std::fs::write(&path, text.replacen(old, new, 1)).expect("write");
}

/// The copy's unsuppressed findings after one edit; the run must fail.
fn findings_after(file: &str, old: &str, new: &str) -> Vec<(String, String)> {
    let dir = platform_copy();
    edit(&dir, file, old, new);
    let run = charter_in(dir.path(), &["check", "deploy/", "--format", "json"], None);
    let found = unsuppressed(&run.json());
    assert_eq!(
        run.code, 1,
        "removing `{old}` from {file} went unnoticed: {found:?}"
    );
    found
}

/// A rule id and the `namespace/name` it reports.
type Finding = (String, String);

fn pair(rule: &str, resource: &str) -> Finding {
    (rule.to_owned(), resource.to_owned())
}

#[test]
fn removing_a_hardening_setting_from_a_chart_fails_the_check() {
    // Each chart's security settings live in its values: take one out, and
    // the rendered Deployment (both releases, for Ollama) is reported.
    let cases: [(&str, &str, Vec<Finding>); 7] = [
        (
            "charts/litellm/values.yaml",
            "  readOnlyRootFilesystem: true\n",
            vec![pair("POD-004", "ai-backend/litellm")],
        ),
        (
            "charts/ollama/values.yaml",
            // The non-root identity: the flag and the user both gone. The
            // platform's own Kyverno baseline (deploy/policies) refuses it
            // too, through the rule Kyverno generates for Deployments.
            "  runAsNonRoot: true\n  runAsUser: 10001\n",
            vec![
                pair(
                    "KYV-charter-require-non-root/autogen-run-as-non-root",
                    "ai-backend/ollama",
                ),
                pair(
                    "KYV-charter-require-non-root/autogen-run-as-non-root",
                    "ai-backend/ollama-gpu",
                ),
                pair("POD-003", "ai-backend/ollama"),
                pair("POD-003", "ai-backend/ollama-gpu"),
            ],
        ),
        (
            "charts/open-webui/values.yaml",
            "    drop: [ALL]\n",
            vec![pair("POD-005", "ai-frontend/open-webui")],
        ),
        (
            "charts/n8n/values.yaml",
            "  seccompProfile:\n    type: RuntimeDefault\n",
            vec![pair("POD-009", "ai-frontend/n8n")],
        ),
        (
            "charts/searxng/values.yaml",
            "    memory: 512Mi\n",
            vec![
                pair(
                    "KYV-charter-require-limits/autogen-requests-and-memory-limit",
                    "search/searxng",
                ),
                pair("POD-011", "search/searxng"),
            ],
        ),
        (
            "charts/charter-webhook/templates/deployment.yaml",
            "            allowPrivilegeEscalation: false\n",
            vec![pair("POD-002", "charter-system/charter-webhook")],
        ),
        (
            "charts/agent-server/templates/deployment.yaml",
            "          livenessProbe:\n            httpGet:\n              path: {{ .Values.probes.path }}\n              port: http\n            {{- toYaml .Values.probes.liveness | nindent 12 }}\n",
            vec![pair("POD-012", "ai-backend/agent-server")],
        ),
    ];
    for (file, setting, expected) in cases {
        assert_eq!(
            findings_after(file, setting, ""),
            expected,
            "without `{setting}` in {file}"
        );
    }
}

#[test]
fn breaking_the_platforms_other_safeguards_fails_the_check() {
    // The GPU release without the GPU node's toleration cannot be scheduled.
    assert_eq!(
        findings_after(
            "charts/ollama/values.yaml",
            "    - key: nvidia.com/gpu\n      operator: Exists\n      effect: NoSchedule\n",
            "",
        ),
        vec![pair("GPU-002", "ai-backend/ollama-gpu")]
    );
    // n8n's diagnostics switched back on.
    assert_eq!(
        findings_after(
            "charts/n8n/values.yaml",
            "  N8N_DIAGNOSTICS_ENABLED: \"false\"\n",
            "  N8N_DIAGNOSTICS_ENABLED: \"true\"\n",
        ),
        vec![pair("PRIV-001", "ai-frontend/n8n")]
    );
    // Grafana's usage reporting back on, in kube-prometheus-stack's values.
    assert_eq!(
        findings_after(
            "argocd/apps/prometheus.yaml",
            "              reporting_enabled: false\n",
            "              reporting_enabled: true\n",
        ),
        vec![pair("PRIV-001", "argocd/prometheus")]
    );
    // Traefik's new-version check left to the chart's default arguments.
    assert_eq!(
        findings_after(
            "argocd/apps/traefik.yaml",
            "          - --global.checknewversion=false\n",
            "",
        ),
        vec![pair("PRIV-002", "argocd/traefik")]
    );
}
