//! The GPU and HELM families as configured in `.charter.yaml`: the cluster
//! facts of `rules/cluster.yaml` (GPU capacity, taints, RuntimeClass, the
//! Kubernetes version) and the data of `rules/gpu.yaml` and `rules/helm.yaml`
//! overridden from there.

mod common;

use common::write_file as write;

use std::path::Path;

use common::charter_in;
use serde_json::Value;

/// Two always-on Ollama deployments with one GPU each, placed correctly.
const TWO_GPU_WORKLOADS: &str = "\
apiVersion: apps/v1
kind: Deployment
metadata:
  name: ollama-chat
  namespace: ai-backend
spec:
  template:
    spec:
      runtimeClassName: nvidia
      nodeSelector: {nvidia.com/gpu.present: \"true\"}
      tolerations:
        - {key: nvidia.com/gpu, operator: Exists, effect: NoSchedule}
      containers:
        - name: ollama
          image: registry.homelab.lan/ollama:0.5.4
          resources:
            requests: {memory: 12Gi}
            limits: {memory: 14Gi, nvidia.com/gpu: 1}
---
apiVersion: apps/v1
kind: Deployment
metadata:
  name: ollama-embed
  namespace: ai-backend
spec:
  template:
    spec:
      runtimeClassName: nvidia
      nodeSelector: {nvidia.com/gpu.present: \"true\"}
      tolerations:
        - {key: nvidia.com/gpu, operator: Exists, effect: NoSchedule}
      containers:
        - name: ollama
          image: registry.homelab.lan/ollama:0.5.4
          resources:
            requests: {memory: 4Gi}
            limits: {memory: 6Gi, nvidia.com/gpu: 1}
";

/// A GPU Job with none of the placement pieces.
const UNPLACED_JOB: &str = "\
apiVersion: batch/v1
kind: Job
metadata:
  name: transcribe
  namespace: ai-backend
spec:
  template:
    spec:
      restartPolicy: Never
      containers:
        - name: transcribe
          image: registry.homelab.lan/transcribe:2.0.1
          resources:
            requests: {memory: 2Gi}
            limits: {memory: 4Gi, example.com/tpu: 1, nvidia.com/gpu: 1}
";

const OLD_CRONJOB: &str = "\
apiVersion: batch/v1beta1
kind: CronJob
metadata:
  name: model-refresh
  namespace: ai-backend
spec:
  schedule: \"0 4 * * *\"
  jobTemplate:
    spec:
      template:
        spec:
          restartPolicy: Never
          containers:
            - name: refresh
              image: registry.homelab.lan/refresh:1.0.0
";

/// `(rule, line, column, severity)` of a finding.
type Found = (String, u64, u64, String);

/// Runs `charter check --format json ARGS` in `dir` with `config` as
/// `.charter.yaml`; `(rule, line, column, severity)` of the
/// findings of `family` (other families judge the same manifests too), and
/// the report.
fn check(dir: &Path, config: &str, args: &[&str], family: &str) -> (Vec<Found>, Value) {
    write(dir, ".charter.yaml", config);
    let mut all = vec!["check", "--format", "json"];
    all.extend(args);
    let run = charter_in(dir, &all, None);
    assert_ne!(run.code, 2, "usage error: {}", run.stderr);
    let report = run.json();
    let found = report["findings"]
        .as_array()
        .expect("findings")
        .iter()
        .filter(|f| {
            f["rule"]
                .as_str()
                .is_some_and(|rule| rule.starts_with(&format!("{family}-")))
        })
        .map(|f| {
            (
                f["rule"].as_str().unwrap_or_default().to_owned(),
                f["line"].as_u64().unwrap_or_default(),
                f["column"].as_u64().unwrap_or_default(),
                f["severity"].as_str().unwrap_or_default().to_owned(),
            )
        })
        .collect();
    (found, report)
}

fn finding(rule: &str, line: u64, column: u64, severity: &str) -> Found {
    (rule.into(), line, column, severity.into())
}

#[test]
fn gpu_capacity_comes_from_the_cluster_facts() {
    let dir = tempfile::tempdir().expect("temp dir");
    write(dir.path(), "manifests/ollama.yaml", TWO_GPU_WORKLOADS);

    // One GPU in rules/cluster.yaml: both are reported, each naming the other.
    let (found, report) = check(dir.path(), "", &["manifests"], "GPU");
    assert_eq!(
        found,
        [
            finding("GPU-004", 18, 36, "error"),
            finding("GPU-004", 37, 35, "error")
        ]
    );
    let gpu: Vec<&str> = report["findings"]
        .as_array()
        .expect("findings")
        .iter()
        .filter(|f| f["rule"] == "GPU-004")
        .filter_map(|f| f["message"].as_str())
        .collect();
    assert_eq!(
        gpu[0],
        "Deployment ai-backend/ollama-chat holds 1 GPU(s) (1 replica(s), 1 per pod): always-on \
         workloads ask for 2 in total but the cluster advertises 1 (1 GPU(s) × 1 \
         time-slice(s)); competing: Deployment ai-backend/ollama-embed (1)"
    );

    // Two GPUs, or one shared by time-slicing, fit them both.
    for facts in ["{gpu: {capacity: 2}}", "{gpu: {timeSlicing: 4}}"] {
        let config = format!("rules:\n  GPU:\n    cluster: {facts}\n");
        let (found, _) = check(dir.path(), &config, &["manifests"], "GPU");
        assert_eq!(found, vec![], "{facts}");
    }

    // A single file is a partial set: the finding is only info.
    let (found, _) = check(dir.path(), "", &["manifests/ollama.yaml"], "GPU");
    assert_eq!(
        found,
        [
            finding("GPU-004", 18, 36, "info"),
            finding("GPU-004", 37, 35, "info")
        ]
    );
}

#[test]
fn gpu_placement_follows_the_cluster_facts_and_gpu_resources_the_data() {
    let dir = tempfile::tempdir().expect("temp dir");
    write(dir.path(), "manifests/job.yaml", UNPLACED_JOB);

    // Label, toleration and RuntimeClass missing: three findings at the spec.
    let (found, report) = check(dir.path(), "", &["manifests"], "GPU");
    assert_eq!(found, vec![finding("GPU-002", 8, 5, "error"); 3]);
    let hints: Vec<&str> = report["findings"]
        .as_array()
        .expect("findings")
        .iter()
        .filter(|f| f["rule"] == "GPU-002")
        .filter_map(|f| f["hint"].as_str())
        .collect();
    assert!(hints.contains(&"Set in the pod spec: `runtimeClassName: nvidia`"));
    assert!(
        hints.contains(&"Add to the pod spec: `nodeSelector: {nvidia.com/gpu.present: \"true\"}`")
    );

    // A cluster without GPU taints, that runs NVIDIA by default, and whose
    // GPU nodes carry another label.
    let config = "\
rules:
  GPU:
    cluster:
      gpu:
        taints: []
        runtimeClassRequired: false
        nodeLabels: {accelerator: rtx-5080}
";
    let (found, report) = check(dir.path(), config, &["manifests"], "GPU");
    assert_eq!(found, [finding("GPU-002", 8, 5, "error")]);
    let message = report["findings"]
        .as_array()
        .expect("findings")
        .iter()
        .find(|f| f["rule"] == "GPU-002")
        .and_then(|f| f["message"].as_str())
        .unwrap_or_default()
        .to_owned();
    assert!(message.contains("accelerator=rtx-5080"), "{message}");

    // Without nvidia.com/gpu among the GPU resources, the Job is no GPU
    // workload; with example.com/tpu it is one again.
    let mut config = String::from(
        "rules:\n  GPU:\n    resources: [amd.com/gpu]\n    cluster: {gpu: {taints: [], runtimeClassRequired: false}}\n",
    );
    let (found, _) = check(dir.path(), &config, &["manifests"], "GPU");
    assert_eq!(found, vec![]);
    config = config.replace("[amd.com/gpu]", "[\"example.com/*\"]");
    let (found, _) = check(dir.path(), &config, &["manifests"], "GPU");
    assert_eq!(found, vec![finding("GPU-002", 8, 5, "error")]);
}

#[test]
fn wrong_cluster_facts_are_configuration_errors() {
    let dir = tempfile::tempdir().expect("temp dir");
    write(dir.path(), "manifests/job.yaml", UNPLACED_JOB);
    for (config, words) in [
        (
            "rules:\n  GPU:\n    cluster: {gpu: {capacity: two}}\n",
            "cluster.gpu.capacity",
        ),
        ("rules:\n  GPU:\n    cluster: {gpus: {}}\n", "gpus"),
        ("rules:\n  GPU-005:\n    devicePaths: /dev\n", "devicePaths"),
        (
            "rules:\n  HELM-006:\n    kubernetesVersion: latest\n",
            "kubernetesVersion",
        ),
    ] {
        write(dir.path(), ".charter.yaml", config);
        let run = charter_in(dir.path(), &["check", "manifests"], None);
        assert_eq!(run.code, 2, "{config}: {}", run.stderr);
        assert!(run.stderr.contains(words), "{config}: {}", run.stderr);
    }
}

#[test]
fn removed_api_versions_depend_on_the_kubernetes_version() {
    let dir = tempfile::tempdir().expect("temp dir");
    write(dir.path(), "manifests/cronjob.yaml", OLD_CRONJOB);

    // k3s 1.31 (rules/cluster.yaml): batch/v1beta1 was removed in 1.25.
    let (found, _) = check(dir.path(), "", &["manifests"], "HELM");
    assert!(
        found.contains(&finding("HELM-006", 1, 1, "error")),
        "{found:?}"
    );

    // On 1.24 it is only deprecated (since 1.21), on 1.20 it is current.
    for (config, expected) in [
        (
            "rules:\n  HELM-006:\n    kubernetesVersion: \"1.24\"\n",
            Some("warning"),
        ),
        (
            "rules:\n  HELM:\n    kubernetesVersion: v1.24.17+k3s1\n",
            Some("warning"),
        ),
        (
            "rules:\n  HELM-006:\n    kubernetesVersion: \"1.20\"\n",
            None,
        ),
    ] {
        let (found, _) = check(dir.path(), config, &["manifests"], "HELM");
        let api: Vec<_> = found.iter().filter(|f| f.0 == "HELM-006").collect();
        match expected {
            Some(severity) => assert_eq!(api, [&finding("HELM-006", 1, 1, severity)], "{config}"),
            None => assert!(api.is_empty(), "{config}: {api:?}"),
        }
    }

    // The table itself comes from rules/helm.yaml and can be replaced.
    let config = "\
rules:
  HELM-006:
    apis:
      - {apiVersion: batch/v1, kind: CronJob, deprecatedIn: \"1.30\", removedIn: \"1.40\", replacement: batch/v2}
";
    write(
        dir.path(),
        "manifests/cronjob.yaml",
        &OLD_CRONJOB.replace("batch/v1beta1", "batch/v1"),
    );
    let (found, report) = check(dir.path(), config, &["manifests"], "HELM");
    assert!(
        found.contains(&finding("HELM-006", 1, 1, "warning")),
        "{found:?}"
    );
    assert!(
        report["findings"]
            .as_array()
            .expect("findings")
            .iter()
            .any(|f| f["hint"] == "Use batch/v2 for CronJob.")
    );
}

#[test]
fn helm_data_is_overridden_from_the_configuration() {
    let dir = tempfile::tempdir().expect("temp dir");
    let manifest = "\
apiVersion: v1
kind: ConfigMap
metadata:
  name: my-release-settings
  namespace: ai-backend
data:
  greeting: \"Hello {{ .Values.name }}\"
";
    write(dir.path(), "manifests/settings.yaml", manifest);
    let (found, _) = check(dir.path(), "", &["manifests"], "HELM");
    assert_eq!(found, vec![finding("HELM-001", 7, 3, "error")]);

    // The ConfigMap's data declared a template of its own, and `my-release`
    // declared a placeholder.
    let config = "\
rules:
  HELM-001:
    templateExempt:
      - {apiVersion: v1, kind: ConfigMap, paths: [/data/greeting]}
    placeholders: [my-release]
";
    let (found, _) = check(dir.path(), config, &["manifests"], "HELM");
    assert_eq!(found, vec![finding("HELM-001", 4, 3, "error")]);

    // Labels: ConfigMaps made to need one.
    let config = "\
rules:
  HELM-001: off
  HELM-003:
    labelledKinds: [ConfigMap]
    recommendedLabels: [app.kubernetes.io/part-of]
";
    let (found, _) = check(dir.path(), config, &["manifests"], "HELM");
    assert_eq!(found, [finding("HELM-003", 3, 1, "warning")]);
}
