//! Conftest's reading of Rego: in each selected package, the rules named
//! `deny`, `violation` (errors) and `warn` (warnings), optionally with a
//! `_suffix`, judge one object given as `input`; `exception` rules name the
//! rules (without their `deny_`/`violation_` prefix) that do not apply.

use std::collections::HashSet;
use std::sync::OnceLock;

use regex::Regex;
use regorus::{Engine, Value};

use super::rego;
use crate::rules::rego::{PolicyRule, policy_meta};
use crate::rules::{RuleMeta, Severity};

/// Which packages are judged (`--namespace`, `--all-namespaces`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Namespaces {
    /// These packages (default: `main`).
    Only(Vec<String>),
    All,
}

impl Default for Namespaces {
    fn default() -> Self {
        Namespaces::Only(vec!["main".to_owned()])
    }
}

/// A rule that judges: `deny_root` of package `main`.
#[derive(Debug)]
pub struct JudgingRule {
    /// `deny_root`.
    pub name: String,
    /// `data.main.deny_root`.
    pub query: String,
    /// The name `exception` rules use for it (`root`).
    pub exception_name: String,
    pub meta: &'static RuleMeta,
}

#[derive(Debug)]
pub struct Package {
    /// `main`, `kubernetes.labels`.
    pub name: String,
    /// `data.main`.
    pub query: String,
    pub rules: Vec<JudgingRule>,
    /// `data.main.exception`, when the package has one.
    pub exception: Option<String>,
}

fn is_failure(rule: &str) -> bool {
    static FAILURE: OnceLock<Regex> = OnceLock::new();
    FAILURE
        .get_or_init(|| Regex::new("^(deny|violation)(_[a-zA-Z0-9]+)*$").expect("valid"))
        .is_match(rule)
}

fn is_warning(rule: &str) -> bool {
    static WARNING: OnceLock<Regex> = OnceLock::new();
    WARNING
        .get_or_init(|| Regex::new("^warn(_[a-zA-Z0-9]+)*$").expect("valid"))
        .is_match(rule)
}

/// The packages of `engine`'s modules that `namespaces` selects, with
/// their judging rules. `modules` pairs each module's file with its
/// package query path (`data.main`).
pub fn packages(
    engine: &Engine,
    modules: &[(String, String)],
    namespaces: &Namespaces,
) -> Vec<Package> {
    let declared = rego::declared_rules(engine);
    let mut packages: Vec<Package> = Vec::new();
    for (file, package_path) in modules {
        let name = package_path.strip_prefix("data.").unwrap_or(package_path);
        let selected = match namespaces {
            Namespaces::All => true,
            Namespaces::Only(names) => names.iter().any(|wanted| wanted == name),
        };
        if !selected {
            continue;
        }
        let index = match packages.iter().position(|package| package.name == name) {
            Some(index) => index,
            None => {
                packages.push(Package {
                    name: name.to_owned(),
                    query: package_path.clone(),
                    rules: Vec::new(),
                    exception: None,
                });
                packages.len() - 1
            }
        };
        let package = &mut packages[index];
        let rules = declared
            .iter()
            .filter(|(module, _)| module == file)
            .flat_map(|(_, rules)| rules);
        for rule in rules {
            if rule == "exception" {
                package.exception = Some(format!("{package_path}.exception"));
                continue;
            }
            let severity = match (is_failure(rule), is_warning(rule)) {
                (true, _) => Severity::Error,
                (_, true) => Severity::Warning,
                _ => continue,
            };
            // A rule written in several modules of the package is one rule.
            let query = format!("{package_path}.{rule}");
            if package.rules.iter().any(|known| known.query == query) {
                continue;
            }
            let id = format!("REGO-{name}.{rule}");
            package.rules.push(JudgingRule {
                name: rule.clone(),
                query,
                exception_name: exception_name(rule).to_owned(),
                meta: policy_meta(PolicyRule {
                    title: format!("Rego policy rule `{name}.{rule}` reports the resource"),
                    fix: format!(
                        "Change the resource so that rule `{rule}` of package `{name}` (in {file}) \
                         no longer fires, or list it in the package's `exception` rule."
                    ),
                    id,
                    severity,
                }),
            });
        }
    }
    packages.retain(|package| !package.rules.is_empty());
    for package in &mut packages {
        package.rules.sort_by(|a, b| a.query.cmp(&b.query));
    }
    packages
}

/// Conftest strips `deny_` and `violation_` (not `warn_`) for exceptions.
fn exception_name(rule: &str) -> &str {
    rule.strip_prefix("deny_")
        .or_else(|| rule.strip_prefix("violation_"))
        .unwrap_or(rule)
}

/// What a package's `exception` rule excepts (its value): every string in
/// every collection it holds (`exception[_][_]`).
pub fn excepted(value: &Value) -> HashSet<String> {
    rego::members(value)
        .into_iter()
        .flat_map(|names| match names {
            Value::Array(_) | Value::Set(_) => rego::members(names),
            _ => Vec::new(),
        })
        .filter_map(|name| match name {
            Value::String(name) => Some(name.to_string()),
            _ => None,
        })
        .collect()
}

/// The value of every rule of a package for the current input, in one
/// evaluation: its rules share one reset of the interpreter's state and
/// the helper rules they call. `None` when the package fails (a rule
/// errors): its rules are then evaluated one by one, to say which.
pub fn package_values(engine: &mut Engine, package: &Package) -> Option<Value> {
    let results = engine.eval_query(package.query.clone(), false).ok()?;
    let value = results
        .result
        .into_iter()
        .next()?
        .expressions
        .into_iter()
        .next()?
        .value;
    value.as_object().is_ok().then_some(value)
}

/// Rule `name` of a package's values (undefined when it has none).
pub fn rule_value(values: &Value, name: &str) -> Value {
    values
        .as_object()
        .ok()
        .and_then(|rules| rules.get(&Value::from(name)))
        .cloned()
        .unwrap_or(Value::Undefined)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rule_names_as_conftest_reads_them() {
        for rule in ["deny", "violation", "deny_root", "violation_a_b"] {
            assert!(is_failure(rule), "{rule}");
        }
        for rule in ["warn", "warn_tag"] {
            assert!(is_warning(rule), "{rule}");
        }
        for rule in ["denied", "deny_", "warning", "exception"] {
            assert!(!is_failure(rule) && !is_warning(rule), "{rule}");
        }
        assert_eq!(exception_name("deny_root"), "root");
        assert_eq!(exception_name("violation_root"), "root");
        assert_eq!(exception_name("warn_tag"), "warn_tag");
        assert_eq!(exception_name("deny"), "deny");
    }
}
