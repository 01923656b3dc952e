//! KYV-007: a policy that enforces the constitution only audits.

use globset::GlobMatcher;

use super::{is_policy, policy_rules, rule_label, shipped};
use crate::engine::{Context, Emitter};
use crate::rules::Example::Manifest;
use crate::rules::{Parameters, Principle, ResourceCheck, Rule, RuleMeta, Severity};
use crate::suppress::glob;
use crate::yaml::Node;

pub static META: RuleMeta = RuleMeta {
    id: "KYV-007",
    severity: Severity::Error,
    principle: Principle::SecurityByDesign,
    title: "Constitution policy in Audit mode",
    rationale: "In Audit mode Kyverno admits every resource and writes a report nobody is \
                paged by; only Enforce refuses. Audit is Kyverno's default when \
                `validationFailureAction` (or, since Kyverno 1.13, a rule's \
                `validate.failureAction`) is not written. The policies that carry the \
                constitution (`enforced` in `rules/kyverno.yaml`: privileged containers, limits, \
                `latest` tags, non-root, hostPath, plaintext Secrets) must enforce.",
    fix: "Set `spec.validationFailureAction: Enforce` (or `failureAction: Enforce` on each \
          validate rule); audit new policies under another name first.",
    failing_example: Manifest(
        "\
apiVersion: kyverno.io/v1
kind: ClusterPolicy
metadata:
  name: disallow-privileged-containers
spec:
  rules:
    - name: privileged-containers
      match:
        any:
          - resources: {kinds: [Pod]}
      validate:
        message: Privileged containers are not allowed.
        pattern:
          spec:
            containers:
              - =(securityContext):
                  =(privileged): \"false\"
",
    ),
    passing_example: Manifest(
        "\
apiVersion: kyverno.io/v1
kind: ClusterPolicy
metadata:
  name: disallow-privileged-containers
spec:
  validationFailureAction: Enforce
  rules:
    - name: privileged-containers
      match:
        any:
          - resources: {kinds: [Pod]}
      validate:
        message: Privileged containers are not allowed.
        pattern:
          spec:
            containers:
              - =(securityContext):
                  =(privileged): \"false\"
",
    ),
};

pub fn rule() -> Rule {
    Rule::resource(
        &META,
        AuditMode::new(&shipped().enforced)
            .unwrap_or_else(|error| panic!("rules/kyverno.yaml: enforced: {error}")),
    )
}

struct AuditMode {
    enforced: Vec<GlobMatcher>,
}

impl AuditMode {
    fn new(patterns: &[String]) -> Result<Self, String> {
        let enforced = patterns
            .iter()
            .map(|pattern| glob(pattern, false))
            .collect::<Result<_, _>>()?;
        Ok(AuditMode { enforced })
    }
}

fn is_enforce(node: Option<&Node>) -> Option<bool> {
    node.and_then(Node::as_str)
        .map(|mode| mode.eq_ignore_ascii_case("enforce"))
}

impl ResourceCheck for AuditMode {
    fn configure(&mut self, params: &Parameters) -> Result<(), String> {
        for (key, value) in params {
            match key.as_str() {
                "enforced" => {
                    let list: Vec<String> = serde_json::from_value(value.clone())
                        .map_err(|_| "`enforced` must be a list of policy name globs".to_owned())?;
                    *self = AuditMode::new(&list)?;
                }
                other => return Err(format!("has no parameter `{other}` (known: enforced)")),
            }
        }
        Ok(())
    }

    fn family_parameters(&self) -> &'static [&'static str] {
        &["enforced"]
    }

    fn check(&self, context: &Context<'_>, out: &mut Emitter<'_>) {
        let resource = context.resource;
        if !is_policy(resource) || !self.enforced.iter().any(|g| g.is_match(&resource.name)) {
            return;
        }
        let policy_mode = is_enforce(resource.get("/spec/validationFailureAction"));
        for (pointer, rule) in policy_rules(resource) {
            let Some(validate) = rule.get("validate") else {
                continue;
            };
            let rule_mode = is_enforce(validate.get("failureAction"));
            let (enforce, at) = match (rule_mode, policy_mode) {
                (Some(mode), _) => (mode, format!("{pointer}/validate/failureAction")),
                (None, Some(mode)) => (mode, "/spec/validationFailureAction".to_owned()),
                (None, None) => (false, "/spec".to_owned()),
            };
            if enforce {
                continue;
            }
            let how = match (rule_mode, policy_mode) {
                (None, None) => "no failure action is written, and Kyverno's default is Audit",
                _ => "its failure action is Audit",
            };
            out.report(
                resource,
                &at,
                format!(
                    "{} enforces the constitution, but {} only audits: {how}",
                    resource.display(),
                    rule_label(rule, &pointer)
                ),
            );
        }
    }
}
