//! KYV-002: a Kyverno rule without a name, or with a name its policy
//! already uses.

use super::{is_policy, policy_rules};
use crate::engine::{Context, Emitter};
use crate::rules::Example::Manifest;
use crate::rules::{Principle, ResourceCheck, Rule, RuleMeta, Severity};
use crate::yaml::Node;

pub static META: RuleMeta = RuleMeta {
    id: "KYV-002",
    severity: Severity::Error,
    principle: Principle::OperationalExcellence,
    title: "Kyverno rule without a name, or with a repeated name",
    rationale: "Kyverno reports, policy reports and exceptions (`PolicyException`) name rules \
                by `name`. A rule without one is rejected by the admission webhook; two rules of \
                one policy with the same name make reports ambiguous and exceptions apply to the \
                wrong rule.",
    fix: "Give every rule a name, unique within its policy, that says what it checks.",
    failing_example: Manifest(
        "\
apiVersion: kyverno.io/v1
kind: ClusterPolicy
metadata:
  name: require-requests-limits
spec:
  validationFailureAction: Enforce
  rules:
    - name: validate-resources
      match:
        any:
          - resources: {kinds: [Pod]}
      validate:
        message: CPU and memory requests are required.
        pattern:
          spec:
            containers:
              - resources:
                  requests: {memory: \"?*\", cpu: \"?*\"}
    - name: validate-resources
      match:
        any:
          - resources: {kinds: [Pod]}
      validate:
        message: A memory limit is required.
        pattern:
          spec:
            containers:
              - resources:
                  limits: {memory: \"?*\"}
",
    ),
    passing_example: Manifest(
        "\
apiVersion: kyverno.io/v1
kind: ClusterPolicy
metadata:
  name: require-requests-limits
spec:
  validationFailureAction: Enforce
  rules:
    - name: validate-requests
      match:
        any:
          - resources: {kinds: [Pod]}
      validate:
        message: CPU and memory requests are required.
        pattern:
          spec:
            containers:
              - resources:
                  requests: {memory: \"?*\", cpu: \"?*\"}
    - name: validate-memory-limit
      match:
        any:
          - resources: {kinds: [Pod]}
      validate:
        message: A memory limit is required.
        pattern:
          spec:
            containers:
              - resources:
                  limits: {memory: \"?*\"}
",
    ),
};

pub fn rule() -> Rule {
    Rule::resource(&META, RuleName)
}

struct RuleName;

impl ResourceCheck for RuleName {
    fn check(&self, context: &Context<'_>, out: &mut Emitter<'_>) {
        let resource = context.resource;
        if !is_policy(resource) {
            return;
        }
        let mut seen: Vec<(&str, String)> = Vec::new();
        for (pointer, rule) in policy_rules(resource) {
            let name = rule
                .get("name")
                .and_then(Node::as_str)
                .filter(|name| !name.trim().is_empty());
            let Some(name) = name else {
                out.report(
                    resource,
                    &pointer,
                    format!(
                        "the rule at `{pointer}` of {} has no name",
                        resource.display()
                    ),
                );
                continue;
            };
            match seen.iter().find(|(earlier, _)| *earlier == name) {
                Some((_, first)) => {
                    let line = resource.mark_of(first).line;
                    out.report(
                        resource,
                        &format!("{pointer}/name"),
                        format!(
                            "{} has two rules named `{name}` (the first at line {line})",
                            resource.display()
                        ),
                    );
                }
                None => seen.push((name, format!("{pointer}/name"))),
            }
        }
    }
}
