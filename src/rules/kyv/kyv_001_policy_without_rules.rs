//! KYV-001: a Kyverno policy with no rules.

use super::is_policy;
use crate::engine::{Context, Emitter};
use crate::rules::Example::Manifest;
use crate::rules::{Principle, ResourceCheck, Rule, RuleMeta, Severity};
use crate::yaml::Node;

pub static META: RuleMeta = RuleMeta {
    id: "KYV-001",
    severity: Severity::Error,
    principle: Principle::SecurityByDesign,
    title: "Kyverno policy without rules",
    rationale: "A Kyverno `Policy` or `ClusterPolicy` does its work through `spec.rules`. \
                Without rules (or with an empty list) it is admitted by the API server, shows up \
                as Ready, and checks nothing: a guard that is only a name.",
    fix: "Add the rules the policy is named for under `spec.rules`, or delete the policy.",
    failing_example: Manifest(
        "\
apiVersion: kyverno.io/v1
kind: ClusterPolicy
metadata:
  name: disallow-privileged-containers
spec:
  validationFailureAction: Enforce
  rules: []
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
            =(initContainers):
              - =(securityContext):
                  =(privileged): \"false\"
            containers:
              - =(securityContext):
                  =(privileged): \"false\"
",
    ),
};

pub fn rule() -> Rule {
    Rule::resource(&META, PolicyWithoutRules)
}

struct PolicyWithoutRules;

impl ResourceCheck for PolicyWithoutRules {
    fn check(&self, context: &Context<'_>, out: &mut Emitter<'_>) {
        let resource = context.resource;
        if !is_policy(resource) {
            return;
        }
        let rules = resource.get("/spec/rules");
        if rules
            .and_then(Node::items)
            .is_some_and(|items| !items.is_empty())
        {
            return;
        }
        let pointer = match rules {
            Some(_) => "/spec/rules",
            None if resource.get("/spec").is_some() => "/spec",
            None => "",
        };
        out.report(
            resource,
            pointer,
            format!("{} has no rules: it checks nothing", resource.display()),
        );
    }
}
