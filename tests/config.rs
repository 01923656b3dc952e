//! `.charter.yaml`: discovery, rule settings, exemptions, inline ignores.

mod common;

use std::path::Path;

use common::{charter_in, locations};
use serde_json::Value;

const SECRETS: &str = "\
apiVersion: v1
kind: Secret
metadata:
  name: demo-db
  namespace: sandbox
stringData:
  password: fixture
---
apiVersion: v1
kind: Secret
metadata:
  name: litellm-master-key
  namespace: ai-backend
stringData:
  master-key: fixture
---
apiVersion: v1
kind: Secret
metadata:
  name: annotated
  namespace: ai-backend
  annotations:
    charter.io/ignore: SEC-001
    charter.io/ignore-reason: rotated weekly by the demo reset job
stringData:
  token: fixture
";

fn setup(config: &str) -> tempfile::TempDir {
    let dir = tempfile::tempdir().expect("temp dir");
    std::fs::create_dir_all(dir.path().join("manifests/sub")).expect("dirs");
    std::fs::write(dir.path().join("manifests/secrets.yaml"), SECRETS).expect("manifest");
    std::fs::write(dir.path().join(".charter.yaml"), config).expect("config");
    dir
}

fn check(dir: &Path, args: &[&str]) -> (i32, Value) {
    let mut all = vec!["check", "--format", "json"];
    all.extend(args);
    let run = charter_in(dir, &all, None);
    assert_ne!(run.code, 2, "usage error: {}", run.stderr);
    (run.code, run.json())
}

/// `(name of the resource or file, suppressed, suppressed_by)` per finding.
fn verdicts(report: &Value) -> Vec<(String, String, bool, Option<String>)> {
    report["findings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| {
            (
                f["rule"].as_str().unwrap().to_owned(),
                f["resource"]["name"]
                    .as_str()
                    .unwrap_or(f["file"].as_str().unwrap())
                    .to_owned(),
                f["suppressed"].as_bool().unwrap(),
                f["suppressed_by"].as_str().map(str::to_owned),
            )
        })
        .collect()
}

#[test]
fn exemptions_suppress_what_they_select_and_keep_it_visible() {
    let config = "\
exemptions:
  - rules: [SEC-001]
    namespace: sandbox
    name: demo-*
    reason: the sandbox demo database holds no real data
";
    let dir = setup(config);
    let (code, report) = check(dir.path(), &["manifests"]);
    assert_eq!(code, 1, "litellm-master-key is not exempt");
    assert_eq!(
        verdicts(&report),
        [
            (
                "SEC-001".into(),
                "demo-db".into(),
                true,
                Some(".charter.yaml:2".into())
            ),
            ("SEC-001".into(), "litellm-master-key".into(), false, None),
            (
                "SEC-001".into(),
                "annotated".into(),
                true,
                Some(
                    "annotation charter.io/ignore at /metadata/annotations/charter.io~1ignore"
                        .into()
                )
            ),
        ]
    );
    assert_eq!(
        report["findings"][0]["suppression_reason"],
        "the sandbox demo database holds no real data"
    );
    assert_eq!(report["summary"]["findings"]["suppressed"], 2);
    assert_eq!(report["summary"]["findings"]["error"], 1);
}

