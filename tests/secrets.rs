//! The secret scanner end to end: every text file, redaction everywhere,
//! `charter:allow`, baselines, user detectors, and no double reports.

mod common;

use common::write_file as write;

use std::path::Path;

use charter::leak::Catalogue;
use charter::leak::catalogue::expand_fake;
use common::{Run, charter_in};
use serde_json::Value;

/// A fake secret line from a shipped detector's template, and its random
/// parts (which must never be printed).
struct Fake {
    line: String,
    parts: Vec<String>,
}

fn fake(detector: &str, seed: u64) -> Fake {
    let catalogue = Catalogue::load(None).expect("catalogue");
    let template = &catalogue
        .detectors
        .iter()
        .find(|d| d.id == detector)
        .unwrap_or_else(|| panic!("no detector {detector}"))
        .fake;
    let mut state = seed.max(1);
    let (line, parts) = expand_fake(template, |n| {
        state ^= state << 13;
        state ^= state >> 7;
        state ^= state << 17;
        (state % n as u64) as usize
    })
    .expect("template expands");
    Fake { line, parts }
}

fn check(dir: &Path, args: &[&str]) -> (Run, Value) {
    let mut all = vec!["check", ".", "--format", "json", "--no-config"];
    all.extend(args);
    let run = charter_in(dir, &all, None);
    assert_ne!(run.code, 2, "{}", run.stderr);
    let report = run.json();
    (run, report)
}

/// `(rule, file, line, suppressed)` of every finding.
fn found(report: &Value) -> Vec<(String, String, u64, bool)> {
    report["findings"]
        .as_array()
        .expect("findings")
        .iter()
        .map(|f| {
            (
                f["rule"].as_str().unwrap().to_owned(),
                f["file"].as_str().unwrap().to_owned(),
                f["line"].as_u64().unwrap(),
                f["suppressed"].as_bool().unwrap(),
            )
        })
        .collect()
}

fn assert_never_printed(run: &Run, fakes: &[&Fake]) {
    for fake in fakes {
        for part in fake.parts.iter().filter(|part| part.len() >= 8) {
            assert!(
                !run.stdout.contains(part.as_str()),
                "stdout shows a secret: {part}\n{}",
                run.stdout
            );
            assert!(
                !run.stderr.contains(part.as_str()),
                "stderr shows a secret: {part}"
            );
        }
    }
}

#[test]
fn every_text_file_is_scanned_and_no_secret_is_printed() {
    let dir = tempfile::tempdir().expect("temp dir");
    let root = dir.path();
    let aws = fake("aws-access-key-id", 11);
    let github = fake("github-classic-token", 12);
    let url = fake("url-credentials", 13);
    let generic = fake("generic-secret-assignment", 14);
    let key = fake("private-key", 15);
    write(root, ".env", &format!("# local settings\n{}\n", aws.line));
    write(
        root,
        "scripts/deploy.sh",
        &format!("#!/bin/sh\nset -eu\n{}\n", github.line),
    );
    write(
        root,
        "docs/setup.md",
        &format!("# Setup\n\nConnect with:\n\n    {}\n", url.line),
    );
    write(
        root,
        "infra/main.tf",
        &format!("resource \"x\" \"y\" {{\n  {}\n}}\n", generic.line),
    );
    write(
        root,
        "keys/id_rsa",
        &format!("{}\nMIIEpQIBAAKCAQEA\n", key.line),
    );
    write(
        root,
        "charts/app/Chart.yaml",
        "apiVersion: v2\nname: app\nversion: 0.1.0\n",
    );
    write(
        root,
        "charts/app/values.yaml",
        &format!("db:\n  {}\n", generic.line),
    );
    let lock = serde_json::json!({"lockfileVersion": 3, "note": generic.line});
    write(root, "web/package-lock.json", &lock.to_string());
    std::fs::write(root.join("logo.png"), b"\x89PNG\r\n\x1a\n\x00\x00\x00").expect("binary");
    std::fs::write(root.join("dump.sql"), "x".repeat(2048)).expect("large");
    let (run, report) = check(root, &["--max-file-size", "1Ki"]);
    assert_eq!(run.code, 1);
    // Binary and oversized files are counted, not reported; lock files are
    // not searched; a chart's files are scanned though not read as manifests.
    assert_eq!(
        found(&report),
        [
            ("LEAK-001".into(), ".env".into(), 2, false),
            ("LEAK-003".into(), "charts/app/values.yaml".into(), 2, false),
            ("LEAK-002".into(), "docs/setup.md".into(), 5, false),
            ("LEAK-003".into(), "infra/main.tf".into(), 2, false),
            ("LEAK-001".into(), "keys/id_rsa".into(), 1, false),
            ("LEAK-001".into(), "scripts/deploy.sh".into(), 3, false),
        ]
    );
    let summary = &report["summary"];
    assert_eq!(summary["skipped"]["binary_files"], 1);
    assert_eq!(summary["skipped"]["large_files"], 1);
    assert_eq!(summary["files_scanned"], 8, "{summary:#}");
    assert_eq!(
        summary["skipped"]["helm_charts"],
        serde_json::json!(["charts/app"])
    );
    let fakes = [&aws, &github, &url, &generic, &key];
    assert_never_printed(&run, &fakes);
    let human = charter_in(
        root,
        &["check", ".", "--no-config", "--show-suppressed"],
        None,
    );
    assert!(
        human
            .stdout
            .contains("error[LEAK-001]: AWS access key ID (AKIA****)"),
        "{}",
        human.stdout
    );
    assert!(
        human.stdout.contains("╭─[scripts/deploy.sh:3:"),
        "{}",
        human.stdout
    );
    assert_never_printed(&human, &fakes);
}

