//! ARGO-002: a component of the wave plan sits in another wave.

use std::borrow::Cow;

use super::app::{PLAN_PARAMETERS, PlanInUse, WAVE, WAVE_POINTER, Wave, is_app, named};
use crate::engine::{Context, Emitter};
use crate::rules::Example::Manifest;
use crate::rules::{Parameters, Principle, ResourceCheck, Rule, RuleMeta, Severity};

pub static META: RuleMeta = RuleMeta {
    id: "ARGO-002",
    severity: Severity::Error,
    principle: Principle::InfrastructureAsCode,
    title: "Known component outside its planned sync wave",
    rationale: "The wave plan (ADR-002, `rules/waves.yaml`) is what makes a cold start of the \
                platform work: SealedSecrets at -2 so that every Secret exists when its \
                consumers start, cert-manager, Longhorn and the Linkerd CRDs at -1, Traefik and \
                the GPU operator at 0, the mesh and Kyverno at 1, Prometheus at 2, Ollama and \
                LiteLLM at 5, Open WebUI, n8n and SearXNG at 6, the CI runners at 7. An \
                Application the plan knows (by name, Helm chart or source path) in another \
                wave either starts before what it needs or delays what needs it.",
    fix: "Set `argocd.argoproj.io/sync-wave` to the wave the plan gives the component, or change \
          the plan (the family parameter `waves`) when the architecture changed.",
    failing_example: Manifest(
        "\
apiVersion: argoproj.io/v1alpha1
kind: Application
metadata:
  name: open-webui
  namespace: argocd
  annotations:
    argocd.argoproj.io/sync-wave: \"2\"
spec:
  project: platform
  source:
    repoURL: https://charts.homelab.internal
    chart: open-webui
    targetRevision: 5.4.0
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
  name: open-webui
  namespace: argocd
  annotations:
    argocd.argoproj.io/sync-wave: \"6\"
spec:
  project: platform
  source:
    repoURL: https://charts.homelab.internal
    chart: open-webui
    targetRevision: 5.4.0
  destination:
    server: https://kubernetes.default.svc
    namespace: ai-frontend
  syncPolicy:
    automated: {prune: true, selfHeal: true}
",
    ),
};

pub fn rule() -> Rule {
    Rule::resource(&META, PlannedWave::default())
}

#[derive(Default)]
struct PlannedWave {
    plan: PlanInUse,
}

impl ResourceCheck for PlannedWave {
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
        let Wave::Value(wave) = Wave::of(resource) else {
            return;
        };
        let Some(entry) = self.plan.get().entry_for(resource) else {
            return;
        };
        if entry.wave == wave {
            return;
        }
        let finding = out.report(
            resource,
            WAVE_POINTER,
            format!(
                "{} is in sync wave {wave}, but the plan puts `{}` in wave {}: it would sync {} \
                 the components it is planned around",
                named(resource),
                entry.name,
                entry.wave,
                if wave < entry.wave { "before" } else { "after" }
            ),
        );
        finding.hint = Cow::Owned(format!(
            "Set `{WAVE}: \"{}\"`, or change the plan (family parameter `waves`) if `{}` moved.",
            entry.wave, entry.name
        ));
    }
}
