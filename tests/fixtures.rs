//! The fixture harness: every file under `fixtures/` declares the findings it
//! must produce (see fixtures/README.md), and one run of `charter check
//! fixtures/` must produce exactly those.

mod common;

use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;

use common::{Key, charter, charter_in, parse_expectation, repo_root};
use serde_json::Value;

/// How many findings each key has: several rules' findings may share a
/// place (four Grafana settings at one image line), and each counts.
type Expected = BTreeMap<Key, u64>;

/// What a fixture declares: its findings, and the rule families whose
/// findings it accounts for (findings of other families in it are another
/// family's business: a Deployment in `sec/` is not a POD fixture).
#[derive(Default)]
struct Declaration {
    expected: Expected,
    families: BTreeSet<String>,
}

/// Fixture directories checked as whole deployments (`--platform`).
const PLATFORM_DIRECTORIES: [&str; 2] = ["fixtures/kyv/platform", "fixtures/kyv/platform-complete"];

/// Fixture directories checked in strict schema mode (`--strict`).
const STRICT_DIRECTORIES: [&str; 1] = ["fixtures/schema/strict"];

/// Families every fixture accounts for: reading input and suppressions
/// concern every file, and so does the secret scanner.
const ALWAYS_CHECKED: [&str; 3] = ["PARSE", "SUPP", "LEAK"];

fn family(rule: &str) -> &str {
    rule.split_once('-').map_or(rule, |(family, _)| family)
}

fn add(expected: &mut Expected, (key, count): (Key, u64)) {
    *expected.entry(key).or_default() += count;
}

/// Declared findings of every fixture, by the name charter reports.
/// Every fixture's declaration. A file accounts for its directory's family
/// (`fixtures/sec/` for SEC), the families in `ALWAYS_CHECKED`, the
/// families of the findings it expects, and those it names in
/// `# also-checks: FAMILY, ...`.
fn declared() -> BTreeMap<String, Declaration> {
    let root = repo_root();
    let mut declared = BTreeMap::new();
    let walker = ignore::WalkBuilder::new(root.join("fixtures"))
        .hidden(false)
        .build();
    for entry in walker {
        let entry = entry.expect("fixtures are walkable");
        let path = entry.path();
        let file_name = path
            .file_name()
            .and_then(|n| n.to_str())
            .unwrap_or_default();
        let in_templates = path.components().any(|c| c.as_os_str() == "templates");
        let not_a_case = file_name == "README.md" || file_name.ends_with(".expect");
        if !path.is_file() || in_templates || not_a_case {
            continue;
        }
        let name = path
            .strip_prefix(&root)
            .expect("under the root")
            .to_string_lossy()
            .into_owned();
        // A chart's findings are reported against its rendered stream, as
        // `<chart dir> (release <dir name>)`, so the expectations in its
        // `Chart.yaml` (lines of that stream) are filed under that name.
        let name = match (file_name, name.strip_suffix("/Chart.yaml")) {
            ("Chart.yaml", Some(chart)) => {
                let release = chart.rsplit('/').next().unwrap_or(chart);
                format!("{chart} (release {release})")
            }
            _ => name,
        };
        let mut declaration = Declaration::default();
        let expected = &mut declaration.expected;
        if let Ok(text) = std::fs::read_to_string(path) {
            for line in text.lines() {
                let line = line.trim_start();
                if let Some(rest) = line.strip_prefix("# expect:") {
                    add(expected, parse_expectation(rest, &name));
                } else if let Some(rest) = line.strip_prefix("# also-checks:") {
                    declaration
                        .families
                        .extend(rest.split(',').map(|f| f.trim().to_owned()));
                }
            }
        }
        let sidecar = format!("{}.expect", path.display());
        if let Ok(text) = std::fs::read_to_string(&sidecar) {
            for line in text.lines().filter(|line| !line.trim().is_empty()) {
                add(expected, parse_expectation(line, &sidecar));
            }
        }
        let directory = name
            .split('/')
            .nth(1)
            .unwrap_or_default()
            .to_ascii_uppercase();
        let named: Vec<String> = expected
            .keys()
            .map(|key| family(&key.0).to_owned())
            .collect();
        declaration.families.extend(named);
        declaration.families.insert(directory);
        declaration
            .families
            .extend(ALWAYS_CHECKED.iter().map(|f| (*f).to_owned()));
        declared.insert(name, declaration);
    }
    declared
}

fn reported(report: &Value) -> BTreeMap<String, Expected> {
    let mut reported: BTreeMap<String, Expected> = BTreeMap::new();
    for finding in report["findings"].as_array().expect("findings") {
        reported
            .entry(finding["file"].as_str().expect("file").to_owned())
            .or_default()
            .entry((
                finding["rule"].as_str().expect("rule").to_owned(),
                finding["line"].as_u64().expect("line"),
                finding["column"].as_u64().expect("column"),
                finding["suppressed"].as_bool().expect("suppressed"),
            ))
            .and_modify(|count| *count += 1)
            .or_insert(1);
    }
    reported
}

