//! KYV-003: a Kyverno rule whose `match` names no kinds.

use super::{is_policy, policy_rules, rule_label};
use crate::engine::{Context, Emitter};
use crate::rules::Example::Manifest;
use crate::rules::{Principle, ResourceCheck, Rule, RuleMeta, Severity};
use crate::yaml::Node;

pub static META: RuleMeta = RuleMeta {
    id: "KYV-003",
    severity: Severity::Error,
    principle: Principle::SecurityByDesign,
    title: "Kyverno rule whose `match` names no kinds",
    rationale: "A rule applies to the resources its `match` selects: `match.any[]` or \
                `match.all[]` entries, or the older `match.resources`, each naming `kinds`. \
                Without `match`, or with filters that name no kind, Kyverno rejects the policy \
                or the rule never runs, and the platform believes it is protected.",
    fix: "Add `match: {any: [{resources: {kinds: [Pod]}}]}` (or the kinds the rule is about).",
    failing_example: Manifest(
        "\
apiVersion: kyverno.io/v1
kind: ClusterPolicy
metadata:
  name: disallow-latest-tag
spec:
  validationFailureAction: Enforce
  rules:
    - name: require-image-tag
      match:
        any:
          - resources: {namespaces: [ai-backend]}
      validate:
        message: An image tag is required.
        pattern:
          spec:
            containers:
              - image: \"*:*\"
",
    ),
    passing_example: Manifest(
        "\
apiVersion: kyverno.io/v1
kind: ClusterPolicy
metadata:
  name: disallow-latest-tag
spec:
  validationFailureAction: Enforce
  rules:
    - name: require-image-tag
      match:
        any:
          - resources: {kinds: [Pod], namespaces: [ai-backend]}
      validate:
        message: An image tag is required.
        pattern:
          spec:
            containers:
              - image: \"*:*\"
",
    ),
};

pub fn rule() -> Rule {
    Rule::resource(&META, RuleWithoutMatch)
}

struct RuleWithoutMatch;

/// Whether a `match` (or one of its `any`/`all` filters) names kinds.
fn names_kinds(filter: &Node) -> bool {
    let kinds = |resources: Option<&Node>| {
        resources
            .and_then(|resources| resources.get("kinds"))
            .and_then(Node::items)
            .is_some_and(|kinds| kinds.iter().any(|kind| kind.as_str().is_some()))
    };
    let listed = |key: &str| {
        filter
            .get(key)
            .and_then(Node::items)
            .is_some_and(|filters| {
                !filters.is_empty() && filters.iter().all(|f| kinds(f.get("resources")))
            })
    };
    kinds(filter.get("resources")) || listed("any") || listed("all")
}

impl ResourceCheck for RuleWithoutMatch {
    fn check(&self, context: &Context<'_>, out: &mut Emitter<'_>) {
        let resource = context.resource;
        if !is_policy(resource) {
            return;
        }
        for (pointer, rule) in policy_rules(resource) {
            let label = rule_label(rule, &pointer);
            match rule.get("match") {
                None => {
                    out.report(
                        resource,
                        &pointer,
                        format!(
                            "{label} of {} has no `match`: it applies to nothing",
                            resource.display()
                        ),
                    );
                }
                Some(filter) if !names_kinds(filter) => {
                    out.report(
                        resource,
                        &format!("{pointer}/match"),
                        format!(
                            "the `match` of {label} of {} names no kinds in every filter",
                            resource.display()
                        ),
                    );
                }
                Some(_) => {}
            }
        }
    }
}
