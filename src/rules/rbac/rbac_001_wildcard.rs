//! RBAC-001: a Role or ClusterRole grants `*`.

use std::borrow::Cow;

use super::is_role;
use crate::engine::{Context, Emitter};
use crate::rules::Example::Manifest;
use crate::rules::{Principle, ResourceCheck, Rule, RuleMeta, Severity};
use crate::yaml::Node;

pub static META: RuleMeta = RuleMeta {
    id: "RBAC-001",
    severity: Severity::Error,
    principle: Principle::SecurityByDesign,
    title: "Role grants a wildcard (`*`) verb, resource or API group",
    rationale: "`*` in a rule's `verbs`, `resources` or `apiGroups` grants everything there is, \
                including what is added later: every CRD a chart installs (SealedSecrets, \
                ArgoCD Applications, Kyverno policies), `escalate` and `bind` to grant oneself \
                more, `impersonate`. Least privilege means listing what the account uses.",
    fix: "List the verbs (`get`, `list`, `watch`...), resources and API groups the account \
          really uses instead of `*`.",
    failing_example: Manifest(
        "\
apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRole
metadata:
  name: n8n
rules:
  - apiGroups: ['*']
    resources: ['*']
    verbs: ['*']
",
    ),
    passing_example: Manifest(
        "\
apiVersion: rbac.authorization.k8s.io/v1
kind: Role
metadata:
  name: n8n
  namespace: ai-frontend
rules:
  - apiGroups: ['']
    resources: [configmaps]
    verbs: [get, list, watch]
",
    ),
};

pub fn rule() -> Rule {
    Rule::resource(&META, Wildcard)
}

struct Wildcard;

impl ResourceCheck for Wildcard {
    fn check(&self, context: &Context<'_>, out: &mut Emitter<'_>) {
        let resource = context.resource;
        if !is_role(resource) {
            return;
        }
        let rules = resource.get("/rules").and_then(Node::items);
        for (index, rule) in rules.into_iter().flatten().enumerate() {
            for field in ["apiGroups", "resources", "verbs"] {
                let items = rule.get(field).and_then(Node::items);
                for (item, value) in items.into_iter().flatten().enumerate() {
                    if value.as_str() != Some("*") {
                        continue;
                    }
                    let message = format!(
                        "{} rule {index} grants `*` in `{field}`: every present and future \
                         {} is allowed",
                        resource.display(),
                        match field {
                            "apiGroups" => "API group",
                            "resources" => "resource",
                            _ => "verb, `escalate` and `impersonate` included,",
                        }
                    );
                    out.report(resource, &format!("/rules/{index}/{field}/{item}"), message)
                        .hint = Cow::Owned(format!(
                        "Replace `*` in `rules[{index}].{field}` with the {field} the account \
                         really uses."
                    ));
                }
            }
        }
    }
}
