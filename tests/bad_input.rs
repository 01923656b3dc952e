//! Bad input never crashes and is never silently dropped: each class becomes
//! a `PARSE` finding with a file and a line, and the run goes on with the
//! other inputs.

mod common;

use std::path::Path;

use common::{Run, charter_in};
use serde_json::Value;

/// A plaintext Secret placed beside every bad input: its finding proves the
/// run went on after the bad file.
const COMPANION: &str =
    "apiVersion: v1\nkind: Secret\nmetadata:\n  name: companion\nstringData:\n  k: fixture\n";

fn run_with(files: &[(&str, &[u8])], extra_args: &[&str]) -> (Run, Value) {
    let dir = tempfile::tempdir().expect("temp dir");
    std::fs::write(dir.path().join("companion.yaml"), COMPANION).expect("write companion");
    for (name, bytes) in files {
        let path = dir.path().join(name);
        if let Some(parent) = path.parent() {
            std::fs::create_dir_all(parent).expect("create parent");
        }
        std::fs::write(path, bytes).expect("write input");
    }
    run_dir(dir.path(), extra_args)
}

fn run_dir(dir: &Path, extra_args: &[&str]) -> (Run, Value) {
    let mut args = vec!["check", ".", "--format", "json", "--no-config"];
    args.extend(extra_args);
    let run = charter_in(dir, &args, None);
    assert!(
        !run.stderr.contains("panicked"),
        "charter panicked:\n{}",
        run.stderr
    );
    let report = run.json();
    assert!(
        report["findings"]
            .as_array()
            .unwrap()
            .iter()
            .any(|f| f["file"] == "companion.yaml" && f["rule"] == "SEC-001"),
        "the run did not go on to the companion file: {report:#}"
    );
    assert_eq!(run.code, 1);
    (run, report)
}

/// The one finding about `file`: `(rule, line, column, message)`.
fn finding_for(report: &Value, file: &str) -> (String, u64, u64, String) {
    let found: Vec<_> = report["findings"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|f| f["file"] == file)
        .collect();
    assert_eq!(found.len(), 1, "findings for {file}: {found:#?}");
    let f = found[0];
    (
        f["rule"].as_str().unwrap().to_owned(),
        f["line"].as_u64().unwrap(),
        f["column"].as_u64().unwrap(),
        f["message"].as_str().unwrap().to_owned(),
    )
}

#[test]
fn invalid_yaml() {
    let (_, report) = run_with(
        &[(
            "bad.yaml",
            b"apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: [unclosed\n",
        )],
        &[],
    );
    let (rule, line, _, message) = finding_for(&report, "bad.yaml");
    assert_eq!((rule.as_str(), line), ("PARSE-001", 5));
    assert!(message.contains("flow sequence"), "{message}");
}

#[test]
fn invalid_utf8() {
    let (_, report) = run_with(&[("latin1.yaml", b"kind: ConfigMap\n# caf\xe9\n")], &[]);
    assert_eq!(
        finding_for(&report, "latin1.yaml"),
        (
            "PARSE-002".into(),
            2,
            6,
            "not valid UTF-8 (byte 0xE9 at offset 21)".into()
        )
    );
}

#[test]
fn utf16_text() {
    let utf16: Vec<u8> = [0xFF, 0xFE]
        .into_iter()
        .chain("kind: Pod\n".encode_utf16().flat_map(u16::to_le_bytes))
        .collect();
    let (_, report) = run_with(&[("utf16.yaml", &utf16)], &[]);
    assert_eq!(
        finding_for(&report, "utf16.yaml"),
        (
            "PARSE-002".into(),
            1,
            1,
            "UTF-16 text; Kubernetes manifests must be UTF-8".into()
        )
    );
}

