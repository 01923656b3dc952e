//! PRIV-001: telemetry, an update check or a vendor fetch turned on, or
//! "turned off" with a value the program does not read as off.

use super::phone_home::{State, Verdict};
use super::{CatalogueRule, Judgement, is_phone_home};
use crate::rules::Example::Manifest;
use crate::rules::{Principle, Rule, RuleMeta, Severity};

pub static META: RuleMeta = RuleMeta {
    id: "PRIV-001",
    severity: Severity::Error,
    principle: Principle::PrivacyFirst,
    title: "Telemetry or vendor phone-home turned on",
    rationale: "The platform sends nothing home: no usage statistics, update checks, news, \
                templates or price lists fetched from vendors. The telemetry catalogue \
                (`rules/telemetry.yaml`) knows each component's switches and how the program \
                reads them, wherever they are set: `env`, `envFrom` ConfigMaps, container \
                `args`, configuration files mounted from ConfigMaps, and the Helm values of \
                ArgoCD Applications. This rule fires when a switch turns a feature on, and when \
                a value meant to turn it off is one the program does not accept: vLLM reads only \
                `1` (not `true`), so `VLLM_NO_USAGE_STATS=true` leaves its usage reports on.",
    fix: "Set the switch to a value the program reads as off (the message says which), or \
          remove the line that turns the feature on.",
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
              value: \"true\"
            - name: HF_HUB_OFFLINE
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
    Rule::set(&META, CatalogueRule::new(is_phone_home, judge))
}

/// Turned on, or "off" in words the program does not accept.
fn judge(verdict: &Verdict<'_>) -> Judgement {
    match &verdict.state {
        State::On { written, fix } => Some((
            format!(
                "{} turned on by `{written}` ({}): it sends {}",
                verdict.feature(),
                verdict.subject,
                verdict.consequence()
            ),
            Some(fix.clone()),
        )),
        State::NotAccepted {
            written,
            works,
            fix,
        } => Some((
            format!(
                "`{written}` does not turn {} off ({}): {works}, so it still sends {}",
                verdict.feature(),
                verdict.subject,
                verdict.consequence()
            ),
            Some(fix.clone()),
        )),
        State::ByDefault { .. } => None,
    }
}
