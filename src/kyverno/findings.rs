//! Kyverno policies applied to a checked set, as findings.
//!
//! Every `ClusterPolicy`/`Policy` among the manifests (context files
//! included: a hook run sees the repository's policies) and every one in
//! the `--kyverno-policies` directories is applied to each reported
//! resource that is not itself a Kyverno policy. A rule that fails is the
//! finding `KYV-<policy>/<rule>` (`KYV-<namespace>/<policy>/<rule>` for a
//! namespaced Policy): an error when the rule enforces, a warning when it
//! audits, at the field where the pattern failed. A rule that errs on a
//! resource is KYV-009. Rules charter cannot evaluate offline are said once
//! per rule by KYV-010, not per resource.

use std::borrow::Cow;
use std::collections::HashMap;
use std::path::PathBuf;

use rayon::prelude::*;
use serde_json::{Map, Value};

use super::engine::{Environment, Status, Subject, apply};
use super::policy::{Action, Policy, is_policy};
use crate::engine::{Emitter, ResourceSet};
use crate::finding::Finding;
use crate::policy::PolicyError;
use crate::resource::Resource;
use crate::rules::kyv::{RULE_ERRED, RULE_NOT_EVALUATED};
use crate::rules::rego::{PolicyRule, policy_meta};
use crate::rules::{RuleMeta, Severity};
use crate::yaml::Limits;

/// Kyverno policies from directories, read once per run (once per process
/// for `serve`).
#[derive(Debug, Default)]
pub struct KyvernoPolicies {
    pub policies: Vec<Policy>,
    /// Every YAML file read, for the run's summary.
    pub files: Vec<String>,
}

impl KyvernoPolicies {
    pub fn is_empty(&self) -> bool {
        self.policies.is_empty()
    }

    /// Reads the policies under `paths` (files or directories). A path that
    /// does not exist, or a policy charter cannot read, is a usage error
    /// naming the file and line.
    pub fn load(paths: &[PathBuf]) -> Result<KyvernoPolicies, PolicyError> {
        let files = crate::policy::load::read_files(paths, true)?;
        let mut loaded = KyvernoPolicies::default();
        for (name, text) in &files.yaml {
            loaded.files.push(name.clone());
            for document in crate::yaml::parse_stream(text, Limits::default()) {
                let Some(root) = &document.root else { continue };
                let object = root.to_json();
                if !is_policy(&object) {
                    continue;
                }
                let line = root.start.line;
                if let Some(problem) = document.problems.first() {
                    return Err(PolicyError::Invalid {
                        file: name.clone(),
                        line: problem.mark.line,
                        message: problem.message.clone(),
                    });
                }
                let invalid = |message: String| PolicyError::Invalid {
                    file: name.clone(),
                    line,
                    message,
                };
                let policy = Policy::read(&object)
                    .map_err(|message| invalid(format!("Kyverno policy {message}")))?;
                if let Some(why) = &policy.refused {
                    return Err(invalid(format!(
                        "Kyverno policy {} is invalid (Kyverno refuses it): {why}",
                        policy.qualified_name()
                    )));
                }
                for (rule, what) in policy.unsupported_rules() {
                    eprintln!(
                        "charter: {name}: Kyverno policy {} rule {rule}: {what} is not evaluated offline",
                        policy.qualified_name()
                    );
                }
                loaded.policies.push(policy);
            }
        }
        Ok(loaded)
    }
}

/// How each policy rule runs: its severity, or `None` when it is off.
pub type SeverityOf<'a> = &'a (dyn Fn(&'static RuleMeta) -> Option<Severity> + Sync);

/// A policy with the metadata of its rules' findings.
struct Bound<'a> {
    policy: &'a Policy,
    /// `(Enforce, Audit)` metadata of each rule, by rule name.
    metas: HashMap<&'a str, [&'static RuleMeta; 2]>,
}

