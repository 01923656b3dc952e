//! The `REGO` and `GK` families: what your own Rego policies say.
//!
//! Their rules are not charter's: each `deny`, `violation` and `warn` rule
//! of a Conftest policy is the rule `REGO-<package>.<rule>`, and each
//! Gatekeeper Constraint the rule `GK-<Kind>/<name>`; they are made when
//! the policies are loaded (`src/policy/`). The four rules here are about
//! the policies themselves, reported by the policy evaluator.

use std::collections::HashMap;
use std::sync::Mutex;

use super::Example::Prose;
use super::{Principle, RuleMeta, Severity};

/// Families whose rule ids come from policies, not from charter.
pub const POLICY_FAMILIES: [&str; 2] = ["REGO", "GK"];

/// Whether `id` (any case) names a rule a policy makes: `REGO-main.deny`,
/// `GK-K8sRequiredLabels/owner`, `KYV-disallow-latest-tag/require-tag`, or
/// the families themselves.
pub fn names_policy_rule(id: &str) -> bool {
    let kyverno = id
        .split_once('-')
        .is_some_and(|(prefix, rest)| prefix.eq_ignore_ascii_case("KYV") && rest.contains('/'));
    kyverno
        || POLICY_FAMILIES.iter().any(|family| {
            id.eq_ignore_ascii_case(family)
                || id.split_once('-').is_some_and(|(prefix, rest)| {
                    prefix.eq_ignore_ascii_case(family) && !rest.is_empty()
                })
        })
}

/// What `charter explain` says about a rule a policy makes.
pub const POLICY_RULES_EXPLAINED: &str = "\
A rule of your own policies, not one of charter's: its message is the policy's.

  REGO-<package>.<rule>  a Conftest rule: `deny`, `violation` or `warn` (with an
                         optional `_suffix`) in a package of a --policy directory
                         (package `main`, or those named with --namespace).
                         deny and violation are errors, warn warnings.
  GK-<Kind>/<name>       a Gatekeeper Constraint of a ConstraintTemplate, in a
                         --policy directory or among the checked manifests; its
                         enforcementAction gives the severity: deny error, warn
                         warning, dryrun info.
  KYV-<policy>/<rule>    a validate rule of a Kyverno ClusterPolicy (a namespaced
                         Policy: KYV-<namespace>/<policy>/<rule>), among the
                         checked manifests or in a --kyverno-policies directory;
                         Enforce makes it an error, Audit a warning. Rules
                         Kyverno generates for Pod controllers are named
                         autogen-<rule> and autogen-cronjob-<rule>.

Turn one off or re-grade it in .charter.yaml (`rules: {REGO-main.warn: off}`,
`rules: {GK: warning}`), ignore it on a resource with the annotations
`charter.io/ignore: REGO-main.deny_run_as_root` and `charter.io/ignore-reason`,
or except it in Rego with Conftest's `exception` rule. Test Rego policies with
`charter verify`, Kyverno policies with `charter test`.
";

pub static ALL: [&RuleMeta; 4] = [
    &DOES_NOT_COMPILE,
    &EVALUATION_FAILED,
    &CONSTRAINT_WITHOUT_TEMPLATE,
    &UNSUPPORTED_ENGINE,
];

pub static DOES_NOT_COMPILE: RuleMeta = RuleMeta {
    id: "REGO-001",
    severity: Severity::Error,
    principle: Principle::SecurityByDesign,
    title: "A ConstraintTemplate's Rego does not compile",
    rationale: "Gatekeeper refuses a template whose Rego does not compile, and every Constraint \
                of its kind then enforces nothing: the policy the manifest promises is not there. \
                (Rego in `--policy` directories that does not compile stops the run instead: it \
                is charter's input, not the checked manifests'.)",
    fix: "Fix the Rego at the reported line (the message is the parser's), or check it with \
          `charter verify` before committing.",
    failing_example: Prose(
        "A ConstraintTemplate whose `spec.targets[0].rego` reads `violation[{\"msg\": msg}] { msg := }`.",
    ),
    passing_example: Prose(
        "A ConstraintTemplate whose `violation` rule compiles, e.g. `violation[{\"msg\": msg}] { \
         not input.review.object.metadata.labels.owner; msg := \"owner label missing\" }`.",
    ),
};

