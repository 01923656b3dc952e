//! The CI-gate formats (`sarif`, `junit`, `github`, `gitlab`) and
//! `--output FORMAT=FILE`, as CI systems read them.

mod common;

use std::path::Path;
use std::process::Command;

use common::{charter, charter_in, helm_bin, repo_root, write_file};
use serde_json::Value;

const SECRET: &str = "sk-live-0123456789abcdefSECRET";
const AWS_KEY: &str = "AKIAFAKEQ2W3E4R5T6Y7";

/// Three Secrets: one reported, one exempted in `.charter.yaml`, one
/// ignored by its own annotation; and an env file with a leaked key.
fn project() -> tempfile::TempDir {
    let dir = tempfile::tempdir().expect("temp dir");
    write_file(
        dir.path(),
        "deploy/manifests.yaml",
        &format!(
            "apiVersion: v1\nkind: Secret\nmetadata:\n  name: litellm-master-key\n  namespace: ai-backend\ntype: Opaque\nstringData:\n  master-key: {SECRET}\n---\napiVersion: v1\nkind: Secret\nmetadata:\n  name: demo-db\n  namespace: sandbox\ntype: Opaque\nstringData:\n  password: hunter2hunter2hunter2\n---\napiVersion: v1\nkind: Secret\nmetadata:\n  name: throwaway\n  namespace: ai-backend\n  annotations: {{charter.io/ignore: SEC-001, charter.io/ignore-reason: throwaway demo credentials}}\ntype: Opaque\nstringData:\n  token: another-secret-value-123456\n"
        ),
    );
    write_file(
        dir.path(),
        "app.env",
        &format!("AWS_REGION=eu-central-1\nAWS_ACCESS_KEY_ID={AWS_KEY}\n"),
    );
    write_file(
        dir.path(),
        ".charter.yaml",
        "exemptions:\n  - rules: SEC-001\n    namespace: sandbox\n    reason: the sandbox holds no real data\n",
    );
    dir
}

fn run(dir: &Path, format: &str) -> common::Run {
    let run = charter_in(dir, &["check", ".", "--format", format], None);
    assert_eq!(run.code, 1, "{}", run.stderr);
    assert!(
        !run.stdout.contains(SECRET) && !run.stdout.contains(AWS_KEY),
        "a secret in the {format} output:\n{}",
        run.stdout
    );
    run
}

fn sarif_results(report: &Value) -> &Vec<Value> {
    report["runs"][0]["results"].as_array().expect("results")
}

#[test]
fn sarif_of_the_fixtures_validates_against_the_official_schema() {
    let schema: Value = serde_json::from_str(
        &std::fs::read_to_string(repo_root().join("docs/sarif-2.1.0.json")).expect("schema exists"),
    )
    .expect("schema is JSON");
    // The schema is draft-04, which the jsonschema crate reads.
    let validator = jsonschema::validator_for(&schema).expect("schema compiles");
    let run = charter(&["check", "fixtures", "--format", "sarif"]);
    assert_eq!(run.code, 1, "{}", run.stderr);
    let report = run.json();
    let errors: Vec<String> = validator
        .iter_errors(&report)
        .map(|e| format!("{e} at {}", e.instance_path()))
        .collect();
    assert!(errors.is_empty(), "{errors:#?}");
    // Not vacuous: a result without its message is rejected.
    let mut broken = report.clone();
    broken["runs"][0]["results"][0]
        .as_object_mut()
        .expect("a result")
        .remove("message");
    assert!(!validator.is_valid(&broken));

    // Every rule charter knows is described, and every result points at its rule.
    let listed = charter(&["rules", "--format", "json"]).json();
    let ids: Vec<&str> = listed
        .as_array()
        .expect("rules")
        .iter()
        .filter_map(|rule| rule["id"].as_str())
        .collect();
    let rules = report["runs"][0]["tool"]["driver"]["rules"]
        .as_array()
        .expect("rules");
    let described: Vec<&str> = rules.iter().filter_map(|r| r["id"].as_str()).collect();
    assert_eq!(described[..ids.len()], ids);
    // Then the rules the fixtures' Kyverno policies make, each once.
    let made = &described[ids.len()..];
    assert!(!made.is_empty());
    for id in made {
        assert!(
            id.starts_with("KYV-") && id.contains('/'),
            "{id} is a rule a Kyverno policy makes"
        );
    }
    let mut unique = made.to_vec();
    unique.sort_unstable();
    unique.dedup();
    assert_eq!(unique.len(), made.len(), "{made:?}");
    let results = sarif_results(&report);
    assert!(results.len() > 50, "{}", results.len());
    for result in results {
        let index = result["ruleIndex"].as_u64().expect("ruleIndex") as usize;
        assert_eq!(rules[index]["id"], result["ruleId"]);
    }
    let sec_001 = rules
        .iter()
        .find(|rule| rule["id"] == "SEC-001")
        .expect("SEC-001");
    assert_eq!(sec_001["defaultConfiguration"]["level"], "error");
    assert_eq!(sec_001["properties"]["family"], "SEC");
    assert_eq!(sec_001["properties"]["principle"], "security-by-design");
    assert!(
        sec_001["help"]["text"].as_str().is_some_and(
            |text| text.contains("kubeseal") && text.contains("charter explain SEC-001")
        ),
        "{sec_001}"
    );
}

