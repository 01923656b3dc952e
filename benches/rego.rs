//! `cargo bench --bench rego`: the cost of Rego policies, 50 of them, on
//! 10,000 mixed resources (Deployments, StatefulSets, Pods, Services,
//! ConfigMaps and Ingresses in twelve namespaces), in process, with all
//! cores.
//!
//! The policies are in `benches/rego/`: 25 Conftest rules (`deny_*` and
//! `warn_*` of package `main`, in five modules, one of them Rego v0) and 25
//! Gatekeeper Constraints over ten ConstraintTemplates, one of them
//! referential (unique Ingress hosts, through `data.inventory`, so that the
//! inventory is built and searched). The corpus is generated into a temp
//! dir; a share of it breaks each of the 50 policies.
//!
//! Measured: loading and compiling the policies; `charter check` with every
//! built-in rule and no policy, then with the 50 policies; and the policies
//! alone (`Policies::evaluate` over resources read once): all 50, then the
//! Conftest rules, the Gatekeeper Constraints and the referential one by
//! themselves. Policy evaluations per second count every (resource, policy)
//! pair, 50 per resource, whether or not a Constraint's `match` selects the
//! resource (one that does not is skipped without running Rego). The runs
//! assert that each policy reports something and that none fails, so the
//! figures cannot come from policies that do nothing.
//!
//! Options: `--resources N` (default 10000), `--runs N` (default 5).

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};
use std::sync::Arc;

use charter::check::{self, CheckOptions};
use charter::config::Config;
use charter::engine::ResourceSet;
use charter::finding::Finding;
use charter::policy::load::{self, PolicySettings};
use charter::policy::{Namespaces, Policies};
use charter::rules;

mod common;
use common::{measure, median, option, report, report_time};

#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

/// 25 Conftest rules and 25 Gatekeeper Constraints.
const POLICIES: usize = 50;

fn main() {
    let args: Vec<String> = std::env::args().collect();
    let resources = option(&args, "--resources", 10_000);
    let runs = option(&args, "--runs", 5);
    let cores = std::thread::available_parallelism().map_or(1, |n| n.get());

    let dir = tempfile::tempdir().expect("temp dir");
    let bytes = generate(dir.path(), resources);
    println!(
        "corpus: {resources} mixed resources (6 kinds, {} namespaces), {:.1} MiB; {POLICIES} policies; \
         {cores} cores; {runs} runs each, median (min)",
        NAMESPACES.len(),
        bytes as f64 / 1048576.0
    );

    let settings = settings_for(&[]);
    let compile = || load::load(&settings).expect("the benchmark's policies compile");
    let times = measure(runs, compile);
    report_time("load and compile the 50 policies", &times);
    let policies: Arc<Policies> = Arc::new(compile());
    println!("policies: {policies:?}");

    let paths = vec![dir.path().to_str().expect("UTF-8 temp path").to_owned()];
    let config = Config::default();
    let builtin = rules::builtin();
    let without = CheckOptions {
        paths: paths.clone(),
        ..CheckOptions::default()
    };
    let with = CheckOptions {
        paths,
        policies: Some(Arc::clone(&policies)),
        ..CheckOptions::default()
    };

    let mut figures = Vec::new();
    for (label, options, expected) in [
        ("check, built-in rules, no policies", &without, 0),
        ("check, built-in rules + 50 policies", &with, POLICIES),
    ] {
        // Counted on the first run, the warm-up `measure` does not time.
        let mut tally = None;
        let times = measure(runs, || {
            let outcome = check::check(options, &config, &builtin).expect("check runs");
            assert_eq!(outcome.tally.resources, resources, "every resource is read");
            tally.get_or_insert_with(|| Tally::of(&outcome.findings));
            outcome
        });
        report(label, resources, &times);
        let tally = tally.expect("measure runs the work");
        tally.assert_sound(label, expected);
        println!("    {}", tally.summary(resources));
        figures.push(median(&times));
    }
    println!(
        "the policies add {:.1} ms to a check of {resources} resources",
        (figures[1].as_secs_f64() - figures[0].as_secs_f64()) * 1000.0
    );

    // The policies alone, over resources read once.
    let loaded = check::check(&without, &config, &builtin).expect("check runs");
    let set = ResourceSet {
        resources: &loaded.resources,
        files: &loaded.files,
        partial: false,
        platform: false,
    };
    let tally = evaluate_alone("policies alone, all 50", &policies, POLICIES, set, runs);
    for (rule, count) in &tally.by_rule {
        println!("    {count:>6}  {rule}");
    }
    for (label, paths, count) in [
        ("the 25 Conftest rules alone", &["conftest"][..], 25),
        (
            "the 25 Gatekeeper Constraints alone",
            &["gatekeeper"][..],
            25,
        ),
        (
            "the referential Constraint alone",
            &["gatekeeper/unique-ingress-host.yaml"][..],
            1,
        ),
    ] {
        let some = load::load(&settings_for(paths)).expect("the benchmark's policies compile");
        evaluate_alone(label, &some, count, set, runs);
    }
}