#[test]
fn file_globs_are_relative_to_the_configuration() {
    let config = "\
exemptions:
  - rules: SEC
    files: [\"manifests/*.yaml\"]
    reason: manifests/ holds generated demo data
";
    let dir = setup(config);
    // Run from a subdirectory: the configuration is found in a parent.
    let (code, report) = check(&dir.path().join("manifests/sub"), &[".."]);
    assert_eq!(code, 0);
    assert!(verdicts(&report).iter().all(|v| v.2), "{report:#}");
    // `*` does not cross directories.
    std::fs::write(dir.path().join("manifests/sub/deeper.yaml"), SECRETS).unwrap();
    let (code, _) = check(dir.path(), &["manifests"]);
    assert_eq!(code, 1);
}

#[test]
fn expired_exemptions_stop_working_and_say_so() {
    let config = "\
failOn: warning
exemptions:
  - rules: [SEC-001]
    namespace: sandbox
    reason: demo credentials until the sealed demo lands
    expires: 2020-01-31
  - rules: [SEC-001]
    namespace: ai-backend
    name: litellm-master-key
    reason: migration to a SealedSecret in progress
    expires: 2999-12-31
";
    let dir = setup(config);
    let (code, report) = check(dir.path(), &["manifests"]);
    assert_eq!(code, 1);
    let found = verdicts(&report);
    assert_eq!(
        found[0],
        ("SUPP-003".into(), ".charter.yaml".into(), false, None)
    );
    assert_eq!(report["findings"][0]["line"], 3);
    assert_eq!(report["findings"][0]["severity"], "warning");
    assert_eq!(
        report["findings"][0]["message"],
        "exemption (demo credentials until the sealed demo lands) expired on 2020-01-31 and no longer applies"
    );
    assert_eq!(found[1], ("SEC-001".into(), "demo-db".into(), false, None));
    assert_eq!(
        found[2],
        (
            "SEC-001".into(),
            "litellm-master-key".into(),
            true,
            Some(".charter.yaml:7".into())
        )
    );
}

#[test]
fn inline_ignores_can_be_made_inert() {
    let dir = setup("");
    let (_, report) = check(dir.path(), &["manifests"]);
    assert!(
        verdicts(&report)[2].2,
        "the annotation suppresses by default"
    );
    let (_, report) = check(dir.path(), &["manifests", "--no-inline-ignores"]);
    assert_eq!(
        verdicts(&report)[2],
        ("SEC-001".into(), "annotated".into(), false, None)
    );
    std::fs::write(dir.path().join(".charter.yaml"), "inlineIgnores: false\n").unwrap();
    let (_, report) = check(dir.path(), &["manifests"]);
    assert!(!verdicts(&report)[2].2);
}

#[test]
fn severities_and_families_can_be_reconfigured() {
    let dir = setup("rules:\n  SEC-001: warning\n");
    let (code, report) = check(dir.path(), &["manifests"]);
    assert_eq!(code, 0, "warnings do not fail the default gate");
    assert_eq!(report["findings"][1]["severity"], "warning");

    std::fs::write(dir.path().join(".charter.yaml"), "rules:\n  SEC: off\n").unwrap();
    let (code, report) = check(dir.path(), &["manifests"]);
    assert_eq!((code, locations(&report)), (0, vec![]));

    std::fs::write(
        dir.path().join(".charter.yaml"),
        "rules:\n  PARSE: warning\n",
    )
    .unwrap();
    std::fs::write(dir.path().join("manifests/broken.yaml"), "kind: [\n").unwrap();
    let (_, report) = check(dir.path(), &["manifests/broken.yaml"]);
    assert_eq!(report["findings"][0]["rule"], "PARSE-001");
    assert_eq!(report["findings"][0]["severity"], "warning");
}

#[test]
fn explicit_and_disabled_configuration() {
    let dir = setup("rules:\n  SEC: off\n");
    std::fs::write(dir.path().join("strict.yaml"), "failOn: info\n").unwrap();
    let (code, _) = check(dir.path(), &["manifests"]);
    assert_eq!(code, 0);
    let (code, _) = check(dir.path(), &["manifests", "--config", "strict.yaml"]);
    assert_eq!(code, 1);
    let (code, _) = check(dir.path(), &["manifests", "--no-config"]);
    assert_eq!(code, 1);
    let missing = charter_in(dir.path(), &["check", "--config", "nope.yaml"], None);
    assert_eq!(missing.code, 2);
    assert!(
        missing
            .stderr
            .contains("nope.yaml: no such configuration file"),
        "{}",
        missing.stderr
    );
}

#[test]
fn configuration_mistakes_are_usage_errors_naming_the_line() {
    let dir = setup("rules:\n  SEC-001: off\n  SEC-01: warning\n");
    let run = charter_in(dir.path(), &["check", "manifests"], None);
    assert_eq!(run.code, 2);
    assert!(
        run.stderr
            .contains(".charter.yaml:3:3: `SEC-01` is neither a rule id nor a rule family"),
        "{}",
        run.stderr
    );
    assert!(
        run.stderr.contains("did you mean `SEC-001`?"),
        "{}",
        run.stderr
    );
    assert!(run.stdout.is_empty());

    std::fs::write(
        dir.path().join(".charter.yaml"),
        "rules:\n  SEC-001: {severity: warning, level: 3}\n",
    )
    .unwrap();
    let run = charter_in(dir.path(), &["check", "manifests"], None);
    assert_eq!(run.code, 2);
    let refused =
        ".charter.yaml:2:3: `SEC-001` has no parameter `level` (known keys: enabled, severity)";
    assert!(run.stderr.contains(refused), "{}", run.stderr);

    std::fs::write(
        dir.path().join(".charter.yaml"),
        "exemptions:\n  - rules: [SEC-001]\n    name: x\n",
    )
    .unwrap();
    let run = charter_in(dir.path(), &["check", "manifests"], None);
    assert_eq!(run.code, 2);
    assert!(
        run.stderr
            .contains(".charter.yaml:2:5: missing field `reason`"),
        "{}",
        run.stderr
    );
}
