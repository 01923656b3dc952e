//! NET-002: a Service whose selector matches no pod.

use std::borrow::Cow;

use crate::engine::{Emitter, ResourceSet};
use crate::rules::Example::Manifest;
use crate::rules::hardening::{HardeningData, configure, partial_note, set_severity, shipped};
use crate::rules::{Parameters, Principle, Rule, RuleMeta, SetCheck, Severity};
use crate::selector::{Selector, selects_any_workload};
use crate::yaml::Node;

pub static META: RuleMeta = RuleMeta {
    id: "NET-002",
    severity: Severity::Warning,
    principle: Principle::OperationalExcellence,
    title: "Service selector matches no pod",
    rationale: "A Service whose `spec.selector` matches the pod template labels of no workload in \
                its namespace has no endpoints: clients get connection refused, usually because \
                a label was renamed on one side only (`app: webui` against `app: open-webui`). \
                Services without a selector (endpoints managed by hand) and `ExternalName` \
                Services are not checked. When only single files were checked the workload may \
                be in another file, so the finding is only `info` (`partialSetSeverity`).",
    fix: "Make `spec.selector` match the labels in the workload's `spec.template.metadata.labels` \
          (same namespace), or remove the Service.",
    failing_example: Manifest(
        "\
apiVersion: v1
kind: Service
metadata:
  name: open-webui
  namespace: ai-frontend
spec:
  selector: {app: webui}
  ports:
    - port: 8080
",
    ),
    passing_example: Manifest(
        "\
apiVersion: v1
kind: Service
metadata:
  name: open-webui
  namespace: ai-frontend
spec:
  selector: {app: open-webui}
  ports:
    - port: 8080
---
apiVersion: apps/v1
kind: Deployment
metadata:
  name: open-webui
  namespace: ai-frontend
spec:
  template:
    metadata:
      labels: {app: open-webui}
    spec:
      containers:
        - name: open-webui
          image: registry.homelab.lan/chat-ui:1.0
",
    ),
};

pub fn rule() -> Rule {
    Rule::set(
        &META,
        DanglingService {
            data: shipped().clone(),
        },
    )
}

struct DanglingService {
    data: HardeningData,
}

const KEYS: &[&str] = &["partialSetSeverity"];

impl SetCheck for DanglingService {
    fn configure(&mut self, params: &Parameters) -> Result<(), String> {
        configure(&mut self.data, params, KEYS)
    }

    fn family_parameters(&self) -> &'static [&'static str] {
        KEYS
    }

    fn check(&self, set: &ResourceSet<'_>, out: &mut Emitter<'_>) {
        let severity = set_severity(set, out.severity(), self.data.partial_set_severity);
        for service in set
            .resources
            .iter()
            .filter(|r| r.is("", "Service") && set.reported(r))
        {
            if service.get("/spec/type").and_then(Node::as_str) == Some("ExternalName") {
                continue;
            }
            let Some(written) = service.get("/spec/selector") else {
                continue;
            };
            let Some(selector) = Selector::from_labels(written) else {
                continue;
            };
            if selector.selects_all() {
                continue;
            }
            let namespace = service.namespace.as_deref();
            if selects_any_workload(set.resources, namespace, &selector) {
                continue;
            }
            let message = format!(
                "{} selects pods labelled `{}`, but no workload in its namespace has those \
                 labels: the Service has no endpoints{}",
                service.display(),
                selector.describe(),
                partial_note(set)
            );
            let finding = out.report(service, "/spec/selector", message);
            finding.severity = severity;
            finding.hint = Cow::Borrowed(
                "Make `spec.selector` equal to labels of the workload's pod template \
                 (`spec.template.metadata.labels`) in the same namespace.",
            );
        }
    }
}
