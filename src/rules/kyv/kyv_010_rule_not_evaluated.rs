//! KYV-010: a Kyverno rule charter cannot evaluate offline (reported by the
//! Kyverno evaluator, `src/kyverno/findings.rs`, once per rule).

use crate::rules::Example::Manifest;
use crate::rules::{Principle, Rule, RuleMeta, Severity};

pub static META: RuleMeta = RuleMeta {
    id: "KYV-010",
    severity: Severity::Info,
    principle: Principle::SecurityByDesign,
    title: "A Kyverno rule is not evaluated before it reaches the cluster",
    rationale: "charter evaluates Kyverno's validate rules written with pattern, anyPattern, \
                deny and foreach. A podSecurity, CEL, assert or manifests validation, a \
                verifyImages rule, or a rule whose context calls the API server or a registry \
                needs the cluster: charter says so once instead of passing it silently, and \
                Kyverno judges it at admission.",
    fix: "Nothing to fix in the policy. To check the rule before commit, write it with pattern \
          or deny, or give the context entry's value in a `charter test` values file.",
    failing_example: Manifest(
        "\
apiVersion: kyverno.io/v1
kind: ClusterPolicy
metadata:
  name: psa-baseline
spec:
  validationFailureAction: Enforce
  rules:
    - name: baseline
      match:
        any:
          - resources: {kinds: [Pod]}
      validate:
        podSecurity:
          level: baseline
          version: latest
",
    ),
    passing_example: Manifest(
        "\
apiVersion: kyverno.io/v1
kind: ClusterPolicy
metadata:
  name: disallow-host-network
spec:
  validationFailureAction: Enforce
  rules:
    - name: host-network
      match:
        any:
          - resources: {kinds: [Pod]}
      validate:
        message: Host networking is not allowed.
        pattern:
          spec:
            =(hostNetwork): false
",
    ),
};

pub fn rule() -> Rule {
    Rule::engine(&META)
}
