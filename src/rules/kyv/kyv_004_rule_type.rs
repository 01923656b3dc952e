//! KYV-004: a Kyverno rule that does not do exactly one thing.

use super::{is_policy, policy_rules, rule_label, shipped};
use crate::engine::{Context, Emitter};
use crate::rules::Example::Manifest;
use crate::rules::{Principle, ResourceCheck, Rule, RuleMeta, Severity};

pub static META: RuleMeta = RuleMeta {
    id: "KYV-004",
    severity: Severity::Error,
    principle: Principle::SecurityByDesign,
    title: "Kyverno rule without exactly one of validate, mutate, generate, verifyImages",
    rationale: "Each Kyverno rule is one of four kinds of work. A rule with none does nothing; \
                a rule with two is rejected by Kyverno (and, if it were not, nobody could tell \
                which one failed). The kinds are listed in `rules/kyverno.yaml`.",
    fix: "Keep one of `validate`, `mutate`, `generate`, `verifyImages` per rule; split the rest \
          into rules of their own.",
    failing_example: Manifest(
        "\
apiVersion: kyverno.io/v1
kind: ClusterPolicy
metadata:
  name: add-default-labels
spec:
  rules:
    - name: add-team-label
      match:
        any:
          - resources: {kinds: [Deployment]}
",
    ),
    passing_example: Manifest(
        "\
apiVersion: kyverno.io/v1
kind: ClusterPolicy
metadata:
  name: add-default-labels
spec:
  rules:
    - name: add-team-label
      match:
        any:
          - resources: {kinds: [Deployment]}
      mutate:
        patchStrategicMerge:
          metadata:
            labels:
              +(team): platform
",
    ),
};

pub fn rule() -> Rule {
    Rule::resource(&META, RuleType)
}

struct RuleType;

impl ResourceCheck for RuleType {
    fn check(&self, context: &Context<'_>, out: &mut Emitter<'_>) {
        let resource = context.resource;
        if !is_policy(resource) {
            return;
        }
        let types = &shipped().rule_types;
        for (pointer, rule) in policy_rules(resource) {
            let present: Vec<&str> = types
                .iter()
                .filter(|kind| rule.get(kind).is_some())
                .map(String::as_str)
                .collect();
            let label = rule_label(rule, &pointer);
            match present.as_slice() {
                [_] => {}
                [] => {
                    out.report(
                        resource,
                        &pointer,
                        format!(
                            "{label} of {} does nothing: it has none of {}",
                            resource.display(),
                            types.join(", ")
                        ),
                    );
                }
                [_, second, ..] => {
                    out.report(
                        resource,
                        &format!("{pointer}/{second}"),
                        format!(
                            "{label} of {} does several things ({}); a rule does one",
                            resource.display(),
                            present.join(", ")
                        ),
                    );
                }
            }
        }
    }
}
