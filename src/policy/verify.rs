//! `charter verify`: policy test suites. Gatekeeper's `suite.yaml` (as
//! `gator verify` runs them) and Rego unit tests in `_test.rego` files (as
//! `opa test` and `conftest verify` run them).

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use regex::Regex;
use regorus::Value;

use super::load::{self, PolicyError};
use super::rego;
use super::{Namespaces, Policies};
use crate::engine::ResourceSet;
use crate::loader::{self, DocumentKinds};
use crate::source::SourceFile;
use crate::yaml::{Limits, Node};

/// How one case ended.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Status {
    Pass,
    /// Why it failed.
    Fail(String),
    /// Marked `skip: true`, or a `todo_test_` rule.
    Skip,
}

/// One case of a suite or one Rego test.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CaseResult {
    /// The suite or `_test.rego` file.
    pub file: String,
    /// `test / case` for a suite, `package.test_name` for Rego.
    pub name: String,
    pub status: Status,
}

/// Runs every suite and Rego test under `paths`.
pub fn verify(paths: &[PathBuf]) -> Result<Vec<CaseResult>, PolicyError> {
    let files = load::read_files(paths, true)?;
    let mut results = Vec::new();
    for (name, text) in &files.yaml {
        if is_suite(text) {
            results.extend(run_suite(Path::new(name), text));
        }
    }
    for group in test_groups(&files.tests) {
        let modules: Vec<(String, String)> = files
            .modules
            .iter()
            .chain(&files.tests)
            .filter(|(name, _)| Path::new(name).starts_with(&group))
            .cloned()
            .collect();
        results.extend(run_rego_tests(&modules));
    }
    Ok(results)
}

/// Directories holding `_test.rego` files, outermost only: a test's
/// directory and everything below it are compiled together, as `opa test
/// DIR` does.
fn test_groups(tests: &[(String, String)]) -> Vec<PathBuf> {
    let directories: BTreeSet<PathBuf> = tests
        .iter()
        .filter_map(|(name, _)| Path::new(name).parent().map(Path::to_path_buf))
        .collect();
    directories
        .iter()
        .filter(|dir| {
            !directories
                .iter()
                .any(|other| other != *dir && dir.starts_with(other))
        })
        .cloned()
        .collect()
}

fn is_suite(text: &str) -> bool {
    crate::yaml::parse_stream(text, Limits::default())
        .first()
        .and_then(|document| document.root.as_ref())
        .is_some_and(|root| {
            root.get("kind").and_then(Node::as_str) == Some("Suite")
                && root
                    .get("apiVersion")
                    .and_then(Node::as_str)
                    .is_some_and(|version| version.starts_with("test.gatekeeper.sh/"))
        })
}

/// Runs the tests of one `suite.yaml`.
fn run_suite(path: &Path, text: &str) -> Vec<CaseResult> {
    let file = path.display().to_string();
    let result = |name: String, status: Status| CaseResult {
        file: file.clone(),
        name,
        status,
    };
    let documents = crate::yaml::parse_stream(text, Limits::default());
    let Some(root) = documents
        .first()
        .and_then(|document| document.root.as_ref())
    else {
        return vec![result(String::new(), Status::Fail("empty suite".into()))];
    };
    if let Some(problem) = documents[0].problems.first() {
        return vec![result(
            String::new(),
            Status::Fail(format!("line {}: {}", problem.mark.line, problem.message)),
        )];
    }
    let base = path.parent().unwrap_or(Path::new("."));
    let suite_skipped = root.get("skip").and_then(Node::as_bool) == Some(true);
    let mut results = Vec::new();
    for test in root.get("tests").and_then(Node::items).unwrap_or_default() {
        let test_name = text_of(test, "name");
        let skipped = suite_skipped || test.get("skip").and_then(Node::as_bool) == Some(true);
        let cases = test.get("cases").and_then(Node::items).unwrap_or_default();
        if skipped {
            results.extend(cases.iter().map(|case| {
                result(
                    format!("{test_name} / {}", text_of(case, "name")),
                    Status::Skip,
                )
            }));
            continue;
        }
        let policies = policies_of(base, test);
        if test.get("invalid").and_then(Node::as_bool) == Some(true) {
            let status = match policies {
                Err(_) => Status::Pass,
                Ok(_) => Status::Fail(
                    "the Constraint is valid for its template, but the test says it is invalid"
                        .into(),
                ),
            };
            results.push(result(format!("{test_name} (invalid constraint)"), status));
            continue;
        }
        for case in cases {
            let name = format!("{test_name} / {}", text_of(case, "name"));
            let status = match (&policies, case.get("skip").and_then(Node::as_bool)) {
                (_, Some(true)) => Status::Skip,
                (Err(error), _) => Status::Fail(error.clone()),
                (Ok(policies), _) => run_case(base, policies, case),
            };
            results.push(result(name, status));
        }
    }
    results
}