#[test]
fn sarif_places_findings_and_says_how_they_were_suppressed() {
    let dir = project();
    let report = run(dir.path(), "sarif").json();
    let run = &report["runs"][0];
    assert_eq!(run["columnKind"], "unicodeCodePoints");
    let root = run["originalUriBaseIds"]["%SRCROOT%"]["uri"]
        .as_str()
        .expect("a root");
    assert!(
        root.starts_with("file:///") && root.ends_with('/'),
        "{root}"
    );
    let summary: Vec<(String, String, u64, u64, String, Option<String>)> = sarif_results(&report)
        .iter()
        .map(|result| {
            let location = &result["locations"][0];
            let physical = &location["physicalLocation"];
            assert_eq!(physical["artifactLocation"]["uriBaseId"], "%SRCROOT%");
            (
                result["ruleId"].as_str().unwrap_or_default().to_owned(),
                physical["artifactLocation"]["uri"]
                    .as_str()
                    .unwrap_or_default()
                    .to_owned(),
                physical["region"]["startLine"].as_u64().unwrap_or_default(),
                physical["region"]["startColumn"]
                    .as_u64()
                    .unwrap_or_default(),
                location["logicalLocations"][0]["fullyQualifiedName"]
                    .as_str()
                    .unwrap_or_default()
                    .to_owned(),
                result["suppressions"][0]["kind"]
                    .as_str()
                    .map(str::to_owned),
            )
        })
        .collect();
    let expected = [
        ("LEAK-001", "app.env", 2, 19, "", None),
        (
            "SEC-001",
            "deploy/manifests.yaml",
            7,
            1,
            "Secret ai-backend/litellm-master-key",
            None,
        ),
        (
            "SEC-001",
            "deploy/manifests.yaml",
            16,
            1,
            "Secret sandbox/demo-db",
            Some("external"),
        ),
        (
            "SEC-001",
            "deploy/manifests.yaml",
            26,
            1,
            "Secret ai-backend/throwaway",
            Some("inSource"),
        ),
    ];
    let expected: Vec<_> = expected
        .iter()
        .map(|(rule, uri, line, column, resource, kind)| {
            (
                rule.to_string(),
                uri.to_string(),
                *line,
                *column,
                resource.to_string(),
                kind.map(str::to_owned),
            )
        })
        .collect();
    assert_eq!(summary, expected);

    let results = sarif_results(&report);
    assert_eq!(results[0]["level"], "error");
    assert_eq!(
        results[0]["message"]["text"],
        "AWS access key ID (AKIA****)"
    );
    // The region is the key, and its snippet the key masked.
    assert_eq!(
        results[0]["locations"][0]["physicalLocation"]["region"],
        serde_json::json!({
            "startLine": 2, "startColumn": 19, "endLine": 2, "endColumn": 39,
            "snippet": {"text": "AKIA****"}
        })
    );
    // Without a known end, the region runs to the end of the line.
    assert_eq!(
        results[1]["locations"][0]["physicalLocation"]["region"],
        serde_json::json!({
            "startLine": 7, "startColumn": 1, "snippet": {"text": "stringData:"}
        })
    );
    let external = &results[2]["suppressions"][0];
    assert_eq!(external["status"], "accepted");
    assert_eq!(external["justification"], "the sandbox holds no real data");
    let in_source = &results[3]["suppressions"][0];
    assert_eq!(in_source["justification"], "throwaway demo credentials");
    assert!(results[1].get("suppressions").is_none());
    assert_eq!(
        report["runs"][0]["invocations"][0]["executionSuccessful"],
        true
    );
}

