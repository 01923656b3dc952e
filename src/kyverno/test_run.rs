//! `charter test`: runs Kyverno CLI test suites (`kyverno-test.yaml`) with
//! charter's Kyverno engine and compares each result with the suite's.
//!
//! For each suite: its policies and resources are read (relative to the
//! suite), its values file gives variables, the request's operation and
//! Namespace labels, and every policy is applied to every resource as
//! Kyverno's CLI does. Expectations about rules charter does not evaluate
//! (mutate, generate, podSecurity, CEL, a context entry that calls the
//! cluster...) are counted as unsupported and listed: never as passed, and
//! not as failed either, since nothing was compared. Fields of a suite
//! charter does not run are listed as notes.

use std::collections::HashMap;
use std::fmt::Write as _;
use std::path::{Path, PathBuf};

use serde_json::{Map, Value};

use super::engine::{Environment, Status as EngineStatus, Subject, apply};
use super::policy::{Body, Policy, is_policy};
use super::suite::{
    Expectation, Loaded, Observed, Status, Suite, Values, compare_loaded, find_suites, load_suite,
    load_values, read_documents,
};

/// What a run printed and counted.
pub struct Report {
    pub text: String,
    pub passed: usize,
    pub failed: usize,
    pub unsupported: usize,
}

/// Runs every suite under `paths`. Err: no suite was found.
pub fn run(paths: &[PathBuf]) -> Result<Report, String> {
    let suites = find_suites(paths);
    if suites.is_empty() {
        return Err(format!(
            "no kyverno-test.yaml under {}",
            paths
                .iter()
                .map(|path| path.display().to_string())
                .collect::<Vec<_>>()
                .join(", ")
        ));
    }
    let mut report = Report {
        text: String::new(),
        passed: 0,
        failed: 0,
        unsupported: 0,
    };
    for path in &suites {
        run_suite(path, &mut report);
    }
    let unsupported = match report.unsupported {
        0 => String::new(),
        n => format!(", {n} unsupported"),
    };
    let _ = writeln!(
        report.text,
        "\n{} passed, {} failed{unsupported}",
        report.passed, report.failed
    );
    Ok(report)
}

fn run_suite(path: &Path, report: &mut Report) {
    let shown = path.display();
    let suite = match load_suite(path) {
        Ok(suite) => suite,
        Err(error) => {
            report.failed += 1;
            let _ = writeln!(report.text, "FAIL {shown}: {error}");
            return;
        }
    };
    let prepared = prepare(&suite);
    let (policies, resources, values) = match prepared {
        Ok(prepared) => prepared,
        Err(error) => {
            report.failed += 1;
            let _ = writeln!(report.text, "FAIL {shown} ({}): {error}", suite.name);
            return;
        }
    };
    let (observed, unsupported) = evaluate(&policies, &resources, values.as_ref());
    let (suite, set_aside) = set_aside_unsupported(&suite, &policies, &unsupported);
    let loaded: Vec<Loaded> = resources
        .iter()
        .map(|resource| Loaded {
            kind: text_at(resource, "/kind").to_owned(),
            namespace: namespace_of(resource).map(str::to_owned),
            name: text_at(resource, "/metadata/name").to_owned(),
        })
        .collect();
    let outcomes = compare_loaded(&suite, &observed, &loaded);
    let passed = outcomes.iter().filter(|outcome| outcome.ok).count();
    let failed = outcomes.len() - passed;
    report.passed += passed;
    report.failed += failed;
    report.unsupported += set_aside.len();
    let mut counts = format!("{passed} passed, {failed} failed");
    if !set_aside.is_empty() {
        let _ = write!(counts, ", {} unsupported", set_aside.len());
    }
    let word = if failed == 0 { "PASS" } else { "FAIL" };
    let _ = writeln!(report.text, "{word} {shown} ({}): {counts}", suite.name);
    for outcome in outcomes.iter().filter(|outcome| !outcome.ok) {
        let _ = writeln!(report.text, "     FAIL {}", outcome.description);
    }
    for line in &set_aside {
        let _ = writeln!(report.text, "     UNSUPPORTED {line}");
    }
    for note in &suite.unsupported {
        let _ = writeln!(report.text, "     note: not run by charter: {note}");
    }
}

