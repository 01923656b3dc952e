//! ARGO-009: an Application belongs to ArgoCD's `default` project.

use super::app::{is_app, is_templated, named, spec_pointer};
use crate::engine::{Context, Emitter};
use crate::rules::Example::Manifest;
use crate::rules::{Principle, ResourceCheck, Rule, RuleMeta, Severity};
use crate::yaml::Node;

pub static META: RuleMeta = RuleMeta {
    id: "ARGO-009",
    severity: Severity::Error,
    principle: Principle::SecurityByDesign,
    title: "Application in the `default` project",
    rationale: "ArgoCD's `default` AppProject allows every source repository, every destination \
                cluster and namespace and every resource kind, cluster-scoped ones included. An \
                Application in it (or with no `project`) escapes the restrictions the platform's \
                own AppProject puts on where manifests come from and what they may create: least \
                privilege for GitOps.",
    fix: "Set `spec.project` to the platform's AppProject (`platform`), which lists the allowed \
          repositories, destinations and kinds.",
    failing_example: Manifest(
        "\
apiVersion: argoproj.io/v1alpha1
kind: Application
metadata:
  name: searxng
  namespace: argocd
  annotations:
    argocd.argoproj.io/sync-wave: \"6\"
spec:
  project: default
  source:
    repoURL: https://charts.homelab.internal
    chart: searxng
    targetRevision: 1.0.1
  destination:
    server: https://kubernetes.default.svc
    namespace: searxng
  syncPolicy:
    automated: {prune: true, selfHeal: true}
",
    ),
    passing_example: Manifest(
        "\
apiVersion: argoproj.io/v1alpha1
kind: Application
metadata:
  name: searxng
  namespace: argocd
  annotations:
    argocd.argoproj.io/sync-wave: \"6\"
spec:
  project: platform
  source:
    repoURL: https://charts.homelab.internal
    chart: searxng
    targetRevision: 1.0.1
  destination:
    server: https://kubernetes.default.svc
    namespace: searxng
  syncPolicy:
    automated: {prune: true, selfHeal: true}
",
    ),
};

pub fn rule() -> Rule {
    Rule::resource(&META, DefaultProject)
}

struct DefaultProject;

impl ResourceCheck for DefaultProject {
    fn check(&self, context: &Context<'_>, out: &mut Emitter<'_>) {
        let resource = context.resource;
        if !is_app(resource) {
            return;
        }
        let spec = spec_pointer(resource);
        if resource.get(spec).is_none_or(|spec| !spec.is_mapping()) {
            return;
        }
        let pointer = format!("{spec}/project");
        let project = resource.get(&pointer).and_then(Node::as_str).map(str::trim);
        let (pointer, why) = match project {
            None | Some("") => (
                spec.to_owned(),
                "has no `project`: it is not bound to the platform's AppProject, and the \
                 `default` one allows any repository, destination and kind"
                    .to_owned(),
            ),
            Some(project) if is_templated(project) => return,
            Some("default") => (
                pointer,
                "is in the `default` project, which allows any repository, destination and \
                 kind: it escapes the platform's AppProject"
                    .to_owned(),
            ),
            Some(_) => return,
        };
        out.report(resource, &pointer, format!("{} {why}", named(resource)));
    }
}
