//! RBAC-002: an account that is not a known controller may read Secrets.

use std::borrow::Cow;

use super::{is_binding, is_role};
use crate::engine::{Emitter, ResourceSet};
use crate::resource::Resource;
use crate::rules::Example::Manifest;
use crate::rules::hardening::{Globs, configure, shipped};
use crate::rules::{Parameters, Principle, Rule, RuleMeta, SetCheck, Severity};
use crate::yaml::Node;

pub static META: RuleMeta = RuleMeta {
    id: "RBAC-002",
    severity: Severity::Warning,
    principle: Principle::SecurityByDesign,
    title: "Account that is not a secret-handling controller may read Secrets",
    rationale: "Every credential of the platform ends up as a Secret once the sealed-secrets \
                controller has decrypted it: database passwords, the LiteLLM master key, API \
                tokens. `get`, `list` or `watch` on `secrets` (or `*`) is therefore access to \
                all of them, and belongs only to the controllers whose job it is. A binding is \
                reported for each subject that is not a ServiceAccount named in \
                `secretReaders` of `rules/hardening.yaml` (sealed-secrets, ArgoCD, Kyverno, \
                cert-manager, Traefik) when the role it binds, a Role or ClusterRole in the \
                manifests or a built-in one listed in `secretReadingClusterRoles` (`admin`, \
                `edit`), grants reading Secrets. Bindings to roles that are not in the \
                manifests are not judged; `cluster-admin` is RBAC-003's.",
    fix: "Remove `secrets` from the role, or narrow it to the Secrets the account needs with \
          `resourceNames`; mount a Secret into the pod instead of reading it through the API. \
          A controller that must read Secrets goes in `secretReaders`, a parameter of this rule.",
    failing_example: Manifest(
        "\
apiVersion: rbac.authorization.k8s.io/v1
kind: Role
metadata:
  name: read-secrets
  namespace: ai-frontend
rules:
  - apiGroups: ['']
    resources: [secrets]
    verbs: [get, list]
---
apiVersion: rbac.authorization.k8s.io/v1
kind: RoleBinding
metadata:
  name: n8n-read-secrets
  namespace: ai-frontend
roleRef:
  apiGroup: rbac.authorization.k8s.io
  kind: Role
  name: read-secrets
subjects:
  - kind: ServiceAccount
    name: n8n
",
    ),
    passing_example: Manifest(
        "\
apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRole
metadata:
  name: secrets-unsealer
rules:
  - apiGroups: ['']
    resources: [secrets]
    verbs: [get, list, watch, create, update]
---
apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRoleBinding
metadata:
  name: sealed-secrets-controller
roleRef:
  apiGroup: rbac.authorization.k8s.io
  kind: ClusterRole
  name: secrets-unsealer
subjects:
  - kind: ServiceAccount
    name: sealed-secrets-controller
    namespace: kube-system
",
    ),
};

pub fn rule() -> Rule {
    let data = shipped();
    Rule::set(
        &META,
        SecretAccess {
            readers: Globs::new(&data.secret_readers)
                .unwrap_or_else(|error| panic!("rules/hardening.yaml: secretReaders: {error}")),
            builtin_roles: data.secret_reading_cluster_roles.clone(),
        },
    )
}

struct SecretAccess {
    readers: Globs,
    builtin_roles: Vec<String>,
}

/// Whether a Role's or ClusterRole's rules let it read Secrets.
fn reads_secrets(role: &Resource) -> bool {
    let rules = role.get("/rules").and_then(Node::items);
    rules.into_iter().flatten().any(|rule| {
        let has = |field: &str, wanted: &[&str]| {
            rule.get(field)
                .and_then(Node::items)
                .into_iter()
                .flatten()
                .filter_map(Node::as_str)
                .any(|value| wanted.contains(&value))
        };
        has("apiGroups", &["", "*"])
            && has("resources", &["secrets", "*"])
            && has("verbs", &["get", "list", "watch", "*"])
    })
}

impl SetCheck for SecretAccess {
    fn configure(&mut self, params: &Parameters) -> Result<(), String> {
        let mut data = shipped().clone();
        data.secret_reading_cluster_roles = self.builtin_roles.clone();
        configure(
            &mut data,
            params,
            &["secretReaders", "secretReadingClusterRoles"],
        )?;
        if params.contains_key("secretReaders") {
            self.readers = Globs::new(&data.secret_readers)
                .map_err(|error| format!("`secretReaders`: {error}"))?;
        }
        self.builtin_roles = data.secret_reading_cluster_roles;
        Ok(())
    }

    fn check(&self, set: &ResourceSet<'_>, out: &mut Emitter<'_>) {
        for binding in set.resources.iter().filter(|r| is_binding(r)) {
            let kind = binding.get("/roleRef/kind").and_then(Node::as_str);
            let Some(name) = binding.get("/roleRef/name").and_then(Node::as_str) else {
                continue;
            };
            let grants = match kind {
                Some("Role") => set.resources.iter().any(|role| {
                    role.is(super::GROUP, "Role")
                        && role.name == name
                        && role.namespace == binding.namespace
                        && reads_secrets(role)
                }),
                Some("ClusterRole") => {
                    self.builtin_roles.iter().any(|builtin| builtin == name)
                        || set.resources.iter().any(|role| {
                            is_role(role)
                                && role.kind == "ClusterRole"
                                && role.name == name
                                && reads_secrets(role)
                        })
                }
                _ => false,
            };
            if !grants {
                continue;
            }
            let subjects = binding.get("/subjects").and_then(Node::items);
            for (index, subject) in subjects.into_iter().flatten().enumerate() {
                let subject_kind = subject.get("kind").and_then(Node::as_str).unwrap_or("?");
                let subject_name = subject.get("name").and_then(Node::as_str).unwrap_or("?");
                if subject_kind == "ServiceAccount" && self.readers.is_match(subject_name) {
                    continue;
                }
                let message = format!(
                    "{} lets {subject_kind} `{subject_name}` read Secrets through {} `{name}`, \
                     and it is not a controller listed in `secretReaders`: every credential in \
                     reach is its",
                    binding.display(),
                    kind.unwrap_or("?")
                );
                out.report(binding, &format!("/subjects/{index}"), message)
                    .hint = Cow::Borrowed(
                    "Take `secrets` out of the bound role (or narrow it with \
                         `resourceNames`) and mount the Secret into the pod instead; if this \
                         is a controller whose job is Secrets, add its ServiceAccount to \
                         `secretReaders` of RBAC-002.",
                );
            }
        }
    }
}
