//! The `KYV` family: Kyverno policies that hold together and enforce
//! (constitution, article 2: defence in depth). Data in `rules/kyverno.yaml`.
//! KYV-009 and KYV-010 are about evaluating policies: the Kyverno engine
//! (`src/kyverno/`) reports them, and each policy rule it applies is the
//! rule `KYV-<policy>/<rule>`.

mod kyv_001_policy_without_rules;
mod kyv_002_rule_name;
mod kyv_003_rule_without_match;
mod kyv_004_rule_type;
mod kyv_005_incomplete_validate;
mod kyv_006_unbalanced_variables;
mod kyv_007_audit_mode;
mod kyv_008_missing_baseline_policy;
mod kyv_009_rule_erred;
mod kyv_010_rule_not_evaluated;

use std::sync::OnceLock;

use serde::Deserialize;

use super::Rule;

use crate::resource::Resource;
use crate::yaml::Node;
/// Reported by the Kyverno evaluator (`src/kyverno/findings.rs`).
pub use kyv_009_rule_erred::META as RULE_ERRED;
pub use kyv_010_rule_not_evaluated::META as RULE_NOT_EVALUATED;

pub fn rules() -> Vec<Rule> {
    vec![
        kyv_001_policy_without_rules::rule(),
        kyv_002_rule_name::rule(),
        kyv_003_rule_without_match::rule(),
        kyv_004_rule_type::rule(),
        kyv_005_incomplete_validate::rule(),
        kyv_006_unbalanced_variables::rule(),
        kyv_007_audit_mode::rule(),
        kyv_008_missing_baseline_policy::rule(),
        kyv_009_rule_erred::rule(),
        kyv_010_rule_not_evaluated::rule(),
    ]
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
struct KyvernoData {
    policy_kinds: Vec<String>,
    rule_types: Vec<String>,
    validate_forms: Vec<String>,
    enforced: Vec<String>,
    baseline: Vec<Requirement>,
}

/// A policy a platform must have, recognised by name.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
struct Requirement {
    requirement: String,
    names: Vec<String>,
}

fn shipped() -> &'static KyvernoData {
    static DATA: OnceLock<KyvernoData> = OnceLock::new();
    DATA.get_or_init(|| {
        super::shipped_data("kyverno.yaml", include_str!("../../../rules/kyverno.yaml"))
    })
}

/// A Kyverno `Policy` or `ClusterPolicy`.
fn is_policy(resource: &Resource) -> bool {
    resource.group() == "kyverno.io" && shipped().policy_kinds.contains(&resource.kind)
}

/// The policy's rules with their pointers, when `spec.rules` is a list.
fn policy_rules(resource: &Resource) -> impl Iterator<Item = (String, &Node)> {
    resource
        .get("/spec/rules")
        .and_then(Node::items)
        .unwrap_or_default()
        .iter()
        .enumerate()
        .filter(|(_, rule)| rule.is_mapping())
        .map(|(index, rule)| (format!("/spec/rules/{index}"), rule))
}

/// `rule `name`` for messages, or its position when it has no name.
fn rule_label(rule: &Node, pointer: &str) -> String {
    match rule.get("name").and_then(Node::as_str) {
        Some(name) => format!("rule `{name}`"),
        None => format!("the rule at `{pointer}`"),
    }
}
