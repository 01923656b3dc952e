//! PRIV-005: an inference server that pulls models from a public hub at
//! run time, with no offline switch.

use super::catalogue::Kind;
use super::phone_home::{State, Verdict};
use super::{CatalogueRule, Judgement};
use crate::rules::Example::Manifest;
use crate::rules::{Principle, Rule, RuleMeta, Severity};

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
    Rule::set(&META, CatalogueRule::new(is_model_download, judge))
}

fn is_model_download(kind: Kind) -> bool {
    kind == Kind::ModelDownload
}

/// Model downloads not switched off, or switched on.
fn judge(verdict: &Verdict<'_>) -> Judgement {
    let component = verdict.component.spec.display_name();
    let (message, fix) = match &verdict.state {
        State::ByDefault { fix } => (
            format!(
                "{component} may pull models at run time ({}): nothing switches it offline, so it sends {}",
                verdict.subject,
                verdict.consequence()
            ),
            fix,
        ),
        State::On { written, fix } => (
            format!(
                "{component} pulls models at run time: `{written}` ({}); it sends {}",
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
                "`{written}` does not switch {component} offline ({}): {works}",
                verdict.subject
            ),
            fix,
        ),
    };
    Some((message, Some(fix.clone())))
}
