//! `cargo bench --bench check`: how fast charter checks 10,000 resources, and
//! how that compares with only parsing the same YAML (the floor: charter
//! cannot check a file faster than it can read it).
//!
//! The corpus is generated (deterministically) into a temporary directory:
//! Deployments, Services, ConfigMaps and Secrets, mostly in multi-document
//! files. Figures are wall-clock medians over several runs, with all cores;
//! peak memory is the `charter` process's maximum resident set size.
//!
//! Options: `--resources N` (default 10000), `--runs N` (default 11).

use std::path::Path;
use std::process::{Command, Stdio};
use std::time::Duration;

use charter::check::{self, CheckOptions};
use charter::config::{Config, FailOn};
use charter::report::json;
use charter::rules;
use rayon::prelude::*;

mod common;
use common::{children_peak_rss_kib, measure, median, option};

// The same allocator as the `charter` binary, so in-process figures match it.
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn main() {
    let args: Vec<String> = std::env::args().collect();
    let resources = option(&args, "--resources", 10_000);
    let runs = option(&args, "--runs", 11);
    let cores = std::thread::available_parallelism().map_or(1, |n| n.get());

    let dir = tempfile::tempdir().expect("temp dir");
    let (files, bytes) = generate(dir.path(), resources);
    let corpus = dir.path().to_str().expect("UTF-8 temp path").to_owned();
    println!(
        "corpus: {resources} resources in {files} files, {:.1} MiB; {cores} cores; {runs} runs each, median (min)",
        bytes as f64 / 1048576.0
    );

    let paths: Vec<_> = walk(dir.path());
    let raw = measure(runs, || raw_parse(&paths));
    report("raw YAML parse (read + saphyr events)", resources, &raw);

    // Whole-process runs first: a child forked from a large process is
    // charged the parent's pages in its peak resident set.
    let binary = env!("CARGO_BIN_EXE_charter");
    let mut peak_kib = 0;
    let end_to_end = measure(runs, || {
        let status = Command::new(binary)
            .args([
                "check",
                &corpus,
                "--format",
                "json",
                "--no-config",
                "--fail-on",
                "never",
            ])
            .stdout(Stdio::null())
            .status()
            .expect("charter runs");
        assert!(status.success());
        peak_kib = peak_kib.max(children_peak_rss_kib());
    });
    report(
        "charter check, whole process (JSON to /dev/null)",
        resources,
        &end_to_end,
    );
    let rules = rules::builtin();
    let config = Config::default();
    let options = CheckOptions {
        paths: vec![corpus.clone()],
        ..CheckOptions::default()
    };
    let mut checked = 0;
    let in_process = measure(runs, || {
        let outcome = check::check(&options, &config, &rules).expect("check runs");
        checked = outcome.tally.resources;
        std::hint::black_box(json::render(&outcome, FailOn::Error));
        // Freed after the clock stops, as the binary leaves it to process exit.
        outcome
    });
    assert_eq!(checked, resources, "every generated resource is checked");
    report(
        "charter check, in process (JSON report)",
        resources,
        &in_process,
    );

    println!(
        "peak memory of the charter process: {:.1} MiB",
        peak_kib as f64 / 1024.0
    );
    println!(
        "charter / raw parse: {:.2}x (in process), {:.2}x (whole process)",
        median(&in_process).as_secs_f64() / median(&raw).as_secs_f64(),
        median(&end_to_end).as_secs_f64() / median(&raw).as_secs_f64(),
    );
}

/// Writes the corpus; returns (files, bytes).
fn generate(dir: &Path, resources: usize) -> (usize, usize) {
    let mut files = 0;
    let mut bytes = 0;
    let mut next = 0;
    while next < resources {
        // Mostly multi-document files of 1 to 12 resources, as charts render them.
        let in_file = (1 + (files * 7) % 12).min(resources - next);
        let mut text = String::new();
        for i in next..next + in_file {
            text.push_str("---\n");
            text.push_str(&resource(i));
        }
        let path = dir
            .join(format!("team-{:02}", files % 40))
            .join(format!("app-{files:05}.yaml"));
        std::fs::create_dir_all(path.parent().expect("parent")).expect("mkdir");
        std::fs::write(&path, &text).expect("write corpus");
        bytes += text.len();
        files += 1;
        next += in_file;
    }
    (files, bytes)
}