/// Applies the set's and the directories' Kyverno policies to the set.
pub fn evaluate(
    set: &ResourceSet<'_>,
    directories: Option<&KyvernoPolicies>,
    severity_of: SeverityOf<'_>,
) -> Vec<Finding> {
    let in_set = set_policies(set);
    let policies: Vec<Bound<'_>> = in_set
        .iter()
        .map(|(_, _, policy)| policy)
        .chain(directories.map_or(&[][..], |d| d.policies.as_slice()))
        .map(bind)
        .collect();
    if policies.is_empty() {
        return Vec::new();
    }
    let namespaces: HashMap<&str, Map<String, Value>> = set
        .resources
        .iter()
        .filter(|resource| resource.is("", "Namespace"))
        .map(|resource| {
            let labels = resource
                .get("/metadata/labels")
                .map(|labels| labels.to_json())
                .and_then(|labels| match labels {
                    Value::Object(map) => Some(map),
                    _ => None,
                })
                .unwrap_or_default();
            (resource.name.as_str(), labels)
        })
        .collect();
    let config_maps: HashMap<(&str, &str), &Resource> = set
        .resources
        .iter()
        .filter(|resource| resource.is("", "ConfigMap"))
        .map(|resource| {
            let namespace = resource.namespace.as_deref().unwrap_or("default");
            ((namespace, resource.name.as_str()), resource)
        })
        .collect();
    let config_map = |namespace: &str, name: &str| {
        config_maps
            .get(&(namespace, name))
            .map(|resource| resource.object.to_json())
    };
    let judge = |resource: &Resource| -> Vec<Finding> {
        if !set.reported(resource) || resource.group() == "kyverno.io" {
            return Vec::new();
        }
        let object = resource.object.to_json();
        let environment = Environment {
            operation: "CREATE",
            namespace_labels: resource
                .namespace
                .as_deref()
                .and_then(|namespace| namespaces.get(namespace)),
            values: &[],
            rule_values: None,
            config_map: Some(&config_map),
        };
        let subject = Subject::new(&object, &environment);
        let mut found = Vec::new();
        for bound in &policies {
            for evaluation in apply(bound.policy, &subject) {
                let Some(metas) = bound.metas.get(evaluation.rule.as_str()) else {
                    continue;
                };
                let Some(rule) = bound.policy.rules.get(evaluation.index) else {
                    continue;
                };
                let action = bound.policy.action_for(rule, resource.namespace.as_deref());
                let (meta, message) = match evaluation.status {
                    Status::Fail => (
                        metas[usize::from(action == Action::Audit)],
                        evaluation.message,
                    ),
                    Status::Error => (
                        &RULE_ERRED,
                        format!(
                            "rule {} of Kyverno policy {} erred on {}: {}",
                            evaluation.rule,
                            bound.policy.qualified_name(),
                            resource.display(),
                            evaluation.message
                        ),
                    ),
                    // Said once per rule (KYV-010), not per resource.
                    Status::Pass | Status::Skip | Status::Unsupported => continue,
                };
                let Some(severity) = severity_of(meta) else {
                    continue;
                };
                let message = crate::policy::mask_secrets(&message, resource);
                let mut emitter = Emitter::new(meta, severity, &mut found);
                let finding = emitter.report(resource, &evaluation.pointer, message);
                finding.hint = Cow::Borrowed(meta.fix);
            }
        }
        found
    };
    let mut findings: Vec<Finding> = match set.resources.len() < crate::engine::SEQUENTIAL_BELOW {
        true => set.resources.iter().flat_map(judge).collect(),
        false => set.resources.par_iter().flat_map_iter(judge).collect(),
    };
    findings.extend(not_evaluated(set, &in_set, severity_of));
    findings
}

/// The set's Kyverno policies, each with its resource and JSON. A policy
/// that does not read, or that Kyverno refuses, enforces nothing and is
/// left out: the KYV structure rules say why.
fn set_policies<'s>(set: &ResourceSet<'s>) -> Vec<(&'s Resource, Value, Policy)> {
    set.resources
        .iter()
        .filter(|resource| resource.group() == "kyverno.io")
        .filter_map(|resource| {
            let object = resource.object.to_json();
            let policy = is_policy(&object)
                .then(|| Policy::read(&object).ok())
                .flatten()
                .filter(|policy| policy.refused.is_none())?;
            Some((resource, object, policy))
        })
        .collect()
}

/// KYV-010 on each rule of the set's policies that charter cannot
/// evaluate offline, once.
fn not_evaluated(
    set: &ResourceSet<'_>,
    policies: &[(&Resource, Value, Policy)],
    severity_of: SeverityOf<'_>,
) -> Vec<Finding> {
    let Some(severity) = severity_of(&RULE_NOT_EVALUATED) else {
        return Vec::new();
    };
    let mut findings = Vec::new();
    for (resource, object, policy) in policies {
        if !set.reported(resource) {
            continue;
        }
        for (rule, what) in policy.unsupported_rules() {
            let pointer = rule_pointer(object, &rule);
            let mut emitter = Emitter::new(&RULE_NOT_EVALUATED, severity, &mut findings);
            emitter.report(
                resource,
                &pointer,
                format!(
                    "rule {rule} of Kyverno policy {}: charter does not evaluate {what} offline; \
                     Kyverno will judge it in the cluster",
                    policy.qualified_name()
                ),
            );
        }
    }
    findings
}

/// Where a rule is written: `/spec/rules/N`, or the policy's rules for an
/// autogenerated one.
fn rule_pointer(object: &Value, name: &str) -> String {
    let written = name
        .strip_prefix("autogen-cronjob-")
        .or_else(|| name.strip_prefix("autogen-"))
        .unwrap_or(name);
    object
        .pointer("/spec/rules")
        .and_then(Value::as_array)
        .and_then(|rules| {
            rules.iter().position(|rule| {
                let own = rule.get("name").and_then(Value::as_str);
                own == Some(name) || own == Some(written)
            })
        })
        .map_or_else(
            || "/spec/rules".to_owned(),
            |index| format!("/spec/rules/{index}"),
        )
}

/// The finding metadata of each rule of a policy, for either action.
fn bind(policy: &Policy) -> Bound<'_> {
    let qualified = policy.qualified_name();
    let metas = policy
        .rules
        .iter()
        .map(|rule| {
            let make = |severity: Severity| {
                policy_meta(PolicyRule {
                    id: format!("KYV-{qualified}/{}", rule.name),
                    severity,
                    title: format!(
                        "Kyverno policy {qualified} rule {} refuses the resource",
                        rule.name
                    ),
                    fix: format!(
                        "Change the resource to satisfy rule {} of Kyverno policy {qualified} \
                         (the message says what it wants), or narrow the rule's match/exclude.",
                        rule.name
                    ),
                })
            };
            (
                rule.name.as_str(),
                [make(Severity::Error), make(Severity::Warning)],
            )
        })
        .collect();
    Bound { policy, metas }
}
