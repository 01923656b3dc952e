//! `cargo bench --bench schema`: the cost of offline schema validation on
//! 10,000 mixed resources (sixteen kinds, built-in and custom resources of
//! the shipped CRDs), in process, with all cores.
//!
//! Three runs of `charter check` over the same corpus: every rule but the
//! SCHEMA family (validation off), every rule with strict schema validation
//! (on), and the SCHEMA rules alone (read, parse and validate: what
//! kubeconform does). Then validation by itself: the SCHEMA rules over the
//! resources already read, strict and not. The first run of each
//! configuration (a warm-up, outside the figures) generates and compiles
//! the schemas of the kinds it meets, which a process does once.
//!
//! Options: `--resources N` (default 10000), `--runs N` (default 11).

use std::path::Path;
use std::time::Duration;

use charter::check::{self, CheckOptions};
use charter::config::Config;
use charter::engine::{self, ActiveRule, ResourceSet};
use charter::rules::{self, Parameters, Rule};

mod common;
use common::{measure, median, option};

#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn main() {
    let args: Vec<String> = std::env::args().collect();
    let resources = option(&args, "--resources", 10_000);
    let runs = option(&args, "--runs", 11);
    let cores = std::thread::available_parallelism().map_or(1, |n| n.get());

    let dir = tempfile::tempdir().expect("temp dir");
    let bytes = generate(dir.path(), resources);
    println!(
        "corpus: {resources} mixed resources ({} kinds), {:.1} MiB; {cores} cores; {runs} runs each, median (min)",
        KINDS,
        bytes as f64 / 1048576.0
    );
    let options = CheckOptions {
        paths: vec![dir.path().to_str().expect("UTF-8 temp path").to_owned()],
        ..CheckOptions::default()
    };
    let config = Config::default();

    let without: Vec<Rule> = rules::builtin()
        .into_iter()
        .filter(|rule| rule.meta.family() != "SCHEMA")
        .collect();
    let mut strict = Parameters::new();
    strict.insert("strict".into(), true.into());
    let mut with = rules::builtin();
    rules::schema::apply(&mut with, &strict).expect("strict mode");
    let mut only: Vec<Rule> = rules::builtin()
        .into_iter()
        .filter(|rule| rule.meta.family() == "SCHEMA")
        .collect();
    rules::schema::apply(&mut only, &strict).expect("strict mode");

    let mut figures = Vec::new();
    for (label, rules) in [
        ("all rules, schema validation off", &without),
        ("all rules, strict schema validation on", &with),
        ("SCHEMA rules alone (strict)", &only),
    ] {
        let mut schema_findings = 0;
        let run = || {
            let outcome = check::check(&options, &config, rules).expect("check runs");
            assert_eq!(outcome.tally.resources, resources, "every resource is read");
            schema_findings = outcome
                .findings
                .iter()
                .filter(|finding| finding.rule.family() == "SCHEMA")
                .count();
            outcome
        };
        let times = measure(runs, run);
        report(label, resources, &times);
        assert_eq!(schema_findings, 0, "the corpus is valid: {label}");
        figures.push(median(&times));
    }
    println!(
        "schema validation adds {:.1} ms to a run of {resources} resources",
        (figures[1].as_secs_f64() - figures[0].as_secs_f64()) * 1000.0
    );

    // Validation alone, over resources already read.
    let loaded = check::check(&options, &config, &without).expect("check runs");
    let set = ResourceSet {
        resources: &loaded.resources,
        files: &loaded.files,
        partial: false,
        platform: false,
    };
    let plain: Vec<Rule> = rules::builtin()
        .into_iter()
        .filter(|rule| rule.meta.family() == "SCHEMA")
        .collect();
    for (label, rules) in [
        ("validation alone (SCHEMA-001, 003)", &plain),
        ("validation alone, strict (SCHEMA-001, 002, 003)", &only),
    ] {
        let active: Vec<ActiveRule<'_>> = rules
            .iter()
            .map(|rule| ActiveRule {
                rule,
                severity: rule.meta.severity,
            })
            .collect();
        let times = measure(runs, || {
            let findings = engine::run(&active, set);
            assert!(findings.is_empty(), "the corpus is valid: {label}");
            findings
        });
        report(label, resources, &times);
    }
}

const KINDS: usize = 16;

/// Writes the corpus in multi-document files of up to 12; returns its size.
fn generate(dir: &Path, resources: usize) -> usize {
    let mut bytes = 0;
    let mut next = 0;
    let mut files = 0;
    while next < resources {
        let in_file = (1 + (files * 7) % 12).min(resources - next);
        let text: String = (next..next + in_file)
            .map(|i| format!("---\n{}", resource(i)))
            .collect();
        let path = dir.join(format!("app-{files:05}.yaml"));
        std::fs::write(&path, &text).expect("write corpus");
        bytes += text.len();
        files += 1;
        next += in_file;
    }
    bytes
}

