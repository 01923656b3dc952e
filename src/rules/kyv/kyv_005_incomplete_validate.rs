//! KYV-005: a Kyverno `validate` without a message or without a check.

use super::{is_policy, policy_rules, rule_label, shipped};
use crate::engine::{Context, Emitter};
use crate::rules::Example::Manifest;
use crate::rules::{Principle, ResourceCheck, Rule, RuleMeta, Severity};
use crate::yaml::Node;

pub static META: RuleMeta = RuleMeta {
    id: "KYV-005",
    severity: Severity::Error,
    principle: Principle::DeveloperExperience,
    title: "Kyverno validate rule without a message or without a check",
    rationale: "A `validate` needs what to check (`pattern`, `anyPattern`, `deny`, `foreach`, \
                `podSecurity`, `cel`, ...: `validateForms` in `rules/kyverno.yaml`) and a \
                `message` that tells the person whose deploy was refused what to change (CEL \
                rules carry their messages in their expressions). Without a check the rule \
                passes everything; without a message a refusal explains nothing.",
    fix: "Give the `validate` a `message` that names the fix, and one of the check forms.",
    failing_example: Manifest(
        "\
apiVersion: kyverno.io/v1
kind: ClusterPolicy
metadata:
  name: require-run-as-nonroot
spec:
  validationFailureAction: Enforce
  rules:
    - name: run-as-non-root
      match:
        any:
          - resources: {kinds: [Pod]}
      validate:
        pattern:
          spec:
            securityContext:
              runAsNonRoot: true
",
    ),
    passing_example: Manifest(
        "\
apiVersion: kyverno.io/v1
kind: ClusterPolicy
metadata:
  name: require-run-as-nonroot
spec:
  validationFailureAction: Enforce
  rules:
    - name: run-as-non-root
      match:
        any:
          - resources: {kinds: [Pod]}
      validate:
        message: Set spec.securityContext.runAsNonRoot to true.
        pattern:
          spec:
            securityContext:
              runAsNonRoot: true
",
    ),
};

pub fn rule() -> Rule {
    Rule::resource(&META, IncompleteValidate)
}

struct IncompleteValidate;

impl ResourceCheck for IncompleteValidate {
    fn check(&self, context: &Context<'_>, out: &mut Emitter<'_>) {
        let resource = context.resource;
        if !is_policy(resource) {
            return;
        }
        let forms = &shipped().validate_forms;
        for (pointer, rule) in policy_rules(resource) {
            let Some(validate) = rule.get("validate").filter(|v| v.is_mapping()) else {
                continue;
            };
            let label = rule_label(rule, &pointer);
            let at = format!("{pointer}/validate");
            if !forms.iter().any(|form| validate.get(form).is_some()) {
                out.report(
                    resource,
                    &at,
                    format!(
                        "the `validate` of {label} of {} checks nothing: it has none of {}",
                        resource.display(),
                        forms.join(", ")
                    ),
                );
            }
            let message = validate
                .get("message")
                .and_then(Node::as_str)
                .is_some_and(|message| !message.trim().is_empty());
            if !message && validate.get("cel").is_none() {
                out.report(
                    resource,
                    &at,
                    format!(
                        "the `validate` of {label} of {} has no `message`: a refused deploy would not say what to fix",
                        resource.display()
                    ),
                );
            }
        }
    }
}