#[test]
fn sarif_counts_a_baseline_as_an_external_suppression() {
    let dir = project();
    let written = charter_in(
        dir.path(),
        &[
            "check",
            ".",
            "--write-baseline",
            "baseline.json",
            "--format",
            "json",
        ],
        None,
    );
    assert_eq!(written.code, 0, "{}", written.stderr);
    let report = charter_in(
        dir.path(),
        &[
            "check",
            ".",
            "--baseline",
            "baseline.json",
            "--format",
            "sarif",
        ],
        None,
    );
    assert_eq!(report.code, 0, "{}", report.stderr);
    let kinds: Vec<(String, String, String)> = sarif_results(&report.json())
        .iter()
        .map(|result| {
            let suppression = &result["suppressions"][0];
            (
                result["ruleId"].as_str().unwrap_or_default().to_owned(),
                suppression["kind"].as_str().unwrap_or_default().to_owned(),
                suppression["justification"]
                    .as_str()
                    .unwrap_or_default()
                    .to_owned(),
            )
        })
        .collect();
    let baseline = "known finding, recorded in the baseline";
    assert_eq!(
        kinds,
        vec![
            ("LEAK-001".into(), "external".into(), baseline.into()),
            ("SEC-001".into(), "external".into(), baseline.into()),
            (
                "SEC-001".into(),
                "external".into(),
                "the sandbox holds no real data".into()
            ),
            (
                "SEC-001".into(),
                "inSource".into(),
                "throwaway demo credentials".into()
            ),
        ]
    );
}

#[test]
fn standard_input_is_named_without_a_base() {
    let input = format!("AWS_ACCESS_KEY_ID={AWS_KEY}\n");
    let run = charter_in(
        &repo_root(),
        &["check", "-", "--no-config", "--format", "sarif"],
        Some(input.as_bytes()),
    );
    assert_eq!(run.code, 1, "{}", run.stderr);
    assert!(!run.stdout.contains(AWS_KEY));
    let report = run.json();
    assert_eq!(
        sarif_results(&report)[0]["locations"][0]["physicalLocation"]["artifactLocation"],
        serde_json::json!({"uri": "%3Cstdin%3E"})
    );
    let named = charter_in(
        &repo_root(),
        &[
            "check",
            "-",
            "--no-config",
            "--stdin-filename",
            "deploy/app.env",
            "--format",
            "github",
        ],
        Some(input.as_bytes()),
    );
    assert!(
        named
            .stdout
            .starts_with("::error file=deploy/app.env,line=1,col=19,"),
        "{}",
        named.stdout
    );
}

/// `(ruleId, startLine, fingerprint)` of every result.
fn fingerprints(report: &Value) -> Vec<(String, u64, String)> {
    sarif_results(report)
        .iter()
        .map(|result| {
            (
                result["ruleId"].as_str().unwrap_or_default().to_owned(),
                result["locations"][0]["physicalLocation"]["region"]["startLine"]
                    .as_u64()
                    .unwrap_or_default(),
                result["partialFingerprints"]["charterFingerprint/v1"]
                    .as_str()
                    .unwrap_or_default()
                    .to_owned(),
            )
        })
        .collect()
}

