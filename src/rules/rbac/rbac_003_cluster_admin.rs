//! RBAC-003: a binding to `cluster-admin`.

use std::borrow::Cow;

use super::is_binding;
use crate::engine::{Context, Emitter};
use crate::rules::Example::Manifest;
use crate::rules::{Principle, ResourceCheck, Rule, RuleMeta, Severity};
use crate::yaml::Node;

pub static META: RuleMeta = RuleMeta {
    id: "RBAC-003",
    severity: Severity::Error,
    principle: Principle::SecurityByDesign,
    title: "Binding to cluster-admin",
    rationale: "`cluster-admin` can do anything to anything: read every SealedSecret's \
                decrypted Secret, change ArgoCD, Kyverno and the NetworkPolicies that keep data \
                local. Whoever holds a token of an account bound to it owns the cluster. \
                Controllers ship their own narrower roles; people use `kubectl` through k3s's \
                admin kubeconfig, not a binding in Git.",
    fix: "Bind a Role or ClusterRole that lists what the subjects need. If one really needs \
          cluster-admin, exempt the binding in `.charter.yaml` with a reason.",
    failing_example: Manifest(
        "\
apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRoleBinding
metadata:
  name: ci-runner-admin
roleRef:
  apiGroup: rbac.authorization.k8s.io
  kind: ClusterRole
  name: cluster-admin
subjects:
  - kind: ServiceAccount
    name: gitlab-runner
    namespace: ci
",
    ),
    passing_example: Manifest(
        "\
apiVersion: rbac.authorization.k8s.io/v1
kind: RoleBinding
metadata:
  name: ci-runner-deployer
  namespace: ai-frontend
roleRef:
  apiGroup: rbac.authorization.k8s.io
  kind: ClusterRole
  name: view
subjects:
  - kind: ServiceAccount
    name: gitlab-runner
    namespace: ci
",
    ),
};

pub fn rule() -> Rule {
    Rule::resource(&META, ClusterAdmin)
}

struct ClusterAdmin;

impl ResourceCheck for ClusterAdmin {
    fn check(&self, context: &Context<'_>, out: &mut Emitter<'_>) {
        let resource = context.resource;
        if !is_binding(resource) {
            return;
        }
        let kind = resource.get("/roleRef/kind").and_then(Node::as_str);
        let name = resource.get("/roleRef/name").and_then(Node::as_str);
        if kind != Some("ClusterRole") || name != Some("cluster-admin") {
            return;
        }
        let scope = match resource.kind.as_str() {
            "ClusterRoleBinding" => "in every namespace",
            _ => "in its namespace",
        };
        let message = format!(
            "{} grants `cluster-admin` {scope}: its subjects can do anything, read every Secret \
             and rewrite every policy",
            resource.display()
        );
        out.report(resource, "/roleRef/name", message).hint = Cow::Borrowed(
            "Bind a Role or ClusterRole listing only the verbs and resources the subjects use.",
        );
    }
}