/// Where the benchmark's policies are: `benches/rego/`, or `parts` of it.
fn settings_for(parts: &[&str]) -> PolicySettings {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("benches/rego");
    PolicySettings {
        paths: match parts.is_empty() {
            true => vec![root],
            false => parts.iter().map(|part| root.join(part)).collect(),
        },
        required: true,
        namespaces: Namespaces::default(),
    }
}

/// Times `policies` (`count` of them) over `set` alone, and prints the
/// figures and evaluations (resource, policy pairs) per second.
fn evaluate_alone(
    label: &str,
    policies: &Policies,
    count: usize,
    set: ResourceSet<'_>,
    runs: usize,
) -> Tally {
    let resources = set.resources.len();
    // Counted on the first run, the warm-up `measure` does not time.
    let mut tally = None;
    let times = measure(runs, || {
        let findings = policies.evaluate(&set, &|meta| Some(meta.severity));
        tally.get_or_insert_with(|| Tally::of(&findings));
        findings
    });
    report(label, resources, &times);
    let tally = tally.expect("measure runs the work");
    tally.assert_sound(label, count);
    let evaluations = (resources * count) as f64;
    println!(
        "    {:.0} policy evaluations/s (fastest run {:.0}/s); {}",
        evaluations / median(&times).as_secs_f64(),
        evaluations / times[0].as_secs_f64(),
        tally.summary(resources),
    );
    tally
}

/// The policy findings of a run.
#[derive(Default)]
struct Tally {
    /// Findings of each policy rule (`REGO-main.deny_x`, `GK-Kind/name`).
    by_rule: BTreeMap<&'static str, usize>,
    /// The resources a policy reports.
    offenders: BTreeSet<usize>,
    /// REGO-001 to 004: a policy that does not compile or failed.
    failures: Vec<String>,
}

impl Tally {
    fn of(findings: &[Finding]) -> Tally {
        let mut tally = Tally::default();
        for finding in findings {
            let id = finding.rule.id;
            if rules::rego::ALL.iter().any(|meta| meta.id == id) {
                tally.failures.push(format!("{id}: {}", finding.message));
            } else if rules::rego::POLICY_FAMILIES.contains(&finding.rule.family()) {
                *tally.by_rule.entry(id).or_default() += 1;
                tally.offenders.extend(finding.resource);
            }
        }
        tally
    }

    fn findings(&self) -> usize {
        self.by_rule.values().sum()
    }

    /// Exactly `policies` policies reported something (so, with policies,
    /// there are findings), and none failed.
    fn assert_sound(&self, label: &str, policies: usize) {
        assert!(
            self.failures.is_empty(),
            "{label}: {} policy failures, the first: {}",
            self.failures.len(),
            self.failures[0]
        );
        assert_eq!(
            self.by_rule.len(),
            policies,
            "{label}: policies that reported something: {:?}",
            self.by_rule.keys().collect::<Vec<_>>()
        );
    }

    fn summary(&self, resources: usize) -> String {
        format!(
            "{} policy findings from {} policies, on {} resources ({:.0}%)",
            self.findings(),
            self.by_rule.len(),
            self.offenders.len(),
            self.offenders.len() as f64 * 100.0 / resources as f64
        )
    }
}

