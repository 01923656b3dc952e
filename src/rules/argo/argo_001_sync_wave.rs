//! ARGO-001: an Application has no integer sync wave inside the plan's range.

use std::borrow::Cow;

use super::app::{PLAN_PARAMETERS, PlanInUse, WAVE, WAVE_POINTER, Wave, is_app, named};
use crate::engine::{Context, Emitter};
use crate::rules::Example::Manifest;
use crate::rules::{Parameters, Principle, ResourceCheck, Rule, RuleMeta, Severity};

pub static META: RuleMeta = RuleMeta {
    id: "ARGO-001",
    severity: Severity::Error,
    principle: Principle::InfrastructureAsCode,
    title: "Application without a valid sync wave",
    rationale: "The platform comes up in sync waves (ADR-002): the SealedSecrets controller \
                before anything that needs a Secret, cert-manager and Longhorn before what asks \
                for certificates and volumes, the AI backend before the frontends. An \
                Application or ApplicationSet without `argocd.argoproj.io/sync-wave` lands in \
                wave 0, in the middle of the platform services, and a value that is not an \
                integer string breaks the sync (ArgoCD refuses it, the API server refuses an \
                unquoted number). A wave outside the plan (from its lowest to its highest wave, \
                `rules/waves.yaml`) means the plan and the manifests disagree.",
    fix: "Annotate the Application with its wave from the plan, as a quoted integer: \
          `metadata.annotations: {argocd.argoproj.io/sync-wave: \"5\"}`. The plan is \
          `rules/waves.yaml`, replaced by the family parameter `waves`.",
    failing_example: Manifest(
        "\
apiVersion: argoproj.io/v1alpha1
kind: Application
metadata:
  name: litellm
  namespace: argocd
spec:
  project: platform
  source:
    repoURL: https://git.homelab.internal/platform/charter.git
    targetRevision: v1.0.0
    path: charts/litellm
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
  name: litellm
  namespace: argocd
  annotations:
    argocd.argoproj.io/sync-wave: \"5\"
spec:
  project: platform
  source:
    repoURL: https://git.homelab.internal/platform/charter.git
    targetRevision: v1.0.0
    path: charts/litellm
  destination:
    server: https://kubernetes.default.svc
    namespace: ai-backend
  syncPolicy:
    automated: {prune: true, selfHeal: true}
",
    ),
};

pub fn rule() -> Rule {
    Rule::resource(&META, SyncWave::default())
}

#[derive(Default)]
struct SyncWave {
    plan: PlanInUse,
}

impl ResourceCheck for SyncWave {
    fn configure(&mut self, params: &Parameters) -> Result<(), String> {
        self.plan.configure(params, &[])
    }

    fn family_parameters(&self) -> &'static [&'static str] {
        PLAN_PARAMETERS
    }

    fn knowledge(&self) -> Option<String> {
        Some(self.plan.knowledge())
    }

    fn check(&self, context: &Context<'_>, out: &mut Emitter<'_>) {
        let resource = context.resource;
        if !is_app(resource) {
            return;
        }
        let what = named(resource);
        let range = self.plan.get().range();
        let range_text = range
            .map(|(low, high)| format!(" (the plan's waves run from {low} to {high})"))
            .unwrap_or_default();
        match Wave::of(resource) {
            Wave::Missing => {
                out.report(
                    resource,
                    "/metadata",
                    format!(
                        "{what} has no `{WAVE}` annotation: it syncs in wave 0, unordered with \
                         the platform services it may need{range_text}"
                    ),
                );
            }
            Wave::NotString => {
                let finding = out.report(
                    resource,
                    WAVE_POINTER,
                    format!(
                        "{what} has a `{WAVE}` annotation that is not a string: annotations are \
                         strings, the API server refuses the Application"
                    ),
                );
                finding.hint =
                    Cow::Borrowed("Quote the wave: `argocd.argoproj.io/sync-wave: \"5\"`.");
            }
            Wave::NotInteger(text) => {
                out.report(
                    resource,
                    WAVE_POINTER,
                    format!(
                        "{what} has `{WAVE}: \"{text}\"`, which is not an integer: ArgoCD cannot \
                         order its sync{range_text}"
                    ),
                );
            }
            Wave::Value(wave) => {
                if let Some((low, high)) = range.filter(|(low, high)| wave < *low || wave > *high) {
                    out.report(
                        resource,
                        WAVE_POINTER,
                        format!(
                            "{what} is in sync wave {wave}, outside the plan's waves {low} to \
                             {high}: the plan (ADR-002) does not know where it belongs"
                        ),
                    );
                }
            }
        }
    }
}
