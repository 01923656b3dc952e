//! Baselines cover every kind of finding: parse errors, file-level `LEAK`
//! findings in text files, findings in rendered charts and findings in the
//! configuration. A baseline survives lines added above its findings, and
//! never holds a secret.

mod common;

use std::path::Path;

use common::{charter_in, helm_bin, write_file};
use serde_json::Value;

fn key() -> String {
    concat!("-----BEGIN ", "RSA PRIVATE KEY-----").to_owned()
}

/// One finding of every kind.
fn write_inputs(root: &Path) {
    write_file(root, "deploy/broken.yaml", "a: 1\na: 2\nkind: [\n");
    write_file(root, "deploy/notes.txt", &format!("notes\n{}\n", key()));
    write_file(
        root,
        "charts/web/Chart.yaml",
        "apiVersion: v2\nname: web\nversion: 0.1.0\n",
    );
    write_file(
        root,
        "charts/web/templates/secret.yaml",
        "apiVersion: v1\nkind: Secret\nmetadata:\n  name: web\nstringData:\n  password: {{ .Values.password }}\n",
    );
    write_file(root, "charts/web/values.yaml", "password: fixture\n");
    write_file(
        root,
        ".charter.yaml",
        "exemptions:\n  - rules: [SEC-001]\n    files: [\"nothing/*\"]\n    reason: old\n    expires: 2020-01-01\n",
    );
}

/// `(rule, file, suppressed)` of every finding.
fn verdicts(report: &Value) -> Vec<(String, String, bool)> {
    report["findings"]
        .as_array()
        .expect("findings")
        .iter()
        .map(|f| {
            (
                f["rule"].as_str().unwrap_or_default().to_owned(),
                f["file"].as_str().unwrap_or_default().to_owned(),
                f["suppressed"] == true,
            )
        })
        .collect()
}

fn verdict(rule: &str, file: &str, suppressed: bool) -> (String, String, bool) {
    (rule.to_owned(), file.to_owned(), suppressed)
}

#[test]
fn a_baseline_covers_every_kind_of_finding() {
    let dir = tempfile::tempdir().expect("temp dir");
    let root = dir.path();
    write_inputs(root);
    let helm = helm_bin();
    let check = |extra: &[&str]| {
        let mut args = vec!["check", ".", "--format", "json", "--helm-bin", &helm];
        args.extend_from_slice(extra);
        charter_in(root, &args, None)
    };
    let run = check(&["--write-baseline", "baseline.json"]);
    assert_eq!(run.code, 0, "{}\n{}", run.stdout, run.stderr);
    assert!(run.stderr.contains("recorded 5 findings"), "{}", run.stderr);
    let written = std::fs::read_to_string(root.join("baseline.json")).expect("written");
    assert!(
        !written.contains("fixture") && !written.contains("PRIVATE"),
        "{written}"
    );

    // Every file gains lines above its findings; the baseline still knows them.
    for file in [
        "deploy/broken.yaml",
        "deploy/notes.txt",
        "charts/web/templates/secret.yaml",
        ".charter.yaml",
    ] {
        let text = std::fs::read_to_string(root.join(file)).expect("read");
        write_file(root, file, &format!("# moved down\n\n{text}"));
    }
    let run = check(&["--baseline", "baseline.json"]);
    assert_eq!(run.code, 0, "{}", run.stdout);
    assert_eq!(
        verdicts(&run.json()),
        [
            verdict("SUPP-003", ".charter.yaml", true),
            verdict("SEC-001", "charts/web (release web)", true),
            verdict("PARSE-005", "deploy/broken.yaml", true),
            verdict("PARSE-001", "deploy/broken.yaml", true),
            verdict("LEAK-001", "deploy/notes.txt", true),
        ]
    );

    // A new finding of each kind is not in the baseline.
    write_file(
        root,
        "deploy/broken.yaml",
        "# moved down\n\nb: 1\nb: 2\nc: d: e\n",
    );
    write_file(
        root,
        "deploy/notes.txt",
        &format!(
            "notes\n{}\nghp_{}\n",
            key(),
            "a1B2c3D4e5F6g7H8i9J0k1L2m3N4o5P6q7R8"
        ),
    );
    write_file(
        root,
        "charts/web/values.yaml",
        "password: fixture\ntoken: also\n",
    );
    write_file(
        root,
        "charts/web/templates/token.yaml",
        "apiVersion: v1\nkind: Secret\nmetadata:\n  name: token\nstringData:\n  token: {{ .Values.token }}\n",
    );
    let config = std::fs::read_to_string(root.join(".charter.yaml")).expect("read");
    write_file(
        root,
        ".charter.yaml",
        &format!(
            "{config}  - rules: [SEC-002]\n    files: [\"x/*\"]\n    reason: older\n    expires: 2021-01-01\n"
        ),
    );
    let run = check(&["--baseline", "baseline.json"]);
    assert_eq!(run.code, 1, "{}", run.stdout);
    let new: Vec<(String, String, bool)> = verdicts(&run.json())
        .into_iter()
        .filter(|(_, _, suppressed)| !suppressed)
        .collect();
    assert_eq!(
        new,
        [
            verdict("SUPP-003", ".charter.yaml", false),
            verdict("SEC-001", "charts/web (release web)", false),
            verdict("PARSE-005", "deploy/broken.yaml", false),
            verdict("PARSE-001", "deploy/broken.yaml", false),
            verdict("LEAK-001", "deploy/notes.txt", false),
        ]
    );
}