const NAMESPACES: [&str; 12] = [
    "team-a",
    "team-b",
    "team-c",
    "team-d",
    "team-e",
    "team-f",
    "platform",
    "monitoring",
    "ingress",
    "sandbox",
    "data",
    "ml",
];

const TEAMS: [&str; 5] = ["payments", "search", "checkout", "catalog", "identity"];

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
        let path: PathBuf = dir.join(format!("app-{files:05}.yaml"));
        std::fs::write(&path, &text).expect("write corpus");
        bytes += text.len();
        files += 1;
        next += in_file;
    }
    bytes
}

/// Resource `i`: its kind cycles over 20 (7 Deployments, 2 StatefulSets, 2
/// Pods, 4 Services, 4 ConfigMaps, 1 Ingress); what it breaks comes from
/// `i` modulo primes, so that every kind meets every kind of fault.
fn resource(i: usize) -> String {
    let j = i / 20;
    let ns = NAMESPACES[j % NAMESPACES.len()];
    let team = match i % 37 {
        0 => String::new(),
        1 | 2 => "team: Platform_Team\n    ".to_owned(),
        _ => format!("team: team-{}\n    ", TEAMS[j % TEAMS.len()]),
    };
    let name = match i % 59 {
        0 => String::new(),
        _ => format!("app.kubernetes.io/name: app-{i}\n    "),
    };
    let version = match i % 13 {
        5 => String::new(),
        _ => "app.kubernetes.io/version: \"1.4.2\"\n    ".to_owned(),
    };
    let tier = match i % 9 {
        0 => "batch",
        _ => "web",
    };
    let owner = match i % 3 {
        0 => String::new(),
        _ => format!("owner: {}\n    ", TEAMS[i % TEAMS.len()]),
    };
    let labels = format!("  labels:\n    {name}{team}{version}{owner}tier: {tier}\n");
    let meta = format!("metadata:\n  name: app-{i}\n  namespace: {ns}\n{labels}");
    match i % 20 {
        0..=6 => {
            let replicas = [2, 3, 2, 1, 4, 3, 2, 3, 12, 2, 3][i % 11];
            format!(
                "apiVersion: apps/v1\nkind: Deployment\n{meta}spec:\n  replicas: {replicas}\n  selector: {{matchLabels: {{app: app-{i}}}}}\n  template:\n    metadata: {{labels: {{app: app-{i}}}}}\n    spec:\n{}",
                pod_spec(i, ns, "      ")
            )
        }
        7 | 8 => {
            let replicas = [1, 3, 2, 5, 3][j % 5];
            format!(
                "apiVersion: apps/v1\nkind: StatefulSet\n{meta}spec:\n  replicas: {replicas}\n  serviceName: app-{i}\n  selector: {{matchLabels: {{app: app-{i}}}}}\n  template:\n    metadata: {{labels: {{app: app-{i}}}}}\n    spec:\n{}  volumeClaimTemplates:\n    - metadata: {{name: data}}\n      spec: {{accessModes: [ReadWriteOnce], resources: {{requests: {{storage: 10Gi}}}}}}\n",
                pod_spec(i, ns, "      ")
            )
        }
        9 | 10 => format!(
            "apiVersion: v1\nkind: Pod\n{meta}spec:\n{}",
            pod_spec(i, ns, "  ")
        ),
        11..=14 => {
            let kind = match (i % 9, i % 7) {
                (0, _) => "NodePort",
                (_, 0) => "LoadBalancer",
                _ => "ClusterIP",
            };
            format!(
                "apiVersion: v1\nkind: Service\n{meta}spec:\n  type: {kind}\n  selector: {{app: app-{i}}}\n  ports: [{{name: http, port: 80, targetPort: http}}]\n"
            )
        }
        15..=18 => {
            let credential = match i % 27 {
                0 => "  db_password_file: /run/secrets/db\n",
                _ => "",
            };
            format!(
                "apiVersion: v1\nkind: ConfigMap\n{meta}data:\n  LOG_LEVEL: info\n{credential}  settings.yaml: |\n    port: 8080\n"
            )
        }
        _ => {
            // Two Ingresses in fifty claim the same host as another.
            let host = match j % 25 {
                0 | 1 => format!("shared-{}.apps.lan", j / 25),
                _ => format!("app-{i}.apps.lan"),
            };
            let tls = match i % 3 {
                0 => String::new(),
                _ => format!("  tls: [{{hosts: [{host}], secretName: app-{i}-tls}}]\n"),
            };
            format!(
                "apiVersion: networking.k8s.io/v1\nkind: Ingress\n{meta}spec:\n  ingressClassName: traefik\n{tls}  rules:\n    - host: {host}\n      http:\n        paths:\n          - path: /\n            pathType: Prefix\n            backend: {{service: {{name: app-{i}, port: {{name: http}}}}}}\n"
            )
        }
    }
}