#[test]
fn fingerprints_survive_reruns_and_moved_lines() {
    let dir = project();
    let first = fingerprints(&run(dir.path(), "sarif").json());
    let second = fingerprints(&run(dir.path(), "sarif").json());
    assert_eq!(first, second);
    let hashes: std::collections::HashSet<&str> =
        first.iter().map(|(_, _, hash)| hash.as_str()).collect();
    assert_eq!(
        hashes.len(),
        first.len(),
        "every finding has its own: {first:?}"
    );
    assert!(first.iter().all(|(_, _, hash)| hash.len() == 64));

    // Three blank lines on top of each file move every finding down.
    for name in ["deploy/manifests.yaml", "app.env"] {
        let path = dir.path().join(name);
        let text = std::fs::read_to_string(&path).expect("read");
        std::fs::write(&path, format!("\n\n\n{text}")).expect("write");
    }
    let moved = fingerprints(&run(dir.path(), "sarif").json());
    let expected: Vec<_> = first
        .iter()
        .map(|(rule, line, hash)| (rule.clone(), line + 3, hash.clone()))
        .collect();
    assert_eq!(moved, expected);

    // GitLab's fingerprints are the same, for the unsuppressed findings.
    let gitlab: Value = serde_json::from_str(&run(dir.path(), "gitlab").stdout).expect("JSON");
    let gitlab: Vec<&str> = gitlab
        .as_array()
        .expect("an array")
        .iter()
        .filter_map(|issue| issue["fingerprint"].as_str())
        .collect();
    assert_eq!(gitlab, vec![first[0].2.as_str(), first[1].2.as_str()]);
}

#[test]
fn gitlab_lists_unsuppressed_findings_as_code_quality_issues() {
    let dir = project();
    let issues: Value = serde_json::from_str(&run(dir.path(), "gitlab").stdout).expect("JSON");
    let issues = issues.as_array().expect("an array");
    assert_eq!(issues.len(), 2, "{issues:#?}");
    assert_eq!(issues[0]["check_name"], "LEAK-001");
    assert_eq!(
        issues[0]["description"],
        "LEAK-001: AWS access key ID (AKIA****)"
    );
    assert_eq!(issues[0]["severity"], "critical");
    assert_eq!(issues[0]["location"]["path"], "app.env");
    assert_eq!(issues[0]["location"]["lines"]["begin"], 2);
    assert_eq!(issues[1]["check_name"], "SEC-001");
    assert_eq!(issues[1]["location"]["path"], "deploy/manifests.yaml");
    assert_eq!(issues[1]["location"]["lines"]["begin"], 7);
    // A warning is `major`, an info finding `info`.
    let run = charter(&[
        "check",
        "fixtures/pod/pod-001-privileged.yaml",
        "--no-config",
        "--format",
        "gitlab",
    ]);
    let issues: Value = serde_json::from_str(&run.stdout).expect("JSON");
    let severities: Vec<(&str, u64, &str)> = issues
        .as_array()
        .expect("an array")
        .iter()
        .map(|issue| {
            (
                issue["check_name"].as_str().unwrap_or_default(),
                issue["location"]["lines"]["begin"]
                    .as_u64()
                    .unwrap_or_default(),
                issue["severity"].as_str().unwrap_or_default(),
            )
        })
        .collect();
    assert_eq!(
        severities,
        vec![
            ("HELM-003", 4, "major"),
            ("PRIV-006", 6, "info"),
            ("POD-001", 26, "critical"),
            ("POD-001", 38, "critical"),
            ("HELM-003", 52, "major"),
        ]
    );
}

/// The JUnit report of `dir`, read by Python's XML parser: per test case,
/// `classname|name|outcome|message|type|text`.
fn junit_cases(xml: &str) -> (String, Vec<String>) {
    let script = r#"
import sys, xml.etree.ElementTree as ET
root = ET.fromstring(sys.stdin.read())
print("%s %s %s %s" % (root.tag, root.get("tests"), root.get("failures"), root.get("skipped")))
for suite in root:
    for case in suite:
        failure, skipped = case.find("failure"), case.find("skipped")
        if failure is not None:
            print("|".join([case.get("classname"), case.get("name"), "failure", failure.get("message"), failure.get("type"), failure.text.replace("\n", "\\n")]))
        elif skipped is not None:
            print("|".join([case.get("classname"), case.get("name"), "skipped", skipped.get("message")]))
        else:
            out = case.find("system-out")
            below = [] if out is None else [out.text.replace("\n", "\\n")]
            print("|".join([case.get("classname"), case.get("name"), "passed"] + below))
"#;
    let mut child = Command::new("python3")
        .args(["-c", script])
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .expect("python3 runs");
    std::io::Write::write_all(&mut child.stdin.take().expect("stdin"), xml.as_bytes())
        .expect("python3 reads the report");
    let output = child.wait_with_output().expect("python3 finishes");
    assert!(
        output.status.success(),
        "not well-formed XML: {}\n{xml}",
        String::from_utf8_lossy(&output.stderr)
    );
    let text = String::from_utf8(output.stdout).expect("UTF-8");
    let mut lines = text.lines().map(str::to_owned);
    let totals = lines.next().unwrap_or_default();
    (totals, lines.collect())
}

