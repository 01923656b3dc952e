//! GPU-003: a container that holds a GPU sets memory requests and limits.

use super::{Gpus, whole};
use crate::engine::{Context, Emitter};
use crate::rules::Example::Manifest;
use crate::rules::{Parameters, Principle, ResourceCheck, Rule, RuleMeta, Severity};

pub static META: RuleMeta = RuleMeta {
    id: "GPU-003",
    severity: Severity::Error,
    principle: Principle::OperationalExcellence,
    title: "GPU container without memory requests and limits",
    rationale: "An inference server loads a model into host memory before it reaches the GPU, \
                and spills layers to host memory when the model does not fit the 16 GB of \
                VRAM. Without a memory request the scheduler places it on a node that may not \
                have the memory; without a limit one large model can push the GPU node (which \
                is also the control plane) into OOM kills of ArgoCD and Traefik. Every \
                container that holds a GPU must set both `requests.memory` and \
                `limits.memory`.",
    fix: "Set `resources.requests.memory` to what the model needs resident and \
          `resources.limits.memory` to its ceiling (e.g. `requests: {memory: 12Gi}`, `limits: \
          {memory: 14Gi}`).",
    failing_example: Manifest(
        "\
apiVersion: apps/v1
kind: Deployment
metadata:
  name: ollama-gpu
  namespace: ai-backend
spec:
  template:
    spec:
      runtimeClassName: nvidia
      nodeSelector: {nvidia.com/gpu.present: \"true\"}
      tolerations:
        - {key: nvidia.com/gpu, operator: Exists, effect: NoSchedule}
      containers:
        - name: ollama
          image: registry.homelab.lan/ollama:0.5.4
          resources:
            limits: {nvidia.com/gpu: 1}
",
    ),
    passing_example: Manifest(
        "\
apiVersion: apps/v1
kind: Deployment
metadata:
  name: ollama-gpu
  namespace: ai-backend
spec:
  template:
    spec:
      runtimeClassName: nvidia
      nodeSelector: {nvidia.com/gpu.present: \"true\"}
      tolerations:
        - {key: nvidia.com/gpu, operator: Exists, effect: NoSchedule}
      containers:
        - name: ollama
          image: registry.homelab.lan/ollama:0.5.4
          resources:
            requests: {memory: 12Gi}
            limits: {nvidia.com/gpu: 1, memory: 14Gi}
",
    ),
};

pub fn rule() -> Rule {
    Rule::resource(&META, GpuMemory::default())
}

#[derive(Default)]
struct GpuMemory {
    gpus: Gpus,
}

impl ResourceCheck for GpuMemory {
    fn configure(&mut self, params: &Parameters) -> Result<(), String> {
        self.gpus.configure(params, &[], |_, _| Ok(()))
    }

    fn family_parameters(&self) -> &'static [&'static str] {
        super::FAMILY_PARAMETERS
    }

    fn check(&self, context: &Context<'_>, out: &mut Emitter<'_>) {
        let Some(pod) = context.pod() else {
            return;
        };
        let resource = context.resource;
        for container in pod.containers() {
            let holds_gpu = self
                .gpus
                .container_gpus(&container)
                .iter()
                .any(|gpu| whole(&gpu.entry.node) != Some(0));
            if !holds_gpu {
                continue;
            }
            let name = container.name().unwrap_or("?");
            let resources = container.fields.get("resources");
            for section in ["requests", "limits"] {
                let written = resources
                    .and_then(|resources| resources.get(section))
                    .and_then(|section| section.get("memory"))
                    .is_some_and(|memory| !memory.is_null());
                if written {
                    continue;
                }
                let pointer = match resources.and_then(|resources| resources.get(section)) {
                    Some(_) => format!("{}/resources/{section}", container.pointer),
                    None => format!("{}/resources", container.pointer),
                };
                out.report(
                    resource,
                    &pointer,
                    format!(
                        "{} container `{name}` holds a GPU but sets no memory {section}",
                        resource.display()
                    ),
                )
                .hint = format!(
                    "Add `resources.{section}.memory` (e.g. `{section}: {{memory: {}}}`).",
                    match section {
                        "requests" => "12Gi",
                        _ => "14Gi",
                    }
                )
                .into();
            }
        }
    }
}