pub static EVALUATION_FAILED: RuleMeta = RuleMeta {
    id: "REGO-002",
    severity: Severity::Error,
    principle: Principle::SecurityByDesign,
    title: "A policy failed while judging a resource",
    rationale: "A policy that errors (a built-in function given the wrong type, two values for \
                one complete rule, a verdict without `msg`) gives no verdict: Conftest stops, \
                Gatekeeper fails the request or lets it through depending on its failure policy. \
                charter reports the error on the resource and carries on with the others.",
    fix: "Fix the policy named in the message, or make it robust to the resource's shape \
          (`object.get`, a guard before the call that failed).",
    failing_example: Prose(
        "A Conftest rule `deny contains {\"reason\": \"x\"} if { true }`: its verdict has no `msg`.",
    ),
    passing_example: Prose("`deny contains {\"msg\": \"x\"} if { false }`."),
};

pub static CONSTRAINT_WITHOUT_TEMPLATE: RuleMeta = RuleMeta {
    id: "REGO-003",
    severity: Severity::Error,
    principle: Principle::SecurityByDesign,
    title: "A Gatekeeper Constraint cannot be enforced as written",
    rationale: "A Constraint of a kind no ConstraintTemplate defines is refused by the API \
                server, and one whose `parameters` break its template's schema is refused by \
                Gatekeeper: either way the rule it states is not enforced.",
    fix: "Add the ConstraintTemplate (to the manifests or a `--policy` directory), correct the \
          Constraint's kind, or make its parameters match the template's \
          `spec.crd.spec.validation.openAPIV3Schema`.",
    failing_example: Prose(
        "A `K8sRequiredLabels` Constraint with no ConstraintTemplate `k8srequiredlabels` anywhere.",
    ),
    passing_example: Prose("The same Constraint beside its ConstraintTemplate."),
};

pub static UNSUPPORTED_ENGINE: RuleMeta = RuleMeta {
    id: "REGO-004",
    severity: Severity::Info,
    principle: Principle::SecurityByDesign,
    title: "A ConstraintTemplate has no Rego charter can run",
    rationale: "charter evaluates Rego. A template whose only code is CEL \
                (`engine: K8sNativeValidation`) is not evaluated, and charter says so once \
                instead of passing its Constraints silently.",
    fix: "Nothing to fix in the template; add a Rego `code` entry if the policy should be \
          checked before it reaches the cluster.",
    failing_example: Prose("A template with `code: [{engine: K8sNativeValidation, ...}]` only."),
    passing_example: Prose(
        "A template with `targets[0].rego`, or a `code` entry with `engine: Rego`.",
    ),
};

/// What a policy's rule is, for `charter explain` and reports.
pub struct PolicyRule {
    pub id: String,
    pub severity: Severity,
    pub title: String,
    pub fix: String,
}

/// The metadata of a policy's rule, made once per id and severity and kept
/// for the life of the process (findings hold `&'static RuleMeta`; a server
/// that reloads policies makes each again only when it changed).
pub fn policy_meta(rule: PolicyRule) -> &'static RuleMeta {
    /// Id, severity and title of each rule made.
    type Made = HashMap<(String, Severity, String), &'static RuleMeta>;
    static MADE: Mutex<Option<Made>> = Mutex::new(None);
    let mut made = MADE.lock().unwrap_or_else(|poisoned| poisoned.into_inner());
    let key = (rule.id.clone(), rule.severity, rule.title.clone());
    made.get_or_insert_with(HashMap::new)
        .entry(key)
        .or_insert_with(|| {
            let leak = |text: String| -> &'static str { Box::leak(text.into_boxed_str()) };
            Box::leak(Box::new(RuleMeta {
                id: leak(rule.id),
                severity: rule.severity,
                principle: Principle::SecurityByDesign,
                title: leak(rule.title),
                rationale: "A rule of your own policies (Rego or Kyverno): its text is the policy's.",
                fix: leak(rule.fix),
                failing_example: Prose("A resource the policy denies."),
                passing_example: Prose("A resource the policy allows."),
            }))
        })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn policy_rule_ids_are_recognised_in_any_case() {
        for id in [
            "REGO",
            "rego-main.deny",
            "GK-K8sRequiredLabels/owner",
            "gk",
            "kyv-disallow-latest-tag/autogen-require-tag",
        ] {
            assert!(names_policy_rule(id), "{id}");
        }
        for id in ["REGO-", "REGOX-1", "SEC-001", "GKE", "KYV-001", "KYV"] {
            assert!(!names_policy_rule(id), "{id}");
        }
    }

    #[test]
    fn a_policy_rule_is_made_once() {
        let make = || {
            policy_meta(PolicyRule {
                id: "REGO-main.deny".into(),
                severity: Severity::Error,
                title: "t".into(),
                fix: "f".into(),
            })
        };
        assert!(std::ptr::eq(make(), make()));
        assert_eq!(make().family(), "REGO");
    }
}
