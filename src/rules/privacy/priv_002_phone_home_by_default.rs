//! PRIV-002: telemetry, an update check or a vendor fetch that is on by
//! default and that nothing turns off.

use super::phone_home::{State, Verdict};
use super::{CatalogueRule, Judgement, is_phone_home};
use crate::rules::Example::Manifest;
use crate::rules::{Principle, Rule, RuleMeta, Severity};

pub static META: RuleMeta = RuleMeta {
    id: "PRIV-002",
    severity: Severity::Error,
    principle: Principle::PrivacyFirst,
    title: "Telemetry or vendor phone-home on by default and not turned off",
    rationale: "Most components phone home unless told not to: vLLM and TGI report usage, n8n \
                sends diagnostics and fetches templates, Grafana reports usage and checks for \
                updates, Traefik checks for new versions, Longhorn checks for upgrades hourly. \
                Leaving the default on is how a privacy-first platform leaks without anyone \
                deciding it should. The telemetry catalogue (`rules/telemetry.yaml`) lists each \
                default-on feature with its off switches; a switch counts wherever it is set \
                (`env`, `envFrom` ConfigMaps and Secrets, `args`, mounted configuration files, \
                ArgoCD Helm values). Containers whose `envFrom` names a ConfigMap or Secret \
                outside the checked set are given the benefit of the doubt.",
    fix: "Turn the feature off explicitly: the hint gives the exact line to add.",
    failing_example: Manifest(
        "\
apiVersion: apps/v1
kind: Deployment
metadata:
  name: n8n
  namespace: ai-frontend
spec:
  template:
    spec:
      containers:
        - name: n8n
          image: docker.n8n.io/n8nio/n8n:1.70.0
",
    ),
    passing_example: Manifest(
        "\
apiVersion: apps/v1
kind: Deployment
metadata:
  name: n8n
  namespace: ai-frontend
spec:
  template:
    spec:
      containers:
        - name: n8n
          image: docker.n8n.io/n8nio/n8n:1.70.0
          envFrom:
            - configMapRef: {name: n8n-privacy}
---
apiVersion: v1
kind: ConfigMap
metadata:
  name: n8n-privacy
  namespace: ai-frontend
data:
  N8N_DIAGNOSTICS_ENABLED: \"false\"
  N8N_VERSION_NOTIFICATIONS_ENABLED: \"false\"
  N8N_TEMPLATES_ENABLED: \"false\"
  N8N_DYNAMIC_BANNERS_ENABLED: \"false\"
",
    ),
};

pub fn rule() -> Rule {
    Rule::set(&META, CatalogueRule::new(is_phone_home, judge))
}

/// On by default, and nothing turns it off.
fn judge(verdict: &Verdict<'_>) -> Judgement {
    match &verdict.state {
        State::ByDefault { fix } => Some((
            format!(
                "{} on by default, and nothing turns it off ({}): it sends {}",
                verdict.feature(),
                verdict.subject,
                verdict.consequence()
            ),
            Some(fix.clone()),
        )),
        _ => None,
    }
}