fn resource(i: usize) -> String {
    let namespace = format!("team-{:02}", i % 40);
    match i % 20 {
        0..=7 => format!(
            "apiVersion: apps/v1
kind: Deployment
metadata:
  name: app-{i}
  namespace: {namespace}
  labels:
    app.kubernetes.io/name: app-{i}
    app.kubernetes.io/instance: app-{i}
spec:
  replicas: 2
  selector:
    matchLabels:
      app.kubernetes.io/name: app-{i}
  template:
    metadata:
      labels:
        app.kubernetes.io/name: app-{i}
    spec:
      automountServiceAccountToken: false
      securityContext:
        runAsNonRoot: true
        seccompProfile: {{type: RuntimeDefault}}
      containers:
        - name: app
          image: registry.local/app:{i}.0.1@sha256:{i:064x}
          ports:
            - {{name: http, containerPort: 8080}}
          env:
            - name: LOG_LEVEL
              value: info
            - name: DATABASE_URL
              valueFrom:
                secretKeyRef: {{name: app-{i}-db, key: url}}
          resources:
            requests: {{cpu: 100m, memory: 128Mi}}
            limits: {{memory: 256Mi}}
          securityContext:
            allowPrivilegeEscalation: false
            readOnlyRootFilesystem: true
            capabilities: {{drop: [ALL]}}
          livenessProbe:
            httpGet: {{path: /healthz, port: http}}
          readinessProbe:
            httpGet: {{path: /readyz, port: http}}
"
        ),
        8..=12 => format!(
            "apiVersion: v1
kind: Service
metadata:
  name: app-{i}
  namespace: {namespace}
spec:
  selector:
    app.kubernetes.io/name: app-{i}
  ports:
    - name: http
      port: 80
      targetPort: http
"
        ),
        13..=17 => format!(
            "apiVersion: v1
kind: ConfigMap
metadata:
  name: app-{i}-settings
  namespace: {namespace}
data:
  LOG_LEVEL: info
  FEATURE_FLAGS: \"search,chat\"
  settings.yaml: |
    server:
      port: 8080
      timeout: 30s
    telemetry:
      enabled: false
"
        ),
        // One in ten is a plaintext Secret: SEC-001 findings are part of the work.
        _ => format!(
            "apiVersion: v1
kind: Secret
metadata:
  name: app-{i}-db
  namespace: {namespace}
type: Opaque
data:
  url: cG9zdGdyZXM6Ly9hcHA6cGFzc3dvcmRAZGI6NTQzMi9hcHA=
  password: cGFzc3dvcmQ=
"
        ),
    }
}

fn walk(dir: &Path) -> Vec<std::path::PathBuf> {
    let mut paths: Vec<_> = ignore::WalkBuilder::new(dir)
        .build()
        .filter_map(Result::ok)
        .filter(|entry| entry.file_type().is_some_and(|t| t.is_file()))
        .map(|entry| entry.into_path())
        .collect();
    paths.sort();
    paths
}

/// The floor: read every file and pull every parser event, building nothing.
fn raw_parse(paths: &[std::path::PathBuf]) {
    let events: usize = paths
        .par_iter()
        .map(|path| {
            let text = std::fs::read_to_string(path).expect("corpus is readable");
            let mut parser = saphyr_parser::Parser::new_from_str(&text);
            let mut count = 0;
            while let Some(Ok(_)) = parser.next_event() {
                count += 1;
            }
            count
        })
        .sum();
    std::hint::black_box(events);
}

fn report(label: &str, resources: usize, times: &[Duration]) {
    let median = median(times);
    println!(
        "{label:<50} {:>8.1} ms ({:.1} ms)  {:>9.0} resources/s",
        median.as_secs_f64() * 1000.0,
        times[0].as_secs_f64() * 1000.0,
        resources as f64 / median.as_secs_f64(),
    );
}
