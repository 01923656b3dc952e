//! POD-010: a workload gets an API token it has no use for.

use std::borrow::Cow;

use super::hardened;
use crate::engine::{Emitter, ResourceSet};
use crate::resource::Resource;
use crate::rules::Example::Manifest;
use crate::rules::hardening::{HardeningData, configure, partial_note, set_severity, shipped};
use crate::rules::{Parameters, Principle, Rule, RuleMeta, SetCheck, Severity};
use crate::yaml::Node;

pub static META: RuleMeta = RuleMeta {
    id: "POD-010",
    severity: Severity::Warning,
    principle: Principle::SecurityByDesign,
    title: "Service account token mounted in a workload that has no API permissions",
    rationale: "Kubernetes mounts a token for the pod's ServiceAccount into every container \
                unless told not to. When no RoleBinding or ClusterRoleBinding in the manifests \
                names that ServiceAccount, the workload has no business with the API server, \
                and the token only helps whoever breaks into the pod to explore the cluster. \
                The token is off when the pod spec sets `automountServiceAccountToken: false`, \
                or its ServiceAccount does and the pod does not override it. A binding may live \
                in a file that was not checked, so on a partial set (single files, as a \
                pre-commit hook passes them) the finding is only `info` (`partialSetSeverity`).",
    fix: "Set `automountServiceAccountToken: false` in the pod spec (or on the ServiceAccount).",
    failing_example: Manifest(
        "\
apiVersion: apps/v1
kind: Deployment
metadata:
  name: searxng
  namespace: searxng
spec:
  template:
    spec:
      containers:
        - name: searxng
          image: registry.homelab.lan/search:1.0
",
    ),
    passing_example: Manifest(hardened!()),
};

pub fn rule() -> Rule {
    Rule::set(
        &META,
        ServiceAccountToken {
            data: shipped().clone(),
        },
    )
}

struct ServiceAccountToken {
    data: HardeningData,
}

const KEYS: &[&str] = &["partialSetSeverity"];

/// The ServiceAccounts (namespace, name) that bindings of the set name.
fn bound_accounts(resources: &[Resource]) -> Vec<(Option<&str>, &str)> {
    let mut bound = Vec::new();
    for binding in resources.iter().filter(|resource| {
        resource.is("rbac.authorization.k8s.io", "RoleBinding")
            || resource.is("rbac.authorization.k8s.io", "ClusterRoleBinding")
    }) {
        let subjects = binding.get("/subjects").and_then(Node::items);
        for subject in subjects.into_iter().flatten() {
            if subject.get("kind").and_then(Node::as_str) != Some("ServiceAccount") {
                continue;
            }
            let Some(name) = subject.get("name").and_then(Node::as_str) else {
                continue;
            };
            let namespace = subject
                .get("namespace")
                .and_then(Node::as_str)
                .or(binding.namespace.as_deref());
            bound.push((namespace, name));
        }
    }
    bound
}

impl SetCheck for ServiceAccountToken {
    fn configure(&mut self, params: &Parameters) -> Result<(), String> {
        configure(&mut self.data, params, KEYS)
    }

    fn family_parameters(&self) -> &'static [&'static str] {
        KEYS
    }

    fn check(&self, set: &ResourceSet<'_>, out: &mut Emitter<'_>) {
        let severity = set_severity(set, out.severity(), self.data.partial_set_severity);
        let bound = bound_accounts(set.resources);
        for resource in set.resources {
            let Some(pod) = resource.pod_template() else {
                continue;
            };
            let account = ["serviceAccountName", "serviceAccount"]
                .into_iter()
                .find_map(|field| pod.spec.get(field).and_then(Node::as_str))
                .filter(|name| !name.is_empty())
                .unwrap_or("default");
            let namespace = resource.namespace.as_deref();
            let declared = set.resources.iter().find(|other| {
                other.is("", "ServiceAccount")
                    && other.name == account
                    && other.namespace.as_deref() == namespace
            });
            let automount = pod
                .spec
                .get("automountServiceAccountToken")
                .and_then(Node::as_bool)
                .or_else(|| {
                    declared?
                        .get("/automountServiceAccountToken")
                        .and_then(Node::as_bool)
                })
                .unwrap_or(true);
            if !automount || bound.contains(&(namespace, account)) {
                continue;
            }
            let message = format!(
                "{} mounts a token of ServiceAccount `{account}`, which no RoleBinding or \
                 ClusterRoleBinding names: the pods have no use for the API, but an intruder \
                 would{}",
                resource.display(),
                partial_note(set)
            );
            let finding = out.report(
                resource,
                &format!("{}/automountServiceAccountToken", pod.spec_pointer()),
                message,
            );
            finding.severity = severity;
            finding.hint =
                Cow::Borrowed("Set in the pod spec:\n\n  automountServiceAccountToken: false");
        }
    }
}
