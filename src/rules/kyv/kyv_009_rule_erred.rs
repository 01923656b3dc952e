//! KYV-009: a Kyverno rule errs on a resource (reported by the Kyverno
//! evaluator, `src/kyverno/findings.rs`).

use crate::rules::Example::Manifest;
use crate::rules::{Principle, Rule, RuleMeta, Severity};

pub static META: RuleMeta = RuleMeta {
    id: "KYV-009",
    severity: Severity::Error,
    principle: Principle::SecurityByDesign,
    title: "A Kyverno rule errs on a resource instead of judging it",
    rationale: "Kyverno reports a rule that cannot be evaluated (a variable that does not resolve, \
                an unknown operator, a context entry that does not load) as an error, and an \
                Enforce policy then refuses the request whatever the resource says; an Audit \
                policy reports nothing useful. Either way the rule does not do its job.",
    fix: "Fix the rule named in the message (guard variables with a default, e.g. \
          `{{ request.object.metadata.labels.team || '' }}`, or a precondition), or correct the \
          resource if the rule is right to expect the field.",
    failing_example: Manifest(
        "\
apiVersion: kyverno.io/v1
kind: ClusterPolicy
metadata:
  name: require-team
spec:
  validationFailureAction: Enforce
  rules:
    - name: team-label
      match:
        any:
          - resources: {kinds: [ConfigMap]}
      validate:
        message: ConfigMaps need a team.
        deny:
          conditions:
            any:
              - key: \"{{ request.object.metadata.labels.team }}\"
                operator: Equals
                value: \"\"
---
apiVersion: v1
kind: ConfigMap
metadata:
  name: settings
  namespace: ai-backend
data: {mode: local}
",
    ),
    passing_example: Manifest(
        "\
apiVersion: kyverno.io/v1
kind: ClusterPolicy
metadata:
  name: require-team
spec:
  validationFailureAction: Enforce
  rules:
    - name: team-label
      match:
        any:
          - resources: {kinds: [ConfigMap]}
      validate:
        message: ConfigMaps need a team.
        deny:
          conditions:
            any:
              - key: \"{{ request.object.metadata.labels.team || '' }}\"
                operator: Equals
                value: \"\"
---
apiVersion: v1
kind: ConfigMap
metadata:
  name: settings
  namespace: ai-backend
  labels: {team: inference}
data: {mode: local}
",
    ),
};

pub fn rule() -> Rule {
    Rule::engine(&META)
}
