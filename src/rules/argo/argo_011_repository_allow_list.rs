//! ARGO-011: an Application pulls from a repository outside the platform's.

use globset::GlobMatcher;

use super::app::{
    compile_shipped, globs, is_app, is_templated, named, repo_matches, shipped, sources,
};
use crate::engine::{Context, Emitter};
use crate::rules::Example::Manifest;
use crate::rules::{Parameters, Principle, ResourceCheck, Rule, RuleMeta, Severity};

pub static META: RuleMeta = RuleMeta {
    id: "ARGO-011",
    severity: Severity::Error,
    principle: Principle::PrivacyFirst,
    title: "Application source outside the platform's repositories",
    rationale: "Self-contained operation means the cluster deploys only what the platform's own \
                Git repository and chart mirror hold: a `repoURL` pointing at a public chart \
                repository or a third-party Git host makes every sync reach out to the internet, \
                deploys code nobody mirrored or reviewed, and breaks the platform when that host \
                is down or changes a release. The allowed repositories are `platformRepos` (a \
                family parameter) and `chartRepos` (this rule's), globs in `rules/argocd.yaml`.",
    fix: "Mirror the chart into the platform's chart repository (or vendor it into the Git \
          repository) and point `repoURL` there; or add a reviewed repository to `chartRepos`.",
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
    repoURL: https://otwld.github.io/ollama-helm
    chart: ollama
    targetRevision: 1.4.0
  destination:
    server: https://kubernetes.default.svc
    namespace: ai-backend
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
    let data = shipped();
    Rule::resource(
        &META,
        RepositoryAllowList {
            platform: compile_shipped(&data.platform_repos),
            charts: compile_shipped(&data.chart_repos),
        },
    )
}

struct RepositoryAllowList {
    platform: Vec<GlobMatcher>,
    charts: Vec<GlobMatcher>,
}

impl ResourceCheck for RepositoryAllowList {
    fn configure(&mut self, params: &Parameters) -> Result<(), String> {
        for (key, value) in params {
            match key.as_str() {
                "platformRepos" => self.platform = globs(key, value)?.1,
                "chartRepos" => self.charts = globs(key, value)?.1,
                other => {
                    return Err(format!(
                        "has no parameter `{other}` (known: platformRepos, chartRepos)"
                    ));
                }
            }
        }
        Ok(())
    }

    fn family_parameters(&self) -> &'static [&'static str] {
        &["platformRepos"]
    }

    fn check(&self, context: &Context<'_>, out: &mut Emitter<'_>) {
        let resource = context.resource;
        if !is_app(resource) {
            return;
        }
        for source in sources(resource) {
            let Some(url) = source.repo_url() else {
                continue;
            };
            if is_templated(url)
                || repo_matches(url, &self.platform)
                || repo_matches(url, &self.charts)
            {
                continue;
            }
            out.report(
                resource,
                &format!("{}/repoURL", source.pointer),
                format!(
                    "{} pulls from `{url}`, which is not one of the platform's repositories: \
                     every sync reaches out to it and deploys what nobody mirrored or reviewed",
                    named(resource)
                ),
            );
        }
    }
}