#[test]
fn binary_file() {
    let (_, report) = run_with(
        &[("image.yaml", b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR")],
        &[],
    );
    let (rule, line, column, message) = finding_for(&report, "image.yaml");
    assert_eq!((rule.as_str(), line, column), ("PARSE-002", 3, 1));
    assert_eq!(message, "binary file (it contains NUL bytes); not read");
}

#[test]
fn api_version_or_kind_alone() {
    let (_, report) = run_with(
        &[
            (
                "no-kind.yaml",
                b"apiVersion: apps/v1\nmetadata: {name: a}\n",
            ),
            (
                "no-api.yaml",
                b"# header\nkind: Deployment\nmetadata: {name: a}\n",
            ),
        ],
        &[],
    );
    assert_eq!(
        finding_for(&report, "no-kind.yaml"),
        (
            "PARSE-008".into(),
            1,
            1,
            "has `apiVersion: apps/v1` but no `kind`".into()
        )
    );
    assert_eq!(
        finding_for(&report, "no-api.yaml"),
        (
            "PARSE-008".into(),
            2,
            1,
            "has `kind: Deployment` but no `apiVersion`".into()
        )
    );
}

#[test]
fn no_name_nor_generate_name() {
    let (_, report) = run_with(
        &[(
            "anonymous.yaml",
            b"apiVersion: v1\nkind: ConfigMap\nmetadata:\n  labels: {a: b}\n",
        )],
        &[],
    );
    assert_eq!(
        finding_for(&report, "anonymous.yaml"),
        (
            "PARSE-009".into(),
            3,
            1,
            "ConfigMap has neither `metadata.name` nor `metadata.generateName`".into()
        )
    );
}

#[test]
fn duplicate_keys() {
    let (_, report) = run_with(
        &[(
            "dup.yaml",
            b"apiVersion: v1\nkind: ConfigMap\nmetadata: {name: a, name: b}\n",
        )],
        &[],
    );
    let (rule, line, column, message) = finding_for(&report, "dup.yaml");
    assert_eq!((rule.as_str(), line, column), ("PARSE-005", 3, 21));
    assert!(
        message.starts_with("duplicate key `name` (first at line 3)"),
        "{message}"
    );
}

#[test]
fn alias_bomb() {
    let mut bomb = String::from(
        "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: lol}\ndata:\n  l0: &l0 [lol, lol, lol, lol, lol, lol, lol, lol, lol, lol]\n",
    );
    for level in 1..10 {
        let refs = vec![format!("*l{}", level - 1); 10].join(", ");
        bomb.push_str(&format!("  l{level}: &l{level} [{refs}]\n"));
    }
    let started = std::time::Instant::now();
    let (_, report) = run_with(&[("bomb.yaml", bomb.as_bytes())], &[]);
    let (rule, line, _, message) = finding_for(&report, "bomb.yaml");
    assert_eq!((rule.as_str(), line), ("PARSE-006", 9));
    assert!(message.contains("billion laughs"), "{message}");
    // Not a benchmark: a bound on the damage (expanded fully, this is 10^10 nodes).
    assert!(started.elapsed().as_secs() < 30);
}

#[test]
fn deeply_nested_documents() {
    let flow = format!(
        "apiVersion: v1\nkind: ConfigMap\nmetadata: {{name: deep}}\ndata: {}\n",
        "[".repeat(100_000)
    );
    let block: String = (0..5_000)
        .map(|depth| format!("{}k:\n", " ".repeat(depth)))
        .collect();
    let (_, report) = run_with(
        &[
            ("flow.yaml", flow.as_bytes()),
            ("block.yaml", block.as_bytes()),
        ],
        &[],
    );
    let (rule, line, _, _) = finding_for(&report, "flow.yaml");
    assert_eq!((rule.as_str(), line), ("PARSE-007", 4));
    assert_eq!(finding_for(&report, "block.yaml").0, "PARSE-007");
    assert_eq!(finding_for(&report, "block.yaml").1, 201);
}

#[test]
fn files_over_the_size_limit() {
    let big = format!("# {}\n", "x".repeat(17 * 1024 * 1024));
    let (_, report) = run_with(&[("big.yaml", big.as_bytes())], &[]);
    assert_eq!(
        finding_for(&report, "big.yaml"),
        (
            "PARSE-003".into(),
            1,
            1,
            "17 MiB is over the 16 MiB limit; not read (raise it with --max-file-size)".into()
        )
    );
    // The companion file is 81 bytes; this one is 125.
    let small = b"apiVersion: v1\nkind: ConfigMap\nmetadata: {name: a}\ndata: {k: 01234567890123456789012345678901234567890123456789012345678}\n";
    let (_, report) = run_with(&[("small.yaml", small)], &["--max-file-size", "100"]);
    assert_eq!(finding_for(&report, "small.yaml").0, "PARSE-003");
    assert_eq!(report["summary"]["files_unreadable"], 1);
}

#[cfg(unix)]
#[test]
fn unreadable_inputs_and_symlink_loops() {
    let dir = tempfile::tempdir().expect("temp dir");
    let root = dir.path();
    std::fs::write(root.join("companion.yaml"), COMPANION).unwrap();
    std::fs::create_dir(root.join("sub")).unwrap();
    std::os::unix::fs::symlink(root.join("sub"), root.join("sub/loop")).unwrap();
    std::os::unix::fs::symlink(root.join("deleted.yaml"), root.join("dangling.yaml")).unwrap();
    let fifo = std::process::Command::new("mkfifo")
        .arg(root.join("pipe.yaml"))
        .status()
        .expect("mkfifo runs");
    assert!(fifo.success());

    let (_, report) = run_dir(root, &[]);
    let (rule, _, _, message) = finding_for(&report, "sub/loop");
    assert_eq!(rule, "PARSE-004");
    assert!(message.starts_with("symbolic link loop"), "{message}");
    assert_eq!(
        finding_for(&report, "dangling.yaml"),
        (
            "PARSE-004".into(),
            1,
            1,
            "a symbolic link to nothing (broken link)".into()
        )
    );
    assert_eq!(
        finding_for(&report, "pipe.yaml"),
        (
            "PARSE-004".into(),
            1,
            1,
            "not a regular file (a FIFO, socket or device); not read".into()
        )
    );
}

#[test]
fn documents_that_are_not_objects_are_counted_not_reported() {
    let (_, report) = run_with(
        &[
            ("values.yaml", b"replicaCount: 1\n"),
            ("empty.yaml", b""),
            ("comments.yaml", b"# nothing\n---\n# still nothing\n"),
            (
                "kustomization.yaml",
                b"apiVersion: kustomize.config.k8s.io/v1beta1\nkind: Kustomization\n",
            ),
            ("notes.txt", b"not yaml: [\n"),
        ],
        &[],
    );
    assert_eq!(
        report["findings"].as_array().unwrap().len(),
        1,
        "{report:#}"
    );
    let summary = &report["summary"];
    assert_eq!(summary["files_read"], 5);
    assert_eq!(summary["skipped"]["non_kubernetes_documents"], 1);
    assert_eq!(summary["skipped"]["empty_documents"], 2);
    assert_eq!(summary["skipped"]["tool_configurations"], 1);
}

#[test]
fn missing_paths_and_bad_flags_are_usage_errors() {
    let dir = tempfile::tempdir().expect("temp dir");
    let missing = charter_in(dir.path(), &["check", "does-not-exist.yaml"], None);
    assert_eq!(missing.code, 2);
    assert!(
        missing
            .stderr
            .contains("does-not-exist.yaml: no such file or directory"),
        "{}",
        missing.stderr
    );
    assert!(missing.stdout.is_empty());

    let bad_flag = charter_in(dir.path(), &["check", "--no-such-flag"], None);
    assert_eq!(bad_flag.code, 2);
    let bad_format = charter_in(dir.path(), &["check", "--format", "xml"], None);
    assert_eq!(bad_format.code, 2);
    let bad_size = charter_in(dir.path(), &["check", "--max-file-size", "lots"], None);
    assert_eq!(bad_size.code, 2);
    assert!(
        bad_size.stderr.contains("is not a size"),
        "{}",
        bad_size.stderr
    );
    let zero_jobs = charter_in(dir.path(), &["check", "--jobs", "0"], None);
    assert_eq!(zero_jobs.code, 2);
}