#[test]
fn every_fixture_reports_exactly_what_it_declares() {
    // With a `helm`, so that the charts under fixtures/ are rendered and
    // checked like any manifest, not skipped.
    let helm = common::helm_bin();
    let run = charter(&["check", "fixtures", "--format", "json", "--helm-bin", &helm]);
    assert_eq!(
        run.json()["summary"]["skipped"]["helm_charts"],
        serde_json::json!([]),
        "every fixture chart renders\n{}",
        run.stderr
    );
    assert_eq!(
        run.code, 1,
        "fixtures hold errors, so the run fails\n{}",
        run.stderr
    );
    let mut reported = reported(&run.json());
    // A `platform/` directory is a whole deployment: its files are judged
    // by a run with `--platform` over that directory alone.
    for directory in PLATFORM_DIRECTORIES {
        let platform = charter(&[
            "check",
            "--platform",
            directory,
            "--format",
            "json",
            "--helm-bin",
            &helm,
        ]);
        assert_ne!(platform.code, 2, "{}", platform.stderr);
        reported.retain(|file, _| !file.starts_with(directory));
        reported.extend(self::reported(&platform.json()));
    }
    // A `strict/` directory is judged by a run with `--strict` over it alone.
    for directory in STRICT_DIRECTORIES {
        let strict = charter(&["check", "--strict", directory, "--format", "json"]);
        assert_ne!(strict.code, 2, "{}", strict.stderr);
        reported.retain(|file, _| !file.starts_with(directory));
        reported.extend(self::reported(&strict.json()));
    }
    let declared = declared();
    assert!(
        declared.len() >= 25,
        "the fixture set shrank: {} files",
        declared.len()
    );
    let mut problems = Vec::new();
    for (file, declaration) in &declared {
        let expected = &declaration.expected;
        let mut actual = reported.remove(file).unwrap_or_default();
        actual.retain(|key, _| declaration.families.contains(family(&key.0)));
        for (key, &count) in expected {
            let found = actual.get(key).copied().unwrap_or(0);
            if found < count {
                problems.push(format!(
                    "{file}: missing {key:?} (declared x{count}, found x{found})"
                ));
            }
        }
        for (key, &found) in &actual {
            let count = expected.get(key).copied().unwrap_or(0);
            if found > count {
                problems.push(format!(
                    "{file}: unexpected {key:?} (declared x{count}, found x{found})"
                ));
            }
        }
    }
    for (file, actual) in reported {
        problems.push(format!(
            "{file}: findings in a file the harness does not know: {actual:?}"
        ));
    }
    assert!(problems.is_empty(), "\n{}", problems.join("\n"));
}

#[test]
fn the_chart_is_rendered_or_reported_as_skipped() {
    let helm = common::helm_bin();
    let rendered = charter(&[
        "check",
        "fixtures/charts",
        "--format",
        "json",
        "--helm-bin",
        &helm,
    ])
    .json();
    assert_eq!(
        rendered["summary"]["skipped"]["helm_charts"],
        serde_json::json!([])
    );
    // demo-chart's ConfigMap and the seven resources of litellm-twin.
    assert_eq!(rendered["summary"]["resources"], 8);

    let no_helm = [("PATH", "/nonexistent")];
    let root = common::repo_root();
    let report = common::charter_with_env(
        &root,
        &["check", "fixtures", "--format", "json"],
        None,
        &no_helm,
    )
    .json();
    assert_eq!(
        report["summary"]["skipped"]["helm_charts"],
        serde_json::json!(["fixtures/charts/demo-chart", "fixtures/charts/litellm-twin"])
    );
    let human = common::charter_with_env(&root, &["check", "fixtures/charts"], None, &no_helm);
    assert_eq!(human.code, 0);
    assert!(
        human.stdout.contains("2 Helm charts not rendered, no `helm` on PATH (install Helm, or name one with --helm-bin) (fixtures/charts/demo-chart, fixtures/charts/litellm-twin)"),
        "{}",
        human.stdout
    );
}

/// `cat FILE | charter check -` gives the findings `charter check FILE`
/// gives, with the file shown as `<stdin>`. Whole-set rules are left out:
/// one file through standard input is a different (and partial) set. So are
/// the verdicts of the Kyverno policies of other files (`KYV-<policy>/<rule>`
/// and their errors, KYV-009).
#[test]
fn standard_input_gives_the_same_findings() {
    let root = repo_root();
    let directory_run = charter(&["check", "fixtures", "--format", "json"]).json();
    let set_rules: Vec<&str> = charter::rules::builtin()
        .iter()
        .filter(|rule| matches!(rule.check, charter::rules::Check::Set(_)))
        .map(|rule| rule.meta.id)
        .collect();
    let per_file = |finding: &&Value| {
        let rule = finding["rule"].as_str().unwrap_or_default();
        let kyverno_verdict = rule == "KYV-009" || (rule.starts_with("KYV-") && rule.contains('/'));
        !kyverno_verdict && !set_rules.contains(&rule)
    };
    let by_file = |file: &str| -> Vec<Value> {
        directory_run["findings"]
            .as_array()
            .expect("findings")
            .iter()
            .filter(per_file)
            .filter(|f| f["file"] == file)
            .map(|f| {
                let mut f = f.clone();
                f["file"] = Value::from("<stdin>");
                f
            })
            .collect()
    };
    let mut compared = 0;
    // Manifests, since standard input is read as one; and not the lock file,
    // whose allowlist is by path (which `--stdin-filename` would supply).
    let manifests = declared().into_keys().filter(|file| {
        let manifest = [".yaml", ".yml", ".json"]
            .iter()
            .any(|ext| file.ends_with(ext));
        manifest && !file.ends_with("package-lock.json")
    });
    for file in manifests {
        let file = file.as_str();
        let bytes = std::fs::read(root.join(file)).expect("fixture is readable");
        let run = charter_in(
            Path::new(&root),
            &["check", "-", "--format", "json"],
            Some(&bytes),
        );
        let all = run.json()["findings"].as_array().expect("findings").clone();
        let findings: Vec<Value> = all.iter().filter(per_file).cloned().collect();
        assert_eq!(findings, by_file(file), "{file} through stdin");
        let expected_code = i32::from(
            all.iter()
                .any(|f| f["severity"] == "error" && f["suppressed"] == false),
        );
        assert_eq!(run.code, expected_code, "{file} through stdin");
        compared += 1;
    }
    assert!(compared >= 25);
}
