//! SUPP-002: a `charter.io/ignore` annotation naming no existing rule.

use crate::engine::{Context, Emitter};
use crate::rules::Example::Manifest;
use crate::rules::{self, Principle, ResourceCheck, Rule, RuleMeta, Severity};
use crate::suppress::{RulePattern, inline_ignores};

pub static META: RuleMeta = RuleMeta {
    id: "SUPP-002",
    severity: Severity::Warning,
    principle: Principle::OperationalExcellence,
    title: "Inline ignore names no rule",
    rationale: "An ignore that names a rule that does not exist (a typo such as `SEC-01`, or a \
                rule that was renamed) excuses nothing, while readers believe something is \
                excused.",
    fix: "Correct the rule id (see `charter rules`) or remove it from the annotation.",
    failing_example: Manifest(
        "\
apiVersion: v1
kind: ConfigMap
metadata:
  name: settings
  annotations:
    charter.io/ignore: SEC-01
    charter.io/ignore-reason: reviewed
data:
  LOG_LEVEL: info
",
    ),
    passing_example: Manifest(
        "\
apiVersion: v1
kind: ConfigMap
metadata:
  name: settings
  annotations:
    charter.io/ignore: SEC-001
    charter.io/ignore-reason: reviewed
data:
  LOG_LEVEL: info
",
    ),
};

pub fn rule() -> Rule {
    Rule::resource(&META, IgnoreNamesNoRule)
}

struct IgnoreNamesNoRule;

impl ResourceCheck for IgnoreNamesNoRule {
    fn check(&self, context: &Context<'_>, out: &mut Emitter<'_>) {
        let resource = context.resource;
        let ignores = inline_ignores(resource);
        if ignores.is_empty() {
            return;
        }
        let known = rules::catalogue();
        for ignore in &ignores {
            let unknown: Vec<&str> = ignore
                .names
                .iter()
                .copied()
                .filter(|name| {
                    // Policies' rules are not known to one resource's check.
                    !rules::rego::names_policy_rule(name)
                        && !RulePattern::parse(name).is_ok_and(|pattern| pattern.names_any(known))
                })
                .collect();
            if !unknown.is_empty() {
                out.report(
                    resource,
                    &ignore.pointer,
                    format!(
                        "{} ignores {}, which names no rule",
                        resource.display(),
                        unknown.join(", ")
                    ),
                );
            }
        }
    }
}