type Prepared = (Vec<Policy>, Vec<Value>, Option<Values>);

/// Reads a suite's policies, resources and values.
fn prepare(suite: &Suite) -> Result<Prepared, String> {
    let mut policies = Vec::new();
    for path in &suite.policies {
        for (line, object) in documents(path)? {
            if is_policy(&object) {
                let policy = Policy::read(&object).map_err(|error| {
                    format!("{}:{line}: Kyverno policy {error}", path.display())
                })?;
                // As the Kyverno CLI, which does not load such a policy.
                if let Some(why) = &policy.refused {
                    return Err(format!(
                        "{}:{line}: Kyverno policy {} is invalid: {why}",
                        path.display(),
                        policy.qualified_name()
                    ));
                }
                policies.push(policy);
            }
        }
    }
    let mut resources = Vec::new();
    for path in &suite.resources {
        for (_, object) in documents(path)? {
            if !is_policy(&object) && object.is_object() {
                resources.push(object);
            }
        }
    }
    let values = suite.variables.as_deref().map(load_values).transpose()?;
    Ok((policies, resources, values))
}

/// The documents of a YAML file, with their first lines.
fn documents(path: &Path) -> Result<Vec<(u32, Value)>, String> {
    Ok(read_documents(path)?
        .into_iter()
        .flatten()
        .map(|root| (root.start.line, root.to_json()))
        .collect())
}

/// A rule charter could not evaluate on a resource.
struct NotEvaluated {
    policy: String,
    rule: String,
    kind: String,
    name: String,
    why: String,
}

/// Applies every policy to every resource, as the Kyverno CLI does.
fn evaluate(
    policies: &[Policy],
    resources: &[Value],
    values: Option<&Values>,
) -> (Vec<Observed>, Vec<NotEvaluated>) {
    let namespaces: HashMap<&str, Map<String, Value>> = resources
        .iter()
        .filter(|resource| text_at(resource, "/kind") == "Namespace")
        .map(|resource| {
            let labels = resource
                .pointer("/metadata/labels")
                .and_then(Value::as_object)
                .cloned()
                .unwrap_or_default();
            (text_at(resource, "/metadata/name"), labels)
        })
        .collect();
    let config_map = |namespace: &str, name: &str| {
        resources
            .iter()
            .find(|resource| {
                text_at(resource, "/kind") == "ConfigMap"
                    && text_at(resource, "/metadata/name") == name
                    && namespace_of(resource).unwrap_or("default") == namespace
            })
            .cloned()
    };
    let mut observed = Vec::new();
    let mut unsupported = Vec::new();
    for policy in policies {
        let rule_values = |rule: &str| -> Vec<(String, Value)> {
            let Some(values) = values else {
                return Vec::new();
            };
            let written = rule
                .strip_prefix("autogen-cronjob-")
                .or_else(|| rule.strip_prefix("autogen-"))
                .unwrap_or(rule);
            values
                .for_rule(&policy.name, rule)
                .or_else(|| values.for_rule(&policy.name, written))
                .map(|map| map.iter().map(|(k, v)| (k.clone(), v.clone())).collect())
                .unwrap_or_default()
        };
        for resource in resources {
            let name = text_at(resource, "/metadata/name");
            let namespace = namespace_of(resource);
            let kind = text_at(resource, "/kind");
            let resource_values: Vec<(String, Value)> = values
                .map(|values| values.for_resource(&policy.name, name))
                .unwrap_or_default()
                .into_iter()
                .collect();
            let namespace_labels = namespace.and_then(|namespace| {
                values
                    .and_then(|values| values.namespace_labels(namespace))
                    .or_else(|| namespaces.get(namespace))
            });
            let environment = Environment {
                operation: values.map_or("CREATE", |v| v.operation(&policy.name, name)),
                namespace_labels,
                values: &resource_values,
                rule_values: Some(&rule_values),
                config_map: Some(&config_map),
            };
            let subject = Subject::new(resource, &environment);
            for evaluation in apply(policy, &subject) {
                let status = match evaluation.status {
                    EngineStatus::Pass => Status::Pass,
                    EngineStatus::Fail => Status::Fail,
                    EngineStatus::Skip => Status::Skip,
                    EngineStatus::Error => Status::Error,
                    EngineStatus::Unsupported => {
                        unsupported.push(NotEvaluated {
                            policy: policy.qualified_name(),
                            rule: evaluation.rule,
                            kind: kind.to_owned(),
                            name: name.to_owned(),
                            why: evaluation.message,
                        });
                        continue;
                    }
                };
                observed.push(Observed {
                    policy: policy.name.clone(),
                    policy_namespace: policy.namespace.clone(),
                    rule: evaluation.rule,
                    kind: kind.to_owned(),
                    namespace: namespace.map(str::to_owned),
                    name: name.to_owned(),
                    status,
                    message: evaluation.message,
                });
            }
        }
    }
    (observed, unsupported)
}