#[test]
fn junit_has_a_case_per_resource_and_family_that_a_parser_reads() {
    let dir = project();
    let (totals, cases) = junit_cases(&run(dir.path(), "junit").stdout);
    // Three Secrets, each checked by the ten resource families, and the
    // env file's LEAK case: one failure per failing case, two skipped.
    assert_eq!(totals, "testsuites 31 2 2");
    let failures: Vec<&String> = cases.iter().filter(|c| c.contains("|failure|")).collect();
    assert_eq!(failures.len(), 2, "{cases:#?}");
    assert_eq!(
        failures[0].as_str(),
        "app.env|LEAK (file)|failure|LEAK-001: AWS access key ID (AKIA****)|LEAK-001|LEAK-001 error at line 2:19: AWS access key ID (AKIA****)\\nfix: Revoke the credential at its issuer (it is compromised once pushed), remove it from the file and from Git history, and deliver it to the workload as a SealedSecret. If the match is a test fixture, add `charter:allow` in a comment on its line, or a baseline.\\n"
    );
    assert!(
        failures[1].starts_with(
            "deploy/manifests.yaml|SEC Secret ai-backend/litellm-master-key|failure|SEC-001: Secret ai-backend/litellm-master-key holds 1 value in plaintext `stringData` (master-key)|SEC-001|SEC-001 error at line 7:1 (/stringData): "
        ),
        "{}",
        failures[1]
    );
    // `>` in the fix text came through the escaping intact.
    assert!(failures[1].contains("kubeseal -o yaml > NAME.sealed.yaml"));
    let skipped: Vec<&str> = cases
        .iter()
        .filter(|c| c.contains("|skipped|"))
        .map(String::as_str)
        .collect();
    assert_eq!(
        skipped,
        vec![
            "deploy/manifests.yaml|SEC Secret sandbox/demo-db|skipped|SEC-001 suppressed: the sandbox holds no real data",
            "deploy/manifests.yaml|SEC Secret ai-backend/throwaway|skipped|SEC-001 suppressed: throwaway demo credentials",
        ]
    );
    assert!(cases.contains(
        &"deploy/manifests.yaml|POD Secret ai-backend/litellm-master-key|passed".to_owned()
    ));
}

#[test]
fn junit_fails_cases_as_the_exit_status_does() {
    let fixture = "fixtures/pod/pod-001-privileged.yaml";
    let (_, cases) =
        junit_cases(&charter(&["check", fixture, "--no-config", "--format", "junit"]).stdout);
    // HELM-003 is a warning: below `--fail-on error`, the case passes and
    // lists it.
    let helm: Vec<&String> = cases
        .iter()
        .filter(|case| case.contains("|HELM Deployment ai-backend/privileged|"))
        .collect();
    assert_eq!(helm.len(), 1, "{cases:#?}");
    assert!(
        helm[0].starts_with(&format!(
            "{fixture}|HELM Deployment ai-backend/privileged|passed|HELM-003 warning at line 4:1 (/metadata): Deployment ai-backend/privileged lacks"
        )),
        "{}",
        helm[0]
    );
    let (totals, cases) = junit_cases(
        &charter(&[
            "check",
            fixture,
            "--no-config",
            "--fail-on",
            "warning",
            "--format",
            "junit",
        ])
        .stdout,
    );
    assert!(
        cases.iter().any(|case| case.starts_with(&format!(
            "{fixture}|HELM Deployment ai-backend/privileged|failure|HELM-003: "
        ))),
        "{cases:#?}"
    );
    // Both Deployments fail HELM, the privileged one POD too (its init
    // container and container, in one case); PRIV-006 is `info`, below.
    // Ten resource families for each of the two Deployments.
    assert_eq!(totals, "testsuites 20 3 0");
    assert!(cases.iter().any(|case| case.starts_with(&format!(
        "{fixture}|POD Deployment ai-backend/privileged|failure|2 findings|POD-001|POD-001 error at line 26:13"
    ))), "{cases:#?}");
}

