//! HELM-002: the same resource (API group, kind, namespace, name) defined
//! twice in the set.

use std::collections::HashMap;

use crate::engine::{Emitter, ResourceSet};
use crate::resource::Resource;
use crate::rules::Example::Manifest;
use crate::rules::{Principle, Rule, RuleMeta, SetCheck, Severity};
use crate::yaml::Node;

pub static META: RuleMeta = RuleMeta {
    id: "HELM-002",
    severity: Severity::Error,
    principle: Principle::InfrastructureAsCode,
    title: "Resource defined twice",
    rationale: "Two manifests for the same object (same API group, kind, namespace and name; \
                the version does not matter, it is the same object) mean that whichever is \
                applied last wins: ArgoCD reports the application as permanently out of sync, \
                `kubectl apply` silently overwrites one with the other, and a review of one \
                copy says nothing about what runs. It usually comes from two charts rendering \
                the same dependency, or a resource copied into a second file and never \
                removed. Namespaces are compared as written. Objects named by \
                `generateName` are not compared.",
    fix: "Keep one definition: delete the copy, disable the duplicate in one chart's values \
          (e.g. `crds.enabled: false`, `serviceAccount.create: false`), or rename one of them.",
    failing_example: Manifest(
        "\
apiVersion: v1
kind: Service
metadata:
  name: ollama
  namespace: ai-backend
spec:
  ports: [{port: 11434}]
---
apiVersion: v1
kind: Service
metadata:
  name: ollama
  namespace: ai-backend
spec:
  ports: [{port: 11435}]
",
    ),
    passing_example: Manifest(
        "\
apiVersion: v1
kind: Service
metadata:
  name: ollama
  namespace: ai-backend
  labels: {app.kubernetes.io/name: ollama, app.kubernetes.io/instance: ollama}
spec:
  ports: [{port: 11434}]
---
apiVersion: v1
kind: Service
metadata:
  name: ollama
  namespace: ai-frontend
  labels: {app.kubernetes.io/name: ollama, app.kubernetes.io/instance: ollama-frontend}
spec:
  ports: [{port: 11434}]
",
    ),
};

pub fn rule() -> Rule {
    Rule::set(&META, Duplicates)
}

struct Duplicates;

impl SetCheck for Duplicates {
    fn check(&self, set: &ResourceSet<'_>, out: &mut Emitter<'_>) {
        let mut first: HashMap<(&str, &str, Option<&str>, &str), &Resource> = HashMap::new();
        for resource in set.resources {
            // Named by the server: no two are the same object.
            let named = resource
                .metadata()
                .and_then(|metadata| metadata.get("name"))
                .and_then(Node::as_str)
                .is_some_and(|name| !name.is_empty());
            if !named {
                continue;
            }
            let key = (
                resource.group(),
                resource.kind.as_str(),
                resource.namespace.as_deref(),
                resource.name.as_str(),
            );
            let Some(original) = first.get(&key) else {
                first.insert(key, resource);
                continue;
            };
            let file = set
                .files
                .get(original.file)
                .map_or("?", |file| file.name.as_str());
            let line = original.mark_of("/metadata/name").line;
            out.report(
                resource,
                "/metadata/name",
                format!(
                    "{} is defined twice: it is already at {file}:{line}, and whichever is \
                     applied last wins",
                    resource.display()
                ),
            );
        }
    }
}