/// The suite without the expectations charter cannot check, and a line
/// for each of those: rules that are not validate rules charter runs, and
/// rules that were unsupported on the resource.
fn set_aside_unsupported(
    suite: &Suite,
    policies: &[Policy],
    unsupported: &[NotEvaluated],
) -> (Suite, Vec<String>) {
    let mut kept = suite.clone();
    let mut lines = Vec::new();
    let same_rule = |wanted: &str, rule: &str| {
        rule == wanted
            || rule.strip_prefix("autogen-") == Some(wanted)
            || rule.strip_prefix("autogen-cronjob-") == Some(wanted)
    };
    for expectation in &mut kept.expectations {
        let not_run = policies
            .iter()
            .filter(|policy| names(&expectation.policy, policy))
            .flat_map(|policy| &policy.rules)
            .filter(|rule| same_rule(&expectation.rule, &rule.name))
            .find_map(|rule| match &rule.body {
                Body::Other(what) => Some(format!("{what} (charter runs validate rules)")),
                _ => None,
            });
        let label = |expectation: &Expectation, resource: &str| {
            format!(
                "{}/{} {} {}: want {}",
                expectation.policy,
                expectation.rule,
                expectation.kind,
                resource,
                expectation.result
            )
        };
        if let Some(why) = not_run {
            for resource in &expectation.resources {
                lines.push(format!("{}: {why}", label(expectation, resource)));
            }
            expectation.resources.clear();
            continue;
        }
        let snapshot = expectation.clone();
        expectation.resources.retain(|resource| {
            let name = resource.rsplit('/').next().unwrap_or(resource);
            let found = unsupported.iter().find(|entry| {
                entry.policy == snapshot.policy
                    && same_rule(&snapshot.rule, &entry.rule)
                    && entry.kind == snapshot.kind
                    && entry.name == name
            });
            match found {
                Some(entry) => {
                    lines.push(format!("{}: {}", label(&snapshot, resource), entry.why));
                    false
                }
                None => true,
            }
        });
    }
    (kept, lines)
}

/// Whether an expectation's policy (`name` or `namespace/name`) is `policy`.
fn names(wanted: &str, policy: &Policy) -> bool {
    match wanted.split_once('/') {
        Some((namespace, name)) => {
            policy.name == name && policy.namespace.as_deref() == Some(namespace)
        }
        None => policy.name == wanted,
    }
}

fn text_at<'a>(value: &'a Value, pointer: &str) -> &'a str {
    value.pointer(pointer).and_then(Value::as_str).unwrap_or("")
}

fn namespace_of(resource: &Value) -> Option<&str> {
    resource
        .pointer("/metadata/namespace")
        .and_then(Value::as_str)
}