#[test]
fn junit_escapes_what_the_input_puts_in_names() {
    let dir = tempfile::tempdir().expect("temp dir");
    // A name no API server would accept, but a manifest can hold.
    write_file(
        dir.path(),
        "odd.yaml",
        "apiVersion: v1\nkind: Secret\nmetadata:\n  name: \"a<b>&'c\\\"\"\n  namespace: x\nstringData:\n  k: some-value-here\n",
    );
    let run = charter_in(dir.path(), &["check", ".", "--format", "junit"], None);
    assert_eq!(run.code, 1, "{}", run.stderr);
    let (_, cases) = junit_cases(&run.stdout);
    assert!(
        cases
            .iter()
            .any(|case| case.starts_with("odd.yaml|SEC Secret x/a<b>&'c\"|failure|")),
        "{cases:#?}"
    );
}

#[test]
fn github_annotates_each_unsuppressed_finding_then_sums_up() {
    let dir = project();
    let out = run(dir.path(), "github").stdout;
    let lines: Vec<&str> = out.lines().collect();
    assert_eq!(lines.len(), 3, "{out}");
    assert_eq!(
        lines[0],
        "::error file=app.env,line=2,col=19,endLine=2,endColumn=38,title=LEAK-001::AWS access key ID (AKIA****)%0Afix: Revoke the credential at its issuer (it is compromised once pushed), remove it from the file and from Git history, and deliver it to the workload as a SealedSecret. If the match is a test fixture, add `charter:allow` in a comment on its line, or a baseline."
    );
    assert!(
        lines[1].starts_with("::error file=deploy/manifests.yaml,line=7,col=1,title=SEC-001::Secret ai-backend/litellm-master-key holds 1 value in plaintext `stringData` (master-key)%0Afix: Seal it"),
        "{}",
        lines[1]
    );
    assert_eq!(
        lines[2],
        "charter: 2 errors, 0 warnings, 0 info (2 suppressed); failed: findings at or above `error`"
    );
}

#[test]
fn github_escapes_file_names_and_uses_warning_and_notice() {
    let dir = tempfile::tempdir().expect("temp dir");
    let manifest =
        std::fs::read_to_string(repo_root().join("fixtures/pod/pod-001-privileged.yaml"))
            .expect("the fixture");
    write_file(dir.path(), "a,b:c%.yaml", &manifest);
    let run = charter_in(
        dir.path(),
        // A file, not its directory: PRIV-006 is then only `info`.
        &["check", "a,b:c%.yaml", "--no-config", "--format", "github"],
        None,
    );
    assert_eq!(run.code, 1, "{}", run.stderr);
    let helm_003 = run
        .stdout
        .lines()
        .find(|line| line.contains("title=HELM-003"))
        .expect("a HELM-003 annotation");
    assert!(
        helm_003.starts_with("::warning file=a%2Cb%3Ac%25.yaml,line=4,col=1,title=HELM-003::Deployment ai-backend/privileged lacks"),
        "{helm_003}"
    );
    assert!(
        run.stdout.lines().any(|line| line.starts_with("::notice ")),
        "{}",
        run.stdout
    );
}

#[test]
fn findings_in_rendered_helm_output_point_at_their_template() {
    let dir = tempfile::tempdir().expect("temp dir");
    write_file(
        dir.path(),
        "charts/web/Chart.yaml",
        "apiVersion: v2\nname: web\nversion: 0.1.0\n",
    );
    write_file(
        dir.path(),
        "charts/web/templates/secret.yaml",
        "apiVersion: v1\nkind: Secret\nmetadata:\n  name: web\n  namespace: shop\nstringData:\n  token: {{ .Values.token }}\n",
    );
    write_file(
        dir.path(),
        "charts/web/values.yaml",
        &format!("token: {SECRET}\n"),
    );
    let helm = helm_bin();
    let args = ["check", ".", "--no-config", "--helm-bin", &helm, "--format"];
    let sarif = charter_in(dir.path(), &[&args[..], &["sarif"]].concat(), None);
    assert_eq!(sarif.code, 1, "{}", sarif.stderr);
    assert!(!sarif.stdout.contains(SECRET));
    let report = sarif.json();
    let result = sarif_results(&report)
        .iter()
        .find(|result| {
            result["ruleId"] == "SEC-001"
                && result["locations"][0]["physicalLocation"]["artifactLocation"]["uri"]
                    == "charts/web/templates/secret.yaml"
        })
        .unwrap_or_else(|| panic!("SEC-001 at the template: {report:#}"));
    // The template's own line is not known: no region, the rendered
    // position is kept beside it.
    assert!(
        result["locations"][0]["physicalLocation"]
            .get("region")
            .is_none()
    );
    assert_eq!(result["properties"]["rendered"]["line"], 8);
    let gitlab = charter_in(dir.path(), &[&args[..], &["gitlab"]].concat(), None);
    assert!(
        gitlab
            .stdout
            .contains("\"path\": \"charts/web/templates/secret.yaml\""),
        "{}",
        gitlab.stdout
    );
}