fn resource(i: usize) -> String {
    let ns = format!("team-{:02}", i % 40);
    let meta =
        format!("metadata:\n  name: app-{i}\n  namespace: {ns}\n  labels: {{app: app-{i}}}\n");
    let pod = format!(
        "      containers:
        - name: app
          image: registry.local/app:{i}.0.1
          ports: [{{name: http, containerPort: 8080}}]
          env: [{{name: LOG_LEVEL, value: info}}]
          resources:
            requests: {{cpu: 100m, memory: 128Mi}}
            limits: {{cpu: 1, memory: 256Mi}}
          securityContext: {{allowPrivilegeEscalation: false, readOnlyRootFilesystem: true, capabilities: {{drop: [ALL]}}}}
          readinessProbe: {{httpGet: {{path: /ready, port: http}}}}
"
    );
    match i % KINDS {
        0 | 1 => format!(
            "apiVersion: apps/v1\nkind: Deployment\n{meta}spec:\n  replicas: 2\n  selector: {{matchLabels: {{app: app-{i}}}}}\n  strategy: {{rollingUpdate: {{maxSurge: 25%, maxUnavailable: 0}}}}\n  template:\n    metadata: {{labels: {{app: app-{i}}}}}\n    spec:\n{pod}"
        ),
        2 => format!(
            "apiVersion: apps/v1\nkind: StatefulSet\n{meta}spec:\n  serviceName: app-{i}\n  selector: {{matchLabels: {{app: app-{i}}}}}\n  template:\n    metadata: {{labels: {{app: app-{i}}}}}\n    spec:\n{pod}  volumeClaimTemplates:\n    - metadata: {{name: data}}\n      spec: {{accessModes: [ReadWriteOnce], resources: {{requests: {{storage: 10Gi}}}}}}\n"
        ),
        3 => format!(
            "apiVersion: batch/v1\nkind: CronJob\n{meta}spec:\n  schedule: \"0 3 * * *\"\n  jobTemplate:\n    spec:\n      template:\n        spec:\n          restartPolicy: OnFailure\n          containers: [{{name: job, image: registry.local/job:1, args: [--once]}}]\n"
        ),
        4 | 5 => format!(
            "apiVersion: v1\nkind: Service\n{meta}spec:\n  selector: {{app: app-{i}}}\n  ports: [{{name: http, port: 80, targetPort: http}}]\n"
        ),
        6 | 7 => format!(
            "apiVersion: v1\nkind: ConfigMap\n{meta}data:\n  LOG_LEVEL: info\n  settings.yaml: |\n    port: 8080\n"
        ),
        8 => format!(
            "apiVersion: v1\nkind: ServiceAccount\n{meta}automountServiceAccountToken: false\n"
        ),
        9 => format!(
            "apiVersion: networking.k8s.io/v1\nkind: NetworkPolicy\n{meta}spec:\n  podSelector: {{matchLabels: {{app: app-{i}}}}}\n  policyTypes: [Ingress, Egress]\n  ingress:\n    - from: [{{podSelector: {{matchLabels: {{role: frontend}}}}}}]\n      ports: [{{protocol: TCP, port: 8080}}]\n"
        ),
        10 => format!(
            "apiVersion: networking.k8s.io/v1\nkind: Ingress\n{meta}spec:\n  ingressClassName: traefik\n  rules:\n    - host: app-{i}.homelab.lan\n      http:\n        paths:\n          - path: /\n            pathType: Prefix\n            backend: {{service: {{name: app-{i}, port: {{name: http}}}}}}\n"
        ),
        11 => format!(
            "apiVersion: rbac.authorization.k8s.io/v1\nkind: Role\n{meta}rules:\n  - apiGroups: [\"\"]\n    resources: [configmaps]\n    verbs: [get, list]\n"
        ),
        12 => format!(
            "apiVersion: policy/v1\nkind: PodDisruptionBudget\n{meta}spec:\n  minAvailable: 1\n  selector: {{matchLabels: {{app: app-{i}}}}}\n"
        ),
        13 => format!(
            "apiVersion: autoscaling/v2\nkind: HorizontalPodAutoscaler\n{meta}spec:\n  scaleTargetRef: {{apiVersion: apps/v1, kind: Deployment, name: app-{i}}}\n  minReplicas: 2\n  maxReplicas: 5\n  metrics:\n    - type: Resource\n      resource: {{name: cpu, target: {{type: Utilization, averageUtilization: 80}}}}\n"
        ),
        14 => format!(
            "apiVersion: argoproj.io/v1alpha1\nkind: Application\n{meta}spec:\n  project: platform\n  source: {{repoURL: https://git.homelab.lan/platform.git, targetRevision: v1.0.{i}, path: apps/app-{i}}}\n  destination: {{server: https://kubernetes.default.svc, namespace: {ns}}}\n  syncPolicy: {{automated: {{prune: true, selfHeal: true}}}}\n"
        ),
        _ => format!(
            "apiVersion: cert-manager.io/v1\nkind: Certificate\n{meta}spec:\n  secretName: app-{i}-tls\n  dnsNames: [app-{i}.homelab.lan]\n  privateKey: {{algorithm: ECDSA, size: 256}}\n  issuerRef: {{name: homelab-ca, kind: ClusterIssuer}}\n"
        ),
    }
}

fn report(label: &str, resources: usize, times: &[Duration]) {
    let median = median(times);
    let fastest = times.iter().min().copied().unwrap_or_default();
    println!(
        "{label:<45} {:>8.1} ms ({:.1} ms)  {:>9.0} resources/s",
        median.as_secs_f64() * 1000.0,
        fastest.as_secs_f64() * 1000.0,
        resources as f64 / median.as_secs_f64(),
    );
}
