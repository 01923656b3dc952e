//! The command line as users meet it: output formats, exit codes, walking,
//! `rules` and `explain`.

mod common;

use common::write_file as write;

use common::{charter, charter_in, locations, repo_root};
use serde_json::Value;

const SECRET_VALUE: &str = "sk-live-0123456789abcdefSECRET";

fn secret_manifest() -> String {
    format!(
        "apiVersion: v1\nkind: Secret\nmetadata:\n  name: litellm-master-key\n  namespace: ai-backend\ntype: Opaque\nstringData:\n  master-key: {SECRET_VALUE}\n  quoted: \"{SECRET_VALUE}\"\n"
    )
}

#[test]
fn json_output_matches_the_documented_schema() {
    let schema: Value = serde_json::from_str(
        &std::fs::read_to_string(repo_root().join("docs/report-v1.schema.json"))
            .expect("schema exists"),
    )
    .expect("schema is JSON");
    let validator = jsonschema::validator_for(&schema).expect("schema compiles");
    let report = charter(&["check", "fixtures", "--format", "json"]).json();
    let errors: Vec<String> = validator
        .iter_errors(&report)
        .map(|e| format!("{} at {}", e, e.instance_path()))
        .collect();
    assert!(errors.is_empty(), "{errors:#?}");
    // The schema is not vacuous: it rejects a report missing a field.
    let mut broken = report.clone();
    broken["findings"][0]
        .as_object_mut()
        .expect("a finding")
        .remove("line");
    assert!(!validator.is_valid(&broken));
    // Every kind of finding is exercised: with and without resource, suppressed.
    let findings = report["findings"].as_array().expect("findings");
    assert!(findings.iter().any(|f| f["resource"].is_null()));
    assert!(findings.iter().any(|f| f["resource"].is_object()));
    assert!(
        findings
            .iter()
            .any(|f| f["suppressed"] == true && f["suppression_reason"].is_string())
    );
}

#[test]
fn thread_count_never_changes_the_output() {
    let dir = tempfile::tempdir().expect("temp dir");
    for file in 0..120 {
        let mut text = String::new();
        for doc in 0..8 {
            text.push_str(&format!(
                "---\napiVersion: v1\nkind: {}\nmetadata:\n  name: r{file}-{doc}\n  namespace: ns{}\ndata:\n  k: {}\n",
                if (file + doc) % 3 == 0 { "Secret" } else { "ConfigMap" },
                doc % 4,
                if doc == 5 { "[broken" } else { "dmFsdWU=" },
            ));
        }
        write(dir.path(), &format!("d{}/f{file:03}.yaml", file % 7), &text);
    }
    for target in [dir.path(), &repo_root().join("fixtures")] {
        let target = target.to_str().expect("UTF-8 path");
        let one = charter(&["check", target, "--format", "json", "--jobs", "1"]);
        let eight = charter(&["check", target, "--format", "json", "--jobs", "8"]);
        assert_eq!(one.code, eight.code);
        assert!(
            one.stdout == eight.stdout,
            "--jobs 1 and --jobs 8 differ for {target}"
        );
        assert!(one.json()["findings"].as_array().expect("findings").len() > 10);
    }
}

#[test]
fn findings_are_sorted_by_file_line_column_rule() {
    let report = charter(&["check", "fixtures", "--format", "json"]).json();
    let keys: Vec<(String, u64, u64, String)> = report["findings"]
        .as_array()
        .expect("findings")
        .iter()
        .map(|f| {
            (
                f["file"].as_str().unwrap().to_owned(),
                f["line"].as_u64().unwrap(),
                f["column"].as_u64().unwrap(),
                f["rule"].as_str().unwrap().to_owned(),
            )
        })
        .collect();
    let mut sorted = keys.clone();
    sorted.sort();
    assert_eq!(keys, sorted);
}

