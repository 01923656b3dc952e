//! PRIV-005: an inference server that pulls models from a public hub at
//! run time, with no offline switch.

use super::catalogue::Kind;
use super::phone_home::State;
use super::{CATALOGUE_PARAMETERS, CatalogueInUse};
use crate::engine::{Emitter, ResourceSet};
use crate::rules::Example::Manifest;
use crate::rules::{Parameters, Principle, Rule, RuleMeta, SetCheck, Severity};

pub static META: RuleMeta = RuleMeta {
    id: "PRIV-005",
    severity: Severity::Warning,
    principle: Principle::PrivacyFirst,
    title: "Inference server pulls models from a public hub at run time",
    rationale: "vLLM, TGI and Open WebUI download models from the Hugging Face Hub when they \
                start or when a model is first used: the cluster depends on a third party being \
                reachable, and the hub learns which models run here. A self-contained platform \
                pre-seeds models (a volume, an init job, an internal mirror via `HF_ENDPOINT`) and \
                runs the servers offline. Components and their offline switches are in \
                `rules/telemetry.yaml` (settings of kind `model-download`).",
    fix: "Pre-seed the models on a volume and set the offline switch the hint names \
          (`HF_HUB_OFFLINE=1`, Open WebUI `OFFLINE_MODE=true`).",
    failing_example: Manifest(
        "\
apiVersion: apps/v1
kind: Deployment
metadata:
  name: vllm
  namespace: ai-backend
spec:
  template:
    spec:
      containers:
        - name: vllm
          image: vllm/vllm-openai:v0.6.4
          env:
            - name: VLLM_NO_USAGE_STATS
              value: \"1\"
",
    ),
    passing_example: Manifest(
        "\
apiVersion: apps/v1
kind: Deployment
metadata:
  name: vllm
  namespace: ai-backend
spec:
  template:
    spec:
      containers:
        - name: vllm
          image: vllm/vllm-openai:v0.6.4
          env:
            - name: VLLM_NO_USAGE_STATS
              value: \"1\"
            - name: HF_HUB_OFFLINE
              value: \"1\"
",
    ),
};

pub fn rule() -> Rule {
    Rule::set(&META, ModelDownload::default())
}

#[derive(Default)]
struct ModelDownload {
    catalogue: CatalogueInUse,
}

fn is_model_download(kind: Kind) -> bool {
    kind == Kind::ModelDownload
}

impl SetCheck for ModelDownload {
    fn configure(&mut self, params: &Parameters) -> Result<(), String> {
        self.catalogue.configure(params)
    }

    fn family_parameters(&self) -> &'static [&'static str] {
        CATALOGUE_PARAMETERS
    }

    fn knowledge(&self) -> Option<String> {
        Some(self.catalogue.knowledge(is_model_download))
    }

    fn check(&self, set: &ResourceSet<'_>, out: &mut Emitter<'_>) {
        self.catalogue.report(set, out, |verdict| {
            if !is_model_download(verdict.setting.spec.kind) {
                return None;
            }
            let message = match &verdict.state {
                State::ByDefault { fix } => {
                    return Some((
                        format!(
                            "{} may pull models at run time ({}): nothing switches it offline, so it sends {}",
                            verdict.component.spec.display_name(),
                            verdict.subject,
                            verdict.consequence()
                        ),
                        Some(fix.clone()),
                    ));
                }
                State::On { written, fix } => (
                    format!(
                        "{} pulls models at run time: `{written}` ({}); it sends {}",
                        verdict.component.spec.display_name(),
                        verdict.subject,
                        verdict.consequence()
                    ),
                    fix,
                ),
                State::NotAccepted {
                    written,
                    works,
                    fix,
                } => (
                    format!(
                        "`{written}` does not switch {} offline ({}): {works}",
                        verdict.component.spec.display_name(),
                        verdict.subject
                    ),
                    fix,
                ),
            };
            Some((message.0, Some(message.1.clone())))
        });
    }
}