#[test]
fn charter_allow_suppresses_its_line_unless_inline_ignores_are_off() {
    let dir = tempfile::tempdir().expect("temp dir");
    let secret = fake("github-classic-token", 21);
    write(
        dir.path(),
        "test/fixture.env",
        &format!(
            "{}  # charter:allow fixture for the client tests\n",
            secret.line
        ),
    );
    let (run, report) = check(dir.path(), &[]);
    assert_eq!(run.code, 0);
    assert_eq!(
        found(&report),
        [("LEAK-001".into(), "test/fixture.env".into(), 1, true)]
    );
    assert_eq!(report["findings"][0]["suppressed_by"], "charter:allow");
    let (run, report) = check(dir.path(), &["--no-inline-ignores"]);
    assert_eq!(run.code, 1);
    assert_eq!(
        found(&report),
        [("LEAK-001".into(), "test/fixture.env".into(), 1, false)]
    );
}

#[test]
fn baselines_hold_fingerprints_not_secrets_and_fail_only_on_new_findings() {
    let dir = tempfile::tempdir().expect("temp dir");
    let root = dir.path();
    let old = fake("aws-access-key-id", 31);
    write(root, "app/.env", &format!("{}\n", old.line));
    write(
        root,
        "deploy/secret.yaml",
        "apiVersion: v1\nkind: Secret\nmetadata: {name: legacy, namespace: ai}\nstringData: {token: fixture-legacy}\n",
    );
    let baseline = root.join("charter-baseline.json");
    let written = charter_in(
        root,
        &[
            "check",
            ".",
            "--no-config",
            "--write-baseline",
            "charter-baseline.json",
        ],
        None,
    );
    assert_eq!(written.code, 0, "{}", written.stderr);
    assert!(
        written
            .stderr
            .contains("recorded 2 findings in charter-baseline.json"),
        "{}",
        written.stderr
    );
    let text = std::fs::read_to_string(&baseline).expect("baseline written");
    for part in &old.parts {
        assert!(
            !text.contains(part.as_str()),
            "the baseline holds the secret"
        );
    }
    assert!(!text.contains("fixture-legacy"));
    let recorded: Value = serde_json::from_str(&text).expect("JSON");
    assert_eq!(recorded["version"], 1);
    assert_eq!(recorded["fingerprints"].as_array().unwrap().len(), 2);

    // Known findings are quiet; editing around them changes nothing.
    write(
        root,
        "app/.env",
        &format!("# moved down a line\n{}\n", old.line),
    );
    let (run, report) = check(root, &["--baseline", "charter-baseline.json"]);
    assert_eq!(run.code, 0);
    assert!(found(&report).iter().all(|finding| finding.3), "{report:#}");
    let human = charter_in(
        root,
        &[
            "check",
            ".",
            "--no-config",
            "--baseline",
            "charter-baseline.json",
        ],
        None,
    );
    assert!(!human.stdout.contains("LEAK-001"), "{}", human.stdout);

    // A new secret fails the gate, alone.
    let new = fake("aws-access-key-id", 32);
    write(root, "app/.env", &format!("{}\n{}\n", old.line, new.line));
    let (run, report) = check(root, &["--baseline", "charter-baseline.json"]);
    assert_eq!(run.code, 1);
    let unsuppressed: Vec<_> = found(&report)
        .into_iter()
        .filter(|finding| !finding.3)
        .collect();
    assert_eq!(
        unsuppressed,
        [("LEAK-001".into(), "app/.env".into(), 2, false)]
    );

    // The configuration can name the baseline.
    write(root, ".charter.yaml", "baseline: charter-baseline.json\n");
    write(root, "app/.env", &format!("{}\n", old.line));
    assert_eq!(charter_in(root, &["check", "."], None).code, 0);
    let broken = charter_in(root, &["check", ".", "--baseline", "nope.json"], None);
    assert_eq!(broken.code, 2);
    assert!(
        broken.stderr.contains("baseline nope.json"),
        "{}",
        broken.stderr
    );
}

