//! POD-012: a long-running container without liveness or readiness probes.

use std::borrow::Cow;

use super::{describe, hardened};
use crate::engine::{Context, Emitter};
use crate::rules::Example::Manifest;
use crate::rules::{Principle, ResourceCheck, Rule, RuleMeta, Severity};
use crate::workload::ContainerKind;

pub static META: RuleMeta = RuleMeta {
    id: "POD-012",
    severity: Severity::Warning,
    principle: Principle::OperationalExcellence,
    title: "Long-running container without liveness or readiness probe",
    rationale: "Without a readiness probe a pod receives traffic as soon as its process starts: \
                Open WebUI talks to a LiteLLM that has not loaded its configuration, LiteLLM to \
                an Ollama still loading a model. Without a liveness probe a hung process (a \
                deadlocked worker, a wedged GPU call) stays hung until someone notices. Both are \
                required on the containers of long-running workloads; Jobs, CronJobs, init and \
                ephemeral containers are not checked.",
    fix: "Add a `readinessProbe` and a `livenessProbe` (an HTTP health endpoint, or a TCP \
          socket) to the container; give slow starters a `startupProbe` as well.",
    failing_example: Manifest(
        "\
apiVersion: apps/v1
kind: Deployment
metadata:
  name: ollama
  namespace: ai-backend
spec:
  template:
    spec:
      containers:
        - name: ollama
          image: registry.homelab.lan/inference:0.5.7
          readinessProbe:
            httpGet: {path: /, port: 11434}
",
    ),
    passing_example: Manifest(hardened!()),
};

pub fn rule() -> Rule {
    Rule::resource(&META, Probes)
}

struct Probes;

impl ResourceCheck for Probes {
    fn check(&self, context: &Context<'_>, out: &mut Emitter<'_>) {
        let resource = context.resource;
        if resource.is("batch", "Job") || resource.is("batch", "CronJob") {
            return;
        }
        let Some(pod) = context.pod() else {
            return;
        };
        for container in pod.containers() {
            if container.kind != ContainerKind::Container {
                continue;
            }
            let missing: Vec<&str> = ["livenessProbe", "readinessProbe"]
                .into_iter()
                .filter(|probe| {
                    container
                        .fields
                        .get(probe)
                        .is_none_or(|node| !node.is_mapping())
                })
                .collect();
            if missing.is_empty() {
                continue;
            }
            let listed = missing
                .iter()
                .map(|probe| format!("`{probe}`"))
                .collect::<Vec<_>>()
                .join(" or ");
            let message = format!(
                "{} has no {listed}: Kubernetes cannot tell when it is ready for traffic or \
                 hung",
                describe(resource, &container)
            );
            let yaml: String = missing
                .iter()
                .map(|probe| format!("  {probe}:\n    httpGet: {{path: /health, port: 8080}}\n"))
                .collect();
            out.report(resource, &container.pointer, message).hint = Cow::Owned(format!(
                "Add to container `{}` (with its real health endpoint and port):\n\n{yaml}",
                container.name().unwrap_or("?")
            ));
        }
    }
}
