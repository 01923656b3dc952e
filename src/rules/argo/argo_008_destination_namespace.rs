//! ARGO-008: an Application has no destination namespace.

use super::app::{is_app, named, spec_pointer};
use crate::engine::{Context, Emitter};
use crate::rules::Example::Manifest;
use crate::rules::{Principle, ResourceCheck, Rule, RuleMeta, Severity};
use crate::yaml::Node;

pub static META: RuleMeta = RuleMeta {
    id: "ARGO-008",
    severity: Severity::Error,
    principle: Principle::SecurityByDesign,
    title: "Application without a destination namespace",
    rationale: "Without `destination.namespace`, every namespaced resource the Application \
                renders without its own `metadata.namespace` lands in whatever namespace the \
                manifest or chart defaults to, usually `default`: outside the tier's network \
                policies, quotas and Linkerd injection, and mixed with other components. \
                Naming the namespace keeps each component inside its tier.",
    fix: "Set `spec.destination.namespace` to the component's namespace (`ai-backend`, \
          `ai-frontend`...).",
    failing_example: Manifest(
        "\
apiVersion: argoproj.io/v1alpha1
kind: Application
metadata:
  name: ollama
  namespace: argocd
  annotations:
    argocd.argoproj.io/sync-wave: \"5\"
spec:
  project: platform
  source:
    repoURL: https://charts.homelab.internal
    chart: ollama
    targetRevision: 1.4.0
  destination:
    server: https://kubernetes.default.svc
  syncPolicy:
    automated: {prune: true, selfHeal: true}
",
    ),
    passing_example: Manifest(
        "\
apiVersion: argoproj.io/v1alpha1
kind: Application
metadata:
  name: ollama
  namespace: argocd
  annotations:
    argocd.argoproj.io/sync-wave: \"5\"
spec:
  project: platform
  source:
    repoURL: https://charts.homelab.internal
    chart: ollama
    targetRevision: 1.4.0
  destination:
    server: https://kubernetes.default.svc
    namespace: ai-backend
  syncPolicy:
    automated: {prune: true, selfHeal: true}
",
    ),
};

pub fn rule() -> Rule {
    Rule::resource(&META, DestinationNamespace)
}

struct DestinationNamespace;

impl ResourceCheck for DestinationNamespace {
    fn check(&self, context: &Context<'_>, out: &mut Emitter<'_>) {
        let resource = context.resource;
        if !is_app(resource) {
            return;
        }
        let spec = spec_pointer(resource);
        if resource.get(spec).is_none_or(|spec| !spec.is_mapping()) {
            return;
        }
        let destination = format!("{spec}/destination");
        let namespace = resource
            .get(&format!("{destination}/namespace"))
            .and_then(Node::as_str)
            .map(str::trim);
        if namespace.is_some_and(|namespace| !namespace.is_empty()) {
            return;
        }
        let field = format!("{destination}/namespace");
        let pointer = if resource.get(&field).is_some() {
            field
        } else if resource.get(&destination).is_some() {
            destination
        } else {
            spec.to_owned()
        };
        out.report(
            resource,
            &pointer,
            format!(
                "{} has no `destination.namespace`: resources without their own namespace land \
                 in the default one, outside the tier's policies",
                named(resource)
            ),
        );
    }
}