#[test]
fn human_output_shows_the_line_and_never_the_secret() {
    let dir = tempfile::tempdir().expect("temp dir");
    write(dir.path(), "secret.yaml", &secret_manifest());
    let run = charter_in(dir.path(), &["check", "secret.yaml"], None);
    assert_eq!(run.code, 1);
    let out = &run.stdout;
    assert!(out.contains("error[SEC-001]: Secret ai-backend/litellm-master-key holds 2 values in plaintext `stringData` (master-key, quoted)"), "{out}");
    assert!(out.contains("╭─[secret.yaml:7:1]"), "{out}");
    assert!(out.contains(" 7 │ stringData:"), "{out}");
    assert!(out.contains(" 8 │   master-key: sk-l****"), "{out}");
    assert!(
        out.contains("help: Seal it and commit the SealedSecret instead"),
        "{out}"
    );
    assert!(
        out.contains("charter: 1 error, 0 warnings, 0 info in 1 file (1 document, 1 resource; 1 file scanned for secrets)"),
        "{out}"
    );
    assert!(
        !out.contains('\u{1b}'),
        "no colour when stdout is not a terminal"
    );
    for format in ["human", "json"] {
        let run = charter_in(
            dir.path(),
            &["check", ".", "--format", format, "--show-suppressed"],
            None,
        );
        assert!(
            !run.stdout.contains(SECRET_VALUE) && !run.stderr.contains(SECRET_VALUE),
            "{format} leaked the secret"
        );
        assert!(
            !run.stdout.contains("0123456789abcdef"),
            "{format} leaked part of the secret"
        );
    }
}

/// A Secret too broken to become a resource is still masked in snippets.
#[test]
fn broken_secrets_are_masked_too() {
    let dir = tempfile::tempdir().expect("temp dir");
    let unnamed = format!(
        "apiVersion: v1\nkind: Secret\nmetadata:\n  namespace: a\nstringData:\n  token: {SECRET_VALUE}\n"
    );
    let unparsable = format!(
        "apiVersion: v1\nkind: Secret\nmetadata:\n  name: b\nstringData:\n  token: \"{SECRET_VALUE}\n  other: [\n---\napiVersion: v1\nkind: Secret\nmetadata: {{name: c}}\ndata: {{k: {SECRET_VALUE}}}\n"
    );
    write(dir.path(), "unnamed.yaml", &unnamed);
    write(dir.path(), "unparsable.yaml", &unparsable);
    let run = charter_in(dir.path(), &["check", "."], None);
    assert!(run.stdout.contains("error[PARSE-009]"), "{}", run.stdout);
    assert!(run.stdout.contains("error[PARSE-001]"), "{}", run.stdout);
    assert!(run.stdout.contains("error[SEC-001]"), "{}", run.stdout);
    assert!(run.stdout.contains("token: \"sk-l****"), "{}", run.stdout);
    assert!(
        !run.stdout.contains("0123456789"),
        "a secret leaked:\n{}",
        run.stdout
    );
}

#[test]
fn exit_codes_follow_fail_on() {
    let dir = tempfile::tempdir().expect("temp dir");
    write(
        dir.path(),
        "typo.yaml",
        "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: a\n  annotations: {charter.io/ignore: SEC-01, charter.io/ignore-reason: r}\n",
    );
    let code = |args: &[&str]| charter_in(dir.path(), args, None).code;
    // SUPP-002 is a warning.
    assert_eq!(code(&["check", "."]), 0);
    assert_eq!(code(&["check", ".", "--fail-on", "warning"]), 1);
    assert_eq!(code(&["check", ".", "--fail-on", "info"]), 1);
    write(dir.path(), "secret.yaml", &secret_manifest());
    assert_eq!(code(&["check", "."]), 1);
    assert_eq!(code(&["check", ".", "--fail-on", "never"]), 0);
    let report = charter_in(
        dir.path(),
        &["check", ".", "--format", "json", "--fail-on", "never"],
        None,
    )
    .json();
    assert_eq!(report["summary"]["fail_on"], "never");
    assert_eq!(report["summary"]["failed"], false);
    let clean = tempfile::tempdir().expect("temp dir");
    write(
        clean.path(),
        "ns.yaml",
        "apiVersion: v1\nkind: Namespace\nmetadata: {name: ai}\n",
    );
    assert_eq!(charter_in(clean.path(), &["check"], None).code, 0);
}