#[test]
fn outputs_are_written_beside_standard_output() {
    let dir = project();
    let run = charter_in(
        dir.path(),
        &[
            "check",
            ".",
            "--format",
            "json",
            "--output",
            "sarif=out/charter.sarif",
            "--output",
            "junit=out/junit.xml",
            "--output",
            "human=out/report.txt",
            "--output",
            "gitlab=out/codequality.json",
            "--output",
            "github=out/annotations.txt",
            "--output",
            "gitlab=codequality.json",
        ],
        None,
    );
    // `out/` does not exist: its files fail, the others and standard
    // output are written.
    assert_eq!(run.code, 2, "{}", run.stderr);
    let written = std::fs::read_to_string(dir.path().join("codequality.json"))
        .expect("the writable output is written");
    assert_eq!(
        serde_json::from_str::<Value>(&written)
            .expect("JSON")
            .as_array()
            .map(Vec::len),
        Some(2)
    );
    assert_eq!(
        run.stderr.matches("cannot write the report").count(),
        5,
        "{}",
        run.stderr
    );
    assert!(
        run.stderr
            .contains("--output sarif=out/charter.sarif: cannot write the report"),
        "{}",
        run.stderr
    );
    assert!(
        run.stderr.contains("--output junit=out/junit.xml"),
        "{}",
        run.stderr
    );
    assert_eq!(run.json()["summary"]["findings"]["error"], 2);

    std::fs::create_dir(dir.path().join("out")).expect("mkdir");
    let run = charter_in(
        dir.path(),
        &[
            "check",
            ".",
            "--format",
            "github",
            "--output",
            "sarif=out/charter.sarif",
            "--output",
            "junit=out/junit.xml",
            "--output",
            "human=out/report.txt",
            "--output",
            "gitlab=out/codequality.json",
            "--output",
            "json=out/report.json",
        ],
        None,
    );
    assert_eq!(run.code, 1, "{}", run.stderr);
    assert!(run.stdout.starts_with("::error file=app.env,line=2"));
    let read = |name: &str| std::fs::read_to_string(dir.path().join("out").join(name)).expect(name);
    let sarif: Value = serde_json::from_str(&read("charter.sarif")).expect("SARIF is JSON");
    assert_eq!(sarif_results(&sarif).len(), 4);
    let (totals, _) = junit_cases(&read("junit.xml"));
    assert_eq!(totals, "testsuites 31 2 2");
    let human = read("report.txt");
    assert!(human.contains("error[SEC-001]"), "{human}");
    assert!(!human.contains('\u{1b}'), "no colour in a file: {human}");
    assert!(!human.contains(SECRET) && !human.contains(AWS_KEY));
    let json: Value = serde_json::from_str(&read("report.json")).expect("JSON");
    assert_eq!(json["summary"]["findings"]["suppressed"], 2);
    let gitlab: Value = serde_json::from_str(&read("codequality.json")).expect("JSON");
    assert_eq!(gitlab.as_array().map(Vec::len), Some(2));
}

#[test]
fn a_bad_output_value_is_a_usage_error_naming_the_flag() {
    for (value, says) in [
        ("sarif", "expected FORMAT=FILE"),
        ("xml=out.xml", "unknown format `xml`"),
        ("junit=", "no file after `junit=`"),
    ] {
        let run = charter(&["check", "fixtures/sec", "--output", value]);
        assert_eq!(run.code, 2, "{value}: {}", run.stderr);
        assert!(
            run.stderr.contains("--output <FORMAT=FILE>"),
            "{}",
            run.stderr
        );
        assert!(run.stderr.contains(says), "{value}: {}", run.stderr);
        assert!(run.stdout.is_empty());
    }
}