/// A PodSpec indented by `pad`: one container, a compliant sidecar in one
/// resource of five, and faults by `i`.
fn pod_spec(i: usize, ns: &str, pad: &str) -> String {
    let repository = match ns {
        "platform" | "monitoring" | "ingress" => "registry.local/platform".to_owned(),
        _ => format!("registry.local/{ns}"),
    };
    let image = match i {
        _ if i % 23 == 0 => format!("{repository}/app:latest"),
        _ if i % 29 == 0 => format!("{repository}/app"),
        _ if i % 19 == 0 => "nginx:1.27".to_owned(),
        _ if i % 47 == 0 => format!("{repository}/app:dev"),
        _ if i % 43 == 0 => "quay.io/prometheus/node-exporter:v1.8.0".to_owned(),
        _ if i % 7 == 0 => format!("{repository}/app:canary"),
        _ => format!("{repository}/app-{}:1.{}.0", i % 100, i % 10),
    };
    let pull = match i % 31 {
        5 => "\n    imagePullPolicy: Always",
        _ => "",
    };
    let memory = match i % 41 {
        0 => "16Gi",
        _ => "256Mi",
    };
    let resources = match (i % 13, i % 26) {
        (0, 0) => String::new(),
        (0, _) => "\n    resources: {requests: {cpu: 100m, memory: 128Mi}}".to_owned(),
        _ => format!(
            "\n    resources: {{requests: {{cpu: 100m, memory: 128Mi}}, limits: {{cpu: \"1\", memory: {memory}}}}}"
        ),
    };
    let readiness = match i % 11 {
        0 => "",
        _ => "\n    readinessProbe: {httpGet: {path: /ready, port: http}}",
    };
    let liveness = match i % 7 {
        0 => "",
        _ => "\n    livenessProbe: {httpGet: {path: /live, port: http}}",
    };
    let mut security = Vec::new();
    if i % 61 == 0 {
        security.push("privileged: true");
    }
    if i % 14 != 0 {
        security.push("allowPrivilegeEscalation: false");
    }
    if i % 6 != 0 {
        security.push("readOnlyRootFilesystem: true");
    }
    if i % 15 != 0 {
        security.push("capabilities: {drop: [ALL]}");
    }
    let pod_security = match i % 17 {
        0 => "",
        _ => "securityContext: {runAsNonRoot: true, runAsUser: 10001}\n",
    };
    let host_network = match i % 67 {
        0 => "hostNetwork: true\n",
        _ => "",
    };
    let sidecar = match i % 5 {
        0 => {
            "\n  - name: proxy\n    image: registry.local/proxy:2.1.0\n    resources: {requests: {cpu: 10m, memory: 16Mi}, limits: {cpu: 100m, memory: 64Mi}}\n    readinessProbe: {tcpSocket: {port: 15000}}\n    livenessProbe: {tcpSocket: {port: 15000}}\n    securityContext: {allowPrivilegeEscalation: false, readOnlyRootFilesystem: true, capabilities: {drop: [ALL]}}"
        }
        _ => "",
    };
    let spec = format!(
        "{pod_security}{host_network}containers:\n  - name: app\n    image: {image}{pull}\n    ports: [{{name: http, containerPort: 8080}}]{resources}{readiness}{liveness}\n    securityContext: {{{}}}{sidecar}\n",
        security.join(", ")
    );
    spec.lines().map(|line| format!("{pad}{line}\n")).collect()
}
