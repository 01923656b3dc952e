//! ARGO-007: a Helm chart source of an Application is not pinned to one
//! version.

use super::app::{is_app, is_templated, named, sources};
use crate::engine::{Context, Emitter};
use crate::rules::Example::Manifest;
use crate::rules::{Principle, ResourceCheck, Rule, RuleMeta, Severity};

pub static META: RuleMeta = RuleMeta {
    id: "ARGO-007",
    severity: Severity::Error,
    principle: Principle::InfrastructureAsCode,
    title: "Helm chart version is a range, not an exact version",
    rationale: "For a Helm chart source, `targetRevision` is the chart version, and ArgoCD \
                accepts semver constraints there: `*`, `1.x`, `^1.2.0`, `~1.2`, `>=1.0 <2.0`, \
                `1.2` (any 1.2 patch). With a range, a new upstream release is deployed on the \
                next sync without anyone reviewing it, and the same commit renders differently \
                from one day to the next. An exact version (`1.16.2`, `v2.3.0-rc.1`) makes every \
                upgrade a reviewed change.",
    fix: "Write the exact chart version (`targetRevision: 1.16.2`) and bump it to upgrade.",
    failing_example: Manifest(
        "\
apiVersion: argoproj.io/v1alpha1
kind: Application
metadata:
  name: cert-manager
  namespace: argocd
  annotations:
    argocd.argoproj.io/sync-wave: \"-1\"
spec:
  project: platform
  source:
    repoURL: https://charts.homelab.internal
    chart: cert-manager
    targetRevision: ^1.16.0
  destination:
    server: https://kubernetes.default.svc
    namespace: cert-manager
  syncPolicy:
    automated: {prune: true, selfHeal: true}
",
    ),
    passing_example: Manifest(
        "\
apiVersion: argoproj.io/v1alpha1
kind: Application
metadata:
  name: cert-manager
  namespace: argocd
  annotations:
    argocd.argoproj.io/sync-wave: \"-1\"
spec:
  project: platform
  source:
    repoURL: https://charts.homelab.internal
    chart: cert-manager
    targetRevision: 1.16.2
  destination:
    server: https://kubernetes.default.svc
    namespace: cert-manager
  syncPolicy:
    automated: {prune: true, selfHeal: true}
",
    ),
};

pub fn rule() -> Rule {
    Rule::resource(&META, ChartVersion)
}

struct ChartVersion;

/// `MAJOR.MINOR.PATCH`, optionally prefixed with `v`, with an optional
/// pre-release and build (`-rc.1+build.5`).
pub fn is_exact_version(version: &str) -> bool {
    let version = version.strip_prefix('v').unwrap_or(version);
    let (core, rest) = match version.find(['-', '+']) {
        Some(at) => version.split_at(at),
        None => (version, ""),
    };
    let numbers: Vec<&str> = core.split('.').collect();
    numbers.len() == 3
        && numbers
            .iter()
            .all(|part| !part.is_empty() && part.bytes().all(|byte| byte.is_ascii_digit()))
        && rest
            .chars()
            .skip(1)
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '.' | '-' | '+'))
        && (rest.is_empty() || rest.len() > 1)
}

impl ResourceCheck for ChartVersion {
    fn check(&self, context: &Context<'_>, out: &mut Emitter<'_>) {
        let resource = context.resource;
        if !is_app(resource) {
            return;
        }
        for source in sources(resource) {
            let Some(chart) = source.chart() else {
                continue;
            };
            if is_templated(chart) {
                continue;
            }
            let text = source
                .target_revision()
                .and_then(crate::environment::scalar);
            let (pointer, why) = match text.as_deref().map(str::trim) {
                None | Some("") => (
                    source.pointer.clone(),
                    "is not given (no `targetRevision`): the latest release is deployed".to_owned(),
                ),
                Some(value) if is_templated(value) || is_exact_version(value) => continue,
                Some(value) => (
                    format!("{}/targetRevision", source.pointer),
                    format!("is `{value}`, a range: any matching release is deployed unreviewed"),
                ),
            };
            out.report(
                resource,
                &pointer,
                format!(
                    "{} installs chart `{chart}`, whose version {why}",
                    named(resource)
                ),
            );
        }
    }
}

#[cfg(test)]
mod tests {
    use super::is_exact_version;

    #[test]
    fn exact_versions() {
        for exact in [
            "1.16.2",
            "v2.3.0",
            "1.0.0-rc.1",
            "1.0.0+build.5",
            "0.0.1-alpha-2",
        ] {
            assert!(is_exact_version(exact), "{exact}");
        }
        for range in [
            "*",
            "1.x",
            "1.2.x",
            "1.2.*",
            "^1.2.0",
            "~1.2",
            ">=1.0.0",
            "<2",
            "1.0.0 || 2.0.0",
            "1.2",
            "1",
            "1.2.3 - 1.4.0",
            "1.0.0-",
            "",
            "latest",
            "1..2",
        ] {
            assert!(!is_exact_version(range), "{range}");
        }
    }
}
