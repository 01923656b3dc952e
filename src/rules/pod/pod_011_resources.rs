//! POD-011: a container without CPU/memory requests or a memory limit.

use std::borrow::Cow;

use super::{describe, hardened};
use crate::engine::{Context, Emitter};
use crate::rules::Example::Manifest;
use crate::rules::{Principle, ResourceCheck, Rule, RuleMeta, Severity};
use crate::workload::ContainerKind;

pub static META: RuleMeta = RuleMeta {
    id: "POD-011",
    severity: Severity::Warning,
    principle: Principle::OperationalExcellence,
    title: "Container without CPU and memory requests or a memory limit",
    rationale: "Two nodes run everything, and Ollama alone can eat all of a node's memory while \
                loading a model. Without requests the scheduler places pods blind and the \
                kubelet evicts them first under pressure; without a memory limit one leaking \
                container can push the node into the out-of-memory killer, taking its \
                neighbours down too. A container needs `requests.cpu`, `requests.memory` and \
                `limits.memory` (a request Kubernetes copies from the limit counts). CPU limits \
                are not required: they throttle without protecting anyone. Containers and init \
                containers are checked; ephemeral containers cannot have resources.",
    fix: "Add `resources: {requests: {cpu: ..., memory: ...}, limits: {memory: ...}}` to the \
          container, sized from its observed use.",
    failing_example: Manifest(
        "\
apiVersion: apps/v1
kind: Deployment
metadata:
  name: searxng
  namespace: searxng
spec:
  template:
    spec:
      containers:
        - name: searxng
          image: registry.homelab.lan/search:1.0
          resources:
            requests: {cpu: 100m}
",
    ),
    passing_example: Manifest(hardened!()),
};

pub fn rule() -> Rule {
    Rule::resource(&META, Resources)
}

struct Resources;

impl ResourceCheck for Resources {
    fn check(&self, context: &Context<'_>, out: &mut Emitter<'_>) {
        let Some(pod) = context.pod() else {
            return;
        };
        for container in pod.containers() {
            if container.kind == ContainerKind::EphemeralContainer {
                continue;
            }
            let resources = container.fields.get("resources");
            if resources.is_some_and(|node| !node.is_mapping()) {
                // Malformed: the schema rules' business.
                continue;
            }
            let has = |section: &str, name: &str| {
                resources
                    .and_then(|node| node.get(section))
                    .and_then(|node| node.get(name))
                    .is_some_and(|node| !node.is_null())
            };
            let mut missing = Vec::new();
            for name in ["cpu", "memory"] {
                // Kubernetes copies a limit into a missing request.
                if !has("requests", name) && !has("limits", name) {
                    missing.push(format!("requests.{name}"));
                }
            }
            if !has("limits", "memory") {
                missing.push("limits.memory".to_owned());
            }
            if missing.is_empty() {
                continue;
            }
            let pointer = match resources {
                Some(_) => format!("{}/resources", container.pointer),
                None => container.pointer.clone(),
            };
            let listed = missing
                .iter()
                .map(|name| format!("`{name}`"))
                .collect::<Vec<_>>()
                .join(", ");
            let message = format!(
                "{} sets no {listed}: the scheduler places it blind and nothing stops it from \
                 starving the node",
                describe(context.resource, &container)
            );
            out.report(context.resource, &pointer, message).hint = Cow::Owned(format!(
                "Set in container `{}`:\n\n  resources:\n    requests: {{cpu: 100m, memory: 256Mi}}\n    limits: {{memory: 512Mi}}\n\nsized from its observed use.",
                container.name().unwrap_or("?")
            ));
        }
    }
}