#[test]
fn walking_honours_gitignore_excludes_and_skips_git_and_target() {
    let dir = tempfile::tempdir().expect("temp dir");
    let secret = secret_manifest();
    for name in [
        "kept/a.yaml",
        "kept/b.yml",
        "kept/c.json.yaml",
        "generated/x.yaml",
        "vendor/y.yaml",
        ".git/z.yaml",
        "target/t.yaml",
        "nested/target/t.yaml",
        ".hidden/h.yaml",
    ] {
        write(dir.path(), name, &secret);
    }
    write(dir.path(), "kept/notes.md", &secret);
    write(dir.path(), ".gitignore", "generated/\n");
    let report = charter_in(
        dir.path(),
        &["check", ".", "--format", "json", "--exclude", "vendor"],
        None,
    )
    .json();
    let mut files: Vec<&str> = report["findings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["file"].as_str().unwrap())
        .collect();
    files.dedup();
    assert_eq!(
        files,
        [
            ".hidden/h.yaml",
            "kept/a.yaml",
            "kept/b.yml",
            "kept/c.json.yaml"
        ]
    );
    // A file named on the command line is read whatever its name.
    let named = charter_in(
        dir.path(),
        &["check", "kept/notes.md", "--format", "json"],
        None,
    )
    .json();
    assert_eq!(locations(&named), [("SEC-001".to_owned(), 7, 1)]);
}

#[test]
fn stdin_filename_names_standard_input() {
    let dir = tempfile::tempdir().expect("temp dir");
    let run = charter_in(
        dir.path(),
        &[
            "check",
            "-",
            "--format",
            "json",
            "--stdin-filename",
            "deploy/secret.yaml",
        ],
        Some(secret_manifest().as_bytes()),
    );
    assert_eq!(run.json()["findings"][0]["file"], "deploy/secret.yaml");
    let piped = charter_in(
        dir.path(),
        &["check", "-"],
        Some(secret_manifest().as_bytes()),
    );
    assert!(piped.stdout.contains("╭─[<stdin>:7:1]"), "{}", piped.stdout);
}

#[test]
fn rules_lists_every_rule() {
    let run = charter(&["rules"]);
    assert_eq!(run.code, 0);
    let lines: Vec<&str> = run.stdout.lines().collect();
    assert!(lines[0].starts_with("RULE"), "{}", run.stdout);
    assert!(
        lines
            .iter()
            .any(|l| l.starts_with("SEC-001    error    2. Security by design")),
        "{}",
        run.stdout
    );
    let json: Value =
        serde_json::from_str(&charter(&["rules", "--format", "json"]).stdout).expect("JSON");
    let ids: Vec<&str> = json
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["id"].as_str().unwrap())
        .collect();
    for id in [
        "PARSE-001",
        "PARSE-009",
        "SEC-001",
        "SUPP-001",
        "SUPP-002",
        "SUPP-003",
    ] {
        assert!(ids.contains(&id), "{id} missing from {ids:?}");
    }
    assert_eq!(lines.len(), ids.len() + 1);
    let sec = json
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["id"] == "SEC-001")
        .unwrap();
    assert_eq!(
        sec,
        &serde_json::json!({"id": "SEC-001", "family": "SEC", "severity": "error", "principle": "security-by-design", "title": "Plaintext Secret in a manifest"})
    );
}

#[test]
fn explain_tells_why_shows_examples_and_the_fix() {
    let run = charter(&["explain", "sec-001"]);
    assert_eq!(run.code, 0);
    let out = &run.stdout;
    assert!(out.starts_with("SEC-001: Plaintext Secret in a manifest\nseverity: error   family: SEC   principle: 2. Security by design\n"), "{out}");
    for section in ["\nWhy\n", "\nFails\n", "\nPasses\n", "\nFix\n"] {
        assert!(out.contains(section), "{section} missing:\n{out}");
    }
    assert!(
        out.contains("    kind: Secret\n") && out.contains("    kind: SealedSecret\n"),
        "{out}"
    );
    assert!(out.contains("kubeseal"), "{out}");

    let unknown = charter(&["explain", "SEC-999"]);
    assert_eq!(unknown.code, 2);
    assert!(
        unknown.stderr.contains("no rule `SEC-999`"),
        "{}",
        unknown.stderr
    );
    assert!(
        unknown.stderr.contains("rules of that family: SEC-001"),
        "{}",
        unknown.stderr
    );
}
