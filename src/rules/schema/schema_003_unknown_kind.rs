//! SCHEMA-003: a kind charter has no schema for.

use std::collections::HashMap;

use super::Settings;
use crate::engine::{Emitter, ResourceSet};
use crate::rules::Example::Manifest;
use crate::rules::{Parameters, Principle, Rule, RuleMeta, SetCheck, Severity};
use crate::schema::{Crds, Gvk, Lookup};

pub static META: RuleMeta = RuleMeta {
    id: "SCHEMA-003",
    severity: Severity::Warning,
    principle: Principle::InfrastructureAsCode,
    title: "No schema for the kind: its resources are not validated",
    rationale: "A resource whose kind is neither built into Kubernetes 1.31 nor defined by a \
                known CRD cannot be validated, and passing it silently would look like success: \
                the kind may be misspelt, its API version removed (`extensions/v1beta1 \
                Ingress`), or its CRD simply not given to charter. Reported once per kind, at \
                its first resource; `--reject-unknown-kinds` (`rejectUnknownKinds: true`) makes \
                it an error.",
    fix: "Correct the `apiVersion` or `kind`; for a custom resource, put its \
          CustomResourceDefinition among the checked files or in a directory given with \
          --crd-dir (`crdDirs:` in .charter.yaml).",
    failing_example: Manifest(
        "\
apiVersion: networking.k8s.io/v1beta1
kind: Ingress
metadata:
  name: open-webui
  namespace: ai-frontend
spec:
  rules:
    - host: chat.homelab.lan
",
    ),
    passing_example: Manifest(
        "\
apiVersion: networking.k8s.io/v1
kind: Ingress
metadata:
  name: open-webui
  namespace: ai-frontend
spec:
  rules:
    - host: chat.homelab.lan
",
    ),
};

pub fn rule() -> Rule {
    Rule::set(&META, UnknownKind::default())
}

#[derive(Default)]
struct UnknownKind {
    settings: Settings,
}

impl SetCheck for UnknownKind {
    fn configure(&mut self, params: &Parameters) -> Result<(), String> {
        self.settings.configure(params)
    }

    fn complete_on_one_object(&self) -> bool {
        true
    }

    fn check(&self, set: &ResourceSet<'_>, out: &mut Emitter<'_>) {
        let in_set = Crds::of_set(set.resources, set.files);
        let lookup = Lookup {
            set: &in_set,
            configured: &self.settings.crds,
        };
        // Each unknown kind: its first resource and how many there are.
        let mut unknown: HashMap<Gvk, (usize, usize)> = HashMap::new();
        for (position, resource) in set.resources.iter().enumerate() {
            let gvk = Gvk::of(resource);
            if let Some((_, count)) = unknown.get_mut(&gvk) {
                *count += 1;
            } else if !lookup.has(&gvk) {
                unknown.insert(gvk, (position, 1));
            }
        }
        let mut unknown: Vec<_> = unknown.into_iter().collect();
        unknown.sort_by_key(|(_, (position, _))| *position);
        for (gvk, (position, count)) in unknown {
            let resource = &set.resources[position];
            let others = match count {
                1 => String::new(),
                2 => " (nor the other resource of this kind)".to_owned(),
                count => format!(" (nor the {} other resources of this kind)", count - 1),
            };
            let finding = out.report(
                resource,
                "/kind",
                format!(
                    "no schema for {}: not a built-in kind of Kubernetes 1.31 and no known CRD \
                     defines it, so this resource is not validated{others}",
                    gvk.display()
                ),
            );
            if self.settings.reject_unknown_kinds {
                finding.severity = Severity::Error;
            }
        }
    }
}
