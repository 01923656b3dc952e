//! ARGO-006: a Git source of an Application follows a moving revision.

use globset::GlobMatcher;

use super::app::{compile_shipped, globs, is_app, is_templated, named, shipped, sources};
use crate::engine::{Context, Emitter};
use crate::rules::Example::Manifest;
use crate::rules::{Parameters, Principle, ResourceCheck, Rule, RuleMeta, Severity};

pub static META: RuleMeta = RuleMeta {
    id: "ARGO-006",
    severity: Severity::Error,
    principle: Principle::InfrastructureAsCode,
    title: "Application tracks a floating Git revision",
    rationale: "An Application whose `targetRevision` is `HEAD`, empty, missing (ArgoCD reads it \
                as HEAD) or a branch (`main`, `master`, `develop`...) deploys whatever was pushed \
                last: the cluster's state is no longer a reviewed, reproducible commit, a \
                rollback means a revert, and two syncs of the same Application can deploy \
                different things. Pinning a tag or a commit makes every change an explicit \
                bump. The floating names are `floatingRevisions` in `rules/argocd.yaml`. Helm \
                chart versions are ARGO-007's.",
    fix: "Pin `targetRevision` to a release tag (`v1.4.0`) or a commit SHA, and bump it to \
          deploy.",
    failing_example: Manifest(
        "\
apiVersion: argoproj.io/v1alpha1
kind: Application
metadata:
  name: n8n
  namespace: argocd
  annotations:
    argocd.argoproj.io/sync-wave: \"6\"
spec:
  project: platform
  source:
    repoURL: https://git.homelab.internal/platform/charter.git
    targetRevision: main
    path: charts/n8n
  destination:
    server: https://kubernetes.default.svc
    namespace: ai-frontend
  syncPolicy:
    automated: {prune: true, selfHeal: true}
",
    ),
    passing_example: Manifest(
        "\
apiVersion: argoproj.io/v1alpha1
kind: Application
metadata:
  name: n8n
  namespace: argocd
  annotations:
    argocd.argoproj.io/sync-wave: \"6\"
spec:
  project: platform
  source:
    repoURL: https://git.homelab.internal/platform/charter.git
    targetRevision: v1.4.0
    path: charts/n8n
  destination:
    server: https://kubernetes.default.svc
    namespace: ai-frontend
  syncPolicy:
    automated: {prune: true, selfHeal: true}
",
    ),
};

pub fn rule() -> Rule {
    Rule::resource(
        &META,
        FloatingRevision {
            floating: compile_shipped(&shipped().floating_revisions),
        },
    )
}

struct FloatingRevision {
    floating: Vec<GlobMatcher>,
}

impl ResourceCheck for FloatingRevision {
    fn configure(&mut self, params: &Parameters) -> Result<(), String> {
        for (key, value) in params {
            match key.as_str() {
                "floatingRevisions" => self.floating = globs(key, value)?.1,
                other => {
                    return Err(format!(
                        "has no parameter `{other}` (known: floatingRevisions)"
                    ));
                }
            }
        }
        Ok(())
    }

    fn check(&self, context: &Context<'_>, out: &mut Emitter<'_>) {
        let resource = context.resource;
        if !is_app(resource) {
            return;
        }
        for source in sources(resource) {
            if source.chart().is_some() {
                continue;
            }
            let revision = source.target_revision();
            let text = revision.and_then(crate::environment::scalar);
            let (pointer, why) = match text.as_deref().map(str::trim) {
                None | Some("") => (
                    source.pointer.clone(),
                    "has no `targetRevision`, so ArgoCD follows HEAD".to_owned(),
                ),
                Some(value) if is_templated(value) => continue,
                Some(value) if self.floating.iter().any(|glob| glob.is_match(value)) => (
                    format!("{}/targetRevision", source.pointer),
                    format!("follows `targetRevision: {value}`, which moves with every push"),
                ),
                Some(_) => continue,
            };
            out.report(
                resource,
                &pointer,
                format!(
                    "{} {why}: what is deployed is not a reviewed, reproducible revision",
                    named(resource)
                ),
            );
        }
    }
}