fn text_of(node: &Node, key: &str) -> String {
    node.get(key)
        .map(|value| value.to_string())
        .unwrap_or_default()
}

/// The template and Constraint of a suite's test, compiled.
fn policies_of(base: &Path, test: &Node) -> Result<Policies, String> {
    let read = |key: &str| -> Result<(String, String), String> {
        let relative = test
            .get(key)
            .and_then(Node::as_str)
            .ok_or_else(|| format!("the test has no `{key}`"))?;
        let path = base.join(relative);
        std::fs::read_to_string(&path)
            .map(|text| (path.display().to_string(), text))
            .map_err(|error| format!("{}: {error}", path.display()))
    };
    let documents = [read("template")?, read("constraint")?];
    let (templates, engines, constraints) =
        load::gatekeeper_documents(&documents).map_err(|error| error.to_string())?;
    if templates.is_empty() {
        return Err(format!("{}: no ConstraintTemplate in it", documents[0].0));
    }
    if constraints.is_empty() {
        return Err(format!("{}: no Constraint in it", documents[1].0));
    }
    Ok(Policies {
        engines: super::engines::EngineSet::new(engines),
        conftest: Vec::new(),
        templates,
        constraints,
        files: documents.into_iter().map(|(name, _)| name).collect(),
    })
}

/// Judges a case's object (with its inventory) and checks its assertions.
fn run_case(base: &Path, policies: &Policies, case: &Node) -> Status {
    let Some(object) = case.get("object").and_then(Node::as_str) else {
        return Status::Fail("the case has no `object`".into());
    };
    let inventory: Vec<&str> = case
        .get("inventory")
        .and_then(Node::items)
        .unwrap_or_default()
        .iter()
        .filter_map(Node::as_str)
        .collect();
    let kinds = match DocumentKinds::builtin() {
        Ok(kinds) => kinds,
        Err(error) => return Status::Fail(error),
    };
    let mut files = Vec::new();
    let mut resources = Vec::new();
    for (index, (relative, context)) in std::iter::once((object, false))
        .chain(inventory.iter().map(|file| (*file, true)))
        .enumerate()
    {
        let path = base.join(relative);
        let text = match std::fs::read_to_string(&path) {
            Ok(text) => text,
            Err(error) => return Status::Fail(format!("{}: {error}", path.display())),
        };
        let loaded = loader::load(index, &text, &kinds, Limits::default());
        if let Some(problem) = loaded.findings.first() {
            return Status::Fail(format!(
                "{}:{}: {}",
                path.display(),
                problem.mark.line,
                problem.message
            ));
        }
        // The case's object alone is judged; the inventory only informs.
        if !context && loaded.resources.len() != 1 {
            return Status::Fail(format!(
                "{}: holds {} objects; a case judges exactly one",
                path.display(),
                loaded.resources.len()
            ));
        }
        for mut resource in loaded.resources {
            resource.index = resources.len();
            resources.push(resource);
        }
        let mut source = SourceFile::new(
            path.display().to_string(),
            Some(path),
            Some(Arc::from(text)),
        );
        source.context = context;
        files.push(source);
    }
    let set = ResourceSet {
        resources: &resources,
        files: &files,
        partial: false,
        platform: false,
    };
    let findings = policies.evaluate(&set, &|meta| Some(meta.severity));
    if let Some(error) = findings
        .iter()
        .find(|finding| finding.rule.family() != "GK")
    {
        return Status::Fail(error.message.clone());
    }
    let messages: Vec<&str> = findings
        .iter()
        .map(|finding| finding.message.as_str())
        .collect();
    let assertions = case
        .get("assertions")
        .and_then(Node::items)
        .unwrap_or_default();
    if assertions.is_empty() {
        // No assertion: reviewing the object gives no violation.
        return match messages.is_empty() {
            true => Status::Pass,
            false => Status::Fail(format!(
                "got {} violations but want none: {messages:?}",
                messages.len()
            )),
        };
    }
    for assertion in assertions {
        if let Err(reason) = check_assertion(assertion, &messages) {
            return Status::Fail(reason);
        }
    }
    Status::Pass
}

