//! NET-003: a NetworkPolicy whose pod selector matches no pod.

use std::borrow::Cow;

use crate::engine::{Emitter, ResourceSet};
use crate::rules::Example::Manifest;
use crate::rules::hardening::{HardeningData, configure, partial_note, set_severity, shipped};
use crate::rules::{Parameters, Principle, Rule, RuleMeta, SetCheck, Severity};
use crate::selector::{Selector, selects_any_workload};

pub static META: RuleMeta = RuleMeta {
    id: "NET-003",
    severity: Severity::Warning,
    principle: Principle::SecurityByDesign,
    title: "NetworkPolicy pod selector matches no pod",
    rationale: "A NetworkPolicy whose `spec.podSelector` matches the pod template labels of no \
                workload in its namespace protects nothing: the pods it was written for are \
                left with whatever the other policies allow, usually because a label was renamed \
                on one side only. A policy selecting every pod (`podSelector: {}`) is not \
                checked. When only single files were checked the workload may be in another \
                file, so the finding is only `info` (`partialSetSeverity`).",
    fix: "Make `spec.podSelector` match the labels of the workload's pod template in the same \
          namespace, or remove the policy.",
    failing_example: Manifest(
        "\
apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata:
  name: searxng-egress
  namespace: searxng
spec:
  podSelector:
    matchLabels: {app: searx}
  policyTypes: [Egress]
",
    ),
    passing_example: Manifest(
        "\
apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata:
  name: searxng-egress
  namespace: searxng
spec:
  podSelector:
    matchLabels: {app: searxng}
  policyTypes: [Egress]
---
apiVersion: apps/v1
kind: Deployment
metadata:
  name: searxng
  namespace: searxng
spec:
  template:
    metadata:
      labels: {app: searxng}
    spec:
      containers:
        - name: searxng
          image: registry.homelab.lan/search:1.0
",
    ),
};

pub fn rule() -> Rule {
    Rule::set(
        &META,
        DanglingPolicy {
            data: shipped().clone(),
        },
    )
}

struct DanglingPolicy {
    data: HardeningData,
}

const KEYS: &[&str] = &["partialSetSeverity"];

impl SetCheck for DanglingPolicy {
    fn configure(&mut self, params: &Parameters) -> Result<(), String> {
        configure(&mut self.data, params, KEYS)
    }

    fn family_parameters(&self) -> &'static [&'static str] {
        KEYS
    }

    fn check(&self, set: &ResourceSet<'_>, out: &mut Emitter<'_>) {
        let severity = set_severity(set, out.severity(), self.data.partial_set_severity);
        for policy in set
            .resources
            .iter()
            .filter(|r| r.is("networking.k8s.io", "NetworkPolicy") && set.reported(r))
        {
            let Some(selector) = Selector::parse(policy.get("/spec/podSelector")) else {
                continue;
            };
            if selector.selects_all() {
                continue;
            }
            let namespace = policy.namespace.as_deref();
            if selects_any_workload(set.resources, namespace, &selector) {
                continue;
            }
            let message = format!(
                "{} applies to pods matching `{}`, but no workload in its namespace has such \
                 pods: it protects nothing{}",
                policy.display(),
                selector.describe(),
                partial_note(set)
            );
            let finding = out.report(policy, "/spec/podSelector", message);
            finding.severity = severity;
            finding.hint = Cow::Borrowed(
                "Make `spec.podSelector` match the labels of the workload's pod template \
                 (`spec.template.metadata.labels`) in the same namespace.",
            );
        }
    }
}