#[test]
fn users_extend_and_disable_detectors() {
    let dir = tempfile::tempdir().expect("temp dir");
    let root = dir.path();
    write(
        root,
        "mine.toml",
        "version = 1\ndisabled = [\"aws-access-key-id\"]\n\n[[detectors]]\nid = \"homelab-token\"\ndescription = \"Homelab service token\"\nregex = '''\\b(hlt_[a-z0-9]{24})\\b'''\nkeywords = [\"hlt_\"]\nfake = \"service: hlt_{a-z0-9:24}\"\n",
    );
    let aws = fake("aws-access-key-id", 41);
    write(
        root,
        "notes.txt",
        &format!("{}\nservice: hlt_0a1b2c3d4e5f6g7h8i9j0k1l\n", aws.line),
    );
    let (_, report) = check(root, &["--secrets-config", "mine.toml"]);
    assert_eq!(
        found(&report),
        [("LEAK-001".into(), "notes.txt".into(), 2, false)]
    );
    assert_eq!(
        report["findings"][0]["message"],
        "Homelab service token (hlt_****)"
    );
    // The configuration can name the file too.
    write(root, ".charter.yaml", "secrets: mine.toml\n");
    let run = charter_in(root, &["check", ".", "--format", "json"], None);
    assert_eq!(found(&run.json()).len(), 1);
    let bad = charter_in(root, &["check", ".", "--secrets-config", "notes.txt"], None);
    assert_eq!(bad.code, 2);
    assert!(
        bad.stderr.contains("secret detectors: notes.txt"),
        "{}",
        bad.stderr
    );
}

#[test]
fn one_secret_one_finding() {
    let dir = tempfile::tempdir().expect("temp dir");
    let url = fake("url-credentials", 51);
    let generic = fake("generic-secret-assignment", 52);
    // A Secret's values are SEC-001's; a URL in a manifest is SEC-005's.
    write(
        dir.path(),
        "secret.yaml",
        &format!(
            "apiVersion: v1\nkind: Secret\nmetadata: {{name: s, namespace: a}}\nstringData:\n  {}\n",
            generic.line.replace(" = ", ": ")
        ),
    );
    let url_value = url.line.split_once('=').map(|(_, value)| value).unwrap();
    write(
        dir.path(),
        "config.yaml",
        &format!(
            "apiVersion: v1\nkind: ConfigMap\nmetadata: {{name: c, namespace: a}}\ndata:\n  DATABASE_URL: {url_value}\n"
        ),
    );
    let (_, report) = check(dir.path(), &[]);
    assert_eq!(
        found(&report),
        [
            ("SEC-005".into(), "config.yaml".into(), 5, false),
            ("SEC-001".into(), "secret.yaml".into(), 4, false),
        ]
    );
}

#[test]
fn without_leak_rules_other_files_are_not_read() {
    let dir = tempfile::tempdir().expect("temp dir");
    let aws = fake("aws-access-key-id", 61);
    write(dir.path(), ".env", &format!("{}\n", aws.line));
    write(dir.path(), ".charter.yaml", "rules:\n  LEAK: off\n");
    let run = charter_in(dir.path(), &["check", ".", "--format", "json"], None);
    assert_eq!(run.code, 0);
    assert_eq!(run.json()["summary"]["files_scanned"], 0);
}

/// A Docker config is base64 in a Secret's `data`, and its `auth` base64
/// again: SEC-001 names the registry whose credentials it holds.
#[test]
fn docker_configs_are_decoded_twice() {
    use base64::Engine;
    let encode = |text: &str| base64::engine::general_purpose::STANDARD.encode(text);
    let auth = encode("ci-robot:Fixture-Registry-Pass-77");
    let config = format!("{{\"auths\":{{\"ghcr.io\":{{\"auth\":\"{auth}\"}},\"quay.io\":{{}}}}}}");
    let dir = tempfile::tempdir().expect("temp dir");
    write(
        dir.path(),
        "pull.yaml",
        &format!(
            "apiVersion: v1\nkind: Secret\nmetadata: {{name: pull, namespace: ci}}\ntype: kubernetes.io/dockerconfigjson\ndata:\n  .dockerconfigjson: {}\n",
            encode(&config)
        ),
    );
    let (run, report) = check(dir.path(), &[]);
    assert_eq!(
        report["findings"][0]["message"],
        "Secret ci/pull holds 1 value in plaintext `data` (.dockerconfigjson: registry credentials for ghcr.io)"
    );
    assert_eq!(report["findings"].as_array().unwrap().len(), 1);
    for leaked in ["Fixture-Registry-Pass-77", auth.as_str()] {
        assert!(!run.stdout.contains(leaked));
    }
}