/// One assertion: `violations` (a count, or `yes`/`no`; default `yes`)
/// among the violations whose message the `message` regex matches.
fn check_assertion(assertion: &Node, messages: &[&str]) -> Result<(), String> {
    let pattern = assertion.get("message").and_then(Node::as_str);
    let regex = pattern
        .map(Regex::new)
        .transpose()
        .map_err(|error| format!("assertion `message` is not a regular expression: {error}"))?;
    let matching = messages
        .iter()
        .filter(|message| regex.as_ref().is_none_or(|regex| regex.is_match(message)))
        .count();
    let containing = pattern.map_or(String::new(), |pattern| format!(" containing {pattern:?}"));
    let got = format!("got {matching} violations{containing}");
    let all = format!("(all messages: {messages:?})");
    // `yes` and `no` are read as written: strings (YAML 1.2), or the
    // booleans a YAML 1.1 reader would make of them.
    let expected = assertion.get("violations").map(|node| node.to_json());
    match expected {
        None | Some(serde_json::Value::Bool(true)) => yes_or_no(true, matching, &got, &all),
        Some(serde_json::Value::Bool(false)) => yes_or_no(false, matching, &got, &all),
        Some(serde_json::Value::String(word)) if word == "yes" => {
            yes_or_no(true, matching, &got, &all)
        }
        Some(serde_json::Value::String(word)) if word == "no" => {
            yes_or_no(false, matching, &got, &all)
        }
        Some(serde_json::Value::Number(count)) if count.as_u64().is_some() => {
            let want = count.as_u64().unwrap_or_default();
            match matching as u64 == want {
                true => Ok(()),
                false => Err(format!("{got} but want exactly {want} {all}")),
            }
        }
        Some(other) => Err(format!(
            "assertion `violations` must be a non-negative integer, \"yes\" or \"no\", not {other}"
        )),
    }
}

fn yes_or_no(yes: bool, matching: usize, got: &str, all: &str) -> Result<(), String> {
    match (yes, matching) {
        (true, 0) => Err(format!("{got} but want at least 1 {all}")),
        (false, 1..) => Err(format!("{got} but want none {all}")),
        _ => Ok(()),
    }
}

/// Runs every `test_` rule of the modules, each in a fresh evaluation
/// without input. A test passes when its rule is true; `todo_test_` rules
/// are skipped.
fn run_rego_tests(modules: &[(String, String)]) -> Vec<CaseResult> {
    let group = modules
        .first()
        .map(|(name, _)| name.clone())
        .unwrap_or_default();
    let compiled = match load::compile_modules(modules, &Namespaces::All) {
        Ok(compiled) => compiled,
        Err(error) => {
            return vec![CaseResult {
                file: group,
                name: "compile".into(),
                status: Status::Fail(error.to_string()),
            }];
        }
    };
    let engine = compiled.engine;
    let mut results = Vec::new();
    for (file, rules) in rego::declared_rules(&engine) {
        if !file.ends_with("_test.rego") {
            continue;
        }
        let Some((_, package)) = compiled.modules.iter().find(|(name, _)| *name == file) else {
            continue;
        };
        for rule in rules {
            let name = format!(
                "{}.{rule}",
                package.strip_prefix("data.").unwrap_or(package)
            );
            let status = if rule.starts_with("todo_test_") {
                Status::Skip
            } else if rule.starts_with("test_") {
                let mut engine = engine.clone();
                engine.set_input(Value::Undefined);
                match engine.eval_rule(format!("{package}.{rule}")) {
                    Ok(Value::Bool(true)) => Status::Pass,
                    Ok(Value::Undefined) => {
                        Status::Fail("undefined (a condition was false)".into())
                    }
                    Ok(other) => Status::Fail(format!("evaluated to {}", rego::to_json(&other))),
                    Err(error) => {
                        Status::Fail(rego::parse_error(&file, &error.to_string()).to_string())
                    }
                }
            } else {
                continue;
            };
            results.push(CaseResult {
                file: file.clone(),
                name,
                status,
            });
        }
    }
    results
}
